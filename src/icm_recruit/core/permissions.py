"""Deny-by-default access control.

Every view declares who may reach it with one of the decorators below; a
before-request hook refuses any endpoint that declares nothing. Object-level
checks (ownership, assignment, conflicts) happen in the view with `require`.
"""

from collections.abc import Callable

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

ACCESS_ATTR = "_icm_access"


def public(view: Callable) -> Callable:
    """Reachable without signing in."""
    setattr(view, ACCESS_ATTR, ("public", frozenset()))
    return view


def signed_in(view: Callable) -> Callable:
    """Reachable by any signed-in user; the view must still check the object."""
    setattr(view, ACCESS_ATTR, ("signed_in", frozenset()))
    return view


def roles_required(*roles) -> Callable[[Callable], Callable]:
    """Reachable by signed-in users holding at least one of the roles."""
    wanted = frozenset(str(r) for r in roles)

    def decorate(view: Callable) -> Callable:
        setattr(view, ACCESS_ATTR, ("roles", wanted))
        return view

    return decorate


def require(condition: bool, status: int = 403) -> None:
    """Abort with 403 (or the given status) unless the condition holds."""
    if not condition:
        abort(status)


def access_rule(endpoint: str | None):
    if endpoint is None:
        return None
    view = current_app.view_functions.get(endpoint)
    while view is not None and not hasattr(view, ACCESS_ATTR) and hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return getattr(view, ACCESS_ATTR, None)


def enforce_access():
    """Before-request hook: apply the endpoint's declared rule, deny if none."""
    if request.endpoint in (None, "static"):
        return None
    rule = access_rule(request.endpoint)
    if rule is None:
        current_app.logger.error("endpoint %s declares no access rule; denied", request.endpoint)
        abort(403)
    kind, roles = rule
    if kind == "public":
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if kind == "roles" and not current_user.has_role(*roles):
        abort(403)
    return None

