"""What goes into a stored mail: one-line headers and one-time links kept out of the text.

A one-time link (password reset, invitation, e-mail confirmation, referee upload) opens an
account or a letter to whoever holds it, so the stored subject, bodies and context carry
only a mark in its place; the link itself waits beside the row for the SMTP hand-off.
"""

import re

from markupsafe import escape

_LINK_MARK = "[[one-time-link:{name}]]"
_MARK_RE = re.compile(r"\[\[one-time-link:([a-z_]{1,40})\]\]")
# C0 and C1 control characters, DEL and the Unicode line and paragraph separators.
_CONTROL = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_CONTROL_CHAR_RE = re.compile(f"[{_CONTROL}]")
# Runs of them and of spaces fold to one space; French no-break spaces stay where they are.
_CONTROL_RUN_RE = re.compile(f"(?:[{_CONTROL}]|[^\\S\u00a0\u202f])+")


def link_mark(name: str) -> str:
    return _LINK_MARK.format(name=name)


def fill_links(text: str | None, links: dict[str, str], *, html: bool = False,
               hidden: str = "") -> str | None:
    """Put each link back in place of its mark; marks of unknown links read `hidden`."""
    if text is None:
        return None

    def replace(match: re.Match) -> str:
        value = links.get(match.group(1), hidden)
        return str(escape(value)) if html else value

    return _MARK_RE.sub(replace, text)


def has_link_marks(text: str | None) -> bool:
    return bool(text) and _MARK_RE.search(text) is not None


def one_line(value: str | None) -> str:
    """Fold line breaks and other control characters to single spaces, for a header."""
    return _CONTROL_RUN_RE.sub(" ", value or "").strip()


def fold_controls(value):
    """Replace each control character of every string in `value` by one space.

    Same length as the original, so a text rendered from the folded values lines up
    character for character with the text rendered from the originals.
    """
    if isinstance(value, str):
        return _CONTROL_CHAR_RE.sub(" ", value)
    if isinstance(value, dict):
        return {key: fold_controls(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(fold_controls(item) for item in value)
    return value


def is_control(char: str) -> bool:
    return _CONTROL_CHAR_RE.fullmatch(char) is not None
