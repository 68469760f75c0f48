"""The parts of an interview visit: seminar, chalk talk, panel interview, lab visits.

Parts belong to an interview slot, so they go with whoever books it. Each change to the
parts of a booked slot sends the candidate and the panel an updated calendar entry, whose
description lists the programme.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from icm_recruit.applications import rules as application_rules
from icm_recruit.calls.models import database_now
from icm_recruit.core import audit, locks
from icm_recruit.core.forms import has_control_characters
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.extensions import db
from icm_recruit.selection import ics, interviews, rules
from icm_recruit.selection.models import InterviewSlot
from icm_recruit.selection.operations import SelectionError
from icm_recruit.selection.visit_models import VisitPart, VisitPartKind

# A visit is one day or so around its interview.
REACH = timedelta(hours=24)


class VisitPartError(SelectionError):
    messages = {
        **SelectionError.messages,
        "part_place_needed": _l("Give the place of this part of the visit."),
        "part_far": _l("A part of the visit takes place within 24 hours of the interview."),
        "part_one_line": _l("The place and the details must each fit on one line."),
        "part_gone": _l("This part of the visit was already removed."),
    }


def parts_of(slot_id: int) -> list[VisitPart]:
    return list(db.session.scalars(select(VisitPart).where(VisitPart.slot_id == slot_id)
                                   .order_by(VisitPart.starts_at, VisitPart.id)))


def _one_line(text: str) -> bool:
    return not has_control_characters(text) and "\n" not in text and "\r" not in text


def _check_part(slot: InterviewSlot, starts_at: datetime, duration: int, place: str,
                details: str) -> None:
    if slot.withdrawn_at is not None:
        raise VisitPartError("slot_withdrawn")
    if not place:
        raise VisitPartError("part_place_needed")
    if not (_one_line(place) and _one_line(details)):
        raise VisitPartError("part_one_line")
    if starts_at <= database_now():
        raise VisitPartError("slot_in_past")
    if not 0 < duration <= 480:
        raise VisitPartError("bad_duration")
    if abs(starts_at - slot.starts_at) > REACH:
        raise VisitPartError("part_far")


def _handled_slot(slot_id: int, by):
    """The slot under lock and its booked interview, if `by` may change them."""
    slot = locks.lock(InterviewSlot, slot_id)
    interview = interviews.booked_interview(slot)
    if interview is not None and application_rules.is_applicant(by, interview.application):
        raise VisitPartError("own_application")
    if not rules.may_set_programme(by, slot, interview):
        raise VisitPartError("forbidden")
    return slot, interview


def _send_update(interview, slot) -> None:
    if interview is None:
        return
    interview.sequence += 1
    db.session.flush()
    interviews.send_calendar(interview, slot, ics.Method.REQUEST, "update")


def add_part(slot: InterviewSlot, *, kind: VisitPartKind, starts_at: datetime, duration: int,
             place: str, details: str = "", by) -> VisitPart:
    """Add a part to the visit of the slot; a booked slot's people get the new programme."""
    slot, interview = _handled_slot(slot.id, by)
    place, details = (place or "").strip(), (details or "").strip()
    _check_part(slot, starts_at, duration, place, details)
    part = VisitPart(slot_id=slot.id, kind=kind, starts_at=starts_at,
                     duration_minutes=duration, place=place, details=details,
                     created_by_id=by.id)
    db.session.add(part)
    db.session.flush()
    audit.record("visit_part.added", actor=by, obj=part, slot_id=slot.id, kind=kind.value,
                 starts_at=starts_at.isoformat(), place=place)
    _send_update(interview, slot)
    return part


def remove_part(part_id: int, *, slot: InterviewSlot, by) -> None:
    """Take a part off the visit; a booked slot's people get the new programme."""
    slot, interview = _handled_slot(slot.id, by)
    part = db.session.get(VisitPart, part_id)
    if part is None or part.slot_id != slot.id:
        raise VisitPartError("part_gone")
    audit.record("visit_part.removed", actor=by, obj=part, slot_id=slot.id,
                 kind=part.kind.value, starts_at=part.starts_at.isoformat())
    db.session.delete(part)
    db.session.flush()
    _send_update(interview, slot)
