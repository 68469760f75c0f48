"""0014 adds imported publication lists and keeps every existing row."""

import pytest
from sqlalchemy import text

from icm_recruit.extensions import db
from tests.core.test_migrations import _scratch_database

pytestmark = pytest.mark.services


def test_upgrade_keeps_rows_and_downgrade_drops_only_the_lists(app):
    from flask_migrate import downgrade, upgrade

    with _scratch_database(app):
        upgrade(revision="0013_institutions")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO \"user\" (id, email, name, locale, timezone, active, session_nonce,"
                " created_at) VALUES (1, 'a@example.org', 'A', 'en', 'Europe/Paris', true, 'n1',"
                " now())"))
            conn.execute(text(
                "INSERT INTO institution (name, kind, aliases, acronyms, domains, units, parent,"
                " created_at, updated_at) VALUES ('Institut Tagada', 'institution', '[]', '[]',"
                " '[]', '[]', '', now(), now())"))

        upgrade(revision="0014_publications")

        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM \"user\"")).scalar() == 1
            assert conn.execute(text("SELECT name FROM institution")).scalar() == (
                "Institut Tagada")
            conn.execute(text(
                "INSERT INTO publication (user_id, title, year, authors, source, imported_at)"
                " VALUES (1, 'Cortical maps', 2022, '[\"Tanaka, Kenji\"]', 'bibtex', now())"))
            with pytest.raises(Exception, match="year_plausible"):
                with conn.begin_nested():
                    conn.execute(text(
                        "INSERT INTO publication (user_id, title, year, authors, source,"
                        " imported_at) VALUES (1, 'x', 3000, '[]', 'ris', now())"))

        downgrade(revision="0013_institutions")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM institution")).scalar() == 1
            assert conn.execute(text("SELECT to_regclass('publication')")).scalar() is None
