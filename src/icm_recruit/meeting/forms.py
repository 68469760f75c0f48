"""Forms of the meeting: creating it, the agenda, the pointer, the record, the reports."""

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
from icm_recruit.meeting.models import AgendaGroup, ItemOutcome

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class MeetingForm(AppForm):
    starts_at = DateTimeLocalField(_l("Starts on (Paris time, Europe/Paris)"),
                                   format=DATETIME_FORMAT, validators=[InputRequired()])
    duration = IntegerField(_l("Duration (minutes)"), default=180,
                            validators=[InputRequired(), NumberRange(min=15, max=1440)])
    location = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    video_url = StringField(_l("Video link"),
                            validators=[Optional(), URL(require_tld=False), Length(max=500)])
    snapshot = SelectField(_l("Agenda drawn from the ranking of"), coerce=int,
                           validators=[InputRequired()])
    members = MultiCheckboxField(_l("Members invited"), coerce=int,
                                 validators=[InputRequired()])


class PointerForm(AppForm):
    # Empty: no item is under discussion.
    item_id = IntegerField(validators=[Optional(), NumberRange(min=1)])


class MoveForm(AppForm):
    direction = SelectField(choices=[("up", "up"), ("down", "down")],
                            validators=[InputRequired()])


class OrderForm(AppForm):
    """The order of one group after a drag and drop (the item ids come as `item_id`)."""

    group = SelectField(choices=[(g.value, g.value) for g in AgendaGroup],
                        validators=[InputRequired()])


class GroupForm(AppForm):
    group = SelectField(_l("Group"), choices=AgendaGroup.choices(), validators=[InputRequired()])


def _votes(label):
    return IntegerField(label, validators=[Optional(), NumberRange(min=0, max=1000)],
                        render_kw={"inputmode": "numeric"})


class RecordForm(AppForm):
    outcome = RadioField(_l("Outcome"), validators=[Optional()],
                         choices=[("", _l("Not decided yet")), *ItemOutcome.choices()],
                         default="")
    votes_for = _votes(_l("Votes for"))
    votes_against = _votes(_l("Votes against"))
    votes_abstain = _votes(_l("Abstentions"))
    consensus = TextAreaField(_l("Consensus statement"),
                              validators=[Optional(), Length(max=8000)],
                              render_kw={"rows": 6})
    # The revision the chair's page showed, to say when another chair recorded meanwhile.
    revision = HiddenField()


class AttendanceForm(AppForm):
    present = MultiCheckboxField(_l("Present"), coerce=int, validators=[Optional()])


class ReportForm(AppForm):
    body = TextAreaField(_l("Evaluation report"),
                         validators=[InputRequired(), Length(max=12000)],
                         render_kw={"rows": 16})


class SendReportsForm(AppForm):
    fingerprint = HiddenField(validators=[InputRequired(), Length(max=64)])
