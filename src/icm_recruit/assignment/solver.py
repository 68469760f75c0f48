"""Assign board members to applications: exact, conflict-free, within loads, explained.

The problem is a min-cost flow: source -> application (capacity k) -> member
(capacity 1, cost -affinity) -> sink (capacity max_load). OR-Tools' min-cost flow
finds the maximum number of reviews first, then the largest total affinity among
those: an exact optimum, since the network is integral. Affinities are scaled to
integers (``SolverOptions.precision``, 1e-6 by default), so the optimum is exact for
scores rounded to six decimals.

* Conflicted and excluded pairs are never arcs, so they can never be assigned.
* Locked pairs are placed first and kept; a lock on a conflicted or excluded pair is
  dropped with a notice (a conflict always wins).
* ``min_affinity`` removes unlocked pairs below a floor.
* ``load_balance`` (>= 0) charges ``load_balance * l`` for a member's (l+1)-th review,
  a convex cost that spreads reviews evenly at a small price in affinity.
* ``fairness=True`` first maximises the weakest fully staffed application's total
  affinity, then the total (a MILP solved by HiGHS; the network is no longer integral).

When an application cannot get k members, the result says why, in terms HR can act on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from babel.numbers import format_decimal
from ortools.graph.python import min_cost_flow

Pair = tuple[int, int]
Explainer = Callable[[int, int], Sequence[str]]


@dataclass(frozen=True)
class Notice:
    """Something HR should know about a result: a code and the parameters of its message."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)
    application_id: int | None = None
    member_id: int | None = None


@dataclass(frozen=True)
class CandidateScores:
    """Sparse scores: only the listed (application index, member index) pairs may be used."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray


@dataclass
class AssignmentProblem:
    """A call's assignment problem; ``scores`` is dense (applications x members) or sparse."""

    application_ids: Sequence[int]
    member_ids: Sequence[int]
    scores: np.ndarray | CandidateScores
    k: int | Sequence[int] = 3
    max_load: int | Sequence[int] = 10
    conflicts: np.ndarray | Iterable[Pair] = ()
    exclusions: Iterable[Pair] = ()
    locks: Iterable[Pair] = ()
    labels: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SolverOptions:
    """Optional objectives and limits of the solver."""

    min_affinity: float | None = None
    load_balance: float = 0.0
    fairness: bool = False
    time_limit: float | None = None
    precision: float = 1e6


@dataclass(frozen=True)
class AssignedPair:
    """One proposed review, with why it was chosen."""

    application_id: int
    member_id: int
    affinity: float
    locked: bool = False
    shared_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class AssignmentResult:
    """A proposal: the pairs, the objective, and what could not be done and why."""

    pairs: tuple[AssignedPair, ...]
    objective: float
    optimal: bool
    status: str
    shortfalls: tuple[Notice, ...]
    notices: tuple[Notice, ...]
    loads: Mapping[int, int]
    weakest_application_total: float | None = None


@dataclass
class _Graph:
    """The problem in index form: usable edges, locks, demands and capacities."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    demand: np.ndarray
    capacity: np.ndarray
    locks: list[tuple[int, int, float]]
    blocked: dict[str, np.ndarray]
    notices: list[Notice]


# ---------------------------------------------------------------- preparing the graph


def _per_item(value: int | Sequence[int], size: int) -> np.ndarray:
    """Broadcast an int or a sequence to one int per item."""
    array = np.asarray(value, dtype=np.int64)
    return np.full(size, int(array)) if array.ndim == 0 else array.copy()


def _all_edges(scores: np.ndarray | CandidateScores) -> tuple[np.ndarray, ...]:
    """Return (rows, cols, values) of every scored pair."""
    if isinstance(scores, CandidateScores):
        return (np.asarray(scores.rows, np.int64), np.asarray(scores.cols, np.int64),
                np.asarray(scores.values, np.float64))
    rows, cols = np.indices(scores.shape).reshape(2, -1)
    return rows, cols, np.asarray(scores, np.float64).ravel()


def _pair_codes(
    pairs: Iterable[Pair], app_index: Mapping[int, int], member_index: Mapping[int, int],
    n_members: int,
) -> np.ndarray:
    """Encode id pairs as flat indices, skipping unknown ids."""
    codes = [app_index[a] * n_members + member_index[m] for a, m in pairs
             if a in app_index and m in member_index]
    return np.asarray(sorted(set(codes)), dtype=np.int64)


def _conflict_codes(problem: AssignmentProblem, index: tuple[dict, dict]) -> np.ndarray:
    """Return the flat indices of conflicted pairs."""
    n_members = len(problem.member_ids)
    if isinstance(problem.conflicts, np.ndarray) and problem.conflicts.dtype == bool:
        return np.flatnonzero(problem.conflicts.ravel())
    return _pair_codes(problem.conflicts, *index, n_members)


def _score_lookup(scores: np.ndarray | CandidateScores, n_members: int) -> Callable:
    """Return a function giving the score of (row, col), 0.0 when not a candidate."""
    if not isinstance(scores, CandidateScores):
        return lambda r, c: float(scores[r, c])
    table = dict(zip((scores.rows * n_members + scores.cols).tolist(),
                     scores.values.tolist(), strict=True))
    return lambda r, c: float(table.get(r * n_members + c, 0.0))


def _prepare(problem: AssignmentProblem, options: SolverOptions) -> _Graph:
    """Turn a problem into usable edges, placed locks and remaining demand and capacity."""
    n_apps, n_members = len(problem.application_ids), len(problem.member_ids)
    index = ({a: i for i, a in enumerate(problem.application_ids)},
             {m: j for j, m in enumerate(problem.member_ids)})
    rows, cols, values = _all_edges(problem.scores)
    codes = rows * n_members + cols
    conflicted = _conflict_codes(problem, index)
    excluded = _pair_codes(problem.exclusions, *index, n_members)
    lock_codes = _pair_codes(problem.locks, *index, n_members)
    blocked = {"conflict": np.isin(codes, conflicted), "excluded": np.isin(codes, excluded)}
    blocked["excluded"] &= ~blocked["conflict"]
    low = np.zeros_like(blocked["conflict"])
    if options.min_affinity is not None:
        low = (values < options.min_affinity) & ~blocked["conflict"] & ~blocked["excluded"]
    blocked["below_floor"] = low
    graph = _Graph(rows, cols, values, _per_item(problem.k, n_apps),
                   _per_item(problem.max_load, n_members), [], {}, [])
    _place_locks(graph, problem, lock_codes, (conflicted, excluded))
    keep = ~(blocked["conflict"] | blocked["excluded"] | low | np.isin(codes, lock_codes))
    graph.rows, graph.cols, graph.values = rows[keep], cols[keep], values[keep]
    graph.blocked = {reason: np.bincount(rows[mask], minlength=n_apps)
                     for reason, mask in blocked.items()}
    return graph


def _place_locks(
    graph: _Graph, problem: AssignmentProblem, lock_codes: np.ndarray,
    forbidden: tuple[np.ndarray, np.ndarray],
) -> None:
    """Keep valid locks, reduce demand and capacity, and note the dropped ones."""
    n_members = len(problem.member_ids)
    score = _score_lookup(problem.scores, n_members)
    for code in lock_codes.tolist():
        r, c = divmod(code, n_members)
        app_id, member_id = problem.application_ids[r], problem.member_ids[c]
        for reason, codes in zip(("conflict", "excluded"), forbidden, strict=True):
            if np.isin(code, codes):
                graph.notices.append(Notice("lock_dropped", {"reason": reason},
                                            app_id, member_id))
                break
        else:
            graph.locks.append((r, c, score(r, c)))
    for r, c, _ in graph.locks:
        graph.demand[r] -= 1
        graph.capacity[c] -= 1
    for r in np.flatnonzero(graph.demand < 0).tolist():
        graph.notices.append(Notice("locks_exceed_k", {"extra": int(-graph.demand[r])},
                                    problem.application_ids[r]))
    for c in np.flatnonzero(graph.capacity < 0).tolist():
        graph.notices.append(Notice("locks_exceed_load", {"extra": int(-graph.capacity[c])},
                                    member_id=problem.member_ids[c]))
    np.clip(graph.demand, 0, None, out=graph.demand)
    np.clip(graph.capacity, 0, None, out=graph.capacity)


# ---------------------------------------------------------------- min-cost flow


def _sink_arcs(graph: _Graph, options: SolverOptions, locked_load: np.ndarray) -> tuple:
    """Return (tails, capacities, unit costs) of member -> sink arcs."""
    n_members = graph.capacity.size
    if options.load_balance <= 0:
        return np.arange(n_members), graph.capacity, np.zeros(n_members, np.int64)
    tails = np.repeat(np.arange(n_members), graph.capacity)
    offsets = np.arange(tails.size) - np.repeat(np.cumsum(graph.capacity) - graph.capacity,
                                                graph.capacity)
    load = locked_load[tails] + offsets
    costs = np.rint(options.load_balance * options.precision * load).astype(np.int64)
    return tails, np.ones(tails.size, np.int64), costs


def _solve_flow(graph: _Graph, options: SolverOptions) -> tuple[np.ndarray, str]:
    """Return the 0/1 flow on each edge that maximises coverage, then affinity."""
    n_apps, n_members = graph.demand.size, graph.capacity.size
    source, sink = n_apps + n_members, n_apps + n_members + 1
    locked_load = np.bincount([c for _, c, _ in graph.locks], minlength=n_members)
    sink_tails, sink_caps, sink_costs = _sink_arcs(graph, options, locked_load)
    flow = min_cost_flow.SimpleMinCostFlow()
    edge_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        graph.rows, n_apps + graph.cols, np.ones(graph.rows.size, np.int64),
        -np.rint(graph.values * options.precision).astype(np.int64))
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(n_apps, source), np.arange(n_apps), graph.demand, np.zeros(n_apps, np.int64))
    flow.add_arcs_with_capacity_and_unit_cost(
        n_apps + sink_tails, np.full(sink_tails.size, sink), sink_caps, sink_costs)
    total = int(graph.demand.sum())
    flow.set_nodes_supplies(np.array([source, sink]), np.array([total, -total]))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        return np.zeros(graph.rows.size, bool), status.name
    return flow.flows(edge_arcs) > 0, "optimal"


# ---------------------------------------------------------------- fairness (MILP)


def _solve_fair(graph: _Graph, chosen: np.ndarray, options: SolverOptions) -> tuple:
    """Maximise the weakest full application's total, then the total, at equal coverage."""
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    n_apps, n_edges = graph.demand.size, graph.rows.size
    counts = np.bincount(graph.rows[chosen], minlength=n_apps)
    full = np.flatnonzero((counts == graph.demand) & (graph.demand + _locks_per_app(graph) > 0))
    by_app = sparse.csr_matrix((np.ones(n_edges), (graph.rows, np.arange(n_edges))),
                               shape=(n_apps, n_edges))
    by_member = sparse.csr_matrix((np.ones(n_edges), (graph.cols, np.arange(n_edges))),
                                  shape=(graph.capacity.size, n_edges))
    weighted = sparse.csr_matrix((graph.values, (graph.rows, np.arange(n_edges))),
                                 shape=(n_apps, n_edges))[full]
    locked = _locked_totals(graph)[full]
    base = [LinearConstraint(sparse.hstack([by_app, sparse.csr_matrix((n_apps, 1))]),
                             counts, counts),
            LinearConstraint(sparse.hstack([by_member, sparse.csr_matrix(
                (by_member.shape[0], 1))]), 0, graph.capacity)]
    floor = sparse.hstack([weighted, -np.ones((full.size, 1))])
    integrality = np.r_[np.ones(n_edges), 0]
    bounds = Bounds(np.r_[np.zeros(n_edges), -np.inf], np.r_[np.ones(n_edges), np.inf])
    milp_options = {"time_limit": options.time_limit} if options.time_limit else {}
    first = milp(np.r_[np.zeros(n_edges), -1.0], integrality=integrality, bounds=bounds,
                 constraints=[*base, LinearConstraint(floor, -locked, np.inf)],
                 options=milp_options)
    if first.x is None:
        return chosen, f"fairness: {first.message}", None
    weakest = -first.fun
    second = milp(np.r_[-graph.values, 0.0], integrality=integrality, bounds=bounds,
                  constraints=[*base, LinearConstraint(floor, -locked, np.inf),
                               LinearConstraint(sparse.csr_matrix(
                                   ([1.0], ([0], [n_edges])), shape=(1, n_edges + 1)),
                                   weakest - 1e-7, np.inf)],
                  options=milp_options)
    if second.x is None:
        return chosen, f"fairness: {second.message}", weakest
    status = "optimal" if first.status == 0 and second.status == 0 else "time_limit"
    return second.x[:n_edges] > 0.5, status, weakest


def _locks_per_app(graph: _Graph) -> np.ndarray:
    """Return how many locks each application holds."""
    return np.bincount([r for r, _, _ in graph.locks], minlength=graph.demand.size)


def _locked_totals(graph: _Graph) -> np.ndarray:
    """Return each application's locked affinity."""
    totals = np.zeros(graph.demand.size)
    for r, _, value in graph.locks:
        totals[r] += value
    return totals


# ---------------------------------------------------------------- results


def _shortfalls(
    problem: AssignmentProblem, graph: _Graph, assigned: np.ndarray
) -> list[Notice]:
    """Explain each application that did not get its k members."""
    required = _per_item(problem.k, len(problem.application_ids))
    eligible = np.bincount(graph.rows, minlength=required.size) + _locks_per_app(graph)
    notes = []
    for r in np.flatnonzero(assigned < required).tolist():
        app_id = problem.application_ids[r]
        params = {"label": problem.labels.get(app_id, str(app_id)), "k": int(required[r]),
                  "assigned": int(assigned[r]), "eligible": int(eligible[r]),
                  **{reason: int(count[r]) for reason, count in graph.blocked.items()}}
        code = "too_few_eligible" if eligible[r] < required[r] else "members_at_capacity"
        notes.append(Notice(code, params, app_id))
    return notes


def _capacity_notice(problem: AssignmentProblem) -> list[Notice]:
    """Note when the board's total load is below the reviews needed."""
    demand = int(_per_item(problem.k, len(problem.application_ids)).sum())
    capacity = int(_per_item(problem.max_load, len(problem.member_ids)).sum())
    if capacity >= demand:
        return []
    return [Notice("capacity_short", {"demand": demand, "capacity": capacity})]


def _assigned_pairs(
    problem: AssignmentProblem, graph: _Graph, chosen: np.ndarray, explain: Explainer | None
) -> list[AssignedPair]:
    """Return locked then chosen pairs as AssignedPair records."""
    triples = [(r, c, v, True) for r, c, v in graph.locks]
    triples += [(r, c, v, False) for r, c, v in zip(
        graph.rows[chosen].tolist(), graph.cols[chosen].tolist(),
        graph.values[chosen].tolist(), strict=True)]
    pairs = []
    for r, c, value, locked in sorted(triples):
        app_id, member_id = problem.application_ids[r], problem.member_ids[c]
        terms = tuple(explain(app_id, member_id)) if explain else ()
        pairs.append(AssignedPair(app_id, member_id, value, locked, terms))
    return pairs


def solve(
    problem: AssignmentProblem,
    options: SolverOptions | None = None,
    *,
    explain: Explainer | None = None,
) -> AssignmentResult:
    """Return the optimal conflict-free assignment of a problem, with its explanations."""
    options = options or SolverOptions()
    graph = _prepare(problem, options)
    chosen, status = _solve_flow(graph, options)
    weakest = None
    if options.fairness and status == "optimal" and graph.rows.size:
        chosen, status, weakest = _solve_fair(graph, chosen, options)
    pairs = _assigned_pairs(problem, graph, chosen, explain)
    app_counts = Counter(p.application_id for p in pairs)
    assigned = np.asarray([app_counts[a] for a in problem.application_ids], dtype=np.int64)
    return AssignmentResult(
        pairs=tuple(pairs),
        objective=float(sum(p.affinity for p in pairs)),
        optimal=status == "optimal",
        status=status,
        shortfalls=tuple(_shortfalls(problem, graph, assigned)),
        notices=tuple(graph.notices + _capacity_notice(problem)),
        loads=dict(Counter(p.member_id for p in pairs)),
        weakest_application_total=weakest,
    )


# ---------------------------------------------------------------- replacement after a decline


@dataclass(frozen=True)
class Replacement:
    """The best member to replace one who declined, or None with the reason."""

    application_id: int
    member_id: int | None
    affinity: float | None
    notice: Notice
    shared_terms: tuple[str, ...] = ()


def _row_candidates(problem: AssignmentProblem, row: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (member indices, scores) that may review one application."""
    if isinstance(problem.scores, CandidateScores):
        mask = np.asarray(problem.scores.rows) == row
        return (np.asarray(problem.scores.cols)[mask].astype(np.int64),
                np.asarray(problem.scores.values, np.float64)[mask])
    values = np.asarray(problem.scores[row], np.float64)
    return np.arange(values.size), values


def _blocked_members(problem: AssignmentProblem, app_id: int, row: int) -> set[int]:
    """Return the member ids that conflict with or are excluded from one application."""
    if isinstance(problem.conflicts, np.ndarray) and problem.conflicts.dtype == bool:
        blocked = {problem.member_ids[j] for j in np.flatnonzero(problem.conflicts[row])}
    else:
        blocked = {m for a, m in problem.conflicts if a == app_id}
    return blocked | {m for a, m in problem.exclusions if a == app_id}


def suggest_replacement(
    problem: AssignmentProblem,
    current: Iterable[Pair],
    application_id: int,
    declined_member_id: int,
    *,
    declined: Iterable[Pair] = (),
    explain: Explainer | None = None,
) -> Replacement:
    """Return the best replacement that keeps every other assignment fixed."""
    row = list(problem.application_ids).index(application_id)
    current = [pair for pair in current if pair != (application_id, declined_member_id)]
    loads = Counter(m for _, m in current)
    caps = dict(zip(problem.member_ids, _per_item(problem.max_load, len(problem.member_ids))
                    .tolist(), strict=True))
    unavailable = _blocked_members(problem, application_id, row) | {declined_member_id}
    unavailable |= {m for a, m in current if a == application_id}
    unavailable |= {m for a, m in declined if a == application_id}
    cols, values = _row_candidates(problem, row)
    best: tuple[float, int] | None = None
    full = 0
    for col, value in zip(cols.tolist(), values.tolist(), strict=True):
        member_id = problem.member_ids[col]
        if member_id in unavailable:
            continue
        if loads[member_id] >= caps[member_id]:
            full += 1
        elif best is None or value > best[0]:
            best = (value, member_id)
    label = problem.labels.get(application_id, str(application_id))
    if best is None:
        code = "replacement_all_full" if full else "replacement_none_eligible"
        return Replacement(application_id, None, None,
                           Notice(code, {"label": label, "full": full}, application_id))
    terms = tuple(explain(application_id, best[1])) if explain else ()
    notice = Notice("replacement", {"label": label, "affinity": round(best[0], 3)},
                    application_id, best[1])
    return Replacement(application_id, best[1], best[0], notice, terms)


# ---------------------------------------------------------------- checking a proposal


def check_assignment(problem: AssignmentProblem, pairs: Iterable[Pair]) -> list[Notice]:
    """Return every rule a set of (application id, member id) pairs breaks."""
    pairs = list(pairs)
    app_index = {a: i for i, a in enumerate(problem.application_ids)}
    member_index = {m: j for j, m in enumerate(problem.member_ids)}
    codes = _pair_codes(pairs, app_index, member_index, len(problem.member_ids))
    problems = []
    if len(codes) != len(pairs):
        problems.append(Notice("duplicate_or_unknown_pair", {"count": len(pairs) - len(codes)}))
    for reason, forbidden in (("conflict", _conflict_codes(problem, (app_index, member_index))),
                              ("excluded", _pair_codes(problem.exclusions, app_index,
                                                       member_index, len(problem.member_ids)))):
        for code in codes[np.isin(codes, forbidden)].tolist():
            r, c = divmod(code, len(problem.member_ids))
            problems.append(Notice(f"assigned_{reason}", {}, problem.application_ids[r],
                                   problem.member_ids[c]))
    caps = _per_item(problem.max_load, len(problem.member_ids))
    loads = np.bincount(codes % len(problem.member_ids), minlength=caps.size)
    problems += [Notice("over_load", {"load": int(loads[c]), "max_load": int(caps[c])},
                        member_id=problem.member_ids[c])
                 for c in np.flatnonzero(loads > caps).tolist()]
    required = _per_item(problem.k, len(problem.application_ids))
    counts = np.bincount(codes // len(problem.member_ids), minlength=required.size)
    problems += [Notice("over_k", {"assigned": int(counts[r]), "k": int(required[r])},
                        problem.application_ids[r])
                 for r in np.flatnonzero(counts > required).tolist()]
    return problems


# ---------------------------------------------------------------- readable messages

_MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "too_few_eligible": "{label} has only {eligible} members without conflict; k is {k} "
                            "({conflict} in conflict, {excluded} excluded, {below_floor} below "
                            "the affinity floor).",
        "members_at_capacity": "{label} has {eligible} members without conflict but got "
                               "{assigned} of {k}: the others have reached their maximum "
                               "load. Raise some loads or add members.",
        "capacity_short": "The board can take {capacity} reviews in all but {demand} are "
                          "needed. Raise maximum loads or add members.",
        "lock_dropped": "A locked assignment was dropped ({reason}): a conflict or an "
                        "exclusion always wins.",
        "locks_exceed_k": "This application has {extra} more locked members than k.",
        "locks_exceed_load": "This member has {extra} more locked reviews than their load.",
        "replacement": "Best available replacement for {label} (affinity {affinity}).",
        "replacement_all_full": "No replacement for {label}: the {full} members without "
                                "conflict have all reached their maximum load.",
        "replacement_none_eligible": "No replacement for {label}: no other member is "
                                     "without conflict.",
    },
    "fr": {
        "too_few_eligible": "{label} n’a que {eligible} membres sans conflit\u202f; k vaut {k} "
                            "({conflict} en conflit, {excluded} exclus, {below_floor} sous le "
                            "seuil d’affinité).",
        "members_at_capacity": "{label} a {eligible} membres sans conflit mais n’en a obtenu "
                               "que {assigned} sur {k}\u00a0: les autres ont atteint leur charge "
                               "maximale. Augmentez des charges ou ajoutez des membres.",
        "capacity_short": "Le comité peut assurer {capacity} évaluations au total, mais il en "
                          "faut {demand}. Augmentez les charges maximales ou ajoutez des "
                          "membres.",
        "lock_dropped": "Une affectation verrouillée a été retirée ({reason})\u00a0: un conflit ou "
                        "une exclusion l’emporte toujours.",
        "locks_exceed_k": "Cette candidature a {extra} membres verrouillés de plus que k.",
        "locks_exceed_load": "Ce membre a {extra} évaluations verrouillées de plus que sa "
                             "charge maximale.",
        "replacement": "Meilleur remplaçant disponible pour {label} (affinité {affinity}).",
        "replacement_all_full": "Aucun remplaçant pour {label}\u00a0: les {full} membres sans "
                                "conflit ont tous atteint leur charge maximale.",
        "replacement_none_eligible": "Aucun remplaçant pour {label}\u00a0: aucun autre membre "
                                     "n’est sans conflit.",
    },
}


def describe(notice: Notice, locale: str = "en") -> str:
    """Return a notice as a sentence in English ('en') or French ('fr')."""
    messages = _MESSAGES["fr" if locale.lower().startswith("fr") else "en"]
    template = messages.get(notice.code)
    if template is None:
        return f"{notice.code}: {dict(notice.params)}"
    # Affinities are decimals: written 0,42 in French.
    params = {key: format_decimal(value, "0.###", locale=locale.replace("-", "_"))
              if isinstance(value, float) else value for key, value in notice.params.items()}
    return template.format(**params)
