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


@pytest.mark.parametrize("width", [1, 3, 8])
def test_member_score_is_the_mean_of_its_best_documents(width):
    # Members with no document, fewer than the best few, and more; scores >= 0 as the
    # blend gives them, with ties at 0.
    rng = np.random.default_rng(width)
    n_members = 12
    slots = np.full((n_members, width), -1, dtype=np.int64)
    owners = []
    for member in range(1, n_members):  # member 0 has no document
        count = int(rng.integers(1, width + 1))
        for slot in range(count):
            slots[member, slot] = len(owners)
            owners.append(member)
    documents = np.maximum(rng.normal(0.2, 0.3, size=(6, len(owners))), 0.0)
    model = affinity.AffinityModel(terms=(), applications=None, members=None, documents=None,
                                   slots=slots, application_ids=(), member_ids=())
    got = affinity._member_scores(model, documents)
    for row in range(documents.shape[0]):
        for member in range(n_members):
            own = sorted((documents[row, d] for d in slots[member] if d >= 0), reverse=True)
            best = own[:affinity.TOP_DOCUMENTS]
            expected = sum(best) / len(best) if best else 0.0
            assert got[row, member] == pytest.approx(expected)


def test_one_profile_per_member_in_member_order_reads_the_scores_as_they_are():
    slots = np.arange(4, dtype=np.int64).reshape(4, 1)
    documents = np.arange(8.0).reshape(2, 4)
    model = affinity.AffinityModel(terms=(), applications=None, members=None, documents=None,
                                   slots=slots[::-1].copy(), application_ids=(), member_ids=())
    np.testing.assert_array_equal(affinity._member_scores(model, documents),
                                  documents[:, ::-1])
    model = affinity.AffinityModel(terms=(), applications=None, members=None, documents=None,
                                   slots=slots, application_ids=(), member_ids=())
    assert affinity._member_scores(model, documents) is documents
