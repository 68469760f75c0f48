"""0017: the meeting tables arrive beside existing data, which they leave untouched, and
leave again on a downgrade."""

import pytest
from sqlalchemy import text

from icm_recruit.extensions import db
from tests.core.test_migrations import _scratch_database
from tests.selection.test_outcomes_migration import FILL

pytestmark = pytest.mark.services

PREVIOUS, THIS = "0016_text_embeddings", "0017_meeting"


def test_upgrade_keeps_data_and_meetings_can_be_stored(app):
    from flask_migrate import downgrade, upgrade

    with _scratch_database(app):
        upgrade(revision=PREVIOUS)
        with db.engine.begin() as conn:
            for statement in FILL:
                conn.execute(text(statement))

        upgrade(revision=THIS)

        with db.engine.begin() as conn:
            assert conn.execute(text(
                "SELECT reason FROM shortlist_mark WHERE application_id = 1")).scalar() \
                == "Out of scope"
            conn.execute(text(
                "INSERT INTO meeting (id, call_id, starts_at, duration_minutes, location,"
                " video_url, created_at, pointer_version, sequence) VALUES (1, 1, now(), 120,"
                " 'Room', '', now(), 0, 0)"))
            conn.execute(text(
                "INSERT INTO agenda_item (id, meeting_id, application_id, position, \"group\","
                " consensus, revision) VALUES (1, 1, 1, 1, 'discuss', '', 0)"))
            conn.execute(text("UPDATE meeting SET current_item_id = 1"))
            conn.execute(text(
                "INSERT INTO meeting_departure (item_id, user_id, reason, left_at)"
                " VALUES (1, 2, 'coauthor', now())"))
            conn.execute(text(
                "INSERT INTO evaluation_report (application_id, body, updated_at)"
                " VALUES (1, 'Report', now())"))
            # Deleting the item clears the pointer instead of failing.
            conn.execute(text("DELETE FROM agenda_item WHERE id = 1"))
            assert conn.execute(text("SELECT current_item_id FROM meeting")).scalar() is None

        downgrade(revision=PREVIOUS)
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM application")).scalar() == 1
            for table in ("meeting", "agenda_item", "meeting_departure", "evaluation_report"):
                assert conn.execute(text(f"SELECT to_regclass('{table}')")).scalar() is None
