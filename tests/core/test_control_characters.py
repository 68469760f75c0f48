"""The control-character check agrees with Unicode's categories on every code point."""

import sys
import unicodedata

from icm_recruit.core.forms import has_control_characters


def test_every_code_point_is_judged_by_its_unicode_category():
    wrong = [hex(code) for code in range(sys.maxunicode + 1)
             if has_control_characters(chr(code)) != (
                 unicodedata.category(chr(code)) in ("Cc", "Cs") and chr(code) not in "\t\n\r")]
    assert wrong == []


def test_a_control_character_is_found_anywhere_in_a_long_text():
    text = "é" * 100_000
    assert not has_control_characters(text + "\t\n\r")
    for control in ("\x00", "\x1b", "\x7f", "\x85", "\ud800"):
        assert has_control_characters(text + control + text)
