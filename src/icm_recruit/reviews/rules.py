"""Who may write, read and discuss reviews, and which reviews count.

A review counts in rankings, exports and calibration only while no conflict joins its
author to the application; a conflict found after the review keeps the review (HR sees it,
marked, with the reason) and takes it out of every figure. Dismissing the conflict gives
it back. Everything that reads reviews asks these rules.
"""

from sqlalchemy import ColumnElement, and_, not_, select

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application
from icm_recruit.assignment import rules as assignment_rules
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.board import rules as board_rules
from icm_recruit.extensions import db
from icm_recruit.reviews.models import Review, ReviewStatus


def can_review(user: User, assignment: Assignment) -> bool:
    """The member holds this published assignment and may still open the application."""
    return (assignment.reviewer_id == user.id
            and assignment.status in AssignmentStatus.published
            and assignment_rules.can_open_dossier(user, assignment.application))


def has_submitted(user: User, application: Application) -> bool:
    return bool(db.session.scalar(select(
        select(Review.id).join(Assignment)
        .where(Assignment.application_id == application.id, Assignment.reviewer_id == user.id,
               Assignment.status.in_(AssignmentStatus.published),
               Review.status == ReviewStatus.SUBMITTED)
        .exists())))


def can_see_reviews(user: User, application: Application) -> bool:
    """HR and the chair see every review they may; a member only after submitting theirs."""
    if not assignment_rules.can_open_dossier(user, application):
        return False
    return user.has_role(Role.ADMIN, Role.CHAIR) or has_submitted(user, application)


def can_discuss(user: User, application: Application) -> bool:
    """The same people as for reviews: HR, the chair, members who reviewed it."""
    return can_see_reviews(user, application)


def counting() -> ColumnElement[bool]:
    """SQL condition on Review joined to its Assignment: the review counts."""
    return and_(Review.status == ReviewStatus.SUBMITTED,
                not_(board_rules.pair_conflicted(Assignment.reviewer_id,
                                                 Assignment.application_id)))


def counts_in_ranking(review: Review) -> bool:
    """A submitted review whose author has no conflict with the application."""
    assignment = review.assignment
    return review.status == ReviewStatus.SUBMITTED and not board_rules.is_conflicted(
        assignment.reviewer_id, assignment.application)


def may_read_review(user: User, review: Review, left_out_ids: set[int]) -> bool:
    """A submitted review that stopped counting (`left_out_ids`) is shown to HR handling
    the file, marked; to nobody else."""
    if review.id not in left_out_ids:
        return True
    return application_rules.can_act_as_hr_on(user, review.assignment.application)


def awaiting_review() -> ColumnElement[bool]:
    """The assignments whose review is awaited: the active ones.

    An assignment is active until its review is submitted, when it becomes done in the
    same flush (`operations.save_review`); a conflict that ends it and is then
    dismissed gives back only an active one. So no review is read to leave out the
    submitted ones, and the planner, not misled by a condition across a join to the
    reviews, reads the soonest due first from `ix_assignment_active_due`.
    """
    return Assignment.status == AssignmentStatus.ACTIVE
