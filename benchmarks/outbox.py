"""Throughput of the mail outbox: N mails through a real Celery worker to a local SMTP sink.

Creates its own PostgreSQL database, starts a local aiosmtpd sink (in its own process, as
a mail server is: it shares the cores, not the producer's interpreter) and a prefork Celery
worker (concurrency 2 by default), queues N outbox rows in transactions of 500, and waits
until every mail has reached the sink. Prints one JSON line: mails, seconds,
mails_per_second, lost, duplicates.

    python benchmarks/outbox.py --mails 10000
"""

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


class CountingSink:
    """An SMTP server that counts messages per outbox key."""

    def __init__(self, port: int):
        self.keys: dict[str, int] = {}
        self.lock = threading.Lock()
        self.first = self.last = 0.0
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        key = None
        for line in envelope.content.split(b"\r\n"):
            if line.startswith(b"X-ICM-Outbox-Key:"):
                key = line.split(b":", 1)[1].strip().decode()
                break
            if not line:
                break
        with self.lock:
            self.keys[key] = self.keys.get(key, 0) + 1
            now = time.perf_counter()
            self.first = self.first or now
            self.last = now
        return "250 OK"


def _serve_sink(port: int, pipe) -> None:
    """Run the sink in its own process (as a real mail server would be), answering the
    benchmark's questions on `pipe`: "count", or "keys" for the counts and the times."""
    sink = CountingSink(port)
    sink.controller.start()
    pipe.send("ready")
    while True:
        question = pipe.recv()
        with sink.lock:
            if question == "count":
                pipe.send(sum(sink.keys.values()))
            else:
                pipe.send((dict(sink.keys), sink.first, sink.last))
                break
    sink.controller.stop()


class SinkProcess:
    """The counting sink in a separate process: it takes no share of the producer's GIL."""

    def __init__(self, port: int):
        self.pipe, child = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("spawn").Process(
            target=_serve_sink, args=(port, child), daemon=True)
        self.process.start()
        if not self.pipe.poll(30) or self.pipe.recv() != "ready":
            raise RuntimeError("the SMTP sink did not start")

    def received(self) -> int:
        self.pipe.send("count")
        return self.pipe.recv()

    def finish(self) -> tuple[dict[str, int], float, float]:
        self.pipe.send("keys")
        result = self.pipe.recv()
        self.process.join(30)
        return result


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--prequeue", action="store_true",
                        help="queue every mail first, then start the worker and time delivery "
                             "alone (the producer does not share the cores meanwhile)")
    args = parser.parse_args()

    name = f"icm_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database_url = f"postgresql+psycopg://127.0.0.1:5432/{name}"
    queue = f"icm-bench-{uuid.uuid4().hex[:6]}"
    port = _free_port()
    sink = SinkProcess(port)
    env = {**os.environ, "ICM_ENV": "test", "DATABASE_URL": database_url,
           "REDIS_URL": REDIS_URL, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port),
           "ICM_CELERY_QUEUE": queue}
    worker = None
    try:
        from flask_migrate import upgrade

        os.environ.update({k: env[k] for k in ("ICM_ENV", "DATABASE_URL", "REDIS_URL",
                                               "MAIL_SERVER", "MAIL_PORT", "ICM_CELERY_QUEUE")})
        from icm_recruit import create_app
        from icm_recruit.core.outbox import queue_mail
        from icm_recruit.extensions import db

        app = create_app()
        with app.app_context():
            upgrade()
        def start_worker():
            return subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "icm_recruit.worker", "worker",
                 "--pool=prefork", f"--concurrency={args.concurrency}", "-Q", queue,
                 "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "--loglevel=WARNING"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )

        if not args.prequeue:
            worker = start_worker()
            time.sleep(3)  # let the worker connect before the clock starts
        start = time.perf_counter()
        with app.app_context():
            for batch in range(0, args.mails, 500):
                for n in range(batch, min(batch + 500, args.mails)):
                    queue_mail(to=f"person{n}@example.org", template="verify_email",
                               key=f"bench:{n}", context={"name": f"Person {n}",
                                                          "url": f"http://localhost/v/{n}"})
                db.session.commit()
        if args.prequeue:
            worker = start_worker()
            start = time.perf_counter()  # delivery alone, from the worker's start
        queued = time.perf_counter() - start
        deadline = time.monotonic() + args.timeout
        while sink.received() < args.mails and time.monotonic() < deadline:
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        time.sleep(1.0)  # let any duplicate arrive before counting
        expected = {f"bench:{n}" for n in range(args.mails)}
        got, first, last = sink.finish()
        lost = len(expected - set(got))
        duplicates = sum(count - 1 for count in got.values() if count > 1)
        result = {
            "mails": args.mails,
            "seconds": round(seconds, 2),
            "mails_per_second": round(args.mails / seconds, 1),
            # From the first mail received to the last: delivery once the worker runs.
            "steady_mails_per_second": round((args.mails - 1) / max(last - first, 1e-9), 1),
            "queue_seconds": round(queued, 2),
            "worker_concurrency": args.concurrency,
            "clock": "delivery only (worker start to last mail)" if args.prequeue
            else "queueing and delivery together",
            "lost": lost,
            "duplicates": duplicates,
        }
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        if sink.process.is_alive():
            sink.process.terminate()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(json.dumps(result))


if __name__ == "__main__":
    main()
