"""0013 adds HR's registry entries and keeps every existing row."""

import pytest
from sqlalchemy import text

from icm_recruit.extensions import db
from tests.core.test_migrations import _scratch_database, fill_at

pytestmark = pytest.mark.services

FILL = [
    "INSERT INTO \"user\" (id, email, name, locale, timezone, active, session_nonce, created_at)"
    " VALUES (1, 'a@example.org', 'A', 'en', 'Europe/Paris', true, 'n1', now()),"
    " (2, 'r@example.org', 'R', 'en', 'Europe/Paris', true, 'n2', now())",
    "INSERT INTO board_member (id, user_id, affiliation, past_affiliations, country,"
    " expertise_keywords, expertise_statement, coauthors, default_max_load, digest, active,"
    " created_at) VALUES (1, 2, 'TU München', '[]', 'DE', '', '', '', 10, 'immediate', true,"
    " now())",
]


def test_upgrade_keeps_rows_and_adds_an_empty_registry(app):
    from flask_migrate import downgrade, upgrade

    with _scratch_database(app):
        fill_at("0012_hr_tags_saved_searches", FILL)

        upgrade(revision="0013_institutions")

        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM \"user\"")).scalar() == 2
            assert conn.execute(text("SELECT affiliation FROM board_member")).scalar() == (
                "TU München")
            assert conn.execute(text("SELECT count(*) FROM institution")).scalar() == 0
            conn.execute(text(
                "INSERT INTO institution (name, kind, aliases, acronyms, domains, units, parent,"
                " created_at, created_by_id, updated_at) VALUES ('Institut Tagada',"
                " 'institution', '[]', '[]', '[]', '[]', '', now(), 1, now())"))

        downgrade(revision="0012_hr_tags_saved_searches")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM board_member")).scalar() == 1
            assert conn.execute(text("SELECT to_regclass('institution')")).scalar() is None
