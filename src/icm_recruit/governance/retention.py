"""Retention: after a call's retention period, dossiers, letters and review texts go.

The clock starts at the call's last decision (or its closing date when no decision was
recorded) and runs for the call's retention period (default RETENTION_MONTHS, 24). What
must stay for the call's record stays, anonymised: the reference, the status, the dates
and the review scores.

Mail is shorter-lived: the text of a sent (or failed) e-mail is kept MAIL_BODY_RETENTION_DAYS
(default 30) for HR to check what went out, then emptied; the row stays as the record that
the mail was sent, to whom and when.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from icm_recruit.applications import stage_part
from icm_recruit.applications.models import Application, Document
from icm_recruit.calls.models import Call, CallStatus
from icm_recruit.core import audit
from icm_recruit.core.outbox import OutboxMessage, OutboxStatus
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.stages.equality import erase_answers

PERSONAL_FIELDS = ("title", "keywords", "summary", "current_position", "institution",
                   "publications", "screening_reason")


@dataclass(frozen=True)
class DueCall:
    call: Call
    clock_started: datetime
    purge_after: datetime
    applications: int
    documents: int


def _months(call: Call) -> int:
    return getattr(call, "retention_months", None) or current_app.config["RETENTION_MONTHS"]


def _last_decision(call: Call) -> datetime | None:
    try:
        from icm_recruit.selection.models import Decision
    except ImportError:  # selection not installed: fall back to the closing date
        return None
    return db.session.scalar(select(func.max(Decision.decided_at))
                             .join(Application, Application.id == Decision.application_id)
                             .where(Application.call_id == call.id))


def due_calls(now: datetime | None = None) -> list[DueCall]:
    """Return the finished calls whose retention period is over and that still hold data."""
    now = now or utcnow()
    due = []
    for call in db.session.scalars(select(Call).where(Call.status.in_(CallStatus.finished))):
        started = _last_decision(call) or call.closes_at
        purge_after = started + timedelta(days=30 * _months(call))
        if purge_after > now:
            continue
        documents = db.session.scalar(
            select(func.count(Document.id)).join(Application)
            .where(Application.call_id == call.id)) or 0
        remaining = db.session.scalar(
            select(func.count(Application.id)).where(
                Application.call_id == call.id, Application.summary != "")) or 0
        if documents or remaining:
            count = db.session.scalar(select(func.count(Application.id))
                                      .where(Application.call_id == call.id)) or 0
            due.append(DueCall(call, started, purge_after, count, documents))
    return due


def anonymise_application(application: Application) -> dict:
    """Delete files, letters and review texts; blank the personal fields. Idempotent."""
    from icm_recruit.governance.personal_data import delete_file_if_unused

    counts = {"documents": 0, "files_deleted": 0, "review_texts": 0, "posts": 0}
    keys = {d.storage_key for d in application.documents}
    if application.dossier_key:
        keys.add(application.dossier_key)
    for referee in application.referee_requests:
        referee.letter_document_id = None
        referee.name, referee.email, referee.institution = "—", "", ""
    db.session.flush()
    for document in list(application.documents):
        db.session.delete(document)
        counts["documents"] += 1
    db.session.flush()
    counts["files_deleted"] = sum(1 for key in keys if delete_file_if_unused(key))
    for name in PERSONAL_FIELDS:
        setattr(application, name, "" if name != "screening_reason" else None)
    application.excluded_reviewers = []
    application.dossier_key = None
    counts["review_texts"], counts["posts"] = _clear_review_texts(application)
    counts["equality_answers"] = erase_answers(application)
    counts["stage_texts"] = stage_part.erase_texts(application)
    return counts


def _clear_review_texts(application: Application) -> tuple[int, int]:
    try:
        from icm_recruit.assignment.models import Assignment
        from icm_recruit.reviews.models import DiscussionPost, Review
    except ImportError:  # reviewing not installed
        return 0, 0
    reviews = db.session.scalars(select(Review).join(Assignment).where(
        Assignment.application_id == application.id)).all()
    for review in reviews:
        review.comments_to_board = ""
        review.feedback_for_applicant = ""
    posts = db.session.scalars(select(DiscussionPost).where(
        DiscussionPost.application_id == application.id)).all()
    for post in posts:
        db.session.delete(post)
    return len(reviews), len(posts)


def _expired_mails(now: datetime):
    cutoff = now - timedelta(days=current_app.config["MAIL_BODY_RETENTION_DAYS"])
    done = func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at)
    return (select(OutboxMessage)
            .where(OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED]),
                   OutboxMessage.body_purged_at.is_(None), done <= cutoff)
            .order_by(OutboxMessage.id))


def purge_mail_bodies(*, dry_run: bool, now: datetime | None = None) -> int:
    """Empty the text, attachments and links of mails sent past their retention; count them.

    Only the application reference stays in the context: the mailbox needs it to keep an
    HR applicant's own file out of their view.
    """
    now = now or utcnow()
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(
            _expired_mails(now).subquery())) or 0
    count = 0
    for message in db.session.scalars(_expired_mails(now)):
        reference = (message.context or {}).get("reference")
        message.context = {"reference": reference} if reference else {}
        message.body_text, message.body_html, message.delivery_links = "", None, None
        message.attachments = [{k: v for k, v in item.items() if k != "content"}
                               for item in message.attachments or []]
        message.body_purged_at = now
        count += 1
    db.session.flush()
    return count


def purge(*, dry_run: bool, by=None, now: datetime | None = None) -> dict:
    """Anonymise every application of every due call and empty old mail texts; report what
    was (or would be) done."""
    report = {"dry_run": dry_run, "calls": [],
              "mail_bodies": purge_mail_bodies(dry_run=dry_run, now=now)}
    for due in due_calls(now):
        entry = {"call": due.call.slug, "clock_started": due.clock_started.isoformat(),
                 "purge_after": due.purge_after.isoformat(),
                 "applications": due.applications, "documents": due.documents}
        if not dry_run:
            totals: dict[str, int] = {}
            for application in db.session.scalars(
                    select(Application).where(Application.call_id == due.call.id)):
                for key, value in anonymise_application(application).items():
                    totals[key] = totals.get(key, 0) + value
            entry.update(totals)
            audit.record("retention.purged", actor=by, obj=due.call, **totals)
        report["calls"].append(entry)
    return report

