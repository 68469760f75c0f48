"""Shortlist marks that can change until the outcomes are sent, and the step that sends them.

Marking writes only the mark and its audit event: nothing is mailed and the application's
status stays "under review". Sending the outcomes (a confirmed batch) mails each marked
applicant once, with HR's template in their language, moves the application to shortlisted
or not selected, and locks the mark. Interviews are offered to shortlisted applications
only, so an applicant is never invited to book before being told they were shortlisted.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import Call, database_now
from icm_recruit.core import audit
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db
from icm_recruit.selection import letters, rules, signals
from icm_recruit.selection.models import ShortlistMark, ShortlistOutcome
from icm_recruit.selection.operations import (
    SelectionError,
    call_text,
    compose,
    drop_template,
    letter_values,
    lock,
    store_template,
)

UNDECIDED = "undecided"
LOCALES = ("en", "fr")
TOLD_STATUS = {ShortlistOutcome.SHORTLISTED: ApplicationStatus.SHORTLISTED,
               ShortlistOutcome.REJECTED: ApplicationStatus.REJECTED}


class ShortlistError(SelectionError):
    messages = {
        **SelectionError.messages,
        "already_told": _l("%(ref)s was already told the outcome by e-mail, so its mark "
                           "can no longer change."),
        "outcomes_running": _l("The outcomes are being sent already; wait for that run to "
                               "finish."),
        "nothing_to_tell": _l("No marked application is waiting to be told: nothing to send."),
        "marks_changed": _l("The marks changed since you opened the summary. Check the new "
                            "counts and confirm again."),
    }


# Marks -------------------------------------------------------------------------------------


def mark_for_shortlist(application: Application, *, outcome: str, reason: str, by) -> None:
    """Set, change or clear (outcome "undecided") the mark of an application under review.

    Nothing is sent: the applicant learns the outcome only when HR sends the outcomes.
    """
    application = lock(application)
    if not rules.may_shortlist(by, application):
        raise ShortlistError("forbidden")
    mark = _lock_mark(application.id)
    if mark is not None and mark.is_told:
        raise ShortlistError("already_told", reference=application.reference)
    if application.status != ApplicationStatus.UNDER_REVIEW:
        raise ShortlistError("not_under_review", reference=application.reference)
    reason = (reason or "").strip()[:4000]
    if outcome == UNDECIDED:
        if mark is not None:
            before = mark.outcome.value
            db.session.delete(mark)
            db.session.flush()
            audit.record("shortlist.unmarked", actor=by, obj=application, before=before,
                         reason=reason)
        return
    outcome = ShortlistOutcome(outcome)
    if not reason:
        raise ShortlistError("reason_needed")
    before = mark.outcome.value if mark is not None else None
    if mark is None:
        mark = ShortlistMark(application_id=application.id)
        db.session.add(mark)
    mark.outcome, mark.reason = outcome, reason
    mark.marked_by_id, mark.marked_at = by.id, database_now()
    db.session.flush()
    audit.record("shortlist.marked", actor=by, obj=application, outcome=outcome.value,
                 before=before, reason=reason)


def mark_many(applications: list[Application], *, outcome: str, reason: str,
              by) -> tuple[list[str], list[tuple[str, str]]]:
    """Mark several applications; return the references done and (reference, code) refused."""
    done, refused = [], []
    for application in applications:
        try:
            mark_for_shortlist(application, outcome=outcome, reason=reason, by=by)
        except ShortlistError as exc:
            if exc.code == "reason_needed":
                raise
            refused.append((application.reference, exc.code))
        else:
            done.append(application.reference)
    return done, refused


def _lock_mark(application_id: int) -> ShortlistMark | None:
    return db.session.scalars(
        select(ShortlistMark).where(ShortlistMark.application_id == application_id)
        .with_for_update().execution_options(populate_existing=True)).one_or_none()


# Templates ---------------------------------------------------------------------------------

DEFAULTS = {
    ("shortlisted", "en"): letters.Letter(
        "Application {reference}: shortlisted for an interview",
        "Dear {name},\n\nGood news: the Scientific Advisory Board has shortlisted your "
        "application {reference} to the call \"{call}\" for an interview.\n\nYou will soon "
        "receive an e-mail inviting you to choose an interview time.\n\n"
        "With our best regards,\nThe Scientific Advisory Board"),
    ("shortlisted", "fr"): letters.Letter(
        "Candidature {reference} : retenue pour un entretien",
        "Bonjour {name},\n\nBonne nouvelle : le conseil scientifique a retenu votre "
        "candidature {reference} à l’appel « {call} » pour un entretien.\n\nVous recevrez "
        "bientôt un e-mail vous invitant à choisir un horaire d’entretien.\n\n"
        "Bien cordialement,\nLe conseil scientifique"),
    ("rejected", "en"): letters.Letter(
        "Application {reference}",
        "Dear {name},\n\nThank you for applying to the call \"{call}\". After careful "
        "review, the Scientific Advisory Board has not shortlisted your application "
        "{reference} for an interview.\n\nWe thank you for your interest and wish you every "
        "success.\n\nWith our best regards,\nThe Scientific Advisory Board"),
    ("rejected", "fr"): letters.Letter(
        "Candidature {reference}",
        "Bonjour {name},\n\nMerci d’avoir candidaté à l’appel « {call} ». Après un examen "
        "attentif, le conseil scientifique n’a pas retenu votre candidature {reference} pour "
        "un entretien.\n\nNous vous remercions de votre intérêt et vous souhaitons pleine "
        "réussite.\n\nBien cordialement,\nLe conseil scientifique"),
}


OUTCOME_KIND = "selection_shortlist_outcome"


def template_for(call: Call, outcome: ShortlistOutcome, locale: str) -> letters.Letter:
    """Return HR's text for the call, or the default text when HR has not written one."""
    return call_text(OUTCOME_KIND, call, outcome, locale, DEFAULTS)


def save_template(call: Call, outcome: ShortlistOutcome, locale: str, *, subject: str,
                  body: str, by):
    """Store the text of an outcome e-mail after checking its placeholders."""
    if not by.has_role(Role.ADMIN, Role.CHAIR):
        raise ShortlistError("forbidden")
    return store_template(OUTCOME_KIND, call, outcome, locale, subject=subject, body=body,
                          by=by, action="shortlist_template")


def reset_template(call: Call, outcome: ShortlistOutcome, locale: str, *, by) -> bool:
    """Go back to the default text; False when HR had not changed it."""
    if not by.has_role(Role.ADMIN, Role.CHAIR):
        raise ShortlistError("forbidden")
    return drop_template(OUTCOME_KIND, call, outcome, locale, by=by,
                         action="shortlist_template")


def applicant_locale(application: Application) -> str:
    locale = application.applicant.locale
    return locale if locale in LOCALES else "en"


def render_outcome(application: Application, outcome: ShortlistOutcome,
                   locale: str | None = None) -> letters.Letter:
    """The e-mail telling this applicant the outcome, in their language unless one is given."""
    locale = locale or applicant_locale(application)
    return compose(template_for(application.call, outcome, locale),
                   letter_values(application, locale, ""))


# Sending -----------------------------------------------------------------------------------


def untold_marks(call_id: int, by) -> list[ShortlistMark]:
    """Marks of the call not told yet that `by` may send, on applications still under review."""
    marks = db.session.scalars(
        select(ShortlistMark).join(ShortlistMark.application)
        .where(Application.call_id == call_id, ShortlistMark.told_at.is_(None),
               Application.status == ApplicationStatus.UNDER_REVIEW)
        .options(joinedload(ShortlistMark.application).joinedload(Application.applicant))
        .order_by(Application.reference)).all()
    return [m for m in marks if rules.may_shortlist(by, m.application)]


def fingerprint_of(pairs) -> str:
    """A short digest of (application id, outcome) pairs: a confirmation then applies only
    to what the summary showed."""
    text = ";".join(f"{app_id}:{outcome}" for app_id, outcome in sorted(pairs))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprint(marks: list[ShortlistMark]) -> str:
    return fingerprint_of((m.application_id, m.outcome.value) for m in marks)


def previews_of(items, outcomes, render) -> dict:
    """{(outcome value, locale): (letter, sample application) or the template's problem}
    for each outcome among (application, outcome) items, shown with a real applicant."""
    previews = {}
    for outcome in outcomes:
        sample = next((application for application, o in items if o is outcome), None)
        if sample is None:
            continue
        for locale in LOCALES:
            try:
                previews[(outcome.value, locale)] = (render(sample, outcome, locale), sample)
            except letters.TemplateError as problem:
                previews[(outcome.value, locale)] = problem.message
    return previews


@dataclass
class Summary:
    counts: Counter
    previews: dict  # {(outcome value, locale): (letter, sample application) or problem text}
    fingerprint: str
    total: int


def summary(call: Call, by) -> Summary:
    """What sending the outcomes would do now: counts per outcome and a preview of each mail."""
    marks = untold_marks(call.id, by)
    counts = Counter(m.outcome for m in marks)
    previews = previews_of([(m.application, m.outcome) for m in marks], ShortlistOutcome,
                           render_outcome)
    return Summary(counts, previews, fingerprint(marks), len(marks))


def tell_outcome(mark_id: int, *, by) -> bool:
    """Mail one applicant their shortlist outcome and apply it; False if already told.

    The mark is locked first, so two runs cannot both see it untold; the outbox key
    (application, outcome) refuses a second copy in any case.
    """
    mark = db.session.scalars(
        select(ShortlistMark).where(ShortlistMark.id == mark_id).with_for_update()
        .execution_options(populate_existing=True)).one_or_none()
    if mark is None or mark.is_told:
        return False
    application = lock(mark.application)
    if application.status != ApplicationStatus.UNDER_REVIEW or not rules.may_shortlist(
            by, application):
        return False
    letter = render_outcome(application, mark.outcome)
    before = application.status
    application.status = TOLD_STATUS[mark.outcome]
    mark.told_at = database_now()
    db.session.flush()
    audit.record(f"application.{mark.outcome.value}", actor=by, obj=application,
                 before=before.value, reason=mark.reason)
    applicant = application.applicant
    queue_mail(to=applicant.email, user=applicant, template=OUTCOME_KIND,
               locale=applicant_locale(application),
               key=f"shortlist:{application.id}:{mark.outcome.value}",
               context={"subject": letter.subject,
                        "body": signals.with_additions(letter.body, application, by=by),
                        "url": external_url("applications.status",
                                            application_id=application.id)})
    return True
