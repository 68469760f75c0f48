"""How selection reacts when a conflict appears or is dismissed late.

A member who becomes conflicted with an applicant loses their seat on that applicant's
interview panel (HR is told, with members free at that time to replace them) and the
call's ranking is computed again without their review; dismissing the conflict gives the
seat back and counts the review again. Everything runs in the transaction of the change.
"""

from sqlalchemy import select

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application
from icm_recruit.assignment.models import Assignment
from icm_recruit.auth.models import Role, User, UserRole
from icm_recruit.board import rules as board_rules
from icm_recruit.board import signals as board_signals
from icm_recruit.calls.models import Call, database_now
from icm_recruit.core import audit
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db
from icm_recruit.reviews.models import Review, ReviewStatus
from icm_recruit.selection import ics, queries
from icm_recruit.selection.interviews import send_calendar
from icm_recruit.selection.models import Interview, InterviewPanelist, InterviewSlot
from icm_recruit.selection.operations import call_context
from icm_recruit.selection.ranking import build_snapshot

SUGGESTIONS = 3


def _seats(pairs, *, withdrawn: bool) -> list:
    """(seat, interview) of each pair's member on the pair's application's interview panel."""
    wanted = set(pairs)
    state = (InterviewPanelist.withdrawn_at.is_not(None) if withdrawn
             else InterviewPanelist.withdrawn_at.is_(None))
    rows = db.session.execute(
        select(InterviewPanelist, Interview)
        .join(InterviewSlot, InterviewSlot.id == InterviewPanelist.slot_id)
        .join(Interview, Interview.slot_id == InterviewSlot.id)
        .where(board_rules.among_pairs(InterviewPanelist.user_id, Interview.application_id,
                                       wanted), state)).all()
    return [(seat, interview) for seat, interview in rows
            if (seat.user_id, interview.application_id) in wanted]


def replacement_candidates(interview: Interview) -> list[User]:
    """Board members who could take the seat: no conflict, not on the panel, free then."""
    slot, application = interview.slot, interview.application
    busy = set(db.session.scalars(
        select(InterviewPanelist.user_id).join(InterviewSlot)
        .where(InterviewPanelist.withdrawn_at.is_(None), InterviewSlot.withdrawn_at.is_(None),
               InterviewSlot.starts_at < slot.ends_at,
               InterviewSlot.starts_at >= slot.starts_at - (slot.ends_at - slot.starts_at))))
    kept_away = board_rules.conflicted_user_ids(application) | busy | slot.panel_ids
    members = db.session.scalars(
        select(User).join(UserRole)
        .where(UserRole.role.in_([Role.REVIEWER, Role.CHAIR]), User.active,
               User.id.not_in(kept_away or {-1}))
        .order_by(User.name).distinct().limit(SUGGESTIONS))
    return list(members)


def _tell_hr(interview: Interview, member: User) -> None:
    application = interview.application
    slot = interview.slot
    names = [u.name for u in replacement_candidates(interview)]
    for hr in application_rules.hr_for(application):
        queue_mail(
            to=hr.email, user=hr, locale=hr.locale, template="selection_panel_seat_withdrawn",
            key=f"panel-seat-withdrawn:{interview.id}:s{interview.sequence}:{member.id}:{hr.id}",
            context={**call_context(application), "name": hr.name, "member": member.name,
                     "starts_at": slot.starts_at.isoformat(), "zone": hr.timezone,
                     "suggestions": names,
                     "url": external_url("interviews.slots", call_id=application.call_id)})


def withdraw_seats(pairs, *, by) -> int:
    """Take conflicted members off the interview panels of the applicants concerned."""
    seats = _seats(pairs, withdrawn=False)
    for seat, interview in seats:
        seat.withdrawn_at = database_now()
        interview.sequence += 1
        db.session.flush()
        db.session.expire(interview.slot, ["panelists"])
        member = db.session.get(User, seat.user_id)
        audit.record("interview.panel_seat_withdrawn", actor=by, obj=interview.application,
                     interview_id=interview.id, slot_id=seat.slot_id, member_id=member.id,
                     reason="conflict")
        send_calendar(interview, interview.slot, ics.Method.CANCEL, "cancel", only=[member])
        _tell_hr(interview, member)
    return len(seats)


def restore_seats(pairs, *, by) -> int:
    """Give the seats back once the conflicts that took them are dismissed."""
    seats = _seats(pairs, withdrawn=True)
    for seat, interview in seats:
        seat.withdrawn_at = None
        interview.sequence += 1
        db.session.flush()
        db.session.expire(interview.slot, ["panelists"])
        member = db.session.get(User, seat.user_id)
        audit.record("interview.panel_seat_restored", actor=by, obj=interview.application,
                     interview_id=interview.id, slot_id=seat.slot_id, member_id=member.id)
        send_calendar(interview, interview.slot, ics.Method.REQUEST, "invite", only=[member])
    return len(seats)


def _calls_with_counted_change(pairs) -> set[int]:
    """Calls whose ranking holds a submitted review of one of these pairs (one query)."""
    wanted = set(pairs)
    rows = db.session.execute(
        select(Assignment.reviewer_id, Assignment.application_id, Application.call_id)
        .join(Application, Application.id == Assignment.application_id)
        .join(Review, Review.assignment_id == Assignment.id)
        .where(board_rules.among_pairs(Assignment.reviewer_id, Assignment.application_id,
                                       wanted), Review.status == ReviewStatus.SUBMITTED))
    return {call_id for reviewer_id, application_id, call_id in rows
            if (reviewer_id, application_id) in wanted}


@board_signals.conflicts_changed.connect
def _on_conflicts_changed(_sender, *, blocked, lifted, by, **_extra) -> None:
    withdraw_seats(blocked, by=by)
    restore_seats(lifted, by=by)
    # A ranking already computed would still hold the review: compute it again.
    for call_id in sorted(_calls_with_counted_change([*blocked, *lifted])):
        if queries.latest_snapshot(call_id) is not None:
            build_snapshot(db.session.get(Call, call_id), by=by)
