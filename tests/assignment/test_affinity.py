"""Lexical affinity: tokenisation, scores, bids, explanations, top candidates."""

import numpy as np
import pytest

from icm_recruit.assignment import affinity
from icm_recruit.assignment.affinity import (
    ApplicationText,
    Bid,
    MemberText,
    affinity_matrix,
    build_model,
    explain,
    similarity,
    stem,
    tokens,
    top_candidates,
)

APPLICATIONS = [
    ApplicationText(10, "Deep brain stimulation for Parkinson's disease",
                    ["Parkinson", "deep brain stimulation", "basal ganglia"],
                    "We study how stimulation of the subthalamic nucleus changes "
                    "basal ganglia oscillations in patients."),
    ApplicationText(11, "Mémoire et sommeil chez la souris",
                    ["sommeil", "mémoire", "hippocampe"],
                    "Nous étudions la consolidation de la mémoire pendant le sommeil "
                    "et les oscillations de l'hippocampe."),
    ApplicationText(12, "Glial cells in multiple sclerosis", ["glia", "myelin", "sclerosis"],
                    "Oligodendrocytes and microglia in demyelinating lesions."),
]
MEMBERS = [
    MemberText(1, ["Parkinson's disease", "basal ganglia", "neuromodulation"],
               "Clinical neurophysiology of movement disorders and deep brain stimulation."),
    MemberText(2, ["sleep", "memory", "hippocampus", "sommeil", "mémoire"],
               "Sleep-dependent memory consolidation in rodents; hippocampal oscillations."),
    MemberText(3, ["myelin", "oligodendrocytes", "multiple sclerosis"],
               "Remyelination and microglia in multiple sclerosis lesions."),
]


@pytest.fixture(scope="module")
def model():
    return build_model(APPLICATIONS, MEMBERS)


def test_tokens_fold_accents_and_drop_english_and_french_stop_words():
    assert tokens("Les cellules gliales et the Mémoire of mice") == [
        ("cellul", "cellules"), ("glial", "gliales"), ("memoir", "memoire"), ("mice", "mice")]


@pytest.mark.parametrize(("word", "language", "expected"), [
    ("networks", "english", "network"), ("neurons", "english", "neuron"),
    ("neuronal", "english", "neuron"), ("hippocampal", "english", "hippocamp"),
    ("neurones", "french", "neuron"), ("hippocampe", "french", "hippocamp"),
    ("cerebraux", "french", "cerebral"), ("glass", "english", "glass"),
    ("virus", "english", "virus")])
def test_snowball_stemming_in_both_languages(word, language, expected):
    assert stem(word, language) == expected


def test_each_text_is_stemmed_in_its_own_language():
    french = dict(tokens("Les neurones de l’hippocampe et les cellules"))
    english = dict(tokens("The neurons of the hippocampal formation"))
    assert {"neuron", "hippocamp"} <= set(french) & set(english)


def test_each_application_prefers_the_member_of_its_field(model):
    scores = similarity(model)
    assert scores.shape == (3, 3)
    assert list(scores.argmax(axis=1)) == [0, 1, 2]
    assert np.all((scores >= 0) & (scores <= 1 + 1e-9))


def test_identical_texts_score_one_and_disjoint_texts_zero():
    same = build_model([ApplicationText(1, "", ["axon guidance"], "")],
                       [MemberText(1, ["axon guidance"], ""), MemberText(2, ["kidney"], "")])
    assert similarity(same)[0, 0] == pytest.approx(1.0)
    assert similarity(same)[0, 1] == 0.0


def test_keywords_weigh_more_than_the_statement():
    app = [ApplicationText(1, "", ["dopamine"], "")]
    model = build_model(app, [MemberText(1, ["dopamine"], "cortex cortex"),
                              MemberText(2, ["cortex"], "dopamine dopamine")])
    scores = similarity(model)
    assert scores[0, 0] > scores[0, 1]


def test_explanation_lists_shared_terms_in_readable_form(model):
    terms = [t.term for t in explain(model, 10, 1)]
    assert {"basal", "ganglia", "stimulation"} <= set(terms)
    french = [t.term for t in explain(model, 11, 2)]
    assert "mémoire" not in french and "memoire" in french
    assert explain(model, 12, 1) == ()


def test_bids_adjust_but_do_not_forbid(model):
    plain = affinity_matrix(model)
    bid = affinity_matrix(model, {(10, 1): Bid.NOT_WILLING, (10, 2): Bid.EAGER,
                                  (11, 3): Bid.WILLING, (99, 1): Bid.EAGER})
    assert bid[0, 0] == pytest.approx(plain[0, 0] - 1.0)
    assert bid[0, 1] == pytest.approx(plain[0, 1] + 0.15)
    assert bid[1, 2] == pytest.approx(plain[1, 2] + 0.05)
    assert bid[0, 0] < plain.min()


def test_top_candidates_match_the_dense_matrix(monkeypatch):
    monkeypatch.setattr(affinity, "BLOCK_CELLS", 7 * 50)
    rng = np.random.default_rng(3)
    words = [f"term{i}" for i in range(60)]
    apps = [ApplicationText(i, " ".join(rng.choice(words, 3)), list(rng.choice(words, 3)),
                            " ".join(rng.choice(words, 20))) for i in range(50)]
    members = [MemberText(j, list(rng.choice(words, 4)), " ".join(rng.choice(words, 15)))
               for j in range(20)]
    model = build_model(apps, members)
    dense = similarity(model)
    rows, cols, values = top_candidates(model, 5)
    assert rows.size == 50 * 5
    np.testing.assert_allclose(values, dense[rows, cols])
    for i in range(50):
        kept = np.sort(values[rows == i])
        np.testing.assert_allclose(kept, np.sort(dense[i])[-5:])
    rows, cols, values = top_candidates(model, 100)
    assert rows.size == 50 * 20
