"""Forms of the board: invitations, member profiles, availability, conflicts and bids."""

import re

from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from icm_recruit.applications.forms import country_choices
from icm_recruit.board.institutions import current_registry
from icm_recruit.board.models import BidLevel, DigestPreference
from icm_recruit.board.normalize import is_public_mail_domain, registrable_domain
from icm_recruit.board.registry import unit_codes
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import lazy_gettext as _l

_YEAR_AT_END = re.compile(r"^(?P<name>.*?)[\s,;:()-]*(?P<year>(19|20)\d\d)\)?\s*$")


def parse_past_affiliations(text: str) -> list[dict]:
    """Read one past affiliation per line, its end year last: "Univ. of Oxford, 2021"."""
    found = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = _YEAR_AT_END.match(line)
        if match and match.group("name").strip():
            found.append({"name": match.group("name").strip(), "end_year": int(match["year"])})
        else:
            found.append({"name": line, "end_year": None})
    return found


def format_past_affiliations(items: list[dict]) -> str:
    return "\n".join(f"{i['name']}, {i['end_year']}" if i.get("end_year") else i["name"]
                     for i in items or [])


def locale_choices():
    return [("en", "English"), ("fr", "Français")]


class InviteMemberForm(AppForm):
    name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Email(), Length(max=254)])
    locale = SelectField(_l("Language of the invitation"), choices=locale_choices())


class ProfileForm(AppForm):
    affiliation = StringField(_l("Current affiliation"), validators=[Length(max=300)])
    past_affiliations = TextAreaField(
        _l("Past affiliations, one per line with the year you left"),
        validators=[Length(max=4000)])
    country = SelectField(_l("Country"), validators=[Optional()])
    expertise_keywords = StringField(_l("Expertise keywords, separated by commas"),
                                     validators=[Length(max=1000)])
    expertise_statement = TextAreaField(_l("Short expertise statement"),
                                        validators=[Length(max=4000)])
    coauthors = TextAreaField(_l("Co-authors and close collaborators, one per line"),
                              validators=[Length(max=8000)])
    default_max_load = IntegerField(_l("Maximum number of applications per call"), default=10,
                                    validators=[InputRequired(), NumberRange(min=0, max=200)])
    digest = SelectField(_l("Assignment e-mails"), choices=[
        (DigestPreference.IMMEDIATE.value, _l("One e-mail as soon as assignments are published")),
        (DigestPreference.DAILY.value, _l("At most one summary a day")),
    ])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", "—"), *country_choices()]

    def validate_past_affiliations(self, field):
        for item in parse_past_affiliations(field.data):
            if len(item["name"]) > 300:
                raise ValidationError(_l("Each affiliation has at most 300 characters."))


class CallSettingForm(AppForm):
    available = BooleanField(_l("I am available to review for this call"))
    max_load = IntegerField(_l("Maximum number of applications for this call"),
                            validators=[InputRequired(), NumberRange(min=0, max=200)])


class DeclarationForm(AppForm):
    answer = SelectField(choices=[("conflict", _l("Conflict of interest")),
                                  ("none", _l("No conflict"))])
    reason = StringField(_l("Reason (optional)"), validators=[Length(max=1000)])


class BidForm(AppForm):
    level = SelectField(choices=[("", _l("No preference")),
                                 (BidLevel.EAGER.value, _l("Eager")),
                                 (BidLevel.WILLING.value, _l("Willing")),
                                 (BidLevel.NOT_WILLING.value, _l("Not willing"))])


class DecisionForm(AppForm):
    reason = StringField(_l("Reason"), validators=[InputRequired(), Length(max=2000)])


class ManualConflictForm(AppForm):
    member = SelectField(_l("Board member"), coerce=int, validators=[InputRequired()])
    application = SelectField(_l("Application"), coerce=int, validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[InputRequired(), Length(max=2000)])


class SimpleForm(AppForm):
    """A button-only form: the CSRF token is all it carries."""


SOURCE_LABELS = {
    "declared": _l("Declared by the member"),
    "institution": _l("Same institution"),
    "email_domain": _l("Same e-mail domain"),
    "referee": _l("Referee of the applicant"),
    "coauthor": _l("Co-author"),
    "manual": _l("Added by HR"),
    "self": _l("The member is the applicant"),
    "requested_exclusion": _l("Exclusion requested by the applicant"),
}


class BulkDecisionForm(AppForm):
    """One reason for every conflict ticked; the ticked ids are read apart (int32_list)."""

    reason = StringField(_l("Reason, the same for every selected conflict"),
                         filters=[lambda value: value.strip() if value else value],
                         validators=[DataRequired(), Length(max=2000)])


# ---------------------------------------------------------------- the institution registry

_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
LIST_LINES_MAX = 50


def split_lines(text: str, *, commas: bool = False) -> list[str]:
    """Return the distinct non-empty lines (or comma-separated items) of a text."""
    pieces = re.split(r"[\n,]" if commas else r"\n", text or "")
    return list(dict.fromkeys(" ".join(p.split()) for p in pieces if p.strip()))


def _check_lines(field, *, commas: bool = False) -> list[str]:
    items = split_lines(field.data, commas=commas)
    if len(items) > LIST_LINES_MAX:
        raise ValidationError(_l("At most %(num)d lines.", num=LIST_LINES_MAX))
    if any(len(item) > 200 for item in items):
        raise ValidationError(_l("Each line must be at most 200 characters long."))
    return items


def kind_choices():
    return [("institution", _l("Institution")),
            ("umbrella", _l("Parent body (its units or campuses are separate institutions)"))]


class InstitutionForm(AppForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=kind_choices())
    aliases = TextAreaField(_l("Other names, one per line, in any language"),
                            validators=[Length(max=10000)])
    acronyms = StringField(_l("Acronyms, separated by commas"), validators=[Length(max=500)])
    domains = TextAreaField(_l("E-mail domains, one per line (example: tum.de)"),
                            validators=[Length(max=5000)])
    units = TextAreaField(_l("Research-unit codes, one per line (example: Inserm U1127)"),
                          validators=[Length(max=5000)])
    parent = StringField(_l("Parent body (optional)"), validators=[Length(max=200)])

    def validate_name(self, field):
        if not field.data.strip():
            raise ValidationError(_l("Give the institution's name."))

    def validate_aliases(self, field):
        _check_lines(field)

    def validate_acronyms(self, field):
        _check_lines(field, commas=True)

    def validate_domains(self, field):
        for domain in _check_lines(field):
            domain = domain.casefold().lstrip("@")
            if not _DOMAIN.match(domain):
                raise ValidationError(_l("“%(domain)s” is not an e-mail domain.",
                                         domain=domain))
            if is_public_mail_domain(registrable_domain(domain)):
                raise ValidationError(_l("%(domain)s is a public mail provider: it tells "
                                         "nothing about an institution.", domain=domain))

    def validate_units(self, field):
        for unit in _check_lines(field):
            if not unit_codes(unit):
                raise ValidationError(_l("“%(unit)s” holds no unit code such as U1127 or "
                                         "UMR 7225.", unit=unit))

    def validate_parent(self, field):
        name = " ".join((field.data or "").split())
        if name and current_registry().lookup(name) is None:
            raise ValidationError(_l("No entry of the registry has this name: add the parent "
                                     "body first, or leave this empty."))

    def entry_data(self) -> dict:
        """Return the entry as the registry operations take it."""
        return {
            "name": " ".join(self.name.data.split()), "kind": self.kind.data,
            "aliases": split_lines(self.aliases.data),
            "acronyms": split_lines(self.acronyms.data, commas=True),
            "domains": [d.casefold().lstrip("@") for d in split_lines(self.domains.data)],
            "units": split_lines(self.units.data),
            "parent": " ".join((self.parent.data or "").split()),
        }

    def fill_from(self, institution) -> None:
        self.name.data, self.kind.data = institution.name, institution.kind.value
        self.aliases.data = "\n".join(institution.aliases or [])
        self.acronyms.data = ", ".join(institution.acronyms or [])
        self.domains.data = "\n".join(institution.domains or [])
        self.units.data = "\n".join(institution.units or [])
        self.parent.data = institution.parent
