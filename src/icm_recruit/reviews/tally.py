"""The review tally of each application, refreshed in the transaction that changes it.

HR's progress dashboard needs, for every application of a call, how many members without
a conflict hold a seat and how many reviews count. Counting them again over every
assignment of a large call on each view is what made the page slow; instead, after each
flush, the applications whose assignments, reviews, conflicts or stage changed get their
row of `review_tally` recomputed by the same rule, before the transaction commits. A
missing row reads as nothing held and nothing counted.
"""

from itertools import chain

from sqlalchemy import and_, delete, event, func, insert, inspect, select
from sqlalchemy.orm import Session

from icm_recruit.applications.models import Application
from icm_recruit.assignment.models import Assignment, AssignmentStatus, at_current_stage
from icm_recruit.board import rules as board_rules
from icm_recruit.board.models import Conflict
from icm_recruit.reviews import rules
from icm_recruit.reviews.models import Review, ReviewTally


def live_counts():
    """The rule itself: per application, seats held without a conflict and reviews that
    count, at the application's current stage (to be filtered and grouped by the caller)."""
    # A member found conflicted after reviewing holds no seat and their review does not
    # count: the application shows as short of reviewers, so HR can find another one.
    published = Assignment.status.in_(AssignmentStatus.published)
    free = ~board_rules.pair_conflicted(Assignment.reviewer_id, Assignment.application_id)
    return (select(Application.id, func.count(Assignment.id).filter(published, free),
                   func.count(Review.id).filter(rules.counting(), published))
            .outerjoin(Assignment, and_(Assignment.application_id == Application.id,
                                        at_current_stage()))
            .outerjoin(Review, Review.assignment_id == Assignment.id)
            .group_by(Application.id))


def refresh(connection, application_ids) -> None:
    """Recompute the tally rows of these applications."""
    ids = sorted(set(application_ids))
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        connection.execute(delete(ReviewTally).where(ReviewTally.application_id.in_(chunk)))
        connection.execute(insert(ReviewTally).from_select(
            ["application_id", "held", "counted"],
            live_counts().where(Application.id.in_(chunk))))


def refresh_calls(connection, call_ids) -> None:
    """Recompute the tally of every application of these calls (after bulk loads)."""
    ids = connection.scalars(select(Application.id).where(Application.call_id.in_(call_ids)))
    refresh(connection, list(ids))


# What the tally reads of each kind of row: a flush that changes none of these (a draft's
# text, a reminder's time) leaves the tally as it is.
COUNTED_ATTRIBUTES = {Assignment: ("application_id", "reviewer_id", "stage", "status"),
                      Conflict: ("application_id", "reviewer_id", "status"),
                      Review: ("assignment_id", "status")}


def _counts_change(session: Session, obj) -> bool:
    if obj in session.new or obj in session.deleted:
        return True
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in COUNTED_ATTRIBUTES[type(obj)])


def _touched(session: Session) -> tuple[set[int], set[int]]:
    """Applications, and assignments of reviews, whose tally a flush may change."""
    applications: set[int] = set()
    assignments: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, (Assignment, Conflict)) and _counts_change(session, obj):
            applications.add(obj.application_id)
            history = inspect(obj).attrs.application_id.history
            applications.update(history.deleted or ())
        elif isinstance(obj, Review) and _counts_change(session, obj):
            assignments.add(obj.assignment_id)
        elif (isinstance(obj, Application) and obj not in session.new
              and inspect(obj).attrs.stage.history.has_changes()):
            applications.add(obj.id)
    applications.discard(None)
    assignments.discard(None)
    return applications, assignments


@event.listens_for(Session, "after_flush")
def _refresh_after_flush(session: Session, _context) -> None:
    applications, assignments = _touched(session)
    if not applications and not assignments:
        return
    connection = session.connection()
    if assignments:
        applications.update(connection.scalars(
            select(Assignment.application_id).where(Assignment.id.in_(sorted(assignments)))))
    refresh(connection, applications)
