"""Offering a withdrawn interview slot again, and rebooking the interview its withdrawal
cancelled when nothing has taken its place."""

from sqlalchemy import select

from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.calls.models import database_now
from icm_recruit.core import audit
from icm_recruit.core.audit import AuditEvent
from icm_recruit.extensions import db
from icm_recruit.selection.interviews import (
    _lock_slot,
    _place,
    _require_hr,
    _require_slot_handler,
    conflicted_panelists,
)
from icm_recruit.selection.models import Interview, InterviewSlot, InterviewStatus
from icm_recruit.selection.operations import SelectionError


def interview_to_rebook(slot: InterviewSlot) -> Interview | None:
    """The interview cancelled when the slot was withdrawn, if it still waits for a time:
    cancelled, not booked elsewhere since, its applicant still shortlisted."""
    if slot.withdrawn_at is None:
        return None
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "interview.cancelled",
                                 AuditEvent.data["slot_id"].as_integer() == slot.id,
                                 AuditEvent.at <= slot.withdrawn_at)
        .order_by(AuditEvent.id.desc()).limit(1))
    if event is None:
        return None
    interview = db.session.scalar(select(Interview).where(
        Interview.application_id == int(event.object_id)))
    if interview is None or interview.status is not InterviewStatus.CANCELLED:
        return None
    if interview.application.status != ApplicationStatus.SHORTLISTED:
        return None
    if conflicted_panelists(slot.panel_ids, interview.application):
        return None
    return interview


def restore_slot(slot: InterviewSlot, *, by) -> Interview | None:
    """Offer the slot again while its time is still ahead; rebook the interview its
    withdrawal cancelled (the applicant and the panel get the calendar entry again)."""
    _require_hr(by)
    slot = _lock_slot(slot.id)
    if slot.withdrawn_at is None:
        raise SelectionError("slot_unavailable")
    if slot.starts_at <= database_now():
        raise SelectionError("slot_in_past")
    interview = interview_to_rebook(slot)
    _require_slot_handler(by, interview)
    slot.withdrawn_at = None
    db.session.flush()
    audit.record("interview_slot.restored", actor=by, obj=slot,
                 rebooked=interview.application_id if interview else None)
    if interview is not None:
        application = db.session.get(Application, interview.application_id)
        _place(application, interview, slot, by)
    return interview
