"""Benchmark the assignment path: affinity from text, conflicts, exact solve, and a check.

    python benchmarks/assignment.py --size a|m|b|c [--seed N] [--save FILE.npz]
    python benchmarks/assignment.py --instance FILE.npz

Sizes: (a) 300 x 40, k=3, load 25; (m) 4,000 x 150, k=3, load 90; (b) 4,000 x 1,500, k=4,
load 12; (c) 21,575 x 20,518, k=4, load 6, top 200 candidates per application.
``--instance`` solves given arrays (``scores`` and boolean ``conflicts``, applications x
members, integers ``k`` and ``cap``) so other matchers can be compared on the same data.

``optimum`` is an upper bound computed over every allowed pair from member prices v >= 0:
``sum_j cap*v_j + sum_i (sum of the k largest s_ij - v_j over allowed j)``, valid for the
full problem whatever the prices (LP weak duality). The prices are first those the
assignment itself implies if it is optimal (complementary slackness: shortest paths in
its residual graph, in integers); should they not reach the objective, HiGHS solves the
LP on a pruned set of pairs, adding the pairs that would improve it until none is left,
and its prices give the bound (``check_method`` says which). ``certified`` is true when
the objective reaches the bound, up to the rounding of scores to 1e-6 that the integer
min-cost flow works with (5e-7 per pair). A wrong price can only leave a result
uncertified, never certify a wrong one.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from icm_recruit.assignment.affinity import (  # noqa: E402
    ApplicationText,
    MemberText,
    build_model,
    similarity,
    top_candidates,
)
from icm_recruit.assignment.solver import (  # noqa: E402
    AssignmentProblem,
    CandidateScores,
    check_assignment,
    solve,
)
from icm_recruit.board.conflicts import (  # noqa: E402
    ApplicantProfile,
    ConflictIndex,
    MemberProfile,
    Referee,
)


@dataclass(frozen=True)
class Size:
    """One benchmark size."""

    applications: int
    members: int
    k: int
    cap: int
    institutions: int
    top: int | None = None


SIZES = {
    "a": Size(300, 40, 3, 25, 20),
    "m": Size(4000, 150, 3, 90, 40),
    "b": Size(4000, 1500, 4, 12, 50),
    "c": Size(21575, 20518, 4, 6, 400, top=200),
}
SYLLABLES = "ba be bi bo bu da de di do ka ke ki ko la le li lo ma me mi mo na ne ni no " \
            "pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi vo za ze zi zo".split()


def _word(rng: random.Random, parts: int) -> str:
    """Return a pronounceable synthetic word."""
    return "".join(rng.choice(SYLLABLES) for _ in range(parts))


def _texts(size: Size, rng: random.Random) -> tuple[list, list]:
    """Generate application and member texts drawn from shared research topics."""
    n_topics = max(20, size.members // 10)
    vocabulary = list({_word(rng, 3) for _ in range(20 * n_topics + 500)})
    topics = [rng.sample(vocabulary, 30) for _ in range(n_topics)]

    def draw(topic_ids: list[int], count: int) -> list[str]:
        pool = [w for t in topic_ids for w in topics[t]]
        return [rng.choice(pool) if rng.random() < 0.8 else rng.choice(vocabulary)
                for _ in range(count)]

    apps, members = [], []
    for i in range(size.applications):
        mix = rng.sample(range(n_topics), rng.randint(1, 2))
        apps.append(ApplicationText(i, " ".join(draw(mix, 6)), draw(mix, 4),
                                    " ".join(draw(mix, 60))))
    for j in range(size.members):
        mix = rng.sample(range(n_topics), rng.randint(1, 3))
        members.append(MemberText(j, draw(mix, 6), " ".join(draw(mix, 40))))
    return apps, members


def _profiles(size: Size, rng: random.Random) -> tuple[list, list]:
    """Generate people: shared institutions, e-mail domains, some referees on the board."""
    places = [f"University of {_word(rng, 3).title()}" for _ in range(size.institutions)]

    def person(prefix: str, i: int) -> tuple[str, str, str]:
        place = rng.randrange(len(places))
        name = f"{_word(rng, 2).title()} {_word(rng, 4).title()}"
        return name, f"{prefix}{i}@u{place}.edu", places[place]

    members = []
    for j in range(size.members):
        name, email, place = person("m", j)
        members.append(MemberProfile(j, name, email, place))
    applicants = []
    for i in range(size.applications):
        name, email, place = person("a", i)
        referees = tuple(Referee(members[rng.randrange(size.members)].name)
                         if rng.random() < 0.01 else Referee(_word(rng, 4), f"r{i}@x.org")
                         for _ in range(2))
        applicants.append(ApplicantProfile(size.members + i, name, email, place,
                                           referees=referees))
    return members, applicants


def _conflict_codes(members: list, applicants: list) -> np.ndarray:
    """Return flat (application x members) indices of conflicted pairs."""
    index = ConflictIndex(members, reference_year=2027)
    codes = {
        (app.user_id - len(members)) * len(members) + finding.member_id
        for app in applicants
        for finding in index.conflicts_for(app)
    }
    return np.asarray(sorted(codes), dtype=np.int64)


MAX_ROUNDS = 200
# Pairs per application (in multiples of k) the LP starts with, and adds per round.
START_PER_APP, ADD_PER_APP = 3, 2


def _greedy_mean(edges: tuple, n_apps: int, n_members: int, k: int, cap: int) -> tuple:
    """Return (mean affinity, missing reviews) of the best-pair-first greedy baseline."""
    rows, cols, values = edges
    app_count, load = np.zeros(n_apps, np.int64), np.zeros(n_members, np.int64)
    total, placed = 0.0, 0
    for e in np.argsort(-values, kind="stable").tolist():
        r, c = rows[e], cols[e]
        if app_count[r] < k and load[c] < cap:
            app_count[r] += 1
            load[c] += 1
            total += values[e]
            placed += 1
    return total / max(placed, 1), n_apps * k - placed


class _RowTopK:
    """Sums, over applications, of the k largest values of their pairs, for many value
    vectors over the same pairs: each pair has a fixed cell in an applications x slots
    table, so each sum is one partial sort of that table (no sort of all pairs)."""

    def __init__(self, rows: np.ndarray, n_apps: int, k: int):
        order = np.argsort(rows, kind="stable")
        first = np.searchsorted(rows[order], np.arange(n_apps))
        slot = np.empty(rows.size, np.int64)
        slot[order] = np.arange(rows.size) - first[rows[order]]
        self.rows, self.slot, self.k = rows, slot, k
        width = max(int(slot.max()) + 1 if slot.size else 1, k)
        self.table = np.full((n_apps, width), -np.inf)

    def __call__(self, values: np.ndarray) -> float:
        self.table[self.rows, self.slot] = values
        k = self.k
        top = -np.partition(-self.table, k - 1, axis=1)[:, :k]
        return float(top[np.isfinite(top)].sum())


SCALE = 1e6  # the solver's precision: it optimises scores rounded to 1e-6
MAX_SWEEPS = 500  # a shortest path has fewer edges in practice (under 50 here)


def _assignment_prices(edges: tuple, chosen: np.ndarray, n_apps: int, n_members: int,
                       k: int, cap: int) -> np.ndarray | None:
    """Return member prices v >= 0 that an optimal assignment implies, or None.

    If the assignment is optimal (for the rounded scores), prices v and application
    prices u exist with u_i + v_j <= s_ij on chosen pairs, u_i + v_j >= s_ij on the
    others and v_j = 0 for members below their load: LP complementary slackness. They
    are shortest-path distances in the assignment's residual graph, found here by
    label-correcting sweeps in integers (exact). The prices are only a hint: the bound
    computed from them is valid whatever they are.
    """
    rows, cols, values = edges
    scores = np.rint(values * SCALE).astype(np.int64)
    picked = np.flatnonzero(chosen)
    if picked.size != n_apps * k or np.bincount(rows[picked], minlength=n_apps).max() != k:
        return None  # not every application fully staffed: the LP below decides
    picked = picked[np.argsort(rows[picked], kind="stable")]
    picked_cols, picked_scores = cols[picked], scores[picked]
    other = np.flatnonzero(~chosen)
    other = other[np.argsort(cols[other], kind="stable")]
    other_rows, other_scores = rows[other], scores[other]
    members, starts = np.unique(cols[other], return_index=True)
    # b = -v: start at 0 (v >= 0) and only ever decrease, as Bellman-Ford does.
    b = np.zeros(n_members, np.int64)
    below_load = np.bincount(picked_cols, minlength=n_members) < cap
    for _ in range(MAX_SWEEPS):
        a = (b[picked_cols] + picked_scores).reshape(n_apps, k).min(axis=1)
        lowest = np.minimum.reduceat(a[other_rows] - other_scores, starts) if other.size \
            else np.zeros(0, np.int64)
        lower = lowest < b[members]
        if not lower.any():
            break
        b[members[lower]] = lowest[lower]
        if (b[below_load] < 0).any():
            return None  # a member below their load would be worth more: not optimal
    else:
        return None  # still falling: a cycle that improves the assignment, not optimal
    return -b / SCALE


def _bound(edges: tuple, prices: np.ndarray, top_k: _RowTopK, cap: int) -> float:
    """Return the LP dual bound of member prices: valid for any prices >= 0."""
    rows, cols, values = edges
    return cap * float(prices.sum()) + top_k(values - prices[cols])


def _dual_bound(edges: tuple, chosen: np.ndarray, n_apps: int, n_members: int,
                k: int, cap: int) -> tuple[float, int]:
    """Return an upper bound on the optimum from LP duals on pruned pairs (column
    generation), and the number of LP rounds it took."""
    rows, cols, values = edges
    keep = chosen.copy()
    order = np.lexsort((-values, rows))
    first = np.searchsorted(rows[order], np.arange(n_apps))
    keep[order[(np.arange(rows.size) - first[rows[order]]) < START_PER_APP * k]] = True
    bound = np.inf
    # Column generation until no pair left out could improve the LP: the duals of the
    # pruned LP are then duals of the full one, and the bound is the optimum. The round
    # limit only guards against a solver that stalls; it is never reached in practice.
    top_k = _RowTopK(rows, n_apps, k)
    rounds = 0
    for rounds in range(1, MAX_ROUNDS + 1):  # noqa: B007 - the count is reported
        idx = np.flatnonzero(keep)
        n = idx.size
        a_eq = sparse.csr_matrix((np.ones(n), (rows[idx], np.arange(n))), shape=(n_apps, n))
        a_ub = sparse.csr_matrix((np.ones(n), (cols[idx], np.arange(n))), shape=(n_members, n))
        lp = linprog(-values[idx], A_ub=a_ub, b_ub=np.full(n_members, cap), A_eq=a_eq,
                     b_eq=np.full(n_apps, k), bounds=(0, 1), method="highs-ipm")
        if lp.status != 0:
            return float("nan"), rounds
        prices = np.maximum(-lp.ineqlin.marginals, 0.0)
        reduced = values - prices[cols]
        bound = min(bound, cap * prices.sum() + top_k(reduced))
        if bound <= -lp.fun + 1e-6:
            break
        app_price = -lp.eqlin.marginals
        gain = reduced - app_price[rows]
        improving = np.flatnonzero((gain > 1e-9) & ~keep)
        if improving.size == 0:
            break
        # Add, per application, the few pairs that would improve the LP most: the LP stays
        # small, and the rounds few.
        order = improving[np.lexsort((-gain[improving], rows[improving]))]
        first = np.searchsorted(rows[order], np.arange(n_apps))
        keep[order[(np.arange(order.size) - first[rows[order]]) < ADD_PER_APP * k]] = True
    return bound, rounds


def _edges(scores, conflict_codes: np.ndarray, n_members: int) -> tuple:
    """Return (rows, cols, values) of allowed pairs."""
    if isinstance(scores, CandidateScores):
        rows, cols, values = scores.rows, scores.cols, scores.values
    else:
        rows, cols = np.indices(scores.shape).reshape(2, -1)
        values = scores.ravel()
    allowed = ~np.isin(rows * n_members + cols, conflict_codes)
    return rows[allowed], cols[allowed], values[allowed]


def _report(name, scores, conflicts, n_apps, n_members, k, cap, times) -> dict:
    """Solve, check and compare; return the JSON record."""
    pairs_in_conflict = conflicts if conflicts.dtype == bool else [
        divmod(code, n_members) for code in conflicts.tolist()]
    problem = AssignmentProblem(list(range(n_apps)), list(range(n_members)), scores, k=k,
                                max_load=cap, conflicts=pairs_in_conflict)
    started = time.perf_counter()
    result = solve(problem)
    times["solve"] = time.perf_counter() - started
    pairs = [(p.application_id, p.member_id) for p in result.pairs]
    codes = conflicts if conflicts.dtype != bool else np.flatnonzero(conflicts.ravel())
    edges = _edges(scores, codes, n_members)
    started = time.perf_counter()
    chosen = np.isin(edges[0] * n_members + edges[1],
                     [a * n_members + m for a, m in pairs])
    tolerance = 5e-7 * len(pairs) + 1e-9
    prices = _assignment_prices(edges, chosen, n_apps, n_members, k, cap)
    optimum, rounds, method = float("nan"), 0, "assignment prices"
    if prices is not None:
        optimum = _bound(edges, prices, _RowTopK(edges[0], n_apps, k), cap)
    if not optimum - result.objective <= tolerance:
        optimum, rounds = _dual_bound(edges, chosen, n_apps, n_members, k, cap)
        method = "LP column generation"
    times["check"] = time.perf_counter() - started
    greedy_mean, greedy_missing = _greedy_mean(edges, n_apps, n_members, k, cap)
    return {
        "size": name, "applications": n_apps, "members": n_members, "k": k, "cap": cap,
        "candidate_pairs": int(edges[0].size), "conflicts": int(len(codes)),
        **{f"seconds_{key}": round(value, 3) for key, value in times.items()},
        "seconds_total": round(sum(v for key, v in times.items() if key != "check"), 3),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "objective": round(result.objective, 6), "optimum": round(optimum, 6),
        "optimal": result.optimal, "gap": round(optimum - result.objective, 6),
        # The solver optimises scores rounded to 1e-6: each pair may lose up to 5e-7.
        "certified": bool(optimum - result.objective <= tolerance),
        "check_method": method, "check_rounds": rounds,
        "violations": len(check_assignment(problem, pairs)),
        "missing_reviews": n_apps * k - len(pairs),
        "mean_affinity": round(result.objective / max(len(pairs), 1), 4),
        "greedy_mean_affinity": round(greedy_mean, 4), "greedy_missing_reviews": greedy_missing,
    }


def run_size(name: str, seed: int, save: str | None) -> dict:
    """Generate a sized instance, run the real code path and report."""
    size = SIZES[name]
    rng = random.Random(seed)
    times = {}
    started = time.perf_counter()
    model = build_model(*_texts(size, rng))
    if size.top:
        rows, cols, values = top_candidates(model, size.top)
        scores = CandidateScores(rows, cols, values)
    else:
        scores = similarity(model)
    times["affinity"] = time.perf_counter() - started
    started = time.perf_counter()
    codes = _conflict_codes(*_profiles(size, rng))
    times["conflicts"] = time.perf_counter() - started
    if save and not size.top:
        conflicts = np.zeros(scores.size, bool)
        conflicts[codes] = True
        np.savez_compressed(save, scores=scores, k=size.k, cap=size.cap,
                            conflicts=conflicts.reshape(scores.shape))
    return _report(name, scores, codes, size.applications, size.members, size.k, size.cap,
                   times)


def run_instance(path: str) -> dict:
    """Solve a given .npz instance and report."""
    data = np.load(path)
    scores, conflicts = data["scores"].astype(np.float64), data["conflicts"].astype(bool)
    n_apps, n_members = scores.shape
    return _report(Path(path).name, scores, conflicts, n_apps, n_members, int(data["k"]),
                   int(data["cap"]), {"affinity": 0.0, "conflicts": 0.0})


def main() -> None:
    """Parse arguments, run, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="a")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--instance", help="solve arrays from this .npz file instead")
    parser.add_argument("--save", help="write the generated instance to this .npz file")
    args = parser.parse_args()
    record = run_instance(args.instance) if args.instance else run_size(
        args.size, args.seed, args.save)
    print(json.dumps(record))


if __name__ == "__main__":
    main()
