"""Migrations that change existing tables keep the rows they should keep."""

import uuid
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import inspect, text

from icm_recruit import create_app
from icm_recruit.extensions import db
from tests.conftest import PG_ADMIN_URL

pytestmark = pytest.mark.services


@contextmanager
def _scratch_database(app):
    """Yield an app bound to a new empty database, dropped afterwards."""
    name = f"icm_mig_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    host_url = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        scratch = create_app({"PROFILE": "test", "SQLALCHEMY_DATABASE_URI": f"{host_url}/{name}"})
        with scratch.app_context():
            yield scratch
            db.session.remove()
            db.engine.dispose()
    finally:
        app.extensions["celery"].set_current()
        app.extensions["celery"].set_default()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fill_at(revision: str, statements, *, more=None) -> None:
    """Migrate the scratch database to `revision`, then write the statements there (and
    what `more(conn)` adds) in one transaction: a database filled at an earlier head."""
    from flask_migrate import upgrade

    upgrade(revision=revision)
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
        if more is not None:
            more(conn)


def _insert_job(conn, job_id: int, call_id: int | None, kind: str = "ranking") -> None:
    conn.execute(text(
        "INSERT INTO job_run (id, kind, call_id, status, progress, result, created_at) "
        "VALUES (:id, :kind, :call_id, 'done', 100, '{}', now())"),
        {"id": job_id, "kind": kind, "call_id": call_id})


def test_job_run_call_key_keeps_jobs_of_existing_calls_and_drops_orphans(app):
    from flask_migrate import downgrade, upgrade

    with _scratch_database(app):
        upgrade(revision="0006_selection")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO call (id, slug, title_en, title_fr, description_en, description_fr,"
                " opens_at, closes_at, reviewers_per_application, referees_required,"
                " summary_word_limit, document_rules, status, created_at, updated_at)"
                " VALUES (1, 'pd-2027', 'PD', 'PD', '', '', now(), now() + interval '1 day',"
                " 3, 2, 300, '{}', 'open', now(), now())"))
            _insert_job(conn, 10, call_id=1)
            _insert_job(conn, 11, call_id=999)  # its call was deleted long ago
            _insert_job(conn, 12, call_id=None, kind="retention")

        upgrade(revision="0007_job_run_call_fk")

        with db.engine.begin() as conn:
            kept = conn.execute(text("SELECT id, call_id FROM job_run ORDER BY id")).all()
        assert [tuple(row) for row in kept] == [(10, 1), (12, None)]
        keys = inspect(db.engine).get_foreign_keys("job_run")
        call_key = next(k for k in keys if k["referred_table"] == "call")
        assert call_key["constrained_columns"] == ["call_id"]
        assert call_key["options"].get("ondelete") == "CASCADE"

        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM call WHERE id = 1"))
            remaining = conn.execute(text("SELECT id FROM job_run")).scalars().all()
        assert remaining == [12]

        downgrade(revision="0006_selection")
        assert all(k["referred_table"] != "call"
                   for k in inspect(db.engine).get_foreign_keys("job_run"))


def test_the_migrations_form_one_line_with_one_head():
    """Two features adding a migration on the same parent would leave two heads, and
    `flask db upgrade` would refuse to run: the chain stays linear."""
    from pathlib import Path

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location",
                           str(Path(__file__).resolve().parents[2] / "migrations"))
    script = ScriptDirectory.from_config(config)
    assert len(script.get_heads()) == 1, script.get_heads()
    parents = [rev.down_revision for rev in script.walk_revisions()]
    assert len(parents) == len(set(parents)), "two migrations share a parent"
