"""Mail under faults: N outbox messages through a real prefork worker and Celery beat to a
local SMTP sink, while the worker is killed with SIGKILL twice and Redis is restarted once.

Redis here is a private redis-server started for the test (so the shared one is left
alone); it keeps nothing on disk, so its restart loses every queued task: the beat sweep
must recover them from the outbox table. MAIL_FAULTS_MESSAGES sets N (CI: 2,000; the
README reports a 10,000 run). Prints one line: delivered, lost, duplicates, mails/second.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from icm_recruit.core.outbox import OutboxMessage, OutboxStatus, queue_mail
from icm_recruit.extensions import db
from tests.support import free_port

pytestmark = [pytest.mark.services, pytest.mark.worker]
ROOT = Path(__file__).resolve().parents[2]
MESSAGES = int(os.environ.get("MAIL_FAULTS_MESSAGES", "2000"))


class KeySink:
    def __init__(self):
        self.port = free_port()
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        head = envelope.content.split(b"\r\n\r\n", 1)[0]
        key = next((line.split(b":", 1)[1].strip().decode() for line in head.split(b"\r\n")
                    if line.startswith(b"X-ICM-Outbox-Key:")), None)
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
        return "250 OK"

    def received(self) -> int:
        with self.lock:
            return sum(self.counts.values())


class Processes:
    """Worker, beat and a private Redis, each restartable."""

    def __init__(self, env: dict, redis_port: int, tmp: Path):
        self.env, self.redis_port, self.tmp = env, redis_port, tmp
        self.redis = self.worker = self.beat = None

    def start_redis(self):
        self.redis = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.redis_port), "--bind",
             "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)

    def _celery(self, *args):
        return subprocess.Popen([sys.executable, "-m", "celery", "-A", "icm_recruit.worker",
                                 *args], cwd=ROOT, env=self.env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start_worker(self):
        self.worker = self._celery("worker", "--pool=prefork", "--concurrency=2", "-Q",
                                   self.env["ICM_CELERY_QUEUE"], "--without-gossip",
                                   "--without-mingle", "--without-heartbeat",
                                   "--loglevel=WARNING")

    def start_beat(self):
        self.beat = self._celery("beat", "--schedule", str(self.tmp / "beat-schedule"),
                                 "--loglevel=WARNING")

    def kill_worker(self):
        os.killpg(self.worker.pid, signal.SIGKILL)  # the main process and its pool
        self.worker.wait(10)

    def restart_redis(self):
        self.redis.kill()
        self.redis.wait(10)
        self.start_redis()

    def stop(self):
        for proc in (self.worker, self.beat):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        if self.redis is not None:
            self.redis.kill()
            self.redis.wait(10)


def test_no_mail_lost_or_repeated_when_worker_and_redis_die(make_app, committed_db, database_url,
                                                             run_id, tmp_path):
    sink = KeySink()
    sink.controller.start()
    redis_port = free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    queue = f"icm-test-{run_id}-faults"
    env = {**os.environ, "ICM_ENV": "test", "DATABASE_URL": database_url,
           "REDIS_URL": redis_url, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(sink.port),
           "ICM_CELERY_QUEUE": queue, "OUTBOX_SWEEP_SECONDS": "2"}
    procs = Processes(env, redis_port, tmp_path)
    producer = make_app(REDIS_URL=redis_url, CELERY={
        "broker_url": redis_url, "result_backend": redis_url, "task_always_eager": False,
        "task_default_queue": queue})
    faults = []
    try:
        procs.start_redis()
        procs.start_worker()
        procs.start_beat()
        start = time.perf_counter()
        with producer.app_context():
            for first in range(0, MESSAGES, 500):
                for n in range(first, min(first + 500, MESSAGES)):
                    queue_mail(to=f"p{n}@example.org", template="verify_email",
                               key=f"fault:{n}", context={"name": "P", "url": "http://x/"})
                db.session.commit()
        plan = [(0.2, "kill worker"), (0.45, "restart redis"), (0.7, "kill worker")]
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            done = sink.received()
            if plan and done >= plan[0][0] * MESSAGES:
                _, fault = plan.pop(0)
                faults.append((fault, done))
                if fault == "kill worker":
                    procs.kill_worker()
                    procs.start_worker()
                else:
                    procs.restart_redis()
            if not plan:
                with producer.app_context():
                    pending = db.session.scalar(select(func.count(OutboxMessage.id)).where(
                        OutboxMessage.status != OutboxStatus.SENT))
                if pending == 0 and len(sink.counts) >= MESSAGES:
                    break
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        time.sleep(3)  # room for late duplicates
    finally:
        procs.stop()
        sink.controller.stop()
    expected = {f"fault:{n}" for n in range(MESSAGES)}
    lost = len(expected - set(sink.counts))
    duplicates = sum(c - 1 for c in sink.counts.values() if c > 1)
    figures = {"messages": MESSAGES, "delivered": len(expected & set(sink.counts)),
               "lost": lost, "duplicates": duplicates, "seconds": round(seconds, 1),
               "mails_per_second": round(MESSAGES / seconds, 1), "faults": faults}
    print("MAIL_FAULTS", json.dumps(figures))
    assert len(faults) == 3, f"not every fault was injected: {faults}"
    assert lost == 0
    # A duplicate needs a kill in the instant between the SMTP server's 250 and our COMMIT
    # reaching PostgreSQL: at most one per pool process per kill.
    assert duplicates <= 4
