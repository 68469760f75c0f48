"""Transactional mail outbox: rows written with the change, delivered after commit."""

import logging
import smtplib
import threading
import time
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, event, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from icm_recruit.core.states import StateEnum
from icm_recruit.core.timeutil import UTCDateTime, utcnow
from icm_recruit.extensions import db, str_enum

log = logging.getLogger(__name__)
BATCH_SIZE = 50  # messages per delivery task when one commit queues many


class OutboxStatus(StateEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


OutboxStatus.define(labels={
    OutboxStatus.PENDING: _l("pending"),
    OutboxStatus.SENT: _l("sent"),
    OutboxStatus.FAILED: _l("failed"),
})


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    template: Mapped[str] = mapped_column(String(80))
    locale: Mapped[str] = mapped_column(String(2), default="en")
    context: Mapped[dict] = mapped_column(db.JSON, default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list] = mapped_column(db.JSON, default=list)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, 10),
        default=OutboxStatus.PENDING,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def message_id(self) -> str:
        # Stable per row: a receiving system can drop a copy sent twice.
        return f"<outbox-{self.id}-{self.idempotency_key[:40]}@icm-recruit>".replace(" ", "")


def render_mail(template: str, locale: str, context: dict) -> tuple[str, str, str]:
    """Render subject, text and HTML bodies of templates/mail/<template>.* in the locale."""
    with force_locale(locale):
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    subject, _, body = text.partition("\n")
    return subject.removeprefix("Subject:").strip(), body.strip() + "\n", html


def queue_mail(*, to: str, template: str, key: str, locale: str = "en", context=None,
               user=None, attachments=None) -> int | None:
    """Write one outbox row in the current transaction; a second call with the same key is a
    no-op. Returns the new row id, or None when the key was already used."""
    context = dict(context or {})
    subject, text, html = render_mail(template, locale, context)
    values = {
        "recipient": to,
        "user_id": getattr(user, "id", user),
        "template": template,
        "locale": locale,
        "context": context,
        "idempotency_key": key,
        "subject": subject,
        "body_text": text,
        "body_html": html,
        "attachments": attachments or [],
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "created_at": utcnow(),
        "next_attempt_at": utcnow(),
    }
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(OutboxMessage.__table__)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMessage.__table__.c.id)
    )
    message_id = db.session.execute(stmt).scalar()
    if message_id is not None:
        db.session.info.setdefault("outbox_new", []).append(message_id)
    return message_id


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    ids = session.info.pop("outbox_new", None)
    if not ids:
        return
    from icm_recruit.core.tasks import deliver_outbox_batch, deliver_outbox_message

    try:
        if len(ids) == 1:
            deliver_outbox_message.delay(ids[0])
        else:
            for start in range(0, len(ids), BATCH_SIZE):
                deliver_outbox_batch.delay(ids[start:start + BATCH_SIZE])
    except Exception:  # the beat sweep will deliver them; the commit stands
        log.warning("could not queue outbox messages %s; the sweep will send them", ids,
                    exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("outbox_new", None)


def _build_email(message: OutboxMessage) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    mail["To"] = message.recipient
    mail["Message-ID"] = message.message_id or make_msgid()
    mail["X-ICM-Outbox-Key"] = message.idempotency_key
    mail.set_content(message.body_text)
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html")
    for item in message.attachments or []:
        maintype, _, subtype = item.get("mimetype", "application/octet-stream").partition("/")
        mail.add_attachment(item["content"].encode(), maintype=maintype, subtype=subtype,
                            filename=item["filename"])
    return mail


class _SmtpConnections(threading.local):
    """One reusable SMTP connection per thread, checked with NOOP before reuse."""

    max_age = 60.0

    def __init__(self):
        self.conn: smtplib.SMTP | None = None
        self.key: tuple | None = None
        self.opened = self.used = 0.0

    def get(self) -> smtplib.SMTP:
        config = current_app.config
        key = (config["MAIL_SERVER"], config["MAIL_PORT"], config.get("MAIL_USERNAME"))
        if self.conn is not None:
            now = time.monotonic()
            fresh = self.key == key and now - self.opened < self.max_age
            # A connection used within the last seconds is trusted without a NOOP.
            if fresh and (now - self.used < 2.0 or self._alive()):
                self.used = now
                return self.conn
            self.close()
        conn = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
        if config.get("MAIL_USE_TLS"):
            conn.starttls()
        if config.get("MAIL_USERNAME"):
            conn.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        self.conn, self.key = conn, key
        self.opened = self.used = time.monotonic()
        return conn

    def _alive(self) -> bool:
        try:
            return self.conn.noop()[0] == 250
        except (OSError, smtplib.SMTPException):
            return False

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                self.conn.close()
        self.conn = None


_connections = _SmtpConnections()


def _smtp_send(mail: EmailMessage) -> None:
    # No automatic resend here: a failure mid-DATA could mean the server has the message;
    # the outbox retry decides, after backoff.
    conn = _connections.get()
    try:
        conn.send_message(mail)
    except (OSError, smtplib.SMTPException):
        _connections.close()
        raise


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def deliver(message_id: int) -> str:
    """Send one pending message, holding its row lock until it is marked sent.

    The row lock (FOR UPDATE SKIP LOCKED) stops a second task from sending the same
    row concurrently; a row already sent is skipped, so running this twice is safe. The
    "sent" mark is written before the SMTP conversation and committed right after the
    server accepts the message, so a crash can only repeat a mail in the moment between
    the server's "250" and our COMMIT reaching PostgreSQL; it can never lose one.
    Returns what happened: sent, skipped, retry or failed.
    """
    session = db.session
    message = session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
        .with_for_update(skip_locked=True)
    )
    if message is None:
        session.rollback()
        return "skipped"
    if current_app.config["OUTBOX_ASYNC_COMMIT"] and _is_postgresql(session):
        # The row was committed synchronously when it was queued, so nothing can be lost;
        # only the "sent" mark may be lost if PostgreSQL itself crashes within a fraction
        # of a second, and that costs one repeated mail, not a missing one.
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    email = _build_email(message)
    message.attempts += 1
    message.status = OutboxStatus.SENT
    message.sent_at = utcnow()
    session.flush()  # the UPDATE waits, uncommitted, under the row lock
    try:
        if current_app.config["MAIL_TRANSPORT"] == "smtp":
            _smtp_send(email)
    except (OSError, smtplib.SMTPException) as exc:
        return _record_failure(message, exc)
    message.last_error = None
    session.commit()
    return "sent"


def _record_failure(message: OutboxMessage, exc: Exception) -> str:
    message.status = OutboxStatus.PENDING
    message.sent_at = None
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        message.status = OutboxStatus.FAILED
        outcome = "failed"
    else:
        message.next_attempt_at = utcnow() + backoff(message.attempts)
        outcome = "retry"
    db.session.commit()
    log.warning("outbox message %s not delivered: %s", message.id, message.last_error)
    return outcome


def _is_postgresql(session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def due_message_ids(limit: int = 500) -> list[int]:
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == OutboxStatus.PENDING,
                   OutboxMessage.next_attempt_at <= utcnow())
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )


def deliver_due(limit: int = 500) -> dict[str, int]:
    """Deliver every pending message whose time has come; return counts per outcome."""
    counts: dict[str, int] = {}
    for message_id in due_message_ids(limit):
        outcome = deliver(message_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
