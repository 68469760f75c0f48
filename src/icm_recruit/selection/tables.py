"""The ranking and the reviews of a call as tables, for the page and the CSV/XLSX exports."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from icm_recruit.applications.models import Application
from icm_recruit.auth.models import User
from icm_recruit.calls.models import Call
from icm_recruit.core.i18n import gettext as _
from icm_recruit.extensions import db
from icm_recruit.reviews import scoring
from icm_recruit.selection import queries
from icm_recruit.selection.models import RankingSnapshot


def reviewer_names(rows) -> dict[int, str]:
    """Names of the reviewers whose scores appear in these ranking rows."""
    ids = {entry["reviewer_id"] for row in rows for entry in row.review_scores}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def ranking_table(call: Call, snapshot: RankingSnapshot, rows) -> tuple[list, list]:
    names = reviewer_names(rows)
    interview = queries.interview_scores(call)
    headers = [_("Calibrated rank"), _("Raw rank"), _("Places gained"), _("Reference"),
               _("Name"), _("Status"), _("Reviews"), _("Mean"), _("Median"),
               _("Standard deviation"), _("Spread"), _("Calibrated score"),
               _("High disagreement"), _("Scores per review"), _("Interview score"),
               _("Computed on")]
    table = []
    for r in rows:
        a = r.application
        per_review = "; ".join(f"{names.get(e['reviewer_id'], e['reviewer_id'])}: "
                               f"{e['score']:.2f}" for e in r.review_scores)
        score = interview.get(r.application_id)
        table.append([r.calibrated_rank, r.raw_rank, r.rank_change, a.reference,
                      a.applicant.name, str(a.status.label), r.n_reviews,
                      round(r.mean, 2), round(r.median, 2), round(r.std, 2),
                      round(r.score_range, 2), round(r.calibrated, 2),
                      _("yes") if r.disagreement else _("no"), per_review,
                      round(score["mean"], 2) if score else None, snapshot.created_at])
    return headers, table


def reviews_table(call: Call, allowed_ids: set[int]) -> tuple[list, list]:
    """Every review of the call (drafts included, marked) on the allowed applications."""
    from icm_recruit.assignment.models import Assignment
    from icm_recruit.reviews import rules as review_rules
    from icm_recruit.reviews.models import Review

    criteria = call.review_criteria
    scale = [scoring.Criterion(str(c.id), c.weight, c.scale_min, c.scale_max) for c in criteria]
    headers = [_("Reference"), _("Applicant"), _("Reviewer"), _("Review status"),
               _("Submitted on"), *[c.name for c in criteria], _("Weighted score (0-10)"),
               _("Recommendation"), _("Confidence"), _("Comments to the board"),
               _("Feedback for the applicant"), _("Counts in the ranking")]
    reviews = db.session.scalars(
        select(Review).join(Review.assignment).join(Assignment.application)
        .where(Application.call_id == call.id, Application.id.in_(allowed_ids or {-1}),
               Assignment.stage == call.current_stage)
        .options(selectinload(Review.scores),
                 selectinload(Review.assignment).selectinload(Assignment.reviewer),
                 selectinload(Review.assignment).selectinload(Assignment.application)
                 .selectinload(Application.applicant))
        .order_by(Application.reference, Review.id))
    counting = set(db.session.scalars(
        select(Review.id).join(Review.assignment).join(Assignment.application)
        .where(Application.call_id == call.id, review_rules.counting())))
    table = []
    for review in reviews:
        scores = review.score_map()
        keyed = {str(k): v for k, v in scores.items()}
        try:
            weighted = round(scoring.review_score(keyed, scale), 2) if scale else None
        except ValueError:
            weighted = None
        application = review.assignment.application
        table.append([
            application.reference, application.applicant.name, review.assignment.reviewer.name,
            review.status.value, review.submitted_at,
            *[scores.get(c.id) for c in criteria], weighted, review.recommendation_label,
            review.confidence, review.comments_to_board, review.feedback_for_applicant,
            _("yes") if review.id in counting else (
                _("no: conflict of interest") if review.is_submitted else _("no: draft"))])
    return headers, table
