"""Forms of the applicant's dossier, the referee page and HR screening."""

from typing import NamedTuple

from babel import Locale
from flask_babel import get_locale
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from icm_recruit.applications.models import TAG_MAX_LENGTH
from icm_recruit.applications.tag_forms import ListFiltersForm
from icm_recruit.auth.forms import LANGUAGE_CHOICES
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.timeutil import utcnow


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 countries named in the reader's language, sorted by name."""
    territories = Locale.parse(str(get_locale() or "en")).territories
    countries = [(code, name) for code, name in territories.items()
                 if len(code) == 2 and code.isalpha() and code not in {"ZZ", "QO", "EU", "EZ",
                                                                       "UN", "XA", "XB"}]
    return [("", "—")] + sorted(countries, key=lambda item: item[1])


def country_name(code: str) -> str:
    if not code:
        return ""
    return Locale.parse(str(get_locale() or "en")).territories.get(code, code)


class ApplicationForm(AppForm):
    current_position = StringField(_l("Current position"),
                                   validators=[Optional(), Length(max=200)])
    institution = StringField(_l("Institution"), validators=[Optional(), Length(max=200)])
    country = SelectField(_l("Country of the institution"), validators=[Optional()])
    phd_year = IntegerField(_l("Year of the PhD"), validators=[Optional()])
    title = StringField(_l("Title of the research project"),
                        validators=[Optional(), Length(max=300)])
    keywords = StringField(_l("Keywords, separated by commas"),
                           validators=[Optional(), Length(max=500)])
    summary = TextAreaField(_l("Research summary"), validators=[Optional(), Length(max=40000)])
    publications = TextAreaField(_l("Selected publications"),
                                 validators=[Optional(), Length(max=60000)])
    excluded_1 = StringField(_l("Person not to review my application (1)"),
                             validators=[Optional(), Length(max=200)])
    excluded_2 = StringField(_l("Person not to review my application (2)"),
                             validators=[Optional(), Length(max=200)])
    excluded_3 = StringField(_l("Person not to review my application (3)"),
                             validators=[Optional(), Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()
        self.phd_year.validators = [Optional(), NumberRange(
            min=1950, max=utcnow().year + 1,
            message=_l("Give a year between 1950 and %(max)d.", max=utcnow().year + 1))]

    def excluded(self) -> list[str]:
        names = [(f.data or "").strip() for f in (self.excluded_1, self.excluded_2,
                                                  self.excluded_3)]
        return [n for n in names if n]


DRAFT_FIELDS = ("current_position", "institution", "country", "phd_year", "title", "keywords",
                "summary", "publications")
EXCLUDED_FIELDS = ("excluded_1", "excluded_2", "excluded_3")


class DraftPart(NamedTuple):
    """What of a partly valid draft can be kept: the fields, the exclusions, the refusals."""

    data: dict
    excluded: list[str] | None
    refused: dict[str, list[str]]


def keepable_draft(form: ApplicationForm, sent) -> DraftPart:
    """Validate leniently: keep every sent field that is valid, report the others.

    Fields absent from the request are left alone, so a request that carries only some
    of the dossier (or none) never blanks the rest. The exclusions change only when those
    sent are all valid.
    """
    form.validate()
    refused = {name: [str(e) for e in form[name].errors]
               for name in (*DRAFT_FIELDS, *EXCLUDED_FIELDS)
               if name in sent and form[name].errors}
    data = {name: form[name].data for name in DRAFT_FIELDS
            if name in sent and name not in refused}
    if "country" in data:
        data["country"] = data["country"] or ""
    named = [name for name in EXCLUDED_FIELDS if name in sent]
    keep = named and not any(name in refused for name in named)
    return DraftPart(data, form.excluded() if keep else None, refused)


class UploadForm(AppForm):
    kind = HiddenField(validators=[InputRequired()])
    file = FileField(_l("PDF file"))


class RefereeForm(AppForm):
    name = StringField(_l("Referee's name"), validators=[InputRequired(), Length(max=200)])
    email = EmailField(_l("Referee's e-mail"),
                       validators=[InputRequired(), Email(), Length(max=254)])
    institution = StringField(_l("Referee's institution"),
                              validators=[InputRequired(), Length(max=200)])
    locale = SelectField(_l("Language of the request"), choices=LANGUAGE_CHOICES)


class SubmitForm(AppForm):
    confirm = BooleanField(
        _l("I confirm that the information in this application is accurate and complete."),
        validators=[InputRequired(message=_l("Tick the box to confirm."))])
    consent = BooleanField(
        _l("I agree that the institute processes this application as the privacy notice "
           "describes."),
        validators=[InputRequired(message=_l("Your consent is needed to submit."))])


class WithdrawForm(AppForm):
    confirm = BooleanField(
        _l("I want to withdraw this application. This cannot be undone."),
        validators=[InputRequired(message=_l("Tick the box to confirm."))])
    reason = TextAreaField(_l("Reason (optional, for HR only)"),
                           validators=[Optional(), Length(max=2000)])


class LetterForm(AppForm):
    file = FileField(_l("Your letter (PDF)"))


class DeclineForm(AppForm):
    reason = TextAreaField(_l("A word for the applicant (optional)"),
                           validators=[Optional(), Length(max=1000)])


class ScreeningForm(AppForm):
    decision = RadioField(_l("Eligibility"), choices=[
        ("eligible", _l("Eligible: send to review")),
        ("ineligible", _l("Not eligible")),
    ], validators=[InputRequired()])
    reason = TextAreaField(_l("Reason, sent to the applicant if not eligible"),
                           validators=[Optional(), Length(max=4000)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.decision.data == "ineligible" and not (self.reason.data or "").strip():
            self.reason.errors.append(_l("Give the reason; the applicant will read it."))
            ok = False
        return ok


class BulkScreeningForm(ListFiltersForm):
    """One eligibility decision and reason for the ticked rows (`application_id` values,
    read with int32_list); the list's filters ride along to return to it."""

    list_tag = HiddenField(validators=[Length(max=TAG_MAX_LENGTH)])
    carried_filters = {**ListFiltersForm.carried_filters, "tag": "list_tag"}
    decision = RadioField(_l("Eligibility"), choices=[
        ("eligible", _l("Eligible: send to review")),
        ("ineligible", _l("Not eligible")),
    ], validators=[InputRequired()])
    reason = TextAreaField(_l("Reason, the same for every selected application: sent to "
                              "each applicant if not eligible"),
                           validators=[Optional(), Length(max=4000)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.decision.data == "ineligible" and not (self.reason.data or "").strip():
            self.reason.errors.append(_l("Give the reason; the applicants will read it."))
            ok = False
        return ok


class PublicationImportForm(AppForm):
    file = FileField(_l("Export file: BibTeX (.bib), RIS (.ris) or ORCID record (.json)"))
