"""Append-only, hash-chained audit trail."""

import hashlib
import json
from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import BigInteger, ForeignKey, Integer, String, func, select, text
from sqlalchemy.orm import Mapped, mapped_column

from icm_recruit.core.timeutil import UTCDateTime, utcnow
from icm_recruit.extensions import db

GENESIS_HASH = "0" * 64
_AUDIT_LOCK_KEY = 7_231_001  # PostgreSQL advisory lock serialising chain appends


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(db.JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def compute_hash(self) -> str:
        payload = json.dumps(
            {
                "actor_id": self.actor_id,
                "action": self.action,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "data": self.data,
                "ip": self.ip,
                "at": self.at.isoformat(),
                "prev_hash": self.prev_hash,
            },
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


def record(action: str, *, actor=None, obj=None, object_type=None, object_id=None, **data):
    """Append an audit event in the current transaction and return it."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        # Take the chain's lock and read its last link in one round trip.
        last = session.execute(
            text("SELECT pg_advisory_xact_lock(:k), (SELECT hash FROM audit_event "
                 "ORDER BY id DESC LIMIT 1)"), {"k": _AUDIT_LOCK_KEY}).one()[1]
    else:
        last = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    actor = getattr(actor, "_get_current_object", lambda: actor)()
    obj = getattr(obj, "_get_current_object", lambda: obj)()
    if obj is not None:
        object_type = object_type or type(obj).__tablename__
        object_id = object_id or str(obj.id)
    event = AuditEvent(
        actor_id=getattr(actor, "id", actor),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        data=json.loads(json.dumps(data, default=str)),
        ip=request.remote_addr if has_request_context() else None,
        at=utcnow(),
        prev_hash=last or GENESIS_HASH,
    )
    event.hash = event.compute_hash()
    session.add(event)
    session.flush()
    return event


def last_event_id() -> int:
    """The id of the trail's last event (0 before the first)."""
    return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def backdate(event: AuditEvent, at: datetime) -> AuditEvent:
    """Date the chain's last event when it would have happened: for demo data only, whose
    seeded history (an application submitted weeks ago) is written today. Only the last
    event may be dated again, so the chain stays whole (its hash is computed anew before
    any event links to it)."""
    last = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    if last != event.id:
        raise ValueError("only the last event of the chain can be dated again")
    event.at = at
    event.hash = event.compute_hash()
    db.session.flush()
    return event


def verify_chain() -> tuple[bool, int, AuditEvent | None, str]:
    """Walk the chain in order; return (ok, events checked, first bad event, reason)."""
    expected_prev = GENESIS_HASH
    count = 0
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    for event in db.session.scalars(stmt):
        count += 1
        if event.prev_hash != expected_prev:
            return False, count, event, "previous hash does not match (a row was removed or moved)"
        if event.compute_hash() != event.hash:
            return False, count, event, "content does not match its hash (the row was altered)"
        expected_prev = event.hash
    return True, count, None, ""
