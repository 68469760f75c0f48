"""Files stored before uploads were cleaned: strip their active content in place.

Uploads are cleaned when they arrive (core/storage.py). Documents stored earlier are
rewritten here once, by the command `flask --app icm_recruit documents clean`: the cleaned
file is stored under its own hash, the document points at it, and the change is audited.
The old file stays in storage until retention purges it, in case the change must be
examined; nothing serves it any more.
"""

import logging

from sqlalchemy import select

from icm_recruit.applications.models import Document
from icm_recruit.core import audit, storage
from icm_recruit.core.pdfclean import clean_pdf
from icm_recruit.extensions import db

log = logging.getLogger(__name__)
BATCH = 200


def clean_stored_documents(*, dry_run: bool = False) -> dict:
    """Clean every stored document that still carries active content; return the counts."""
    report = {"checked": 0, "cleaned": 0, "unreadable": 0, "missing": 0}
    last_id = 0
    while True:
        documents = db.session.scalars(
            select(Document).where(Document.id > last_id).order_by(Document.id).limit(BATCH)
        ).all()
        if not documents:
            return report
        for document in documents:
            last_id = document.id
            report["checked"] += 1
            _clean_one(document, report, dry_run)
        if not dry_run:
            db.session.commit()


def _clean_one(document: Document, report: dict, dry_run: bool) -> None:
    try:
        data = storage.read(document.storage_key)
    except (OSError, ValueError):
        report["missing"] += 1
        return
    try:
        cleaned = clean_pdf(data)
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on damaged files
        log.warning("document %s could not be read for cleaning: %s", document.id, exc)
        report["unreadable"] += 1
        return
    if not cleaned.removed:
        return
    report["cleaned"] += 1
    if dry_run:
        return
    key = storage.store(cleaned.data)
    previous = document.storage_key
    document.storage_key, document.sha256, document.size = key, key, len(cleaned.data)
    audit.record("document.cleaned", obj=document, application_id=document.application_id,
                 removed=list(cleaned.removed), previous_sha256=previous)
