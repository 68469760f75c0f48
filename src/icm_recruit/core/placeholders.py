"""The one placeholder syntax of the texts HR writes: `{name}`, `{{` and `}}` for a brace.

Only declared names are allowed. Filling is done here, piece by piece, never with
str.format, so a text cannot reach attributes (`{name.__class__}`) or format specs.
"""

import string
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from icm_recruit.core.errors import DomainError


class PlaceholderError(DomainError, ValueError):
    """A text that cannot be used: unknown or missing placeholders, unbalanced braces."""

    messages = {
        "unknown": _l("This text uses unknown placeholders: %(names)s. Allowed here: "
                      "%(allowed)s."),
        "malformed": _l("This text has an unmatched brace. Write {{ or }} for a brace that "
                        "is not a placeholder."),
        "missing": _l("This e-mail must contain %(names)s: it is what the e-mail is for."),
        "link_in_subject": _l("A one-time link cannot go in the subject (%(names)s): put it "
                              "in the text."),
    }
    codes = {"unknown": "unknown", "malformed": "malformed"}

    def __init__(self, unknown: list[str] | None = None, malformed: bool = False, *,
                 code: str | None = None, allowed: Iterable[str] = (),
                 names: Iterable[str] = ()):
        self.unknown = unknown or []
        self.malformed = malformed
        code = code or self.codes["unknown" if self.unknown else "malformed"]
        shown = self.unknown or list(names)
        super().__init__(code, names=", ".join(shown),
                         allowed=", ".join("{" + name + "}" for name in allowed))


def pieces(text: str, allowed: Iterable[str], error=PlaceholderError
           ) -> list[tuple[str, str | None]]:
    """Split text into (literal, placeholder) pairs; raise `error` when it is wrong."""
    allowed = tuple(allowed)
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise error(malformed=True, allowed=allowed) from exc
    result, unknown = [], []
    for literal, field, spec, conversion in parsed:
        if field is not None and (spec or conversion or field not in allowed):
            unknown.append("{" + field + (f"!{conversion}" if conversion else "")
                           + (f":{spec}" if spec else "") + "}")
        result.append((literal, field))
    if unknown:
        raise error(unknown=sorted(set(unknown)), allowed=allowed)
    return result


def check(texts: Iterable[str], allowed: Iterable[str], error=PlaceholderError) -> None:
    """Raise `error` unless every text only uses the allowed placeholders."""
    allowed = tuple(allowed)
    unknown, malformed = [], False
    for text in texts:
        try:
            pieces(text, allowed, error)
        except PlaceholderError as problem:
            unknown += problem.unknown
            malformed = malformed or problem.malformed
    if unknown or malformed:
        raise error(unknown=sorted(set(unknown)), malformed=malformed, allowed=allowed)


def used(text: str) -> set[str]:
    """The placeholder names a well-formed text uses (whatever is allowed)."""
    try:
        return {field for _literal, field, _spec, _conv in string.Formatter().parse(text)
                if field is not None}
    except ValueError:
        return set()


def fill(text: str, values: dict[str, str], error=PlaceholderError) -> str:
    """Return the text with its placeholders replaced by the values."""
    return "".join(literal + (str(values.get(field, "")) if field else "")
                   for literal, field in pieces(text, values.keys(), error))


def escape_braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")
