"""The ranking job's work: load submitted reviews, rank them, store a dated snapshot."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from icm_recruit.calls.models import Call
from icm_recruit.core import audit
from icm_recruit.extensions import db
from icm_recruit.reviews import scoring
from icm_recruit.selection.models import RankingRow, RankingSnapshot


def call_criteria(call: Call, stage: int | None = None) -> list[scoring.Criterion]:
    """The review form of one stage (by default the stage the call is at), for scoring."""
    return [scoring.Criterion(str(c.id), c.weight, c.scale_min, c.scale_max)
            for c in call.criteria_of(stage or call.current_stage)]


def submitted_reviews(call: Call, stage: int | None = None) -> list[scoring.Review]:
    """Return one stage's counting reviews that score every criterion of its form."""
    from icm_recruit.applications.models import Application
    from icm_recruit.assignment.models import Assignment
    from icm_recruit.reviews import rules as review_rules
    from icm_recruit.reviews.models import Review

    stage = stage or call.current_stage
    keys = {str(c.id) for c in call.criteria_of(stage)}
    rows = db.session.scalars(
        select(Review).join(Review.assignment).join(Assignment.application)
        .where(Application.call_id == call.id, Assignment.stage == stage,
               review_rules.counting())
        .options(selectinload(Review.scores), selectinload(Review.assignment))
        .order_by(Review.id))
    reviews = []
    for review in rows:
        scores = {str(s.criterion_id): s.score for s in review.scores}
        if keys and keys <= set(scores):
            reviews.append(scoring.Review(review.assignment.application_id,
                                          review.assignment.reviewer_id,
                                          {k: scores[k] for k in keys}))
    return reviews


def build_snapshot(call: Call, *, by, job_id: int | None = None,
                   progress=lambda percent: None, stage: int | None = None) -> RankingSnapshot:
    """Rank one stage's applications (by default the stage the call is at) from their
    submitted reviews and store the result."""
    stage = stage or call.current_stage
    criteria = call_criteria(call, stage)
    reviews = submitted_reviews(call, stage)
    progress(30)
    ranking = scoring.rank_applications(reviews, criteria) if criteria else scoring.Ranking(
        scoring.DEFAULT_METHOD, [], {})
    progress(70)
    per_application: dict = {}
    for scored in scoring.score_reviews(reviews, criteria) if criteria else []:
        per_application.setdefault(scored.application_id, []).append(
            {"reviewer_id": scored.reviewer_id, "score": round(scored.score, 4)})
    snapshot = RankingSnapshot(
        call_id=call.id, stage=stage, created_by_id=getattr(by, "id", None), job_run_id=job_id,
        method=ranking.method.value, review_count=len(reviews),
        disagreement_threshold=scoring.DEFAULT_DISAGREEMENT_THRESHOLD,
        reviewer_bias={str(k): round(v, 4) for k, v in ranking.reviewer_bias.items()})
    for row in ranking.rows:
        s = row.summary
        snapshot.rows.append(RankingRow(
            application_id=s.application_id, n_reviews=s.n_reviews, mean=s.mean,
            median=s.median, std=s.std, score_range=s.score_range,
            calibrated=row.calibrated, raw_rank=row.raw_rank,
            calibrated_rank=row.calibrated_rank, disagreement=s.disagreement,
            review_scores=per_application.get(s.application_id, [])))
    db.session.add(snapshot)
    db.session.flush()
    audit.record("ranking.computed", actor=by, obj=call, snapshot_id=snapshot.id,
                 reviews=len(reviews), applications=len(ranking.rows))
    return snapshot
