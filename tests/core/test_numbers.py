"""The fast `decimalformat` writes exactly what Babel writes, in both languages."""

import random

import pytest
from flask_babel import force_locale, format_decimal

from icm_recruit.core.numbers import decimal_format

VALUES = [0, 1, -1, 0.5, 1.5, 2.5, -2.5, 2.675, 1.005, 0.125, -0.0004, -0.004, 1234.5678,
          -98765.4321, 3, 10**7, 0.1 + 0.2, 4.35, -0.0, 7.0]


@pytest.mark.parametrize("locale", ["en", "fr"])
@pytest.mark.parametrize("pattern", ["0", "0.0", "0.00", "0.000"])
def test_fixed_patterns_match_babel(app, locale, pattern):
    rng = random.Random(7)
    values = VALUES + [rng.uniform(-500, 500) for _ in range(300)] + [
        round(rng.uniform(0, 10), 3) for _ in range(300)]
    with app.test_request_context(), force_locale(locale):
        for value in values:
            assert decimal_format(value, pattern) == format_decimal(value, pattern), value


def test_other_patterns_and_values_go_to_babel(app):
    with app.test_request_context(), force_locale("fr"):
        assert decimal_format(1234.5) == format_decimal(1234.5)  # grouping: Babel's
        assert decimal_format(2.5, "0.##") == "2,5"
        assert decimal_format(3.25, "0.00") == "3,25"


def test_the_template_filter_is_the_fast_one(app):
    assert app.jinja_env.filters["decimalformat"] is decimal_format
