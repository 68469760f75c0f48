"""Forms of the calls feature: HR creates and edits a call with its criteria."""

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from icm_recruit.calls.models import APPLICANT_KINDS, DOCUMENT_KIND_LABELS
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import lazy_gettext as _l

BLANK_CRITERIA_ROWS = 2
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
FIRST_YEAR, LAST_YEAR = 2000, 2199  # a deadline typed outside these is a typing slip


def _document_choices():
    return [("no", _l("Not asked")), ("optional", _l("Optional")), ("required", _l("Required"))]


class DocumentRuleForm(Form):
    requested = SelectField(_l("Asked for"), choices=_document_choices(), default="no")
    max_mb = IntegerField(_l("Size limit (MB)"), default=5,
                          validators=[InputRequired(), NumberRange(min=1, max=20)])
    max_pages = IntegerField(_l("Page limit"), default=10,
                             validators=[InputRequired(), NumberRange(min=1, max=300)])


class CriterionForm(Form):
    criterion_id = HiddenField()
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    name_fr = StringField(_l("Name (French)"), validators=[Optional(), Length(max=200)])
    description_en = TextAreaField(_l("Description (English)"),
                                   validators=[Optional(), Length(max=4000)])
    description_fr = TextAreaField(_l("Description (French)"),
                                   validators=[Optional(), Length(max=4000)])
    descriptors_en = TextAreaField(_l("Score descriptors (English), one line per level"),
                                   validators=[Optional(), Length(max=4000)])
    descriptors_fr = TextAreaField(_l("Score descriptors (French), one line per level"),
                                   validators=[Optional(), Length(max=4000)])
    weight = FloatField(_l("Weight"), default=1.0, validators=[Optional()])
    scale_min = IntegerField(_l("Lowest score"), default=1, validators=[Optional()])
    scale_max = IntegerField(_l("Highest score"), default=5, validators=[Optional()])

    def is_blank(self) -> bool:
        return not ((self.name_en.data or "").strip() or (self.name_fr.data or "").strip())

    def check(self) -> bool:
        """Validate a filled-in row; return False and attach errors when it is wrong."""
        ok = True
        for field in (self.name_en, self.name_fr):
            if not (field.data or "").strip():
                field.errors.append(_l("Give the name in both languages."))
                ok = False
        if self.weight.data is None or self.weight.data <= 0:
            self.weight.errors.append(_l("The weight must be a positive number."))
            ok = False
        low, high = self.scale_min.data, self.scale_max.data
        if low is None or high is None or low >= high:
            self.scale_max.errors.append(_l("The highest score must be above the lowest."))
            return False
        levels = high - low + 1
        for field in (self.descriptors_en, self.descriptors_fr):
            lines = [line for line in (field.data or "").splitlines() if line.strip()]
            if len(lines) > levels:
                field.errors.append(_l("There are %(lines)d lines for %(levels)d score levels.",
                                       lines=len(lines), levels=levels))
                ok = False
        return ok


def criteria_data(entries) -> list[dict]:
    """The filled-in rows of a criteria FieldList, ready for the operations."""
    rows = []
    for entry in entries:
        sub = entry.form
        if sub.is_blank():
            continue
        rows.append({
            "id": int(sub.criterion_id.data) if (sub.criterion_id.data or "").isdigit()
            else None,
            **{name: (sub[name].data or "").strip() for name in (
                "name_en", "name_fr", "description_en", "description_fr",
                "descriptors_en", "descriptors_fr")},
            "weight": float(sub.weight.data), "scale_min": sub.scale_min.data,
            "scale_max": sub.scale_max.data,
        })
    return rows


def check_criteria(entries) -> bool:
    """At least one row filled in, and every filled-in row right (errors attached)."""
    filled = [entry.form for entry in entries if not entry.form.is_blank()]
    if not filled:
        entries.errors.append(str(_l("Add at least one evaluation criterion.")))
        return False
    ok = True
    for criterion in filled:
        ok = criterion.check() and ok
    return ok


def fill_criteria(entries, criteria) -> None:
    """Put a review form's criteria in the FieldList, then the empty rows."""
    while len(entries.entries):
        entries.pop_entry()
    for criterion in criteria:
        entries.append_entry({
            "criterion_id": str(criterion.id), "weight": criterion.weight,
            **{name: getattr(criterion, name) for name in (
                "name_en", "name_fr", "description_en", "description_fr", "descriptors_en",
                "descriptors_fr", "scale_min", "scale_max")}})


def add_blank_criteria(entries) -> None:
    blanks = sum(1 for entry in entries if entry.form.is_blank())
    for _row in range(max(BLANK_CRITERIA_ROWS - blanks, 0)):
        entries.append_entry()


class CallForm(AppForm):
    slug = StringField(
        _l("Short name in addresses"),
        validators=[InputRequired(), Length(min=3, max=80),
                    Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                           message=_l("Use lower-case letters, digits and hyphens only."))])
    title_en = StringField(_l("Title (English)"), validators=[InputRequired(), Length(max=200)])
    title_fr = StringField(_l("Title (French)"), validators=[InputRequired(), Length(max=200)])
    description_en = TextAreaField(_l("Description (English)"),
                                   validators=[Optional(), Length(max=20000)])
    description_fr = TextAreaField(_l("Description (French)"),
                                   validators=[Optional(), Length(max=20000)])
    opens_at = DateTimeLocalField(_l("Opens on (Paris time)"), format=DATETIME_FORMAT,
                                  validators=[InputRequired()])
    closes_at = DateTimeLocalField(_l("Closes on (Paris time)"), format=DATETIME_FORMAT,
                                   validators=[InputRequired()])
    reviewers_per_application = IntegerField(
        _l("Reviewers per application"), default=3,
        validators=[InputRequired(), NumberRange(min=1, max=10)])
    referees_required = IntegerField(_l("Reference letters required"), default=2,
                                     validators=[InputRequired(), NumberRange(min=0, max=5)])
    summary_word_limit = IntegerField(_l("Word limit of the research summary"), default=500,
                                      validators=[InputRequired(), NumberRange(min=50, max=5000)])
    doc_cv = FormField(DocumentRuleForm)
    doc_research_project = FormField(DocumentRuleForm)
    doc_publications = FormField(DocumentRuleForm)
    doc_other = FormField(DocumentRuleForm)
    criteria = FieldList(FormField(CriterionForm), min_entries=1)

    def document_fields(self):
        return [(kind, DOCUMENT_KIND_LABELS[kind], self[f"doc_{kind.value}"])
                for kind in APPLICANT_KINDS]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.opens_at.data and self.closes_at.data and \
                self.closes_at.data <= self.opens_at.data:
            self.closes_at.errors.append(_l("The call must close after it opens."))
            ok = False
        return check_criteria(self.criteria) and ok

    def document_rules(self) -> list[dict]:
        rules = []
        for kind, _label, sub in self.document_fields():
            if sub.requested.data != "no":
                rules.append({"kind": kind.value, "required": sub.requested.data == "required",
                              "max_mb": sub.max_mb.data, "max_pages": sub.max_pages.data})
        return rules

    def criteria_data(self) -> list[dict]:
        return criteria_data(self.criteria)


class CallStatusForm(AppForm):
    to = HiddenField(validators=[InputRequired()])


class ReasonForm(AppForm):
    """Confirm a move that needs a reason, kept in the audit trail."""

    reason = TextAreaField(_l("Reason (kept in the audit trail, not sent to applicants)"),
                           validators=[DataRequired(message=_l("Give the reason.")),
                                       Length(max=2000)])


class NewDeadlineForm(ReasonForm):
    """Confirm a new deadline, typed in Paris time, with its reason."""

    deadline = DateTimeLocalField(_l("New deadline (Paris time)"), format=DATETIME_FORMAT,
                                  validators=[InputRequired(
                                      message=_l("Give the new date and time."))])

    def validate_deadline(self, field) -> None:
        if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
            raise ValidationError(_l("Give a date between %(first)d and %(last)d.",
                                     first=FIRST_YEAR, last=LAST_YEAR))


class ChairRightsForm(AppForm):
    chair_runs_selection = BooleanField(
        _l("The chair may plan the interview visits and record the decisions"))
