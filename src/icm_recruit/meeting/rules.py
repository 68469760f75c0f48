"""Who may run, attend and read a board meeting, and who is out of the room.

A member in conflict with an item's applicant (or the applicant themself) is out of the
room for that item: their page, the poll, the agenda, the minutes and the reports show
nothing about it. The answer is computed on every request from the board's conflicts, so
a conflict confirmed during the meeting takes effect at the next poll, and the member is
back at the next item. Every view, listing, export, mail and task of the meeting asks
these predicates.
"""

from sqlalchemy import or_, select

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application
from icm_recruit.auth.models import Role
from icm_recruit.board import rules as board_rules
from icm_recruit.board.models import Conflict, ConflictStatus
from icm_recruit.extensions import db
from icm_recruit.meeting.models import AgendaItem, EvaluationReport, Meeting
from icm_recruit.selection import rules as selection_rules


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def may_organise(user) -> bool:
    """HR and the chair create meetings and run them."""
    return _signed_in(user) and user.has_role(Role.ADMIN, Role.CHAIR)


def may_run(user, meeting: Meeting) -> bool:
    """HR or the chair: move the pointer, edit the agenda, record attendance, publish."""
    return may_organise(user)


def is_invited(user, meeting: Meeting) -> bool:
    return _signed_in(user) and user.id in meeting.member_ids


def may_attend(user, meeting: Meeting) -> bool:
    """Open the meeting's page: its members, HR and the chair."""
    return may_run(user, meeting) or is_invited(user, meeting)


def out_of_room(user, application: Application) -> bool:
    """The user may hear nothing of this application: a blocking conflict, or their own."""
    return board_rules.is_conflicted(user.id, application)


def may_see_item(user, item: AgendaItem) -> bool:
    """In the room for this item: attending, and no conflict with its applicant."""
    return may_attend(user, item.meeting) and not out_of_room(user, item.application)


def may_handle_item(user, item: AgendaItem) -> bool:
    """Reorder, regroup or record the outcome of an item: a runner in the room for it."""
    return may_run(user, item.meeting) and not out_of_room(user, item.application)


def out_of_room_item_ids(user, meeting: Meeting) -> set[int]:
    """The meeting's items this user is out of the room for (one query for the agenda)."""
    stmt = (select(AgendaItem.id).join(Application, AgendaItem.application_id == Application.id)
            .where(AgendaItem.meeting_id == meeting.id,
                   or_(Application.applicant_id == user.id,
                       board_rules.pair_conflicted(user.id, AgendaItem.application_id))))
    return set(db.session.scalars(stmt))


def may_read_minutes(user, meeting: Meeting) -> bool:
    """Runners read the draft; once published, every member invited reads them too.

    Each reader's copy leaves out the items they were out of the room for.
    """
    return may_run(user, meeting) or (meeting.is_published and is_invited(user, meeting))


def departure_reasons(user_ids, application: Application) -> dict[int, str]:
    """For these users, the reason code of the conflict that keeps each one out."""
    ids = set(user_ids or [])
    if not ids:
        return {}
    reasons = {}
    if application.applicant_id in ids:
        reasons[application.applicant_id] = "self"
    rows = db.session.execute(select(Conflict.reviewer_id, Conflict.source).where(
        Conflict.application_id == application.id, Conflict.reviewer_id.in_(ids),
        Conflict.status.in_(ConflictStatus.blocking)).order_by(Conflict.id))
    for reviewer_id, source in rows:
        reasons.setdefault(reviewer_id, str(source))
    return reasons


# ---------------------------------------------------------------- evaluation reports


def may_write_report(user, application: Application) -> bool:
    """HR handling it, or the chair without a conflict with it."""
    return _signed_in(user) and selection_rules.may_shortlist(user, application)


def may_read_report(user, report: EvaluationReport) -> bool:
    """The applicant reads their report once it has been sent."""
    return report.is_sent and application_rules.is_applicant(user, report.application)
