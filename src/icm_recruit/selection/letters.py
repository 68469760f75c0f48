"""Decision letter templates: placeholders, checking and filling, and the default texts.

A template is plain text with placeholders in braces, `{name}`. Only the names in
PLACEHOLDERS are allowed; `{{` and `}}` write a literal brace. Filling is done here, piece
by piece, never with str.format, so a template cannot reach attributes (`{name.__class__}`).
"""

from dataclasses import dataclass

from icm_recruit.core import placeholders
from icm_recruit.core.i18n import lazy_gettext as _l

PLACEHOLDERS = ("name", "call", "reference", "feedback")


class TemplateError(placeholders.PlaceholderError):
    """A letter that cannot be filled: unknown placeholders or unbalanced braces."""

    messages = {
        **placeholders.PlaceholderError.messages,
        "template_problem": _l("A letter template uses unknown placeholders: %(names)s. "
                               "Allowed: {name}, {call}, {reference}, {feedback}."),
        "template_malformed": _l("A letter template has an unmatched brace. Write {{ or }} "
                                 "for a brace that is not a placeholder."),
    }
    codes = {"unknown": "template_problem", "malformed": "template_malformed"}


def check(*texts: str, allowed=PLACEHOLDERS) -> None:
    """Raise TemplateError unless every text only uses the known placeholders."""
    placeholders.check(texts, allowed, TemplateError)


def fill(text: str, values: dict[str, str]) -> str:
    """Return the text with its placeholders replaced by the values."""
    return placeholders.fill(text, {name: values.get(name, "") for name in PLACEHOLDERS},
                             TemplateError)


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
