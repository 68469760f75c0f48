"""Measure conflict-of-interest detection on labelled applicant/member pairs.

Each pair of the set (JSON: ``{"reference_year": 2027, "pairs": [...]}``) gives a board
member and an applicant as people write them (names, e-mail addresses, institutions,
past affiliations, co-authors, publication lists, referees) and says whether they are in
conflict. Every pair goes through ``detect_conflicts``, the function the call's conflict
job runs for each candidate pair, with the institution registry the app ships; a pair is
found when detection returns any reason.

The last line on stdout is one JSON object: recall, precision, the counts, the same
figures for the pairs where both sides use a public mail address, the recall and
precision per kind of pair, and the ids of the pairs missed or wrongly flagged; then the
same figures with a registry that keeps only the parent bodies, which shows what the
general rules find on their own (institutions nobody entered).

Usage: python benchmarks/conflicts.py [--pairs FILE]
"""

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from icm_recruit.board.conflicts import (
    Affiliation,
    ApplicantProfile,
    MemberProfile,
    Referee,
    detect_conflicts,
)
from icm_recruit.board.normalize import institutional_domain
from icm_recruit.board.registry import Registry, shipped_registry

DEFAULT_PAIRS = Path(__file__).resolve().parent.parent / "tests/board/data/conflict_pairs.json"


def _past(items) -> tuple[Affiliation, ...]:
    return tuple(Affiliation(name, year) for name, year in items or [])


def profiles(pair: dict) -> tuple[MemberProfile, ApplicantProfile]:
    """Build the two profiles of one labelled pair."""
    m, a = pair["member"], pair["applicant"]
    member = MemberProfile(
        user_id=1, name=m.get("name", ""), email=m.get("email", ""),
        affiliation=m.get("affiliation", ""), past_affiliations=_past(m.get("past")),
        coauthors=tuple(m.get("coauthors", ())))
    applicant = ApplicantProfile(
        user_id=2, name=a.get("name", ""), email=a.get("email", ""),
        institution=a.get("institution", ""), past_institutions=_past(a.get("past")),
        publications=a.get("publications", ""),
        referees=tuple(Referee(name, email) for name, email in a.get("referees", ())))
    return member, applicant


def _public_mail_both(pair: dict) -> bool:
    emails = [pair["member"].get("email", ""), pair["applicant"].get("email", "")]
    return all(not e or institutional_domain(e) is None for e in emails)


def _scores(results: list[tuple[dict, bool]]) -> dict:
    tp = sum(1 for pair, found in results if found and pair["conflict"])
    fp = sum(1 for pair, found in results if found and not pair["conflict"])
    fn = sum(1 for pair, found in results if not found and pair["conflict"])
    return {"pairs": len(results), "conflicts": tp + fn, "tp": tp, "fp": fp, "fn": fn,
            "recall": round(tp / (tp + fn), 4) if tp + fn else None,
            "precision": round(tp / (tp + fp), 4) if tp + fp else None}


def parent_bodies_only() -> Registry:
    """Return the shipped registry without its institutions: what the general rules do."""
    entries = tuple(e for e in shipped_registry().entries if e.umbrella)
    return Registry(entries, version="parent-bodies-only")


def evaluate(data: dict, registry: Registry | None = None) -> dict:
    """Run detection on every pair and return the figures."""
    year = data.get("reference_year")
    results = []
    for pair in data["pairs"]:
        member, applicant = profiles(pair)
        found = detect_conflicts(member, applicant, reference_year=year, registry=registry)
        results.append((pair, bool(found)))
    by_kind = defaultdict(list)
    for pair, found in results:
        by_kind[pair.get("kind", "")].append((pair, found))
    figures = _scores(results)
    figures["public_mail_both"] = _scores([r for r in results if _public_mail_both(r[0])])
    figures["by_kind"] = {kind: _scores(items) for kind, items in sorted(by_kind.items())}
    figures["missed"] = [p["id"] for p, found in results if p["conflict"] and not found]
    figures["false_alarms"] = [p["id"] for p, found in results if found and not p["conflict"]]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS)
    args = parser.parse_args(argv)
    data = json.loads(args.pairs.read_text(encoding="utf-8"))
    started = time.perf_counter()
    figures = evaluate(data)
    general = evaluate(data, parent_bodies_only())
    figures = {"benchmark": "conflicts", "set": args.pairs.name, **figures,
               "general_rules_only": {k: general[k] for k in (
                   "recall", "precision", "tp", "fp", "fn", "missed", "false_alarms")},
               "seconds": round(time.perf_counter() - started, 3)}
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
