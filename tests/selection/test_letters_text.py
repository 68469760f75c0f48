"""Letter templates: placeholders are checked and filled without str.format."""

import pytest

from icm_recruit.selection import letters


def test_known_placeholders_are_filled_and_double_braces_stay_literal():
    text = "Dear {name}, {{not a placeholder}} {reference}"
    assert letters.fill(text, {"name": "Ada", "reference": "ICM-1"}) == \
        "Dear Ada, {not a placeholder} ICM-1"


@pytest.mark.parametrize("text, unknown", [
    ("Hello {nom}", ["{nom}"]),
    ("{name.__class__}", ["{name.__class__}"]),
    ("{name!r}", ["{name!r}"]),
    ("{reference:>20}", ["{reference:>20}"]),
    ("{0}", ["{0}"]),
])
def test_unknown_or_decorated_placeholders_are_refused(text, unknown):
    with pytest.raises(letters.TemplateError) as caught:
        letters.check(text)
    assert caught.value.unknown == unknown


def test_unbalanced_braces_are_reported():
    with pytest.raises(letters.TemplateError) as caught:
        letters.check("Dear {name")
    assert caught.value.malformed


def test_every_default_letter_is_valid():
    for letter in letters.DEFAULTS.values():
        letters.check(letter.subject, letter.body)
