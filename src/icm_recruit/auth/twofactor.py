"""Two-factor sign-in: authenticator-app codes (TOTP) and one-time recovery codes."""

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from flask import current_app

from icm_recruit.auth.models import RecoveryCode, Role, User
from icm_recruit.core import audit, ratelimit
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.timeutil import utcnow

ISSUER = "ICM Recruitment"
RECOVERY_CODE_COUNT = 10


class TwoFactorError(DomainError):
    messages = {
        "bad_code": _l("This code is not valid. Check the time on your phone and try again."),
        "throttled": _l("Too many attempts. Wait a few minutes and try again."),
        "required": _l("Your role requires two-factor sign-in; it cannot be turned off."),
        "bad_password": _l("The password is not correct."),
    }


def required_for(user: User) -> bool:
    """Return True when the user's roles make two-factor sign-in mandatory."""
    roles = current_app.config["REQUIRE_2FA_FOR_ROLES"]
    return bool(roles) and user.has_role(*[Role(r) for r in roles])


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """Return the otpauth URI as an SVG QR code in a data: URI (allowed by our CSP)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _hash_recovery(code: str) -> str:
    normalised = code.replace("-", "").replace(" ", "").lower()
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    user.recovery_codes.clear()
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
        user.recovery_codes.append(RecoveryCode(code_hash=_hash_recovery(raw)))
    return codes


def _totp_step(secret: str, code: str) -> int | None:
    """Return the time step a code belongs to (now, or one step either side), else None."""
    code = code.replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time())
    for offset in (0, -30, 30):
        if hmac.compare_digest(totp.at(now + offset), code):
            return (now + offset) // 30
    return None


def enable(user: User, secret: str, code: str) -> list[str]:
    """Turn on TOTP once the user proves the app works; return fresh recovery codes."""
    step = _totp_step(secret, code)
    if step is None:
        raise TwoFactorError("bad_code")
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    audit.record("auth.2fa_enabled", actor=user, obj=user)
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    codes = _new_recovery_codes(user)
    audit.record("auth.recovery_codes_regenerated", actor=user, obj=user)
    return codes


def disable(user: User, password: str) -> None:
    if required_for(user):
        raise TwoFactorError("required")
    if not user.check_password(password):
        raise TwoFactorError("bad_password")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.recovery_codes.clear()
    audit.record("auth.2fa_disabled", actor=user, obj=user)


def verify(user: User, code: str) -> None:
    """Check a TOTP or recovery code at sign-in; a code is never accepted twice."""
    if not ratelimit.hit("2fa", str(user.id), 5, 15 * 60):
        raise TwoFactorError("throttled")
    code = (code or "").strip()
    step = _totp_step(user.totp_secret or "", code)
    if step is not None and step > (user.totp_last_step or 0):
        user.totp_last_step = step
        audit.record("auth.2fa_passed", actor=user, obj=user, method="totp")
        return
    if step is None and _use_recovery_code(user, code):
        audit.record("auth.2fa_passed", actor=user, obj=user, method="recovery_code",
                     remaining=sum(1 for c in user.recovery_codes if c.used_at is None))
        return
    audit.record("auth.2fa_failed", obj=user)
    raise TwoFactorError("bad_code")


def _use_recovery_code(user: User, code: str) -> bool:
    if len(code.replace("-", "").replace(" ", "")) != 10:
        return False
    digest = _hash_recovery(code)
    for row in user.recovery_codes:
        if row.used_at is None and hmac.compare_digest(row.code_hash, digest):
            row.used_at = utcnow()
            return True
    return False


def remaining_recovery_codes(user: User) -> int:
    return sum(1 for c in user.recovery_codes if c.used_at is None)

