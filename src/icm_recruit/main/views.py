"""Home page, language switch and health check."""

import redis
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session
from flask_login import current_user
from sqlalchemy import text

from icm_recruit.auth.models import Role
from icm_recruit.core import pagecache
from icm_recruit.core.forms import AppForm
from icm_recruit.core.permissions import public
from icm_recruit.core.timeutil import utcnow
from icm_recruit.core.urls import is_safe_next
from icm_recruit.extensions import db
from icm_recruit.main import home as homes

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def home():
    if not current_user.is_authenticated:
        return render_template("main/home.html")
    return pagecache.page(_signed_in_home)


def _signed_in_home() -> str:
    now = utcnow()
    return render_template(
        "main/home.html", now=now,
        hr_boards=homes.hr_home(current_user, now) if current_user.has_role(Role.ADMIN)
        else None,
        member_todos=homes.member_home(current_user, now)
        if current_user.has_role(Role.REVIEWER, Role.CHAIR) else None,
        applicant_steps=homes.applicant_home(current_user, now)
        if current_user.has_role(Role.APPLICANT) else None)


@bp.post("/language")
@public
def set_language():
    form = AppForm()
    locale = request.form.get("locale")
    if form.validate_on_submit() and locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else "/")


def _check_database() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True}
    except Exception as exc:  # report, never raise: this is the health page
        db.session.rollback()
        return {"ok": False, "error": type(exc).__name__}


def _check_redis() -> dict:
    config = current_app.config
    if config["CELERY"].get("task_always_eager") and config["RATELIMIT_STORAGE"] != "redis":
        return {"ok": True, "mode": "eager (demo: not used)"}
    try:
        client = redis.Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=2,
                                      socket_connect_timeout=2)
        client.ping()
        return {"ok": True}
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}


@bp.get("/healthz")
@public
def healthz():
    checks = {"database": _check_database(), "redis": _check_redis()}
    healthy = all(c["ok"] for c in checks.values())
    body = {"status": "ok" if healthy else "degraded", **checks}
    return jsonify(body), 200 if healthy else 503
