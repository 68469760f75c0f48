"""The e-mail texts HR wrote in place of the defaults: one table for every kind of mail.

A row holds a subject and a body in the placeholder syntax (core/placeholders.py) for one
kind of mail and one language; for the kinds written per call (shortlist outcomes,
decision letters) it also names the call and the variant (the outcome). No row: the
default text. Saving and going back to the default are audited; the text that was
replaced stays in the audit trail.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from icm_recruit.core import audit
from icm_recruit.core.timeutil import UTCDateTime, utcnow
from icm_recruit.extensions import db


class MailText(db.Model):
    __tablename__ = "mail_text"
    __table_args__ = (
        UniqueConstraint("kind", "variant", "call_id", "locale"),
        # Rows for every call (no call) are unique too: NULLs never collide in the above.
        Index("uq_mail_text_institute", "kind", "variant", "locale", unique=True,
              postgresql_where=text("call_id IS NULL"), sqlite_where=text("call_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(80))
    variant: Mapped[str] = mapped_column(String(20), default="")
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


def _where(kind: str, locale: str, call_id: int | None, variant: str):
    return (MailText.kind == kind, MailText.locale == locale, MailText.variant == variant,
            MailText.call_id.is_(None) if call_id is None else MailText.call_id == call_id)


def find(kind: str, locale: str, *, call_id: int | None = None,
         variant: str = "") -> MailText | None:
    """HR's text for that kind, language (and call and variant), or None."""
    return db.session.scalar(select(MailText).where(*_where(kind, locale, call_id, variant)))


_KNOWN = "mail_texts_known"  # session.info key: {(kind, locale): (subject, body) or None}


def institute_text(kind: str, locale: str) -> tuple[str, str] | None:
    """HR's (subject, body) for a kind written for every call, read once per transaction.

    A commit that queues many mails of one kind (reminders, outcomes) asks the table once;
    `store` and `drop` forget what they change, and every commit or rollback forgets all.
    """
    known = db.session.info.setdefault(_KNOWN, {})
    if (kind, locale) not in known:
        row = find(kind, locale)
        known[kind, locale] = (row.subject, row.body) if row is not None else None
    return known[kind, locale]


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")  # a savepoint rolled back, too
def _forget(session: Session, *_transaction) -> None:
    session.info.pop(_KNOWN, None)


def _take_turns(kind: str, locale: str, call_id: int | None, variant: str) -> None:
    # Two saves at once: the second waits, then updates the row the first one wrote.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                           {"k": f"mail_text:{kind}:{variant}:{call_id}:{locale}"})


def _about(kind: str, call) -> dict:
    """What the audit event is about: the call, or the kind of mail for every call."""
    if call is not None:
        return {"obj": call}
    return {"object_type": "mail_kind", "object_id": kind}


def store(kind: str, locale: str, *, subject: str, body: str, by, call=None,
          variant: str = "", action: str = "mail_text", **audit_data) -> MailText:
    """Write HR's text (already checked by the caller) and audit it."""
    call_id = getattr(call, "id", None)
    db.session.info.pop(_KNOWN, None)
    _take_turns(kind, locale, call_id, variant)
    row = find(kind, locale, call_id=call_id, variant=variant)
    if row is None:
        row = MailText(kind=kind, locale=locale, call_id=call_id, variant=variant)
        db.session.add(row)
    before = (row.subject, row.body) if row.id else None
    row.subject, row.body = subject.strip(), body.strip()
    row.updated_by_id, row.updated_at = by.id, utcnow()
    db.session.flush()
    previous = {"previous_subject": before[0], "previous_body": before[1]} if before else {}
    audit.record(f"{action}.saved", actor=by, **_about(kind, call), locale=locale,
                 **audit_data, **previous)
    return row


def drop(kind: str, locale: str, *, by, call=None, variant: str = "",
         action: str = "mail_text", **audit_data) -> bool:
    """Go back to the default text; False when HR had not changed it."""
    call_id = getattr(call, "id", None)
    db.session.info.pop(_KNOWN, None)
    row = db.session.scalar(select(MailText).where(*_where(kind, locale, call_id, variant))
                            .with_for_update())
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    audit.record(f"{action}.reset", actor=by, **_about(kind, call), locale=locale,
                 **audit_data, subject=row.subject, body=row.body)
    return True
