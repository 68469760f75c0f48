"""Who may see and do what on an application, as its applicant or as HR.

The one home of the rule "HR never acts on its own application": an HR administrator who
applied to a call is an applicant for that application, on every page, listing, export,
mail and task. Everything else asks these predicates; nothing compares applicant ids by
hand elsewhere.
"""

from flask import abort, g, url_for
from sqlalchemy import ColumnElement, exists, select, true

from icm_recruit.applications.models import Application, ApplicationStatus, Document
from icm_recruit.auth.models import Role, User, UserRole
from icm_recruit.calls.models import DocumentKind
from icm_recruit.core import readerfacts
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.extensions import db


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_applicant(user, application: Application) -> bool:
    """The user made this application."""
    return _signed_in(user) and user.id == application.applicant_id


def is_applicant_id(user_id: int | None, application: Application) -> bool:
    """The given user id is the application's applicant (for code holding only ids)."""
    return user_id is not None and user_id == application.applicant_id


def can_withdraw(user, application: Application) -> bool:
    return (is_applicant(user, application)
            and application.status in ApplicationStatus.withdrawable)


def ineligibility_told_to(user, application: Application) -> str | None:
    """What the applicant reads when HR found the application not eligible: the reason HR
    wrote for them (the screening form says it is sent to the applicant), else None."""
    if not is_applicant(user, application) \
            or application.status != ApplicationStatus.INELIGIBLE:
        return None
    return application.screening_reason or ""


def can_act_as_hr_on(user, application: Application) -> bool:
    """HR, on an application that is not their own."""
    return (_signed_in(user) and user.has_role(Role.ADMIN)
            and not is_applicant(user, application))


# What every refusal of an HR action on one's own application says (features' errors
# name it under the code "own_application").
OWN_APPLICATION_MESSAGE = _l("This is your own application: another HR administrator "
                             "handles it. You see it as an applicant does.")


def refuse_own_application(application: Application) -> None:
    """In a view: a 403 that says why, with a link to the applicant's page of the file."""
    g.error_link = (url_for("applications.status", application_id=application.id),
                    _l("Open your application"))
    abort(403, description=str(OWN_APPLICATION_MESSAGE))


@readerfacts.fact("applied")
def _applied_column() -> ColumnElement:
    return exists().where(Application.applicant_id == User.id).correlate(User)


def never_applied(user) -> bool:
    """The user has no application at all, as read with the reader (False where that was
    not read): such a user is the applicant of none."""
    return _signed_in(user) and readerfacts.get("applied") is False


def require_hr_on_id(user, application_id: int) -> Application | None:
    """`require_hr_on` for an application named by its id, without loading it where the
    reader's facts suffice: HR who never applied acts as HR on every application (None is
    returned; the view loads the application if it renders). Otherwise the application is
    loaded (404 when there is none), asked about and returned."""
    if never_applied(user) and user.has_role(Role.ADMIN):
        return None
    application = db.get_or_404(Application, application_id)
    require_hr_on(user, application)
    return application


def require_hr_on(user, application: Application) -> None:
    """In a view: refuse (403, with the reason) unless the user may act as HR on it."""
    if is_applicant(user, application):
        refuse_own_application(application)
    if not can_act_as_hr_on(user, application):
        abort(403)


def can_view_application(user, application: Application) -> bool:
    """The applicant, or HR handling it (board members ask assignment.rules instead)."""
    return is_applicant(user, application) or can_act_as_hr_on(user, application)


def can_read_letters(user, application: Application) -> bool:
    """Reference letters are for HR handling the application, never for its applicant."""
    return can_act_as_hr_on(user, application)


def can_download(user, document: Document) -> bool:
    if not _signed_in(user):
        return False
    application = document.application
    if document.pending:  # part of a change not yet submitted: its applicant's only
        return is_applicant(user, application)
    if not document.is_current:
        # A file of an earlier submitted version: kept for HR, who can see what changed.
        return (document.kind != DocumentKind.LETTER and can_act_as_hr_on(user, application)
                and any(document.id in version.documents.values()
                        for version in application.versions))
    if document.kind == DocumentKind.LETTER:
        return can_read_letters(user, application)
    return can_view_application(user, application)


def can_see_versions(user, application: Application) -> bool:
    """Earlier submitted versions of an application: HR handling it."""
    return can_act_as_hr_on(user, application)


def can_change_submitted(user, application: Application, now) -> bool:
    """The applicant may open (or go on with) a change of their submitted application."""
    return is_applicant(user, application) and application.may_change_submitted(now)


def made_by(user) -> ColumnElement[bool]:
    """SQL condition: the application is the user's own (their applicant pages and data)."""
    return Application.applicant_id == user.id


def hr_handles(user, applicant_column=Application.applicant_id) -> ColumnElement[bool]:
    """SQL condition for HR listings: the row's application is not `user`'s own."""
    if not _signed_in(user):
        return true()
    return applicant_column != user.id


def own_application_ids(user, call_id: int | None = None) -> set[int]:
    """Ids of the user's own applications (optionally of one call)."""
    if not _signed_in(user):
        return set()
    stmt = select(Application.id).where(made_by(user))
    if call_id is not None:
        stmt = stmt.where(Application.call_id == call_id)
    return set(db.session.scalars(stmt))


def hr_for(application: Application) -> list[User]:
    """The HR administrators who handle the application: every active one but its applicant.

    The recipient list of every mail meant for HR about one application.
    """
    return list(db.session.scalars(
        select(User).join(UserRole)
        .where(UserRole.role == Role.ADMIN, User.active, User.id != application.applicant_id)
        .order_by(User.id)))


def can_keep_publications(user) -> bool:
    """Applicants and board members keep their own imported publication list."""
    return _signed_in(user) and user.has_role(Role.APPLICANT, Role.REVIEWER, Role.CHAIR)
