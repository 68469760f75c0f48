"""Forms of the selection feature."""

from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, InputRequired, Length, NumberRange, Optional

from icm_recruit.auth.forms import MultiCheckboxField
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.selection.models import Outcome, ShortlistOutcome
from icm_recruit.selection.visit_models import VisitPartKind

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class ShortlistForm(AppForm):
    outcome = RadioField(_l("Mark the selected applications as"), validators=[InputRequired()],
                         choices=[*ShortlistOutcome.choices(),
                                  ("undecided", _l("Undecided (clear the mark)"))])
    reason = TextAreaField(_l("Reason (kept in the audit trail, not sent to the applicant)"),
                           validators=[Optional(), Length(max=4000)])


class SendOutcomesForm(AppForm):
    # What the summary showed: the confirmation applies only to those marks.
    fingerprint = HiddenField(validators=[InputRequired(), Length(max=64)])


class SendLettersForm(SendOutcomesForm):
    pass


class SlotForm(AppForm):
    starts_at = DateTimeLocalField(_l("Starts on (Paris time, Europe/Paris)"),
                                   format=DATETIME_FORMAT, validators=[InputRequired()])
    duration = IntegerField(_l("Duration (minutes)"), default=45,
                            validators=[InputRequired(), NumberRange(min=5, max=480)])
    location = StringField(_l("Room"), validators=[Optional(), Length(max=300)])
    video_url = StringField(_l("Video link"),
                            validators=[Optional(), URL(require_tld=False), Length(max=500)])
    panel = MultiCheckboxField(_l("Panel"), coerce=int, validators=[InputRequired()])


class SlotSeriesForm(SlotForm):
    """Several slots one after another: same duration, place and panel."""

    starts_at = DateTimeLocalField(_l("First slot starts on (Paris time, Europe/Paris)"),
                                   format=DATETIME_FORMAT, validators=[InputRequired()])
    count = IntegerField(_l("Number of slots"), default=4,
                         validators=[InputRequired(), NumberRange(min=1, max=40)])
    gap = IntegerField(_l("Break between two slots (minutes)"), default=15,
                       validators=[InputRequired(), NumberRange(min=0, max=240)])


class BookForm(AppForm):
    slot_id = IntegerField(validators=[InputRequired()])


class AssignSlotForm(AppForm):
    slot_id = SelectField(_l("Slot"), coerce=int, validators=[InputRequired()])


class DecisionForm(AppForm):
    outcome = SelectField(_l("Outcome"), validators=[InputRequired()],
                          choices=[("", _l("Choose…")), *Outcome.choices()])
    feedback = TextAreaField(_l("Feedback for the applicant (fills {feedback} in the letter)"),
                             validators=[Optional(), Length(max=8000)])


class OfferAnswerForm(AppForm):
    answer = RadioField(_l("Your answer"), validators=[InputRequired()],
                        choices=[("accept", _l("I accept the offer")),
                                 ("decline", _l("I decline the offer"))])


class WindowTimesForm(AppForm):
    """The times and note of a visit window (HR moves a window with it)."""

    starts_at = DateTimeLocalField(_l("From (Paris time, Europe/Paris)"),
                                   format=DATETIME_FORMAT, validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("Until (Paris time, Europe/Paris)"),
                                 format=DATETIME_FORMAT, validators=[InputRequired()])
    note = StringField(_l("Note for the panel (optional)"),
                       validators=[Optional(), Length(max=300)])


class VisitWindowForm(WindowTimesForm):
    """A time HR proposes for interview visits; the panel then says whether it is free."""

    application_id = SelectField(_l("For"), coerce=int, default=0)


class FixSlotForm(AppForm):
    """An interview slot inside a visit window; its panel is the window's panel."""

    starts_at = DateTimeLocalField(_l("Starts on (Paris time, Europe/Paris)"),
                                   format=DATETIME_FORMAT, validators=[InputRequired()])
    duration = IntegerField(_l("Duration (minutes)"), default=45,
                            validators=[InputRequired(), NumberRange(min=5, max=480)])
    location = StringField(_l("Room"), validators=[Optional(), Length(max=300)])
    video_url = StringField(_l("Video link"),
                            validators=[Optional(), URL(require_tld=False), Length(max=500)])


class VisitPartForm(AppForm):
    """One part of an interview visit, with its place and time."""

    kind = SelectField(_l("Part of the visit"), validators=[InputRequired()],
                       choices=VisitPartKind.choices())
    starts_at = DateTimeLocalField(_l("Starts on (Paris time, Europe/Paris)"),
                                   format=DATETIME_FORMAT, validators=[InputRequired()])
    duration = IntegerField(_l("Duration (minutes)"), default=60,
                            validators=[InputRequired(), NumberRange(min=5, max=480)])
    place = StringField(_l("Place"), validators=[InputRequired(), Length(max=300)])
    details = StringField(_l("Details (optional)"), validators=[Optional(), Length(max=300)])
