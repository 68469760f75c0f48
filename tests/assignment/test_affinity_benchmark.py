"""The gold-standard affinity benchmark: its loss and its prediction files, on a tiny copy."""

import importlib.util
import json
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "affinity.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("affinity_benchmark", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_loss_weights_wrong_orders_fully_and_ties_by_half(bench):
    ratings = {"r": {"p1": 5.0, "p2": 3.0, "p3": 1.0}}
    assert bench.loss({"r": {"p1": 0.9, "p2": 0.5, "p3": 0.1}}, ratings) == 0.0
    assert bench.loss({"r": {"p1": 0.1, "p2": 0.5, "p3": 0.9}}, ratings) == 1.0
    # p1/p2 tied (weight 2, half counted), the rest right: 1 / (2 + 4 + 2).
    assert bench.loss({"r": {"p1": 0.5, "p2": 0.5, "p3": 0.1}}, ratings) == pytest.approx(1 / 8)


def _write_dataset(root: Path) -> None:
    (root / "data").mkdir(parents=True)
    header = "\t".join(["ParticipantID"] + [f"Paper{i}" for i in range(1, 11)]
                       + [f"Expertise{i}" for i in range(1, 11)])
    row = "\t".join(["7", "s1", "s2"] + [""] * 8 + ["5", "1"] + [""] * 8)
    (root / "data" / "evaluations.csv").write_text(f"{header}\n{row}\n")
    variant = root / "evaluation_datasets" / "d_20_1"
    (variant / "archives").mkdir(parents=True)
    submissions = {
        "s1": {"id": "s1", "content": {"title": "Hippocampal replay during sleep",
                                       "abstract": "Memory consolidation in rodents."}},
        "s2": {"id": "s2", "content": {"title": "Kidney transplant outcomes",
                                       "abstract": "Renal graft survival in adults."}},
    }
    (variant / "submissions.json").write_text(json.dumps(submissions))
    paper = {"content": {"title": "Sleep and memory", "abstract": "Hippocampal replay."}}
    (variant / "archives" / "~7.jsonl").write_text(json.dumps(paper) + "\n")


def test_benchmark_scores_a_variant_and_writes_predictions_in_the_dataset_format(
        bench, tmp_path, capsys):
    _write_dataset(tmp_path / "gs")
    summary = bench.main(["--goldstandard", str(tmp_path / "gs"), "--out", str(tmp_path / "out"),
                          "--cache", str(tmp_path / "cache.npz")])
    assert summary["loss"] == {"d_20_1": 0.0}
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == summary
    predictions = json.loads((tmp_path / "out" / "icm_d_20_1_ta.json").read_text())
    assert set(predictions) == {"7"} and set(predictions["7"]) == {"s1", "s2"}
    assert predictions["7"]["s1"] > predictions["7"]["s2"]
