"""0012 adds HR's tags and saved searches to a database that already holds applications."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DataError, IntegrityError

from icm_recruit.extensions import db
from tests.core.test_migrations import _scratch_database, fill_at

pytestmark = pytest.mark.services

FILL = [
    "INSERT INTO \"user\" (id, email, name, locale, timezone, active, session_nonce, created_at)"
    " VALUES (1, 'a@example.org', 'A', 'en', 'Europe/Paris', true, 'n1', now()),"
    " (2, 'hr@example.org', 'H', 'en', 'Europe/Paris', true, 'n2', now())",
    "INSERT INTO call (id, slug, title_en, title_fr, description_en, description_fr,"
    " opens_at, closes_at, reviewers_per_application, referees_required, summary_word_limit,"
    " document_rules, status, created_at, updated_at) VALUES (1, 'c-2027', 'C', 'C', '', '',"
    " now(), now() + interval '1 day', 3, 2, 300, '{}', 'open', now(), now())",
    "INSERT INTO application (id, call_id, applicant_id, status, current_position, institution,"
    " country, title, keywords, summary, publications, excluded_reviewers, created_at,"
    " updated_at) VALUES (1, 1, 1, 'submitted', '', '', 'FR', 't', 'k', 's', 'p', '[]',"
    " now(), now())",
]
TAG = ("INSERT INTO application_tag (application_id, tag, created_by_id, created_at)"
       " VALUES (1, :tag, 2, now())")


def test_upgrade_keeps_applications_and_guards_tags(app):
    from flask_migrate import downgrade, upgrade

    with _scratch_database(app):
        fill_at("0011_shortlist_outcomes", FILL)

        upgrade(revision="0012_hr_tags_saved_searches")

        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM application")).scalar() == 1
            conn.execute(text(TAG), {"tag": "strong"})
            conn.execute(text(
                "INSERT INTO saved_search (user_id, call_id, name, params, created_at)"
                " VALUES (2, 1, 'Strong', '{\"q\": \"tag:strong\"}', now())"))
        for refused in ("strong", "Strong", "x" * 41, ""):
            with pytest.raises((IntegrityError, DataError)), db.engine.begin() as conn:
                conn.execute(text(TAG), {"tag": refused})
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM \"user\" WHERE id = 2"))
            assert conn.execute(text(
                "SELECT tag, created_by_id FROM application_tag")).one() == ("strong", None)
            assert conn.execute(text("SELECT count(*) FROM saved_search")).scalar() == 0

        downgrade(revision="0011_shortlist_outcomes")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM application")).scalar() == 1
            assert conn.execute(text(
                "SELECT to_regclass('application_tag') IS NULL")).scalar()
