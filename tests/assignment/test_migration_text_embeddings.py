"""0016 keeps every document (its text not read yet) and adds the empty embedding cache."""

import pytest
from sqlalchemy import inspect, text

from icm_recruit.extensions import db
from tests.core.test_migrations import _scratch_database
from tests.rules.test_migration_conflict_reach import FILL

pytestmark = pytest.mark.services

DOCUMENT = (
    "INSERT INTO document (id, application_id, kind, original_filename, size, pages, sha256,"
    " storage_key, is_current, uploaded_at) VALUES (1, 1, 'research_project', 'p.pdf', 10, 2,"
    " repeat('a', 64), 'k1', true, now())")


def test_upgrade_keeps_documents_and_adds_the_embedding_cache(app):
    from flask_migrate import downgrade, upgrade

    with _scratch_database(app):
        upgrade(revision="0015_application_versions")
        with db.engine.begin() as conn:
            for statement in [*FILL[:3], DOCUMENT]:
                conn.execute(text(statement))

        upgrade(revision="0016_text_embeddings")

        with db.engine.begin() as conn:
            rows = conn.execute(text(
                "SELECT id, kind, storage_key, text_excerpt FROM document")).all()
            assert [tuple(r) for r in rows] == [(1, "research_project", "k1", None)]
            assert conn.execute(text("SELECT count(*) FROM text_embedding")).scalar() == 0
            conn.execute(text("INSERT INTO text_embedding (key, model, vector, created_at)"
                              " VALUES ('k', 'm', '\\x00'::bytea, now())"))

        downgrade(revision="0015_application_versions")
        assert "text_embedding" not in inspect(db.engine).get_table_names()
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM document")).scalar() == 1
