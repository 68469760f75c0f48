"""Transactional mail outbox: rows written with the change, delivered after commit."""

import logging
import re
import secrets
import smtplib
import threading
import time
from datetime import datetime, timedelta
from email import encoders
from email.charset import QP, Charset
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import make_msgid
from functools import lru_cache

from flask import current_app
from sqlalchemy import ForeignKey, String, Text, event, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from icm_recruit.core import mailtext
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.mailrender import render_mail
from icm_recruit.core.states import StateEnum
from icm_recruit.core.timeutil import UTCDateTime, utcnow
from icm_recruit.extensions import db, str_enum

log = logging.getLogger(__name__)
__all__ = ["OutboxMessage", "OutboxStatus", "queue_mail", "render_mail"]
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
    # The one-time links of the mail, {"kind": ..., "links": {name: url}}: read only to hand
    # the mail to SMTP, emptied in the same UPDATE that marks it sent.
    delivery_links: Mapped[dict | None] = mapped_column(db.JSON(none_as_null=True))
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
    body_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def message_id(self) -> str:
        # Stable per row: a receiving system can drop a copy sent twice.
        return f"<outbox-{self.id}-{self.idempotency_key[:40]}@icm-recruit>".replace(" ", "")

    @property
    def links(self) -> dict[str, str]:
        return dict((self.delivery_links or {}).get("links") or {})

    @property
    def link_kind(self) -> str | None:
        return (self.delivery_links or {}).get("kind")

    @property
    def has_one_time_links(self) -> bool:
        return mailtext.has_link_marks(self.body_text) or mailtext.has_link_marks(self.body_html)

    def links_visible_to(self, user, *, shown_kinds=()) -> bool:
        """Whether `user` may read this mail's one-time links in the mailbox.

        Only where the mailbox is the delivery (no SMTP): the addressee, and for the link
        kinds the setting lists (kinds that open no account), the mailbox's reader.
        """
        if current_app.config["MAIL_TRANSPORT"] != "mailbox" or not self.links:
            return False
        if user.id == self.user_id or user.email == self.recipient:
            return True
        return self.link_kind in shown_kinds


def queue_mail(*, to: str, template: str, key: str, locale: str = "en", context=None,
               user=None, attachments=None, secret_links=None,
               link_kind: str | None = None) -> int | None:
    """Write one outbox row in the current transaction; a second call with the same key is a
    no-op. Returns the new row id, or None when the key was already used.

    `secret_links` ({context name: url}) are one-time links: the stored row holds a mark
    in their place and keeps them apart, for the SMTP hand-off only.
    """
    context = dict(context or {})
    secret_links = dict(secret_links or {})
    context.update({name: mailtext.link_mark(name) for name in secret_links})
    subject, text, html = render_mail(template, locale, context,
                                      zone=getattr(user, "timezone", None))
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
        "delivery_links": ({"kind": link_kind or template, "links": secret_links}
                           if secret_links else None),
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "created_at": utcnow(),
        "next_attempt_at": utcnow(),
    }
    statement = _insert_statement(db.session.get_bind().dialect.name)
    message_id = db.session.execute(statement, values).scalar()
    if message_id is not None:
        db.session.info.setdefault("outbox_new", []).append(message_id)
    return message_id


@lru_cache(maxsize=2)
def _insert_statement(dialect: str):
    """One statement for every queued mail, its values bound per call (compiled once)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (insert(OutboxMessage.__table__)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(OutboxMessage.__table__.c.id))


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


class UndeliverableMessageError(ValueError):
    """A stored message that no retry can send (a recipient that is not one address)."""


_ADDRESS_RE = re.compile(r"[^@\s<>,;:\"()\[\]]+@[^@\s<>,;:\"()\[\]]+")


def _envelope_recipient(message: OutboxMessage) -> str:
    recipient = message.recipient or ""
    if mailtext.one_line(recipient) != recipient or not _ADDRESS_RE.fullmatch(recipient):
        raise UndeliverableMessageError(f"recipient is not one e-mail address: {recipient!r}")
    return recipient


def _build_email(message: OutboxMessage) -> Message:
    """The message as handed to SMTP: one-line headers, the one-time links in place.

    Built with the classic MIME classes, which cost a quarter of the modern
    `EmailMessage` API per mail; an address outside ASCII needs the latter (SMTPUTF8).
    """
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    recipient = _envelope_recipient(message)
    links = message.links
    headers = {
        "Subject": mailtext.one_line(mailtext.fill_links(message.subject, links)),
        "From": mailtext.one_line(sender),
        "To": recipient,
        "Message-ID": mailtext.one_line(message.message_id) or make_msgid(),
        "X-ICM-Outbox-Key": mailtext.one_line(message.idempotency_key),
    }
    text = mailtext.fill_links(message.body_text, links)
    html = (mailtext.fill_links(message.body_html, links, html=True)
            if message.body_html else None)
    attachments = [_attachment(item) for item in message.attachments or []]
    build = _mime_email if sender.isascii() and recipient.isascii() else _modern_email
    return build(headers, text, html, attachments)


def _attachment(item: dict) -> tuple[str, str, bytes, str]:
    """A stored attachment as (main type, subtype, content, one-line file name)."""
    maintype, _, subtype = item.get("mimetype", "application/octet-stream").partition("/")
    return maintype, subtype, item["content"].encode(), mailtext.one_line(item["filename"])


def _mime_email(headers: dict, text: str, html: str | None, attachments: list) -> Message:
    body: Message = _text_part(text, "plain")
    if html:
        body = _multipart("alternative", [body, _text_part(html, "html")])
    if attachments:
        parts = [body]
        for maintype, subtype, content, filename in attachments:
            part = MIMEBase(maintype, subtype, policy=_POLICY)
            part.set_payload(content)
            encoders.encode_base64(part)
            part.add_header("Content-Disposition", "attachment",
                            filename=filename if filename.isascii() else ("utf-8", "", filename))
            parts.append(part)
        body = _multipart("mixed", parts)
    for name, value in headers.items():
        body[name] = value if value.isascii() else Header(value, "utf-8")
    return body


def _multipart(subtype: str, parts: list[Message]) -> MIMEMultipart:
    """The parts in one multipart, with a boundary found in none of their encoded texts
    (the library's own search compiles a regular expression for each new boundary, a
    tenth of the cost of a mail)."""
    texts = [leaf.get_payload() for part in parts for leaf in part.walk()
             if not leaf.is_multipart()]
    boundary = f"=_{secrets.token_hex(12)}"
    while any(boundary in text for text in texts):  # about never
        boundary = f"=_{secrets.token_hex(12)}"
    multipart = MIMEMultipart(subtype, boundary=boundary, policy=_POLICY)
    for part in parts:
        multipart.attach(part)
    return multipart


def _modern_email(headers: dict, text: str, html: str | None,
                  attachments: list) -> EmailMessage:
    """The same message for an address outside ASCII, sent with SMTPUTF8."""
    mail = EmailMessage()
    for name, value in headers.items():
        mail[name] = value
    mail.set_content(text)
    if html:
        mail.add_alternative(html, subtype="html")
    for maintype, subtype, content, filename in attachments:
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return mail


class _Policy(Compat32):
    """The classic policy, writing a short one-line ASCII header as it is: the general
    folding (a `Header` object per header) was a fifth of the time spent sending a mail."""

    def _fold(self, name, value, sanitize):
        if (isinstance(value, str) and value.isascii() and len(name) + len(value) < 76
                and "\n" not in value and "\r" not in value):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


_POLICY = _Policy()
_UTF8_QUOTED = Charset("utf-8")
_UTF8_QUOTED.body_encoding = QP


def _text_part(text: str, subtype: str) -> MIMEText:
    """A text part: 7bit when it is short-lined ASCII, quoted-printable UTF-8 otherwise."""
    plain = text.isascii() and all(len(line) <= 998 for line in text.splitlines())
    return MIMEText(text, subtype, "us-ascii" if plain else _UTF8_QUOTED, policy=_POLICY)


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


def _smtp_send(mail: Message) -> None:
    # No automatic resend here: a failure mid-DATA could mean the server has the message;
    # the outbox retry decides, after backoff.
    conn = _connections.get()
    try:
        # The envelope goes to the To address only, never to one read from other headers.
        conn.send_message(mail, to_addrs=[str(mail["To"])])
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
    smtp = current_app.config["MAIL_TRANSPORT"] == "smtp"
    message = _claim(session, message_id, smtp)  # the UPDATE waits, uncommitted, locked
    if message is None:
        session.rollback()
        return "skipped"
    try:
        email = _build_email(message)
    except ValueError as exc:  # UndeliverableMessageError, or a header the library refuses
        return _record_failure(message, exc, final=True)
    try:
        if smtp:
            _smtp_send(email)
    except (OSError, smtplib.SMTPException) as exc:
        return _record_failure(message, exc)
    session.commit()
    return "sent"


_COLUMNS = ("id", "recipient", "user_id", "template", "locale", "idempotency_key", "subject",
            "body_text", "body_html", "attachments", "delivery_links", "created_at")
# One statement locks the row and marks it sent, and returns it as it was: its one-time
# links go with the mark (with SMTP; the mailbox is the delivery otherwise) and are handed
# to SMTP from what the statement returns.
_CLAIM_POSTGRESQL = """
    WITH picked AS (
        SELECT {columns}, attempts{async_commit} FROM outbox_message
        WHERE id = :id AND status = :pending FOR UPDATE SKIP LOCKED)
    UPDATE outbox_message AS m
    SET status = :sent, sent_at = :now, attempts = picked.attempts + 1, last_error = NULL,
        delivery_links = CASE WHEN :smtp THEN NULL ELSE picked.delivery_links END
    FROM picked WHERE m.id = picked.id
    RETURNING {returned}, m.attempts
"""
# The row was committed synchronously when it was queued, so nothing can be lost; only
# the "sent" mark may be lost if PostgreSQL itself crashes within a fraction of a second,
# and that costs one repeated mail, not a missing one.
_ASYNC_COMMIT = ", set_config('synchronous_commit', 'off', true)"


@lru_cache(maxsize=2)
def _claim_statement(async_commit: bool):
    table = OutboxMessage.__table__
    sql = _CLAIM_POSTGRESQL.format(
        columns=", ".join(_COLUMNS), returned=", ".join(f"picked.{c}" for c in _COLUMNS),
        async_commit=_ASYNC_COMMIT if async_commit else "")
    return text(sql).columns(*(table.c[c] for c in _COLUMNS), table.c.attempts)


def _claim(session, message_id: int, smtp: bool) -> OutboxMessage | None:
    """Lock a pending message and mark it sent; return it, unattached, as it was."""
    table = OutboxMessage.__table__
    values = {"pending": OutboxStatus.PENDING.value, "sent": OutboxStatus.SENT.value,
              "now": utcnow(), "smtp": smtp, "id": message_id}
    if _is_postgresql(session):
        statement = _claim_statement(bool(current_app.config["OUTBOX_ASYNC_COMMIT"]))
        row = session.execute(statement, values).mappings().first()
    else:  # SQLite: one writer at a time, so reading then writing is safe
        row = session.execute(select(*(table.c[c] for c in _COLUMNS), table.c.attempts)
                              .where(table.c.id == message_id,
                                     table.c.status == values["pending"])).mappings().first()
        if row is not None:
            row = {**row, "attempts": row["attempts"] + 1}
            session.execute(table.update().where(table.c.id == message_id).values(
                status=values["sent"], sent_at=values["now"], attempts=row["attempts"],
                last_error=None, delivery_links=None if smtp else row["delivery_links"]))
    return None if row is None else OutboxMessage(**row)


def _record_failure(message: OutboxMessage, exc: Exception, *, final: bool = False) -> str:
    """Put a message back as pending (with backoff) or failed, in the claim's transaction."""
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    error = f"{type(exc).__name__}: {exc}"[:2000]
    values = {"status": OutboxStatus.PENDING.value, "sent_at": None, "last_error": error,
              # Kept for the next try; never sent, they die with the message.
              "delivery_links": message.delivery_links}
    if final or message.attempts >= max_attempts:
        values.update(status=OutboxStatus.FAILED.value, delivery_links=None,
                      attempts=max(message.attempts, max_attempts))
        outcome = "failed"
    else:
        values["next_attempt_at"] = utcnow() + backoff(message.attempts)
        outcome = "retry"
    table = OutboxMessage.__table__
    db.session.execute(table.update().where(table.c.id == message.id).values(**values))
    db.session.commit()
    log.warning("outbox message %s not delivered: %s", message.id, error)
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
