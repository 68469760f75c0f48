"""The applicant's part of a later stage of a call: the documents it asks, by its deadline.

An applicant who goes on to a later stage is asked for more (a full proposal after a
short synopsis). They upload it and send it in before the stage's own deadline, read on
the database's clock; after the deadline nothing more is taken and their part is recorded
as missed (kept, never lost). What they sent at earlier stages stays as it was.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from icm_recruit.applications import rules
from icm_recruit.applications.models import (
    Application,
    ApplicationStage,
    ApplicationStatus,
    Document,
    StageProgress,
)
from icm_recruit.calls.models import DOCUMENT_KIND_LABELS, CallStage, DocumentKind, database_now
from icm_recruit.core import audit, storage
from icm_recruit.core.errors import DomainError
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db


class StagePartError(DomainError):
    messages = {
        "forbidden": _l("You cannot do this on this application."),
        "not_asked": _l("Nothing is asked of you at this stage."),
        "deadline_passed": _l("The deadline of this stage has passed: nothing more can be sent. "
                              "What you uploaded before is kept."),
        "already_sent": _l("You have already sent your part of this stage."),
        "kind_not_asked": _l("This stage does not ask for this kind of document."),
        "incomplete": _l("Your part of this stage is not complete yet. Still missing: "
                         "%(missing)s."),
    }
    fallback = _l("This action is not possible now.")

    def message_params(self) -> dict:
        return {"missing": "; ".join(self.details.get("missing", []))}


def entry_of(application: Application, position: int | None = None) -> ApplicationStage | None:
    return db.session.scalar(select(ApplicationStage).where(
        ApplicationStage.application_id == application.id,
        ApplicationStage.stage == (position or application.stage)))


def current_stage(application: Application) -> CallStage | None:
    """The later stage the application is at, if it is at one."""
    if application.stage <= 1:
        return None
    return application.call.stage(application.stage)


def is_open(application: Application, entry: ApplicationStage | None, now) -> bool:
    """The applicant may still upload and send their part now."""
    stage = current_stage(application)
    return (stage is not None and entry is not None and entry.progress == StageProgress.OPEN
            and application.status == ApplicationStatus.UNDER_REVIEW
            and stage.closes_at is not None and now < stage.closes_at)


def missing(application: Application, stage: CallStage) -> list[str]:
    documents = application.current_documents()
    return [str(DOCUMENT_KIND_LABELS[k]) for k in stage.required_kinds if k not in documents]


def _lock_entry(application: Application) -> ApplicationStage | None:
    return db.session.scalars(
        select(ApplicationStage).where(ApplicationStage.application_id == application.id,
                                       ApplicationStage.stage == application.stage)
        .with_for_update().execution_options(populate_existing=True)).one_or_none()


def _require_open(application: Application, by) -> tuple[CallStage, ApplicationStage]:
    if not rules.is_applicant(by, application):
        raise StagePartError("forbidden")
    stage, entry = current_stage(application), _lock_entry(application)
    if stage is None or entry is None or application.status != ApplicationStatus.UNDER_REVIEW:
        raise StagePartError("not_asked")
    if entry.progress == StageProgress.SUBMITTED:
        raise StagePartError("already_sent")
    now = database_now()
    if not is_open(application, entry, now):
        raise StagePartError("deadline_passed")
    return stage, entry


def upload(application: Application, kind: DocumentKind, checked: storage.CheckedPdf, *,
           by) -> Document:
    """Store a checked PDF as the current file of a kind the stage asks for."""
    stage, _entry = _require_open(application, by)
    if kind not in stage.allowed_kinds:
        raise StagePartError("kind_not_asked")
    previous = application.current_documents().get(kind)
    if previous is not None:
        previous.is_current = False
        db.session.flush()
    document = Document(application=application, kind=kind,
                        original_filename=checked.filename, size=checked.size,
                        pages=checked.pages, sha256=checked.sha256,
                        storage_key=storage.store(checked.data), uploaded_by_id=by.id)
    db.session.add(document)
    db.session.flush()
    audit.record("document.uploaded", actor=by, obj=application, kind=kind.value,
                 sha256=checked.sha256, size=checked.size, pages=checked.pages,
                 replaced=previous.id if previous else None, stage=stage.position)
    return document


def send(application: Application, *, by) -> ApplicationStage:
    """Send in the stage's part before its deadline; the applicant gets a receipt."""
    stage, entry = _require_open(application, by)
    gaps = missing(application, stage)
    if gaps:
        raise StagePartError("incomplete", missing=gaps)
    now = database_now()
    entry.progress, entry.submitted_at = StageProgress.SUBMITTED, now
    db.session.flush()
    audit.record("stage.part_sent", actor=by, obj=application, stage=stage.position,
                 at_db=now.isoformat())
    applicant = application.applicant
    queue_mail(to=applicant.email, user=applicant, template="application_stage_received",
               locale=applicant.locale, key=f"stage-part:{application.id}:{stage.position}",
               context={"name": applicant.name, "reference": application.reference,
                        "stage_name": stage.name_fr if applicant.locale == "fr"
                        else stage.name_en,
                        "submitted_at": now.isoformat(),
                        "url": external_url("applications.status",
                                            application_id=application.id)})
    return entry


def _record_missed(application: Application, entry: ApplicationStage, now) -> None:
    entry.progress = StageProgress.MISSED
    db.session.flush()
    audit.record("stage.part_missed", actor=None, obj=application, stage=entry.stage,
                 at_db=now.isoformat())


def record_missed_parts() -> int:
    """Record as missed every open part whose stage deadline has passed (run by beat)."""
    now = database_now()
    rows = db.session.scalars(
        select(ApplicationStage).where(ApplicationStage.progress == StageProgress.OPEN)
        .with_for_update(skip_locked=True)).all()
    count = 0
    for entry in rows:
        application = entry.application
        stage = application.call.stage(entry.stage)
        if stage is not None and stage.closes_at is not None and now >= stage.closes_at:
            _record_missed(application, entry, now)
            count += 1
    return count
