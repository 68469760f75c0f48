"""Settings from the environment, in three profiles: demo, test and production."""

import os
from datetime import timedelta
from pathlib import Path

DEV_SECRET_KEY = "icm-recruit-demo-only-not-secret"  # noqa: S105 - refused in production


class ConfigError(RuntimeError):
    """Raised when the application cannot start with the given settings."""


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _base(instance_path: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance_path / 'icm_recruit.sqlite3'}"
        ),
        # A pooled connection idle for longer than this is tested before use (a database
        # restarted in between closed it); one in steady use is not, which saves a round
        # trip on every request (extensions.ping_idle_connections).
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "POOL_PING_IDLE_SECONDS": float(os.environ.get("POOL_PING_IDLE_SECONDS", "5")),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS"),
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "ICM Recruitment <recruitment@icm-institute.org>"
        ),
        # smtp: deliver through MAIL_SERVER; mailbox: keep in the outbox, shown to admins.
        "MAIL_TRANSPORT": os.environ.get("MAIL_TRANSPORT", "smtp"),
        "MAIL_MAX_ATTEMPTS": 8,
        "OUTBOX_ASYNC_COMMIT": _env_bool("OUTBOX_ASYNC_COMMIT", True),
        # /admin/mailbox, HR's view of the outbox: a demo and debugging tool, off unless set.
        "MAILBOX_ENABLED": _env_bool("MAILBOX_ENABLED"),
        # One-time link kinds the mailbox may show to HR when it is the delivery (mailbox
        # transport); the addressee always sees their own. Never "reset" or "invite".
        "MAILBOX_LINK_KINDS_SHOWN": (),
        # Days a sent (or failed) mail keeps its text before the retention purge empties it.
        "MAIL_BODY_RETENTION_DAYS": int(os.environ.get("MAIL_BODY_RETENTION_DAYS", "30")),
        "SERVER_NAME_FOR_MAIL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "DISPLAY_TIMEZONE": "Europe/Paris",
        "LANGUAGES": ["en", "fr"],
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(instance_path / "uploads")),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(25 * 1024 * 1024))),
        "WTF_CSRF_TIME_LIMIT": None,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "VERIFY_TOKEN_MAX_AGE": 3 * 24 * 3600,
        "RESET_TOKEN_MAX_AGE": 3600,
        "INVITE_TOKEN_MAX_AGE": 14 * 24 * 3600,
        "RATELIMIT_STORAGE": os.environ.get("RATELIMIT_STORAGE", "redis"),
        "RATELIMIT_PREFIX": os.environ.get("RATELIMIT_PREFIX", "icm:rl"),
        "RETENTION_MONTHS": int(os.environ.get("RETENTION_MONTHS", "24")),
        "QUERY_COUNT_HEADER": _env_bool("QUERY_COUNT_HEADER"),
        # Seconds a rendered main page is kept for its reader while the data stays the
        # same (core/pagecache.py); 0 renders every page each time.
        "PAGE_CACHE_SECONDS": int(os.environ.get("PAGE_CACHE_SECONDS", "30")),
        # Where the pages are kept; by default the Redis of the tasks (pages live 30 s).
        "PAGE_CACHE_REDIS_URL": os.environ.get("PAGE_CACHE_REDIS_URL", ""),
        # Bytes of the last pages each process keeps in its own memory, in front of Redis.
        "PAGE_CACHE_LOCAL_BYTES": int(os.environ.get("PAGE_CACHE_LOCAL_BYTES",
                                                     str(32 * 1024 * 1024))),
        "SESSION_IDLE_SECONDS": int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60))),
        "SESSION_ABSOLUTE_SECONDS": int(os.environ.get("SESSION_ABSOLUTE_SECONDS",
                                                       str(12 * 3600))),
        # Roles that must sign in with a second factor (production: HR and the chair).
        "REQUIRE_2FA_FOR_ROLES": ["admin", "chair"],
        # Failed sign-ins lock one e-mail from one client address; the looser per-account
        # limit stops a spread-out guessing run without letting one stranger lock the owner out.
        "LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS": (5, 15 * 60),
        "LOGIN_LIMIT_PER_ACCOUNT": (50, 15 * 60),
        "LOGIN_LIMIT_PER_IP": (30, 15 * 60),
        # Mail a person can make the site send: (count, seconds) windows, all must hold.
        "MAIL_LIMIT_PER_RECIPIENT": [(3, 10 * 60), (10, 24 * 3600)],
        "MAIL_LIMIT_PER_ACTOR": [(20, 3600)],
        # Reverse proxies in front of the app that append to X-Forwarded-For. 0 trusts the
        # header from nobody: the client address (limits, audit) is the connecting peer.
        "PROXY_HOPS": int(os.environ.get("PROXY_HOPS", "0")),
        "CELERY": {
            "broker_url": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "result_backend": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "task_ignore_result": True,
            "task_always_eager": False,
            "task_default_queue": os.environ.get("ICM_CELERY_QUEUE", "icm"),
        },
        "DEMO": False,
    }


def demo_config(instance_path: Path) -> dict:
    """Return the self-contained demo profile: SQLite, eager Celery, mail kept in the outbox."""
    config = _base(instance_path)
    config.update(
        DEMO=True,
        SECRET_KEY=os.environ.get("SECRET_KEY") or DEV_SECRET_KEY,
        SQLALCHEMY_DATABASE_URI=os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance_path / 'demo.sqlite3'}"
        ),
        MAIL_TRANSPORT="mailbox",
        MAILBOX_ENABLED=True,
        # Links that open no account: confirming an address, uploading a referee letter.
        MAILBOX_LINK_KINDS_SHOWN=("verify", "referee"),
        RATELIMIT_STORAGE="memory",
        REQUIRE_2FA_FOR_ROLES=[],  # the demo logins work with a password alone
    )
    config["CELERY"] = {
        "task_always_eager": True,
        "task_eager_propagates": True,
        "broker_url": "memory://",
        "result_backend": "cache+memory://",
        "task_ignore_result": True,
    }
    return config


def production_config(instance_path: Path) -> dict:
    """Return the production profile; refuse to run without a real secret key."""
    config = _base(instance_path)
    key = config["SECRET_KEY"]
    if not key or key == DEV_SECRET_KEY or len(key) < 32:
        raise ConfigError(
            "SECRET_KEY is missing or too short. Set SECRET_KEY to a random value of at least "
            '32 characters, for example: python -c "import secrets; print(secrets.token_hex(32))"'
        )
    config.update(
        SESSION_COOKIE_SECURE=True,
        REMEMBER_COOKIE_SECURE=True,
        SESSION_COOKIE_NAME="__Host-session",
        PREFERRED_URL_SCHEME="https",
    )
    return config


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    """Pick the profile from the environment (ICM_DEMO=1 or ICM_ENV) and apply overrides."""
    overrides = dict(overrides or {})
    profile = overrides.pop("PROFILE", None)
    if profile is None:
        if _env_bool("ICM_DEMO"):
            profile = "demo"
        else:
            profile = os.environ.get("ICM_ENV", "production")
    if profile == "demo":
        config = demo_config(instance_path)
    elif profile == "test":
        config = _base(instance_path)
        config.update(SECRET_KEY="test-secret-key", TESTING=True,  # noqa: S106
                      REQUIRE_2FA_FOR_ROLES=[], MAILBOX_ENABLED=True)
    else:
        config = production_config(instance_path)
    celery_overrides = overrides.pop("CELERY", None)
    config.update(overrides)
    if celery_overrides:
        config["CELERY"] = {**config["CELERY"], **celery_overrides}
    config["PROFILE"] = profile
    return config
