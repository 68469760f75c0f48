"""Read free-text affiliations and e-mail domains into comparable institution terms.

An affiliation ("Dept. of Neuroscience, Karolinska Institutet, Stockholm") is split on
commas, semicolons, slashes and parentheses. Each part, or a run of two or three parts
("University of California, Berkeley"), is first looked up in the registry; a part that
is not there is read by general rules:

- research-unit codes ("Inserm U1127", "UMR-S 1127", "CNRS UMR 7225") name one unit;
- the words are folded, translated into English and sorted, and compared by their
  distinctive words (those that are neither a kind of body, nor a type such as technical
  or medical, nor a field, see ``institution_words``): "Universität Heidelberg" and
  "Heidelberg University" meet, "Free University of Berlin" and "Technical University of
  Berlin" do not, nor do two departments with nothing but a field in their name;
- acronyms, alone or with a place ("MIT", "KU Leuven", "TU Dresden"), meet the initials
  of a full name;
- a parent body followed by a place ("University of Texas, El Paso") is one campus.
Parent bodies (umbrella entries: CNRS, Max Planck Society, University of California) give
no term, so that two of their units or campuses stay apart.

Every ``Term`` keeps the text it came from and how it was read, so a match explains
itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from icm_recruit.board.normalize import (
    institutional_domain,
    is_public_mail_domain,
    registrable_domain,
    strip_accents,
)
from icm_recruit.board.registry import (
    HEADS,
    PLACES,
    SUBJECTS,
    TYPES,
    Entry,
    Registry,
    english_words,
    name_key,
    original_words,
    shipped_registry,
    strip_unit_codes,
    unit_codes,
)

_PARTS = re.compile(r"\s*[,;/|()\[\]]+\s*")
_DASHES = re.compile(r"\s+[-\u2013\u2014]\s+")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z&]*")


@dataclass(frozen=True)
class Term:
    """One comparable piece of an affiliation or address."""

    key: str
    text: str
    how: str  # registry | unit | name | acronym | domain
    entry: str | None = None
    subjects: frozenset[str] = frozenset()
    heads: frozenset[str] = frozenset()
    place_only: bool = False
    literal: bool = False
    domain: str = ""


class Terms(tuple):
    """The terms of one affiliation or address, with their keys for fast comparison."""

    def __hash__(self) -> int:  # one object per text (cached): identity is enough
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    @property
    def by_key(self) -> dict[str, list[Term]]:
        found = self.__dict__.get("_by_key")
        if found is None:
            found = {}
            for term in self:
                found.setdefault(term.key, []).append(term)
            self.__dict__["_by_key"] = found
        return found


EMPTY = Terms()


@dataclass
class _Part:
    text: str
    entry: Entry | None = None
    used: bool = False
    terms: list[Term] = field(default_factory=list)


def _literal_acronyms(text: str) -> list[str]:
    """Return the tokens of a part written as acronyms ('KU', 'DZNE', 'UvA')."""
    tokens = _TOKEN.findall(strip_accents(text))
    if len(tokens) > 1 and all(t.isupper() for t in tokens):
        return []  # a name in capitals ("UNIVERSITY OF OXFORD"), not acronyms
    return [t for t in tokens if 2 <= len(t) <= 8 and sum(c.isupper() for c in t) >= 2
            and sum(c.isupper() for c in t) * 2 >= len(t)]


def _name_terms(text: str, *, entry: Entry | None = None, how: str = "name",
                fallback: bool = False, domain: str = "") -> list[Term]:
    """Return the distinctive-word and acronym terms of one institution name."""
    original = original_words(text)
    english = english_words(original)
    if not english:
        return []
    words = set(english)
    heads, types = words & HEADS, words & TYPES
    subjects = words & SUBJECTS - HEADS - TYPES
    distinctive = words - HEADS - TYPES - SUBJECTS
    entry_id = entry.id if entry else None
    terms: list[Term] = []
    if distinctive and (heads or fallback or entry):
        key = f"d:{' '.join(sorted(distinctive))}|{' '.join(sorted(types))}"
        terms.append(Term(key, text, how, entry_id, frozenset(subjects), frozenset(heads),
                          distinctive <= PLACES, domain=domain))
        named = sorted(w for w in distinctive - PLACES if len(w) >= 4)
        if len(named) == 1:
            terms.append(Term(f"dl:{named[0]}", text, how, entry_id, domain=domain))
    if heads or entry:
        terms += _derived_acronyms(text, original, english, how, entry_id, domain)
    return terms


def _derived_acronyms(text, original, english, how, entry_id, domain) -> list[Term]:
    """Return the acronym keys a full name can be written as (all initials, or some + rest)."""
    keys: set[str] = set()
    for words in (original, english):
        if not 2 <= len(words) <= 8:
            continue
        initials = "".join(w[0] for w in words)
        if len(initials) >= 3:
            keys.add(f"acr:{initials}")
        for size in (1, 2):
            for rest in combinations(range(len(words)), size):
                kept = [w[0] for i, w in enumerate(words) if i not in rest]
                if len(kept) >= 2:
                    rest_words = sorted(english_words([words[i] for i in rest]))
                    keys.add(f"acr:{''.join(sorted(kept))}|{' '.join(rest_words)}")
    return [Term(key, text, how, entry_id, domain=domain) for key in sorted(keys)]


def _literal_terms(text: str, acronyms: list[str], how: str = "acronym",
                   domain: str = "") -> list[Term]:
    """Return the keys of acronyms written in a part: 'KU Leuven' -> ku + leuven."""
    terms = []
    for acronym in acronyms:
        letters = acronym.casefold()
        rest = english_words(original_words(text.replace(acronym, " ")))
        if rest:
            key = f"acr:{''.join(sorted(letters))}|{' '.join(sorted(rest))}"
        elif len(letters) >= 3:
            key = f"acr:{letters}"
        else:
            continue
        terms.append(Term(key, text, how, literal=True, domain=domain))
    return terms


def _registry_term(entry: Entry, text: str, how: str = "registry", domain: str = "") -> list:
    """Return the registry key of an entry and the name keys of all its names."""
    terms = [Term(f"reg:{entry.id}", text, how, entry.id, domain=domain)]
    for name in entry.names:
        terms += [Term(t.key, text, how, entry.id, t.subjects, t.heads, t.place_only,
                       domain=domain)
                  for t in _name_terms(name, entry=entry)]
    return terms


def _split(text: str) -> list[_Part]:
    return [_Part(p) for p in _PARTS.split(text) if p.strip()]


def _resolve_runs(parts: list[_Part], registry: Registry) -> None:
    """Mark the parts, or runs of two or three parts, that the registry knows."""
    i = 0
    while i < len(parts):
        for width in (3, 2, 1):
            run = parts[i:i + width]
            if len(run) < width:
                continue
            entry = registry.lookup(", ".join(p.text for p in run))
            if entry is None and width == 1:
                entry = next((registry.lookup(piece) for piece in _DASHES.split(run[0].text)
                              if registry.lookup(piece)), None)
            if entry is not None:
                run[0].entry, run[0].text = entry, ", ".join(p.text for p in run)
                for extra in run[1:]:
                    extra.used = True
                i += width - 1
                break
        i += 1


def _is_bare_place(part: _Part) -> bool:
    words = english_words(original_words(part.text))
    return bool(words) and not set(words) & HEADS and not any(c.isdigit() for c in part.text)


def _campus(parts: list[_Part], index: int) -> list[Term]:
    """Read 'University of Texas, El Paso': a university system and the place of a campus."""
    if principal_head(frozenset(english_words(original_words(parts[index].entry.name)))
                      & HEADS) != "university":
        return []  # "Institute of Zoology, Chinese Academy of Sciences, Beijing"
    following = parts[index + 1] if index + 1 < len(parts) else None
    if following is None or following.used or following.entry or not _is_bare_place(following):
        return []
    words = set(english_words(original_words(following.text)))
    if words <= PLACES - {"saint"} and len(words) == 1 and next(iter(words)) in _COUNTRIES:
        return []
    following.used = True
    return _name_terms(f"{parts[index].text} {following.text}")


_COUNTRIES = frozenset({"france", "germany", "uk", "usa", "us", "switzerland", "italy",
                        "spain", "canada", "japan", "china", "sweden", "belgium", "austria",
                        "netherlands", "denmark", "norway", "israel", "korea", "portugal"})


_JOINED = re.compile(r"\s+(?:and|&|et|und|y|e)\s+", re.IGNORECASE)


def _part_terms(text: str, registry: Registry) -> list[Term]:
    """Return the terms of a part the registry does not know as a whole."""
    acronyms = _literal_acronyms(text)
    known = [registry.lookup_acronym(a) for a in acronyms]
    terms = [t for entry in known if entry and not entry.umbrella
             for t in _registry_term(entry, text)]
    unknown = [a for a, entry in zip(acronyms, known, strict=True) if entry is None]
    terms += _literal_terms(text, unknown)
    terms += _name_terms(text)
    # "Massachusetts General Hospital and Harvard Medical School": two institutions.
    pieces = _JOINED.split(text)
    if len(pieces) > 1 and all(set(english_words(original_words(p))) & HEADS for p in pieces):
        for piece in pieces:
            entry = registry.lookup(piece)
            if entry is not None:
                terms += [] if entry.umbrella else _registry_term(entry, piece)
            else:
                terms += _name_terms(piece)
    return terms


@lru_cache(maxsize=32768)
def affiliation_terms(text: str, registry: Registry | None = None) -> Terms:
    """Return the institution terms of one free-text affiliation."""
    registry = registry or shipped_registry()
    terms: list[Term] = []
    for code, number in unit_codes(text):
        terms.append(Term(f"unit:{number}", code.strip(), "unit"))
        entry = registry.lookup_unit(number)
        if entry is not None and not entry.umbrella:
            terms += _registry_term(entry, code.strip())
    parts = _split(strip_unit_codes(text))
    _resolve_runs(parts, registry)
    for index, part in enumerate(parts):
        if part.used:
            continue
        if part.entry is not None:
            terms += _campus(parts, index) if part.entry.umbrella else _registry_term(
                part.entry, part.text)
            continue
        terms += _part_terms(part.text, registry)
    if not any(t.heads or t.entry or t.how == "unit" for t in terms) and parts:
        first = next((p for p in parts if not p.used and p.entry is None), None)
        if first is not None:
            terms += _name_terms(first.text, fallback=True)
    if all(t.key.startswith("acr:") and not t.literal for t in terms):
        # Nothing distinctive anywhere ("National Centre for Research and Development"):
        # only the same name, word for word, can meet it.
        terms += [Term(f"x:{name_key(p.text)}", p.text, "name") for p in parts
                  if not p.used and p.entry is None and set(name_key(p.text).split()) & HEADS]
    return Terms(dict.fromkeys(terms))


def domain_terms(address: str, registry: Registry | None = None) -> Terms:
    """Return the institution terms of an e-mail address (none for public providers)."""
    full = address.rpartition("@")[2].casefold().strip().strip(".") if address else ""
    return _domain_terms(full, registry or shipped_registry())


@lru_cache(maxsize=32768)
def _domain_terms(full: str, registry: Registry) -> Terms:
    """Return the terms of one mail domain: one object per domain, shared by its addresses."""
    if not full or is_public_mail_domain(registrable_domain(full)):
        return EMPTY
    entry = registry.lookup_domain(full)
    if entry is not None:  # the registry knows institutes under a parent's domain
        if entry.umbrella:
            return EMPTY
        domain = registrable_domain(full)
        return Terms(_registry_term(entry, full, "domain", domain))
    domain = institutional_domain(full)
    if domain is None:
        return EMPTY
    terms = [Term(f"dom:{domain}", domain, "domain", domain=domain)]
    label = registrable_domain(full).split(".")[0]
    spaced = label.replace("-", " ")
    terms += _name_terms(spaced, how="domain", domain=domain)
    if label.isalpha() and 3 <= len(label) <= 8:
        terms.append(Term(f"acr:{label}", full, "domain", literal=True, domain=domain))
    terms.append(Term(f"dl:{label.replace('-', '')}", full, "domain", domain=domain))
    return Terms(terms)


def compatible(a: Term, b: Term) -> bool:
    """Tell whether two terms with the same key denote the same institution."""
    if a.entry and b.entry and a.entry != b.entry:
        return False
    kind = a.key.partition(":")[0]
    if kind == "acr":
        return a.literal or b.literal or bool(a.entry and a.entry == b.entry)
    if kind == "dl":
        return (a.how == "domain") != (b.how == "domain")
    if kind == "d":
        if a.place_only and principal_head(a.heads) != principal_head(b.heads):
            return False
        return not a.subjects or not b.subjects or a.subjects == b.subjects
    return True


_HEAD_ORDER = ("university", "institute", "hospital", "college", "school", "center",
               "laboratory", "clinic", "academy", "foundation")


def principal_head(heads: frozenset[str]) -> str:
    """Return the kind of body a name mainly says: 'University Hospital' is a university."""
    return next((h for h in _HEAD_ORDER if h in heads), min(heads, default=""))


_STRENGTH = {"reg": 0, "unit": 1, "dom": 2, "d": 3, "x": 3, "acr": 4, "dl": 5}


def _terms(terms) -> Terms:
    return terms if isinstance(terms, Terms) else Terms(terms)


def shared(a_terms: Terms, b_terms: Terms) -> tuple[Term, Term] | None:
    """Return the best pair of compatible terms two sides share, or None."""
    a_keys, b_keys = _terms(a_terms).by_key, _terms(b_terms).by_key
    common = a_keys.keys() & b_keys.keys()
    found = [(a, b) for key in common for a in a_keys[key] for b in b_keys[key]
             if compatible(a, b)]
    if not found:
        return None
    return min(found, key=lambda pair: (_STRENGTH[pair[0].key.partition(":")[0]],
                                        pair[0].key))


def via(a: Term, b: Term) -> str:
    """Return how a shared pair was found: registry, unit, domain, name or acronym."""
    kind = a.key.partition(":")[0]
    if a.entry or b.entry:
        return "registry"
    return {"unit": "unit", "dom": "domain", "acr": "acronym", "dl": "domain"}.get(kind, "name")


def same_institution(a: str, b: str, registry: Registry | None = None) -> bool:
    """Tell whether two affiliations share an institution."""
    return shared(affiliation_terms(a, registry), affiliation_terms(b, registry)) is not None


def registry_entries(affiliation: str, registry: Registry | None = None) -> set[str]:
    """Return the ids of the registry institutions an affiliation names."""
    return {t.entry for t in affiliation_terms(affiliation, registry)
            if t.key.startswith("reg:") and t.entry}
