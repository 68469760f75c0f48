"""Selection state changes: decisions, decision letters and offer answers.

Each function checks who may act and whether the application is in the right state,
writes the audit event and queues its mail in the caller's transaction; the caller commits.
"""

import hashlib
import re

from sqlalchemy import or_, select

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
)
from icm_recruit.applications.rules import OWN_APPLICATION_MESSAGE
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import Call, database_now
from icm_recruit.core import audit, locks, mailtexts
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db
from icm_recruit.selection import letters, rules, signals
from icm_recruit.selection.models import (
    Decision,
    OfferResponse,
    Outcome,
)


class SelectionError(DomainError):
    """A refusal the user can understand; `code` says which."""

    messages = {
        "forbidden": _l("You cannot do this on this application."),
        "own_application": OWN_APPLICATION_MESSAGE,
        "not_under_review": _l("%(ref)s is not under review any more, so it cannot be "
                               "shortlisted or rejected now."),
        "reason_needed": _l("Give the reason for this choice; it is kept in the audit trail."),
        "wrong_state": _l("No decision can be recorded for %(ref)s in its current state "
                          "(%(status)s). Decisions follow an interview."),
        "already_answered": _l("You have already answered this offer."),
        "no_offer": _l("There is no offer to answer on this application."),
        "place_needed": _l("Give a room or a video link."),
        "panel_needed": _l("Choose at least one panel member."),
        "slot_in_past": _l("This time is already past."),
        "bad_duration": _l("The duration must be between 1 and 480 minutes."),
        "one_line_place": _l("The room must fit on one line and the video link must have no "
                             "spaces or line breaks."),
        "not_board_member": _l("Panel members must be active board members."),
        "slot_withdrawn": _l("This slot was withdrawn."),
        "panel_conflict": _l("A panel member has a conflict of interest with this applicant: "
                             "%(names)s. Choose another panel or slot."),
        "not_invited": _l("You have not been invited to an interview."),
        "already_booked": _l("Your interview is already booked. Write to HR to change it."),
        "not_shortlisted": _l("%(ref)s is not shortlisted."),
        "slot_unavailable": _l("This slot cannot be booked."),
        "slot_taken": _l("Someone else has just taken this slot. Choose another one."),
        "not_booked": _l("This interview is not booked."),
        "scores_incomplete": _l("Score every criterion."),
        "score_out_of_scale": _l("A score is outside the criterion's scale."),
        "not_started": _l("The interview has not started yet: scores can be entered once "
                          "it has begun."),
        "job_running": _l("Letters are being sent already; wait for that run to finish."),
        "nothing_to_send": _l("Every recorded decision has already been sent: "
                              "nothing to send."),
    }
    fallback = _l("This action is not possible now.")

    def message_params(self) -> dict:
        status = self.details.get("status", "")
        if status in {s.value for s in ApplicationStatus}:
            status = str(ApplicationStatus(status).label)
        return {"ref": self.details.get("reference", ""), "status": status,
                "names": self.details.get("names", "")}


def lock(application: Application) -> Application:
    """Reload the application under a row lock so two requests cannot change it at once."""
    return db.session.scalars(
        select(Application).where(Application.id == application.id)
        .with_for_update().execution_options(populate_existing=True)).one()


def call_context(application: Application) -> dict:
    applicant = application.applicant
    return {"name": applicant.name, "reference": application.reference,
            "call_title_en": application.call.title_en,
            "call_title_fr": application.call.title_fr}


# Shortlist marks and their outcomes: see selection/shortlist.py.


# Decisions ---------------------------------------------------------------------------------

OUTCOME_STATUS = {Outcome.OFFER: ApplicationStatus.OFFERED,
                  Outcome.WAITLIST: ApplicationStatus.WAITLISTED,
                  Outcome.REJECT: ApplicationStatus.REJECTED}


def decision_of(application: Application) -> Decision | None:
    return db.session.scalar(select(Decision).where(Decision.application_id == application.id))


def record_decision(application: Application, *, outcome: Outcome, feedback: str,
                    by) -> Decision:
    """Record HR's outcome for an interviewed application; the letter tells it later.

    An unsent decision can be changed; a sent waiting-list decision can be replaced by an
    offer or a refusal (a new version with its own letter); anything else is refused.
    """
    application = lock(application)
    if not rules.may_decide(by, application):
        raise SelectionError("forbidden")
    decision = decision_of(application)
    if decision is not None and decision.sent_at is None:
        pass
    elif (decision is not None and application.status == ApplicationStatus.WAITLISTED
          and outcome is not Outcome.WAITLIST):
        decision.version += 1
        decision.sent_at = decision.letter_subject = decision.letter_body = None
    elif decision is None and application.status == ApplicationStatus.INTERVIEW:
        decision = Decision(application_id=application.id, outcome=outcome)
        db.session.add(decision)
    else:
        raise SelectionError("wrong_state", reference=application.reference,
                             status=application.status.value)
    decision.outcome = outcome
    decision.feedback = (feedback or "").strip()[:8000]
    decision.decided_by_id, decision.decided_at = by.id, database_now()
    db.session.flush()
    audit.record("decision.recorded", actor=by, obj=application, outcome=outcome.value,
                 version=decision.version)
    return decision


LETTER_KIND = "selection_decision_letter"


def template_for(call: Call, outcome: Outcome, locale: str) -> letters.Letter:
    """Return HR's template for the call, or the default text when HR has not written one."""
    return call_text(LETTER_KIND, call, outcome, locale, letters.DEFAULTS)


def call_text(kind: str, call: Call, outcome, locale: str, defaults) -> letters.Letter:
    """The text of a per-call mail for that outcome and language: the call's own, else the
    one HR set for every call, else the default (one query)."""
    row = db.session.scalar(
        select(mailtexts.MailText)
        .where(mailtexts.MailText.kind == kind, mailtexts.MailText.locale == locale,
               mailtexts.MailText.variant == outcome.value,
               or_(mailtexts.MailText.call_id == call.id,
                   mailtexts.MailText.call_id.is_(None)))
        .order_by(mailtexts.MailText.call_id.is_(None)).limit(1))
    if row is not None:
        return letters.Letter(row.subject, row.body)
    return defaults[(outcome.value, locale)]


def institute_text(kind: str, outcome, locale: str, defaults) -> letters.Letter:
    """The text HR set for every call (for that outcome and language), or the default."""
    row = mailtexts.find(kind, locale, variant=outcome.value)
    if row is not None:
        return letters.Letter(row.subject, row.body)
    return defaults[(outcome.value, locale)]


def store_institute_text(kind: str, outcome, locale: str, *, subject: str, body: str, by,
                         action: str):
    """Store the text of a per-call mail for every call without its own, audited."""
    letters.check(subject, body)
    return mailtexts.store(kind, locale, subject=subject, body=body, by=by,
                           variant=outcome.value, action=action, outcome=outcome.value,
                           for_all_calls=True)


def drop_institute_text(kind: str, outcome, locale: str, *, by, action: str) -> bool:
    """Go back to the default for every call without its own text; False if unchanged."""
    return mailtexts.drop(kind, locale, by=by, variant=outcome.value, action=action,
                          outcome=outcome.value, for_all_calls=True)


def store_template(kind: str, call: Call, outcome, locale: str, *, subject: str, body: str,
                   by, action: str):
    """Store an edited e-mail text (letter or shortlist outcome) of a call, audited."""
    letters.check(subject, body)
    locks.lock(Call, call.id)  # two saves at once: the second updates the first one's row
    return mailtexts.store(kind, locale, subject=subject, body=body, by=by, call=call,
                           variant=outcome.value, action=action, outcome=outcome.value)


def drop_template(kind: str, call: Call, outcome, locale: str, *, by, action: str) -> bool:
    """Go back to the default text; False when it had not been changed. The text that
    was written stays in the audit trail."""
    return mailtexts.drop(kind, locale, by=by, call=call, variant=outcome.value,
                          action=action, outcome=outcome.value)


def save_template(call: Call, outcome: Outcome, locale: str, *, subject: str, body: str,
                  by):
    """Store a letter template after checking its placeholders."""
    if not by.has_role(Role.ADMIN):
        raise SelectionError("forbidden")
    return store_template(LETTER_KIND, call, outcome, locale, subject=subject, body=body,
                          by=by, action="letter_template")


def reset_template(call: Call, outcome: Outcome, locale: str, *, by) -> bool:
    """Go back to the default letter; False when HR had not changed it."""
    if not by.has_role(Role.ADMIN):
        raise SelectionError("forbidden")
    return drop_template(LETTER_KIND, call, outcome, locale, by=by, action="letter_template")


def letter_values(application: Application, locale: str, feedback: str) -> dict[str, str]:
    call = application.call
    title = (call.title_fr or call.title_en) if locale == "fr" else (call.title_en
                                                                     or call.title_fr)
    return {"name": application.applicant.name, "call": title,
            "reference": application.reference or "", "feedback": feedback or ""}


def compose(letter: letters.Letter, values: dict[str, str]) -> letters.Letter:
    """Fill a template; raise letters.TemplateError on an unknown placeholder."""
    letters.check(letter.subject, letter.body)
    subject = " ".join(letters.fill(letter.subject, values).split())
    body = re.sub(r"\n{3,}", "\n\n", letters.fill(letter.body, values)).strip()
    return letters.Letter(subject, body)


def render_letter(decision: Decision, locale: str | None = None) -> letters.Letter:
    """Return the letter of a decision as it would be sent: in the applicant's language,
    or in `locale` for a preview."""
    application = decision.application
    if locale is None:
        locale = application.applicant.locale if application.applicant.locale in ("fr", "en") \
            else "en"
    template = template_for(application.call, decision.outcome, locale)
    return compose(template, letter_values(application, locale, decision.feedback))


def letters_summary(decision_ids: list[int]) -> dict:
    """What sending these letters would do: counts per outcome, one preview per language
    (a letter, or the template problem), and a digest of the batch for the confirmation."""
    decisions = db.session.scalars(select(Decision).where(Decision.id.in_(decision_ids))
                                   .order_by(Decision.id)).all()
    counts = {o: sum(1 for d in decisions if d.outcome is o) for o in Outcome}
    previews = {}
    for outcome in Outcome:
        sample = next((d for d in decisions if d.outcome is outcome), None)
        for locale in ("en", "fr") if sample is not None else ():
            try:
                previews[(outcome.value, locale)] = (render_letter(sample, locale), sample)
            except letters.TemplateError as problem:
                previews[(outcome.value, locale)] = problem.message
    digest = ";".join(f"{d.id}:{d.version}:{d.outcome.value}" for d in decisions)
    return {"counts": counts, "previews": previews, "total": len(decisions),
            "fingerprint": hashlib.sha256(digest.encode()).hexdigest()[:16]}


def send_decision_letter(decision_id: int, *, by) -> bool:
    """Send one decision's letter and make the decision known; False if already sent.

    The decision row is locked first, so two runs of the batch cannot both see it unsent;
    the outbox key (decision, version) refuses a second copy in any case.
    """
    decision = db.session.scalars(
        select(Decision).where(Decision.id == decision_id).with_for_update()
        .execution_options(populate_existing=True)).one_or_none()
    if decision is None or decision.sent_at is not None:
        return False
    application = lock(decision.application)
    if application.status not in ApplicationStatus.decidable:
        raise SelectionError("wrong_state", reference=application.reference,
                             status=application.status.value)
    letter = render_letter(decision)
    before = application.status
    application.status = OUTCOME_STATUS[decision.outcome]
    decision.sent_at = database_now()
    decision.letter_locale = application.applicant.locale
    decision.letter_subject, decision.letter_body = letter.subject[:300], letter.body
    db.session.flush()
    audit.record("decision.letter_sent", actor=by, obj=application,
                 outcome=decision.outcome.value, version=decision.version,
                 before=before.value)
    applicant = application.applicant
    queue_mail(to=applicant.email, user=applicant, template=LETTER_KIND,
               locale=applicant.locale, key=f"decision-letter:{decision.id}:v{decision.version}",
               context={"subject": letter.subject,
                        "body": signals.with_additions(letter.body, application, by=by),
                        "offer": decision.outcome is Outcome.OFFER,
                        "url": external_url("decisions.portal",
                                            application_id=application.id)})
    return True


def respond_to_offer(application: Application, *, accept: bool, by) -> Decision:
    """The applicant accepts or declines an offer they were sent; HR is told."""
    application = lock(application)
    if not application_rules.is_applicant(by, application):
        raise SelectionError("forbidden")
    decision = decision_of(application)
    if decision is not None and decision.response is not None:
        raise SelectionError("already_answered")
    if (decision is None or decision.outcome is not Outcome.OFFER or decision.sent_at is None
            or application.status != ApplicationStatus.OFFERED):
        raise SelectionError("no_offer")
    decision.response = OfferResponse.ACCEPTED if accept else OfferResponse.DECLINED
    decision.responded_at = database_now()
    application.status = (ApplicationStatus.ACCEPTED if accept
                          else ApplicationStatus.DECLINED)
    db.session.flush()
    audit.record("decision.offer_answered", actor=by, obj=application,
                 response=decision.response.value)
    hr = decision.decided_by
    if hr is not None and hr.active:
        queue_mail(to=hr.email, user=hr, template="selection_offer_answered", locale=hr.locale,
                   key=f"offer-answer:{decision.id}:v{decision.version}",
                   context={**call_context(application), "accepted": accept,
                            "url": external_url("decisions.call_decisions",
                                                call_id=application.call_id)})
    return decision
