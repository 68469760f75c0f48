"""Evaluation reports: drafted from the board's words, edited by the chair, sent once.

The draft joins the consensus statement recorded at the meeting and the reviewers'
feedback for the applicant, numbered, never named. A report that names one of the
application's reviewers cannot be saved or sent. Sending runs as a tracked job: each
report is locked and marked sent in the transaction that queues its mail, under a unique
outbox key, so running the job twice sends each report once.
"""

import hashlib
import re

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from icm_recruit.applications.models import Application
from icm_recruit.assignment.models import Assignment
from icm_recruit.auth.models import User
from icm_recruit.core import audit, locks
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.timeutil import utcnow
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db
from icm_recruit.meeting import rules
from icm_recruit.meeting.models import AgendaItem, EvaluationReport, Meeting
from icm_recruit.reviews import queries as review_queries
from icm_recruit.reviews import rules as review_rules
from icm_recruit.selection import signals as selection_signals

LOCALES = ("en", "fr")


class ReportError(DomainError):
    messages = {
        "forbidden": _l("You cannot write the report of this application."),
        "already_sent": _l("This report was already sent to the applicant; it can no longer "
                           "change."),
        "names_reviewer": _l("The report names a reviewer (%(names)s). Reviewers stay "
                             "anonymous: remove the name and save again."),
        "empty": _l("Write the report before saving it."),
        "sending": _l("The reports are being sent already; wait for that run to finish."),
        "nothing_to_send": _l("No saved report is waiting to be sent."),
        "changed": _l("The reports changed since you opened the summary. Check the new count "
                      "and confirm again."),
    }


def report_of(application: Application) -> EvaluationReport | None:
    return db.session.scalar(select(EvaluationReport).where(
        EvaluationReport.application_id == application.id))


def reviewer_names(application: Application) -> list[str]:
    """Everyone who was ever assigned the application, by name."""
    return list(db.session.scalars(
        select(User.name).join(Assignment, Assignment.reviewer_id == User.id)
        .where(Assignment.application_id == application.id).distinct()))


def _name_pattern(name: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(name.strip()) + r"(?!\w)", re.IGNORECASE)


def names_in(text: str, application: Application) -> list[str]:
    """The reviewers' names the text contains."""
    return sorted({n for n in reviewer_names(application)
                   if n and n.strip() and _name_pattern(n).search(text or "")})


def scrub_names(text: str, application: Application, placeholder: str) -> str:
    for name in reviewer_names(application):
        if name and name.strip():
            text = _name_pattern(name).sub(placeholder, text)
    return text


def latest_consensus(application: Application) -> str:
    """The consensus statement last recorded for the application at a meeting of its call."""
    return db.session.scalar(
        select(AgendaItem.consensus).join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .where(AgendaItem.application_id == application.id, AgendaItem.consensus != "",
               Meeting.call_id == application.call_id)
        .order_by(AgendaItem.recorded_at.desc().nulls_last(), AgendaItem.id.desc())
        .limit(1)) or ""


def draft_text(application: Application) -> str:
    """A first text for the report, in the applicant's language, naming no reviewer."""
    locale = application.applicant.locale if application.applicant.locale in LOCALES else "en"
    feedback = [r.feedback_for_applicant.strip()
                for r in review_queries.submitted_reviews(application)
                if review_rules.counts_in_ranking(r) and r.feedback_for_applicant.strip()]
    with force_locale(locale):
        parts = []
        consensus = latest_consensus(application)
        if consensus:
            parts += [_("The board’s assessment"), consensus, ""]
        for number, text in enumerate(feedback, start=1):
            parts += [_("Reviewer %(n)d", n=number), text, ""]
        placeholder = _("[a reviewer]")
    return scrub_names("\n".join(parts).strip(), application, placeholder)


def save_report(application: Application, body: str, *, by) -> EvaluationReport:
    """Store the chair's text of the report; refused once sent or when it names a reviewer."""
    if not rules.may_write_report(by, application):
        raise ReportError("forbidden")
    body = (body or "").strip()
    if not body:
        raise ReportError("empty")
    named = names_in(body, application)
    if named:
        raise ReportError("names_reviewer", names=", ".join(named))
    locks.lock(Application, application.id)
    report = report_of(application)
    if report is not None and report.is_sent:
        raise ReportError("already_sent")
    if report is None:
        report = EvaluationReport(application_id=application.id)
        db.session.add(report)
    report.body, report.edited_by_id, report.updated_at = body, by.id, utcnow()
    db.session.flush()
    audit.record("evaluation_report.saved", actor=by, obj=application, report_id=report.id)
    return report


def unsent_reports(call_id: int, by) -> list[EvaluationReport]:
    """Saved reports of the call not sent yet that `by` may send."""
    reports = db.session.scalars(
        select(EvaluationReport).join(EvaluationReport.application)
        .where(Application.call_id == call_id, EvaluationReport.sent_at.is_(None),
               EvaluationReport.body != "")
        .options(joinedload(EvaluationReport.application).joinedload(Application.applicant))
        .order_by(Application.reference)).all()
    return [r for r in reports if rules.may_write_report(by, r.application)]


def fingerprint(reports: list[EvaluationReport]) -> str:
    text = ";".join(f"{r.id}:{r.updated_at.isoformat()}"
                    for r in sorted(reports, key=lambda r: r.id))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def send_report(report_id: int, *, by) -> bool:
    """Mail one report to its applicant and mark it sent; False if sent or not sendable."""
    report = db.session.scalars(
        select(EvaluationReport).where(EvaluationReport.id == report_id).with_for_update()
        .execution_options(populate_existing=True)).one_or_none()
    if report is None or report.is_sent or not report.body:
        return False
    application = report.application
    if not rules.may_write_report(by, application) or names_in(report.body, application):
        return False
    report.sent_at, report.sent_by_id = utcnow(), by.id
    db.session.flush()
    audit.record("evaluation_report.sent", actor=by, obj=application, report_id=report.id)
    applicant = application.applicant
    queue_mail(to=applicant.email, user=applicant, template="meeting_evaluation_report",
               locale=applicant.locale if applicant.locale in LOCALES else "en",
               key=f"evaluation_report:{report.id}",
               context={"name": applicant.name, "reference": application.reference,
                        "call_title_en": application.call.title_en,
                        "call_title_fr": application.call.title_fr, "body": report.body,
                        "url": external_url("evaluation.applicant_report",
                                            application_id=application.id)})
    return True


# ---------------------------------------------------------------- with the letters


def report_section(application: Application, body: str) -> str:
    """The report as it follows a letter, headed in the applicant's language."""
    locale = application.applicant.locale if application.applicant.locale in LOCALES else "en"
    with force_locale(locale):
        heading = _("Evaluation report of the Scientific Advisory Board")
        reread = _("You can read it again on your application page.")
    return f"{heading}\n\n{body}\n\n{reread}"


@selection_signals.letter_going_out.connect
def release_with_letter(application: Application, *, by, **_extra) -> str | None:
    """A saved report goes with the applicant's decision or stage outcome letter.

    Not sent yet, it is marked sent in the letter's transaction (the applicant reads it in
    the portal from then on, and the reports' own batch skips it); sent before, the letter
    carries it again. A report naming a reviewer, or one the sender may not send, stays.
    """
    report = db.session.scalars(
        select(EvaluationReport).where(EvaluationReport.application_id == application.id)
        .with_for_update().execution_options(populate_existing=True)).one_or_none()
    if report is None or not (report.body or "").strip():
        return None
    if names_in(report.body, application) or not rules.may_write_report(by, application):
        return None
    if not report.is_sent:
        report.sent_at, report.sent_by_id = utcnow(), by.id
        db.session.flush()
        audit.record("evaluation_report.sent", actor=by, obj=application,
                     report_id=report.id, with_letter=True)
    return report_section(application, report.body)
