"""Which applications a board member may open: conflicts first, then the assignment.

Every listing, dossier page, download, notification and assignment for members goes
through these functions, so a conflicted member cannot reach an application by any URL.
"""

from sqlalchemy import ColumnElement, Select, exists, select

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.board import rules as board_rules
from icm_recruit.extensions import db


def assigned(user_id) -> ColumnElement[bool]:
    """SQL condition: the user holds a published assignment on Application."""
    return exists().where(
        Assignment.application_id == Application.id,
        Assignment.reviewer_id == user_id,
        Assignment.status.in_(AssignmentStatus.published),
    )


def visible_applications(user: User, call_id: int | None = None) -> Select:
    """Return a select of the applications whose dossier the user may open."""
    stmt = select(Application).where(Application.status.in_(ApplicationStatus.seen_by_board))
    if call_id is not None:
        stmt = stmt.where(Application.call_id == call_id)
    if user.has_role(Role.ADMIN):
        return stmt.where(application_rules.hr_handles(user))
    if user.has_role(Role.CHAIR):
        return stmt.where(board_rules.not_conflicted(user.id))
    if user.has_role(Role.REVIEWER):
        return stmt.where(board_rules.not_conflicted(user.id), assigned(user.id))
    return stmt.where(False)


def can_open_dossier(user: User, application: Application) -> bool:
    """The user may open this application's dossier as a board member or HR."""
    stmt = visible_applications(user).where(Application.id == application.id)
    return db.session.scalar(select(stmt.exists())) or False


def can_assign(by: User, application: Application) -> bool:
    """HR who handles the application may change who reviews it."""
    return application_rules.can_act_as_hr_on(by, application)
