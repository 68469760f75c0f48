"""The board's merged PDF: the applicant's dossier followed by the reference letters.

Built on first request and cached on disk under the hash of everything it contains (form
data, each file's SHA-256), so a new document or letter gives a new file and an unchanged
dossier is never rebuilt. Active content is stripped from the merged file, as from uploads.
"""

import hashlib
import io
import json
import os
import tempfile
from pathlib import Path

from flask import current_app
from pypdf import PdfReader, PdfWriter

from icm_recruit.applications.dossier import build_pdf
from icm_recruit.applications.models import Application, RefereeStatus
from icm_recruit.applications.stage_part import written_texts
from icm_recruit.core import pdfclean, storage

FORM_FIELDS = ("reference", "current_position", "institution", "country", "phd_year", "title",
               "keywords", "summary", "publications")


def _letters(application: Application) -> list:
    return [r.letter for r in application.referee_requests
            if r.status == RefereeStatus.RECEIVED and r.letter is not None]


def content_hash(application: Application, locale: str = "en") -> str:
    """The hash of everything the merged PDF shows, its cover's language included."""
    parts = {
        "locale": locale,
        "form": [str(getattr(application, name) or "") for name in FORM_FIELDS],
        "documents": sorted(d.sha256 for d in application.current_documents().values()),
        "letters": [d.sha256 for d in _letters(application)],
        "stage_texts": [(stage.position, rows) for stage, rows in written_texts(application)],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _cache_path(key: str) -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "board-dossiers" / f"{key}.pdf"


def _build(application: Application, locale: str) -> bytes:
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(build_pdf(application, locale))))
    for letter in _letters(application):
        writer.append(PdfReader(io.BytesIO(storage.read(letter.storage_key))))
    out = io.BytesIO()
    writer.write(out)
    return pdfclean.clean_pdf(out.getvalue()).data


def board_dossier(application: Application, locale: str = "en") -> Path:
    """Return the path of the merged PDF with its cover in `locale`, built once per
    content and language."""
    path = _cache_path(content_hash(application, locale))
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".build-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_build(application, locale))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
