"""Read a publication list exported as BibTeX, RIS or an ORCID record (JSON).

The format is told by the content, not by the file name: a file that is none of the
three, or has no entry with a title, is refused with a reason the person can act on.
BibTeX is read with ``bibtexparser`` (LaTeX accents decoded, authors split), RIS with
``rispy``; an ORCID record export is the JSON ORCID gives for a record, its works, or a
bulk of works (titles and years always; authors where the export lists contributors).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

import bibtexparser
import rispy
from bibtexparser import middlewares

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_AUTHORS = 300
TITLE_MAX = 1000
NAME_MAX = 200
_YEAR = re.compile(r"(1[89]\d\d|20\d\d|2100)")
_BIBTEX_ENTRY = re.compile(r"@\s*[A-Za-z]+\s*[{(]")
_RIS_TAG = re.compile(r"^\s*TY\s+-", re.MULTILINE)
_BRACES = re.compile(r"[{}]")
log = logging.getLogger(__name__)


class PublicationFileError(ValueError):
    """Why a file cannot be read: ``code`` names the reason shown beside the field."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ParsedPaper:
    title: str
    year: int | None
    authors: tuple[str, ...]


def _text(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise PublicationFileError("too_large")
    if not data.strip():
        raise PublicationFileError("empty")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise PublicationFileError("not_text")


def _clean(value, limit: int) -> str:
    text = " ".join(_BRACES.sub("", str(value or "")).split())
    return "".join(ch for ch in text if ch.isprintable())[:limit]


def _year(value) -> int | None:
    match = _YEAR.search(str(value or ""))
    return int(match.group(1)) if match else None


def _paper(title, year, authors) -> ParsedPaper | None:
    title = _clean(title, TITLE_MAX)
    if not title:
        return None
    names = tuple(dict.fromkeys(n for n in (_clean(a, NAME_MAX) for a in authors or ()) if n))
    return ParsedPaper(title, _year(year), names[:MAX_AUTHORS])


def _bibtex(text: str) -> list[ParsedPaper]:
    library = bibtexparser.parse_string(text, append_middleware=[
        middlewares.LatexDecodingMiddleware(), middlewares.SeparateCoAuthors()])
    papers = []
    for entry in library.entries:
        fields = {key.lower(): field.value for key, field in entry.fields_dict.items()}
        authors = fields.get("author") or []
        if isinstance(authors, str):
            authors = [authors]
        papers.append(_paper(fields.get("title"), fields.get("year") or fields.get("date"),
                             authors))
    if library.failed_blocks:
        log.info("BibTeX import: %d blocks could not be read", len(library.failed_blocks))
    return [p for p in papers if p]


def _ris(text: str) -> list[ParsedPaper]:
    try:
        entries = rispy.loads(text)
    except (ValueError, OSError) as error:
        raise PublicationFileError("unreadable") from error
    return [p for p in (
        _paper(e.get("title") or e.get("primary_title") or e.get("secondary_title"),
               e.get("year") or e.get("publication_year") or e.get("date"),
               [*(e.get("authors") or []), *(e.get("first_authors") or [])])
        for e in entries) if p]


def _orcid_work(work: dict) -> ParsedPaper | None:
    title = ((work.get("title") or {}).get("title") or {}).get("value")
    year = (((work.get("publication-date") or {}).get("year")) or {}).get("value")
    contributors = ((work.get("contributors") or {}).get("contributor")) or []
    authors = [((c.get("credit-name") or {}).get("value")) for c in contributors
               if isinstance(c, dict)]
    return _paper(title, year, authors)


def _orcid_works(data: dict) -> list[dict]:
    if isinstance(data.get("bulk"), list):
        return [item.get("work") for item in data["bulk"] if isinstance(item, dict)
                and isinstance(item.get("work"), dict)]
    groups = data.get("group")
    if groups is None:
        works = (data.get("activities-summary") or {}).get("works") or {}
        groups = works.get("group") if isinstance(works, dict) else None
    if isinstance(groups, list):
        return [summary for group in groups if isinstance(group, dict)
                for summary in (group.get("work-summary") or [])[:1]
                if isinstance(summary, dict)]
    return [data] if "title" in data else []


def _orcid(text: str) -> list[ParsedPaper]:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise PublicationFileError("unreadable") from error
    if not isinstance(data, dict):
        raise PublicationFileError("unknown_format")
    return [p for p in (_orcid_work(w) for w in _orcid_works(data)) if p]


def detect_format(text: str) -> str | None:
    """Return 'orcid', 'ris' or 'bibtex' from the content, or None."""
    head = text.lstrip()
    if head.startswith("{"):
        return "orcid"
    if _RIS_TAG.search(text):
        return "ris"
    if _BIBTEX_ENTRY.search(text):
        return "bibtex"
    return None


def read_publication_file(data: bytes) -> tuple[str, list[ParsedPaper]]:
    """Return (format, papers) of an uploaded export; raise PublicationFileError."""
    text = _text(data)
    kind = detect_format(text)
    if kind is None:
        raise PublicationFileError("unknown_format")
    papers = {"orcid": _orcid, "ris": _ris, "bibtex": _bibtex}[kind](text)
    if not papers:
        raise PublicationFileError("no_entries")
    if len(papers) > MAX_ENTRIES:
        raise PublicationFileError("too_many")
    return kind, papers
