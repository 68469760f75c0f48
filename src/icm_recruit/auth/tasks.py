"""Account mail asked for by anonymous visitors, sent outside the request.

The request only queues the task, whatever the address; so the answer takes as long for an
unknown address as for a known one, and the per-address limit can refuse silently here.
"""

import logging

from celery import shared_task

from icm_recruit.auth import operations as ops
from icm_recruit.auth.models import User
from icm_recruit.core import audit, maillimit
from icm_recruit.extensions import db

log = logging.getLogger(__name__)


def _within_limit(user: User, action: str) -> bool:
    if maillimit.allow_recipient(user.email):
        return True
    audit.record("mail.limited", obj=user, request=action)
    db.session.commit()
    return False


@shared_task(name="icm_recruit.auth.tasks.send_password_reset")
def send_password_reset(email: str) -> bool:
    """Mail a reset link if an active account uses the address and it is within limits."""
    user = User.by_email(email)
    if user is None or not user.active or not _within_limit(user, "password_reset"):
        return False
    ops.request_password_reset(user.email)
    db.session.commit()
    return True


@shared_task(name="icm_recruit.auth.tasks.resend_verification")
def resend_verification(email: str) -> bool:
    """Mail a new confirmation link if an unconfirmed account uses the address."""
    user = User.by_email(email)
    if user is None or user.email_verified_at is not None:
        return False
    if not _within_limit(user, "verification"):
        return False
    ops.send_verification(user)
    db.session.commit()
    return True


def queue_account_mail(task, email: str) -> None:
    """Queue the task; if the broker is down, do the work now rather than lose the mail."""
    try:
        task.delay(email)
    except Exception:  # the broker is unreachable: the visitor still gets the link
        log.warning("could not queue %s; running it in the request", task.name, exc_info=True)
        task(email)
