"""Reads of the board feature used by views and tasks."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import lazyload, selectinload

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.auth.models import User
from icm_recruit.board import rules
from icm_recruit.board.models import (
    Bid,
    BoardMember,
    Conflict,
    ConflictDeclaration,
    ConflictSource,
    ConflictStatus,
    MemberCallSetting,
)
from icm_recruit.calls.models import Call, CallStatus
from icm_recruit.extensions import db


def all_members() -> list[BoardMember]:
    return list(db.session.scalars(
        select(BoardMember).join(User, User.id == BoardMember.user_id)
        .options(selectinload(BoardMember.user))
        .order_by(BoardMember.active.desc(), User.name)))


def board_calls() -> list[Call]:
    return list(db.session.scalars(select(Call).where(Call.status.in_(CallStatus.on_board))
                                   .order_by(Call.closes_at.desc())))


def call_setting(member: BoardMember, call: Call) -> MemberCallSetting | None:
    return db.session.scalar(select(MemberCallSetting).where(
        MemberCallSetting.board_member_id == member.id, MemberCallSetting.call_id == call.id))


def still_asked(call_status):
    """Which applications of a call still ask the board for a declaration: all of them,
    until the call is in selection; then the reviews are written, and only those the
    panel or a meeting will discuss (shortlisted, interviewed). `call_status` is a call's
    status or its column, for one call or many."""
    return or_(call_status != CallStatus.SELECTION,
               Application.status.in_(ApplicationStatus.interviewable))


def title_list(user: User, call: Call) -> list[dict]:
    """Return the member's declaration list with their declaration and bid: the
    applications that still ask for a declaration (`still_asked`)."""
    applications = db.session.scalars(
        rules.title_list_applications(user, call.id).where(still_asked(call.status))
        .options(selectinload(Application.applicant))).all()
    ids = [a.id for a in applications]
    declarations = {d.application_id: d for d in db.session.scalars(
        select(ConflictDeclaration).where(ConflictDeclaration.reviewer_id == user.id,
                                          ConflictDeclaration.application_id.in_(ids)))}
    bids = {b.application_id: b.level for b in db.session.scalars(
        select(Bid).where(Bid.reviewer_id == user.id, Bid.application_id.in_(ids)))}
    # Who, where and on what: enough to recognise a conflict and to say what one would
    # like to review; nothing else of the dossier (summary, position, documents,
    # referees) leaves this function.
    return [{"id": a.id, "reference": a.reference, "title": a.title,
             "keywords": a.keyword_list, "applicant_name": a.applicant.name,
             "institution": a.institution, "country": a.country,
             "declaration": declarations.get(a.id), "bid": bids.get(a.id)}
            for a in applications]


def call_conflicts(call: Call, viewer: User, *, source: ConflictSource | None = None,
                   status: ConflictStatus | None = None,
                   ids: set[int] | None = None) -> list[Conflict]:
    """The call's conflicts HR `viewer` handles: never those of their own application.

    Narrowed to one reason code, one status or some ids when given.
    """
    stmt = (select(Conflict).join(Application, Application.id == Conflict.application_id)
            .where(Application.call_id == call.id, application_rules.hr_handles(viewer)))
    if source is not None:
        stmt = stmt.where(Conflict.source == source)
    if status is not None:
        stmt = stmt.where(Conflict.status == status)
    if ids is not None:
        stmt = stmt.where(Conflict.id.in_(ids))
    return list(db.session.scalars(
        stmt.order_by(Conflict.status, Application.reference, Conflict.reviewer_id)))


def conflict_context(conflicts: list[Conflict]) -> tuple[dict, dict]:
    """Return the applications and users the conflicts refer to, by id (two queries)."""
    app_ids = {c.application_id for c in conflicts}
    user_ids = {c.reviewer_id for c in conflicts} | {
        c.decided_by_id for c in conflicts if c.decided_by_id}
    applications = {a.id: a for a in db.session.scalars(
        select(Application).where(Application.id.in_(app_ids))
        .options(selectinload(Application.applicant)))}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    return applications, users


def group_conflicts(conflicts: list[Conflict]) -> dict[str, list[Conflict]]:
    groups = {status.value: [] for status in ConflictStatus}
    for conflict in conflicts:
        groups[conflict.status.value].append(conflict)
    return groups


def call_applications_for_hr(call: Call, viewer: User) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(Application.call_id == call.id,
                                  application_rules.hr_handles(viewer),
                                  Application.status.in_(ApplicationStatus.seen_by_board))
        .order_by(Application.reference)))


def suggested_conflict_counts(call_ids, viewer: User) -> dict[int, int]:
    """Per call: conflicts detection suggested that HR `viewer` still has to confirm or
    dismiss (never those of their own application), in one query."""
    if not call_ids:
        return {}
    return dict(db.session.execute(
        select(Application.call_id, func.count(Conflict.id))
        .join(Application, Application.id == Conflict.application_id)
        .where(Application.call_id.in_(list(call_ids)), application_rules.hr_handles(viewer),
               Conflict.status == ConflictStatus.SUGGESTED)
        .group_by(Application.call_id)).all())


def undeclared_counts(user: User) -> list[tuple[Call, int]]:
    """The board's calls where the member has not yet answered for some applications of
    the title list (conflict or no conflict), with how many: one query."""
    answered = select(ConflictDeclaration.id).where(
        ConflictDeclaration.reviewer_id == user.id,
        ConflictDeclaration.application_id == Application.id).exists()
    rows = db.session.execute(
        select(Call, func.count(Application.id))
        .join(Application, Application.call_id == Call.id)
        .where(Call.status.in_(CallStatus.on_board), rules.on_title_list(user), ~answered,
               still_asked(Call.status))
        .group_by(Call.id).order_by(Call.closes_at)
        .options(lazyload(Call.criteria)))
    return [(call, count) for call, count in rows]
