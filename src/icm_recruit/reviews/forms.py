"""Forms of reviewing."""

from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, StopValidation

from icm_recruit.calls.models import Criterion
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.reviews.models import CONFIDENCE_LABELS, Recommendation
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


class ReviewForm(AppForm):
    recommendation = RadioField(
        _l("Overall recommendation"), validators=[Optional()],
        choices=Recommendation.choices())
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


class DeclineForm(AppForm):
    reason = TextAreaField(_l("Why do you decline this review?"),
                           validators=[DataRequired(_l("Give a reason; HR reads it.")),
                                       Length(max=2000)])


class PostForm(AppForm):
    body = TextAreaField(_l("Your message"),
                         validators=[DataRequired(_l("Write a message first.")),
                                     Length(max=MAX_POST)])
