"""Fixtures: one PostgreSQL database per test process, each test rolled back; Redis; an
SMTP sink; a real Celery worker where behaviour depends on it."""

import os
import uuid

import psycopg
import pytest
import redis as redis_lib

from tests.support import IsolatedClient, SmtpSink, empty_every_table

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
# The longest files (whole minutes each, from `make test`'s durations) are handed out to the
# two xdist workers first, so the short ones fill in around them instead of one of these
# starting last while the other worker idles.
LONGEST_FIRST = ("tests/security/test_form_fuzz.py", "tests/browser/test_no_overflow.py",
                 "tests/security/test_upload_fuzz.py", "tests/security/test_access_matrix.py",
                 "tests/security/test_mail_faults.py", "tests/browser/test_selection_journey.py",
                 "tests/browser/test_stages_journey.py")


def pytest_collection_modifyitems(session, config, items):
    rank = {path: position for position, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.partition("::")[0], len(rank)))


def _services_down() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            pass
    except Exception as exc:
        return f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}"
    try:
        redis_lib.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        return f"Redis unreachable at {REDIS_URL}: {exc}"
    return None


@pytest.fixture(scope="session")
def services():
    problem = _services_down()
    if problem:
        if REQUIRE_SERVICES:
            pytest.fail(f"{problem} (REQUIRE_SERVICES=1)")
        pytest.skip(problem)


@pytest.fixture(scope="session")
def database_url(services, worker_id="master"):
    name = f"icm_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    host_url = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{host_url.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def run_id():
    return uuid.uuid4().hex[:8]


def make_test_config(database_url, smtp_sink, run_id, **extra):
    config = {
        "PROFILE": "test",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": REDIS_URL,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_sink.port,
        "MAIL_TRANSPORT": "smtp",
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_STORAGE": "redis",
        "RATELIMIT_PREFIX": f"icm-test-{run_id}",
        "SERVER_NAME_FOR_MAIL": "http://localhost",
        "CELERY": {
            "broker_url": REDIS_URL,
            "result_backend": REDIS_URL,
            "task_always_eager": True,
            "task_eager_propagates": True,
            "task_default_queue": f"icm-test-{run_id}",
        },
    }
    config.update(extra)
    return config


@pytest.fixture(scope="session")
def app(database_url, smtp_sink, run_id, tmp_path_factory):
    from flask_migrate import upgrade

    from icm_recruit import create_app

    application = create_app(make_test_config(
        database_url, smtp_sink, run_id,
        UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")),
    ))
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()
    return application


@pytest.fixture(autouse=True)
def _db_transaction(request):
    """Run each test that uses the app inside one outer transaction, rolled back after."""
    if "app" not in request.fixturenames or "committed_db" in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    from icm_recruit.extensions import db

    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        try:
            yield
        finally:
            db.session.remove()
            engines[None] = engine
            outer.rollback()
            connection.close()


@pytest.fixture
def committed_db(app):
    """For tests whose data other processes or threads must see: real commits, then
    every table emptied."""

    yield
    with app.app_context():
        empty_every_table()


@pytest.fixture
def make_app(app, database_url, smtp_sink, run_id):
    """Build another app instance (other settings); the suite's app stays Celery's default."""
    from icm_recruit import create_app

    def build(**overrides):
        return create_app(make_test_config(database_url, smtp_sink, run_id, **overrides))

    yield build
    app.extensions["celery"].set_current()
    app.extensions["celery"].set_default()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def mail(smtp_sink):
    smtp_sink.clear()
    return smtp_sink


@pytest.fixture
def client(app, mail):
    # Rate-limit counters start empty for every test.
    app.config["RATELIMIT_PREFIX"] = f"icm-test-{uuid.uuid4().hex[:12]}"
    return app.test_client()


@pytest.fixture
def auth(client, app):
    from tests.support import AuthActions

    return AuthActions(client, app)


@pytest.fixture(autouse=True)
def _forget_in_process_worker():
    """An in-process Celery worker (start_worker) marks the whole process as a worker,
    after which any eager `result.get()` refuses to run; the mark must not outlive it."""
    yield
    from celery import _state

    _state._set_task_join_will_block(False)
