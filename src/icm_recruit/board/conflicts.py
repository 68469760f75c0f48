"""Detect conflicts of interest between a board member and an applicant.

Each finding carries a reason code and the parameters of a readable reason;
``describe(finding, locale)`` renders it in English or French.

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

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache

from icm_recruit.board.normalize import (
    PersonName,
    author_names,
    institution_keys,
    institutional_domain,
    names_match,
    normalize_email,
    parse_name,
)

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
class MemberProfile:
    """What conflict detection needs to know about a board member."""

    user_id: int
    name: str
    email: str = ""
    affiliation: str = ""
    past_affiliations: tuple[Affiliation, ...] = ()
    coauthors: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApplicantProfile:
    """What conflict detection needs to know about an applicant and their application."""

    user_id: int
    name: str
    email: str = ""
    institution: str = ""
    past_institutions: tuple[Affiliation, ...] = ()
    publications: str = ""
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


def _institution_findings(
    member: MemberProfile, applicant: ApplicantProfile, since_year: int
) -> list[ConflictFinding]:
    """Find institutions shared now or within the recent window."""
    seen: set[str] = set()
    found: list[ConflictFinding] = []
    for m_name, m_end in _recent(member.affiliation, member.past_affiliations, since_year):
        for a_name, a_end in _recent(applicant.institution, applicant.past_institutions,
                                     since_year):
            shared = (institution_keys(m_name) & institution_keys(a_name)) - seen
            if shared:
                seen |= shared
                found.append(_finding(
                    ConflictCode.INSTITUTION, member, applicant,
                    member_affiliation=m_name, member_until=str(m_end or ""),
                    applicant_institution=a_name, applicant_until=str(a_end or ""),
                ))
    return found


def _email_domain_findings(
    member: MemberProfile, applicant: ApplicantProfile
) -> list[ConflictFinding]:
    """Find a shared institutional e-mail domain."""
    domain = institutional_domain(member.email) if member.email else None
    if domain and applicant.email and domain == institutional_domain(applicant.email):
        return [_finding(ConflictCode.EMAIL_DOMAIN, member, applicant, domain=domain)]
    return []


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


def _coauthor_findings(member: MemberProfile, applicant: ApplicantProfile) -> list[ConflictFinding]:
    """Find co-authorship: declared by the member, or visible in the applicant's publications."""
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
    return found


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
) -> list[ConflictFinding]:
    """Return every conflict between a member and an applicant (empty when none)."""
    if _is_self(member, applicant):
        return [_finding(ConflictCode.SELF, member, applicant)]
    since_year = (reference_year or _current_year()) - recent_years
    found: list[ConflictFinding] = []
    if member.user_id in applicant.declared_member_ids:
        found.append(_finding(ConflictCode.DECLARED, member, applicant))
    found += _institution_findings(member, applicant, since_year)
    found += _email_domain_findings(member, applicant)
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
    ) -> None:
        """Index members by id, e-mail, domain, institution and name keys."""
        self.members = {m.user_id: m for m in members}
        self.reference_year = reference_year or _current_year()
        self.recent_years = recent_years
        self._keys: dict[str, set[int]] = defaultdict(set)
        for member in self.members.values():
            for key in self._member_keys(member):
                self._keys[key].add(member.user_id)

    def _member_keys(self, member: MemberProfile) -> set[str]:
        """Return the lookup keys under which a member can be found."""
        since = self.reference_year - self.recent_years
        keys = {f"id:{member.user_id}", f"mail:{normalize_email(member.email)}"}
        keys.add(f"dom:{institutional_domain(member.email) if member.email else None}")
        for place, _ in _recent(member.affiliation, member.past_affiliations, since):
            keys |= {f"inst:{key}" for key in institution_keys(place)}
        keys |= {f"name:{family}" for family in parse_name(member.name).families}
        for coauthor in member.coauthors:
            keys |= {f"coauthor:{family}" for family in parse_name(coauthor).families}
        return keys

    def _applicant_keys(self, applicant: ApplicantProfile) -> set[str]:
        """Return the keys of members who may conflict with an applicant."""
        since = self.reference_year - self.recent_years
        keys = {f"id:{applicant.user_id}", f"mail:{normalize_email(applicant.email)}"}
        keys |= {f"id:{i}" for i in applicant.excluded_member_ids | applicant.declared_member_ids}
        if applicant.email:
            keys.add(f"dom:{institutional_domain(applicant.email)}")
        for place, _ in _recent(applicant.institution, applicant.past_institutions, since):
            keys |= {f"inst:{key}" for key in institution_keys(place)}
        keys |= {f"mail:{normalize_email(r.email)}" for r in applicant.referees if r.email}
        names = [parse_name(r.name) for r in applicant.referees]
        names += [parse_name(n) for n in applicant.excluded_names]
        names += _publication_authors(applicant.publications)
        keys |= {f"name:{family}" for name in names for family in name.families}
        keys |= {f"coauthor:{family}" for family in parse_name(applicant.name).families}
        keys -= {"mail:", "dom:None"}
        return keys

    def candidates(self, applicant: ApplicantProfile) -> set[int]:
        """Return the ids of members who may conflict with an applicant."""
        found: set[int] = set()
        for key in self._applicant_keys(applicant):
            found |= self._keys.get(key, set())
        return found

    def conflicts_for(self, applicant: ApplicantProfile) -> list[ConflictFinding]:
        """Return every conflict between an applicant and the indexed members."""
        return [
            finding
            for member_id in sorted(self.candidates(applicant))
            for finding in detect_conflicts(
                self.members[member_id], applicant,
                reference_year=self.reference_year, recent_years=self.recent_years,
            )
        ]


def detect_all_conflicts(
    members: Iterable[MemberProfile],
    applicants: Iterable[ApplicantProfile],
    *,
    reference_year: int | None = None,
    recent_years: int = RECENT_YEARS,
) -> list[ConflictFinding]:
    """Return every conflict between many members and many applicants."""
    index = ConflictIndex(members, reference_year=reference_year, recent_years=recent_years)
    return [finding for applicant in applicants for finding in index.conflicts_for(applicant)]


# ---------------------------------------------------------------- readable reasons

_MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "self": "The member is the applicant.",
        "declared": "The member declared a conflict of interest with this application.",
        "institution": "Same institution: {member_place} for the member, "
                       "{applicant_place} for the applicant.",
        "email_domain": "Same e-mail domain: {domain}.",
        "referee": "The member is one of the applicant's referees ({referee}).",
        "coauthor:declared": "The member lists {name} as a co-author or close collaborator.",
        "coauthor:publications": "The member ({name}) appears as an author in the "
                                 "applicant's publication list.",
        "requested_exclusion": "The applicant asked not to be reviewed by {name}.",
        "manual": "Added by HR: {reason}",
        "current": "{place} (current)",
        "until": "{place} (until {year})",
    },
    "fr": {
        "self": "Le membre est la personne candidate.",
        "declared": "Le membre a déclaré un conflit d’intérêts avec cette candidature.",
        "institution": "Même établissement\u00a0: {member_place} pour le membre, "
                       "{applicant_place} pour la personne candidate.",
        "email_domain": "Même domaine de messagerie\u00a0: {domain}.",
        "referee": "Le membre fait partie des référents de la personne candidate ({referee}).",
        "coauthor:declared": "Le membre déclare {name} comme co-auteur ou proche collaborateur.",
        "coauthor:publications": "Le membre ({name}) figure parmi les auteurs de la liste de "
                                 "publications de la personne candidate.",
        "requested_exclusion": "La personne candidate a demandé à ne pas être évaluée par "
                               "{name}.",
        "manual": "Ajouté par les RH\u00a0: {reason}",
        "current": "{place} (actuel)",
        "until": "{place} (jusqu’en {year})",
    },
}


def _place(messages: Mapping[str, str], place: str, until: str) -> str:
    """Render an affiliation with its period."""
    if until:
        return messages["until"].format(place=place, year=until)
    return messages["current"].format(place=place)


def describe(finding: ConflictFinding, locale: str = "en") -> str:
    """Return the reason of a finding in English ('en') or French ('fr')."""
    messages = _MESSAGES["fr" if locale.lower().startswith("fr") else "en"]
    params = dict(finding.params)
    key = finding.code.value
    if finding.code is ConflictCode.COAUTHOR:
        key = f"coauthor:{params.get('via', 'declared')}"
    if finding.code is ConflictCode.INSTITUTION:
        params["member_place"] = _place(messages, params["member_affiliation"],
                                        params["member_until"])
        params["applicant_place"] = _place(messages, params["applicant_institution"],
                                           params["applicant_until"])
    return messages[key].format(**params)
