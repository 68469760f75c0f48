"""0011: marks made before it were mailed at once, so they arrive told and locked."""

import pytest
from sqlalchemy import text

from icm_recruit.extensions import db
from tests.core.test_migrations import _scratch_database

pytestmark = pytest.mark.services

PREVIOUS, THIS = "0010_personal_deadlines", "0011_shortlist_outcomes"
FILL = [
    "INSERT INTO \"user\" (id, email, name, locale, timezone, active, session_nonce, created_at)"
    " VALUES (1, 'a@example.org', 'A', 'en', 'Europe/Paris', true, 'n1', now()),"
    " (2, 'hr@example.org', 'HR', 'fr', 'Europe/Paris', true, 'n2', now())",
    "INSERT INTO call (id, slug, title_en, title_fr, description_en, description_fr,"
    " opens_at, closes_at, reviewers_per_application, referees_required, summary_word_limit,"
    " document_rules, status, created_at, updated_at) VALUES (1, 'c-2027', 'C', 'C', '', '',"
    " now(), now() + interval '1 day', 3, 2, 300, '{}', 'selection', now(), now())",
    "INSERT INTO application (id, call_id, applicant_id, status, current_position, institution,"
    " country, title, keywords, summary, publications, excluded_reviewers, created_at,"
    " updated_at) VALUES (1, 1, 1, 'rejected', '', '', 'FR', 't', 'k', 's', 'p', '[]',"
    " now(), now())",
    "INSERT INTO shortlist_mark (id, application_id, outcome, reason, marked_by_id, marked_at)"
    " VALUES (1, 1, 'rejected', 'Out of scope', 2, '2027-03-01 10:00:00+00')",
]


def test_upgrade_marks_earlier_shortlist_marks_as_told(app):
    from flask_migrate import downgrade, upgrade

    with _scratch_database(app):
        upgrade(revision=PREVIOUS)
        with db.engine.begin() as conn:
            for statement in FILL:
                conn.execute(text(statement))

        upgrade(revision=THIS)

        with db.engine.begin() as conn:
            mark = conn.execute(text(
                "SELECT outcome, reason, told_at = marked_at FROM shortlist_mark")).one()
            conn.execute(text(
                "INSERT INTO shortlist_template (call_id, outcome, locale, subject, body,"
                " updated_at) VALUES (1, 'rejected', 'fr', 'S', 'B', now())"))
        assert tuple(mark) == ("rejected", "Out of scope", True)

        downgrade(revision=PREVIOUS)
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM shortlist_mark")).scalar() == 1
            assert conn.execute(text(
                "SELECT to_regclass('shortlist_template')")).scalar() is None
