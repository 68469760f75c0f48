"""Deadline moves of a call: close early, reopen, extend, and every other step of its life.

HR sees what a move will do (`audience`) before doing it; each move audits itself and lets
the applications feature tell the applicants concerned, in the same transaction. The caller
commits.

Reopening is allowed while no application of the call was screened (found eligible or not,
or sent to reviewers: publishing assignments screens them): until then nobody has judged
the applications, so new ones join on equal terms. Personal deadlines outlive the closing
of the call (by HR or by the beat task) and hold the review back until they end.
"""

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import select

from icm_recruit.calls import operations as ops
from icm_recruit.calls.models import Call, CallStatus, database_now
from icm_recruit.calls.signals import call_audience, call_deadline_changed
from icm_recruit.core import audit
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.i18n import ngettext
from icm_recruit.core.timeutil import to_zone
from icm_recruit.extensions import db

REASON_MAX = 2000


class LifecycleError(DomainError):
    """A move HR asked for that is not possible now; `code` says why."""

    messages = {
        "not_open": _l("Only an open call can be closed early or given a later deadline."),
        "not_closed": _l("Only a closed call can be reopened."),
        "review_started": _l("The review of this call has begun (%(screened)d applications "
                             "were screened or sent to reviewers): it can no longer be "
                             "reopened."),
        "reason_needed": _l("Give the reason; it is kept in the audit trail."),
        "deadline_in_past": _l("The new deadline must be in the future."),
        "deadline_not_later": _l("The new deadline must be later than the current one "
                                 "(%(current)s)."),
        "extensions_running": lambda count, until, **_: ngettext(
            "%(num)d personal deadline is still running (it ends on %(until)s): the review "
            "can start after it.",
            "%(num)d personal deadlines are still running (the last one ends on %(until)s): "
            "the review can start after them.", count, until=until),
        "use_close": _l("Close the call from its closing page, with a reason."),
    }
    fallback = ops.CallError.messages["bad_transition"]


@dataclass
class Audience:
    """What a move touches: the call's applications, as counted by the applications feature."""

    drafts: int = 0  # unsubmitted drafts: their applicants are told of a deadline move
    submitted: int = 0
    screened: int = 0  # found (in)eligible or sent to reviewers: the review has begun
    extensions: int = 0  # drafts whose personal deadline is still running
    extended_until: datetime | None = None  # the last of those personal deadlines

    @property
    def review_started(self) -> bool:
        return self.screened > 0


def audience(call: Call, now: datetime | None = None) -> Audience:
    """Ask the listeners who the call's deadline concerns now."""
    now = now or database_now()
    result = Audience()
    for _receiver, counts in call_audience.send(call, now=now):
        for field in fields(Audience):
            value = (counts or {}).get(field.name)
            if value is None:
                continue
            if field.name == "extended_until":
                current = result.extended_until
                result.extended_until = value if current is None else max(current, value)
            else:
                setattr(result, field.name, getattr(result, field.name) + value)
    return result


def shown_to(user, value: datetime) -> str:
    """Write a date as the user reads it: in their time zone."""
    return to_zone(value, getattr(user, "timezone", None)).strftime("%d/%m/%Y %H:%M %Z")


def _lock(call: Call) -> Call:
    """Reload the call under a lock: two HR tabs, or HR and the beat, do not cross."""
    return db.session.scalars(select(Call).where(Call.id == call.id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise LifecycleError("reason_needed")
    return reason[:REASON_MAX]


def _announce(call: Call, action: str, event, *, previous: datetime, reason: str, by) -> None:
    call_deadline_changed.send(call, action=action, event_id=event.id, previous=previous,
                               reason=reason, by=by)


def close_early(call: Call, *, reason: str, by) -> Audience:
    """Close an open call now, before its deadline; tell the applicants with a draft."""
    call = _lock(call)
    reason = _reason(reason)
    if call.status != CallStatus.OPEN:
        raise LifecycleError("not_open")
    now = database_now()
    told = audience(call, now)
    call.status = CallStatus.CLOSED
    db.session.flush()
    event = audit.record("call.closed_early", actor=by, obj=call, reason=reason,
                         at_db=now.isoformat(), deadline=call.closes_at.isoformat(),
                         drafts=told.drafts, extensions_kept=told.extensions)
    _announce(call, "closed_early", event, previous=call.closes_at, reason=reason, by=by)
    return told


def _check_new_deadline(closes_at: datetime, now: datetime) -> None:
    if closes_at.tzinfo is None:
        raise ValueError("naive datetime given; use timezone-aware UTC datetimes")
    if closes_at <= now:
        raise LifecycleError("deadline_in_past")


def reopen(call: Call, *, closes_at: datetime, reason: str, by) -> Audience:
    """Reopen a closed call until a new, future deadline, as long as its review has not
    begun; tell the applicants with a draft."""
    call = _lock(call)
    reason = _reason(reason)
    if call.status != CallStatus.CLOSED:
        raise LifecycleError("not_closed")
    now = database_now()
    _check_new_deadline(closes_at, now)
    told = audience(call, now)
    if told.review_started:
        raise LifecycleError("review_started", screened=told.screened)
    previous = call.closes_at
    call.status, call.closes_at = CallStatus.OPEN, closes_at
    db.session.flush()
    event = audit.record("call.reopened", actor=by, obj=call, reason=reason,
                         at_db=now.isoformat(), previous=previous.isoformat(),
                         closes_at=closes_at.isoformat(), drafts=told.drafts)
    _announce(call, "reopened", event, previous=previous, reason=reason, by=by)
    return told


def extend(call: Call, *, closes_at: datetime, reason: str, by) -> Audience:
    """Give an open call a later deadline; tell the applicants with a draft the new date."""
    call = _lock(call)
    reason = _reason(reason)
    if call.status != CallStatus.OPEN:
        raise LifecycleError("not_open")
    now = database_now()
    _check_new_deadline(closes_at, now)
    previous = call.closes_at
    if closes_at <= previous:
        raise LifecycleError("deadline_not_later",
                             current=shown_to(by, previous))
    told = audience(call, now)
    call.closes_at = closes_at
    db.session.flush()
    event = audit.record("call.deadline_extended", actor=by, obj=call, reason=reason,
                         previous=previous.isoformat(), closes_at=closes_at.isoformat(),
                         drafts=told.drafts)
    _announce(call, "extended", event, previous=previous, reason=reason, by=by)
    return told


def advance(call: Call, to: CallStatus, *, by) -> Call:
    """Take the call's next step (open, start the review, ...), never a closing without a
    reason, nor the review while a personal deadline still runs."""
    call = _lock(call)
    if to == CallStatus.CLOSED:
        raise LifecycleError("use_close")
    if to == CallStatus.IN_REVIEW and call.status == CallStatus.CLOSED:
        told = audience(call)
        if told.extensions:
            raise LifecycleError("extensions_running", count=told.extensions,
                                 until=shown_to(by, told.extended_until))
    return ops.change_call_status(call, to, by=by)
