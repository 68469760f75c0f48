"""Institutions as people write them: registry, unit codes, languages, acronyms, campuses."""

import pytest

from icm_recruit.board.affiliations import (
    affiliation_terms,
    domain_terms,
    registry_entries,
    same_institution,
    shared,
    via,
)
from icm_recruit.board.registry import Registry, shipped_registry, with_local


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("TU München", "Technical University of Munich"),
        ("Max-Planck-Institut für Hirnforschung", "Max Planck Institute for Brain Research"),
        ("Karolinska Institutet", "Karolinska Institute"),
        ("Katholieke Universiteit Leuven", "KU Leuven"),
        ("Université McGill", "McGill University"),
        ("Charité – Universitätsmedizin", "Charite Universitaetsmedizin"),
        ("Inserm U1127", "Institut du Cerveau (ICM), Inserm U1127"),
        ("CNRS UMR 7225", "Paris Brain Institute"),
        ("German Center for Neurodegenerative Diseases", "DZNE"),
        ("ETH", "ETH Zürich"),
        ("UCL", "University College London"),
        ("UCSF", "University of California, San Francisco"),
        ("UC Berkeley", "University of California at Berkeley"),
    ],
)
def test_same_institution_in_other_forms(a, b):
    assert same_institution(a, b)
    assert same_institution(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("University of California, Berkeley", "University of California, San Francisco"),
        ("UC Berkeley", "UCSF"),
        ("CNRS UMR 8197", "CNRS UMR 7225"),
        ("Max Planck Institute for Brain Research", "Max Planck Institute of Neurobiology"),
        ("Helmholtz Zentrum München", "DZNE"),
        ("Hôpital Necker, AP-HP", "Hôpital de la Pitié-Salpêtrière, AP-HP"),
        ("ETH Zürich", "University of Zurich"),
        ("CNRS", "CNRS, Marseille"),
    ],
)
def test_same_parent_body_alone_is_not_one_institution(a, b):
    assert not same_institution(a, b)
    assert not same_institution(b, a)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        # nothing below is in the registry: the general rules decide
        ("Technische Universität Dresden", "TU Dresden", True),
        ("Dresden University of Technology", "TU Dresden", True),
        ("Universiteit Gent", "Ghent University", True),
        ("Universität zu Köln", "University of Cologne", True),
        ("Institut des Neurosciences de Montpellier (INM)", "INM", True),
        ("Inserm U1028, Lyon", "CRNL, INSERM U 1028", True),
        ("University of Texas at El Paso", "University of Texas, El Paso", True),
        ("University of Texas at El Paso", "University of Texas at Austin", False),
        ("Free University of Berlin", "Technical University of Berlin", False),
        ("School of Medicine, Stanford University", "School of Medicine, Yale University",
         False),
        ("Tokyo Medical University", "University of Tokyo", False),
    ],
)
def test_general_rules(a, b, same):
    parents = Registry(tuple(e for e in shipped_registry().entries if e.umbrella),
                       version="parents")
    assert same_institution(a, b, parents) is same
    assert same_institution(b, a, parents) is same


def test_every_match_says_how_it_was_found():
    pair = shared(affiliation_terms("TU München"),
                  affiliation_terms("Technical University of Munich"))
    assert (pair[0].text, pair[1].text, via(*pair)) == (
        "TU München", "Technical University of Munich", "registry")
    unit = shared(affiliation_terms("UMR 5297"), affiliation_terms("CNRS UMR5297, Bordeaux"))
    assert via(*unit) in {"unit", "registry"}


def test_email_domains_of_one_institution_and_public_providers():
    assert shared(domain_terms("a@tum.de"), domain_terms("b@mytum.de"))
    assert shared(domain_terms("a@brain.mpg.de"), affiliation_terms(
        "Max Planck Institute for Brain Research"))
    assert not shared(domain_terms("a@brain.mpg.de"), domain_terms("b@neuro.mpg.de"))
    assert not domain_terms("someone@gmail.com")
    assert not domain_terms("someone@cnrs.fr")


def test_local_entries_extend_the_shipped_registry():
    assert not same_institution("Institut Tagada", "Centre Zorglub")
    registry = with_local([{"id": "local-1", "name": "Institut Tagada",
                            "aliases": ["Centre Zorglub"], "acronyms": ["ITG"],
                            "domains": ["tagada.example"]}], version="1")
    assert same_institution("Institut Tagada", "Centre Zorglub", registry)
    assert same_institution("ITG", "Institut Tagada", registry)
    assert registry_entries("ITG, Paris", registry) == {"local-1"}
    assert shared(domain_terms("x@lab.tagada.example", registry),
                  affiliation_terms("Institut Tagada", registry))
