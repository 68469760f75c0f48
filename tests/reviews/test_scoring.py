"""Review scores, statistics, disagreement and ranks on hand-computed examples."""

import pytest

from icm_recruit.reviews.scoring import (
    Criterion,
    Review,
    ScoredReview,
    rank_applications,
    ranks,
    review_score,
    score_reviews,
    summarise,
    summarise_all,
)

CRITERIA = [Criterion("science", 2.0, 1, 5), Criterion("fit", 1.0, 0, 10)]


def test_review_score_weights_criteria_normalised_to_ten():
    # science 4 on 1..5 -> 0.75, fit 6 on 0..10 -> 0.6; (2*0.75 + 1*0.6) / 3 = 0.7
    assert review_score({"science": 4, "fit": 6}, CRITERIA) == pytest.approx(7.0)


def test_review_score_spans_zero_to_ten():
    assert review_score({"science": 1, "fit": 0}, CRITERIA) == 0.0
    assert review_score({"science": 5, "fit": 10}, CRITERIA) == pytest.approx(10.0)


def test_review_score_ignores_scores_of_unknown_criteria():
    assert review_score({"science": 3, "fit": 5, "old": 99}, CRITERIA) == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({"science": 4}, "missing score"),
        ({"science": 6, "fit": 5}, "outside its scale"),
        ({"science": 4, "fit": -1}, "outside its scale"),
    ],
)
def test_review_score_refuses_incomplete_or_out_of_scale_scores(scores, message):
    with pytest.raises(ValueError, match=message):
        review_score(scores, CRITERIA)


@pytest.mark.parametrize(
    "criteria",
    [
        [],
        [Criterion("a", 0.0, 0, 10)],
        [Criterion("a", 1.0, 5, 5)],
        [Criterion("a", 1.0, 0, 10), Criterion("a", 1.0, 0, 5)],
    ],
)
def test_review_score_refuses_unusable_criteria(criteria):
    with pytest.raises(ValueError):
        review_score({"a": 5}, criteria)


def test_summary_of_three_scores():
    summary = summarise([4.0, 6.0, 8.0], "A")
    assert (summary.n_reviews, summary.mean, summary.median) == (3, 6.0, 6.0)
    assert summary.std == pytest.approx(2.0)  # sample standard deviation
    assert summary.score_range == 4.0
    assert summary.disagreement


def test_median_of_even_count_is_midpoint():
    assert summarise([2.0, 3.0, 7.0, 9.0], "A").median == 5.0


@pytest.mark.parametrize(
    ("scores", "flagged"),
    [([5.0, 6.0], False), ([5.0, 7.9], False), ([5.0, 8.0], True), ([1.0, 9.0, 5.0], True)],
)
def test_disagreement_flag_when_range_reaches_three_points(scores, flagged):
    assert summarise(scores, "A").disagreement is flagged


def test_disagreement_threshold_is_adjustable():
    assert summarise([5.0, 6.5], "A", disagreement_threshold=1.5).disagreement
    assert not summarise([5.0, 6.5], "A", disagreement_threshold=2.0).disagreement


def test_single_review_has_no_spread_and_no_flag():
    summary = summarise([7.0], "A")
    assert (summary.std, summary.score_range, summary.disagreement) == (0.0, 0.0, False)


def test_summarise_all_groups_by_application():
    scored = [ScoredReview("A", 1, 4.0), ScoredReview("B", 1, 9.0), ScoredReview("A", 2, 6.0)]
    summaries = summarise_all(scored)
    assert summaries["A"].mean == 5.0 and summaries["B"].n_reviews == 1


def test_ranks_put_the_highest_first_and_share_ties():
    assert ranks([3.0, 5.0, 5.0, 1.0]) == [3, 1, 1, 4]
    assert ranks([]) == []


def test_score_reviews_keeps_ids():
    scored = score_reviews([Review("A", "r1", {"science": 5, "fit": 10})], CRITERIA)
    assert scored == [ScoredReview("A", "r1", pytest.approx(10.0))]


def test_rank_applications_reports_raw_and_calibrated_statistics():
    criteria = [Criterion("overall", 1.0, 0, 10)]
    reviews = [
        Review("A", "r1", {"overall": 9}),
        Review("A", "r2", {"overall": 3}),
        Review("B", "r1", {"overall": 7}),
        Review("B", "r2", {"overall": 6}),
    ]
    ranking = rank_applications(reviews, criteria)
    by_id = {row.application_id: row for row in ranking.rows}
    assert by_id["A"].summary.mean == 6.0 and by_id["A"].summary.disagreement
    assert by_id["B"].summary.mean == 6.5 and not by_id["B"].summary.disagreement
    assert by_id["B"].raw_rank == 1 and by_id["A"].raw_rank == 2
    # Both reviewers saw both applications: no bias can reorder them.
    assert [row.application_id for row in ranking.rows] == ["B", "A"]
    assert all(row.rank_change == 0 for row in ranking.rows)


def test_rank_applications_without_reviews_is_empty():
    assert rank_applications([], CRITERIA).rows == []
