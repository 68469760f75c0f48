"""Reads for reviewing: who may see which review or discussion, dashboards, progress.

Every question about an application goes through the rules (`board.rules`,
`assignment.rules`, `reviews.rules`), so a conflicted member never reaches a review, a
post or a count of an application they are conflicted with.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.assignment import rules as assignment_rules
from icm_recruit.assignment.models import Assignment, AssignmentStatus, at_current_stage
from icm_recruit.auth.models import Role, User, UserRole
from icm_recruit.board import rules as board_rules
from icm_recruit.calls.models import Call, CallStage
from icm_recruit.core.paging import ListPage, QueryPage
from icm_recruit.core.timeutil import days_late
from icm_recruit.extensions import db
from icm_recruit.reviews import rules, scoring
from icm_recruit.reviews.models import (
    DiscussionPost,
    Review,
    ReviewRescue,
    ReviewStatus,
    ReviewTally,
)


def review_of(assignment: Assignment) -> Review | None:
    return db.session.scalar(select(Review).where(Review.assignment_id == assignment.id))


def rescue_of(assignment: Assignment) -> ReviewRescue | None:
    return db.session.scalar(select(ReviewRescue)
                             .where(ReviewRescue.assignment_id == assignment.id))


def own_assignment(user: User, application: Application) -> Assignment | None:
    """The user's held assignment for this application, if any."""
    return db.session.scalar(select(Assignment).where(
        Assignment.application_id == application.id, Assignment.reviewer_id == user.id,
        Assignment.stage == application.stage,
        Assignment.status.in_(AssignmentStatus.published)))


def submitted_reviews(application: Application, stage: int | None = None) -> list[Review]:
    """The submitted reviews of one stage (by default the stage the application is at)."""
    return list(db.session.scalars(
        select(Review).join(Assignment)
        .where(Assignment.application_id == application.id,
               Assignment.stage == (stage or application.stage),
               Review.status == ReviewStatus.SUBMITTED)
        .options(selectinload(Review.assignment).selectinload(Assignment.reviewer))
        .order_by(Review.submitted_at)))


def weighted_score(review: Review, call: Call) -> float | None:
    """The review's score on 0-10, or None while a criterion is unscored."""
    criteria = [scoring.Criterion(str(c.id), c.weight, c.scale_min, c.scale_max)
                for c in call.criteria_of(review.assignment.stage)]
    scores = {str(k): v for k, v in review.score_map().items()}
    try:
        return scoring.review_score(scores, criteria)
    except ValueError:
        return None


@dataclass
class StageConsensus:
    """What the board concluded on an application at an earlier stage (read-only)."""

    position: int
    name: str
    reviews: int
    mean_score: float | None
    recommendations: dict
    verdict: object
    reason: str


def earlier_stages(application: Application) -> list[StageConsensus]:
    """The consensus of each stage before the one the application is at now."""
    if application.stage <= 1:
        return []
    from icm_recruit.applications.models import ApplicationStage

    call = application.call
    entries = {e.stage: e for e in db.session.scalars(select(ApplicationStage).where(
        ApplicationStage.application_id == application.id))}
    result = []
    for position in range(1, application.stage):
        reviews = [r for r in submitted_reviews(application, position)
                   if rules.counts_in_ranking(r)]
        scores = [s for r in reviews if (s := weighted_score(r, call)) is not None]
        recommendations: dict = {}
        for review in reviews:
            label = review.recommendation_label
            recommendations[label] = recommendations.get(label, 0) + 1
        entry = entries.get(position)
        result.append(StageConsensus(
            position, call.stage_name(position), len(reviews),
            round(sum(scores) / len(scores), 2) if scores else None, recommendations,
            entry.verdict if entry else None, entry.reason if entry else ""))
    return result


def posts_of(application: Application) -> list[DiscussionPost]:
    return list(db.session.scalars(
        select(DiscussionPost).where(DiscussionPost.application_id == application.id)
        .options(selectinload(DiscussionPost.author)).order_by(DiscussionPost.created_at)))


def latest_post_by(application: Application, user: User) -> DiscussionPost | None:
    return db.session.scalar(
        select(DiscussionPost).where(DiscussionPost.application_id == application.id,
                                     DiscussionPost.author_id == user.id)
        .order_by(DiscussionPost.id.desc()).limit(1))


def discussion_participants(application_id: int) -> list[User]:
    """Everyone who may read the thread now: checked against conflicts at sending time."""
    reviewed = (select(Assignment.reviewer_id).join(Review)
                .where(Assignment.application_id == application_id,
                       Assignment.status.in_(AssignmentStatus.published),
                       Review.status == ReviewStatus.SUBMITTED))
    board_roles = select(UserRole.user_id).where(UserRole.role.in_([Role.ADMIN, Role.CHAIR]))
    candidates = db.session.scalars(
        select(User).where(User.active, or_(User.id.in_(reviewed), User.id.in_(board_roles))))
    application = db.session.get(Application, application_id)
    return [u for u in candidates if rules.can_discuss(u, application)]


# ---------------------------------------------------------------- the member's dashboard


@dataclass
class MemberRow:
    assignment: Assignment
    review_status: ReviewStatus | None


def member_assignments(user: User) -> dict[Call, list[MemberRow]]:
    """The member's published assignments by call, never one they are conflicted with:
    the reviews still to write first, soonest due first (so the calls with work waiting
    come first), then those submitted."""
    rows = db.session.execute(
        select(Assignment, Review.status).join(Application)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.reviewer_id == user.id,
               Assignment.status != AssignmentStatus.PROPOSED,
               board_rules.not_conflicted(user.id),
               Application.status.in_(ApplicationStatus.seen_by_board))
        .options(selectinload(Assignment.application).selectinload(Application.call)
                 .selectinload(Call.stages))
        .order_by(case((Review.status == ReviewStatus.SUBMITTED, 1), else_=0),
                  Assignment.due_at, Application.reference)).all()
    by_call: dict[Call, list[MemberRow]] = {}
    for assignment, status in rows:
        by_call.setdefault(assignment.application.call, []).append(MemberRow(assignment, status))
    return by_call


def chair_applications(user: User) -> list[Application]:
    """For the chair: every non-conflicted application of calls in review."""
    if not user.has_role(Role.CHAIR):
        return []
    return list(db.session.scalars(
        assignment_rules.visible_applications(user).options(selectinload(Application.call))
        .order_by(Application.call_id, Application.reference)))


# ---------------------------------------------------------------- HR's progress dashboard


@dataclass
class ApplicationProgress:
    application_id: int
    reference: str
    title: str
    held: int
    submitted: int


@dataclass
class Outstanding:
    assignment_id: int
    application_id: int
    reference: str
    reviewer_id: int
    reviewer_name: str
    due_at: datetime | None
    review_status: ReviewStatus | None
    days_late: int


@dataclass
class CallProgress:
    """The dashboard's figures, counted in SQL, and one page of each of its long tables."""

    call: Call
    k: int
    applications_total: int
    submitted: int  # reviews that count, at most k per application
    below_k_total: int
    late_total: int
    applications: ListPage  # of ApplicationProgress, those short of reviewers first
    outstanding: ListPage  # of Outstanding, the late first
    declined: list[Assignment] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return self.applications_total * self.k

    @property
    def completion(self) -> int:
        return round(100 * self.submitted / self.expected) if self.expected else 0


PROGRESS_PAGE = 50


def _reviews_per_application(call: Call, viewer: User):
    """Per application of the call's current stage that `viewer` handles: held seats and
    reviews that count, read from the tally the changes keep (`reviews.tally`)."""
    return (select(Application.id.label("application_id"), Application.reference,
                   Application.title, func.coalesce(ReviewTally.held, 0).label("held"),
                   func.coalesce(ReviewTally.counted, 0).label("submitted"))
            .outerjoin(ReviewTally, ReviewTally.application_id == Application.id)
            .where(Application.call_id == call.id, application_rules.hr_handles(viewer),
                   Application.stage == call.current_stage,
                   Application.status.in_(ApplicationStatus.seen_by_board)))


def _outstanding_reviews(call: Call, viewer: User, *columns, with_review: bool = False):
    """The awaited reviews of the call's current stage; `with_review` joins the draft's
    status."""
    query = (select(*columns).select_from(Assignment)
             .join(Application, Application.id == Assignment.application_id))
    if with_review:
        query = query.outerjoin(Review, Review.assignment_id == Assignment.id)
    return query.where(Application.call_id == call.id, application_rules.hr_handles(viewer),
                       at_current_stage(), rules.awaiting_review())


def call_progress(call: Call, now: datetime, viewer: User, applications_page: int | None = None,
                  outstanding_page: int | None = None) -> CallProgress:
    """Everything the HR dashboard shows: its figures counted in SQL and one page of each
    table, in a fixed number of queries whatever the call's size.

    Nothing of the viewer's own application is counted or listed.
    """
    k = call.review_k
    counted = _reviews_per_application(call, viewer).subquery()
    capped = case((counted.c.submitted > k, k), else_=counted.c.submitted)
    total, submitted, below_k = db.session.execute(
        select(func.count(), func.coalesce(func.sum(capped), 0),
               func.count().filter(counted.c.held < k)).select_from(counted)).one()
    waiting_total, late_total = db.session.execute(_outstanding_reviews(
        call, viewer, func.count(), func.count().filter(Assignment.due_at <= now))).one()
    outstanding = _outstanding_reviews(
        call, viewer, Assignment.id, Application.id, Application.reference, User.id, User.name,
        Assignment.due_at, Review.status, with_review=True).join(
            User, User.id == Assignment.reviewer_id)
    applications = QueryPage(
        select(counted).order_by(case((counted.c.held >= k, 1), else_=0),
                                 counted.c.reference, counted.c.application_id),
        applications_page, PROGRESS_PAGE, rows=True, total=total)
    applications.items = [ApplicationProgress(*row) for row in applications.items]
    # Soonest due first, so the late come first; those without a due date last.
    outstanding = QueryPage(outstanding.order_by(Assignment.due_at.asc().nulls_last(),
                                                 User.name, Assignment.id),
                            outstanding_page, PROGRESS_PAGE, rows=True, total=waiting_total)
    outstanding.items = [
        Outstanding(a_id, app_id, ref, user_id, name, due_at, status,
                    days_late(due_at, now))
        for a_id, app_id, ref, user_id, name, due_at, status in outstanding.items]
    return CallProgress(call, k, total, submitted, below_k, late_total, applications,
                        outstanding, declined_needing_replacement(call, viewer))


def declined_needing_replacement(call: Call, viewer: User) -> list[Assignment]:
    """Declined assignments of applications that now hold fewer than k reviewers."""
    declined = list(db.session.scalars(
        select(Assignment).join(Application)
        .where(Application.call_id == call.id, application_rules.hr_handles(viewer),
               Assignment.status == AssignmentStatus.DECLINED, at_current_stage(),
               Application.stage == call.current_stage,
               Application.status.in_(ApplicationStatus.seen_by_board))
        .options(selectinload(Assignment.application), selectinload(Assignment.reviewer))
        .order_by(Assignment.responded_at)))
    if not declined:
        return []
    # Count the held seats only for the few applications concerned (one grouped query).
    held = dict(db.session.execute(
        select(Assignment.application_id, func.count(Assignment.id))
        .where(Assignment.application_id.in_({a.application_id for a in declined}),
               Assignment.stage == call.current_stage,
               Assignment.status.in_(AssignmentStatus.published))
        .group_by(Assignment.application_id)).all())
    k = call.review_k
    return [a for a in declined if held.get(a.application_id, 0) < k]


def late_assignments(call: Call, now: datetime, viewer: User) -> list[Assignment]:
    """Active assignments past their due date whose review is not submitted (of the
    applications `viewer` handles as HR)."""
    return list(db.session.scalars(
        select(Assignment).join(Application)
        .where(Application.call_id == call.id, rules.awaiting_review(),
               at_current_stage(), application_rules.hr_handles(viewer),
               Assignment.due_at < now)
        .options(selectinload(Assignment.reviewer), selectinload(Assignment.application))))


def outstanding_assignments(call: Call, ids, viewer: User) -> list[Assignment]:
    """Active assignments of the call among these ids whose review is not submitted (of
    the applications `viewer` handles as HR)."""
    return list(db.session.scalars(
        select(Assignment).join(Application)
        .where(Application.call_id == call.id, Assignment.id.in_(list(ids)),
               rules.awaiting_review(), at_current_stage(),
               application_rules.hr_handles(viewer))
        .options(selectinload(Assignment.reviewer), selectinload(Assignment.application))
        .order_by(Assignment.id)))


def open_assignments_with_due_date() -> list[Assignment]:
    """Assignments the reminder task looks at: active, dated, review not yet submitted."""
    return list(db.session.scalars(
        select(Assignment).join(Application)
        .where(rules.awaiting_review(), Assignment.due_at.is_not(None), at_current_stage(),
               Application.status.in_(ApplicationStatus.in_review))
        .options(selectinload(Assignment.reviewer),
                 selectinload(Assignment.application).selectinload(Application.call))
        .order_by(Assignment.id)))


def hr_users() -> list[User]:
    """Every active HR administrator (for mails about several applications at once; each
    item is then checked with applications.rules)."""
    return list(db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == Role.ADMIN, User.active)
        .order_by(User.id)))


def conflict_reasons(reviewer_id: int, application: Application) -> str:
    """Why a review stopped counting: the reasons of the conflicts that block its author."""
    from flask_babel import get_locale

    from icm_recruit.board.models import Conflict, ConflictStatus
    from icm_recruit.board.operations import conflict_reason

    locale = str(get_locale() or "en")
    conflicts = db.session.scalars(select(Conflict).where(
        Conflict.reviewer_id == reviewer_id, Conflict.application_id == application.id,
        Conflict.status.in_(ConflictStatus.blocking)).order_by(Conflict.id))
    reasons = [conflict_reason(c, locale).strip() for c in conflicts]
    # Members write their reason freely; end each one so the next sentence reads apart.
    return " ".join(r if r.endswith((".", "!", "?", "…")) else f"{r}." for r in reasons if r)


def late_review_counts(call_ids, now: datetime, viewer: User) -> dict[int, int]:
    """Per call: the reviews `late_assignments` lists (active, past due, not submitted, of
    applications `viewer` handles as HR), counted in one query."""
    if not call_ids:
        return {}
    return dict(db.session.execute(
        select(Application.call_id, func.count(Assignment.id)).join(Application)
        .where(Application.call_id.in_(list(call_ids)),
               rules.awaiting_review(), at_current_stage(),
               application_rules.hr_handles(viewer), Assignment.due_at < now)
        .group_by(Application.call_id)).all())


def replacement_counts(call_ids, viewer: User) -> dict[int, int]:
    """Per call: the declined assignments `declined_needing_replacement` lists (their
    application holds fewer than k reviewers), counted in one query."""
    if not call_ids:
        return {}
    declined = (
        select(Assignment.id, Assignment.application_id, Application.call_id)
        .join(Application, Application.id == Assignment.application_id)
        .where(Application.call_id.in_(list(call_ids)), application_rules.hr_handles(viewer),
               Assignment.status == AssignmentStatus.DECLINED, at_current_stage(),
               Application.stage == Call.current_stage,
               Application.status.in_(ApplicationStatus.seen_by_board))
        .join(Call, Call.id == Application.call_id)
        .subquery())
    # Held seats counted only for the few applications concerned.
    seat = aliased(Assignment)
    held = (select(seat.application_id, func.count(seat.id).label("seats"))
            .join(Application, Application.id == seat.application_id)
            .where(seat.status.in_(AssignmentStatus.published),
                   seat.stage == Application.stage,
                   seat.application_id.in_(select(declined.c.application_id)))
            .group_by(seat.application_id).subquery())
    # k of the stage each call is at: a later stage's own, else the call's.
    stage = aliased(CallStage)
    k = func.coalesce(stage.reviewers_per_application, Call.reviewers_per_application)
    return dict(db.session.execute(
        select(declined.c.call_id, func.count(declined.c.id))
        .join(Call, Call.id == declined.c.call_id)
        .outerjoin(stage, and_(stage.call_id == Call.id, stage.position == Call.current_stage,
                               stage.position > 1))
        .outerjoin(held, held.c.application_id == declined.c.application_id)
        .where(func.coalesce(held.c.seats, 0) < k)
        .group_by(declined.c.call_id)).all())
