"""Forms of the accounts feature."""

from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.timeutil import is_known_zone, zone_groups

MIN_PASSWORD = 10


def strong_password(form, field):
    value = field.data or ""
    if len(value) < MIN_PASSWORD:
        raise ValidationError(_l("Use at least %(n)d characters.", n=MIN_PASSWORD))
    if value.lower() == value.upper() or not any(c.isdigit() for c in value):
        raise ValidationError(_l("Mix letters and at least one digit."))


LANGUAGE_CHOICES = [("en", "English"), ("fr", "Français")]


class LoginForm(AppForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])
    next = HiddenField()


class RegisterForm(AppForm):
    name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), strong_password])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    locale = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)
    consent = BooleanField(
        _l("I have read the privacy notice and agree that my data is processed for this "
           "recruitment."),
        validators=[InputRequired(message=_l("Your consent is needed to create an account."))],
    )


class EmailForm(AppForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Email(), Length(max=254)])


class NewPasswordForm(AppForm):
    password = PasswordField(_l("New password"), validators=[InputRequired(), strong_password])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[InputRequired()])


def known_zone(form, field):
    if not is_known_zone(field.data):
        raise ValidationError(_l("Choose a time zone from the list, such as Europe/Paris."))


class ProfileForm(AppForm):
    name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=200)])
    locale = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)
    timezone = SelectField(_l("Time zone"), validate_choice=False,
                           validators=[InputRequired(), Length(max=64), known_zone])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = zone_groups(str(_l("Common time zones")), self.timezone.data)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        typed = self.timezone.data
        if typed and not is_known_zone(typed):
            # Keep what was sent on the page, selected, beside the message.
            self.timezone.choices = {str(_l("Not recognised")): [(typed, typed)],
                                     **self.timezone.choices}
        return valid


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class InviteForm(AppForm):
    name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Email(), Length(max=254)])
    locale = SelectField(_l("Language of the invitation"), choices=LANGUAGE_CHOICES)
    roles = MultiCheckboxField(_l("Roles"), validators=[InputRequired()])


class RolesForm(AppForm):
    roles = MultiCheckboxField(_l("Roles"))
