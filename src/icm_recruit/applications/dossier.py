"""The merged PDF dossier: a cover page with the form data, then the documents.

The merged file is cleaned of active content again, whatever the stored files hold.
"""

import io
import textwrap

from flask_babel import force_locale
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from icm_recruit.applications.forms import country_name
from icm_recruit.applications.models import Application
from icm_recruit.applications.stage_part import written_texts as stage_texts
from icm_recruit.calls.models import APPLICANT_KINDS, LATER_STAGE_KINDS
from icm_recruit.core import audit, pdfclean, storage
from icm_recruit.core.i18n import gettext as _
from icm_recruit.extensions import db

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
MARGIN, LEADING, FONT_SIZE, WRAP = 56, 13, 10, 95
LINES_PER_PAGE = (PAGE_HEIGHT - 2 * MARGIN) // LEADING


def _pdf_text(value: str) -> bytes:
    raw = value.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _cover_lines(application: Application, locale: str = "en") -> list[str]:
    """The form data in the reader's language: labels, the call's title, country names."""
    with force_locale(locale):
        call = application.call
        pairs = [
            (_("Reference"), application.reference or ""),
            (_("Call"), call.title_fr if locale == "fr" and call.title_fr else call.title_en),
            (_("Applicant"), application.applicant.name),
            (_("Current position"), application.current_position),
            (_("Institution"), application.institution),
            (_("Country"), country_name(application.country or "")),
            (_("Year of the PhD"), str(application.phd_year or "")),
            (_("Title"), application.title),
            (_("Keywords"), application.keywords),
        ]
        colon = _(":")
        lines = [f"{label}{colon} {value or ''}" for label, value in pairs]
        lines += ["", _("Research summary") + colon]
        lines += _wrap(application.summary)
        lines += ["", _("Selected publications") + colon]
        lines += _wrap(application.publications)
        for stage, rows in stage_texts(application):
            lines += ["", _("Texts of stage %(n)d: %(name)s", n=stage.position,
                            name=stage.name)]
            for title, text in rows:
                lines += ["", title + colon]
                lines += _wrap(text)
    return lines


def _wrap(text: str) -> list[str]:
    out = []
    for paragraph in (text or "").splitlines():
        out += textwrap.wrap(paragraph, WRAP) or [""]
    return out


def _add_text_page(writer: PdfWriter, lines: list[str]) -> None:
    page = writer.add_blank_page(PAGE_WIDTH, PAGE_HEIGHT)
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
        NameObject("/Encoding"): NameObject("/WinAnsiEncoding")})
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    body = [b"BT", f"/F1 {FONT_SIZE} Tf {LEADING} TL {MARGIN} {PAGE_HEIGHT - MARGIN} Td".encode()]
    body += [b"(" + _pdf_text(line) + b") Tj T*" for line in lines]
    body.append(b"ET")
    stream = DecodedStreamObject()
    stream.set_data(b"\n".join(body))
    page[NameObject("/Contents")] = writer._add_object(stream)


def build_pdf(application: Application, locale: str = "en") -> bytes:
    writer = PdfWriter()
    lines = _cover_lines(application, locale)
    for start in range(0, len(lines), LINES_PER_PAGE):
        _add_text_page(writer, lines[start:start + LINES_PER_PAGE])
    documents = application.current_documents()
    for kind in APPLICANT_KINDS + LATER_STAGE_KINDS:
        document = documents.get(kind)
        if document is not None:
            writer.append(PdfReader(io.BytesIO(storage.read(document.storage_key))))
    out = io.BytesIO()
    writer.write(out)
    return pdfclean.clean_pdf(out.getvalue()).data


def build_and_store_dossier(application_id: int) -> str | None:
    application = db.session.get(Application, application_id)
    if application is None or application.submitted_at is None:
        return None
    key = storage.store(build_pdf(application))
    if application.dossier_key != key:
        application.dossier_key = key
        audit.record("application.dossier_built", obj=application, sha256=key)
    return key


def text_pdf(lines: list[str]) -> bytes:
    """A plain PDF of these lines (Helvetica, A4), for documents built from text."""
    writer = PdfWriter()
    for start in range(0, max(len(lines), 1), LINES_PER_PAGE):
        _add_text_page(writer, lines[start:start + LINES_PER_PAGE])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
