"""Measure how well calibrated scores recover a known ranking, against the raw mean.

Each simulated call has applications with a true quality, reviewers with a severity (an
offset added to every score they give) and a noise level, and a random but balanced
assignment of k reviewers per application. Reviewers score three criteria on an integer
1-10 scale; the reviews then go through the same code as the real ranking
(`icm_recruit.reviews.scoring`). Over many seeds the benchmark averages, for the raw mean
and for each calibration method, the Kendall tau against the true quality and the overlap
of the top 10 with the true top 10.

The last line on stdout is one JSON object: the realistic setting (medium severity, k=3),
a sweep over severity spread (none / medium / large) and k=2..5, a small sweep over the
calibration parameters, and notes on settings where the default does not clearly beat the
raw mean. Where reviewers do not differ in severity there is nothing to correct: the
calibration can only fit noise, so it does not beat the raw mean there, and is expected to
cost a little.

Usage: python benchmarks/calibration.py [--seeds 200] [--sweep-seeds 60]
"""

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass, replace

import numpy as np
from scipy.stats import kendalltau

from icm_recruit.reviews.scoring import (
    DEFAULT_METHOD,
    CalibrationMethod,
    Criterion,
    Review,
    ScoredReview,
    calibrate_additive,
    calibrate_zscore,
    leave_one_out_ridge,
    score_reviews,
)

CRITERIA = (
    Criterion("scientific_quality", 0.4, 1, 10),
    Criterion("project", 0.4, 1, 10),
    Criterion("fit", 0.2, 1, 10),
)
SEVERITY_LEVELS = {"none": 0.0, "medium": 0.8, "large": 1.6}
TOP = 10
# The reference: the additive model fitted by (almost) plain least squares.
LEAST_SQUARES = "least_squares"
LEAST_SQUARES_RIDGE = 1e-6
# The additive model shrinking biases toward zero (the earlier default: it assumes biases
# independent of the assignment), with its moment ridge and with a ridge chosen by
# leave-one-review-out cross-validation, for comparison.
SHRINK_TO_ZERO = "additive_shrink_to_zero"
LOO_RIDGE = "additive_shrink_to_zero_loo_ridge"
# A gain in mean Kendall tau below this is not called a clear improvement.
CLEAR_TAU_GAIN = 0.01


@dataclass(frozen=True)
class Setting:
    """Parameters of one simulated call, on the 0-10 review scale."""

    applications: int = 300
    reviewers: int = 40
    k: int = 3
    quality_mean: float = 6.0
    quality_sd: float = 1.2
    severity_sd: float = SEVERITY_LEVELS["medium"]
    noise_min: float = 0.6
    noise_max: float = 1.2
    criterion_noise: float = 0.4
    # "random": balanced random panels; "topic": harsh reviewers draw the strongest
    # applications, as matching on topics does when strong fields have strict reviewers.
    assignment: str = "random"
    # How loosely topics follow quality and severity in "topic" (0: strictly, in sds).
    topic_noise: float = 1.0


def assign(rng: np.random.Generator, setting: Setting) -> list[list[int]]:
    """Give each application k distinct reviewers, keeping reviewer loads within one."""
    loads = np.zeros(setting.reviewers)
    panels = []
    for _ in range(setting.applications):
        order = np.lexsort((rng.random(setting.reviewers), loads))
        panel = order[: setting.k]
        loads[panel] += 1
        panels.append(panel.tolist())
    return panels


def assign_by_topic(rng: np.random.Generator, setting: Setting, quality: np.ndarray,
                    severity: np.ndarray) -> list[list[int]]:
    """Give each application the k reviewers nearest on a topic axis, within balanced loads.

    An application's place on the axis is its quality's rank, a reviewer's is their
    severity's rank (harshest at the strong end), both blurred by ``topic_noise``, so the
    harsh reviewers mostly get the strongest applications.
    """
    def place(values: np.ndarray) -> np.ndarray:
        z = (values - values.mean()) / (values.std() or 1.0)
        blurred = z + rng.normal(0.0, setting.topic_noise, len(values))
        return np.argsort(np.argsort(blurred)) / max(len(values) - 1, 1)

    app_place, reviewer_place = place(quality), place(severity)
    cap = -(-setting.applications * setting.k // setting.reviewers)
    loads = np.zeros(setting.reviewers)
    panels: list[list[int]] = [[] for _ in range(setting.applications)]
    for app in rng.permutation(setting.applications):
        distance = np.abs(reviewer_place - app_place[app]) + np.where(loads >= cap, 10.0, 0.0)
        panel = np.argsort(distance, kind="stable")[: setting.k]
        loads[panel] += 1
        panels[app] = panel.tolist()
    return panels


def simulate(seed: int, setting: Setting) -> tuple[np.ndarray, list[Review]]:
    """Return the true qualities and the reviews of one simulated call."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(setting.quality_mean, setting.quality_sd, setting.applications)
    severity = rng.normal(0.0, setting.severity_sd, setting.reviewers)
    noise = rng.uniform(setting.noise_min, setting.noise_max, setting.reviewers)
    panels = (assign_by_topic(rng, setting, quality, severity) if setting.assignment == "topic"
              else assign(rng, setting))
    reviews = []
    for app, panel in enumerate(panels):
        for reviewer in panel:
            latent = quality[app] - severity[reviewer] + rng.normal(0.0, noise[reviewer])
            values = latent + rng.normal(0.0, setting.criterion_noise, len(CRITERIA))
            marks = np.clip(np.rint(1 + 0.9 * values), 1, 10)
            scores = {c.key: float(m) for c, m in zip(CRITERIA, marks, strict=True)}
            reviews.append(Review(app, reviewer, scores))
    return quality, reviews


def raw_means(scored: list[ScoredReview], n_applications: int) -> np.ndarray:
    """Return the plain mean review score per application index."""
    apps = np.array([r.application_id for r in scored])
    values = np.array([r.score for r in scored])
    return np.bincount(apps, values, n_applications) / np.bincount(apps, None, n_applications)


def as_array(scores: dict, n_applications: int) -> np.ndarray:
    """Order a score mapping by application index."""
    return np.array([scores[i] for i in range(n_applications)])


def quality_of(estimate: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Return Kendall tau against the truth and the share of the true top 10 recovered."""
    tau = kendalltau(truth, estimate).statistic
    true_top = set(np.argsort(-truth)[:TOP].tolist())
    # Stable sort on the negated estimate: ties are broken by application index, as a
    # committee would have to break them somehow.
    est_top = set(np.argsort(-estimate, kind="stable")[:TOP].tolist())
    return float(tau), len(true_top & est_top) / TOP


def estimators(ridge: float | None, prior_reviews: float) -> dict:
    """Return the estimators compared, by name."""
    return {
        "raw_mean": lambda scored, n: raw_means(scored, n),
        LEAST_SQUARES: lambda scored, n: as_array(
            calibrate_additive(scored, ridge=LEAST_SQUARES_RIDGE).scores, n
        ),
        CalibrationMethod.ADDITIVE.value: lambda scored, n: as_array(
            calibrate_additive(scored, ridge=ridge).scores, n
        ),
        SHRINK_TO_ZERO: lambda scored, n: as_array(
            calibrate_additive(scored, ridge=ridge, assignment_aware=False).scores, n
        ),
        LOO_RIDGE: lambda scored, n: as_array(
            calibrate_additive(scored, ridge=leave_one_out_ridge(scored),
                               assignment_aware=False).scores, n
        ),
        CalibrationMethod.ZSCORE.value: lambda scored, n: as_array(
            calibrate_zscore(scored, prior_reviews=prior_reviews).scores, n
        ),
    }


def evaluate(
    setting: Setting, seeds: range, ridge: float | None = None, prior: float = 5.0
) -> dict:
    """Average each estimator's accuracy over the seeds."""
    methods = estimators(ridge, prior)
    taus: dict[str, list[float]] = {name: [] for name in methods}
    tops: dict[str, list[float]] = {name: [] for name in methods}
    for seed in seeds:
        truth, reviews = simulate(seed, setting)
        scored = score_reviews(reviews, CRITERIA)
        for name, estimate in methods.items():
            tau, top = quality_of(estimate(scored, setting.applications), truth)
            taus[name].append(tau)
            tops[name].append(top)
    result = {
        name: {
            "kendall_tau": round(statistics.fmean(taus[name]), 4),
            "top10_overlap": round(statistics.fmean(tops[name]), 4),
        }
        for name in methods
    }
    result["default_vs_raw"] = paired_gain(taus[DEFAULT_METHOD.value], taus["raw_mean"])
    result["additive_vs_least_squares"] = paired_gain(
        taus[CalibrationMethod.ADDITIVE.value], taus[LEAST_SQUARES]
    )
    result["shrink_to_zero_vs_least_squares"] = paired_gain(
        taus[SHRINK_TO_ZERO], taus[LEAST_SQUARES]
    )
    result["additive_vs_zscore"] = paired_gain(
        taus[CalibrationMethod.ADDITIVE.value], taus[CalibrationMethod.ZSCORE.value]
    )
    return result


def paired_gain(better: list[float], baseline: list[float]) -> dict:
    """Return the mean tau gain over seeds, its standard error and the share of seeds won."""
    gains = np.array(better) - np.array(baseline)
    stderr = gains.std(ddof=1) / np.sqrt(len(gains)) if len(gains) > 1 else float("nan")
    return {
        "tau_gain": round(float(gains.mean()), 4),
        "tau_gain_stderr": round(float(stderr), 4),
        "seeds_won": round(float((gains > 0).mean()), 3),
    }


def clearly_better(result: dict) -> bool:
    """Tell whether the default beats the raw mean by a clear, consistent margin."""
    gain = result["default_vs_raw"]
    return gain["tau_gain"] >= CLEAR_TAU_GAIN and gain["tau_gain"] > 3 * gain["tau_gain_stderr"]


def sweep(base: Setting, seeds: range) -> list[dict]:
    """Evaluate every severity level with k from 2 to 5."""
    rows = []
    for level, severity_sd in SEVERITY_LEVELS.items():
        for k in range(2, 6):
            result = evaluate(replace(base, severity_sd=severity_sd, k=k), seeds)
            rows.append({"severity": level, "severity_sd": severity_sd, "k": k, **result})
    return rows


def tuning(base: Setting, seeds: range) -> dict:
    """Compare parameter values of both methods in the realistic setting."""
    ridge = {
        str(value or "estimated"): evaluate(base, seeds, ridge=value)[
            CalibrationMethod.ADDITIVE.value
        ]
        for value in (None, 0.25, 1.0, 2.0, 5.0, 20.0)
    }
    prior = {
        str(value): evaluate(base, seeds, prior=value)[CalibrationMethod.ZSCORE.value]
        for value in (0.0, 2.0, 5.0, 20.0)
    }
    return {"additive_ridge": ridge, "zscore_prior_reviews": prior}


def notes(realistic: dict, rows: list[dict]) -> list[str]:
    """Explain where the default does not clearly beat the raw mean, and why."""
    found = []
    if not clearly_better(realistic):
        found.append("realistic setting: the default does NOT clearly beat the raw mean")
    for row in rows:
        if clearly_better(row):
            continue
        why = (
            "reviewers share one severity, so there is no bias to remove: the fitted "
            "offsets can only absorb noise; the estimated ridge keeps them small, so the "
            "loss stays a fraction of the gain seen when reviewers do differ"
            if row["severity_sd"] == 0
            else "the severity signal is too weak against noise for this k"
        )
        found.append(
            f"severity={row['severity']} k={row['k']}: tau gain "
            f"{row['default_vs_raw']['tau_gain']:+.4f}, not a clear improvement: {why}"
        )
    return found


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark and print its JSON summary as the last line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--sweep-seeds", type=int, default=60)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    base = Setting()
    realistic = evaluate(base, range(args.seeds))
    print(f"realistic: {json.dumps(realistic)}", file=sys.stderr)
    topic = evaluate(replace(base, assignment="topic"), range(args.seeds))
    print(f"topic-correlated: {json.dumps(topic)}", file=sys.stderr)
    topic_none = evaluate(replace(base, assignment="topic", severity_sd=0.0),
                          range(3000, 3000 + args.sweep_seeds))
    rows = sweep(base, range(1000, 1000 + args.sweep_seeds))
    tuned = tuning(base, range(2000, 2000 + args.sweep_seeds))
    summary = {
        "benchmark": "calibration",
        "setting": asdict(base),
        "criteria": [asdict(c) for c in CRITERIA],
        "seeds": args.seeds,
        "sweep_seeds": args.sweep_seeds,
        "default_method": DEFAULT_METHOD.value,
        "realistic": realistic,
        "topic_correlated": topic,
        "topic_correlated_no_severity": topic_none,
        "default_clearly_beats_raw": clearly_better(realistic),
        "sweep": rows,
        "tuning": tuned,
        "notes": notes(realistic, rows),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
