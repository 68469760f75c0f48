"""Forms of the stages: HR defines a stage; HR or the chair mark who goes on."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from icm_recruit.applications.models import StageVerdict
from icm_recruit.calls.forms import (
    DATETIME_FORMAT,
    CriterionForm,
    DocumentRuleForm,
    check_criteria,
    criteria_data,
)
from icm_recruit.calls.models import DOCUMENT_KIND_LABELS, LATER_STAGE_KINDS, RefereeMode
from icm_recruit.core.forms import AppForm
from icm_recruit.core.timeutil import paris_to_utc

UNDECIDED = "undecided"


class StageForm(AppForm):
    name_en = StringField(_l("Name (English)"), validators=[InputRequired(), Length(max=200)])
    name_fr = StringField(_l("Name (French)"), validators=[InputRequired(), Length(max=200)])
    instructions_en = TextAreaField(_l("What is asked of the applicant (English)"),
                                    validators=[Optional(), Length(max=8000)])
    instructions_fr = TextAreaField(_l("What is asked of the applicant (French)"),
                                    validators=[Optional(), Length(max=8000)])
    closes_at = DateTimeLocalField(_l("Deadline for the applicant's part (Paris time)"),
                                   format=DATETIME_FORMAT, validators=[Optional()])
    reviewers_per_application = IntegerField(
        _l("Reviewers per application"), validators=[Optional(), NumberRange(min=1, max=10)])
    review_due_at = DateTimeLocalField(_l("Reviews due on (Paris time)"),
                                       format=DATETIME_FORMAT, validators=[Optional()])
    referee_mode = SelectField(_l("Reference letters at this stage"),
                               choices=RefereeMode.choices(), default=RefereeMode.NONE.value)
    referees_required = IntegerField(_l("Reference letters asked for"), default=0,
                                     validators=[Optional(), NumberRange(min=0, max=5)])
    notify_outcome = BooleanField(_l("Send the outcome letter to the applicants who do not "
                                     "go on"), default=True)
    doc_full_proposal = FormField(DocumentRuleForm)
    criteria = FieldList(FormField(CriterionForm), min_entries=0)
    confirm_change = BooleanField(_l("I understand: applicants have reached this stage. "
                                     "What they already sent is kept."))

    def document_fields(self):
        return [(kind, DOCUMENT_KIND_LABELS[kind], self[f"doc_{kind.value}"])
                for kind in LATER_STAGE_KINDS]

    def validate(self, extra_validators=None, *, later: bool = True) -> bool:
        ok = super().validate(extra_validators)
        if later and self.closes_at.data is None:
            self.closes_at.errors.append(_l("Give the deadline of the applicant's part."))
            ok = False
        filled = [e for e in self.criteria if not e.form.is_blank()]
        if later and filled:
            ok = check_criteria(self.criteria) and ok
        return ok

    def data_for(self, later: bool) -> dict:
        data = {name: (self[name].data or "").strip() for name in (
            "name_en", "name_fr", "instructions_en", "instructions_fr")}
        data["notify_outcome"] = bool(self.notify_outcome.data)
        data["review_due_at"] = (paris_to_utc(self.review_due_at.data)
                                 if self.review_due_at.data else None)
        if later:
            data["closes_at"] = paris_to_utc(self.closes_at.data) if self.closes_at.data \
                else None
            data["reviewers_per_application"] = self.reviewers_per_application.data
            data["referee_mode"] = RefereeMode(self.referee_mode.data)
            data["referees_required"] = self.referees_required.data or 0
            rules = []
            for kind, _label, sub in self.document_fields():
                if sub.requested.data != "no":
                    rules.append({"kind": kind.value,
                                  "required": sub.requested.data == "required",
                                  "max_mb": sub.max_mb.data, "max_pages": sub.max_pages.data})
            data["document_rules"] = rules
        return data

    def criteria_rows(self) -> list[dict]:
        return criteria_data(self.criteria)


class MarkForm(AppForm):
    verdict = RadioField(_l("Mark the ticked applications as"), validators=[InputRequired()],
                         choices=[*StageVerdict.choices(),
                                  (UNDECIDED, _l("Undecided (clear the mark)"))])
    reason = TextAreaField(_l("Reason (kept with the application and in the audit trail, not "
                              "sent to the applicant)"),
                           validators=[Optional(), Length(max=4000)])
