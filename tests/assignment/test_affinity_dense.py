"""Dense affinity: the bundled multilingual model, French against English, the vector cache."""

import numpy as np
import pytest

from icm_recruit.assignment import embeddings
from icm_recruit.assignment.affinity import (
    ApplicationText,
    MemberText,
    build_model,
    explain,
    pair_score,
    similarity,
)
from icm_recruit.assignment.embeddings import CachedEncoder, E5Encoder, text_key

FRENCH_SUMMARY = ApplicationText(
    1, "Mémoire et sommeil chez la souris", ["sommeil", "mémoire"],
    "Nous étudions comment le cerveau renforce les souvenirs pendant les nuits, "
    "grâce aux rythmes de l’hippocampe.")
SLEEP_EXPERT = MemberText(
    10, ["sleep", "memory"], "Sleep-dependent memory replay in rodents; how the brain "
    "strengthens recollections overnight.")
KIDNEY_EXPERT = MemberText(
    11, ["kidney", "transplantation"], "Renal graft survival and immunosuppression in "
    "adult transplant recipients.")


class Counting:
    """The real encoder, counting the texts it is asked to embed."""

    def __init__(self):
        self.inner, self.name, self.seen = E5Encoder(), E5Encoder().name, []

    def encode(self, texts):
        self.seen.extend(texts)
        return self.inner.encode(texts)


@pytest.fixture(autouse=True)
def empty_memory(monkeypatch):
    monkeypatch.setattr(embeddings, "_memory", embeddings.OrderedDict())


def test_the_model_ships_with_the_package_and_gives_unit_vectors(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    vectors = E5Encoder().encode(["hippocampal replay", "", "réplique hippocampique"])
    assert vectors.shape == (3, embeddings.DIMENSION)
    np.testing.assert_allclose(np.linalg.norm(vectors[[0, 2]], axis=1), 1.0, atol=1e-4)
    assert not vectors[1].any()


def test_a_french_summary_matches_the_right_english_expertise_statement():
    words_only = similarity(build_model([FRENCH_SUMMARY], [SLEEP_EXPERT, KIDNEY_EXPERT]))
    assert words_only[0, 0] == words_only[0, 1] == 0.0  # no word in common with either
    model = build_model([FRENCH_SUMMARY], [SLEEP_EXPERT, KIDNEY_EXPERT], encoder=E5Encoder())
    scores = similarity(model)
    assert scores[0, 0] > scores[0, 1] + 0.1
    assert pair_score(model, 1, 10) == pytest.approx(scores[0, 0])


def test_an_english_summary_matches_the_right_french_statement():
    application = ApplicationText(2, "Dopamine and reward learning", ["dopamine", "reward"],
                                  "Midbrain neurons signal prediction errors in monkeys.")
    right = MemberText(20, ["récompense"], "Les neurones dopaminergiques du mésencéphale et "
                       "l’apprentissage par la récompense chez le primate.")
    wrong = MemberText(21, ["épilepsie"], "Crises d’épilepsie de l’enfant et chirurgie.")
    scores = similarity(build_model([application], [right, wrong], encoder=E5Encoder()))
    assert scores[0, 0] > scores[0, 1]


def test_one_paper_on_the_topic_counts_however_many_others_a_member_has():
    application = ApplicationText(3, "Astrocytes at the synapse", ["astrocytes", "synapse"],
                                  "Glial control of synaptic transmission.")
    focused = MemberText(30, (), "", ["Astrocytes regulate synaptic transmission"]
                         + [f"Cardiac arrhythmia cohort {i}" for i in range(12)])
    scattered = MemberText(31, (), "", [f"Cardiac arrhythmia cohort {i}" for i in range(13)])
    model = build_model([application], [focused, scattered], encoder=E5Encoder())
    scores = similarity(model)
    assert scores[0, 0] > scores[0, 1]
    assert {"astrocyte", "synaptic"} & {t.term for t in explain(model, 3, 30)}


def test_each_distinct_text_is_embedded_once_and_again_only_when_it_changes():
    counting = Counting()
    encoder = CachedEncoder(counting)
    first = encoder.encode(["sleep and memory", "dopamine", "sleep and memory"])
    assert counting.seen == ["sleep and memory", "dopamine"]
    np.testing.assert_array_equal(first[0], first[2])
    encoder.encode(["dopamine", "sleep and memory, in mice"])
    assert counting.seen[2:] == ["sleep and memory, in mice"]


def test_the_store_is_asked_before_the_model_and_keeps_what_was_computed():
    class Store:
        def __init__(self):
            self.rows = {}

        def load(self, keys):
            return {k: self.rows[k] for k in keys if k in self.rows}

        def save(self, vectors, model):
            self.rows.update(vectors)

    store, counting = Store(), Counting()
    CachedEncoder(counting, store).encode(["glia", "synapse"])
    assert set(store.rows) == {text_key("glia", counting.name), text_key("synapse", counting.name)}
    embeddings._memory.clear()
    again = Counting()
    CachedEncoder(again, store).encode(["glia", "synapse"])
    assert again.seen == []
