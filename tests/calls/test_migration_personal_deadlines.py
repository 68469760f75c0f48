"""0010 adds the personal deadline of an application and keeps every existing row."""

import pytest
from sqlalchemy import text

from icm_recruit.extensions import db
from tests.core.test_migrations import _scratch_database, fill_at

pytestmark = pytest.mark.services

FILL = [
    "INSERT INTO \"user\" (id, email, name, locale, timezone, active, session_nonce, created_at)"
    " VALUES (1, 'a@example.org', 'A', 'en', 'Europe/Paris', true, 'n1', now()),"
    " (2, 'b@example.org', 'B', 'fr', 'Europe/Paris', true, 'n2', now())",
    "INSERT INTO call (id, slug, title_en, title_fr, description_en, description_fr,"
    " opens_at, closes_at, reviewers_per_application, referees_required, summary_word_limit,"
    " document_rules, status, created_at, updated_at) VALUES (1, 'c-2027', 'C', 'C', '', '',"
    " now() - interval '1 day', now() + interval '1 day', 3, 2, 300, '{}', 'open', now(),"
    " now())",
    "INSERT INTO application (id, call_id, applicant_id, status, current_position, institution,"
    " country, title, keywords, summary, publications, excluded_reviewers, created_at,"
    " updated_at) VALUES (1, 1, 1, 'draft', '', '', 'FR', 't', 'k', 's', 'p', '[]',"
    " now(), now()), (2, 1, 2, 'submitted', '', '', 'FR', 't', 'k', 's', 'p', '[]', now(),"
    " now())",
]


def test_upgrade_keeps_applications_without_a_personal_deadline(app):
    from flask_migrate import downgrade, upgrade

    with _scratch_database(app):
        fill_at("0009_mail_secrets", FILL)

        upgrade(revision="0010_personal_deadlines")

        with db.engine.begin() as conn:
            rows = conn.execute(text(
                "SELECT id, status, extended_until, extension_reason FROM application"
                " ORDER BY id")).all()
            assert [tuple(r) for r in rows] == [(1, "draft", None, None),
                                                (2, "submitted", None, None)]
            conn.execute(text("UPDATE application SET extended_until = now() + interval"
                              " '2 days', extension_reason = 'outage' WHERE id = 1"))

        downgrade(revision="0009_mail_secrets")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM application")).scalar() == 2
            columns = conn.execute(text(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = 'application'")).scalars().all()
            assert "extended_until" not in columns
