"""An applicant's personal data: download everything, or erase the account."""

import io
import json
import secrets
import zipfile
from datetime import datetime

from sqlalchemy import delete, select

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications import stage_part
from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
    Document,
    DocumentKind,
)
from icm_recruit.applications.publications import Publication, publications_of
from icm_recruit.auth.models import User
from icm_recruit.core import audit, storage
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.governance.retention import anonymise_application
from icm_recruit.stages import equality

ERASED_DOMAIN = "erased.invalid"


class ErasureError(DomainError):
    messages = {"bad_password": _l("The password is not correct.")}


def _iso(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _application_record(application: Application) -> dict:
    fields = ("reference", "title", "keywords", "summary", "current_position", "institution",
              "country", "phd_year", "publications", "excluded_reviewers", "created_at",
              "submitted_at", "withdrawn_at")
    record = {name: _iso(getattr(application, name)) for name in fields}
    record["status"] = application.status.value
    record["call"] = application.call.title_en
    record["documents"] = [
        {"kind": d.kind.value, "file": f"files/{d.id}-{d.original_filename}",
         "uploaded_at": _iso(d.uploaded_at), "current": d.is_current}
        for d in application.documents if d.kind != DocumentKind.LETTER]
    # Referees: who was asked and what happened, never the letter itself.
    # A referee the institution chose is not the applicant's to know: only that a letter
    # was asked for and whether it came.
    record["referees"] = [
        {"chosen_by_institution": True, "status": r.status.value,
         "requested_at": _iso(r.created_at), "responded_at": _iso(r.responded_at)}
        if r.chosen_by_institution else
        {"name": r.name, "email": r.email, "institution": r.institution,
         "status": r.status.value, "responded_at": _iso(r.responded_at)}
        for r in application.referee_requests]
    # Gender and career stage, if the applicant agreed to give them.
    record["equality"] = equality.export_record(application)
    record["stage_texts"] = stage_part.export_texts(application)
    return record


def export_personal_data(user: User) -> bytes:
    """Return a ZIP of JSON records and the files this person uploaded."""
    applications = db.session.scalars(
        select(Application).where(application_rules.made_by(user))).all()
    account = {"email": user.email, "name": user.name, "locale": user.locale,
               "timezone": user.timezone, "roles": sorted(r.value for r in user.roles),
               "created_at": _iso(user.created_at), "last_login_at": _iso(user.last_login_at),
               "email_verified_at": _iso(user.email_verified_at),
               "two_factor": user.has_two_factor}
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == user.id)
                                .order_by(AuditEvent.id)).all()
    activity = [{"at": _iso(e.at), "action": e.action, "object": e.object_type,
                 "object_id": e.object_id} for e in events]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("account.json", json.dumps(account, indent=2, ensure_ascii=False))
        archive.writestr("applications.json", json.dumps(
            [_application_record(a) for a in applications], indent=2, ensure_ascii=False))
        archive.writestr("activity.json", json.dumps(activity, indent=2, ensure_ascii=False))
        archive.writestr("publications.json", json.dumps(
            [{"title": p.title, "year": p.year, "authors": p.authors, "source": p.source.value,
              "imported_at": _iso(p.imported_at)} for p in publications_of(user.id)],
            indent=2, ensure_ascii=False))
        for application in applications:
            for document in application.documents:
                if document.kind == DocumentKind.LETTER:
                    continue  # letters are confidential to the board
                try:
                    content = storage.read(document.storage_key)
                except (OSError, ValueError):
                    continue
                archive.writestr(f"files/{document.id}-{document.original_filename}", content)
    audit.record("personal_data.exported", actor=user, obj=user,
                 applications=len(applications))
    return buffer.getvalue()


def erase_account(user: User, password: str) -> dict:
    """Withdraw open applications, anonymise the kept record, disable the account."""
    if not user.check_password(password):
        raise ErasureError("bad_password")
    applications = db.session.scalars(
        select(Application).where(application_rules.made_by(user))).all()
    summary = {"applications": len(applications), "withdrawn": 0, "drafts_deleted": 0,
               "files_deleted": 0}
    for application in applications:
        if application.status == ApplicationStatus.DRAFT:
            summary["files_deleted"] += _delete_documents(application)
            db.session.delete(application)
            summary["drafts_deleted"] += 1
            continue
        if application.status in ApplicationStatus.withdrawable:
            application.status = ApplicationStatus.WITHDRAWN
            application.withdrawn_at = utcnow()
            summary["withdrawn"] += 1
        summary["files_deleted"] += anonymise_application(application)["files_deleted"]
    summary["publications_deleted"] = db.session.execute(
        delete(Publication).where(Publication.user_id == user.id)).rowcount
    audit.record("personal_data.erased", actor=user, obj=user, **summary)
    _anonymise_user(user)
    return summary


def _delete_documents(application: Application) -> int:
    keys = {d.storage_key for d in application.documents}
    for document in list(application.documents):
        db.session.delete(document)
    db.session.flush()
    return sum(1 for key in keys if delete_file_if_unused(key))


def delete_file_if_unused(key: str | None) -> bool:
    """Remove a stored file unless another document still points to it."""
    if not key:
        return False
    still_used = db.session.scalar(select(Document.id).where(Document.storage_key == key)
                                   .limit(1))
    if still_used is not None:
        return False
    try:
        storage.path_for(key).unlink(missing_ok=True)
    except ValueError:
        return False
    return True


def _anonymise_user(user: User) -> None:
    user.name = f"Erased user {user.id}"
    user.email = f"erased-{user.id}-{secrets.token_hex(4)}@{ERASED_DOMAIN}"
    user.password_hash = None
    user.active = False
    user.totp_secret = None
    user.totp_enabled_at = None
    user.recovery_codes.clear()
    user.session_nonce = secrets.token_hex(16)
