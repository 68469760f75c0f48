"""The stages of a call, and moving its applications from one stage to the next.

HR defines the stages. After a stage's ranking, HR or the chair mark each application of
the stage "goes on" or "does not go on", with a reason; a mark changes nothing else and
can change until the outcomes are sent. Sending (a confirmed batch job) tells each marked
applicant once: those who go on are asked for the next stage's part of their dossier, by
its deadline; the others receive the stage's outcome letter (if the stage sends one) and
their application ends as not selected. Once every application of the stage is told, the
call moves on to the next stage.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from icm_recruit.applications import referees
from icm_recruit.applications.models import (
    Application,
    ApplicationStage,
    ApplicationStatus,
    RefereeRequest,
    RefereeStatus,
    StageProgress,
    StageVerdict,
)
from icm_recruit.auth.models import Role, User
from icm_recruit.calls.models import Call, CallStage, CallStatus, RefereeMode, database_now
from icm_recruit.core import audit, locks
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.maillimit import actor_key, require_mail_allowed
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db
from icm_recruit.selection import letters, rules
from icm_recruit.selection.operations import (
    SelectionError,
    call_text,
    compose,
    drop_template,
    letter_values,
    lock,
    store_template,
)
from icm_recruit.selection.shortlist import (
    applicant_locale,
    fingerprint_of,
    previews_of,
)
from icm_recruit.selection.signals import with_additions

UNDECIDED = "undecided"
OUTCOME_KIND = "stages_outcome"


class StageError(SelectionError):
    messages = {
        **SelectionError.messages,
        "not_staged": _l("This call has a single stage: use the shortlist."),
        "last_stage": _l("This is the call's last stage: its applicants go to the shortlist."),
        "not_at_stage": _l("%(ref)s is not at the stage being decided."),
        "already_told": _l("%(ref)s was already told the outcome of this stage, so its mark "
                           "can no longer change."),
        "undecided_left": _l("Some applications of this stage have no mark yet: every "
                             "application needs one before the next stage opens."),
        "nothing_to_tell": _l("No marked application is waiting to be told: nothing to send."),
        "marks_changed": _l("The marks changed since you opened the summary. Check the new "
                            "counts and confirm again."),
        "outcomes_running": _l("The outcomes are being sent already; wait for that run to "
                               "finish."),
        "no_deadline": _l("Set the deadline of the next stage before its applicants are "
                          "asked for their part of the dossier."),
        "deadline_past": _l("The deadline of the next stage has passed: set a later one first."),
        "stage_started": _l("Applicants have started this stage: confirm to change its rules. "
                            "What they already sent is kept."),
        "stage_missing": _l("This stage does not exist."),
        "stage_opened": _l("This stage is open: it can no longer be removed."),
        "kind_taken": _l("An earlier stage asks for this document already."),
        "deadline_order": _l("The deadline of a stage must come after the call's closing date."),
        "no_institution_letters": _l("The stage this application is at does not ask for "
                                     "letters from referees chosen by the institution."),
        "referee_is_applicant": _l("The applicant cannot be their own referee."),
        "referee_twice": _l("This referee was already asked for a letter at this stage."),
    }


# Defining the stages ------------------------------------------------------------------------


def _require_hr(call: Call, by) -> None:
    if not by.has_role(Role.ADMIN):
        raise StageError("forbidden")


def ensure_first_stage(call: Call) -> CallStage:
    """A call that gains a second stage has its first one as a row too."""
    first = call.stage(1)
    if first is None:
        first = CallStage(call=call, position=1, name_en="Long list", name_fr="Liste longue",
                          opened_at=call.opens_at)
        db.session.add(first)
        db.session.flush()
    return first


def started(call: Call, position: int) -> bool:
    """Applicants are at this stage already (their work there must be kept)."""
    if position == 1:
        return call.status != CallStatus.DRAFT
    return bool(db.session.scalar(select(func.count(Application.id)).where(
        Application.call_id == call.id, Application.stage >= position)))


STAGE_FIELDS = ("name_en", "name_fr", "instructions_en", "instructions_fr", "closes_at",
                "reviewers_per_application", "review_due_at", "referee_mode",
                "referees_required", "notify_outcome", "document_rules", "sections")


def save_stage(call: Call, data: dict, *, by, position: int | None = None,
               confirmed: bool = False) -> CallStage:
    """Add a stage at the end (position None) or change one; audited.

    Changing a stage applicants have reached asks for `confirmed`; nothing they sent is
    touched (a document rule only applies to what is uploaded from now on).
    """
    _require_hr(call, by)
    call = locks.lock(Call, call.id)
    if position is None:
        ensure_first_stage(call)
        stage = CallStage(call=call, position=len(call.stages) + 1)
        db.session.add(stage)
        before = None
    else:
        stage = call.stage(position)
        if stage is None:
            raise StageError("stage_missing")
        if started(call, position) and not confirmed:
            raise StageError("stage_started")
        before = {f: _plain(getattr(stage, f)) for f in STAGE_FIELDS}
    later = not (position == 1)
    if later:
        earlier_kinds = set(call.rules()) | {k for s in call.stages
                                             if s.position < stage.position for k in s.rules()}
        if any(rule["kind"] in earlier_kinds for rule in data.get("document_rules") or []):
            raise StageError("kind_taken")
        closes_at = data.get("closes_at")
        if closes_at is not None and closes_at <= call.closes_at:
            raise StageError("deadline_order")
    for field in STAGE_FIELDS:
        if field in data and (later or field in ("name_en", "name_fr", "instructions_en",
                                                  "instructions_fr", "notify_outcome",
                                                  "review_due_at")):
            setattr(stage, field, data[field])
    db.session.flush()
    audit.record("stage.added" if before is None else "stage.changed", actor=by, obj=call,
                 stage=stage.position, before=before,
                 after={f: _plain(getattr(stage, f)) for f in STAGE_FIELDS})
    return stage


def remove_stage(call: Call, position: int, *, by) -> None:
    """Remove the last stage while nobody has reached it."""
    _require_hr(call, by)
    call = locks.lock(Call, call.id)
    stage = call.stage(position)
    if stage is None or position == 1 or position != len(call.stages):
        raise StageError("stage_missing")
    if stage.is_open or started(call, position):
        raise StageError("stage_opened")
    db.session.delete(stage)
    db.session.flush()
    if len(call.stages) == 1:
        # Back to a call of one stage: it needs no row for it.
        db.session.delete(call.stages[0])
    db.session.flush()
    db.session.expire(call, ["stages"])
    audit.record("stage.removed", actor=by, obj=call, stage=position)


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value.value if hasattr(value, "value") else value


# Marks --------------------------------------------------------------------------------------


def _entry(application_id: int, position: int, *, lock_row: bool = False
           ) -> ApplicationStage | None:
    stmt = select(ApplicationStage).where(ApplicationStage.application_id == application_id,
                                          ApplicationStage.stage == position)
    if lock_row:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(stmt).one_or_none()


def _require_deciding(call: Call) -> None:
    if not call.is_staged:
        raise StageError("not_staged")
    if call.is_last_stage:
        raise StageError("last_stage")


def mark(application: Application, *, verdict: str, reason: str, by) -> None:
    """Set, change or clear the stage verdict of one application; nothing is sent."""
    application = lock(application)
    call = application.call
    _require_deciding(call)
    if not rules.may_shortlist(by, application):
        raise StageError("forbidden")
    if application.stage != call.current_stage \
            or application.status != ApplicationStatus.UNDER_REVIEW:
        raise StageError("not_at_stage", reference=application.reference)
    entry = _entry(application.id, call.current_stage, lock_row=True)
    if entry is not None and entry.told_at is not None:
        raise StageError("already_told", reference=application.reference)
    reason = (reason or "").strip()[:4000]
    if verdict == UNDECIDED:
        if entry is not None and entry.verdict is not None:
            before = entry.verdict.value
            entry.verdict, entry.reason, entry.marked_at = None, "", None
            db.session.flush()
            audit.record("stage.unmarked", actor=by, obj=application, stage=entry.stage,
                         before=before, reason=reason)
        return
    verdict = StageVerdict(verdict)
    if not reason:
        raise StageError("reason_needed")
    if entry is None:
        entry = ApplicationStage(application_id=application.id, stage=call.current_stage)
        db.session.add(entry)
    before = entry.verdict.value if entry.verdict else None
    entry.verdict, entry.reason = verdict, reason
    entry.marked_by_id, entry.marked_at = by.id, database_now()
    db.session.flush()
    audit.record("stage.marked", actor=by, obj=application, stage=entry.stage,
                 verdict=verdict.value, before=before, reason=reason)


def mark_many(applications: list[Application], *, verdict: str, reason: str,
              by) -> tuple[list[str], list[tuple[str, str]]]:
    """Mark several applications with one reason; return (done, [(reference, code)])."""
    done, refused = [], []
    for application in applications:
        try:
            mark(application, verdict=verdict, reason=reason, by=by)
        except StageError as exc:
            if exc.code in ("reason_needed", "not_staged", "last_stage"):
                raise
            refused.append((application.reference, exc.code))
        else:
            done.append(application.reference)
    return done, refused


# The applications of the stage being decided ---------------------------------------------


def stage_applications(call: Call, by) -> list[Application]:
    """Applications at the call's current stage under review that `by` may decide on."""
    rows = db.session.scalars(
        select(Application).where(Application.call_id == call.id,
                                  Application.stage == call.current_stage,
                                  Application.status == ApplicationStatus.UNDER_REVIEW)
        .options(joinedload(Application.applicant)).order_by(Application.reference)).all()
    return [a for a in rows if rules.may_shortlist(by, a)]


def entries_of(call: Call, position: int) -> dict[int, ApplicationStage]:
    rows = db.session.scalars(
        select(ApplicationStage).join(ApplicationStage.application)
        .where(Application.call_id == call.id, ApplicationStage.stage == position))
    return {e.application_id: e for e in rows}


# Templates ----------------------------------------------------------------------------------

DEFAULTS = {
    ("advance", "en"): letters.Letter(
        "Application {reference}: you go on to the next stage",
        "Dear {name},\n\nGood news: the Scientific Advisory Board has selected your "
        "application {reference} to the call \"{call}\" for its next stage.\n\n"
        "Please sign in to see what is asked of you now and by when.\n\n"
        "With our best regards,\nThe Scientific Advisory Board"),
    ("advance", "fr"): letters.Letter(
        "Candidature {reference} : vous passez à l’étape suivante",
        "Bonjour {name},\n\nBonne nouvelle : le conseil scientifique a retenu votre "
        "candidature {reference} à l’appel « {call} » pour son étape suivante.\n\n"
        "Connectez-vous pour voir ce qui vous est demandé maintenant, et pour quand.\n\n"
        "Bien cordialement,\nLe conseil scientifique"),
    ("stop", "en"): letters.Letter(
        "Application {reference}",
        "Dear {name},\n\nThank you for applying to the call \"{call}\". After careful "
        "review, the Scientific Advisory Board has not selected your application "
        "{reference} for the next stage.\n\nWe thank you for your interest and wish you every "
        "success.\n\nWith our best regards,\nThe Scientific Advisory Board"),
    ("stop", "fr"): letters.Letter(
        "Candidature {reference}",
        "Bonjour {name},\n\nMerci d’avoir candidaté à l’appel « {call} ». Après un examen "
        "attentif, le conseil scientifique n’a pas retenu votre candidature {reference} pour "
        "l’étape suivante.\n\nNous vous remercions de votre intérêt et vous souhaitons pleine "
        "réussite.\n\nBien cordialement,\nLe conseil scientifique"),
}


def template_for(call: Call, verdict: StageVerdict, locale: str) -> letters.Letter:
    return call_text(OUTCOME_KIND, call, verdict, locale, DEFAULTS)


def save_template(call: Call, verdict: StageVerdict, locale: str, *, subject: str, body: str,
                  by):
    if not by.has_role(Role.ADMIN, Role.CHAIR):
        raise StageError("forbidden")
    return store_template(OUTCOME_KIND, call, verdict, locale, subject=subject, body=body,
                          by=by, action="stage_template")


def reset_template(call: Call, verdict: StageVerdict, locale: str, *, by) -> bool:
    if not by.has_role(Role.ADMIN, Role.CHAIR):
        raise StageError("forbidden")
    return drop_template(OUTCOME_KIND, call, verdict, locale, by=by, action="stage_template")


def render_outcome(application: Application, verdict: StageVerdict,
                   locale: str | None = None) -> letters.Letter:
    locale = locale or applicant_locale(application)
    return compose(template_for(application.call, verdict, locale),
                   letter_values(application, locale, ""))


# Sending ------------------------------------------------------------------------------------


def untold(call: Call, by) -> list[ApplicationStage]:
    """Marked entries of the current stage not told yet, that `by` may send."""
    rows = db.session.scalars(
        select(ApplicationStage).join(ApplicationStage.application)
        .where(Application.call_id == call.id, ApplicationStage.stage == call.current_stage,
               ApplicationStage.verdict.is_not(None), ApplicationStage.told_at.is_(None),
               Application.stage == call.current_stage,
               Application.status == ApplicationStatus.UNDER_REVIEW)
        .options(joinedload(ApplicationStage.application).joinedload(Application.applicant))
        .order_by(Application.reference)).all()
    return [e for e in rows if rules.may_shortlist(by, e.application)]


def fingerprint(entries: list[ApplicationStage]) -> str:
    return fingerprint_of((e.application_id, e.verdict.value) for e in entries)


@dataclass
class Summary:
    counts: Counter
    previews: dict
    fingerprint: str
    total: int
    undecided: int
    next_stage: CallStage | None


def summary(call: Call, by) -> Summary:
    """What sending would do now: counts per verdict, the undecided left, a preview each."""
    entries = untold(call, by)
    marked = {e.application_id for e in entries}
    undecided = sum(1 for a in stage_applications(call, by) if a.id not in marked)
    counts = Counter(e.verdict for e in entries)
    stage = call.stage(call.current_stage)
    mailed = [v for v in StageVerdict if v is not StageVerdict.STOP or stage.notify_outcome]
    previews = previews_of([(e.application, e.verdict) for e in entries], mailed,
                           render_outcome)
    return Summary(counts, previews, fingerprint(entries), len(entries), undecided,
                   call.stage(call.current_stage + 1))


def sending_problem(call: Call, by, confirmed_fingerprint: str, *, running: bool) -> str | None:
    """Why the outcomes cannot be sent as confirmed, or None."""
    try:
        _require_deciding(call)
    except StageError as exc:
        return exc.message
    if running:
        return StageError("outcomes_running").message
    result = summary(call, by)
    if not result.total:
        return StageError("nothing_to_tell").message
    if result.undecided:
        return StageError("undecided_left").message
    if result.fingerprint != confirmed_fingerprint:
        return StageError("marks_changed").message
    following = result.next_stage
    if following is None or following.closes_at is None:
        return StageError("no_deadline").message
    if following.closes_at <= database_now():
        return StageError("deadline_past").message
    problems = [p for p in result.previews.values() if isinstance(p, str)]
    return problems[0] if problems else None


def tell(entry_id: int, *, by) -> bool:
    """Tell one applicant the outcome of their stage and apply it; False if done already.

    The entry is locked first, so two runs cannot both see it untold; the outbox key
    (application, stage) refuses a second mail in any case.
    """
    entry = db.session.scalars(
        select(ApplicationStage).where(ApplicationStage.id == entry_id).with_for_update()
        .execution_options(populate_existing=True)).one_or_none()
    if entry is None or entry.told_at is not None or entry.verdict is None:
        return False
    application = lock(entry.application)
    call = application.call
    if application.stage != entry.stage or application.status != ApplicationStatus.UNDER_REVIEW \
            or not rules.may_shortlist(by, application):
        return False
    now = database_now()
    stage = call.stage(entry.stage)
    entry.told_at = entry.decided_at = now
    applicant = application.applicant
    url = external_url("applications.status", application_id=application.id)
    if entry.verdict is StageVerdict.ADVANCE:
        following = call.stage(entry.stage + 1)
        application.stage = following.position
        db.session.add(ApplicationStage(application_id=application.id, stage=following.position,
                                        progress=StageProgress.OPEN, opened_at=now))
        audit.record("stage.advanced", actor=by, obj=application, stage=entry.stage,
                     to=following.position, reason=entry.reason)
        send = True
    else:
        before = application.status
        application.status = ApplicationStatus.REJECTED
        audit.record("stage.stopped", actor=by, obj=application, stage=entry.stage,
                     before=before.value, reason=entry.reason)
        send = stage.notify_outcome
    db.session.flush()
    if send:
        letter = render_outcome(application, entry.verdict)
        queue_mail(to=applicant.email, user=applicant, template=OUTCOME_KIND,
                   locale=applicant_locale(application),
                   key=f"stage:{application.id}:{entry.stage}",
                   context={"subject": letter.subject, "url": url,
                            "body": with_additions(letter.body, application, by=by)})
    _move_on_if_done(call, entry.stage, by)
    return True


def _move_on_if_done(call: Call, position: int, by) -> None:
    """Once no application of the stage waits for its outcome, the call goes on."""
    call = locks.lock(Call, call.id)
    if call.current_stage != position:
        return
    waiting = db.session.scalar(select(func.count(Application.id)).where(
        Application.call_id == call.id, Application.stage == position,
        Application.status == ApplicationStatus.UNDER_REVIEW))
    if waiting:
        return
    following = call.stage(position + 1)
    call.current_stage = following.position
    following.opened_at = database_now()
    db.session.flush()
    audit.record("stage.opened", actor=by, obj=call, stage=following.position)


# Letters from referees the institution chooses -------------------------------------------


def institution_letters(application: Application) -> list[RefereeRequest]:
    """The letters HR or the chair asked for at the stage the application is at."""
    return [r for r in application.referee_requests
            if r.chosen_by_institution and r.stage == application.stage]


def ask_institution_letter(application: Application, *, name: str, email: str,
                           institution: str, locale: str, by) -> RefereeRequest:
    """Ask a referee HR or the chair chose for a confidential letter, by a one-time link.

    The applicant is told only that a letter was asked for and when it came, never who.
    """
    application = lock(application)
    call = application.call
    if not rules.may_shortlist(by, application):
        raise StageError("forbidden")
    stage = call.stage(application.stage)
    if stage is None or stage.is_first or stage.referee_mode != RefereeMode.INSTITUTION \
            or application.status != ApplicationStatus.UNDER_REVIEW:
        raise StageError("no_institution_letters")
    email = User.normalize_email(email)
    if email == application.applicant.email:
        raise StageError("referee_is_applicant")
    if any(r.email == email and r.status != RefereeStatus.CANCELLED
           for r in institution_letters(application)):
        raise StageError("referee_twice")
    require_mail_allowed(actor_key(user=by), email)
    now = database_now()
    request = RefereeRequest(application=application, name=name.strip(), email=email,
                             institution=institution.strip(), locale=locale,
                             status=RefereeStatus.REQUESTED, sent_at=now,
                             stage=stage.position, chosen_by_institution=True)
    url = referees.issue_link(request, now)
    db.session.add(request)
    db.session.flush()
    audit.record("referee.requested", actor=by, obj=application, referee_request_id=request.id,
                 referee_email=email, stage=stage.position, chosen_by_institution=True)
    queue_mail(to=email, template="referee_institution_request", locale=locale,
               key=f"referee-request:{request.id}:{request.token_hash[:16]}",
               context={"referee": request.name, "applicant": application.applicant.name,
                        "call_title_en": call.title_en, "call_title_fr": call.title_fr,
                        "expires_at": request.expires_at.isoformat()},
               secret_links={"url": url}, link_kind="referee")
    return request
