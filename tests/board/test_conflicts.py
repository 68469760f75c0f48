"""Conflict-of-interest detection: one test per reason code, readable reasons, indexing."""

import random
from dataclasses import replace

import pytest

from icm_recruit.board.conflict_reasons import describe
from icm_recruit.board.conflicts import (
    Affiliation,
    ApplicantProfile,
    ConflictCode,
    ConflictIndex,
    MemberProfile,
    Paper,
    Referee,
    detect_all_conflicts,
    detect_conflicts,
    manual_conflict,
)

YEAR = 2027
MEMBER = MemberProfile(
    user_id=1, name="Anna Müller", email="anna.muller@med.harvard.edu",
    affiliation="Dept of Neurobiology, Harvard Medical School",
    past_affiliations=(Affiliation("Univ. of Oxford", 2025), Affiliation("ETH Zürich", 2015)),
    coauthors=("Dupont, J.-P.", "Chen Wei"),
)


def applicant(**fields):
    base = {"user_id": 2, "name": "Paul Durand", "email": "paul.durand@gmail.com",
            "institution": "Institut Pasteur"}
    return ApplicantProfile(**{**base, **fields})


def codes(found):
    return sorted(finding.code.value for finding in found)


def detect(app, member=MEMBER):
    return detect_conflicts(member, app, reference_year=YEAR)


def test_no_conflict():
    assert detect(applicant()) == []


@pytest.mark.parametrize("fields", [{"user_id": 1}, {"email": "Anna.Muller@med.harvard.EDU"}])
def test_self(fields):
    assert codes(detect(applicant(**fields))) == ["self"]


def test_declared():
    assert codes(detect(applicant(declared_member_ids=frozenset({1})))) == ["declared"]


@pytest.mark.parametrize(
    "institution", ["Oxford University", "Harvard Med. School", "Harvard Medical School, Boston"]
)
def test_institution_current_or_recent(institution):
    assert codes(detect(applicant(institution=institution))) == ["institution"]


def test_institution_from_the_applicants_recent_past():
    app = applicant(past_institutions=(Affiliation("Harvard Medical School", 2026),))
    assert codes(detect(app)) == ["institution"]


def test_old_affiliation_is_not_a_conflict():
    assert detect(applicant(institution="ETH Zurich")) == []
    assert codes(detect_conflicts(MEMBER, applicant(institution="ETH Zurich"),
                                  reference_year=YEAR, recent_years=15)) == ["institution"]


def test_email_domain_ignores_subdomains_and_public_providers():
    assert codes(detect(applicant(email="p@hms.harvard.edu"))) == ["email_domain"]
    gmail_member = MemberProfile(user_id=3, name="Zoe Ray", email="zoe@gmail.com")
    assert detect(applicant(), member=gmail_member) == []


@pytest.mark.parametrize(
    "referee",
    [Referee("Someone Else", "ANNA.MULLER@med.harvard.edu"), Referee("A. Mueller", ""),
     Referee("Muller, Anna", "anna@elsewhere.org")],
)
def test_referee_by_email_or_name(referee):
    assert codes(detect(applicant(referees=(referee,)))) == ["referee"]


def test_coauthor_declared_by_the_member():
    found = detect(applicant(name="Jean-Pierre Dupont"))
    assert codes(found) == ["coauthor"]
    assert found[0].params["via"] == "declared"


def test_coauthor_in_the_applicants_publication_list():
    publications = "Durand P, Mueller A, Chen W. Cortical circuits. Neuron 2024;3:1-9."
    found = detect(applicant(publications=publications))
    assert codes(found) == ["coauthor"]
    assert found[0].params["via"] == "publications"


def test_requested_exclusion_by_id_or_name():
    assert codes(detect(applicant(excluded_member_ids=frozenset({1})))) == ["requested_exclusion"]
    assert codes(detect(applicant(excluded_names=("Dr A. Muller",)))) == ["requested_exclusion"]


def test_several_reasons_are_all_reported():
    app = applicant(institution="Harvard Medical School", email="p@harvard.edu",
                    referees=(Referee("Anna Muller"),))
    assert codes(detect(app)) == ["email_domain", "institution", "referee"]


def test_manual_conflict_and_source_values():
    finding = manual_conflict(1, 2, "Former PhD supervisor")
    assert finding.source == "manual"
    assert describe(finding, "en") == "Added by HR: Former PhD supervisor"
    assert describe(finding, "fr") == "Ajouté par les RH\u00a0: Former PhD supervisor"
    assert {c.value for c in ConflictCode} >= {
        "declared", "institution", "email_domain", "referee", "coauthor", "manual"}


def test_every_finding_has_an_english_and_a_french_reason():
    apps = [applicant(user_id=1), applicant(declared_member_ids=frozenset({1})),
            applicant(institution="Oxford University"), applicant(email="p@harvard.edu"),
            applicant(referees=(Referee("Anna Muller"),)), applicant(name="J. Dupont"),
            applicant(publications="Mueller A, Durand P. A title. Cell 2023."),
            applicant(excluded_member_ids=frozenset({1}))]
    findings = [f for app in apps for f in detect(app)]
    assert len({f.code for f in findings}) == 7
    for finding in findings:
        english, french = describe(finding, "en"), describe(finding, "fr_FR")
        assert english and french and english != french and "{" not in english + french
    institution = next(f for f in findings if f.code is ConflictCode.INSTITUTION)
    assert describe(institution) == (
        "Same institution: Univ. of Oxford (until 2025) for the member, Oxford University "
        "(current) for the applicant (Univ. of Oxford = Oxford University, via the registry: "
        "University of Oxford).")


def _random_people(rng):
    first = ["Anna", "John", "Jane", "Jean-Pierre", "Marie", "Wei", "Søren", "Ali"]
    last = ["Müller", "Mueller", "Smith", "Dupont", "Chen", "Martin", "Kierkegaard", "Curie"]
    places = ["Univ. of Oxford", "Oxford University", "ICM", "Paris Brain Institute",
              "Harvard Medical School", "ETH Zürich", "Institut Pasteur", "Sorbonne Université"]
    domains = ["gmail.com", "med.harvard.edu", "ox.ac.uk", "icm-institute.org", "pasteur.fr"]

    def name():
        return f"{rng.choice(first)} {rng.choice(last)}"

    members = [MemberProfile(
        user_id=i, name=name(), email=f"m{i}@{rng.choice(domains)}",
        affiliation=rng.choice(places),
        past_affiliations=(Affiliation(rng.choice(places), rng.randint(2015, 2027)),),
        coauthors=tuple(name() for _ in range(rng.randint(0, 2))),
    ) for i in range(30)]
    applicants = [ApplicantProfile(
        user_id=100 + i, name=name(), email=f"a{i}@{rng.choice(domains)}",
        institution=rng.choice(places),
        publications=", ".join(f"{rng.choice(last)} {rng.choice(first)[0]}" for _ in range(3))
        + ". A title. Journal 2024.",
        referees=(Referee(name(), f"r{rng.randint(0, 40)}@x.org"),),
        excluded_member_ids=frozenset({rng.randint(0, 60)}),
        excluded_names=(name(),) if rng.random() < 0.3 else (),
        declared_member_ids=frozenset({rng.randint(0, 60)}),
    ) for i in range(40)]
    return members, applicants


def test_index_finds_exactly_what_pairwise_detection_finds():
    rng = random.Random(4)
    for _ in range(5):
        members, applicants = _random_people(rng)
        expected = [f for a in applicants for m in members
                    for f in detect_conflicts(m, a, reference_year=YEAR)]
        found = detect_all_conflicts(members, applicants, reference_year=YEAR)
        key = lambda f: (f.applicant_id, f.member_id, f.code, sorted(f.params.items()))  # noqa: E731
        assert sorted(found, key=key) == sorted(expected, key=key)
        assert len(found) > 20


def test_index_finds_what_pairwise_detection_finds_with_publication_lists():
    rng = random.Random(6)
    titles = ["Dopamine signalling in the basal ganglia", "Sleep spindles and memory",
              "Cortical oscillations in early infancy", "Short title"]
    for _ in range(3):
        members, applicants = _random_people(rng)
        names = [p.name for p in members + applicants]

        def papers(names=names):
            return tuple(Paper(rng.choice(titles), 2024, tuple(rng.sample(names, 2)))
                         for _ in range(rng.randint(0, 2)))

        members = [replace(m, papers=papers()) for m in members]
        applicants = [replace(a, papers=papers()) for a in applicants]
        expected = [f for a in applicants for m in members
                    for f in detect_conflicts(m, a, reference_year=YEAR)]
        found = detect_all_conflicts(members, applicants, reference_year=YEAR)
        assert found == expected
        assert {f.params.get("via") for f in found} >= {"paper", "member_paper"}


def test_index_compares_an_applicant_with_few_members():
    members, applicants = _random_people(random.Random(5))
    index = ConflictIndex(members, reference_year=YEAR)
    stranger = applicant(user_id=999, name="Nobody Known", institution="Nowhere")
    assert index.candidates(stranger) == set()
