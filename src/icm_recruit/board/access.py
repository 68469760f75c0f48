"""The one place that decides which applications a board member may see or be given.

Every listing, dossier page, download, notification and assignment for members goes
through these functions, so a conflicted member cannot reach an application by any URL.
"""

from sqlalchemy import Select, and_, exists, not_, select

from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.board.models import BLOCKING_CONFLICT, Conflict
from icm_recruit.extensions import db

# Applications a board can look at: submitted and beyond, never drafts or withdrawn ones.
IN_REVIEW_STATES = (
    ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW, ApplicationStatus.REJECTED,
    ApplicationStatus.SHORTLISTED, ApplicationStatus.INTERVIEW, ApplicationStatus.OFFERED,
    ApplicationStatus.WAITLISTED, ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED,
)
OPEN_ASSIGNMENT = (AssignmentStatus.ACTIVE, AssignmentStatus.DONE)


def conflicted(user_id) -> object:
    """SQL condition: the user has a blocking conflict with Application."""
    return exists().where(
        Conflict.application_id == Application.id,
        Conflict.reviewer_id == user_id,
        Conflict.status.in_(BLOCKING_CONFLICT),
    )


def not_conflicted(user_id) -> object:
    """SQL condition: the user may be given Application (not theirs, no blocking conflict)."""
    return and_(Application.applicant_id != user_id, not_(conflicted(user_id)))


def assigned(user_id) -> object:
    return exists().where(
        Assignment.application_id == Application.id,
        Assignment.reviewer_id == user_id,
        Assignment.status.in_(OPEN_ASSIGNMENT),
    )


def visible_applications(user: User, call_id: int | None = None) -> Select:
    """Return a select of the applications whose dossier the user may open."""
    stmt = select(Application).where(Application.status.in_(IN_REVIEW_STATES))
    if call_id is not None:
        stmt = stmt.where(Application.call_id == call_id)
    if user.has_role(Role.ADMIN):
        return stmt.where(Application.applicant_id != user.id)
    if user.has_role(Role.CHAIR):
        return stmt.where(not_conflicted(user.id))
    if user.has_role(Role.REVIEWER):
        return stmt.where(not_conflicted(user.id), assigned(user.id))
    return stmt.where(False)


def can_open_dossier(user: User, application: Application) -> bool:
    """Return True when the user may open this application's dossier as a board member/HR."""
    stmt = visible_applications(user).where(Application.id == application.id)
    return db.session.scalar(select(stmt.exists())) or False


def title_list_applications(user: User, call_id: int) -> Select:
    """Applications a member sees by title and keywords only, to declare conflicts and bid."""
    return (select(Application)
            .where(Application.call_id == call_id,
                   Application.status.in_(IN_REVIEW_STATES),
                   Application.applicant_id != user.id)
            .order_by(Application.reference))


def assignable(reviewer_id: int) -> object:
    """SQL condition for the assignment solver: pairs it may ever propose."""
    return not_conflicted(reviewer_id)
