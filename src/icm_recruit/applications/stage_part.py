"""The applicant's part of a later stage of a call: the documents it asks, by its deadline.

An applicant who goes on to a later stage is asked for more (a full proposal after a
short synopsis). They upload it and send it in before the stage's own deadline, read on
the database's clock; after the deadline nothing more is taken and their part is recorded
as missed (kept, never lost). What they sent at earlier stages stays as it was.
"""

from sqlalchemy import select

from icm_recruit.applications import rules
from icm_recruit.applications.models import (
    Application,
    ApplicationStage,
    ApplicationStatus,
    Document,
    StageProgress,
    count_words,
)
from icm_recruit.calls.models import DOCUMENT_KIND_LABELS, CallStage, DocumentKind, database_now
from icm_recruit.core import audit, storage
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db

TEXT_MAX_CHARS = 100_000  # far above any word limit HR may set


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


def missing(application: Application, stage: CallStage,
            entry: ApplicationStage | None = None) -> list[str]:
    """What stops the part being sent: documents not uploaded, texts empty or too long."""
    documents = application.current_documents()
    gaps = [str(DOCUMENT_KIND_LABELS[k]) for k in stage.required_kinds if k not in documents]
    texts = (entry.texts if entry is not None else None) or {}
    for section in stage.text_sections:
        words = count_words(texts.get(section.key))
        if section.required and words == 0:
            gaps.append(section.title)
        elif words > section.word_limit:
            gaps.append(str(_l("%(title)s within %(limit)d words (now %(n)d)",
                               title=section.title, limit=section.word_limit, n=words)))
    return gaps


def too_long(stage: CallStage, texts: dict) -> list[tuple[str, int, int]]:
    """(title, words, limit) of each text over its stage's word limit."""
    return [(section.title, count_words(texts.get(section.key)), section.word_limit)
            for section in stage.text_sections
            if count_words(texts.get(section.key)) > section.word_limit]


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


def save_texts(application: Application, typed: dict, *, by) -> ApplicationStage:
    """Keep what the applicant typed in the stage's texts, as typed (even over a word
    limit: sending is what the limits hold back). Texts of sections the stage no longer
    asks for stay as they were."""
    stage, entry = _require_open(application, by)
    texts = dict(entry.texts or {})
    changed = []
    for section in stage.text_sections:
        if section.key not in typed:
            continue
        text = (typed[section.key] or "").replace("\r\n", "\n")[:TEXT_MAX_CHARS]
        if texts.get(section.key, "") != text:
            texts[section.key] = text
            changed.append(section.key)
    if changed:
        entry.texts, entry.texts_saved_at = texts, database_now()
        db.session.flush()
        audit.record("stage.texts_saved", actor=by, obj=application, stage=stage.position,
                     sections=changed)
    return entry


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
    gaps = missing(application, stage, entry)
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


def written_texts(application: Application) -> list[tuple[CallStage, list[tuple[str, str]]]]:
    """The texts the applicant wrote at each later stage reached, as (stage, [(title,
    text)]), for the board and HR; a text of a section since removed keeps its place."""
    if application.stage <= 1:
        return []
    entries = {e.stage: e for e in db.session.scalars(select(ApplicationStage).where(
        ApplicationStage.application_id == application.id,
        ApplicationStage.stage <= application.stage))}
    shown = []
    for stage in application.call.stages:
        entry = entries.get(stage.position)
        if stage.position == 1 or stage.position > application.stage or entry is None:
            continue
        texts = entry.texts or {}
        rows = [(section.title, texts.get(section.key, "")) for section in stage.text_sections]
        asked = {section.key for section in stage.text_sections}
        rows += [(str(_l("Text no longer asked")), text) for key, text in texts.items()
                 if key not in asked and text]
        if rows:
            shown.append((stage, rows))
    return shown


def _entries_with_texts(application: Application) -> list[ApplicationStage]:
    return [e for e in db.session.scalars(select(ApplicationStage).where(
        ApplicationStage.application_id == application.id).order_by(ApplicationStage.stage))
        if e.texts]


def export_texts(application: Application) -> list[dict]:
    """The stage texts, for the applicant's personal-data export."""
    return [{"stage": e.stage, "texts": dict(e.texts),
             "saved_at": e.texts_saved_at.isoformat() if e.texts_saved_at else None,
             "sent_at": e.submitted_at.isoformat() if e.submitted_at else None}
            for e in _entries_with_texts(application)]


def erase_texts(application: Application) -> int:
    """Blank the stage texts (personal data erased or past retention); return how many."""
    count = 0
    for entry in _entries_with_texts(application):
        count += sum(1 for text in entry.texts.values() if text)
        entry.texts = {}
    db.session.flush()
    return count
