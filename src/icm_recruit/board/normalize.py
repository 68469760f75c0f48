"""Normalise person names, institutions and e-mail domains for conflict matching.

The goal is recall: two spellings of the same person or institution must meet;
a few extra suggestions are acceptable because HR confirms or dismisses each one.

Names
    Accents are stripped and German / Nordic transliterations folded, so
    "Müller", "Mueller" and "Muller" share one key (``ä/ae -> a``, ``ö/oe/ø -> o``,
    ``ü/ue -> u``, ``ß -> ss``). The fold is applied to both sides of a comparison,
    never shown to users. "Smith, John", "John Smith", "J. Smith" and "Smith J"
    (publication style) parse to the same family name. Given names are compared on
    their first token: two full names must be equal, while an initial matches any
    given name with that first letter ("J. Smith" matches "John Smith" and also
    "Jane Smith"; "John Smith" does not match "Jane Smith"). A name given without a
    first name matches on the family name alone.

Institutions
    An affiliation is split on commas and semicolons; each part that names an
    institution (it holds a word such as university, institute, hospital, or is a
    known alias) yields a key. Abbreviations are expanded ("Univ." -> university,
    "Ctr"/"Centre" -> center, "Natl" -> national), French words translated
    ("Université" -> university), "&" read as "and", little words dropped and the
    remaining words sorted, so "Univ. of Oxford" and "Oxford University" meet.
    ``INSTITUTION_ALIASES`` maps other names of one place (ICM, Paris Brain
    Institute, Institut du Cerveau) to one key. National umbrella bodies (CNRS,
    Inserm, ...) are ignored: sharing them says nothing about proximity.

E-mail domains
    The registrable domain is kept (``med.harvard.edu -> harvard.edu``,
    ``bioch.ox.ac.uk -> ox.ac.uk``) using a short list of two-level suffixes.
    Public mail providers and umbrella bodies give no domain at all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_SPECIAL_LETTERS = str.maketrans(
    {
        "ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
        "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "þ": "th", "ı": "i",
        "ä": "a", "Ä": "A", "ö": "o", "Ö": "O", "ü": "u", "Ü": "U",
    }
)
_DIGRAPHS = re.compile(r"(?<=[a-z])(ae|oe|ue)")
_WORD = re.compile(r"[a-z0-9]+")


def strip_accents(text: str) -> str:
    """Return ``text`` without diacritics, with special Latin letters spelled out."""
    text = text.translate(_SPECIAL_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Return lowercase ASCII text for comparisons (accents stripped)."""
    return strip_accents(text).casefold()


def fold_name_word(word: str) -> str:
    """Return a matching key for one name word (umlaut transliterations folded)."""
    word = "".join(_WORD.findall(fold(word)))
    return _DIGRAPHS.sub(lambda m: m.group(1)[0], word)


# ---------------------------------------------------------------- person names

NAME_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "des", "la", "le",
     "dos", "das", "do", "ter", "ten", "zu", "af", "al", "el", "bin", "ben", "st"}
)
_TITLES = frozenset({"dr", "prof", "professor", "mr", "mrs", "ms", "mme", "mlle", "pr", "phd"})
_INITIALS_ONLY = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")


@dataclass(frozen=True)
class PersonName:
    """A parsed person name: folded family key and folded given-name words."""

    family: str
    given: tuple[str, ...]
    alternatives: frozenset[str] = frozenset()

    @property
    def families(self) -> frozenset[str]:
        """Return every family key this name may be filed under (compound names)."""
        return self.alternatives | {self.family} if self.family else frozenset()

    @property
    def initial(self) -> str:
        """Return the first letter of the first given name, or ''."""
        return self.given[0][0] if self.given else ""


def _name_words(text: str) -> list[str]:
    """Split a name into words, keeping hyphenated parts apart."""
    words = re.split(r"[\s\-\u2010\u2011]+", text.strip())
    return [w for w in words if w and fold_name_word(w)]


def _family_key(words: list[str]) -> str:
    """Join family-name words into one key, ignoring particles such as 'van' or 'de'."""
    kept = [fold_name_word(w) for w in words if fold(w).strip(".") not in NAME_PARTICLES]
    return "".join(kept or [fold_name_word(w) for w in words])


def _given_words(words: list[str]) -> tuple[str, ...]:
    """Return folded given-name words; 'JP' or 'J.-P.' become one word per initial."""
    out: list[str] = []
    for word in words:
        if _INITIALS_ONLY.match(word.replace(" ", "")):
            out.extend(ch.lower() for ch in word if ch.isalpha())
        else:
            out.append(fold_name_word(word))
    return tuple(w for w in out if w and w not in _TITLES)


def _compound_alternatives(words: list[str]) -> frozenset[str]:
    """Return extra family keys for a compound family name ('Garcia Lopez')."""
    keys = {_family_key([w]) for w in words if fold(w).strip(".") not in NAME_PARTICLES}
    return frozenset(k for k in keys if len(k) > 1)


def _strip_trailing_initials(words: list[str]) -> tuple[list[str], list[str]]:
    """Split publication-style 'Dupont J P' into family words and initials."""
    cut = len(words)
    while cut > 1 and _INITIALS_ONLY.match(words[cut - 1]):
        cut -= 1
    if cut == len(words) or _INITIALS_ONLY.match(words[0]):
        return words, []
    return words[:cut], words[cut:]


@lru_cache(maxsize=65536)
def parse_name(text: str) -> PersonName:
    """Parse 'John Smith', 'Smith, John', 'J. Smith' or 'Smith JA' into a PersonName."""
    text = " ".join(text.split())
    if "," in text:
        family, _, given = text.partition(",")
        words = _name_words(family)
        return PersonName(_family_key(words), _given_words(_name_words(given)),
                          _compound_alternatives(words) if len(words) > 1 else frozenset())
    words = [w for w in _name_words(text) if fold(w).strip(".") not in _TITLES]
    if not words:
        return PersonName("", ())
    family_words, initials = _strip_trailing_initials(words)
    if initials:
        alternatives = _compound_alternatives(family_words) if len(family_words) > 1 else None
        return PersonName(_family_key(family_words), _given_words(initials),
                          alternatives or frozenset())
    start = len(words) - 1
    while start > 1 and fold(words[start - 1]) in NAME_PARTICLES:
        start -= 1
    compound = start >= 2 and not _INITIALS_ONLY.match(words[start - 1])
    alternatives = frozenset({_family_key(words[start - 1:])}) if compound else frozenset()
    return PersonName(_family_key(words[start:]), _given_words(words[:start]), alternatives)


def given_names_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Tell whether two given-name tuples may denote the same person."""
    if not a or not b:
        return True
    first_a, first_b = a[0], b[0]
    if len(first_a) == 1 or len(first_b) == 1:
        return first_a[0] == first_b[0]
    return first_a == first_b


def names_match(a: str | PersonName, b: str | PersonName) -> bool:
    """Tell whether two names may denote the same person (see module docstring)."""
    pa = a if isinstance(a, PersonName) else parse_name(a)
    pb = b if isinstance(b, PersonName) else parse_name(b)
    if not pa.family or not pa.families & pb.families:
        return False
    return given_names_compatible(pa.given, pb.given)


_ET_AL = re.compile(r"\bet\.?\s+al\b\.?", re.IGNORECASE)
_YEAR_IN_PARENTHESES = re.compile(r"\(\s*\d{4}[a-z]?\s*\)")
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:[;,]|\band\b|&|\bet\b)\s*")
_NAME_LIKE_WORD = re.compile(r"^(?:[A-Z][^\s]*|(?:[a-z]{1,3}))$")


def _author_segments(line: str) -> list[str]:
    """Split one reference line into name-sized segments ('Smith, J.' kept together)."""
    segments: list[str] = []
    line = _YEAR_IN_PARENTHESES.sub(" ", _ET_AL.sub(" ", line))
    for part in _AUTHOR_SEPARATORS.split(line):
        part = part.strip(" .:()[]")
        if not part:
            continue
        if segments and _INITIALS_ONLY.match(part.replace(" ", "").replace(".", "")):
            segments[-1] = f"{segments[-1]}, {part}"
        else:
            segments.append(part)
    return segments


def author_names(text: str) -> list[PersonName]:
    """Return the person names found in a free-text publication list."""
    names: list[PersonName] = []
    for line in re.split(r"[\n.](?=\s*[A-Z\d])|\n", text):
        for segment in _author_segments(line):
            words = segment.replace(",", " ").split()
            if 1 < len(words) <= 5 and all(_NAME_LIKE_WORD.match(w) for w in words):
                name = parse_name(segment)
                if name.family:
                    names.append(name)
    return names


# ---------------------------------------------------------------- institutions

_ABBREVIATIONS = {
    "univ": "university", "universite": "university", "universitat": "university",
    "universidad": "university", "universita": "university", "universiteit": "university",
    "uni": "university", "u": "university",
    "inst": "institute", "institut": "institute", "instituto": "institute",
    "istituto": "institute",
    "ctr": "center", "cntr": "center", "centre": "center", "cent": "center", "centro": "center",
    "natl": "national", "nat": "national", "nationale": "national", "nacional": "national",
    "dept": "department", "dep": "department", "departement": "department",
    "hosp": "hospital", "hopital": "hospital", "hopitaux": "hospital", "hospitalier": "hospital",
    "lab": "laboratory", "labo": "laboratory", "laboratoire": "laboratory",
    "coll": "college", "sch": "school", "ecole": "school",
    "res": "research", "recherche": "research", "rech": "research",
    "sci": "science", "sciences": "science", "tech": "technology", "technol": "technology",
    "med": "medical", "medicale": "medical", "medecine": "medicine",
    "intl": "international", "dev": "development", "devel": "development",
    "fdn": "foundation", "fondation": "foundation",
    "acad": "academy", "academie": "academy", "polytech": "polytechnic",
    "cerveau": "brain", "moelle": "spinal", "epiniere": "cord",
}
_INSTITUTION_STOP_WORDS = frozenset(
    {"of", "the", "and", "at", "for", "in", "de", "du", "des", "la", "le", "l", "d", "et",
     "en", "fur", "der", "die", "das", "und", "di", "del", "y"}
)
_INSTITUTION_HEADS = frozenset(
    {"university", "institute", "center", "hospital", "school", "college", "laboratory",
     "foundation", "academy", "polytechnic", "clinic", "faculty", "eth", "epfl", "kcl"}
)
UMBRELLA_BODIES = frozenset(
    {"CNRS", "Centre national de la recherche scientifique", "Inserm",
     "Institut national de la santé et de la recherche médicale", "INRAE", "Inria", "CEA",
     "Max Planck Society", "Max-Planck-Gesellschaft", "MPG", "CNR", "CSIC", "Helmholtz",
     "Consiglio Nazionale delle Ricerche", "Spanish National Research Council"}
)


def _expand_words(text: str) -> list[str]:
    """Return folded institution words with abbreviations expanded and '&' read as 'and'."""
    text = fold(text).replace("&", " and ").replace("'s", "s")
    words = [_ABBREVIATIONS.get(w, w) for w in _WORD.findall(text)]
    return [w for w in words if w not in _INSTITUTION_STOP_WORDS]


def _raw_institution_key(text: str) -> str:
    """Return the sorted-word key of one institution name, before aliases."""
    return " ".join(sorted(set(_expand_words(text))))


_ALIAS_GROUPS: dict[str, tuple[str, ...]] = {
    "icm paris brain institute": (
        "ICM", "Paris Brain Institute", "Institut du Cerveau", "Institut du Cerveau ICM",
        "Institut du Cerveau et de la Moelle épinière", "Brain and Spine Institute",
        "ICM Institute", "Paris Brain Institute ICM",
    ),
    "sorbonne university": (
        "Sorbonne Université", "Sorbonne University", "Université Pierre et Marie Curie",
        "UPMC", "Université Paris-Sorbonne", "Paris-Sorbonne University", "Paris IV",
    ),
    "universite paris cite": (
        "Université Paris Cité", "Université de Paris", "Université Paris Descartes",
        "Université Paris Diderot", "Paris Descartes", "Paris Diderot", "Paris 5", "Paris 7",
    ),
    "university college london": ("UCL", "University College London"),
    "massachusetts institute technology": ("MIT", "Massachusetts Institute of Technology"),
    "eth zurich": ("ETH", "ETH Zürich", "ETHZ", "Swiss Federal Institute of Technology Zurich"),
    "epfl": ("EPFL", "École Polytechnique Fédérale de Lausanne",
             "Swiss Federal Institute of Technology Lausanne"),
    "kings college london": ("KCL", "King's College London"),
    "ap hp": ("AP-HP", "APHP", "Assistance Publique - Hôpitaux de Paris",
              "Assistance Publique Hôpitaux de Paris"),
    "ens paris": ("ENS", "École normale supérieure", "Ecole Normale Superieure Paris",
                  "ENS Paris", "ENS-PSL"),
}
INSTITUTION_ALIASES: dict[str, str] = {
    _raw_institution_key(alias): canonical
    for canonical, aliases in _ALIAS_GROUPS.items()
    for alias in aliases
}
_CANONICAL_ALIASES = frozenset(_ALIAS_GROUPS)
_UMBRELLA_KEYS = frozenset(_raw_institution_key(name) for name in UMBRELLA_BODIES)


def institution_key(name: str) -> str:
    """Return the comparison key of one institution name (aliases resolved)."""
    raw = _raw_institution_key(name)
    return INSTITUTION_ALIASES.get(raw, raw)


def _names_institution(key: str) -> bool:
    """Tell whether a key looks like an institution rather than a city, country or unit."""
    words = set(key.split())
    if key in _CANONICAL_ALIASES:
        return True
    return bool(words & _INSTITUTION_HEADS) and "department" not in words


@lru_cache(maxsize=65536)
def institution_keys(affiliation: str) -> frozenset[str]:
    """Return the institution keys named in a free-text affiliation."""
    parts = [p for p in re.split(r"[,;/|()]+", affiliation) if p.strip()]
    keys = [institution_key(p) for p in parts]
    keys = [k for k in keys if k and k not in _UMBRELLA_KEYS]
    named = {k for k in keys if _names_institution(k)}
    if not named and keys and institution_key(parts[0]) == keys[0]:
        named = {keys[0]}
    return frozenset(named)


def same_institution(a: str, b: str) -> bool:
    """Tell whether two affiliations share an institution."""
    return bool(institution_keys(a) & institution_keys(b))


# ---------------------------------------------------------------- e-mail domains

_TWO_LEVEL_SUFFIXES = frozenset(
    {"ac.uk", "co.uk", "org.uk", "gov.uk", "nhs.uk", "ac.jp", "co.jp", "ac.kr", "co.kr",
     "ac.il", "ac.at", "ac.be", "ac.nz", "co.nz", "ac.za", "co.za", "ac.in", "co.in",
     "edu.au", "com.au", "org.au", "edu.cn", "ac.cn", "com.cn", "edu.hk", "edu.sg",
     "com.br", "edu.br", "usp.br", "edu.tw", "ac.th", "edu.mx", "edu.ar", "edu.tr",
     "ac.ir", "edu.pl", "gouv.fr", "ac.id", "edu.my", "ac.cy", "ac.rs"}
)
PUBLIC_MAIL_DOMAINS = frozenset(
    {"gmail.com", "googlemail.com", "outlook.com", "outlook.fr", "live.com", "msn.com",
     "icloud.com", "me.com", "mac.com", "aol.com", "protonmail.com", "protonmail.ch",
     "proton.me", "pm.me", "qq.com", "163.com", "126.com", "yeah.net", "sina.com",
     "sohu.com", "foxmail.com", "aliyun.com", "orange.fr", "free.fr", "laposte.net",
     "wanadoo.fr", "sfr.fr", "neuf.fr", "bbox.fr", "numericable.fr", "web.de", "t-online.de",
     "freenet.de", "mail.ru", "inbox.ru", "bk.ru", "list.ru", "zoho.com", "tutanota.com",
     "tuta.io", "fastmail.com", "hey.com", "naver.com", "daum.net", "hanmail.net",
     "rediffmail.com", "libero.it", "virgilio.it", "tiscali.it", "seznam.cz", "wp.pl",
     "o2.pl", "interia.pl", "btinternet.com", "comcast.net", "verizon.net", "att.net",
     "mailbox.org", "posteo.de", "skynet.be", "bluewin.ch", "telenet.be"}
)
# Providers present under many country domains (hotmail.fr, yahoo.co.uk, gmx.net ...).
_PUBLIC_PROVIDER_LABELS = frozenset({"hotmail", "yahoo", "gmx", "live", "outlook", "yandex",
                                     "ymail", "rocketmail", "aol"})
UMBRELLA_DOMAINS = frozenset({"cnrs.fr", "inserm.fr", "inrae.fr", "inria.fr", "mpg.de",
                              "cnr.it", "csic.es"})


def email_domain(address: str) -> str:
    """Return the lowercased domain of an address (or of a bare domain)."""
    domain = address.rpartition("@")[2] if "@" in address else address
    return domain.strip().strip(".").casefold()


def registrable_domain(address: str) -> str:
    """Return the registrable domain: 'med.harvard.edu' -> 'harvard.edu'."""
    labels = [label for label in email_domain(address).split(".") if label]
    if len(labels) <= 2:
        return ".".join(labels)
    size = 3 if ".".join(labels[-2:]) in _TWO_LEVEL_SUFFIXES else 2
    return ".".join(labels[-size:])


def is_public_mail_domain(domain: str) -> bool:
    """Tell whether a registrable domain belongs to a public mail provider."""
    return domain in PUBLIC_MAIL_DOMAINS or domain.split(".")[0] in _PUBLIC_PROVIDER_LABELS


def institutional_domain(address: str) -> str | None:
    """Return the registrable domain of an address, or None for public or umbrella ones."""
    domain = registrable_domain(address)
    if "." not in domain or is_public_mail_domain(domain) or domain in UMBRELLA_DOMAINS:
        return None
    return domain


def normalize_email(address: str) -> str:
    """Return an address folded for equality tests."""
    return address.strip().casefold()
