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
    Affiliations are read in ``affiliations`` with the institution ``registry``.

E-mail domains
    The registrable domain is kept (``med.harvard.edu -> harvard.edu``,
    ``bioch.ox.ac.uk -> ox.ac.uk``) using a short list of two-level suffixes.
    Public mail providers and umbrella bodies give no domain at all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

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
    if text.isascii():  # nothing to strip or spell out (most names and affiliations)
        return text
    text = text.translate(_SPECIAL_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Return lowercase ASCII text for comparisons (accents stripped)."""
    return strip_accents(text).casefold()


@lru_cache(maxsize=65536)  # one name folds each of its words three or four times
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
    # The same words read family name first ("Tanaka Kenji", "Kim Min-jun").
    family_first: PersonName | None = None

    @cached_property
    def families(self) -> frozenset[str]:
        """Return every family key this name may be filed under (compound names, order)."""
        if not self.family:
            return frozenset()
        other = self.family_first.families if self.family_first else frozenset()
        return self.alternatives | {self.family} | other

    @property
    def readings(self) -> tuple[PersonName, ...]:
        """Return this reading and, for a name without initials, the family-first one."""
        return (self, self.family_first) if self.family_first else (self,)

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


def _family_first(tokens: list[str]) -> PersonName | None:
    """Read 'Tanaka Kenji' or 'Kim Min-jun' as family name, then given names."""
    if not 2 <= len(tokens) <= 3 or any(_INITIALS_ONLY.match(t) for t in tokens):
        return None
    return PersonName(_family_key(_name_words(tokens[0])),
                      _given_words(_name_words(" ".join(tokens[1:]))))


def _capitalised_family(tokens: list[str]) -> PersonName | None:
    """Read 'TANAKA Kenji' or 'Kenji TANAKA': the word in capitals is the family name."""
    caps = [t for t in tokens if len(t) > 1 and t.isalpha() and t.isupper()]
    if len(caps) != 1 or len(tokens) < 2 or _INITIALS_ONLY.match(caps[0]):
        return None
    rest = [t for t in tokens if t is not caps[0]]
    return PersonName(_family_key(_name_words(caps[0])), _given_words(_name_words(" ".join(rest))))


@lru_cache(maxsize=65536)
def parse_name(text: str) -> PersonName:
    """Parse 'John Smith', 'Smith, John', 'J. Smith' or 'Smith JA' into a PersonName.

    A name without a comma or initials may also be written family name first, as in
    Chinese, Japanese and Korean usage: that reading is kept in ``family_first``. A
    word in capitals ('TANAKA Kenji') is taken as the family name.
    """
    text = " ".join(text.split())
    tokens = [t for t in text.split() if fold(t).strip(".") not in _TITLES]
    if "," not in text:
        capitalised = _capitalised_family(tokens)
        if capitalised is not None:
            return capitalised
    primary = _parse_western(text)
    if "," in text or not primary.family:
        return primary
    family_first = _family_first(tokens)
    if family_first is None or family_first.family == primary.family:
        return primary
    return PersonName(primary.family, primary.given, primary.alternatives, family_first)


def _parse_western(text: str) -> PersonName:
    """Parse a name written given names first, or 'Family, Given', or with initials last."""
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
    # 'Min-jun' (two words) and 'Minjun' (one) are one given name.
    return first_a == first_b or "".join(a) == "".join(b)


def names_match(a: str | PersonName, b: str | PersonName) -> bool:
    """Tell whether two names may denote the same person (see module docstring)."""
    pa = a if isinstance(a, PersonName) else parse_name(a)
    pb = b if isinstance(b, PersonName) else parse_name(b)
    if not pa.family or not pa.families & pb.families:
        return False
    return any(_reading_match(ra, rb) for ra in pa.readings for rb in pb.readings)


def _reading_match(a: PersonName, b: PersonName) -> bool:
    own_a = a.alternatives | {a.family}
    own_b = b.alternatives | {b.family}
    return bool(own_a & own_b) and given_names_compatible(a.given, b.given)


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


# "H. Lefevre" or "J. K. Rowling" at the start of an author: the initials' full stops are
# not the end of a reference.
_LEADING_INITIALS = re.compile(
    r"(^|[,;&]\s*|\band\s+|\n)([A-Z])\.(?:\s*([A-Z])\.)?\s+(?=[A-Z][a-z])")


def _join_initials(match: re.Match) -> str:
    return f"{match.group(1)}{match.group(2)}{match.group(3) or ''} "


def author_names(text: str) -> list[PersonName]:
    """Return the person names found in a free-text publication list."""
    names: list[PersonName] = []
    for line in re.split(r"[\n.](?=\s*[A-Z\d])|\n", _LEADING_INITIALS.sub(_join_initials, text)):
        for segment in _author_segments(line):
            words = segment.replace(",", " ").split()
            if 1 < len(words) <= 5 and all(_NAME_LIKE_WORD.match(w) for w in words):
                name = parse_name(segment)
                if name.family:
                    names.append(name)
    return names


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
