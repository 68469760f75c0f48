"""Changing a submitted application before the deadline.

The applicant opens a change; what they type and upload is kept apart (the application's
`pending_changes`, documents marked `pending`) while HR and the board go on reading the
submitted version. Submitting the change makes it the application's new version (the
previous one is kept as an `ApplicationVersion`); discarding it, or letting the deadline
pass, leaves the submitted version as it was.
"""

from icm_recruit.applications import rules
from icm_recruit.applications.forms import DRAFT_FIELDS, ApplicationForm
from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
    ApplicationVersion,
    Document,
)
from icm_recruit.applications.operations import ApplicationError, _lock
from icm_recruit.calls.models import DOCUMENT_KIND_LABELS, DocumentKind, database_now
from icm_recruit.core import audit
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db

SNAPSHOT_FIELDS = (*DRAFT_FIELDS, "excluded_reviewers")
DOCUMENT_PREFIX = "document:"


class WorkingCopy:
    """The application as its applicant is changing it: the submitted application with
    the pending changes over it. Reads like an Application for the edit page."""

    keyword_list = Application.keyword_list
    summary_words = Application.summary_words
    checklist = Application.checklist
    missing = Application.missing

    def __init__(self, application: Application):
        self._application = application
        self._pending = application.pending_changes or {}

    def __getattr__(self, name):
        if name in SNAPSHOT_FIELDS and name in self._pending:
            return self._pending[name]
        return getattr(self._application, name)

    @property
    def removed_kinds(self) -> set[str]:
        return set(self._pending.get("removed", []))

    def current_documents(self) -> dict[DocumentKind, Document]:
        documents = {kind: doc for kind, doc in self._application.current_documents().items()
                     if kind.value not in self.removed_kinds}
        for doc in self._application.documents:
            if doc.pending:
                documents[doc.kind] = doc
        return documents


def working(application: Application) -> Application | WorkingCopy:
    """What the applicant's edit page shows: the change in progress, or the application."""
    return WorkingCopy(application) if application.changing else application


def snapshot(application: Application) -> dict:
    return {name: getattr(application, name) for name in SNAPSHOT_FIELDS}


def record_version(application: Application, submitted_at, changes: list[str]) -> None:
    """Keep the application as it now stands as its next submitted version."""
    application.version = (application.version or 0) + 1
    db.session.add(ApplicationVersion(
        application=application, number=application.version, submitted_at=submitted_at,
        fields=snapshot(application), changes=changes,
        documents={kind.value: doc.id for kind, doc in application.current_documents().items()}))


def _require_applicant(application: Application, by) -> None:
    if not rules.is_applicant(by, application):
        raise ApplicationError("forbidden")


def open_change(application: Application, *, by) -> Application:
    """Start changing the submitted application (idempotent: an open change stays)."""
    application = _lock(application)
    _require_applicant(application, by)
    if application.changing:
        return application
    now = database_now()
    if application.status not in ApplicationStatus.in_review:
        raise ApplicationError("not_editable")
    if not application.may_change_submitted(now):
        raise ApplicationError("deadline_passed")
    if not application.versions:  # submitted before versions were kept
        record_version(application, application.submitted_at or now, [])
    application.pending_changes = {**snapshot(application), "removed": []}
    application.change_started_at = now
    db.session.flush()
    audit.record("application.change_started", actor=by, obj=application,
                 version=application.version)
    return application


def save_pending(application: Application, data: dict, excluded: list[str]) -> None:
    """Write typed dossier fields into the open change (the caller holds the row lock)."""
    pending = dict(application.pending_changes or {})
    for name, value in data.items():
        pending[name] = value if name == "phd_year" else (value or "").strip()
    pending["excluded_reviewers"] = excluded[:3]
    application.pending_changes = pending  # a new dict, so the JSON column is written


def stage_document(application: Application, document: Document) -> None:
    """A file uploaded during the change waits, as pending, for the change's submission;
    an earlier pending file of its kind becomes history."""
    for doc in application.documents:
        if doc.pending and doc.kind == document.kind and doc is not document:
            doc.pending = False
    document.is_current = False
    document.pending = True
    pending = dict(application.pending_changes or {})
    pending["removed"] = [k for k in pending.get("removed", []) if k != document.kind.value]
    application.pending_changes = pending


def unstage_document(application: Application, document: Document) -> None:
    """Remove a file from the change: a pending one is dropped, a submitted one is marked
    to be removed when the change is submitted."""
    if document.pending:
        document.pending = False
        return
    pending = dict(application.pending_changes or {})
    pending["removed"] = sorted({*pending.get("removed", []), document.kind.value})
    application.pending_changes = pending


def _differences(application: Application) -> list[str]:
    copy = WorkingCopy(application)
    changes = [name for name in SNAPSHOT_FIELDS
               if getattr(copy, name) != getattr(application, name)]
    submitted = application.current_documents()
    proposed = copy.current_documents()
    for kind in sorted({*submitted, *proposed}, key=lambda k: k.value):
        before, after = submitted.get(kind), proposed.get(kind)
        if (before.id if before else None) != (after.id if after else None):
            changes.append(DOCUMENT_PREFIX + kind.value)
    return changes


def discard_change(application: Application, *, by) -> None:
    application = _lock(application)
    _require_applicant(application, by)
    if not application.changing:
        return
    for doc in application.documents:
        doc.pending = False
    application.pending_changes = None
    application.change_started_at = None
    db.session.flush()
    audit.record("application.change_discarded", actor=by, obj=application,
                 version=application.version)


def submit_change(application: Application, *, by) -> list[str]:
    """Make the open change the application's new submitted version, before the deadline
    read on the database's clock while the row is locked. Returns what changed; an empty
    list means nothing differed, and the change is closed with the version unchanged."""
    application = _lock(application)
    _require_applicant(application, by)
    if not application.changing:
        raise ApplicationError("already_submitted")
    now = database_now()
    if not application.may_change_submitted(now):
        audit.record("application.change_refused", actor=by, obj=application,
                     reason="deadline", at_db=now.isoformat())
        raise ApplicationError("deadline_passed")
    missing = WorkingCopy(application).missing()
    if missing:
        raise ApplicationError("incomplete", missing=missing)
    changes = _differences(application)
    if not changes:
        discard_change(application, by=by)
        return []
    copy = WorkingCopy(application)
    values = {name: getattr(copy, name) for name in SNAPSHOT_FIELDS}
    incoming = {kind: doc for kind, doc in copy.current_documents().items() if doc.pending}
    for kind, doc in application.current_documents().items():
        if kind in incoming or kind.value in copy.removed_kinds:
            doc.is_current = False
    db.session.flush()  # one current file per kind: retire before promoting
    for doc in incoming.values():
        doc.pending, doc.is_current = False, True
    for name, value in values.items():
        setattr(application, name, value)
    application.pending_changes = None
    application.change_started_at = None
    application.dossier_key = None  # the merged dossier is built again
    db.session.flush()
    db.session.expire(application, ["documents"])
    record_version(application, now, changes)
    db.session.flush()
    audit.record("application.changed", actor=by, obj=application,
                 version=application.version, changes=changes, at_db=now.isoformat())
    applicant = application.applicant
    queue_mail(
        to=applicant.email, user=applicant, template="application_changed",
        locale=applicant.locale, key=f"application-changed:{application.id}:"
                                     f"{application.version}",
        context={"name": applicant.name, "reference": application.reference,
                 "version": application.version,
                 "call_title_en": application.call.title_en,
                 "call_title_fr": application.call.title_fr,
                 "submitted_at": now.isoformat(),
                 "url": external_url("applications.status", application_id=application.id)},
    )
    return changes


def change_labels(changes: list[str]) -> list[str]:
    """What changed, in the reader's language: field labels and document kinds."""
    form = ApplicationForm(formdata=None, meta={"csrf": False})
    labels = []
    for code in changes:
        if code.startswith(DOCUMENT_PREFIX):
            try:
                labels.append(str(DOCUMENT_KIND_LABELS[DocumentKind(code[len(DOCUMENT_PREFIX):])]))
            except ValueError:
                labels.append(code)
        elif code == "excluded_reviewers":
            labels.append(str(_l("People who should not review the application")))
        elif code in form:
            labels.append(str(form[code].label.text))
        else:
            labels.append(code)
    return labels
