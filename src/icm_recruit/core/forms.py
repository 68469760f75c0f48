"""The base of every form: what no field may hold, whatever its own validators say.

Text that PostgreSQL cannot store (NUL) or that would break a mail header (a line break
in a one-line field), numbers no integer column holds and non-finite numbers are refused
here with a message beside the field, so the user keeps what they typed and nothing is
saved.
"""

import math
import re

from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, StringField, TextAreaField
from wtforms.fields import DecimalField, FloatField, IntegerField
from wtforms.validators import InputRequired, Length

from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.params import INT32_MAX, INT32_MIN

# Unicode's control characters (category Cc: C0, DEL and C1) and lone surrogates (Cs),
# but for tab, line feed and carriage return. One regular expression scans a long text
# in microseconds, where asking the category of each character took milliseconds.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def fields_of(form):
    """Every leaf field of a form, descending into nested forms and lists."""
    for field in form:
        if isinstance(field, FormField):
            yield from fields_of(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                if isinstance(entry, FormField):
                    yield from fields_of(entry.form)
                else:
                    yield entry
        else:
            yield field


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def field_problem(field) -> str | None:
    """Why this field's value cannot be kept, or None."""
    data = field.data
    if isinstance(data, str):
        if has_control_characters(data):
            return _l("This field contains invisible control characters; remove them.")
        if ("\n" in data or "\r" in data) and not isinstance(field, TextAreaField) \
                and field.type in ("StringField", "EmailField", "URLField", "TelField",
                                   "SearchField", "PasswordField"):
            return _l("This field must fit on one line.")
    if isinstance(field, IntegerField) and isinstance(data, int):
        if not INT32_MIN <= data <= INT32_MAX:
            return _l("This number is too large.")
    if isinstance(field, (FloatField, DecimalField)) and data is not None:
        try:
            finite = math.isfinite(data)
        except (TypeError, ValueError):
            finite = True
        if not finite:
            return _l("Enter a finite number.")
    return None


class AppForm(FlaskForm):
    """FlaskForm (CSRF included) plus the checks above on every field."""

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for field in fields_of(self):
            problem = field_problem(field)
            if problem:
                if problem not in field.errors:
                    field.errors = [*field.errors, problem]
                valid = False
        return valid


class MailTextForm(AppForm):
    """HR's text of an e-mail: a subject and a body, in the placeholder syntax."""

    subject = StringField(_l("Subject"), validators=[InputRequired(), Length(max=300)])
    body = TextAreaField(_l("Text"), validators=[InputRequired(), Length(max=20000)],
                         render_kw={"rows": 14})
