"""The assignment solver: optimality against brute force, hard rules, reasons, replacement."""

import itertools
import random

import numpy as np
import pytest

from icm_recruit.assignment.solver import (
    AssignmentProblem,
    CandidateScores,
    SolverOptions,
    check_assignment,
    describe,
    solve,
    suggest_replacement,
)


def random_problem(rng: random.Random, n_apps=4, n_members=4, conflict_rate=0.2, **fields):
    scores = np.array([[round(rng.random(), 4) for _ in range(n_members)]
                       for _ in range(n_apps)])
    conflicts = np.array([[rng.random() < conflict_rate for _ in range(n_members)]
                          for _ in range(n_apps)])
    loads = [rng.randint(1, 3) for _ in range(n_members)]
    base = {"k": 2, "max_load": loads, "conflicts": conflicts}
    return AssignmentProblem(list(range(100, 100 + n_apps)), list(range(n_members)), scores,
                             **{**base, **fields})


def brute_force(problem: AssignmentProblem, key=None, locks=()):
    """Return the best (coverage, then key) assignment by enumeration, as index pairs."""
    scores, n_members = problem.scores, len(problem.member_ids)
    loads = np.broadcast_to(problem.max_load, (n_members,))
    options = []
    for i in range(len(problem.application_ids)):
        allowed = [j for j in range(n_members) if not problem.conflicts[i, j]]
        options.append([c for size in range(problem.k + 1)
                        for c in itertools.combinations(allowed, size)
                        if all(j in c for a, j in locks if a == i)])
    best, best_value = None, None
    for choice in itertools.product(*options):
        counts = np.bincount([j for c in choice for j in c], minlength=n_members)
        if np.any(counts > loads):
            continue
        totals = [sum(scores[i, j] for j in c) for i, c in enumerate(choice)]
        coverage = sum(len(c) for c in choice)
        value = (coverage, *(key(choice, totals) if key else (sum(totals),)))
        if best_value is None or value > best_value:
            best, best_value = choice, value
    return best, best_value


def index_pairs(problem, result):
    apps = {a: i for i, a in enumerate(problem.application_ids)}
    members = {m: j for j, m in enumerate(problem.member_ids)}
    return {(apps[p.application_id], members[p.member_id]) for p in result.pairs}


def id_pairs(result):
    return [(p.application_id, p.member_id) for p in result.pairs]


def test_optimal_against_brute_force_on_random_instances():
    rng = random.Random(7)
    for _ in range(40):
        problem = random_problem(rng)
        result = solve(problem)
        _, (coverage, total) = brute_force(problem)
        assert result.optimal
        assert len(result.pairs) == coverage
        assert result.objective == pytest.approx(total, abs=1e-5)
        assert check_assignment(problem, id_pairs(result)) == []


def test_optimal_with_locks_against_brute_force():
    rng = random.Random(9)
    for _ in range(20):
        problem = random_problem(rng, conflict_rate=0.1, max_load=[2, 2, 3, 3])
        free = [(i, j) for i in range(4) for j in range(4) if not problem.conflicts[i, j]]
        locks = rng.sample(free, 2)
        problem.locks = [(problem.application_ids[i], problem.member_ids[j]) for i, j in locks]
        result = solve(problem)
        _, (coverage, total) = brute_force(problem, locks=locks)
        assert set(locks) <= index_pairs(problem, result)
        assert len(result.pairs) == coverage
        assert result.objective == pytest.approx(total, abs=1e-5)


def test_fairness_maximises_the_weakest_application_then_the_total():
    rng = random.Random(11)
    checked = 0
    while checked < 15:
        problem = random_problem(rng, n_apps=3, n_members=5, conflict_rate=0.1,
                                 max_load=[2] * 5)
        choice, _ = brute_force(problem)
        if sum(len(c) for c in choice) < 6:
            continue
        result = solve(problem, SolverOptions(fairness=True))
        _, (_, weakest, total) = brute_force(
            problem, key=lambda choice, totals: (min(totals), sum(totals)))
        assert result.optimal
        assert result.weakest_application_total == pytest.approx(weakest, abs=1e-6)
        assert result.objective == pytest.approx(total, abs=1e-6)
        assert result.objective <= solve(problem).objective + 1e-9
        checked += 1


def test_conflicts_and_loads_hold_on_larger_random_instances():
    rng = np.random.default_rng(5)
    for _ in range(10):
        scores = rng.random((60, 15))
        conflicts = rng.random((60, 15)) < 0.3
        problem = AssignmentProblem(list(range(60)), list(range(1000, 1015)), scores, k=3,
                                    max_load=rng.integers(5, 20, 15).tolist(),
                                    conflicts=conflicts)
        result = solve(problem)
        assert check_assignment(problem, id_pairs(result)) == []
        assert not any(conflicts[i, j] for i, j in index_pairs(problem, result))
        for member, load in result.loads.items():
            assert load <= problem.max_load[member - 1000]


def test_conflicts_given_as_id_pairs_and_sparse_scores_agree_with_dense():
    rng = random.Random(3)
    problem = random_problem(rng, n_apps=6, n_members=5, k=2, max_load=3)
    pairs = [(problem.application_ids[i], problem.member_ids[j])
             for i, j in zip(*np.nonzero(problem.conflicts), strict=True)]
    rows, cols = np.indices(problem.scores.shape).reshape(2, -1)
    sparse = CandidateScores(rows, cols, problem.scores.ravel())
    dense_result = solve(problem)
    for variant in (AssignmentProblem(problem.application_ids, problem.member_ids,
                                      problem.scores, k=2, max_load=3, conflicts=pairs),
                    AssignmentProblem(problem.application_ids, problem.member_ids, sparse,
                                      k=2, max_load=3, conflicts=problem.conflicts)):
        assert solve(variant).objective == pytest.approx(dense_result.objective)


def test_locks_are_kept_even_when_not_optimal():
    scores = np.array([[0.9, 0.1, 0.8], [0.2, 0.9, 0.7]])
    problem = AssignmentProblem([1, 2], [10, 20, 30], scores, k=1, max_load=1,
                                locks=[(1, 20)])
    result = solve(problem)
    assert (1, 20) in id_pairs(result)
    assert next(p for p in result.pairs if p.member_id == 20).locked
    assert set(id_pairs(result)) == {(1, 20), (2, 30)}


def test_a_lock_on_a_conflicted_pair_is_dropped_with_a_notice():
    scores = np.ones((1, 3))
    problem = AssignmentProblem([1], [10, 20, 30], scores, k=2, max_load=1,
                                conflicts=[(1, 20)], locks=[(1, 20)])
    result = solve(problem)
    assert (1, 20) not in id_pairs(result)
    assert [n.code for n in result.notices] == ["lock_dropped"]
    assert "conflict" in describe(result.notices[0])


def test_exclusions_and_affinity_floor_are_respected():
    scores = np.array([[0.9, 0.5, 0.05, 0.4]])
    problem = AssignmentProblem([1], [10, 20, 30, 40], scores, k=3, max_load=1,
                                exclusions=[(1, 10)])
    result = solve(problem, SolverOptions(min_affinity=0.1))
    assert set(id_pairs(result)) == {(1, 20), (1, 40)}
    (shortfall,) = result.shortfalls
    assert shortfall.code == "too_few_eligible"
    assert shortfall.params["excluded"] == 1 and shortfall.params["below_floor"] == 1


def test_too_few_members_without_conflict_is_explained():
    scores = np.ones((2, 3))
    conflicts = np.array([[False, True, False], [False, False, False]])
    problem = AssignmentProblem([1, 2], [10, 20, 30], scores, k=3, max_load=5,
                                conflicts=conflicts, labels={1: "ICM-2027-0042"})
    result = solve(problem)
    assert result.optimal
    (shortfall,) = result.shortfalls
    assert shortfall.application_id == 1
    assert describe(shortfall).startswith(
        "ICM-2027-0042 has only 2 members without conflict; k is 3")
    assert describe(shortfall, "fr").startswith(
        "ICM-2027-0042 n’a que 2 membres sans conflit\u202f; k vaut 3")


def test_loads_too_small_are_explained():
    problem = AssignmentProblem([1, 2, 3], [10, 20], np.ones((3, 2)), k=2, max_load=2)
    result = solve(problem)
    assert len(result.pairs) == 4
    assert {n.code for n in result.shortfalls} == {"members_at_capacity"}
    assert [n.code for n in result.notices] == ["capacity_short"]
    assert "6" in describe(result.notices[0]) and "4" in describe(result.notices[0])


def test_load_balancing_spreads_reviews():
    scores = np.array([[0.9, 0.8]] * 4)
    problem = AssignmentProblem([1, 2, 3, 4], [10, 20], scores, k=1, max_load=4)
    assert solve(problem).loads == {10: 4}
    assert solve(problem, SolverOptions(load_balance=0.2)).loads == {10: 2, 20: 2}


def test_explanations_are_attached_to_each_pair():
    problem = AssignmentProblem([1], [10, 20], np.array([[0.5, 0.7]]), k=1, max_load=1)
    result = solve(problem, explain=lambda a, m: [f"term-{a}-{m}"])
    (pair,) = result.pairs
    assert (pair.member_id, pair.affinity, pair.shared_terms) == (20, 0.7, ("term-1-20",))


def test_replacement_keeps_other_assignments_and_respects_rules():
    scores = np.array([[0.9, 0.8, 0.7, 0.95], [0.1, 0.2, 0.3, 0.4]])
    problem = AssignmentProblem([1, 2], [10, 20, 30, 40], scores, k=1, max_load=1,
                                conflicts=[(1, 40)])
    current = [(1, 10), (2, 20)]
    replacement = suggest_replacement(problem, current, 1, 10)
    assert (replacement.member_id, replacement.affinity) == (30, 0.7)
    assert "ICM" not in describe(replacement.notice)
    full = AssignmentProblem([1, 2], [10, 20, 30, 40], scores, k=1, max_load=1,
                             conflicts=[(1, 40), (1, 30)])
    none = suggest_replacement(full, current, 1, 10)
    assert none.member_id is None and none.notice.code == "replacement_all_full"


def test_check_assignment_reports_broken_rules():
    problem = AssignmentProblem([1, 2], [10, 20], np.ones((2, 2)), k=1, max_load=1,
                                conflicts=[(1, 10)])
    codes = {n.code for n in check_assignment(problem, [(1, 10), (1, 20), (2, 20)])}
    assert codes == {"assigned_conflict", "over_load", "over_k"}
