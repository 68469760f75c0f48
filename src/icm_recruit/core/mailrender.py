"""Rendering a mail: HR's text for its kind and language when there is one, else the default
files; and the default text in the placeholder syntax, for HR to start from.

HR's text is plain text. Its HTML part is derived here: every character escaped, blank
lines make paragraphs, web addresses and one-time link marks become links. No HTML HR
writes is trusted.
"""

import logging
import re

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup, escape

from icm_recruit.core import mailkinds, mailtext, mailtexts, placeholders
from icm_recruit.core.i18n import gettext
from icm_recruit.core.timeutil import recipient_zone

log = logging.getLogger(__name__)
SEPARATOR = "-" * 40
_LINK_RE = re.compile(r"(https?://[^\s<>\"]+|\[\[one-time-link:[a-z_]{1,40}\]\])")
_TRAILING = ".,;:!?)»"


def _body_after_subject(text: str, folded: str, subject_length: int) -> str:
    """The body of the original render, cut where the one-line subject of the folded
    render ends; the folded render itself when the two do not line up."""
    aligned = text is folded or len(text) == len(folded) and all(
        a == b or (b == " " and mailtext.is_control(a)) for a, b in zip(text, folded, strict=True))
    return (text if aligned else folded)[subject_length + 1:]


def render_default(template: str, locale: str, context: dict,
                   zone: str | None = None) -> tuple[str, str, str]:
    """Render subject, text and HTML bodies of templates/mail/<template>.* in the locale.

    The subject is the first line of the text template, rendered from values whose line
    breaks and control characters are folded to spaces: a name typed with a line break
    neither splits the subject nor adds a header. Dates are shown in `zone`, the
    recipient's (Europe/Paris for people without an account).
    """
    folded_context = mailtext.fold_controls(context)
    with force_locale(locale), recipient_zone(zone):
        text = render_template(f"mail/{template}.txt", **context)
        folded = (text if folded_context == context
                  else render_template(f"mail/{template}.txt", **folded_context))
        html = render_template(f"mail/{template}.html", **context)
    subject_line = folded.partition("\n")[0]
    body = _body_after_subject(text, folded, len(subject_line))
    subject = mailtext.one_line(subject_line.removeprefix("Subject:"))
    return subject, body.strip() + "\n", html


def tidy(text: str) -> str:
    """Trailing spaces off each line, at most one blank line in a row."""
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return re.sub(r"\n{3,}", "\n\n", text)


def _linked(paragraph: str) -> Markup:
    pieces = []
    for index, piece in enumerate(_LINK_RE.split(paragraph)):
        if index % 2 == 0:
            pieces.append(escape(piece).replace("\n", Markup("<br>")))
            continue
        link = piece.rstrip(_TRAILING)
        pieces.append(Markup('<a href="{0}">{0}</a>{1}').format(link, piece[len(link):]))
    return Markup("").join(pieces)


def html_from_text(body: str, locale: str) -> str:
    """The HTML part of a plain text: escaped, in paragraphs, its links clickable."""
    paragraphs = [_linked(p) for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
    with force_locale(locale):
        return render_template("mail/_edited.html", paragraphs=paragraphs)


def _text_of(kind, locale: str) -> tuple[str, str] | None:
    return mailtexts.institute_text(kind.name, locale)


def _filled(kind, text: tuple[str, str], locale: str, context: dict) -> tuple[str, str]:
    with force_locale(locale):
        values, flags = mailkinds.values(kind, context), mailkinds.flags(kind, context)
    return (mailtext.one_line(placeholders.fill_choosing(text[0], values, flags)),
            tidy(placeholders.fill_choosing(text[1], values, flags)))


def render_text(kind, text: tuple[str, str], locale: str, context: dict,
                zone: str | None = None, other: tuple[str, str] | None = None
                ) -> tuple[str, str, str]:
    """Subject, text and HTML of a mail of `kind` written with HR's `text`.

    A bilingual kind adds the other language's text (HR's `other`, or the default).
    """
    with recipient_zone(zone):
        subject, body = _filled(kind, text, locale, context)
        if kind.bilingual:
            second = "en" if locale == "fr" else "fr"
            other_subject, other_body = _filled(
                kind, other or default_text(kind, second), second, context)
            subject = f"{subject} / {other_subject}"
            body = f"{body}\n\n{SEPARATOR}\n\n{other_body}"
    return subject, body + "\n", html_from_text(body, locale)


def render_mail(template: str, locale: str, context: dict,
                zone: str | None = None) -> tuple[str, str, str]:
    """Render a mail as it will be stored: HR's text if they wrote one, else the default."""
    kind = mailkinds.kind_of(template)
    if kind is None or kind.per_call:
        return render_default(template, locale, context, zone)
    text = _text_of(kind, locale)
    other = _text_of(kind, "en" if locale == "fr" else "fr") if kind.bilingual else None
    if text is None and other is None:
        return render_default(template, locale, context, zone)
    try:
        return render_text(kind, text or default_text(kind, locale), locale, context, zone,
                           other=other)
    except placeholders.PlaceholderError:
        # A text saved before its kind changed: the mail still goes, with the default.
        log.warning("HR's text of %s (%s) no longer fits its placeholders; default used",
                    template, locale, exc_info=True)
        return render_default(template, locale, context, zone)


# The default files' {% if %} on a declared condition, written out as HR's {if …} tags
# between these two characters (private use: in no text), so every branch is rendered.
_TAG_OPEN, _TAG_CLOSE = "\ue000", "\ue001"
_BLOCK_RE = re.compile(r"{%-?\s*(if|elif|else|endif|for|endfor)\b\s*(.*?)\s*-?%}", re.S)
_TAG_MARK_RE = re.compile(f"{_TAG_OPEN}([^{_TAG_CLOSE}]*){_TAG_CLOSE}")
_branching: dict[tuple[int, str], object] = {}


def _tag(expression: str, kind, word: str) -> str | None:
    """`{word flag}` for a declared condition's expression (or its `not`), else None."""
    names = {c.source: c.name for c in kind.conditions}
    negated = expression.startswith("not ") and expression[4:] in names
    name = names.get(expression[4:] if negated else expression)
    if name is None:
        return None
    return f"{_TAG_OPEN}{word} {'not ' if negated else ''}{name}{_TAG_CLOSE}"


def _all_branches_source(kind) -> str:
    """The kind's default text file with its conditions turned into HR's tags.

    A condition inside a loop stays Jinja (its list is one placeholder); any other must
    be declared on the kind, so no branch of the default is lost to HR."""
    env = current_app.jinja_env
    source = env.loader.get_source(env, f"mail/{kind.name}.txt")[0]
    out, position, stack = [], 0, []  # stack: "for", or whether an if is written as tags
    for match in _BLOCK_RE.finditer(source):
        word, expression = match.groups()
        out.append(source[position:match.start()])
        position = match.end()
        written = match.group(0)
        if word == "for":
            stack.append("for")
        elif word == "endfor":
            stack.pop()
        elif word == "if":
            tag = None if "for" in stack else _tag(expression, kind, "if")
            if tag is None and "for" not in stack:
                raise ValueError(f"mail/{kind.name}.txt: declare the condition {expression!r}")
            stack.append(tag is not None)
            written = tag or written
        elif stack and stack[-1] is True:
            written = (_tag(expression, kind, "elif") if word == "elif"
                       else f"{_TAG_OPEN}{'else' if word == 'else' else 'end'}{_TAG_CLOSE}")
            if written is None:
                raise ValueError(f"mail/{kind.name}.txt: declare the condition {expression!r}")
            if word == "endif":
                stack.pop()
        elif word == "endif":
            stack.pop()
        out.append(written)
    out.append(source[position:])
    return "".join(out)


def _all_branches_parts(kind, locale: str, context: dict) -> tuple[str, str]:
    env = current_app.jinja_env
    template = _branching.get((id(env), kind.name))
    if template is None:
        template = _branching[(id(env), kind.name)] = env.from_string(
            _all_branches_source(kind))
    with force_locale(locale), recipient_zone(mailkinds.ZONE):
        text = template.render(**context)
    subject, _newline, body = text.partition("\n")
    return mailtext.one_line(subject.removeprefix("Subject:")), body.strip() + "\n"


def _default_parts(kind, locale: str, context: dict) -> tuple[str, str]:
    if kind.conditions:
        return _all_branches_parts(kind, locale, context)
    if kind.parts is None:
        subject, body, _html = render_default(kind.name, locale, context, mailkinds.ZONE)
        return subject, body
    with force_locale(locale), recipient_zone(mailkinds.ZONE):
        subject, body = (render_template(part, **context) for part in kind.parts)
    return mailtext.one_line(subject), body


def _placeholders_back(text: str, values: dict[str, str]) -> str:
    text = placeholders.escape_braces(text)
    for name, value in sorted(values.items(), key=lambda item: -len(item[1])):
        if not value:
            continue
        shown = re.escape(placeholders.escape_braces(value))
        text = re.sub(rf"(?<!\w){shown}(?!\w)" if value[0].isalnum() and value[-1].isalnum()
                      else shown, lambda _m, n=name: "{" + n + "}", text)
    return _TAG_MARK_RE.sub(lambda match: "{" + match.group(1) + "}", text)


def default_text(kind, locale: str) -> tuple[str, str]:
    """The default subject and body of a kind in the placeholder syntax: the default files
    rendered with the sample values, each value put back as its placeholder."""
    context = mailkinds.sample_context(kind, locale)
    subject, body = _default_parts(kind, locale, context)
    with force_locale(locale), recipient_zone(mailkinds.ZONE):
        values = {p.name: value for p, value in zip(
            kind.placeholders, mailkinds.values(kind, context).values(), strict=True)
            if not p.legacy}
    return _placeholders_back(subject, values), tidy(_placeholders_back(body, values))


def preview(kind, locale: str, text: tuple[str, str] | None = None,
            context: dict | None = None) -> dict:
    """The mail of `kind` as its recipient gets it, with the sample values (or those of
    `context`): HR's saved text (or `text` being written, or the default); one-time links
    shown as a label."""
    context = context or mailkinds.sample_context(kind, locale)
    if text is None:
        subject, body, html = render_mail(kind.name, locale, context, mailkinds.ZONE)
    else:
        other = _text_of(kind, "en" if locale == "fr" else "fr") if kind.bilingual else None
        subject, body, html = render_text(kind, text, locale, context, mailkinds.ZONE,
                                          other=other)
    with force_locale(locale):
        label = gettext("[one-time link, made when the e-mail is sent]")
    text = mailtext.fill_links(body, {}, hidden=label)
    return {"subject": mailtext.fill_links(subject, {}, hidden=label), "text": text,
            "html": mailtext.fill_links(html, {}, html=True, hidden=label),
            "html_body": Markup("").join(Markup("<p>{}</p>").format(_linked(p))
                                         for p in re.split(r"\n\s*\n", text.strip()))}
