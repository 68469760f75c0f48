"""Active content out of PDFs: scripts, actions that launch or send, embedded files, XFA.

The object graph is walked once from the catalog and whatever could run code, open another
file or program, send form data or carry a hidden file is cut out of it. The file is then
written again from what is left, so objects nothing refers to (old revisions, detached
scripts) are not carried over. Page content, text, ordinary links (web and mail addresses,
jumps inside the document), the first page shown on opening and the document information
(as plain text) are kept.
"""

import io
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

from icm_recruit.core.i18n import lazy_gettext as _l

MAX_OBJECTS = 500_000  # far above any real upload; a bound for hostile graphs

LABELS = {
    "javascript": _l("JavaScript"),
    "launch": _l("commands that open programs or other files"),
    "embedded_files": _l("embedded files"),
    "form_actions": _l("form actions that send or import data"),
    "automatic_actions": _l("actions that run by themselves"),
    "xfa": _l("XFA forms"),
    "multimedia": _l("multimedia"),
}
ORDER = tuple(LABELS)

RISKY_ACTIONS = {
    "/JavaScript": "javascript", "/Rendition": "javascript",
    "/Launch": "launch", "/GoToR": "launch", "/GoToE": "embedded_files",
    "/SubmitForm": "form_actions", "/ImportData": "form_actions",
    "/RichMediaExecute": "multimedia", "/Movie": "multimedia", "/Sound": "multimedia",
}
RISKY_ANNOTATIONS = {
    "/FileAttachment": "embedded_files", "/RichMedia": "multimedia", "/Screen": "multimedia",
    "/Movie": "multimedia", "/Sound": "multimedia", "/3D": "multimedia",
}
# Keys that only ever hold active content, on whatever dictionary they appear.
RISKY_KEYS = {
    "/JS": "javascript", "/JavaScript": "javascript",  # action script; the names tree
    "/EmbeddedFiles": "embedded_files", "/EF": "embedded_files", "/RF": "embedded_files",
    "/Collection": "embedded_files",  # a portfolio shows its embedded files
    "/XFA": "xfa", "/NeedsRendering": "xfa",
    "/AlternatePresentations": "multimedia",
}
URI_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
URI_LOCAL_SCHEMES = ("file:", "\\\\", "//")
ACTION_KEYS = ("/A", "/PA")  # an annotation's, outline item's or field's action


class PdfCleanError(Exception):
    """The PDF's object graph is too large to be walked."""


@dataclass(frozen=True)
class CleanPdf:
    data: bytes
    removed: tuple[str, ...]  # codes from LABELS, in their order


def describe(removed) -> str:
    """Say in the current language what was removed: "JavaScript, embedded files"."""
    return ", ".join(str(LABELS[code]) for code in ORDER if code in removed)


def clean_pdf(data: bytes) -> CleanPdf:
    """Return the PDF without active content, and what was taken out."""
    return clean_reader(PdfReader(io.BytesIO(data), strict=False))


def clean_reader(reader: PdfReader) -> CleanPdf:
    """Strip the reader's objects in place, then write what the catalog still reaches."""
    removed = _strip(reader.root_object)
    writer = PdfWriter()
    writer.clone_reader_document_root(reader)
    writer.add_metadata(_metadata(reader))
    out = io.BytesIO()
    writer.write(out)
    return CleanPdf(data=out.getvalue(), removed=tuple(c for c in ORDER if c in removed))


def _metadata(reader: PdfReader) -> dict[str, str]:
    """The document information as plain text; a damaged one is only metadata, dropped."""
    try:
        info = reader.metadata or {}
        return {str(key): info[key] for key in info
                if isinstance(info[key], str) and not isinstance(info[key], NameObject)}
    except Exception:  # noqa: BLE001 - hostile bytes may break the parser anywhere
        return {}


def _strip(start: PdfObject) -> set[str]:
    removed: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack = [start]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            if len(seen) > MAX_OBJECTS:
                raise PdfCleanError("too many objects")
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            _clean_dictionary(obj, removed)
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return removed


def _clean_dictionary(entry: DictionaryObject, removed: set[str]) -> None:
    for key, category in RISKY_KEYS.items():
        if key in entry:
            del entry[key]
            removed.add(category)
    if "/AA" in entry:
        triggers = entry["/AA"]
        actions = triggers.values() if isinstance(triggers, DictionaryObject) else ()
        removed.update({_risky_action(a) or "automatic_actions" for a in actions}
                       or {"automatic_actions"})
        del entry["/AA"]
    if "/OpenAction" in entry and _runs_on_open(entry["/OpenAction"]):
        removed.add(_risky_action(entry.raw_get("/OpenAction")) or "automatic_actions")
        del entry["/OpenAction"]
    for key in ACTION_KEYS:
        if key in entry and (category := _risky_action(entry.raw_get(key))):
            del entry[key]
            removed.add(category)
    if "/Next" in entry:
        _clean_next(entry, removed)
    if "/Annots" in entry and isinstance(annotations := entry["/Annots"], ArrayObject):
        kept = [a for a in annotations if not _risky_annotation(a, removed)]
        if len(kept) != len(annotations):
            annotations[:] = kept


def _clean_next(action: DictionaryObject, removed: set[str]) -> None:
    following = action["/Next"]
    if isinstance(following, ArrayObject):
        kept = []
        for item in following:
            category = _risky_action(item)
            if category:
                removed.add(category)
            else:
                kept.append(item)
        following[:] = kept
    elif category := _risky_action(action.raw_get("/Next")):
        del action["/Next"]
        removed.add(category)


def _risky_action(action: PdfObject | None) -> str | None:
    """The category of an action that must not stay, or None for a harmless one."""
    action = action.get_object() if action is not None else None
    if not isinstance(action, DictionaryObject):
        return None
    kind = _name(action, "/S")
    if kind in RISKY_ACTIONS:
        return RISKY_ACTIONS[kind]
    if kind == "/URI":
        target = _resolved(action, "/URI") or ""
        if isinstance(target, bytes):
            target = target.decode("latin-1")
        target = str(target).strip().lower()
        if target.startswith(URI_SCRIPT_SCHEMES):
            return "javascript"
        if target.startswith(URI_LOCAL_SCHEMES):
            return "launch"
    return None


def _runs_on_open(action: PdfObject) -> bool:
    """A destination (or a plain jump to one) only picks the first page shown."""
    if not isinstance(action, DictionaryObject):
        return False
    return _name(action, "/S") != "/GoTo" or "/Next" in action


def _risky_annotation(annotation: PdfObject, removed: set[str]) -> bool:
    annotation = annotation.get_object()
    if not isinstance(annotation, DictionaryObject):
        return False
    category = RISKY_ANNOTATIONS.get(_name(annotation, "/Subtype"))
    if category:
        removed.add(category)
    return category is not None


def _resolved(entry: DictionaryObject, key: str):
    return entry[key] if key in entry else None


def _name(entry: DictionaryObject, key: str) -> str | None:
    value = _resolved(entry, key)
    return str(value) if isinstance(value, NameObject) else None
