"""Calibration recovers reviewer severity where the right answer is known."""

import numpy as np
import pytest
from scipy.stats import kendalltau

from icm_recruit.reviews.scoring import (
    DEFAULT_RIDGE,
    MAX_RIDGE,
    CalibrationMethod,
    Criterion,
    Review,
    ScoredReview,
    calibrate,
    calibrate_additive,
    calibrate_zscore,
    estimate_ridge,
    rank_applications,
)

TRUE_QUALITY = {"a0": 8.0, "a1": 7.0, "a2": 6.0, "a3": 5.0, "a4": 4.0, "a5": 3.0}
TRUE_BIAS = {"harsh": -1.5, "lenient": 1.5, "n1": 0.0, "n2": 0.0}
# The harsh reviewer drew the three best dossiers, the lenient one the three weakest.
PANELS = {
    "a0": ("harsh", "n1"),
    "a1": ("harsh", "n2"),
    "a2": ("harsh", "n1"),
    "a3": ("lenient", "n2"),
    "a4": ("lenient", "n1"),
    "a5": ("lenient", "n2"),
}


def unlucky_draw() -> list[ScoredReview]:
    """Return noiseless scores where raw means swap a2 (true 3rd) and a3 (true 4th)."""
    return [
        ScoredReview(app, reviewer, TRUE_QUALITY[app] + TRUE_BIAS[reviewer])
        for app, panel in PANELS.items()
        for reviewer in panel
    ]


def simulate(seed: int, severity_sd: float, apps: int = 150, reviewers: int = 25, k: int = 3):
    """Return true qualities, true biases and noisy scored reviews of a random call."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(6.0, 1.2, apps)
    bias = rng.normal(0.0, severity_sd, reviewers)
    scored = [
        ScoredReview(a, int(r), float(quality[a] + bias[r] + rng.normal(0.0, 0.7)))
        for a in range(apps)
        for r in rng.choice(reviewers, k, replace=False)
    ]
    return quality, bias, scored


def test_additive_model_recovers_exact_biases_and_qualities():
    calibration = calibrate_additive(unlucky_draw(), ridge=1e-9)
    for reviewer, bias in TRUE_BIAS.items():
        assert calibration.reviewer_bias[reviewer] == pytest.approx(bias, abs=1e-6)
    for app, quality in TRUE_QUALITY.items():
        assert calibration.scores[app] == pytest.approx(quality, abs=1e-6)


def test_ridge_shrinks_biases_toward_zero_and_they_sum_to_zero():
    loose = calibrate_additive(unlucky_draw(), ridge=0.1).reviewer_bias
    tight = calibrate_additive(unlucky_draw(), ridge=10.0).reviewer_bias
    assert 0 < -tight["harsh"] < -loose["harsh"] < 1.5
    assert sum(tight.values()) == pytest.approx(0.0, abs=1e-12)


def test_default_ranking_undoes_the_unlucky_draw():
    reviews = [
        Review(s.application_id, s.reviewer_id, {"overall": s.score}) for s in unlucky_draw()
    ]
    ranking = rank_applications(reviews, [Criterion("overall", 1.0, 0, 10)])
    by_id = {row.application_id: row for row in ranking.rows}
    assert (by_id["a2"].raw_rank, by_id["a3"].raw_rank) == (4, 3)
    assert [row.application_id for row in ranking.rows] == list(TRUE_QUALITY)
    assert (by_id["a2"].rank_change, by_id["a3"].rank_change) == (1, -1)
    assert ranking.reviewer_bias["harsh"] < 0 < ranking.reviewer_bias["lenient"]


def test_both_methods_see_a_harsh_and_a_lenient_reviewer_on_the_same_dossiers():
    quality = [8.0, 6.5, 5.0, 3.0]
    scored = [ScoredReview(i, "harsh", q - 2.0) for i, q in enumerate(quality)]
    scored += [ScoredReview(i, "lenient", q + 1.0) for i, q in enumerate(quality)]
    for method in CalibrationMethod:
        calibration = calibrate(scored, method)
        bias = calibration.reviewer_bias
        assert bias["harsh"] < 0 < bias["lenient"], method
        order = sorted(calibration.scores, key=calibration.scores.get, reverse=True)
        assert order == [0, 1, 2, 3], method
    exact = calibrate_additive(scored, ridge=1e-9)
    assert exact.reviewer_bias["lenient"] - exact.reviewer_bias["harsh"] == pytest.approx(3.0)


def test_zscore_shrinks_a_reviewer_with_one_review_toward_the_call():
    scored = [ScoredReview(i, "steady", 5.0 + (i % 3)) for i in range(30)]
    scored.append(ScoredReview(0, "once", 9.0))
    few = calibrate_zscore(scored, prior_reviews=5.0).reviewer_bias["once"]
    none = calibrate_zscore(scored, prior_reviews=0.0).reviewer_bias["once"]
    assert 0 < few < none


def test_zscore_handles_a_reviewer_giving_identical_scores():
    scored = [ScoredReview(i, "flat", 5.0) for i in range(4)]
    calibration = calibrate_zscore(scored, prior_reviews=0.0)
    assert all(np.isfinite(list(calibration.scores.values())))


@pytest.mark.parametrize("seed", range(5))
def test_calibration_recovers_biases_and_ranks_better_on_a_random_call(seed):
    quality, bias, scored = simulate(seed, severity_sd=1.2)
    calibration = calibrate_additive(scored)
    estimated = np.array([calibration.reviewer_bias[r] for r in range(len(bias))])
    assert np.corrcoef(estimated, bias)[0, 1] > 0.9
    raw = {}
    for review in scored:
        raw.setdefault(review.application_id, []).append(review.score)
    raw_tau = kendalltau(quality, [np.mean(raw[a]) for a in range(len(quality))]).statistic
    calibrated = [calibration.scores[a] for a in range(len(quality))]
    assert kendalltau(quality, calibrated).statistic > raw_tau + 0.03


def test_estimated_ridge_follows_how_much_reviewers_differ():
    assert estimate_ridge(simulate(0, severity_sd=0.0)[2]) > 20
    assert estimate_ridge(simulate(0, severity_sd=1.5)[2]) < 1


def test_one_review_per_application_leaves_scores_unchanged():
    scored = [ScoredReview(i, f"r{i % 3}", float(i)) for i in range(9)]
    assert estimate_ridge(scored) == DEFAULT_RIDGE
    calibration = calibrate_additive(scored)
    assert calibration.scores == pytest.approx({i: float(i) for i in range(9)})


def test_disconnected_reviewer_groups_still_solve():
    scored = [ScoredReview("a", "r1", 6.0), ScoredReview("a", "r2", 8.0)]
    scored += [ScoredReview("b", "r3", 4.0), ScoredReview("b", "r4", 5.0)]
    calibration = calibrate_additive(scored)
    assert calibration.scores["a"] == pytest.approx(7.0)
    assert calibration.scores["b"] == pytest.approx(4.5)
    assert estimate_ridge(scored) <= MAX_RIDGE


def test_calibration_refuses_empty_input_and_non_positive_ridge():
    with pytest.raises(ValueError):
        calibrate_additive([])
    with pytest.raises(ValueError):
        calibrate_additive(unlucky_draw(), ridge=0.0)


def simulate_topic_matched(seed: int, apps: int = 150, reviewers: int = 25, k: int = 3):
    """Return a call where the harshest reviewers mostly review the strongest dossiers."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(6.0, 1.2, apps)
    bias = rng.normal(0.0, 1.0, reviewers)
    app_place = np.argsort(np.argsort(quality + rng.normal(0, 1.2, apps))) / (apps - 1)
    harshness = np.argsort(np.argsort(-bias + rng.normal(0, 1.0, reviewers))) / (reviewers - 1)
    cap, loads, scored = -(-apps * k // reviewers), np.zeros(reviewers), []
    for a in rng.permutation(apps):
        panel = np.argsort(np.abs(harshness - app_place[a]) + 10.0 * (loads >= cap))[:k]
        loads[panel] += 1
        scored += [ScoredReview(int(a), int(r), float(quality[a] + bias[r] + rng.normal(0, 0.7)))
                   for r in panel]
    return quality, bias, scored


def _tau(quality, calibration):
    return kendalltau(quality, [calibration.scores[a] for a in range(len(quality))]).statistic


def test_topic_matched_harsh_reviewers_are_not_shrunk_into_their_dossiers():
    gains_over_zero, gains_over_least_squares = [], []
    for seed in range(12):
        quality, _, scored = simulate_topic_matched(seed)
        default = _tau(quality, calibrate_additive(scored))
        to_zero = _tau(quality, calibrate_additive(scored, assignment_aware=False))
        least_squares = _tau(quality, calibrate_additive(scored, ridge=1e-6))
        gains_over_zero.append(default - to_zero)
        gains_over_least_squares.append(default - least_squares)
    assert np.mean(gains_over_zero) > 0.02
    assert np.mean(gains_over_least_squares) > -0.005


def test_random_panels_leave_the_assignment_aware_fit_as_it_was():
    for seed in range(3):
        quality, _, scored = simulate(seed, severity_sd=0.8)
        aware = calibrate_additive(scored).scores
        plain = calibrate_additive(scored, assignment_aware=False).scores
        assert kendalltau([aware[a] for a in range(len(quality))],
                          [plain[a] for a in range(len(quality))]).statistic > 0.98


def test_assignment_aware_fit_still_solves_disconnected_and_flat_calls():
    scored = [ScoredReview("a", "r1", 6.0), ScoredReview("a", "r2", 8.0)]
    scored += [ScoredReview("b", "r3", 4.0), ScoredReview("b", "r4", 5.0)]
    assert calibrate_additive(scored).scores == pytest.approx({"a": 7.0, "b": 4.5})
    flat = [ScoredReview(i, r, 5.0) for i in range(4) for r in ("x", "y")]
    assert calibrate_additive(flat).scores == pytest.approx(dict.fromkeys(range(4), 5.0))
