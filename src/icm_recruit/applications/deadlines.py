"""Deadlines seen from the applications: who a call's deadline move concerns, the mail that
tells them, and the personal deadline HR grants one applicant.

The server's check itself is `Application.accepts_changes`, asked under the row lock by
every edit and by submission (see operations.py).
"""

from datetime import datetime

from sqlalchemy import func, select

from icm_recruit.applications import rules
from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.calls.models import Call, CallStatus, database_now
from icm_recruit.calls.signals import call_audience, call_deadline_changed
from icm_recruit.core import audit
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db

REASON_MAX = 2000


class ExtensionError(DomainError):
    """A personal deadline HR cannot grant; `code` says why."""

    messages = {
        "forbidden": _l("You cannot do this on this application."),
        "not_draft": _l("Only an application that is not submitted yet can get a personal "
                        "deadline."),
        "review_started": _l("The review of this call has begun: no personal deadline can be "
                             "granted any more."),
        "reason_needed": _l("Give the reason; it is kept in the audit trail."),
        "in_past": _l("The personal deadline must be in the future."),
        "not_after_call": _l("The personal deadline must be later than the call's deadline."),
        "no_extension": _l("This application has no personal deadline to withdraw."),
    }


def _drafts(call: Call):
    return select(Application).where(Application.call_id == call.id,
                                     Application.status == ApplicationStatus.DRAFT)


@call_audience.connect
def _count_audience(call: Call, *, now: datetime, **_extra) -> dict:
    by_status = dict(db.session.execute(
        select(Application.status, func.count()).where(Application.call_id == call.id)
        .group_by(Application.status)).all())
    running = db.session.execute(
        select(func.count(), func.max(Application.extended_until)).where(
            Application.call_id == call.id, Application.status == ApplicationStatus.DRAFT,
            Application.extended_until > now)).one()
    return {
        "drafts": by_status.get(ApplicationStatus.DRAFT, 0),
        "submitted": by_status.get(ApplicationStatus.SUBMITTED, 0),
        "screened": sum(n for s, n in by_status.items() if s in ApplicationStatus.screened),
        "extensions": running[0],
        "extended_until": running[1],
    }


@call_deadline_changed.connect
def _tell_drafts(call: Call, *, action: str, event_id: int, previous: datetime,
                 **_extra) -> None:
    """Tell every applicant with an unsubmitted draft what the move means for them."""
    now = database_now()
    for application in db.session.scalars(_drafts(call).order_by(Application.id)):
        applicant = application.applicant
        personal = application.extended_until if application.extension_runs(now) else None
        queue_mail(
            to=applicant.email, user=applicant, template="call_deadline_changed",
            locale=applicant.locale, key=f"call-deadline:{event_id}:{application.id}",
            context={"name": applicant.name, "reference": application.reference,
                     "action": action, "zone": applicant.timezone,
                     "call_title_en": call.title_en, "call_title_fr": call.title_fr,
                     "closes_at": call.closes_at.isoformat(), "previous": previous.isoformat(),
                     "personal_deadline": personal.isoformat() if personal else None,
                     "url": external_url("applications.edit", application_id=application.id)})


def _lock(application: Application) -> Application:
    return db.session.scalars(
        select(Application).where(Application.id == application.id)
        .with_for_update().execution_options(populate_existing=True)).one()


def grant_extension(application: Application, *, until: datetime, reason: str,
                    by) -> Application:
    """Give one applicant a later personal deadline (e.g. after a technical problem).

    The application row is locked, as submission locks it: a submission either sees the
    new deadline or ran before it was granted.
    """
    if not rules.can_act_as_hr_on(by, application):
        raise ExtensionError("forbidden")
    application = _lock(application)
    reason = (reason or "").strip()[:REASON_MAX]
    if not reason:
        raise ExtensionError("reason_needed")
    if application.status != ApplicationStatus.DRAFT:
        raise ExtensionError("not_draft")
    call = application.call
    if call.status not in CallStatus.late_entries:
        raise ExtensionError("review_started")
    now = database_now()
    if until <= now:
        raise ExtensionError("in_past")
    if call.status == CallStatus.OPEN and until <= call.closes_at:
        raise ExtensionError("not_after_call")
    previous = application.extended_until
    if previous == until:  # the same form sent twice: granted and told once
        return application
    application.extended_until, application.extension_reason = until, reason
    db.session.flush()
    event = audit.record("application.deadline_extended", actor=by, obj=application,
                         reason=reason, until=until.isoformat(),
                         previous=previous.isoformat() if previous else None,
                         call_deadline=call.closes_at.isoformat())
    applicant = application.applicant
    queue_mail(
        to=applicant.email, user=applicant, template="application_deadline_extended",
        locale=applicant.locale, key=f"application-deadline:{event.id}",
        context={"name": applicant.name, "reference": application.reference,
                 "zone": applicant.timezone, "until": until.isoformat(),
                 "call_title_en": call.title_en, "call_title_fr": call.title_fr,
                 "url": external_url("applications.edit", application_id=application.id)})
    return application


def withdraw_extension(application: Application, *, reason: str, by) -> Application:
    """Take back a personal deadline (granted by mistake, or no longer needed): the call's
    deadline applies again, and the applicant is told. Locked like a grant."""
    if not rules.can_act_as_hr_on(by, application):
        raise ExtensionError("forbidden")
    application = _lock(application)
    reason = (reason or "").strip()[:REASON_MAX]
    if not reason:
        raise ExtensionError("reason_needed")
    if application.extended_until is None:
        raise ExtensionError("no_extension")
    if application.status != ApplicationStatus.DRAFT:
        raise ExtensionError("not_draft")
    call = application.call
    previous = application.extended_until
    application.extended_until, application.extension_reason = None, None
    db.session.flush()
    event = audit.record("application.deadline_withdrawn", actor=by, obj=application,
                         reason=reason, previous=previous.isoformat(),
                         call_deadline=call.closes_at.isoformat())
    applicant = application.applicant
    queue_mail(
        to=applicant.email, user=applicant, template="application_deadline_withdrawn",
        locale=applicant.locale, key=f"application-deadline:{event.id}",
        context={"name": applicant.name, "reference": application.reference,
                 "zone": applicant.timezone, "closes_at": call.closes_at.isoformat(),
                 "still_open": call.is_accepting(database_now()),
                 "call_title_en": call.title_en, "call_title_fr": call.title_fr,
                 "url": external_url("applications.edit", application_id=application.id)})
    return application
