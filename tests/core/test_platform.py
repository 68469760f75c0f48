"""Configuration, health, migrations, CLI and the audit chain."""

import html
import uuid

import psycopg
import pytest
from sqlalchemy import create_engine, inspect, select, text

from icm_recruit import ConfigError, create_app
from icm_recruit.core import audit
from icm_recruit.core.audit import AuditEvent
from icm_recruit.extensions import db
from tests.conftest import PG_ADMIN_URL
from tests.support import demo_app

pytestmark = pytest.mark.services


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("ICM_DEMO", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"PROFILE": "production"})
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="at least 32"):
        create_app({"PROFILE": "production"})


def test_production_cookies_are_hardened(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    app = create_app({"PROFILE": "production"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_environment_settings_are_read(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "y" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db.internal/icm")
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6380/2")
    monkeypatch.setenv("MAIL_SERVER", "smtp.internal")
    monkeypatch.setenv("MAIL_PORT", "2525")
    app = create_app({"PROFILE": "production"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db.internal/icm"
    assert app.config["CELERY"]["broker_url"] == "redis://cache.internal:6380/2"
    assert (app.config["MAIL_SERVER"], app.config["MAIL_PORT"]) == ("smtp.internal", 2525)


def test_healthz_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": {"ok": True}, "redis": {"ok": True}}


def test_healthz_reports_unreachable_services_without_traceback(make_app):
    broken = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://127.0.0.1:1/none",
                      REDIS_URL="redis://127.0.0.1:1/0")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.json
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is False and body["redis"]["ok"] is False


def test_security_headers_and_csp_nonce(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_refused_pages_carry_a_real_csp_nonce(client, ctx):
    from icm_recruit.auth.models import Role
    from tests.support import AuthActions, make_user

    make_user("ann@example.org", Role.APPLICANT)
    AuthActions(client, client.application).login("ann@example.org")
    for path, status in (("/admin/users", 403), ("/admin/calls/new", 403), ("/nope", 404)):
        response = client.get(path)
        assert response.status_code == status
        nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
        assert nonce and f'nonce="{nonce}"' in response.get_data(as_text=True), path


def test_error_pages_are_bilingual(client):
    assert "This page does not exist." in client.get("/nope").get_data(as_text=True)
    french = client.get("/nope", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Cette page n’existe pas." in html.unescape(french)


def test_unexpected_error_shows_calm_500(make_app):
    fragile = make_app(PROPAGATE_EXCEPTIONS=False)

    def boom():
        raise RuntimeError("unexpected")

    from icm_recruit.core.permissions import public

    fragile.add_url_rule("/boom", "boom", public(boom))
    response = fragile.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side." in response.get_data(as_text=True)


def test_migrations_upgrade_empty_database_and_downgrade_to_base(app):
    from flask_migrate import downgrade, upgrade

    name = f"icm_mig_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://127.0.0.1:5432/{name}"
    try:
        fresh = create_app({"PROFILE": "test", "SQLALCHEMY_DATABASE_URI": url})
        with fresh.app_context():
            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert {"user", "user_role", "outbox_message", "audit_event", "job_run"} <= tables
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            db.engine.dispose()
    finally:
        app.extensions["celery"].set_current()
        app.extensions["celery"].set_default()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_models_match_the_migrations(app):
    """Autogenerate against the migrated test database must find nothing to do."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context():
        diff = compare_metadata(MigrationContext.configure(db.session.connection()), db.metadata)
    assert diff == []


def test_audit_chain_verifies_and_detects_tampering(app, committed_db):
    runner = app.test_cli_runner()
    with app.app_context():
        for n in range(5):
            audit.record("test.event", object_type="thing", object_id=n, n=n)
        db.session.commit()
        result = runner.invoke(args=["audit", "verify"])
        assert result.exit_code == 0 and "intact: 5 events" in result.output
        third = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()[2]
        db.session.execute(text("UPDATE audit_event SET data = '{\"n\": 99}' WHERE id = :i"),
                           {"i": third.id})
        db.session.commit()
        result = runner.invoke(args=["audit", "verify"])
        assert result.exit_code == 1
        assert f"BROKEN at event {third.id}" in result.output and "altered" in result.output


def test_audit_chain_detects_a_deleted_row(app, committed_db):
    with app.app_context():
        for n in range(4):
            audit.record("test.event", n=n)
        db.session.commit()
        ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
        db.session.execute(text("DELETE FROM audit_event WHERE id = :i"), {"i": ids[1]})
        db.session.commit()
        ok, _count, event, reason = audit.verify_chain()
        assert not ok and event.id == ids[2] and "removed" in reason


def test_create_admin_command(app, ctx):
    result = app.test_cli_runner().invoke(args=["create-admin", "Boss@Example.org",
                                                "--name", "Big Boss"])
    assert result.exit_code == 0
    password = result.output.split("Password: ")[1].strip()
    from icm_recruit.auth.models import Role, User

    user = User.by_email("boss@example.org")
    assert user.has_role(Role.ADMIN) and user.check_password(password)


def test_engine_for_sqlite_demo_works(tmp_path, app):
    """The demo profile runs on a SQLite file with eager Celery and a mailbox."""
    with demo_app(tmp_path / "demo.sqlite3", app) as demo:
        with demo.app_context():
            runner = demo.test_cli_runner()
            assert "hr@demo.icm-recruit.org" in runner.invoke(args=["seed-demo"]).output
            assert runner.invoke(args=["seed-demo"]).exit_code == 0  # twice is fine
        client = demo.test_client()
        page = client.get("/login")
        assert page.status_code == 200
    engine = create_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM user")).scalar() >= 7


def test_demo_delivers_to_its_mailbox_on_sqlite(tmp_path, app):
    """Eager delivery on SQLite marks the mail sent and keeps its link for the mailbox."""
    from icm_recruit.core.outbox import OutboxMessage, OutboxStatus, queue_mail
    from icm_recruit.extensions import db

    with demo_app(tmp_path / "mail.sqlite3", app) as demo, demo.app_context():
        message_id = queue_mail(to="someone@example.org", template="verify_email",
                                key="demo:1", context={"name": "Someone"},
                                secret_links={"url": "http://localhost/verify/SECRET"})
        db.session.commit()
        db.session.remove()
        message = db.session.get(OutboxMessage, message_id)
        assert message.status == OutboxStatus.SENT and message.attempts == 1
        assert message.links == {"url": "http://localhost/verify/SECRET"}
        assert "SECRET" not in message.body_text


def test_query_count_header_counts_statements(make_app):
    counted = make_app(QUERY_COUNT_HEADER=True)
    response = counted.test_client().get("/healthz")
    assert int(response.headers["X-Query-Count"]) == 1  # SELECT 1
    plain = make_app()
    assert "X-Query-Count" not in plain.test_client().get("/healthz").headers


def test_audit_trail_per_application_and_export(client, auth, ctx):
    import csv
    import io

    from icm_recruit.auth.models import Role
    from tests.support import make_user

    make_user("auditor@example.org", Role.ADMIN)
    audit.record("application.opened", object_type="application", object_id=42, by="x")
    audit.record("application.opened", object_type="application", object_id=7)
    db.session.commit()
    auth.login("auditor@example.org")
    page = client.get("/admin/audit?object_type=application&object_id=42").get_data(True)
    assert "Application 42" in page and "Application 7" not in page
    export = client.get("/admin/audit.csv?object_type=application&object_id=42")
    assert export.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "at", "actor_id", "action"]
    assert [r[5] for r in rows[1:]] == ["42"]
    db.session.expire_all()
    assert "audit.exported" in db.session.scalars(select(AuditEvent.action)).all()


def test_opening_a_dossier_is_audited(client, auth, ctx):
    from icm_recruit.auth.models import Role
    from tests.applications.factories import make_application, make_call
    from tests.support import make_user

    make_user("opener@example.org", Role.ADMIN)
    applicant = make_user("opened@example.org", Role.APPLICANT)
    application = make_application(make_call(), applicant, complete=True)
    auth.login("opener@example.org")
    assert client.get(f"/admin/applications/{application.id}").status_code == 200
    db.session.expire_all()
    opened = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "dossier.opened")).all()
    assert [(e.object_type, e.object_id) for e in opened] == [
        ("application", str(application.id))]


def test_postgresql_connections_run_queries_without_jit(ctx, database_url):
    # A page's aggregate over a large call would otherwise spend longer compiling than
    # running; every new connection gets the setting, whichever engine opened it.
    assert db.session.execute(text("SHOW jit")).scalar() == "off"
    engine = create_engine(database_url)
    try:
        with engine.connect() as other:
            assert other.execute(text("SHOW jit")).scalar() == "off"
    finally:
        engine.dispose()


def test_a_connection_the_database_closed_while_idle_is_replaced(app, make_app):
    """Idle pooled connections are tested before use: a closed one is never handed out."""
    from sqlalchemy.exc import OperationalError

    from icm_recruit.extensions import db as database

    def closed_while_idle(idle_seconds):
        other = make_app(POOL_PING_IDLE_SECONDS=idle_seconds)
        with other.app_context():
            engine = database.engine
            with engine.connect() as conn:
                pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            try:
                with engine.connect() as conn:
                    return pid, conn.execute(text("SELECT pg_backend_pid()")).scalar()
            finally:
                engine.dispose()

    pid, now = closed_while_idle(0.0)
    assert now != pid
    # Used a moment ago, a connection is not tested: the same closure would fail there.
    with pytest.raises(OperationalError):
        closed_while_idle(3600.0)
