"""Forms of reviewing, and what to tell the user about each refusal."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, StopValidation

from icm_recruit.calls.models import Criterion
from icm_recruit.extensions import db
from icm_recruit.reviews.models import CONFIDENCE_LABELS, RECOMMENDATION_LABELS
from icm_recruit.reviews.operations import MAX_POST, MAX_TEXT, ReviewInput

# The text fields a member may lose when a session ends; kept on every path.
TEXT_FIELDS = ("comments_to_board", "feedback_for_applicant")


def score_field_name(criterion: Criterion) -> str:
    return f"score_{criterion.id}"


class _InScale:
    """Refuse a score outside the criterion's scale, naming the criterion and the scale."""

    def __init__(self, criterion: Criterion):
        self.name, self.low, self.high = criterion.name, criterion.scale_min, criterion.scale_max

    def __call__(self, form, field):
        if field.data is not None and not self.low <= field.data <= self.high:
            raise StopValidation(_("%(criterion)s: choose a score from %(min)d to %(max)d.",
                                   criterion=self.name, min=self.low, max=self.high))


class ReviewForm(FlaskForm):
    recommendation = RadioField(
        _l("Overall recommendation"), validators=[Optional()],
        choices=[(value.value, label) for value, label in RECOMMENDATION_LABELS.items()])
    confidence = RadioField(_l("Confidence in this review"), validators=[Optional()],
                            coerce=int, choices=list(CONFIDENCE_LABELS.items()))
    comments_to_board = TextAreaField(_l("Comments for the board"), render_kw={"rows": 10},
                                      validators=[Optional(), Length(max=MAX_TEXT)])
    feedback_for_applicant = TextAreaField(_l("Feedback that may be shared with the applicant"),
                                           render_kw={"rows": 6},
                                           validators=[Optional(), Length(max=MAX_TEXT)])

    criteria: list[Criterion] = []

    def score_fields(self):
        return [(c, self[score_field_name(c)]) for c in self.criteria]

    def to_input(self) -> ReviewInput:
        return ReviewInput(
            scores={c.id: f.data for c, f in self.score_fields()},
            recommendation=self.recommendation.data or None,
            confidence=self.confidence.data or None,
            comments_to_board=self.comments_to_board.data or "",
            feedback_for_applicant=self.feedback_for_applicant.data or "")


def review_form_class(criteria: list[Criterion]) -> type[ReviewForm]:
    """A review form with one score field per criterion of the call."""
    attributes = {"criteria": list(criteria)}
    for criterion in criteria:
        attributes[score_field_name(criterion)] = IntegerField(
            criterion.name, validators=[Optional(), _InScale(criterion)])
    return type("CallReviewForm", (ReviewForm,), attributes)


def review_data(review) -> dict:
    """The saved review as form data."""
    if review is None:
        return {}
    data = {f"score_{s.criterion_id}": s.score for s in review.scores}
    data.update(recommendation=review.recommendation.value if review.recommendation else None,
                confidence=review.confidence, comments_to_board=review.comments_to_board,
                feedback_for_applicant=review.feedback_for_applicant)
    return data


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Why do you decline this review?"),
                           validators=[DataRequired(_l("Give a reason; HR reads it.")),
                                       Length(max=2000)])


class PostForm(FlaskForm):
    body = TextAreaField(_l("Your message"),
                         validators=[DataRequired(_l("Write a message first.")),
                                     Length(max=MAX_POST)])


def error_message(code: str, **details) -> str:
    messages = {
        "forbidden": _("You cannot do this on this review."),
        "deadline_passed": _("The review deadline has passed: the review can no longer be "
                             "changed. Your text is still on this page."),
        "score_out_of_range": _("%(criterion)s: choose a score from %(min)d to %(max)d.",
                                criterion=_criterion_name(details.get("criterion_id")),
                                min=details.get("min", 0), max=details.get("max", 0)),
        "unknown_criterion": _("A score was sent for a criterion this call does not have."),
        "bad_recommendation": _("Choose one of the recommendations offered."),
        "confidence_out_of_range": _("Choose a confidence from 1 to 5."),
        "too_long": _("The text is too long (at most %(limit)d characters).",
                      limit=details.get("limit", 0)),
        "incomplete": _("To submit, complete: %(missing)s.",
                        missing=", ".join(_missing_label(m) for m in details.get("missing", []))),
        "reason_needed": _("Give a reason; HR reads it."),
        "not_a_participant": _("Only the chair, HR and the members who have submitted their "
                               "review of this application take part in its discussion."),
        "empty_post": _("Write a message first."),
        "not_late": _("Only a late or declined review can be reassigned."),
        "review_done": _("This review is already submitted."),
        "nothing_to_remind": _("This member has nothing left to review here."),
        "no_replacement": _("No free board member can take this review; add one by hand on "
                            "the assignment page."),
    }
    return messages.get(code, _("This could not be done (%(code)s).", code=code))


def _criterion_name(criterion_id) -> str:
    criterion = db.session.get(Criterion, criterion_id) if criterion_id else None
    return criterion.name if criterion else ""


def _missing_label(item) -> str:
    """Missing criteria come as ids, other fields as names."""
    if isinstance(item, int):
        return _criterion_name(item)
    labels = {"recommendation": _("the recommendation"), "confidence": _("the confidence"),
              "comments": _("the comments for the board")}
    return labels.get(item, item)
