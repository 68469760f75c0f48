"""Reads of the assignment feature, shaped so a page costs a fixed number of queries."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import and_, func, not_, select
from sqlalchemy.orm import selectinload

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application, ApplicationStatus, ready_for_stage_review
from icm_recruit.assignment.models import Assignment, AssignmentStatus, at_current_stage
from icm_recruit.auth.models import Role, User
from icm_recruit.board import rules as board_rules
from icm_recruit.board.models import (
    Bid,
    BoardMember,
    Conflict,
    ConflictStatus,
    MemberCallSetting,
)
from icm_recruit.calls.models import Call
from icm_recruit.core.jobs import JobKind, latest_job
from icm_recruit.extensions import db

# Applications the board reviews: submitted (publishing moves them on) or under review.
# Assignments that hold a seat: they count towards k and towards the member's load.


@dataclass(frozen=True)
class Seat:
    """An active board member as seen by one call: availability and load cap."""

    member: BoardMember
    available: bool
    cap: int

    @property
    def user_id(self) -> int:
        return self.member.user_id

    @property
    def name(self) -> str:
        return self.member.user.name


def call_board(call: Call, user_id: int | None = None) -> list[Seat]:
    """Return every active board member with their availability and cap for the call (with
    `user_id`, only that person's seat, if they have one)."""
    stmt = (select(BoardMember, MemberCallSetting)
            .join(User, User.id == BoardMember.user_id)
            .outerjoin(MemberCallSetting,
                       and_(MemberCallSetting.board_member_id == BoardMember.id,
                            MemberCallSetting.call_id == call.id))
            .where(BoardMember.active, User.active))
    if user_id is not None:
        stmt = stmt.where(BoardMember.user_id == user_id)
    rows = db.session.execute(
        stmt
        .options(selectinload(BoardMember.user).selectinload(User.role_rows))
        .order_by(User.name, BoardMember.id))
    seats = []
    for member, setting in rows:
        if not member.user.has_role(Role.REVIEWER, Role.CHAIR):
            continue
        available = setting.available if setting else True
        cap = setting.max_load if setting else member.default_max_load
        seats.append(Seat(member, available, cap))
    return seats


def assignable_applications(call: Call) -> list[Application]:
    return list(db.session.scalars(
        select(Application)
        .where(Application.call_id == call.id, Application.stage == call.current_stage,
               Application.status.in_(ApplicationStatus.in_review), ready_for_stage_review())
        .options(selectinload(Application.applicant))
        .order_by(Application.reference, Application.id)))


def blocked_pairs(call: Call, user_ids: list[int]) -> set[tuple[int, int]]:
    """Return (application id, user id) pairs the access rules forbid, for one call."""
    if not user_ids:
        return set()
    rows = db.session.execute(
        select(Application.id, User.id)
        .where(Application.call_id == call.id, Application.stage == call.current_stage,
               Application.status.in_(ApplicationStatus.in_review), ready_for_stage_review(),
               User.id.in_(user_ids), not_(board_rules.not_conflicted(User.id))))
    return {(a, u) for a, u in rows}


def is_blocked(application: Application, user_id: int) -> bool:
    stmt = select(Application.id).where(Application.id == application.id,
                                        not_(board_rules.not_conflicted(user_id)))
    return bool(db.session.scalar(select(stmt.exists())))


def call_assignments(call: Call) -> list[Assignment]:
    return list(db.session.scalars(
        select(Assignment).join(Application, Application.id == Assignment.application_id)
        .where(Application.call_id == call.id, Assignment.stage == call.current_stage,
               at_current_stage())
        .options(selectinload(Assignment.reviewer))
        .order_by(Assignment.application_id, Assignment.id)))


def bids_of_call(call: Call) -> dict[tuple[int, int], str]:
    rows = db.session.execute(
        select(Bid.application_id, Bid.reviewer_id, Bid.level)
        .join(Application, Application.id == Bid.application_id)
        .where(Application.call_id == call.id))
    return {(a, r): level.value for a, r, level in rows}


def member_load(call_id: int, user_id: int) -> int:
    """The seats a member holds at the stage the call is at."""
    return db.session.scalar(
        select(func.count(Assignment.id))
        .join(Application, Application.id == Assignment.application_id)
        .join(Call, Call.id == Application.call_id)
        .where(Application.call_id == call_id, Assignment.reviewer_id == user_id,
               Assignment.stage == Call.current_stage,
               Assignment.status.in_(AssignmentStatus.held))) or 0


def open_counts_of(user_id: int) -> Counter:
    """How many proposed and published (not yet reviewed) assignments a member holds."""
    rows = db.session.execute(
        select(Assignment.status, func.count(Assignment.id))
        .where(Assignment.reviewer_id == user_id,
               Assignment.status.in_(AssignmentStatus.changeable))
        .group_by(Assignment.status))
    return Counter(dict(rows.all()))


def application_load(application_id: int) -> int:
    """The seats held on an application at the stage it is at."""
    return db.session.scalar(
        select(func.count(Assignment.id))
        .join(Application, Application.id == Assignment.application_id)
        .where(Assignment.application_id == application_id, at_current_stage(),
               Assignment.status.in_(AssignmentStatus.held))) or 0


def loads(assignments: list[Assignment]) -> Counter:
    return Counter(a.reviewer_id for a in assignments if a.status in AssignmentStatus.held)


def conflict_counts(call: Call) -> dict[int, int]:
    """Return the number of blocking conflicts per application of a call."""
    rows = db.session.execute(
        select(Conflict.application_id, func.count(Conflict.id))
        .join(Application, Application.id == Conflict.application_id)
        .where(Application.call_id == call.id, Conflict.status.in_(ConflictStatus.blocking))
        .group_by(Conflict.application_id))
    return dict(rows.all())


def assignments_of(user: User) -> list[Assignment]:
    """Return a member's published assignments, never one they are conflicted with."""
    return list(db.session.scalars(
        select(Assignment).join(Application, Application.id == Assignment.application_id)
        .where(Assignment.reviewer_id == user.id,
               Assignment.status.in_(AssignmentStatus.shown_to_member),
               Application.id.in_(select(Application.id).where(
                   board_rules.not_conflicted(user.id))))
        .options(selectinload(Assignment.application).selectinload(Application.call))
        .order_by(Assignment.due_at, Assignment.id)))


@dataclass
class ProposalRow:
    """One application on HR's proposal page."""

    application: Application
    assignments: list[Assignment]
    declined: list[Assignment]
    candidates: list[Seat]
    blocked: int

    @property
    def held(self) -> int:
        return sum(1 for a in self.assignments if a.status in AssignmentStatus.held)


def proposal(call: Call, viewer: User) -> dict:
    """Gather HR's proposal page in a fixed number of queries, whatever the call's size.

    The viewer's own application, if any, is left out: another HR person handles it.
    """
    own = application_rules.own_application_ids(viewer, call.id)
    applications = [a for a in assignable_applications(call) if a.id not in own]
    seats = call_board(call)
    blocked = blocked_pairs(call, [s.user_id for s in seats])
    # The loads, counts and rows shown leave the viewer's own file out, so that nothing on
    # the page lets them work out who reviews it.
    assignments = [a for a in call_assignments(call) if a.application_id not in own]
    by_app: dict[int, list[Assignment]] = {}
    for a in assignments:
        by_app.setdefault(a.application_id, []).append(a)
    load = loads(assignments)
    rows = []
    for application in applications:
        mine = by_app.get(application.id, [])
        taken = {a.reviewer_id for a in mine if a.status in AssignmentStatus.held}
        rows.append(ProposalRow(
            application=application,
            assignments=sorted((a for a in mine if a.status in AssignmentStatus.held),
                               key=lambda a: -(a.affinity or 0)),
            declined=[a for a in mine if a.status == AssignmentStatus.DECLINED],
            candidates=[s for s in seats if s.available and s.user_id not in taken
                        and (application.id, s.user_id) not in blocked
                        and load[s.user_id] < s.cap],
            blocked=sum(1 for s in seats if (application.id, s.user_id) in blocked)))
    status_counts = Counter(a.status.value for a in assignments)
    per_member: dict[int, Counter] = {}
    for a in assignments:
        per_member.setdefault(a.reviewer_id, Counter())[a.status.value] += 1
    return {"rows": rows, "seats": seats, "load": load, "per_member": per_member,
            "counts": status_counts, "job": latest_job(JobKind.ASSIGNMENT, call.id),
            "unscreened": sum(1 for a in applications
                              if a.status == ApplicationStatus.SUBMITTED)}


def proposed_counts(call_ids, viewer: User) -> dict[int, int]:
    """Per call: proposed assignments waiting for HR `viewer` to publish them (of the
    applications they handle), in one query."""
    if not call_ids:
        return {}
    return dict(db.session.execute(
        select(Application.call_id, func.count(Assignment.id))
        .join(Application, Application.id == Assignment.application_id)
        .where(Application.call_id.in_(list(call_ids)),
               application_rules.hr_handles(viewer), at_current_stage(),
               Assignment.status == AssignmentStatus.PROPOSED)
        .group_by(Application.call_id)).all())
