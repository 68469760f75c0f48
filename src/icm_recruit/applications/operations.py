"""State changes of applications: each checks who may do it, audits, queues its mail.

The caller commits once. Deadlines are checked against the database's clock.
"""

import re

from sqlalchemy import select

from icm_recruit.applications import rules
from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
    Document,
)
from icm_recruit.applications.rules import OWN_APPLICATION_MESSAGE
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import Call, DocumentKind, database_now
from icm_recruit.core import audit, storage
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db


class ApplicationError(DomainError):
    """A problem the user can understand; `code` says which."""

    messages = {
        "own_application": OWN_APPLICATION_MESSAGE,
        "not_applicant": _l("Only applicant accounts can apply."),
        "call_not_open": _l("This call is not accepting applications."),
        "already_applied": _l("You already have an application for this call: here it is."),
        "forbidden": _l("You cannot do this on this application."),
        "not_editable": _l("This application was submitted and can no longer be changed."),
        "deadline_passed": _l("The deadline of this call has passed: the application can no "
                              "longer be changed or submitted. What you saved before is kept."),
        "kind_not_asked": _l("This call does not ask for this kind of document."),
        "already_submitted": _l("This application is already submitted."),
        "incomplete": _l("The application is not complete yet. Still missing: %(missing)s."),
        "cannot_withdraw": _l("This application can no longer be withdrawn."),
        "not_screenable": _l("This application is not waiting for an eligibility check."),
        "reason_needed": _l("Give the reason; the applicant will read it."),
        "self_referee": _l("You cannot be your own referee."),
        "referee_twice": _l("This referee is already on your list."),
        "too_many_referees": _l("You can name at most %(max)d referees."),
        "referee_closed": _l("This referee has already answered."),
        "link_invalid": _l("This link is not valid. If the applicant sent you a newer e-mail, "
                           "use the link in that one."),
        "link_used": _l("This link was already used: the letter was sent or the request "
                        "declined. Thank you."),
        "link_expired": _l("This link has expired. Ask the applicant to send you a new one."),
    }
    fallback = _l("This action is not possible now.")

    def message_params(self) -> dict:
        return {"missing": "; ".join(self.details.get("missing", [])),
                "max": self.details.get("max", 5)}


def make_reference(application: Application) -> str:
    return f"ICM-{application.call.reference_year}-{application.id:04d}"


# A reference as `make_reference` writes it, inside a sentence.
REFERENCE_IN_TEXT = re.compile(r"\bICM-\d{4}-\d{4,}\b")


def start_application(call: Call, *, by) -> Application:
    """Open a draft for the applicant; one per applicant per call (the database agrees)."""
    if not by.has_role(Role.APPLICANT):
        raise ApplicationError("not_applicant")
    if not call.is_accepting(database_now()):
        raise ApplicationError("call_not_open")
    existing = db.session.scalar(select(Application).where(
        Application.call_id == call.id, rules.made_by(by)))
    if existing is not None:
        raise ApplicationError("already_applied", application=existing)
    application = Application(call=call, applicant_id=by.id, status=ApplicationStatus.DRAFT)
    db.session.add(application)
    db.session.flush()
    application.reference = make_reference(application)
    db.session.flush()
    audit.record("application.started", actor=by, obj=application, call_id=call.id,
                 reference=application.reference)
    return application


def _lock(application: Application) -> Application:
    """Reload the row under a lock so two requests cannot change it at once."""
    return db.session.scalars(
        select(Application).where(Application.id == application.id)
        .with_for_update().execution_options(populate_existing=True)).one()


def require_editable(application: Application, by) -> None:
    """The applicant may change the draft, or the open change of their submitted one."""
    if not rules.is_applicant(by, application):
        raise ApplicationError("forbidden")
    if application.status != ApplicationStatus.DRAFT and not application.changing:
        raise ApplicationError("not_editable")
    if not application.accepts_changes(database_now()):
        raise ApplicationError("deadline_passed")


def save_draft(application: Application, data: dict, excluded: list[str], *, by) -> None:
    from icm_recruit.applications import changes

    application = _lock(application)
    require_editable(application, by)
    if application.changing:
        changes.save_pending(application, data, excluded)
    else:
        for name, value in data.items():
            if name != "phd_year":
                value = (value or "").strip()
            setattr(application, name, value)
        application.excluded_reviewers = excluded[:3]
    db.session.flush()
    audit.record("application.saved", actor=by, obj=application)


def upload_document(application: Application, kind: DocumentKind,
                    checked: storage.CheckedPdf, *, by) -> Document:
    """Store a checked PDF as the current file of its kind; the previous one becomes
    history (kept, never served)."""
    from icm_recruit.applications import changes

    application = _lock(application)
    require_editable(application, by)
    if kind not in application.call.allowed_kinds:
        raise ApplicationError("kind_not_asked")
    changing = application.changing
    previous = changes.working(application).current_documents().get(kind)
    if previous is not None and not changing:
        previous.is_current = False
        db.session.flush()
    document = Document(application=application, kind=kind,
                        original_filename=checked.filename, size=checked.size,
                        pages=checked.pages, sha256=checked.sha256,
                        storage_key=storage.store(checked.data), uploaded_by_id=by.id,
                        is_current=not changing)
    db.session.add(document)
    if changing:  # kept apart until the change is submitted
        changes.stage_document(application, document)
    db.session.flush()
    audit.record("document.uploaded", actor=by, obj=application, kind=kind.value,
                 sha256=checked.sha256, size=checked.size, pages=checked.pages,
                 replaced=previous.id if previous else None)
    return document


def remove_document(document: Document, *, by) -> None:
    from icm_recruit.applications import changes

    application = document.application
    require_editable(application, by)
    if document.kind == DocumentKind.LETTER:
        raise ApplicationError("forbidden")
    if application.changing:
        if changes.working(application).current_documents().get(document.kind) != document:
            raise ApplicationError("forbidden")
        changes.unstage_document(application, document)
    elif document.is_current:
        document.is_current = False
    else:
        raise ApplicationError("forbidden")
    db.session.flush()
    audit.record("document.removed", actor=by, obj=document.application,
                 kind=document.kind.value, document_id=document.id)


def submit_application(application: Application, *, by) -> Application:
    """Submit a complete draft before the deadline, read on the database's clock while the
    row is locked; a second submit of the same application is refused as such."""
    application = _lock(application)
    if not rules.is_applicant(by, application):
        raise ApplicationError("forbidden")
    if application.status == ApplicationStatus.SUBMITTED:
        raise ApplicationError("already_submitted")
    if application.status != ApplicationStatus.DRAFT:
        raise ApplicationError("not_editable")
    now = database_now()
    if not application.accepts_changes(now):  # the call's or a personal deadline
        audit.record("application.submit_refused", actor=by, obj=application,
                     reason="deadline", at_db=now.isoformat())
        raise ApplicationError("deadline_passed")
    missing = application.missing()
    if missing:
        raise ApplicationError("incomplete", missing=missing)
    from icm_recruit.applications import changes

    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = now
    changes.record_version(application, now, [])
    db.session.flush()
    audit.record("application.submitted", actor=by, obj=application,
                 reference=application.reference, at_db=now.isoformat())
    applicant = application.applicant
    queue_mail(
        to=applicant.email, user=applicant, template="application_submitted",
        locale=applicant.locale, key=f"application-submitted:{application.id}",
        context={"name": applicant.name, "reference": application.reference,
                 "call_title_en": application.call.title_en,
                 "call_title_fr": application.call.title_fr,
                 "submitted_at": now.isoformat(),
                 "url": external_url("applications.status", application_id=application.id)},
    )
    return application


def withdraw_application(application: Application, *, by, reason: str = "") -> None:
    application = _lock(application)
    if not rules.can_withdraw(by, application):
        raise ApplicationError("cannot_withdraw")
    before = application.status
    application.status = ApplicationStatus.WITHDRAWN
    application.withdrawn_at = database_now()
    db.session.flush()
    audit.record("application.withdrawn", actor=by, obj=application, before=before.value,
                 reason=reason.strip()[:2000])
    applicant = application.applicant
    queue_mail(
        to=applicant.email, user=applicant, template="application_withdrawn",
        locale=applicant.locale, key=f"application-withdrawn:{application.id}",
        context={"name": applicant.name, "reference": application.reference,
                 "call_title_en": application.call.title_en,
                 "call_title_fr": application.call.title_fr},
    )


def screen_application(application: Application, *, eligible: bool, reason: str, by) -> None:
    """Record HR's eligibility check; an ineligible applicant is told why, in both languages."""
    application = _lock(application)
    if rules.is_applicant(by, application):
        raise ApplicationError("own_application")
    if not rules.can_act_as_hr_on(by, application):
        raise ApplicationError("forbidden")
    if application.status not in ApplicationStatus.screenable:
        raise ApplicationError("not_screenable")
    if not eligible and not reason.strip():
        raise ApplicationError("reason_needed")
    before = application.status
    application.status = (ApplicationStatus.UNDER_REVIEW if eligible
                          else ApplicationStatus.INELIGIBLE)
    application.screened_at = database_now()
    application.screened_by_id = by.id
    application.screening_reason = None if eligible else reason.strip()
    db.session.flush()
    audit.record("application.screened", actor=by, obj=application, eligible=eligible,
                 before=before.value, reason=application.screening_reason)
    if not eligible and before != ApplicationStatus.INELIGIBLE:
        applicant = application.applicant
        queue_mail(
            to=applicant.email, user=applicant, template="application_ineligible",
            locale=applicant.locale,
            key=f"application-ineligible:{application.id}:{application.screened_at.isoformat()}",
            context={"name": applicant.name, "reference": application.reference,
                     "reason": application.screening_reason,
                     "call_title_en": application.call.title_en,
                     "call_title_fr": application.call.title_fr,
                     "locale": applicant.locale,
                     "other_locale": "en" if applicant.locale == "fr" else "fr"},
        )



def screening_plan(applications: list[Application], *, eligible: bool,
                   by) -> tuple[list[Application], dict[str, list[Application]]]:
    """Split applications into those a bulk screening changes and those it skips, by why.

    Skipped: HR's own application ("own"); one not waiting for a check, or already found
    so ("not_screenable").
    """
    target = ApplicationStatus.UNDER_REVIEW if eligible else ApplicationStatus.INELIGIBLE
    changed: list[Application] = []
    skipped: dict[str, list[Application]] = {"own": [], "not_screenable": []}
    for application in applications:
        if rules.is_applicant(by, application):
            skipped["own"].append(application)
        elif (application.status not in ApplicationStatus.screenable
              or application.status == target):
            skipped["not_screenable"].append(application)
        else:
            changed.append(application)
    return changed, skipped


def screen_applications(applications: list[Application], *, eligible: bool, reason: str,
                        by) -> tuple[list[Application], dict[str, list[Application]]]:
    """Screen many applications with one reason; returns (screened, skipped by why).

    Each screened one is audited and its applicant told, as when screened one by one; one
    more event lists them all with the reason.
    """
    if not eligible and not reason.strip():
        raise ApplicationError("reason_needed")
    screened, skipped = screening_plan(applications, eligible=eligible, by=by)
    for application in screened:
        screen_application(application, eligible=eligible, reason=reason, by=by)
    if screened:
        audit.record("applications.screened_in_bulk", actor=by, object_type="call",
                     object_id=str(screened[0].call_id), eligible=eligible,
                     reason=reason.strip(), application_ids=[a.id for a in screened])
    return screened, skipped
