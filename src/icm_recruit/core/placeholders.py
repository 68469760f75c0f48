"""The one placeholder syntax of the texts HR writes: `{name}`, `{{` and `}}` for a brace.

Only declared names are allowed. Filling is done here, piece by piece, never with
str.format, so a text cannot reach attributes (`{name.__class__}`) or format specs.

A text may also hold parts written for some mails only: `{if cancelled}…{else}…{end}`,
with `{elif other}` and `{if not cancelled}`, nested if need be. Only the conditions
declared for the text are allowed, each a yes or no computed from the mail (never an
expression HR writes), and every `{if}` is closed by its `{end}`.
"""

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass

from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l


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
        "unknown_condition": _l("This text uses unknown conditions: %(names)s. Allowed here: "
                                "%(allowed)s."),
        "unbalanced": _l("Each {if …} needs its {end}, and {elif …}, {else} and {end} go "
                         "after an {if …}: %(names)s."),
        "missing_somewhere": _l("This e-mail must contain %(names)s in each of its versions "
                                "(in every branch of {if …}): it is what the e-mail is for."),
    }
    codes = {"unknown": "unknown", "malformed": "malformed"}

    def __init__(self, unknown: list[str] | None = None, malformed: bool = False, *,
                 code: str | None = None, allowed: Iterable[str] = (),
                 names: Iterable[str] = (), conditions: Iterable[str] | None = None):
        self.unknown = unknown or []
        self.malformed = malformed
        code = code or self.codes["unknown" if self.unknown else "malformed"]
        shown = self.unknown or list(names)
        allowed_text = (", ".join("{" + name + "}" for name in allowed) if conditions is None
                        else ", ".join("{if " + name + "}" for name in conditions) or "—")
        super().__init__(code, names=", ".join(shown), allowed=allowed_text)


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


# ---------------------------------------------------------------- conditional parts

_TAG_RE = re.compile(r"(?P<word>if|elif) (?P<negated>not )?(?P<flag>[a-z_][a-z0-9_]*)"
                     r"|(?P<bare>else|end)")
MAX_DEPTH = 4


@dataclass(frozen=True)
class Branch:
    flag: str | None  # None: the {else}
    negated: bool
    nodes: tuple


@dataclass(frozen=True)
class Choice:
    branches: tuple[Branch, ...]


def _tokens(text: str) -> list:
    """The text cut at its condition tags: strings, and (word, negated, flag) tuples."""
    out, start, i = [], 0, 0
    while i < len(text):
        char = text[i]
        if char in "{}" and text[i + 1:i + 2] == char:  # a written brace
            i += 2
            continue
        if char == "{":
            end = text.find("}", i)
            match = _TAG_RE.fullmatch(text[i + 1:end]) if end != -1 else None
            if match is not None:
                out.append(text[start:i])
                word = match["word"] or match["bare"]
                out.append((word, bool(match["negated"]), match["flag"]))
                start = i = end + 1
                continue
        i += 1
    out.append(text[start:])
    return out


def _shown(tag) -> str:
    word, negated, flag = tag
    return "{" + word + (" not" if negated else "") + (f" {flag}" if flag else "") + "}"


def parse(text: str, allowed: Iterable[str], conditions: Iterable[str] = (),
          error=PlaceholderError) -> tuple:
    """The text as a tree of strings (checked placeholders) and Choices; raise `error`."""
    allowed, conditions = tuple(allowed), tuple(conditions)
    stack = [[]]  # the open nodes lists; choices under construction beside them
    open_choices: list[list] = []
    unknown = []
    for token in _tokens(text):
        if isinstance(token, str):
            pieces(token, allowed, error)
            stack[-1].append(token)
            continue
        word, negated, flag = token
        if flag is not None and flag not in conditions:
            unknown.append(_shown(token))
        if word == "if":
            if len(open_choices) >= MAX_DEPTH:
                raise error(code="unbalanced", names=[_shown(token)])
            open_choices.append([(flag, negated)])
            stack.append([])
            continue
        if not open_choices or (word != "end" and open_choices[-1][-1][0] is None):
            raise error(code="unbalanced", names=[_shown(token)])
        branches = open_choices[-1]
        branches[-1] = Branch(branches[-1][0], branches[-1][1], tuple(stack.pop()))
        if word == "end":
            open_choices.pop()
            stack[-1].append(Choice(tuple(branches)))
        else:
            branches.append((flag, negated) if word == "elif" else (None, False))
            stack.append([])
    if open_choices:
        raise error(code="unbalanced", names=["{if " + str(open_choices[-1][0][0]) + "}"])
    if unknown:
        raise error(code="unknown_condition", names=sorted(set(unknown)),
                    conditions=conditions)
    return tuple(stack[0])


def choose(nodes: tuple, flags: dict[str, bool]) -> str:
    """The text of the branches the flags choose, placeholders still in it."""
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
            continue
        for branch in node.branches:
            if branch.flag is None or bool(flags.get(branch.flag)) != branch.negated:
                out.append(choose(branch.nodes, flags))
                break
    return "".join(out)


def used_everywhere(nodes: tuple) -> set[str]:
    """The placeholders every version of the text contains, whichever branches are taken."""
    found = set()
    for node in nodes:
        if isinstance(node, str):
            found |= used(node)
            continue
        versions = [used_everywhere(b.nodes) for b in node.branches]
        if node.branches[-1].flag is not None:
            versions.append(set())  # no {else}: nothing is written when no branch holds
        found |= set.intersection(*versions)
    return found


def used_anywhere(nodes: tuple) -> set[str]:
    found = set()
    for node in nodes:
        found |= used(node) if isinstance(node, str) else set().union(
            *(used_anywhere(b.nodes) for b in node.branches))
    return found


def fill_choosing(text: str, values: dict[str, str], flags: dict[str, bool],
                  error=PlaceholderError) -> str:
    """The text of the branches the flags choose, its placeholders replaced by the values."""
    return fill(choose(parse(text, values.keys(), flags.keys(), error), flags), values, error)
