"""Uploaded files: PDF checks by content, active content stripped, storage by SHA-256
outside static/."""

import hashlib
import io
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from pypdf import PdfReader

from icm_recruit.core import pdfclean
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l

PDF_MAGIC = b"%PDF-"


class UploadError(DomainError):
    """A file the user must replace; `code` says why."""

    messages = {
        "no_file": _l("Choose a PDF file to upload."),
        "empty": _l("The file is empty."),
        "too_large": _l("The file is larger than %(mb)d MB."),
        "not_pdf": _l("Only PDF files are accepted, and this file is not a PDF."),
        "corrupt": _l("This PDF cannot be opened; it may be damaged. Export it again and retry."),
        "encrypted": _l("This PDF is protected by a password. Upload a version without "
                        "protection."),
        "too_many_pages": _l("The file has %(pages)d pages; at most %(max)d are allowed."),
    }

    def message_params(self) -> dict:
        return {"mb": self.details.get("max_mb", 0), "pages": self.details.get("pages", 0),
                "max": self.details.get("max_pages", 0)}


@dataclass(frozen=True)
class CheckedPdf:
    data: bytes
    sha256: str
    pages: int
    filename: str
    removed: tuple[str, ...] = ()  # active content taken out, codes of pdfclean.LABELS

    @property
    def size(self) -> int:
        return len(self.data)


def clean_filename(name: str | None) -> str:
    """Keep a display name only: no path, no control characters, bounded length."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:200] or "document.pdf"


def check_pdf(data: bytes, filename: str | None, *, max_mb: int, max_pages: int) -> CheckedPdf:
    """Accept only a readable, unencrypted PDF within the limits; raise UploadError if not.

    The data of the result is the PDF written again without active content (scripts,
    launch and submit actions, embedded files, XFA); `removed` says what went.
    """
    if not data:
        raise UploadError("empty")
    if len(data) > max_mb * 1024 * 1024:
        raise UploadError("too_large", max_mb=max_mb)
    if not data.startswith(PDF_MAGIC):
        raise UploadError("not_pdf")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadError("encrypted")
        pages = len(reader.pages)
        if pages < 1:
            raise UploadError("corrupt")
        if pages > max_pages:
            raise UploadError("too_many_pages", max_pages=max_pages, pages=pages)
        clean = pdfclean.clean_reader(reader)
    except UploadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser fed hostile bytes may raise anything
        current_app.logger.info("rejected unreadable PDF: %s", type(exc).__name__)
        raise UploadError("corrupt") from exc
    return CheckedPdf(data=clean.data, sha256=hashlib.sha256(clean.data).hexdigest(),
                      pages=pages, filename=clean_filename(filename), removed=clean.removed)


def _root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def path_for(key: str) -> Path:
    if len(key) != 64 or any(ch not in "0123456789abcdef" for ch in key):
        raise ValueError("not a storage key")
    return _root() / key[:2] / key[2:4] / key


def store(data: bytes) -> str:
    """Write the bytes under their SHA-256 (once) and return the storage key."""
    key = hashlib.sha256(data).hexdigest()
    target = path_for(key)
    if target.exists():
        return key
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return key


def read(key: str) -> bytes:
    return path_for(key).read_bytes()
