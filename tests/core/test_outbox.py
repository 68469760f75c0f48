"""The outbox delivers every promised mail exactly once, whatever happens to the queue."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from icm_recruit.core import outbox
from icm_recruit.core.outbox import OutboxMessage, OutboxStatus, queue_mail
from icm_recruit.extensions import db

pytestmark = pytest.mark.services
ROOT = Path(__file__).resolve().parents[2]


def _queue(to="someone@example.org", key="test:1"):
    message_id = queue_mail(to=to, template="verify_email", key=key, locale="en",
                            context={"name": "Someone", "url": "http://localhost/verify/x"})
    db.session.commit()
    return message_id


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_same_idempotency_key_queues_one_row(ctx, mail):
    first = _queue(key="event:42")
    second = _queue(key="event:42")
    assert first is not None and second is None
    assert db.session.scalar(select(db.func.count(OutboxMessage.id))) == 1
    assert len(mail.to("someone@example.org")) == 1


def test_rollback_sends_nothing(ctx, mail):
    queue_mail(to="rolled@example.org", template="verify_email", key="rb:1",
               context={"name": "R", "url": "http://localhost/x"})
    db.session.rollback()
    assert mail.to("rolled@example.org") == []
    assert db.session.scalar(select(OutboxMessage)) is None


def test_smtp_down_keeps_message_pending_with_backoff(ctx, app, mail):
    app.config["MAIL_PORT"], port = 1, app.config["MAIL_PORT"]
    try:
        message_id = _queue(key="down:1")
    finally:
        app.config["MAIL_PORT"] = port
    message = db.session.get(OutboxMessage, message_id)
    db.session.refresh(message)
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1 and "ConnectionRefused" in message.last_error
    assert message.next_attempt_at > message.created_at
    message.next_attempt_at = message.created_at
    db.session.commit()
    assert outbox.deliver_due() == {"sent": 1}
    assert len(mail.to("someone@example.org")) == 1


def test_concurrent_deliveries_send_once(app, committed_db, mail):
    """Two deliveries of the same row at the same moment: the row lock lets one send."""
    with app.app_context():
        message_id = queue_mail(to="someone@example.org", template="verify_email", key="race:1",
                                context={"name": "S", "url": "http://localhost/x"})
        db.session.info.pop("outbox_new")  # keep it pending: no delivery queued at commit
        db.session.commit()
    mail.hold_next_rcpt.set()
    outcomes = []

    def run():
        with app.app_context():
            outcomes.append(outbox.deliver(message_id))

    first = threading.Thread(target=run)
    first.start()
    assert mail.holding.wait(10), "first delivery never reached the SMTP server"
    run()  # the second delivery finds the row locked and skips it
    mail.release.set()
    first.join(20)
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(mail.to("someone@example.org")) == 1


def test_broker_down_at_commit_loses_nothing(make_app, committed_db, mail):
    broken = make_app(CELERY={"broker_url": "redis://127.0.0.1:1/0", "task_always_eager": False})
    with broken.app_context():
        message_id = _queue(key="nobroker:1")  # commit succeeds although queueing fails
        assert db.session.get(OutboxMessage, message_id).status == OutboxStatus.PENDING
        result = broken.test_cli_runner().invoke(args=["outbox", "deliver"])
        assert "sent: 1" in result.output
    assert len(mail.to("someone@example.org")) == 1


@pytest.mark.worker
def test_real_worker_delivers_once_even_when_task_runs_twice(make_app, committed_db, mail,
                                                             run_id):
    from celery.contrib.testing.worker import start_worker

    from icm_recruit.core.tasks import deliver_outbox_message, sweep_outbox

    queue = f"icm-test-{run_id}-thread"
    live = make_app(CELERY={"task_always_eager": False, "task_default_queue": queue})
    celery = live.extensions["celery"]
    with start_worker(celery, pool="solo", perform_ping_check=False, queues=[queue],
                      shutdown_timeout=10):
        with live.app_context():
            message_id = _queue(key="twice:1")
            assert _wait_for(lambda: len(mail.to("someone@example.org")) == 1)
            deliver_outbox_message.delay(message_id)
            deliver_outbox_message.delay(message_id)
            sweep_outbox.delay()
            time.sleep(1.5)
            db.session.expire_all()
            message = db.session.get(OutboxMessage, message_id)
            assert message.status == OutboxStatus.SENT and message.attempts == 1
    assert len(mail.to("someone@example.org")) == 1


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.worker
def test_worker_killed_before_marking_sent_redelivers_once(make_app, committed_db, mail,
                                                           database_url, run_id):
    """SIGKILL the worker process in the middle of delivery: the task comes back (acks_late,
    reject_on_worker_lost), the row lock is released with the dead connection, and the
    recipient gets the mail exactly once."""
    queue = f"icm-test-{run_id}-prefork"
    env = {**os.environ, "ICM_ENV": "test", "DATABASE_URL": database_url,
           "REDIS_URL": "redis://127.0.0.1:6379/0", "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(mail.port), "ICM_CELERY_QUEUE": queue}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "icm_recruit.worker", "worker", "--pool=prefork",
         "--concurrency=1", "-Q", queue, "--without-gossip", "--without-mingle",
         "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        producer = make_app(CELERY={"task_always_eager": False, "task_default_queue": queue})
        mail.hold_next_rcpt.set()
        with producer.app_context():
            message_id = _queue(key="killed:1")
        assert mail.holding.wait(60), "the worker never started delivering"
        children = _children(worker.pid)
        assert children, "no pool process found"
        for child in children:
            os.kill(child, signal.SIGKILL)
        mail.release.set()
        assert _wait_for(lambda: len(mail.to("someone@example.org")) >= 1, timeout=60)
        time.sleep(2)  # room for a duplicate to show up, if there were one
        with producer.app_context():
            message = db.session.get(OutboxMessage, message_id)
            assert message.status == OutboxStatus.SENT
        assert len(mail.to("someone@example.org")) == 1
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()


def _lines(text):
    return text.replace("\r\n", "\n")  # SMTP carries CRLF line ends


def _stored(**values):
    message = OutboxMessage(template="verify_email", locale="fr", context={}, **values)
    db.session.add(message)
    db.session.commit()
    return message


def test_french_mail_with_attachment_arrives_whole(ctx, mail):
    """Accents in the subject, a body line longer than SMTP allows, a non-ASCII file name."""
    long_line = "Réseaux neuronaux et mémoire épisodique " * 40
    message = _stored(
        recipient="marie@example.org", idempotency_key="fr:1",
        subject="Entretien programmé – équipe « Mémoire »",
        body_text=f"Bonjour Marie-Hélène,\n\n{long_line}\n",
        body_html=f"<p>Bonjour Marie-Hélène,</p><p>{long_line}</p>",
        attachments=[{"filename": "entretien-été.ics", "mimetype": "text/calendar",
                      "content": "BEGIN:VCALENDAR\r\nSUMMARY:Entretien – été\r\n"
                                 "END:VCALENDAR\r\n"}])
    assert outbox.deliver(message.id) == "sent"
    [received] = mail.to("marie@example.org")
    assert received["Subject"] == "Entretien programmé – équipe « Mémoire »"
    assert _lines(received.get_body(("plain",)).get_content()) == message.body_text
    assert long_line in received.get_body(("html",)).get_content()
    assert max(len(line) for line in received.as_bytes().split(b"\n")) <= 998
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "entretien-été.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert "Entretien – été" in attachment.get_payload(decode=True).decode()


def test_address_outside_ascii_is_delivered_whole(ctx, mail):
    """An internationalised address goes out with SMTPUTF8, its subject readable."""
    message = _stored(recipient="josé@exemple.fr", idempotency_key="utf8:1",
                      subject="Votre dossier a été reçu", body_text="Bonjour José,\n",
                      body_html=None, attachments=[])
    assert outbox.deliver(message.id) == "sent"
    [received] = mail.to("josé@exemple.fr")
    assert received["Subject"] == "Votre dossier a été reçu"
    assert _lines(received.get_content()) == "Bonjour José,\n"


def test_a_boundary_found_in_a_part_is_not_used(monkeypatch):
    """A multipart's boundary never appears in the texts it separates: one that does is
    drawn again, and the mail reads back with its two parts whole."""
    from email import message_from_bytes

    drawn = iter(["0123456789abcdef01234567", "fedcba9876543210fedcba98"])
    monkeypatch.setattr(outbox.secrets, "token_hex", lambda _n: next(drawn))
    text = "Quoting an earlier mail:\n--=_0123456789abcdef01234567\nend\n"
    mail = outbox._mime_email({"Subject": "Re", "To": "a@example.org"}, text,
                              "<p>Hello</p>", [])
    assert mail.get_boundary() == "=_fedcba9876543210fedcba98"
    plain, html = message_from_bytes(mail.as_bytes()).get_payload()
    assert plain.get_payload() == text and html.get_payload() == "<p>Hello</p>"
