"""0019 and 0021: the visit planning tables arrive beside existing slots and bookings, which keep
their data, and leave again on a downgrade."""

import pytest
from sqlalchemy import text

from icm_recruit.extensions import db
from tests.core.test_migrations import _scratch_database
from tests.selection.test_outcomes_migration import FILL

pytestmark = pytest.mark.services

PREVIOUS, THIS, PARTS = "0018_mail_texts", "0019_visit_windows", "0021_visit_parts"

SLOT = ("INSERT INTO interview_slot (id, call_id, starts_at, duration_minutes, location,"
        " video_url, created_at) VALUES (1, 1, '2027-05-03 08:00:00+00', 45, 'Room 2', '',"
        " now())")


def test_upgrade_keeps_slots_and_windows_can_be_stored(app):
    from flask_migrate import downgrade, upgrade

    with _scratch_database(app):
        upgrade(revision=PREVIOUS)
        with db.engine.begin() as conn:
            for statement in [*FILL, SLOT]:
                conn.execute(text(statement))

        upgrade(revision=THIS)

        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT location FROM interview_slot")).scalar() == "Room 2"
            conn.execute(text(
                "INSERT INTO visit_window (id, call_id, starts_at, ends_at, note, created_at)"
                " VALUES (1, 1, '2027-05-03 07:00:00+00', '2027-05-03 16:00:00+00', '',"
                " now())"))
            conn.execute(text(
                "INSERT INTO visit_availability (window_id, user_id, answer, updated_at)"
                " VALUES (1, 2, 'yes', now())"))
            conn.execute(text("INSERT INTO visit_slot (slot_id, window_id) VALUES (1, 1)"))
            # Deleting the window keeps the slot, which candidates may have booked.
            conn.execute(text("DELETE FROM visit_window WHERE id = 1"))
            assert conn.execute(text("SELECT count(*) FROM visit_availability")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM visit_slot")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM interview_slot")).scalar() == 1

        downgrade(revision=PREVIOUS)
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT location FROM interview_slot")).scalar() == "Room 2"
            for table in ("visit_window", "visit_availability", "visit_slot"):
                assert conn.execute(text(f"SELECT to_regclass('{table}')")).scalar() is None


def test_visit_parts_arrive_beside_booked_slots_and_go_with_their_slot(app):
    from flask_migrate import downgrade, upgrade

    with _scratch_database(app):
        upgrade(revision=THIS)
        with db.engine.begin() as conn:
            for statement in [*FILL, SLOT]:
                conn.execute(text(statement))

        upgrade(revision=PARTS)

        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT location FROM interview_slot")).scalar() == "Room 2"
            conn.execute(text(
                "INSERT INTO visit_part (slot_id, kind, starts_at, duration_minutes, place,"
                " details, created_at) VALUES (1, 'seminar', '2027-05-03 07:00:00+00', 60,"
                " 'Amphi B', '', now())"))
        downgrade(revision=THIS)
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM interview_slot")).scalar() == 1
            assert conn.execute(text("SELECT to_regclass('visit_part')")).scalar() is None
