"""Account operations: each checks its rule, audits, queues its mail; the caller commits."""

import hashlib
import secrets

from flask import current_app

from icm_recruit.auth.models import Role, User
from icm_recruit.core import audit, locks, ratelimit
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.outbox import queue_mail
from icm_recruit.core.timeutil import utcnow
from icm_recruit.core.tokens import TokenError, make_token, read_token
from icm_recruit.core.urls import external_url
from icm_recruit.extensions import db


class AccountError(DomainError):
    """A problem the user can fix; `code` says which."""

    messages = {
        "email_taken": _l("An account with this e-mail already exists. Sign in or reset "
                          "your password."),
        "bad_credentials": _l("The e-mail or the password is not correct."),
        "throttled": _l("Too many attempts. Wait a few minutes and try again."),
        "token_expired": _l("This link has expired. Ask for a new one below."),
        "token_invalid": _l("This link is not valid. Ask for a new one below."),
        "token_used": _l("This link was already used. Ask for a new one below."),
        "bad_current_password": _l("The current password is not correct."),
        "cannot_drop_own_admin": _l("You cannot remove your own administrator role."),
    }


EMAIL_UNIQUE = "uq_user_email"


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def register_applicant(*, email: str, name: str, password: str, locale: str) -> User | None:
    """Create an applicant account and mail it a confirmation link.

    When the address already has an account, mail its owner instead and return None; both
    cases hash the password and queue one mail, so the caller answers alike and as fast.
    """
    email = User.normalize_email(email)
    existing = User.by_email(email)
    user = User(email=email, name=name.strip(), locale=locale)
    user.set_password(password)
    if existing is not None:
        notify_registration_attempt(existing)
        return None
    user.grant(Role.APPLICANT)
    if not locks.inserted(user, constraint=EMAIL_UNIQUE):  # registered a moment ago
        notify_registration_attempt(User.by_email(email))
        return None
    audit.record("user.registered", actor=user, obj=user, consent_privacy_notice=True)
    send_verification(user)
    return user


def notify_registration_attempt(user: User) -> None:
    """Tell the owner of an address that someone tried to register with it."""
    queue_mail(
        to=user.email, user=user, template="registration_attempt", locale=user.locale,
        key=f"register-again:{user.id}:{secrets.token_hex(8)}",
        context={"name": user.name, "login_url": external_url("auth.login"),
                 "reset_url": external_url("auth.forgot_password")},
    )
    audit.record("user.registration_attempt_notified", obj=user)


def send_verification(user: User) -> None:
    token = make_token("verify", {"uid": user.id, "email": user.email})
    queue_mail(
        to=user.email, user=user, template="verify_email", locale=user.locale,
        key=f"verify:{user.id}:{_token_digest(token)}",
        context={"name": user.name}, link_kind="verify",
        secret_links={"url": external_url("auth.verify_email", token=token)},
    )


def verify_email(token: str) -> tuple[User, bool]:
    """Confirm the address the token was sent to; say whether this use confirmed it."""
    try:
        data = read_token("verify", token, current_app.config["VERIFY_TOKEN_MAX_AGE"])
    except TokenError as exc:
        raise AccountError(f"token_{exc.reason}") from exc
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("email"):
        raise AccountError("token_invalid")
    newly = user.email_verified_at is None
    if newly:
        user.email_verified_at = utcnow()
        audit.record("user.email_verified", actor=user, obj=user)
    return user, newly


def may_sign_in_after_verification(user: User) -> bool:
    """A new account whose address was just confirmed may continue without its password.

    Only before its first sign-in and without a second factor: an account that has been
    used, or that asks for a code, always signs in the normal way.
    """
    return (user.active and user.email_verified_at is not None
            and user.last_login_at is None and not user.has_two_factor)


def sign_in_after_verification(user: User) -> None:
    if not may_sign_in_after_verification(user):
        raise AccountError("token_invalid")
    user.last_login_at = utcnow()
    audit.record("auth.login", actor=user, obj=user, method="email_verification")


def _login_allowed(email: str, ip: str) -> bool:
    """Count one attempt per client address, per (address, e-mail) and per e-mail (a
    successful one is given back: the limits count failures).

    The lock is on the pair: a stranger who fails from one address locks only that address
    out; the looser per-e-mail limit is reached only from many addresses at once.
    """
    config = current_app.config
    limits = (("login-ip", ip, config["LOGIN_LIMIT_PER_IP"]),
              ("login-pair", f"{ip}|{email}", config["LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"]),
              ("login-account", email, config["LOGIN_LIMIT_PER_ACCOUNT"]))
    return all(ratelimit.hit(scope, key, limit, window)
               for scope, key, (limit, window) in limits)


def authenticate(email: str, password: str, ip: str) -> User:
    """Return the user for a correct e-mail and password, or raise AccountError.

    Unknown e-mail and wrong password raise the same error after the same work.
    """
    email = User.normalize_email(email)
    if not _login_allowed(email, ip):
        audit.record("auth.login_throttled", data_email=email)
        raise AccountError("throttled")
    user = User.by_email(email)
    if user is None:
        User.spend_dummy_verification(password)
        audit.record("auth.login_failed", reason="unknown", data_email=email)
        raise AccountError("bad_credentials")
    if not user.check_password(password) or not user.active:
        audit.record("auth.login_failed", obj=user, reason="password_or_inactive")
        raise AccountError("bad_credentials")
    # A correct password is no guess: the address and the account count only failures, so
    # an institute whose staff all sign in from one address is never locked out by them.
    ratelimit.reset("login-pair", f"{ip}|{email}")
    ratelimit.give_back("login-ip", ip)
    ratelimit.give_back("login-account", email)
    user.last_login_at = utcnow()
    audit.record("auth.login", actor=user, obj=user)
    return user


def request_password_reset(email: str) -> None:
    """Queue a reset link if the account exists; the caller says the same thing either way."""
    user = User.by_email(email)
    if user is None or not user.active:
        return
    token = make_token("reset", {"uid": user.id, "nonce": user.session_nonce})
    queue_mail(
        to=user.email, user=user, template="password_reset", locale=user.locale,
        key=f"reset:{user.id}:{_token_digest(token)}",
        context={"name": user.name, "minutes": current_app.config["RESET_TOKEN_MAX_AGE"] // 60},
        secret_links={"url": external_url("auth.reset_password", token=token)},
        link_kind="reset",
    )
    audit.record("auth.password_reset_requested", obj=user)


def _user_from_single_use_token(purpose: str, token: str, max_age: int) -> User:
    try:
        data = read_token(purpose, token, max_age)
    except TokenError as exc:
        raise AccountError(f"token_{exc.reason}") from exc
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active:
        raise AccountError("token_invalid")
    # The nonce changes whenever the password is set: a used link stops working.
    if not secrets.compare_digest(user.session_nonce, str(data.get("nonce"))):
        raise AccountError("token_used")
    return user


def check_reset_token(token: str, purpose: str = "reset") -> User:
    key = "RESET_TOKEN_MAX_AGE" if purpose == "reset" else "INVITE_TOKEN_MAX_AGE"
    return _user_from_single_use_token(purpose, token, current_app.config[key])


def reset_password(token: str, password: str, purpose: str = "reset") -> User:
    user = check_reset_token(token, purpose)
    user.set_password(password)
    if user.email_verified_at is None:
        # The link reached the mailbox, which proves the address.
        user.email_verified_at = utcnow()
    audit.record(f"auth.password_{'reset' if purpose == 'reset' else 'set_from_invite'}",
                 actor=user, obj=user)
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise AccountError("bad_current_password")
    user.set_password(new)
    audit.record("auth.password_changed", actor=user, obj=user)


def set_roles(user: User, roles: set[Role], *, by: User) -> None:
    """Make the user's roles exactly `roles`, auditing each grant and revocation.

    The user's row is locked and their roles read again first, so the same change sent
    twice at once is made once.
    """
    locks.lock(User, user.id)
    db.session.expire(user, ["role_rows"])
    if user.id == by.id and Role.ADMIN in user.roles and Role.ADMIN not in roles:
        raise AccountError("cannot_drop_own_admin")
    for role in sorted(roles - user.roles):
        user.grant(role)
        audit.record("user.role_granted", actor=by, obj=user, role=role.value)
    for role in sorted(user.roles - roles):
        user.revoke(role)
        audit.record("user.role_revoked", actor=by, obj=user, role=role.value)


def invite_user(*, email: str, name: str, roles: set[Role], locale: str, by: User) -> User:
    """Create (or extend) an account with the given roles and mail a link to set a password."""
    email = User.normalize_email(email)
    user = User.by_email(email)
    created = user is None
    if created:
        user = User(email=email, name=name.strip(), locale=locale)
        if not locks.inserted(user, constraint=EMAIL_UNIQUE):  # invited a moment ago
            user, created = User.by_email(email), False
    set_roles(user, user.roles | roles, by=by)
    audit.record("user.invited", actor=by, obj=user, roles=sorted(r.value for r in roles),
                 new_account=created)
    token = make_token("invite", {"uid": user.id, "nonce": user.session_nonce})
    sets_password = created or not user.password_hash
    links = {"url": external_url("auth.accept_invite", token=token)} if sets_password else {}
    queue_mail(
        to=user.email, user=user, template="invitation", locale=user.locale,
        key=f"invite:{user.id}:{_token_digest(token)}",
        context={"name": user.name, "url": external_url("auth.login"), "inviter": by.name,
                 "roles": sorted(r.value for r in roles), "has_password": bool(user.password_hash)},
        secret_links=links, link_kind="invite",
    )
    return user


def create_admin(email: str, name: str, password: str) -> User:
    email = User.normalize_email(email)
    user = User.by_email(email) or User(email=email, name=name, locale="en")
    if user.id is None:
        db.session.add(user)
    user.set_password(password)
    user.email_verified_at = user.email_verified_at or utcnow()
    user.grant(Role.ADMIN)
    db.session.flush()
    audit.record("user.role_granted", obj=user, role="admin", via="cli")
    return user
