"""The institution registry: canonical names, aliases, acronyms, e-mail domains, units.

The app ships ``institutions.json`` (one entry per institution or parent body); HR adds
entries of their own in the admin pages, and both are merged into one ``Registry``.
An entry of kind ``umbrella`` is a parent body (CNRS, Inserm, the Max Planck Society, the
University of California system): sharing it is not a conflict, so it yields no key.
An entry of kind ``institution`` may name its parent body; two entries with the same
parent are two institutions.

Words are folded for every comparison (``institution_words`` says how).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from icm_recruit.board import institution_words as lexicon
from icm_recruit.board.normalize import strip_accents

DATA_FILE = Path(__file__).resolve().parent / "institutions.json"
KINDS = ("institution", "umbrella")
_WORD = re.compile(r"[a-z0-9]+")
_DIGRAPHS = re.compile(r"(?<=[a-z])(ae|oe|ue)")


def fold_word(word: str) -> str:
    """Return the folded form of one lowercase ASCII word (``ae/oe/ue`` -> ``a/o/u``)."""
    return _DIGRAPHS.sub(lambda m: m.group(1)[0], word)


def _folded_set(words) -> frozenset[str]:
    return frozenset(fold_word(w) for w in words)


TRANSLATIONS = {fold_word(k): v.split() for k, v in lexicon.TRANSLATIONS.items()}
STOP_WORDS = _folded_set(lexicon.STOP_WORDS)
HEADS = _folded_set(lexicon.HEADS)
TYPES = _folded_set(lexicon.TYPES)
SUBJECTS = _folded_set(lexicon.SUBJECTS)
PLACES = _folded_set(lexicon.PLACES)


def original_words(text: str) -> list[str]:
    """Return the folded words of a name in its own language, little words dropped."""
    text = strip_accents(text).casefold().replace("&", " and ").replace("'s ", "s ")
    words = [fold_word(w) for w in _WORD.findall(text)]
    return [w for w in words if w not in STOP_WORDS]


def english_words(words: list[str]) -> list[str]:
    """Translate folded words into English words ("medical center" reads "hospital")."""
    out: list[str] = []
    for word in words:
        out.extend(TRANSLATIONS.get(word, [word]))
    merged: list[str] = []
    for word in out:
        if word in ("center", "centre") and merged and merged[-1] == "medical":
            merged[-1] = "hospital"
        elif word == "school" and merged and merged[-1] == "medical":
            merged[-1:] = ["school", "medicine"]
        else:
            merged.append(word)
    return [w for w in merged if w not in STOP_WORDS]


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """Return the comparison key of a name: its English words, sorted, once each."""
    return " ".join(sorted(set(english_words(original_words(text)))))


def compact(text: str) -> str:
    """Return the letters and digits of an acronym, lowercase: 'AP-HP' -> 'aphp'."""
    return "".join(_WORD.findall(strip_accents(text).casefold()))


@dataclass(frozen=True)
class Entry:
    """One institution or parent body."""

    id: str
    name: str
    kind: str = "institution"
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    parent: str | None = None
    local: bool = False

    @property
    def umbrella(self) -> bool:
        return self.kind == "umbrella"

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @classmethod
    def from_dict(cls, data: dict, *, local: bool = False) -> Entry:
        return cls(id=str(data["id"]), name=data["name"], kind=data.get("kind", "institution"),
                   aliases=tuple(data.get("aliases", ())),
                   acronyms=tuple(data.get("acronyms", ())),
                   domains=tuple(d.casefold() for d in data.get("domains", ())),
                   units=tuple(data.get("units", ())), parent=data.get("parent"), local=local)


_UNIT = re.compile(
    r"\b(?:UMR|UMRS|UMR-S|UMR_S|UPR|UAR|UMS|USR|FRE|ERL|EA|UR|U|UA|UMI|IRL|UMRT)"
    r"\s*[-_ ]?\s*(?:S\s*)?(\d{3,4})\b", re.IGNORECASE)


def unit_codes(text: str) -> list[tuple[str, str]]:
    """Return (code as written, number) of the research-unit codes in a text."""
    return [(m.group(0), str(int(m.group(1)))) for m in _UNIT.finditer(text)]


def strip_unit_codes(text: str) -> str:
    """Return the text with its unit codes replaced by a separator."""
    return _UNIT.sub(",", text)


@dataclass
class Registry:
    """Entries and their lookups; ``version`` changes whenever the entries do."""

    entries: tuple[Entry, ...]
    version: str = "shipped"
    by_id: dict[str, Entry] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {e.id: e for e in self.entries}

    def __hash__(self) -> int:
        return hash(self.version)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Registry) and other.version == self.version

    @cached_property
    def _keys(self) -> dict[str, Entry]:
        keys: dict[str, Entry] = {}
        for entry in self.entries:  # later (local) entries win over shipped ones
            for text in (*entry.names, *entry.acronyms):
                key = name_key(text)
                if key:
                    keys[key] = entry
        return keys

    @cached_property
    def _acronyms(self) -> dict[str, Entry]:
        found: dict[str, list[Entry]] = {}
        for entry in self.entries:
            for acronym in entry.acronyms:
                found.setdefault(compact(acronym), []).append(entry)
        # An acronym two entries share says nothing on its own.
        return {k: v[-1] for k, v in found.items() if len({e.id for e in v}) == 1 or v[-1].local}

    @cached_property
    def _domains(self) -> dict[str, Entry]:
        return {domain: entry for entry in self.entries for domain in entry.domains}

    @cached_property
    def _units(self) -> dict[str, Entry]:
        return {number: entry for entry in self.entries for unit in entry.units
                for _code, number in unit_codes(unit)}

    def lookup(self, text: str) -> Entry | None:
        """Return the entry a name, alias or acronym denotes, or None."""
        return self._keys.get(name_key(text)) or self._acronyms.get(compact(text))

    def lookup_acronym(self, word: str) -> Entry | None:
        return self._acronyms.get(compact(word))

    def lookup_unit(self, number: str) -> Entry | None:
        return self._units.get(number)

    def lookup_domain(self, domain: str) -> Entry | None:
        """Return the entry of an e-mail domain or of one of its parent domains."""
        labels = domain.casefold().strip(".").split(".")
        for start in range(len(labels) - 1):
            entry = self._domains.get(".".join(labels[start:]))
            if entry is not None:
                return entry
        return None

    def label(self, entry_id: str) -> str:
        entry = self.by_id.get(entry_id)
        return entry.name if entry else entry_id


def _load_shipped() -> tuple[Entry, ...]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return tuple(Entry.from_dict(item) for item in data["entries"])


@lru_cache(maxsize=1)
def shipped_registry() -> Registry:
    """Return the registry the app ships, without HR's additions."""
    return Registry(_load_shipped(), version="shipped")


def with_local(entries: list[dict], version: str) -> Registry:
    """Return the shipped registry extended by HR's entries (dicts like the data file)."""
    local = tuple(Entry.from_dict(item, local=True) for item in entries)
    return Registry(shipped_registry().entries + local, version=f"local:{version}")
