"""0008 keeps every assignment and panel seat, and marks the assignments a conflict ended."""

import pytest
from sqlalchemy import text

from icm_recruit.extensions import db
from tests.core.test_migrations import _scratch_database, fill_at

pytestmark = pytest.mark.services

FILL = [
    "INSERT INTO \"user\" (id, email, name, locale, timezone, active, session_nonce, created_at)"
    " VALUES (1, 'a@example.org', 'A', 'en', 'Europe/Paris', true, 'n1', now()),"
    " (2, 'r@example.org', 'R', 'en', 'Europe/Paris', true, 'n2', now()),"
    " (3, 's@example.org', 'S', 'en', 'Europe/Paris', true, 'n3', now())",
    "INSERT INTO call (id, slug, title_en, title_fr, description_en, description_fr,"
    " opens_at, closes_at, reviewers_per_application, referees_required, summary_word_limit,"
    " document_rules, status, created_at, updated_at) VALUES (1, 'c-2027', 'C', 'C', '', '',"
    " now(), now() + interval '1 day', 3, 2, 300, '{}', 'in_review', now(), now())",
    "INSERT INTO application (id, call_id, applicant_id, status, current_position, institution,"
    " country, title, keywords, summary, publications, excluded_reviewers, created_at,"
    " updated_at) VALUES (1, 1, 1, 'under_review', '', '', 'FR', 't', 'k', 's', 'p', '[]',"
    " now(), now())",
    "INSERT INTO assignment (id, application_id, reviewer_id, status, origin, locked,"
    " explanation, created_at, decline_reason) VALUES"
    " (1, 1, 2, 'declined', 'auto', false, '{}', now(), 'conflict of interest'),"
    " (2, 1, 3, 'declined', 'auto', false, '{}', now(), 'on leave')",
    "INSERT INTO interview_slot (id, call_id, starts_at, duration_minutes, location, video_url,"
    " created_at) VALUES (1, 1, now() + interval '2 days', 45, 'Room 1', '', now())",
    "INSERT INTO interview_panelist (slot_id, user_id) VALUES (1, 2), (1, 3)",
]


def test_upgrade_keeps_rows_and_marks_assignments_ended_by_a_conflict(app):
    from flask_migrate import downgrade, upgrade

    with _scratch_database(app):
        fill_at("0007_job_run_call_fk", FILL)

        upgrade(revision="0008_conflict_reach")

        with db.engine.begin() as conn:
            assignments = conn.execute(text(
                "SELECT id, status, decline_reason, ended_by_conflict FROM assignment"
                " ORDER BY id")).all()
            seats = conn.execute(text(
                "SELECT slot_id, user_id, withdrawn_at FROM interview_panelist"
                " ORDER BY user_id")).all()
        assert [tuple(a) for a in assignments] == [
            (1, "declined", "conflict of interest", True), (2, "declined", "on leave", False)]
        assert [tuple(s) for s in seats] == [(1, 2, None), (1, 3, None)]

        downgrade(revision="0007_job_run_call_fk")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM assignment")).scalar() == 2
            assert conn.execute(text("SELECT count(*) FROM interview_panelist")).scalar() == 2
