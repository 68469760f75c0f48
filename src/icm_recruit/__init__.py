"""icm-recruit: team-leader recruitment with a Scientific Advisory Board."""

import logging
import secrets
from pathlib import Path

from flask import Flask, abort, g, render_template, request, session
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from icm_recruit.config import ConfigError, load_config
from icm_recruit.core import assets, i18n
from icm_recruit.core.forms import has_control_characters
from icm_recruit.core.i18n import gettext as _
from icm_recruit.core.params import INT32_MAX
from icm_recruit.extensions import babel, csrf, db, login_manager, migrate, ping_idle_connections

__all__ = ["create_app", "ConfigError"]

PACKAGE_DIR = Path(__file__).resolve().parent
log = logging.getLogger(__name__)


def _resource_dir(name: str) -> Path:
    """Find templates/ or migrations/: inside the installed package, else at the repo top."""
    packaged = PACKAGE_DIR / name
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent.parent / name


def _blueprints():
    from icm_recruit.admin import mail_texts as _mail_texts  # noqa: F401 (its routes)
    from icm_recruit.admin.views import bp as admin_bp
    from icm_recruit.applications import stage_views as _stage_views  # noqa: F401 (its routes)
    from icm_recruit.applications.hr_views import bp as applications_hr_bp
    from icm_recruit.applications.publication_views import bp as publications_bp
    from icm_recruit.applications.referee_views import bp as referees_bp
    from icm_recruit.applications.views import bp as applications_bp
    from icm_recruit.assignment.views import bp as assignment_bp
    from icm_recruit.auth.views import bp as auth_bp
    from icm_recruit.board.views import bp as board_bp
    from icm_recruit.calls.views import bp as calls_bp
    from icm_recruit.governance.views import bp as governance_bp
    from icm_recruit.main.views import bp as main_bp
    from icm_recruit.meeting.chair_views import bp as chair_bp
    from icm_recruit.meeting.report_views import bp as meeting_reports_bp
    from icm_recruit.meeting.views import bp as meeting_bp
    from icm_recruit.reviews.views import bp as reviews_bp
    from icm_recruit.selection.decision_views import bp as decisions_bp
    from icm_recruit.selection.interview_views import bp as interviews_bp
    from icm_recruit.selection.views import bp as selection_bp
    from icm_recruit.stages import funnel_views as _funnel_views  # noqa: F401 (its routes)
    from icm_recruit.stages.views import bp as stages_bp

    return [main_bp, auth_bp, admin_bp, calls_bp, applications_bp, applications_hr_bp,
            referees_bp, publications_bp, board_bp, assignment_bp, governance_bp, reviews_bp,
            selection_bp, interviews_bp, decisions_bp, meeting_bp, meeting_reports_bp,
            chair_bp, stages_bp]


def _import_models_and_tasks() -> None:
    from icm_recruit.applications import models as _application_models  # noqa: F401
    from icm_recruit.applications import publications as _publications  # noqa: F401
    from icm_recruit.applications import tasks as _application_tasks  # noqa: F401
    from icm_recruit.assignment import models as _assignment_models  # noqa: F401

    # The listeners of the board's signals (conflicts that appear or go, members who leave).
    from icm_recruit.assignment import operations as _assignment_reactions  # noqa: F401
    from icm_recruit.assignment import search as _assignment_search_fields  # noqa: F401
    from icm_recruit.assignment import tasks as _assignment_tasks  # noqa: F401
    from icm_recruit.auth import models as _auth_models  # noqa: F401
    from icm_recruit.board import models as _board_models  # noqa: F401
    from icm_recruit.board import tasks as _board_tasks  # noqa: F401
    from icm_recruit.calls import models as _call_models  # noqa: F401
    from icm_recruit.calls import tasks as _call_tasks  # noqa: F401
    from icm_recruit.core import audit as _audit  # noqa: F401
    from icm_recruit.core import jobs as _jobs  # noqa: F401
    from icm_recruit.core import outbox as _outbox  # noqa: F401
    from icm_recruit.core import pagecache as _pagecache  # noqa: F401
    from icm_recruit.core import tasks as _core_tasks  # noqa: F401
    from icm_recruit.meeting import models as _meeting_models  # noqa: F401

    # The meeting moves a member out of the room when a conflict appears (board's signal).
    from icm_recruit.meeting import operations as _meeting_reactions  # noqa: F401
    from icm_recruit.meeting import reports as _meeting_letter_reactions  # noqa: F401
    from icm_recruit.meeting import tasks as _meeting_tasks  # noqa: F401
    from icm_recruit.reviews import models as _review_models  # noqa: F401

    # Reviewing tells HR of every declined assignment (assignment's signal).
    from icm_recruit.reviews import operations as _review_reactions  # noqa: F401

    # Keeps each application's review tally in the transaction that changes it.
    from icm_recruit.reviews import tally as _review_tally  # noqa: F401
    from icm_recruit.reviews import tasks as _review_tasks  # noqa: F401
    from icm_recruit.selection import conflicts as _selection_reactions  # noqa: F401
    from icm_recruit.selection import models as _selection_models  # noqa: F401
    from icm_recruit.selection import search as _selection_search_fields  # noqa: F401
    from icm_recruit.selection import tasks as _selection_tasks  # noqa: F401
    from icm_recruit.stages import equality as _equality  # noqa: F401
    from icm_recruit.stages import tasks as _stage_tasks  # noqa: F401


def translation_domains() -> list[str]:
    """Return the catalog domains: "messages" plus one per feature that has its own .po."""
    folder = PACKAGE_DIR / "translations" / "fr" / "LC_MESSAGES"
    others = sorted(p.stem for p in folder.glob("*.po") if p.stem != "messages")
    return ["messages", *others]


def _configure_translation_domains(app: Flask) -> None:
    # Flask-Babel pairs each directory with a domain and merges the catalogs.
    domains = translation_domains()
    directory = str(PACKAGE_DIR / "translations")
    app.config.setdefault("BABEL_DOMAIN", ";".join(domains))
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join([directory] * len(domains)))


def select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or "en"


class IdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT32_MAX)
        super().__init__(map, *args, **kwargs)


def _trust_proxies(app: Flask) -> None:
    """Behind PROXY_HOPS reverse proxies, take the client address and scheme they forward."""
    hops = app.config["PROXY_HOPS"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides settings (PROFILE picks demo/test/production)."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(_resource_dir("templates")),
        static_folder="static",
    )
    app.config.from_mapping(load_config(Path(app.instance_path), config))
    # Ids are INTEGER columns: a larger number in a URL names nothing (404), not an error.
    app.url_map.converters["int"] = IdConverter
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    _configure_translation_domains(app)
    db.init_app(app)
    with app.app_context():
        ping_idle_connections(db.engine, app.config["POOL_PING_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=str(_resource_dir("migrations")))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    i18n.install(app)
    assets.init_assets(app)
    _init_login(app)
    _import_models_and_tasks()

    from icm_recruit.celery_app import celery_init_app
    from icm_recruit.core.pagecache import init_page_cache
    from icm_recruit.core.querycount import init_query_count
    from icm_recruit.core.ratelimit import init_rate_limiter

    celery_init_app(app)
    init_rate_limiter(app)
    init_query_count(app)
    init_page_cache(app)
    _trust_proxies(app)

    for blueprint in _blueprints():
        app.register_blueprint(blueprint)
    _init_request_hooks(app)
    _init_errors(app)
    _init_templates(app)

    from icm_recruit.cli import register_cli

    register_cli(app)
    if app.config["DEMO"]:
        from icm_recruit.seed import register_demo_logins

        register_demo_logins(app)
    return app


def _init_login(app: Flask) -> None:
    from icm_recruit.auth.models import User
    from icm_recruit.core import pagecache, readerfacts

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        uid, _, nonce = user_id.partition(":")
        if not uid.isdigit() or not nonce:
            return None
        # The roles with the person, the generation of the data (and the audit trail's
        # last event) for a kept page, and the facts the policies ask about the reader,
        # in one query: every request asks for them.
        statement = app.extensions.get("reader_statement")
        if statement is None:  # built once: every request runs it
            statement = app.extensions["reader_statement"] = (
                select(User, pagecache.generation_column(), pagecache.trail_column(),
                       *readerfacts.columns())
                .where(User.id == bindparam("reader_id"))
                .options(joinedload(User.role_rows)))
        row = readerfacts.read_before_transaction(
            statement, {"reader_id": int(uid)}).unique().one_or_none()
        if row is None:
            return None
        user, generation, trail, *facts = row
        if not user.active or user.session_nonce != nonce:
            return None
        pagecache.note_generation(generation, trail)
        readerfacts.note(facts)
        return user


def _init_request_hooks(app: Flask) -> None:
    from icm_recruit.core.permissions import enforce_access

    # The nonce first: a page refused by the access check still loads its own scripts.
    @app.before_request
    def make_nonce():
        g.csp_nonce = secrets.token_urlsafe(16)

    app.before_request(enforce_access)

    @app.before_request
    def refuse_control_characters():
        # No page is named with control characters, and no filter or search holds one;
        # PostgreSQL could not even compare them. Form fields get a message of their own.
        if has_control_characters(request.path):
            abort(404)
        if any(has_control_characters(k) or has_control_characters(v)
               for k, v in request.args.items(multi=True)):
            abort(400, _("The address contains invisible control characters. Remove them "
                         "and try again."))

    @app.after_request
    def security_headers(response):
        nonce = getattr(g, "csp_nonce", "")
        response.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # Pages, exports and documents carry personal data: no browser or proxy may keep
        # them. Only static assets (no personal data) keep their caching.
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "private, no-store"
            response.headers["Pragma"] = "no-cache"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        return response


def _init_errors(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    def titles():
        return {
            400: _("The request could not be understood."),
            403: _("You do not have access to this page."),
            404: _("This page does not exist."),
            405: _("This action is not allowed here."),
            413: _("The file is too large."),
            429: _("Too many requests. Wait a moment and try again."),
            500: _("Something went wrong on our side."),
        }

    def render_error(code: int, detail: str | None = None):
        # A view may offer the one useful next step (g.error_link: url, label).
        return render_template("errors/error.html", code=code, title=titles().get(code, ""),
                               detail=detail, link=g.get("error_link")), code

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _("The form had expired. Go back, reload the page and send it "
                                   "again; what you typed is still in the form."))

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code in titles():
            # A description given to abort() is ours and translated; werkzeug's default is not.
            own = error.description if error.description != type(error).description else None
            return render_error(error.code, own)
        return error

    @app.errorhandler(ValueError)
    @app.errorhandler(DataError)
    def unstorable_text(error):
        # The last line of defence for a raw field that reached the database with a NUL
        # (the forms refuse them beside the field): nothing was saved.
        if "NUL" not in str(error):
            return server_error(error)
        db.session.rollback()
        return render_error(400, _("The form contains invisible control characters that "
                                   "cannot be stored. Go back, remove them and send it again; "
                                   "nothing was saved."))

    @app.errorhandler(Exception)
    def server_error(error):
        if app.testing and app.config.get("PROPAGATE_EXCEPTIONS") is not False:
            raise error
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render_error(500, _("The team has been told. Please try again later."))


def _init_templates(app: Flask) -> None:
    from icm_recruit.applications.models import count_words
    from icm_recruit.assignment.models import AssignmentOrigin
    from icm_recruit.auth.models import Role
    from icm_recruit.calls.models import DOCUMENT_KIND_LABELS
    from icm_recruit.core.jobs import JobKind
    from icm_recruit.core.states import StateEnum
    from icm_recruit.core.timeutil import rendering_zone, to_zone

    # Templates compare with the enums and their named groups, never with raw strings.
    app.jinja_env.globals.update(
        {state.__name__: state for state in StateEnum.__subclasses__()},
        AssignmentOrigin=AssignmentOrigin, JobKind=JobKind,
        DOCUMENT_KIND_LABELS=DOCUMENT_KIND_LABELS, count_words=count_words)

    from icm_recruit.core.numbers import decimal_format

    app.jinja_env.filters["decimalformat"] = decimal_format

    @app.template_filter("localdt")
    def localdt(value, fmt="%d/%m/%Y %H:%M %Z", zone=None):
        if value is None:
            return ""
        # A mail shows its recipient's zone; a page, the viewer's.
        zone = zone or rendering_zone()
        if zone is None and current_user and current_user.is_authenticated:
            zone = current_user.timezone
        return to_zone(value, zone).strftime(fmt)

    from icm_recruit.applications import rules as application_rules

    # Templates ask the same rules as the views (never their own copy of a condition).
    app.jinja_env.globals["application_rules"] = application_rules
    from icm_recruit.selection import rules as selection_rules

    app.jinja_env.globals["selection_rules"] = selection_rules

    @app.context_processor
    def inject():
        from flask_babel import get_locale

        return {"Role": Role, "current_locale": str(get_locale()),
                "csp_nonce": getattr(g, "csp_nonce", ""), "demo_mode": app.config["DEMO"]}
