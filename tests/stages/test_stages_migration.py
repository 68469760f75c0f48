"""0020 puts everything that exists at stage 1 and lets one pair be assigned at two stages."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from icm_recruit.extensions import db
from tests.applications.test_tags_migration import FILL
from tests.core.test_migrations import _scratch_database

pytestmark = pytest.mark.services

MORE = [
    "INSERT INTO criterion (id, call_id, position, name_en, name_fr, description_en,"
    " description_fr, descriptors_en, descriptors_fr, weight, scale_min, scale_max)"
    " VALUES (1, 1, 0, 'Quality', 'Qualité', '', '', '', '', 1.0, 1, 5)",
    "INSERT INTO assignment (id, application_id, reviewer_id, status, origin, locked,"
    " explanation, created_at, ended_by_conflict) VALUES"
    " (1, 1, 2, 'active', 'auto', false, '{}', now(), false)",
]
SAME_PAIR = ("INSERT INTO assignment (id, application_id, reviewer_id, status, origin, locked,"
             " explanation, created_at, ended_by_conflict, stage) VALUES"
             " (:id, 1, 2, 'proposed', 'auto', false, '{}', now(), false, :stage)")


def test_upgrade_keeps_everything_at_stage_one(app):
    from flask_migrate import downgrade, upgrade

    with _scratch_database(app):
        upgrade(revision="0019_visit_windows")
        with db.engine.begin() as conn:
            for statement in (*FILL, *MORE):
                conn.execute(text(statement))

        upgrade(revision="0020_stages")

        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT current_stage FROM call")).scalar() == 1
            assert conn.execute(text("SELECT stage FROM application")).scalar() == 1
            assert conn.execute(text("SELECT stage, status FROM assignment")).one() == (
                1, "active")
            assert conn.execute(text("SELECT stage FROM criterion")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM call_stage")).scalar() == 0
            # The same member may review the same application again at stage 2 ...
            conn.execute(text(SAME_PAIR), {"id": 2, "stage": 2})
        # ... but not twice at one stage.
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text(SAME_PAIR), {"id": 3, "stage": 1})

        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM assignment WHERE stage = 2"))
        downgrade(revision="0019_visit_windows")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM assignment")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM criterion")).scalar() == 1


STAGE_ROWS = [
    "INSERT INTO call_stage (id, call_id, position, name_en, name_fr, instructions_en,"
    " instructions_fr, document_rules, referee_mode, referees_required, notify_outcome,"
    " updated_at) VALUES (1, 1, 2, 'Full', 'Complet', '', '', '[]', 'none', 0, true, now())",
    "INSERT INTO application_stage (id, application_id, stage, progress, reason) VALUES"
    " (1, 1, 2, 'submitted', 'kept')",
]


def test_stage_texts_arrive_empty_and_keep_the_stages(app):
    from flask_migrate import downgrade, upgrade

    with _scratch_database(app):
        upgrade(revision="0022_equality_answers")
        with db.engine.begin() as conn:
            for statement in (*FILL, *STAGE_ROWS):
                conn.execute(text(statement))

        upgrade(revision="0023_stage_sections")

        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT name_en, sections::text FROM call_stage")).one() \
                == ("Full", "[]")
            assert conn.execute(text(
                "SELECT progress, reason, texts::text FROM application_stage")).one() == (
                "submitted", "kept", "{}")
        downgrade(revision="0022_equality_answers")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM application_stage")).scalar() == 1
