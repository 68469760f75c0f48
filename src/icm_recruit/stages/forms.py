"""Forms of the stages: HR defines a stage; HR or the chair mark who goes on."""

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
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
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.timeutil import paris_to_utc

UNDECIDED = "undecided"
SECTION_ROWS = 4  # rows on the form; blank ones are ignored


class SectionForm(Form):
    """One text the stage asks for; a row with both titles empty asks for nothing."""

    key = HiddenField()
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    title_fr = StringField(_l("Title (French)"), validators=[Optional(), Length(max=200)])
    word_limit = IntegerField(_l("Word limit"), default=500,
                              validators=[Optional(), NumberRange(min=20, max=10000)])
    required = BooleanField(_l("Required"), default=True)

    def is_blank(self) -> bool:
        return not ((self.title_en.data or "").strip() or (self.title_fr.data or "").strip())


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
    sections = FieldList(FormField(SectionForm), min_entries=SECTION_ROWS,
                         max_entries=SECTION_ROWS)
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
        if later:
            ok = self._check_sections() and ok
        return ok

    def _check_sections(self) -> bool:
        ok = True
        for entry in self.sections:
            row = entry.form
            if row.is_blank():
                continue
            for name in ("title_en", "title_fr"):
                if not (row[name].data or "").strip():
                    row[name].errors.append(_l("Give the title in both languages."))
                    ok = False
            if row.word_limit.data is None:
                row.word_limit.errors.append(_l("Give the word limit."))
                ok = False
        return ok

    def sections_data(self, existing: list[dict]) -> list[dict]:
        """The filled rows, each keeping its key (new rows get one no earlier row used)."""
        used = {row["key"] for row in existing}
        numbers = [int(k[1:]) for k in used if k[1:].isdigit()]
        following = max(numbers, default=0) + 1
        rows = []
        for entry in self.sections:
            row = entry.form
            if row.is_blank():
                continue
            key = row.key.data if row.key.data in used else None
            if key is None:
                key, following = f"s{following}", following + 1
            rows.append({"key": key, "title_en": row.title_en.data.strip(),
                         "title_fr": row.title_fr.data.strip(),
                         "word_limit": row.word_limit.data,
                         "required": bool(row.required.data)})
        return rows

    def data_for(self, later: bool, existing_sections: list[dict] = ()) -> dict:
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
            data["sections"] = self.sections_data(list(existing_sections))
        return data

    def fill_sections(self, sections: list[dict]) -> None:
        for entry, row in zip(self.sections, sections, strict=False):
            for name in ("key", "title_en", "title_fr", "word_limit", "required"):
                entry.form[name].data = row[name]

    def criteria_rows(self) -> list[dict]:
        return criteria_data(self.criteria)


class MarkForm(AppForm):
    verdict = RadioField(_l("Mark the ticked applications as"), validators=[InputRequired()],
                         choices=[*StageVerdict.choices(),
                                  (UNDECIDED, _l("Undecided (clear the mark)"))])
    reason = TextAreaField(_l("Reason (kept with the application and in the audit trail, not "
                              "sent to the applicant)"),
                           validators=[Optional(), Length(max=4000)])
