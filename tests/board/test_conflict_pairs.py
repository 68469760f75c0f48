"""Detection on the labelled applicant/member pairs of tests/board/data (see benchmarks)."""

import json

from benchmarks.conflicts import DEFAULT_PAIRS, evaluate, parent_bodies_only

DATA = json.loads(DEFAULT_PAIRS.read_text(encoding="utf-8"))


def test_the_set_is_varied_and_labelled_both_ways():
    pairs = DATA["pairs"]
    kinds = {p["kind"] for p in pairs}
    assert len(pairs) >= 60 and len(kinds) >= 10
    assert 0.3 < sum(p["conflict"] for p in pairs) / len(pairs) < 0.8
    public = [p for p in pairs if "gmail.com" in p["member"].get("email", "") + p[
        "applicant"].get("email", "")]
    assert len(public) >= 10
    assert len({p["id"] for p in pairs}) == len(pairs)


def test_recall_and_precision_reach_the_targets():
    figures = evaluate(DATA)
    assert figures["recall"] >= 0.98, figures["missed"]
    assert figures["precision"] >= 0.95, figures["false_alarms"]
    both_public = figures["public_mail_both"]
    assert both_public["recall"] >= 0.98 and both_public["precision"] >= 0.95


def test_general_rules_alone_find_most_conflicts_and_raise_few_false_alarms():
    """Institutions nobody entered in the registry are still read by the general rules."""
    figures = evaluate(DATA, parent_bodies_only())
    assert figures["recall"] >= 0.85, figures["missed"]
    assert figures["precision"] >= 0.95, figures["false_alarms"]
    general = [p for p in DATA["pairs"] if p["kind"] == "general"]
    assert evaluate({**DATA, "pairs": general}, parent_bodies_only())["recall"] >= 0.95
