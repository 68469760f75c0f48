"""Detect conflicts of interest between a board member and an applicant.

Each finding carries a reason code and the parameters of a readable reason;
``conflict_reasons.describe(finding, locale)`` renders it in English or French.

Codes and the ``conflict.source`` column of DESIGN.md:

=====================  ===================================================================
code                   meaning
=====================  ===================================================================
``declared``           the member declared a conflict with this application
``institution``        same institution, current or within the last ``recent_years`` years
``email_domain``       same institutional e-mail domain (public providers ignored)
``referee``            the member is one of the applicant's referees (e-mail or name)
``coauthor``           the member lists the applicant as co-author or collaborator, or the
                       member's name appears in the applicant's publication list
``manual``             added by HR (never produced by detection; see ``manual_conflict``)
``self``               added here: the member is the applicant (same user or e-mail)
``requested_exclusion``  added here: the applicant asked not to be reviewed by this member
=====================  ===================================================================

``self`` and ``requested_exclusion`` are two codes beyond DESIGN.md; the ``conflict.source``
column must accept them (``ConflictFinding.source`` returns the code unchanged).
Detection is deliberately generous (see ``normalize``): HR confirms or dismisses suggestions.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType

from icm_recruit.board.affiliations import (
    Term,
    affiliation_terms,
    domain_terms,
    shared,
    via,
)
from icm_recruit.board.normalize import (
    PersonName,
    author_names,
    fold,
    names_match,
    normalize_email,
    parse_name,
)
from icm_recruit.board.registry import Registry, shipped_registry

RECENT_YEARS = 3


class ConflictCode(StrEnum):
    """Reason code of a conflict of interest."""

    SELF = "self"
    DECLARED = "declared"
    INSTITUTION = "institution"
    EMAIL_DOMAIN = "email_domain"
    REFEREE = "referee"
    COAUTHOR = "coauthor"
    REQUESTED_EXCLUSION = "requested_exclusion"
    MANUAL = "manual"


@dataclass(frozen=True)
class Affiliation:
    """A past affiliation; ``end_year`` None means the end is unknown (treated as recent)."""

    name: str
    end_year: int | None = None


@dataclass(frozen=True)
class Referee:
    """A referee named by the applicant."""

    name: str
    email: str = ""


@dataclass(frozen=True)
class Paper:
    """One entry of a publication list: its title, year and authors as written."""

    title: str
    year: int | None = None
    authors: tuple[str, ...] = ()


@dataclass(frozen=True)
class MemberProfile:
    """What conflict detection needs to know about a board member."""

    user_id: int
    name: str
    email: str = ""
    affiliation: str = ""
    past_affiliations: tuple[Affiliation, ...] = ()
    coauthors: tuple[str, ...] = ()
    papers: tuple[Paper, ...] = ()


@dataclass(frozen=True)
class ApplicantProfile:
    """What conflict detection needs to know about an applicant and their application."""

    user_id: int
    name: str
    email: str = ""
    institution: str = ""
    past_institutions: tuple[Affiliation, ...] = ()
    publications: str = ""
    papers: tuple[Paper, ...] = ()
    referees: tuple[Referee, ...] = ()
    excluded_member_ids: frozenset[int] = frozenset()
    excluded_names: tuple[str, ...] = ()
    declared_member_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ConflictFinding:
    """One reason why a member must not review an applicant."""

    code: ConflictCode
    member_id: int
    applicant_id: int
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """Return the value stored in ``conflict.source``."""
        return self.code.value


def manual_conflict(member_id: int, applicant_id: int, reason: str) -> ConflictFinding:
    """Return a conflict entered by HR, with their reason."""
    return ConflictFinding(ConflictCode.MANUAL, member_id, applicant_id, {"reason": reason})


# ---------------------------------------------------------------- rules


def _finding(
    code: ConflictCode, member: MemberProfile, applicant: ApplicantProfile, **params: str
) -> ConflictFinding:
    """Build a finding for this pair."""
    return ConflictFinding(code, member.user_id, applicant.user_id, params)


def _is_self(member: MemberProfile, applicant: ApplicantProfile) -> bool:
    """Tell whether the member and the applicant are one person."""
    if member.user_id == applicant.user_id:
        return True
    email = normalize_email(member.email)
    return bool(email) and email == normalize_email(applicant.email)


def _recent(
    current: str, past: Iterable[Affiliation], since_year: int
) -> list[tuple[str, int | None]]:
    """Return (name, end year or None for current) of affiliations recent enough."""
    places: list[tuple[str, int | None]] = [(current, None)] if current.strip() else []
    for item in past:
        if item.end_year is None or item.end_year >= since_year:
            places.append((item.name, item.end_year))
    return places


Place = tuple[str, int | None, tuple[Term, ...]]
# One side's places: its recent affiliations, and its address read as a place.
Places = tuple[tuple[Place, ...], tuple[Place, ...]]


def _places(current: str, past: Iterable[Affiliation], since_year: int,
            registry: Registry) -> tuple[Place, ...]:
    """Return the recent affiliations with their institution terms."""
    return tuple((name, end, affiliation_terms(name, registry))
                 for name, end in _recent(current, past, since_year))


def _mail_place(email: str, registry: Registry) -> tuple[Place, ...]:
    """Return the institution of an address as a current place (none for public mail)."""
    terms = domain_terms(email, registry) if email else ()
    return ((email.rpartition("@")[2].casefold(), None, terms),) if terms else ()


def _match_params(m_term: Term, a_term: Term, registry: Registry) -> dict[str, str]:
    """Say which written forms met, and how."""
    params = {"member_match": m_term.text, "applicant_match": a_term.text,
              "via": via(m_term, a_term)}
    entry = m_term.entry or a_term.entry
    if entry:
        params["entry"] = registry.label(entry)
    domain = m_term.domain or a_term.domain
    if domain:
        params["domain"] = domain
    return params


def _place_reasons(m_places, a_places, code, registry, seen) -> list:
    """Return (code, params) for each institution two groups of places share."""
    found = []
    for m_name, m_end, m_terms in m_places:
        for a_name, a_end, a_terms in a_places:
            pair = shared(m_terms, a_terms)
            if pair is None or (code, pair[0].entry or pair[0].key) in seen:
                continue
            seen.add((code, pair[0].entry or pair[0].key))
            params = _match_params(*pair, registry)
            if code is ConflictCode.INSTITUTION:
                params.update(member_affiliation=m_name, member_until=str(m_end or ""),
                              applicant_institution=a_name, applicant_until=str(a_end or ""))
            found.append((code, params))
    return found


def _member_places(member: MemberProfile, since_year: int, registry: Registry) -> Places:
    return (_places(member.affiliation, member.past_affiliations, since_year, registry),
            _mail_place(member.email, registry))


def _applicant_places(applicant: ApplicantProfile, since_year: int,
                      registry: Registry) -> Places:
    return (_places(applicant.institution, applicant.past_institutions, since_year, registry),
            _mail_place(applicant.email, registry))


@lru_cache(maxsize=65536)
def _institution_reasons(m_places: Places, a_places: Places, registry: Registry) -> tuple:
    """Return (code, params) of each institution shared now or within the recent window.

    Addresses are compared with each other first (``email_domain``), affiliations with
    each other; an address is compared with the other side's affiliations only when
    neither found anything. The answer depends on the places alone (terms are one object
    per written form), so the members of one institution share it: kept per pair of places.
    """
    (m_affiliations, m_mail), (a_affiliations, a_mail) = m_places, a_places
    seen: set = set()
    found = _place_reasons(m_mail, a_mail, ConflictCode.EMAIL_DOMAIN, registry, seen)
    found += _place_reasons(m_affiliations, a_affiliations, ConflictCode.INSTITUTION,
                            registry, seen)
    if not found:
        found += _place_reasons(m_mail, a_affiliations, ConflictCode.INSTITUTION, registry,
                                seen)
        found += _place_reasons(m_affiliations, a_mail, ConflictCode.INSTITUTION, registry,
                                seen)
    return tuple(found)


def _institution_findings(member: MemberProfile, applicant: ApplicantProfile,
                          m_places: Places, a_places: Places,
                          registry: Registry) -> list[ConflictFinding]:
    """Find an institution shared now or within the recent window, by name or address."""
    return [ConflictFinding(code, member.user_id, applicant.user_id, dict(params))
            for code, params in _institution_reasons(m_places, a_places, registry)]


def _referee_findings(member: MemberProfile, applicant: ApplicantProfile) -> list[ConflictFinding]:
    """Find the member among the applicant's referees, by e-mail or by name."""
    member_email = normalize_email(member.email)
    found = []
    for referee in applicant.referees:
        by_email = bool(member_email) and normalize_email(referee.email) == member_email
        if by_email or names_match(referee.name, member.name):
            found.append(_finding(ConflictCode.REFEREE, member, applicant, referee=referee.name))
    return found


@lru_cache(maxsize=1024)
def _publication_authors(publications: str) -> tuple[PersonName, ...]:
    """Return the author names of a publication list, parsed once per text."""
    return tuple(author_names(publications))


PAPER_FINDINGS_MAX = 3


def _paper_findings(person: str, papers: Iterable[Paper], via_name: str, member, applicant):
    """Find a person among the authors of papers; one finding per paper, a few at most."""
    parsed = parse_name(person)
    found = []
    for paper in papers:
        author = next((a for a in paper.authors if names_match(parsed, a)), None)
        if author is not None:
            found.append(_finding(ConflictCode.COAUTHOR, member, applicant, via=via_name,
                                  name=person, author=author, title=paper.title,
                                  year=str(paper.year or "")))
            if len(found) == PAPER_FINDINGS_MAX:
                break
    return found


def _coauthor_findings(member: MemberProfile, applicant: ApplicantProfile) -> list[ConflictFinding]:
    """Find co-authorship: declared by the member, or in either side's publications."""
    found = [
        _finding(ConflictCode.COAUTHOR, member, applicant, via="declared", name=coauthor)
        for coauthor in member.coauthors
        if names_match(coauthor, applicant.name)
    ]
    member_name = parse_name(member.name)
    if any(names_match(member_name, author) for author in _publication_authors(
            applicant.publications)):
        found.append(_finding(ConflictCode.COAUTHOR, member, applicant,
                              via="publications", name=member.name))
    found += _paper_findings(member.name, applicant.papers, "paper", member, applicant)
    found += _paper_findings(applicant.name, member.papers, "member_paper", member, applicant)
    if not found:
        found += _shared_paper_findings(member, applicant)
    return found


def title_key(title: str) -> str:
    """Return a paper title folded for equality ('' for titles too short to tell)."""
    words = re.findall(r"[a-z0-9]+", fold(title))
    return " ".join(words) if len(words) >= 4 else ""


def _shared_paper_findings(member: MemberProfile, applicant: ApplicantProfile) -> list:
    """Find a paper on both lists, when the export names no authors (ORCID summaries)."""
    theirs = {title_key(p.title): p for p in applicant.papers}
    theirs.pop("", None)
    for paper in member.papers:
        same = theirs.get(title_key(paper.title))
        if same is not None:
            return [_finding(ConflictCode.COAUTHOR, member, applicant, via="shared_paper",
                             title=same.title, year=str(same.year or paper.year or ""))]
    return []


def _exclusion_findings(
    member: MemberProfile, applicant: ApplicantProfile
) -> list[ConflictFinding]:
    """Find the applicant's request not to be reviewed by this member (by id or name)."""
    if member.user_id in applicant.excluded_member_ids:
        return [_finding(ConflictCode.REQUESTED_EXCLUSION, member, applicant, name=member.name)]
    for name in applicant.excluded_names:
        if names_match(name, member.name):
            return [_finding(ConflictCode.REQUESTED_EXCLUSION, member, applicant, name=name)]
    return []


def _current_year() -> int:
    """Return this year in UTC."""
    return datetime.now(UTC).year


def detect_conflicts(
    member: MemberProfile,
    applicant: ApplicantProfile,
    *,
    reference_year: int | None = None,
    recent_years: int = RECENT_YEARS,
    registry: Registry | None = None,
) -> list[ConflictFinding]:
    """Return every conflict between a member and an applicant (empty when none)."""
    registry = registry or shipped_registry()
    since_year = (reference_year or _current_year()) - recent_years
    return _detect(member, applicant, _member_places(member, since_year, registry),
                   _applicant_places(applicant, since_year, registry), registry)


def _detect(member: MemberProfile, applicant: ApplicantProfile, m_places: Places,
            a_places: Places, registry: Registry) -> list[ConflictFinding]:
    if _is_self(member, applicant):
        return [_finding(ConflictCode.SELF, member, applicant)]
    found: list[ConflictFinding] = []
    if member.user_id in applicant.declared_member_ids:
        found.append(_finding(ConflictCode.DECLARED, member, applicant))
    found += _institution_findings(member, applicant, m_places, a_places, registry)
    found += _referee_findings(member, applicant)
    found += _coauthor_findings(member, applicant)
    found += _exclusion_findings(member, applicant)
    return found


# ---------------------------------------------------------------- many pairs at once


class ConflictIndex:
    """Index members so each applicant is compared only with members who may conflict."""

    def __init__(
        self,
        members: Iterable[MemberProfile],
        *,
        reference_year: int | None = None,
        recent_years: int = RECENT_YEARS,
        registry: Registry | None = None,
    ) -> None:
        """Index members by id, e-mail, institution terms and name keys."""
        self.members = {m.user_id: m for m in members}
        self.reference_year = reference_year or _current_year()
        self.recent_years = recent_years
        self.registry = registry or shipped_registry()
        self.since_year = self.reference_year - recent_years
        # Members with the same places share one tuple, so that what an applicant shares
        # with one of them is worked out once for all (see ``conflicts_for``).
        same_places: dict[Places, Places] = {}
        self._places: dict[int, Places] = {}
        for member in self.members.values():
            places = _member_places(member, self.since_year, self.registry)
            self._places[member.user_id] = same_places.setdefault(places, places)
        self._keys: dict[str, set[int]] = defaultdict(set)
        for member in self.members.values():
            for key in self._member_keys(member):
                self._keys[key].add(member.user_id)

    @staticmethod
    def _place_keys(places: tuple[list[Place], list[Place]]) -> set[str]:
        return {f"inst:{term.key}" for group in places for _n, _e, terms in group
                for term in terms}

    def _member_keys(self, member: MemberProfile) -> set[str]:
        """Return the lookup keys under which a member can be found."""
        keys = {f"id:{member.user_id}", f"mail:{normalize_email(member.email)}"}
        keys |= self._place_keys(self._places[member.user_id])
        keys |= {f"name:{family}" for family in parse_name(member.name).families}
        coauthors = [*member.coauthors, *(a for p in member.papers for a in p.authors)]
        keys |= {f"paper:{title_key(p.title)}" for p in member.papers}
        for coauthor in coauthors:
            keys |= {f"coauthor:{family}" for family in parse_name(coauthor).families}
        return keys

    def _applicant_keys(self, applicant: ApplicantProfile, places) -> set[str]:
        """Return the keys of members who may conflict with an applicant."""
        keys = {f"id:{applicant.user_id}", f"mail:{normalize_email(applicant.email)}"}
        keys |= {f"id:{i}" for i in applicant.excluded_member_ids | applicant.declared_member_ids}
        keys |= self._place_keys(places)
        keys |= {f"mail:{normalize_email(r.email)}" for r in applicant.referees if r.email}
        names = [parse_name(r.name) for r in applicant.referees]
        names += [parse_name(n) for n in applicant.excluded_names]
        names += _publication_authors(applicant.publications)
        names += [parse_name(a) for p in applicant.papers for a in p.authors]
        keys |= {f"name:{family}" for name in names for family in name.families}
        keys |= {f"coauthor:{family}" for family in parse_name(applicant.name).families}
        keys |= {f"paper:{title_key(p.title)}" for p in applicant.papers}
        keys -= {"mail:", "paper:"}
        return keys

    def candidates(self, applicant: ApplicantProfile, places=None) -> set[int]:
        """Return the ids of members who may conflict with an applicant."""
        by_place, by_person = self._candidates(applicant, places)
        return by_place | by_person

    def _candidates(self, applicant: ApplicantProfile, places=None) -> tuple[set, set]:
        """Return the members met through an institution term, and those met otherwise.

        Every rule but the institution one needs a key other than ``inst:`` to meet (the
        same id, address, family name or paper title), so a member met through
        institution terms alone can only share an institution.
        """
        places = places or _applicant_places(applicant, self.since_year, self.registry)
        by_place: set[int] = set()
        by_person: set[int] = set()
        for key in self._applicant_keys(applicant, places):
            found = self._keys.get(key)
            if found:
                (by_place if key.startswith("inst:") else by_person).update(found)
        return by_place, by_person

    def conflicts_for(self, applicant: ApplicantProfile) -> list[ConflictFinding]:
        """Return every conflict between an applicant and the indexed members."""
        places = _applicant_places(applicant, self.since_year, self.registry)
        by_place, by_person = self._candidates(applicant, places)
        found = []
        shared_with: dict[int, tuple] = {}  # id of a member's places -> reasons
        for member_id in sorted(by_place | by_person):
            member_places = self._places[member_id]
            if member_id in by_person:
                found += _detect(self.members[member_id], applicant, member_places, places,
                                 self.registry)
                continue
            reasons = shared_with.get(id(member_places))
            if reasons is None:
                # One read-only copy of the reasons for every member of these places.
                reasons = tuple((code, MappingProxyType(dict(params))) for code, params in
                                _institution_reasons(member_places, places, self.registry))
                shared_with[id(member_places)] = reasons
            found += [ConflictFinding(code, member_id, applicant.user_id, params)
                      for code, params in reasons]
        return found


def detect_all_conflicts(
    members: Iterable[MemberProfile],
    applicants: Iterable[ApplicantProfile],
    *,
    reference_year: int | None = None,
    recent_years: int = RECENT_YEARS,
    registry: Registry | None = None,
) -> list[ConflictFinding]:
    """Return every conflict between many members and many applicants."""
    index = ConflictIndex(members, reference_year=reference_year, recent_years=recent_years,
                          registry=registry)
    return [finding for applicant in applicants for finding in index.conflicts_for(applicant)]
