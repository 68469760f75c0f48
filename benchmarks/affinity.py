"""Measure the expertise affinity on the Stelmakh et al. gold-standard reviewer dataset.

    python benchmarks/affinity.py --goldstandard DIR [--out PRED_DIR] [--cache FILE.npz]
                                  [--lexical-only]

Each ``evaluation_datasets/d_20_{x}`` variant is one "call": its submissions become
applications (title and abstract as the summary) and each participant a board member
whose reviewer profile (up to 20 of their own papers) is given as their publications.
Both go through the functions the assignment job calls (``affinity.build_model`` with the
same cached e5 encoder, and ``affinity.affinity_matrix``). Each participant's predicted
similarities for the papers they rated are then scored with the dataset's loss: over
every participant and every pair of rated papers, weight w = |expertise difference|; add
w when the prediction orders the pair the other way, w/2 when it ties them; divide by
the sum of all w (lower is better). ``--out`` writes one prediction file per variant in
the dataset's format, ``{participant id: {paper id: similarity}}``, named
``icm_d_20_{x}_ta.json``.

The encoder keeps its vectors in memory for the run (the variants share most texts) and,
with ``--cache``, in a file, as the app keeps them in its database: a second run then
computes none. ``--lexical-only`` leaves the dense model out.

The last line on stdout is one JSON object: the loss per variant and their mean, the
seconds, the texts embedded and the peak memory (resident set, MiB).
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from icm_recruit.assignment.affinity import (  # noqa: E402
    ApplicationText,
    MemberText,
    affinity_matrix,
    build_model,
)
from icm_recruit.assignment.embeddings import CachedEncoder, E5Encoder, Encoder  # noqa: E402

Ratings = dict[str, dict[str, float]]


def load_ratings(root: Path) -> Ratings:
    """Return each participant's self-rated expertise, by paper id."""
    ratings: Ratings = {}
    with (root / "data" / "evaluations.csv").open(newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            rated = {}
            for i in range(1, 11):
                paper, value = row.get(f"Paper{i}") or "", row.get(f"Expertise{i}") or ""
                if paper.strip() and value.strip():
                    rated[paper.strip()] = float(value)
            ratings[row["ParticipantID"].strip()] = rated
    return ratings


def _content(record: dict) -> tuple[str, str]:
    content = record.get("content") or {}
    return (content.get("title") or "").strip(), (content.get("abstract") or "").strip()


def load_variant(directory: Path) -> tuple[dict[str, tuple[str, str]], dict[str, list[str]]]:
    """Return a variant's submissions (id -> title, abstract) and reviewer profiles."""
    submissions = {
        paper_id: _content(record)
        for paper_id, record in json.loads((directory / "submissions.json").read_text()).items()
    }
    profiles = {}
    for path in sorted((directory / "archives").glob("*.jsonl")):
        papers = []
        for line in path.read_text().splitlines():
            if line.strip():
                title, abstract = _content(json.loads(line))
                papers.append(f"{title}\n{abstract}".strip())
        profiles[path.stem.lstrip("~")] = papers
    return submissions, profiles


class FileStore:
    """Vectors kept in one .npz file, keyed like the app's `text_embedding` table."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = dict(np.load(path)) if path.exists() else {}

    def load(self, keys):
        return {k: self.rows[k] for k in keys if k in self.rows}

    def save(self, vectors, model):
        self.rows.update(vectors)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(self.path, **self.rows)


def predict(submissions: dict[str, tuple[str, str]], profiles: dict[str, list[str]],
            encoder: Encoder | None = None) -> dict[str, dict[str, float]]:
    """Score every participant against every submission through the app's affinity."""
    paper_ids = list(submissions)
    participants = list(profiles)
    applications = [ApplicationText(i, title, (), abstract)
                    for i, (title, abstract) in enumerate(submissions.values())]
    members = [MemberText(j, (), "", publications=tuple(profiles[p]))
               for j, p in enumerate(participants)]
    scores = affinity_matrix(build_model(applications, members, encoder=encoder))
    return {p: {paper_ids[i]: float(scores[i, j]) for i in range(len(paper_ids))}
            for j, p in enumerate(participants)}


def loss(predictions: dict[str, dict[str, float]], ratings: Ratings) -> float:
    """Return the dataset's weighted pairwise ordering loss."""
    total = penalty = 0.0
    for participant, rated in ratings.items():
        predicted = predictions.get(participant)
        if predicted is None:
            continue
        papers = [p for p in rated if p in predicted]
        for a in range(len(papers)):
            for b in range(a + 1, len(papers)):
                p1, p2 = papers[a], papers[b]
                weight = abs(rated[p1] - rated[p2])
                if weight == 0:
                    continue
                total += weight
                gap = (predicted[p1] - predicted[p2]) * (rated[p1] - rated[p2])
                penalty += weight if gap < 0 else weight / 2 if gap == 0 else 0.0
    return penalty / total if total else float("nan")


def _variants(root: Path) -> list[Path]:
    found = sorted((root / "evaluation_datasets").glob("d_20_*"),
                   key=lambda p: int(p.name.rsplit("_", 1)[1]))
    if not found:
        raise SystemExit(f"no d_20_* variant under {root / 'evaluation_datasets'}")
    return found


def main(argv: list[str] | None = None) -> dict:
    """Run every variant and print the JSON summary as the last line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goldstandard", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--lexical-only", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    ratings = load_ratings(args.goldstandard)
    encoder = None if args.lexical_only else CachedEncoder(
        E5Encoder(), FileStore(args.cache) if args.cache else None)
    losses = {}
    for directory in _variants(args.goldstandard):
        predictions = predict(*load_variant(directory), encoder)
        losses[directory.name] = round(loss(predictions, ratings), 4)
        print(f"{directory.name}: loss {losses[directory.name]}", file=sys.stderr)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            name = f"icm_d_20_{directory.name.rsplit('_', 1)[1]}_ta.json"
            (args.out / name).write_text(json.dumps(predictions))
    summary = {
        "benchmark": "affinity",
        "dataset": "goldstandard (Stelmakh et al. 2023), title+abstract",
        "loss": losses,
        "mean_loss": round(float(np.mean(list(losses.values()))), 4),
        "model": encoder.name if encoder else "lexical only",
        "texts_embedded": encoder.computed if encoder else 0,
        "seconds": round(time.perf_counter() - started, 1),
        "peak_memory_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
