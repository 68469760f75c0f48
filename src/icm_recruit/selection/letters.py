"""Decision letter templates: placeholders, checking and filling, and the default texts.

A template is plain text with placeholders in braces, `{name}`. Only the names in
PLACEHOLDERS are allowed; `{{` and `}}` write a literal brace. Filling is done here, piece
by piece, never with str.format, so a template cannot reach attributes (`{name.__class__}`).
"""

import string
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from icm_recruit.core.errors import DomainError

PLACEHOLDERS = ("name", "call", "reference", "feedback")


class TemplateError(DomainError, ValueError):
    """A template that cannot be filled: unknown placeholders or unbalanced braces."""

    messages = {
        "template_problem": _l("A letter template uses unknown placeholders: %(names)s. "
                               "Allowed: {name}, {call}, {reference}, {feedback}."),
        "template_malformed": _l("A letter template has an unmatched brace. Write {{ or }} "
                                 "for a brace that is not a placeholder."),
    }

    def __init__(self, unknown: list[str] | None = None, malformed: bool = False):
        self.unknown = unknown or []
        self.malformed = malformed
        super().__init__("template_problem" if self.unknown else "template_malformed",
                         names=", ".join(self.unknown))


def _pieces(text: str) -> list[tuple[str, str | None]]:
    """Split text into (literal, placeholder) pairs; raise TemplateError when it is wrong."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError(malformed=True) from exc
    pieces, unknown = [], []
    for literal, field, spec, conversion in parsed:
        if field is not None and (spec or conversion or field not in PLACEHOLDERS):
            unknown.append("{" + field + (f"!{conversion}" if conversion else "")
                           + (f":{spec}" if spec else "") + "}")
        pieces.append((literal, field))
    if unknown:
        raise TemplateError(unknown=sorted(set(unknown)))
    return pieces


def check(*texts: str) -> None:
    """Raise TemplateError unless every text only uses the known placeholders."""
    unknown, malformed = [], False
    for text in texts:
        try:
            _pieces(text)
        except TemplateError as problem:
            unknown += problem.unknown
            malformed = malformed or problem.malformed
    if unknown or malformed:
        raise TemplateError(unknown=sorted(set(unknown)), malformed=malformed)


def fill(text: str, values: dict[str, str]) -> str:
    """Return the text with its placeholders replaced by the values."""
    return "".join(literal + (values.get(field, "") if field else "")
                   for literal, field in _pieces(text))


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str


DEFAULTS = {
    ("offer", "en"): Letter(
        "Your application {reference}: offer",
        "Dear {name},\n\nFollowing the interviews for the call \"{call}\", we are delighted to "
        "offer you a team-leader position at the Paris Brain Institute.\n\n{feedback}\n\n"
        "Please accept or decline this offer in your applicant portal.\n\n"
        "With our best regards,\nThe Scientific Advisory Board"),
    ("offer", "fr"): Letter(
        "Votre candidature {reference} : proposition",
        "Bonjour {name},\n\nÀ l'issue des entretiens de l'appel « {call} », nous "
        "avons le plaisir de vous proposer un poste de chef d'équipe à l'Institut du Cerveau."
        "\n\n{feedback}\n\nMerci d'accepter ou de décliner cette proposition dans votre "
        "espace candidat.\n\nBien cordialement,\nLe conseil scientifique"),
    ("waitlist", "en"): Letter(
        "Your application {reference}: waiting list",
        "Dear {name},\n\nThank you for your interview for the call \"{call}\". The board has "
        "placed your application on its waiting list; we will write to you again as soon as "
        "we can.\n\n{feedback}\n\nWith our best regards,\nThe Scientific Advisory Board"),
    ("waitlist", "fr"): Letter(
        "Votre candidature {reference} : liste d'attente",
        "Bonjour {name},\n\nMerci pour votre entretien dans le cadre de l'appel "
        "« {call} ». Le conseil a placé votre candidature sur liste d'attente ; nous vous "
        "écrirons dès que possible.\n\n{feedback}\n\nBien cordialement,\n"
        "Le conseil scientifique"),
    ("reject", "en"): Letter(
        "Your application {reference}",
        "Dear {name},\n\nThank you for your interview for the call \"{call}\". We regret "
        "that we cannot offer you a position this time.\n\n{feedback}\n\n"
        "With our best regards,\nThe Scientific Advisory Board"),
    ("reject", "fr"): Letter(
        "Votre candidature {reference}",
        "Bonjour {name},\n\nMerci pour votre entretien dans le cadre de l'appel "
        "« {call} ». Nous regrettons de ne pas pouvoir vous proposer de poste cette fois."
        "\n\n{feedback}\n\nBien cordialement,\nLe conseil scientifique"),
}
