"""Absolute URLs for e-mails, and the rule for where `next` may send a user."""

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    """Build an absolute URL, also outside a request (CLI, Celery), from PUBLIC_URL."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = current_app.config["SERVER_NAME_FOR_MAIL"]
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def is_safe_next(target: str | None) -> bool:
    """Accept only a path on this site: no scheme, no host, no backslash tricks."""
    if not target or not target.startswith("/"):
        return False
    if target.startswith("//") or "\\" in target:
        return False
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
