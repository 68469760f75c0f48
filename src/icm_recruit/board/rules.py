"""Conflicts of interest and the title list: the board's part of the rules.

A blocking conflict (suggested or confirmed) keeps a member away from an application on
every page, listing, export, mail and task; the applicant is never a reviewer of their
own file. These are the only definitions of both; everything else composes them.
"""

from sqlalchemy import ColumnElement, Select, and_, exists, false, not_, select

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.board.models import Conflict, ConflictStatus
from icm_recruit.extensions import db


def pair_conflicted(reviewer_column, application_column) -> ColumnElement[bool]:
    """SQL condition: a blocking conflict joins this reviewer to this application."""
    return exists().where(
        Conflict.application_id == application_column,
        Conflict.reviewer_id == reviewer_column,
        Conflict.status.in_(ConflictStatus.blocking),
    )


def conflicted(user_id) -> ColumnElement[bool]:
    """SQL condition: the user has a blocking conflict with Application."""
    return pair_conflicted(user_id, Application.id)


def not_conflicted(user_id) -> ColumnElement[bool]:
    """SQL condition: the user may be given Application (not theirs, no blocking conflict)."""
    return and_(Application.applicant_id != user_id, not_(conflicted(user_id)))


def among_pairs(reviewer_column, application_column, pairs) -> ColumnElement[bool]:
    """SQL condition narrowing rows to these (reviewer, application) pairs' members.

    It may let through a reviewer of one pair with the application of another: callers
    keep the rows whose pair is in `pairs` (one query however many pairs, as detection
    announces whole calls at once).
    """
    pairs = list(pairs)
    if not pairs:
        return false()
    return and_(reviewer_column.in_({r for r, _a in pairs}),
                application_column.in_({a for _r, a in pairs}))


def is_conflicted(user_id: int, application: Application) -> bool:
    """The user is the applicant or has a blocking conflict with the application."""
    if application_rules.is_applicant_id(user_id, application):
        return True
    return bool(db.session.scalar(select(
        pair_conflicted(user_id, application.id))))


def conflicted_user_ids(application: Application) -> set[int]:
    """Everyone kept away from the application: the applicant and the conflicted."""
    return kept_away_from([application])


def kept_away_from(applications) -> set[int]:
    """Everyone kept away from one of these applications (their applicants and those in
    conflict with them), in one query whatever their number."""
    applications = list(applications)
    if not applications:
        return set()
    ids = set(db.session.scalars(select(Conflict.reviewer_id).where(
        Conflict.application_id.in_({a.id for a in applications}),
        Conflict.status.in_(ConflictStatus.blocking))))
    return ids | {a.applicant_id for a in applications}


def on_title_list(user: User) -> ColumnElement[bool]:
    """SQL condition: Application is on the member's title list of its call."""
    return and_(Application.status.in_(ApplicationStatus.seen_by_board),
                Application.applicant_id != user.id)


def title_list_applications(user: User, call_id: int) -> Select:
    """Applications a member sees by title, name and institution, to declare conflicts."""
    return (select(Application)
            .where(Application.call_id == call_id, on_title_list(user))
            .order_by(Application.reference))


def can_declare(user: User, application: Application) -> bool:
    """A board member may declare a conflict or bid on any application of the title list."""
    if not user.has_role(Role.REVIEWER, Role.CHAIR):
        return False
    stmt = title_list_applications(user, application.call_id).where(
        Application.id == application.id)
    return db.session.scalar(select(stmt.exists())) is True


def can_manage_institutions(user: User) -> bool:
    """HR keeps the institution registry: they see it, add, change and remove entries."""
    return bool(user and user.is_authenticated and user.has_role(Role.ADMIN))
