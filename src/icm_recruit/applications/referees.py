"""Reference letters: single-use, expiring links for referees, who need no account.

Only the SHA-256 of a link's token is stored. Re-sending or reminding issues a new token,
so only the latest link works.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select

from icm_recruit.applications import rules
from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
    Document,
    RefereeRequest,
    RefereeStatus,
)
from icm_recruit.applications.operations import ApplicationError, _lock
from icm_recruit.auth.models import User
from icm_recruit.calls.models import DocumentKind, database_now
from icm_recruit.core import audit, storage
from icm_recruit.core.maillimit import actor_key, require_mail_allowed
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db

MAX_ACTIVE_REFEREES = 5


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _link_days() -> int:
    return int(current_app.config.get("REFEREE_LINK_DAYS", 30))


def issue_link(request: RefereeRequest, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    request.token_hash = hash_token(token)
    request.expires_at = now + timedelta(days=_link_days())
    return external_url("referees.letter", token=token)


def _mail_referee(request: RefereeRequest, url: str, template: str, key: str) -> None:
    application = request.application
    queue_mail(
        to=request.email, template=template, locale=request.locale, key=key,
        context={"referee": request.name, "applicant": application.applicant.name,
                 "call_title_en": application.call.title_en,
                 "call_title_fr": application.call.title_fr,
                 "expires_at": request.expires_at.isoformat(),
                 "closes_at": application.call.closes_at.isoformat()},
        secret_links={"url": url}, link_kind="referee",
    )


def _require_manageable(application: Application, by) -> None:
    if not rules.is_applicant(by, application):
        raise ApplicationError("forbidden")
    if application.status not in ApplicationStatus.referees_open:
        raise ApplicationError("not_editable")


def add_referee(application: Application, *, name: str, email: str, institution: str,
                locale: str, by) -> RefereeRequest:
    application = _lock(application)
    _require_manageable(application, by)
    email = User.normalize_email(email)
    if email == application.applicant.email:
        raise ApplicationError("self_referee")
    active = application.named_referees()
    if any(r.email == email for r in active):
        raise ApplicationError("referee_twice")
    if len(active) >= MAX_ACTIVE_REFEREES:
        raise ApplicationError("too_many_referees", max=MAX_ACTIVE_REFEREES)
    require_mail_allowed(actor_key(user=by), email)  # no referee is named without the mail
    now = database_now()
    request = RefereeRequest(application=application, name=name.strip(), email=email,
                             institution=institution.strip(), locale=locale,
                             status=RefereeStatus.REQUESTED, sent_at=now)
    url = issue_link(request, now)
    db.session.add(request)
    db.session.flush()
    audit.record("referee.requested", actor=by, obj=application, referee_request_id=request.id,
                 referee_email=email)
    _mail_referee(request, url, "referee_request",
                  key=f"referee-request:{request.id}:{request.token_hash[:16]}")
    return request


def resend_referee(request: RefereeRequest, *, by) -> None:
    _require_manageable(request.application, by)
    if request.status != RefereeStatus.REQUESTED:
        raise ApplicationError("referee_closed")
    require_mail_allowed(actor_key(user=by), request.email)  # the old link stays if refused
    now = database_now()
    url = issue_link(request, now)
    request.sent_at = now
    db.session.flush()
    audit.record("referee.resent", actor=by, obj=request.application,
                 referee_request_id=request.id)
    _mail_referee(request, url, "referee_request",
                  key=f"referee-request:{request.id}:{request.token_hash[:16]}")


def cancel_referee(request: RefereeRequest, *, by) -> None:
    """Withdraw a request (to replace the referee); a received letter stays."""
    _require_manageable(request.application, by)
    if request.status not in RefereeStatus.replaceable:
        raise ApplicationError("referee_closed")
    request.status = RefereeStatus.CANCELLED
    request.token_hash = None
    db.session.flush()
    audit.record("referee.cancelled", actor=by, obj=request.application,
                 referee_request_id=request.id)


def request_again(request: RefereeRequest, *, by) -> RefereeRequest:
    """Undo a withdrawal: ask the same referee again, with a new link mailed to them."""
    if request.status != RefereeStatus.CANCELLED:
        raise ApplicationError("referee_closed")
    return add_referee(request.application, name=request.name, email=request.email,
                       institution=request.institution or "", locale=request.locale,
                       by=by)


def request_for_token(token: str) -> RefereeRequest:
    """Find the request of a link; raise ApplicationError(invalid | used | expired)."""
    request = db.session.scalar(select(RefereeRequest).where(
        RefereeRequest.token_hash == hash_token(token or "")).with_for_update())
    if request is None or request.status == RefereeStatus.CANCELLED:
        raise ApplicationError("link_invalid")
    if request.may_replace_letter(database_now()):
        return request  # the letter sent may still be replaced, with the same link
    if request.status != RefereeStatus.REQUESTED:
        raise ApplicationError("link_used")
    if database_now() >= request.expires_at:
        raise ApplicationError("link_expired")
    if request.application.status == ApplicationStatus.WITHDRAWN:
        raise ApplicationError("link_invalid")
    return request


def receive_letter(request: RefereeRequest, checked: storage.CheckedPdf) -> Document:
    """Store the referee's letter; a letter sent again before the deadline replaces the
    first, which is kept (never served) and named in the audit trail."""
    now = database_now()
    previous = request.letter if request.status == RefereeStatus.RECEIVED else None
    if previous is not None and not request.may_replace_letter(now):
        raise ApplicationError("link_used")
    if previous is not None:
        previous.is_current = False
    document = Document(application=request.application, kind=DocumentKind.LETTER,
                        original_filename=checked.filename, size=checked.size,
                        pages=checked.pages, sha256=checked.sha256,
                        storage_key=storage.store(checked.data))
    db.session.add(document)
    db.session.flush()
    request.letter_document_id = document.id
    request.status = RefereeStatus.RECEIVED
    request.responded_at = now
    db.session.flush()
    if previous is not None:
        audit.record("referee.letter_replaced", obj=request.application,
                     referee_request_id=request.id, sha256=checked.sha256, size=checked.size,
                     replaced=previous.id)
        return document  # the applicant was told when the letter first arrived
    audit.record("referee.letter_received", obj=request.application,
                 referee_request_id=request.id, sha256=checked.sha256, size=checked.size)
    if not request.chosen_by_institution:  # the applicant does not know this referee
        _notify_applicant(request, "referee_letter_received")
    return document


def decline_request(request: RefereeRequest, reason: str = "") -> None:
    request.status = RefereeStatus.DECLINED
    request.responded_at = database_now()
    db.session.flush()
    audit.record("referee.declined", obj=request.application, referee_request_id=request.id)
    if not request.chosen_by_institution:
        _notify_applicant(request, "referee_declined", message=reason.strip()[:1000])


def _notify_applicant(request: RefereeRequest, template: str, **extra) -> None:
    applicant = request.application.applicant
    queue_mail(
        to=applicant.email, user=applicant, template=template, locale=applicant.locale,
        key=f"{template}:{request.id}",
        context={"name": applicant.name, "referee": request.name,
                 "reference": request.application.reference,
                 "url": external_url("applications.edit",
                                     application_id=request.application_id), **extra},
    )


def send_referee_reminders(*, every_days: int = 7, max_reminders: int = 3) -> int:
    """Remind referees who have not answered; each reminder carries a fresh link."""
    now = database_now()
    last_contact = or_(RefereeRequest.reminded_at.is_(None),
                       RefereeRequest.reminded_at <= now - timedelta(days=every_days))
    due = db.session.scalars(
        select(RefereeRequest).join(RefereeRequest.application)
        .where(RefereeRequest.status == RefereeStatus.REQUESTED,
               RefereeRequest.reminders_sent < max_reminders,
               RefereeRequest.sent_at <= now - timedelta(days=every_days),
               last_contact,
               or_(Application.status.in_(ApplicationStatus.referees_open),
                   # Letters asked at a later stage, while the application is at it.
                   and_(RefereeRequest.stage > 1, RefereeRequest.stage == Application.stage,
                        Application.status == ApplicationStatus.UNDER_REVIEW)))
        .with_for_update(of=RefereeRequest, skip_locked=True)).all()
    for request in due:
        request.reminders_sent += 1
        request.reminded_at = now
        url = issue_link(request, now)
        # A referee the institution chose is not told of the call's closing date (long
        # past at a later stage) nor that the applicant named them.
        _mail_referee(request, url, "referee_institution_reminder"
                      if request.chosen_by_institution else "referee_reminder",
                      key=f"referee-reminder:{request.id}:{request.reminders_sent}")
        audit.record("referee.reminded", obj=request.application, referee_request_id=request.id,
                     reminder=request.reminders_sent)
    db.session.flush()
    return len(due)
