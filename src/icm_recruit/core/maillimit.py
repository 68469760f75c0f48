"""Limits on mail that people trigger: per recipient address and per actor.

Mail sent by scheduled or HR batch jobs (reminders, decision letters) does not come here;
what an applicant or an anonymous visitor can make the site send does:

    require_mail_allowed(actor_key(user=by), referee_email)   # raises MailLimitError

The counters live where the login counters live (Redis in production), see ratelimit.
"""

import hashlib

from flask import current_app

from icm_recruit.core import ratelimit
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l


class MailLimitError(DomainError):
    """Refused because too many messages went to one address or came from one actor."""

    messages = {
        "recipient": _l("We have sent several messages to %(email)s in a short time. To protect "
                        "this mailbox, wait a while before asking for another one."),
        "actor": _l("Too many requests. You have asked for many e-mails in a short time; wait "
                    "an hour and try again."),
    }


def actor_key(*, user=None, address: str | None = None) -> str:
    """Name who triggers a mail: the signed-in user, else the client address."""
    if user is not None and getattr(user, "id", None) is not None:
        return f"user:{user.id}"
    return f"addr:{address or 'unknown'}"


def _recipient_key(recipient: str) -> str:
    # Counter names carry a digest, never the address itself.
    return hashlib.sha256(recipient.strip().lower().encode()).hexdigest()[:32]


def _within(scope: str, key: str, limits) -> bool:
    """Count one mail against every (limit, window) pair; stop at the first exceeded."""
    for limit, window in limits:
        if not ratelimit.hit(f"{scope}-{window}", key, limit, window):
            return False
    return True


def allow_actor(actor: str) -> bool:
    """Count one mail for the actor; False once the actor has asked for too many."""
    return _within("mail-actor", actor, current_app.config["MAIL_LIMIT_PER_ACTOR"])


def allow_recipient(recipient: str) -> bool:
    """Count one mail for the address; False once it has received too many."""
    return _within("mail-to", _recipient_key(recipient),
                   current_app.config["MAIL_LIMIT_PER_RECIPIENT"])


def mail_refusal(actor: str, recipient: str) -> str | None:
    """Count one mail; return None if it may go, else which limit refused it."""
    if not allow_actor(actor):
        return "actor"
    if not allow_recipient(recipient):
        return "recipient"
    return None


def allow_mail(actor: str, recipient: str) -> bool:
    """Count one mail from the actor to the recipient; True while both are within limits."""
    return mail_refusal(actor, recipient) is None


def require_mail_allowed(actor: str, recipient: str) -> None:
    """Raise MailLimitError when the mail would exceed a limit."""
    refusal = mail_refusal(actor, recipient)
    if refusal is not None:
        raise MailLimitError(refusal, email=recipient)
