"""The text of each application's research project, read from the PDF once and kept."""

import io
import logging
import re
from collections.abc import Sequence

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy import select

from icm_recruit.applications.models import Application, Document
from icm_recruit.calls.models import DocumentKind
from icm_recruit.core import storage
from icm_recruit.extensions import db

log = logging.getLogger(__name__)

PAGES = 3
MAX_CHARACTERS = 6000
_SPACE = re.compile(r"\s+")


def extract_text(data: bytes) -> str:
    """Return the text of a PDF's first pages, spaces collapsed ("" if it has none)."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        parts = [page.extract_text() or "" for page in reader.pages[:PAGES]]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        log.warning("no text read from a research project PDF: %s", error)
        return ""
    return _SPACE.sub(" ", " ".join(parts)).strip()[:MAX_CHARACTERS]


def project_texts(applications: Sequence[Application]) -> dict[int, str]:
    """Return the research project's text per application id, reading new PDFs once."""
    ids = [a.id for a in applications]
    if not ids:
        return {}
    documents = db.session.scalars(select(Document).where(
        Document.application_id.in_(ids), Document.kind == DocumentKind.RESEARCH_PROJECT,
        Document.is_current)).all()
    for document in documents:
        if document.text_excerpt is None:
            try:
                data = storage.read(document.storage_key)
            except OSError as error:
                log.warning("research project %s unreadable: %s", document.id, error)
                continue
            document.text_excerpt = extract_text(data)
    return {d.application_id: d.text_excerpt or "" for d in documents}
