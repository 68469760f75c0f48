"""Answer time of /password/forgot, /verify/resend and /register for an address with an
account and one without: the two medians should be the same.

Creates its own PostgreSQL database, builds the app with Celery publishing to a throwaway
Redis queue (as in production, the request only queues the work; nothing consumes it),
then alternates requests for a known and an unknown address through the Flask test client.

    python benchmarks/account_timing.py [--requests 200]

Prints one JSON line: per route the median and p90 in milliseconds for each branch and
the difference of the medians.
"""

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "bench-password-2027"  # noqa: S105 - a throwaway account in a throwaway database


def _build_app(database_url: str, queue: str, tmp: Path):
    from flask_migrate import upgrade

    from icm_recruit import create_app

    app = create_app({
        "PROFILE": "test", "SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": REDIS_URL,
        "WTF_CSRF_ENABLED": False, "RATELIMIT_STORAGE": "memory",
        # Limits out of the way: this measures the work, not the refusals.
        "MAIL_LIMIT_PER_ACTOR": [(10**9, 3600)], "MAIL_LIMIT_PER_RECIPIENT": [(10**9, 600)],
        "UPLOAD_FOLDER": str(tmp), "SERVER_NAME_FOR_MAIL": "http://localhost",
        "CELERY": {"broker_url": REDIS_URL, "result_backend": REDIS_URL,
                   "task_always_eager": False, "task_default_queue": queue},
    })
    with app.app_context():
        upgrade()
    return app


def _seed(app) -> None:
    from icm_recruit.auth.models import Role, User
    from icm_recruit.core.timeutil import utcnow
    from icm_recruit.extensions import db

    with app.app_context():
        for email, verified in (("known@bench.org", True), ("pending@bench.org", False)):
            user = User(email=email, name="Bench", locale="en",
                        email_verified_at=utcnow() if verified else None)
            user.set_password(PASSWORD)
            user.grant(Role.APPLICANT)
            db.session.add(user)
        db.session.commit()


def _time(client, url: str, data: dict) -> float:
    start = time.perf_counter()
    response = client.post(url, data=data)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 302, (url, response.status_code)
    return elapsed


def _summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered), 2),
            "p90_ms": round(ordered[int(len(ordered) * 0.9) - 1], 2)}


def _compare(client, url: str, with_account, without_account, requests: int) -> dict:
    times = {"account": [], "no_account": []}
    for index in range(requests):
        times["account"].append(_time(client, url, with_account(index)))
        times["no_account"].append(_time(client, url, without_account(index)))
    result = {branch: _summary(samples) for branch, samples in times.items()}
    result["median_difference_ms"] = round(
        result["account"]["median_ms"] - result["no_account"]["median_ms"], 2)
    return result


def run(requests: int) -> dict:
    name = f"icm_bench_{uuid.uuid4().hex[:10]}"
    queue = f"icm-bench-{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    host = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        app = _build_app(f"{host}/{name}", queue, Path(f"/tmp/{name}-uploads"))
        _seed(app)
        client = app.test_client()
        for _ in range(20):  # warm up templates, connections and the broker
            _time(client, "/password/forgot", {"email": "known@bench.org"})
        registration = {"name": "Bench", "password": PASSWORD, "confirm": PASSWORD,
                        "locale": "en", "consent": "y"}
        return {
            "benchmark": "account_timing", "requests": requests,
            "forgot_password": _compare(
                client, "/password/forgot", lambda i: {"email": "known@bench.org"},
                lambda i: {"email": f"nobody{i}@bench.org"}, requests),
            "verify_resend": _compare(
                client, "/verify/resend", lambda i: {"email": "pending@bench.org"},
                lambda i: {"email": f"nobody{i}@bench.org"}, requests),
            "register": _compare(
                client, "/register", lambda i: {**registration, "email": "known@bench.org"},
                lambda i: {**registration, "email": f"new{i}@bench.org"},
                max(10, requests // 5)),
        }
    finally:
        redis.Redis.from_url(REDIS_URL).delete(queue)
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    print(json.dumps(run(parser.parse_args().requests)))


if __name__ == "__main__":
    main()
