"""Normalisation of names, institutions and e-mail domains."""

import pytest

from icm_recruit.board.affiliations import registry_entries, same_institution
from icm_recruit.board.normalize import (
    author_names,
    institutional_domain,
    names_match,
    parse_name,
    registrable_domain,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Anna Müller", "Anna Mueller"),
        ("Anna Müller", "Anna Muller"),
        ("Anna Mueller", "Muller, Anna"),
        ("J. Smith", "John Smith"),
        ("J. Smith", "Smith, John"),
        ("Smith J", "John Smith"),
        ("Smith JA", "John A. Smith"),
        ("Jean-Pierre Dupont", "J.-P. Dupont"),
        ("Jean-Pierre Dupont", "Dupont J-P"),
        ("Søren Kierkegaard", "Soeren Kierkegaard"),
        ("Ludwig van Beethoven", "van Beethoven, L."),
        ("Prof. Dr. Hélène Lefèvre", "Helene Lefevre"),
        ("María García López", "Garcia Lopez, M."),
        ("Smith", "John Smith"),
    ],
)
def test_names_that_match(a, b):
    assert names_match(a, b)
    assert names_match(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [("John Smith", "Jane Smith"), ("John Smith", "John Smyth"), ("A. Martin", "B. Martin"),
     ("", "John Smith")],
)
def test_names_that_do_not_match(a, b):
    assert not names_match(a, b)


def test_an_initial_matches_any_given_name_with_that_letter():
    assert names_match("J. Smith", "Jane Smith")
    assert parse_name("J. Smith").initial == "j"


@pytest.mark.parametrize(
    "other",
    ["University of Oxford", "Oxford University", "Univ. of Oxford", "Univ Oxford",
     "Dept of Neurology, University of Oxford, UK", "UNIVERSITY OF OXFORD"],
)
def test_oxford_spellings(other):
    assert same_institution("Univ. of Oxford", other)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Weizmann Inst. of Science", "Weizmann Institute of Science"),
        ("Natl Ctr for Res & Dev", "National Centre for Research and Development"),
        ("Broad Institute of MIT & Harvard", "Broad Institute of MIT and Harvard"),
        ("Univ Med Ctr Utrecht", "University Medical Center Utrecht"),
        ("Université Paris Cité", "Universite Paris Cite"),
        ("Université Paris Cité", "Université de Paris"),
        ("Sorbonne Université", "Sorbonne University"),
        ("ICM", "Paris Brain Institute"),
        ("Institut du Cerveau", "Paris Brain Institute (ICM)"),
        ("Institut du Cerveau - ICM, Inserm U1127, Sorbonne Université", "Sorbonne University"),
        ("Dept. of Physiology, UCL, London", "University College London"),
    ],
)
def test_institution_spellings(a, b):
    assert same_institution(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("University of Oxford", "University of Cambridge"),
        ("CNRS, Paris", "CNRS UMR 8197, Paris"),
        ("Inserm", "Institut national de la santé et de la recherche médicale"),
        ("Dept of Neurology, University of Oxford", "Dept of Neurology, Stanford University"),
        ("Institut Pasteur, Paris, France", "Sorbonne Université, Paris, France"),
    ],
)
def test_institutions_that_differ(a, b):
    assert not same_institution(a, b)


def test_affiliation_keeps_every_named_institution():
    entries = registry_entries("ICM, Inserm U1127, CNRS UMR 7225, Sorbonne Université, Paris")
    assert entries == {"icm", "sorbonne"}


@pytest.mark.parametrize(
    ("address", "domain"),
    [("a@med.harvard.edu", "harvard.edu"), ("a@harvard.edu", "harvard.edu"),
     ("b@bioch.ox.ac.uk", "ox.ac.uk"), ("c@Icm-Institute.ORG", "icm-institute.org"),
     ("d@u-paris.fr", "u-paris.fr"), ("e@sub.unimelb.edu.au", "unimelb.edu.au")],
)
def test_registrable_domain(address, domain):
    assert registrable_domain(address) == domain
    assert institutional_domain(address) == domain


@pytest.mark.parametrize(
    "address",
    ["x@gmail.com", "x@outlook.com", "x@hotmail.fr", "x@hotmail.co.uk", "x@yahoo.fr",
     "x@yahoo.co.jp", "x@protonmail.com", "x@icloud.com", "x@qq.com", "x@163.com",
     "x@gmx.de", "x@gmx.net", "x@orange.fr", "x@free.fr", "x@laposte.net", "x@wanadoo.fr",
     "x@inserm.fr", "x@cnrs.fr", "x@localhost"],
)
def test_public_and_umbrella_domains_are_ignored(address):
    assert institutional_domain(address) is None


def test_author_names_in_several_citation_styles():
    text = (
        "Smith J, Müller A, Dupont J-P. Deep brain stimulation. Nature 2020;12:1-5.\n"
        "Martin, C., Lefèvre, H., & Garcia Lopez, M. (2019). A title. J Neurosci.\n"
        "Marie Curie and Pierre Curie et al. Radium. Cell 2018."
    )
    names = author_names(text)
    for person in ["John Smith", "Anna Mueller", "Jean-Pierre Dupont", "Claire Martin",
                   "Helene Lefevre", "María García López", "Marie Curie"]:
        assert any(names_match(person, name) for name in names), person
    assert not any(names_match("Paul Durand", name) for name in names)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Tanaka K", "Kenji Tanaka"), ("Tanaka Kenji", "Kenji Tanaka"),
     ("TANAKA Kenji", "Kenji Tanaka"), ("ZHANG Wei", "Wei Zhang"), ("Zhang W", "Wei Zhang"),
     ("Kim Min-jun", "Min-Jun Kim"), ("Kim MJ", "Minjun Kim"), ("Lee, Seung-Hoon", "Seunghoon Lee"),
     ("Park Ji-hoon", "Ji Hoon Park")],
)
def test_family_name_first_and_citation_style(a, b):
    assert names_match(a, b)
    assert names_match(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Zhang Wei", "Zhang Li"), ("Tanaka H", "Kenji Tanaka"), ("Wang W", "Wei Zhang")],
)
def test_other_people_in_family_first_order(a, b):
    assert not names_match(a, b)
    assert not names_match(b, a)


def test_initials_before_the_family_name_in_a_reference_list():
    names = author_names("H. Lefevre and P. Girard (2021). Motor learning. J Neurosci.")
    assert any(names_match("Hélène Lefèvre", name) for name in names)
