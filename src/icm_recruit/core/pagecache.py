"""Rendered pages kept for their reader until the data they show changes.

A main page of a large call (the ranking, the applications, HR's dashboard) costs tens of
milliseconds of queries and templates, and its reader asks for it again and again while
nothing changed. Such a page, once rendered, is kept in Redis under a key that names:

- the generation of the data: triggers on every table but the audit trail and the outbox
  (migration 0028) add one to `page_generation` when a transaction that changed anything
  commits, so a kept page is never shown once the data it was rendered from has changed,
  whoever changed it (a page, a task, the command line);
- the reader's session (the forms on a page carry its CSRF token), the address with its
  filters and page number, the language, whether htmx asked for it;
- anything else the page shows (`extra`: the audit trail's last event).

A page is kept once its view has finished with a 200 (after what the view wrote past the
rendering, such as the record of a dossier's opening, committed); `was_kept()` tells a
view that it showed a kept page, the very page this session was shown moments ago.

A kept page lives `PAGE_CACHE_SECONDS` at most, for what depends on the clock (a review
that becomes late). The view asks the policy before it asks for its page: nothing kept is
shown to a reader the policy refuses. A page is not kept while the reader has a notice
waiting, in a transaction that has already written, on SQLite (the demo), or when Redis
cannot be reached (the page is then rendered each time).
"""

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import redis
from flask import after_this_request, current_app, g, has_app_context, request, session
from flask.globals import request_ctx
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import CheckConstraint, case, event, func, literal, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Mapped, mapped_column

from icm_recruit.core.audit import AuditEvent, last_event_id
from icm_recruit.extensions import db

log = logging.getLogger(__name__)

# Where the page's CSP nonce stood: each response gets its own nonce.
_NONCE_MARK = "\x00nonce\x00"
# After Redis failed, pages are rendered without it for this long before trying again.
_RETRY_SECONDS = 30


class PageGeneration(db.Model):
    """One row: the number of committed transactions that changed the watched data."""

    __tablename__ = "page_generation"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(db.BigInteger)


# A transaction's mark that it changed something, gone by its commit (migration 0028,
# UNLOGGED on PostgreSQL): there is never a row to read here.
page_generation_touch = db.Table("page_generation_touch",
                                 db.Column("n", db.Integer, nullable=False))


class LocalPages:
    """The pages this process served last, up to a number of bytes: a page asked for
    again is found without a round trip to Redis."""

    def __init__(self, limit: int):
        self.limit = limit
        self._size = 0
        self._pages: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            if found[0] <= time.time():
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return found[1]

    def put(self, key: str, deadline: float, body: str) -> None:
        if len(body) > self.limit // 4:
            return
        with self._lock:
            if key in self._pages:
                self._drop(key)
            self._pages[key] = (deadline, body)
            self._size += len(body)
            while self._size > self.limit:
                self._drop(next(iter(self._pages)))

    def _drop(self, key: str) -> None:
        self._size -= len(self._pages.pop(key)[1])


class PageStore:
    """Pages in Redis, shared by the processes, each page with the time it expires."""

    def __init__(self, url: str, seconds: int, local_bytes: int = 0):
        self.seconds = seconds
        self._client = redis.Redis.from_url(url, socket_timeout=0.5,
                                            socket_connect_timeout=0.5)
        self._down_until = 0.0
        self._local = LocalPages(local_bytes) if local_bytes > 0 else None

    def _usable(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, error: Exception) -> None:
        log.warning("page cache unavailable for %d s: %s", _RETRY_SECONDS, error)
        self._down_until = time.monotonic() + _RETRY_SECONDS

    def get(self, key: str) -> str | None:
        if self._local is not None and (body := self._local.get(key)) is not None:
            return body
        if not self._usable():
            return None
        try:
            value = self._client.get(key)
        except redis.RedisError as error:
            self._failed(error)
            return None
        if value is None:
            return None
        deadline, _, body = value.decode().partition("\n")
        if self._local is not None:
            self._local.put(key, float(deadline), body)
        return body

    def put(self, key: str, body: str) -> None:
        deadline = int(time.time()) + self.seconds
        if self._local is not None:
            self._local.put(key, deadline, body)
        if not self._usable():
            return
        try:
            self._client.set(key, f"{deadline}\n{body}".encode(), ex=self.seconds)
        except redis.RedisError as error:
            self._failed(error)


def init_page_cache(app) -> None:
    seconds = app.config["PAGE_CACHE_SECONDS"]
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if seconds > 0 and url.startswith("postgresql"):
        app.extensions["page_store"] = PageStore(
            app.config["PAGE_CACHE_REDIS_URL"] or app.config["REDIS_URL"], seconds,
            app.config["PAGE_CACHE_LOCAL_BYTES"])
        if not event.contains(Engine, "before_cursor_execute", _note_write):
            event.listen(Engine, "before_cursor_execute", _note_write)
        # The database the pages come from (never its password), so two databases served
        # from one Redis never share a page, and the code and templates that render them,
        # so a new version never shows a page of the one before.
        app.extensions["page_store_scope"] = hashlib.sha256(
            (make_url(url).render_as_string(hide_password=True) + _code_version(app))
            .encode()).hexdigest()[:16]


def _code_version(app) -> str:
    digest = hashlib.sha256()
    for folder in (Path(__file__).resolve().parents[1], Path(app.template_folder)):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix != ".pyc":
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def generation_column():
    """A column with the data's generation, for the query that loads the reader (None
    once this transaction has written, or where no page is kept)."""
    column = current_app.extensions.get("page_generation_column")
    if column is None:
        column = literal(None) if "page_store" not in current_app.extensions else (
            select(case((func.pg_current_xact_id_if_assigned().is_(None), PageGeneration.n)))
            .where(PageGeneration.id == 1).scalar_subquery())
        current_app.extensions["page_generation_column"] = column
    return column


def trail_column():
    """A column with the audit trail's last event, read with the reader: the trail's page
    is named by it (appending moves no generation), and it costs no round trip of its own
    (None where no page is kept)."""
    column = current_app.extensions.get("page_trail_column")
    if column is None:
        column = literal(None) if "page_store" not in current_app.extensions else (
            select(func.coalesce(func.max(AuditEvent.id), 0)).scalar_subquery())
        current_app.extensions["page_trail_column"] = column
    return column


def note_generation(generation: int | None, trail: int | None = None) -> None:
    """Keep the generation (and the trail's last event) read with the reader for this
    request's page."""
    g._page_generation = generation
    g._page_trail = trail
    g._page_wrote = False


def trail_position() -> int:
    """The audit trail's last event as this request's page may name it: the one read with
    the reader, while this transaction has written nothing (a page may be kept only then),
    else read now."""
    noted = g.get("_page_trail")
    if noted is not None and not g.get("_page_wrote", True):
        return noted
    return last_event_id()


def _note_write(_conn, _cursor, statement: str, *_args) -> None:
    # Anything but a plain SELECT may write: the generation read before it no longer
    # names what this transaction sees.
    if not statement.startswith("SELECT") and has_app_context():
        g._page_wrote = True


def _generation() -> int | None:
    """The data's generation, or None when this transaction has already written."""
    noted = g.get("_page_generation")
    if noted is not None and not g.get("_page_wrote", True) and not (
            db.session.new or db.session.dirty or db.session.deleted):
        return noted
    row = db.session.execute(text(
        "SELECT n, pg_current_xact_id_if_assigned() IS NULL FROM page_generation "
        "WHERE id = 1")).one_or_none()
    if row is None or not row[1]:
        return None
    return row[0]


def _key(generation: int, extra) -> str:
    parts = [current_app.extensions["page_store_scope"], str(generation),
             current_user.get_id(),
             # The session's own CSRF secret: another session of the same person gets its
             # own page, whose forms carry its own token.
             session.get("csrf_token", ""), str(get_locale()),
             request.headers.get("HX-Request", ""), request.host, request.full_path,
             *map(str, extra)]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"{current_app.config['RATELIMIT_PREFIX']}:page:{digest}"


def page(render: Callable[[], str | tuple[str, int]], *, extra: Callable[[], list] = list):
    """The page `render` would return for this reader and request, kept or rendered.

    `render` returns the page, or the page and its status: only a 200 page is kept;
    `extra` names what else the page shows, asked only when a page may be kept."""
    store: PageStore | None = current_app.extensions.get("page_store")
    if store is None or request.method != "GET" or not current_user.is_authenticated \
            or session.get("_flashes"):
        return render()
    if "csrf_token" not in session:
        generate_csrf()  # the session holds its token before the key names it
    generation = _generation()
    if generation is None:
        return render()
    key = _key(generation, extra())
    nonce = g.get("csp_nonce", "")
    kept = store.get(key)
    if kept is not None:
        g._page_kept = True
        return kept.replace(_NONCE_MARK, nonce) if nonce else kept
    result = render()
    body, status = result if isinstance(result, tuple) else (result, 200)
    # A page that showed a notice is not kept: the notice is shown once.
    if status == 200 and isinstance(body, str) and not getattr(request_ctx, "flashes", None) \
            and not session.get("_flashes"):
        body = body.replace(nonce, _NONCE_MARK) if nonce else body

        @after_this_request
        def keep(response):
            # Kept once the view has finished well (what it wrote after rendering, such as
            # the record of an opening, committed): a failed view leaves nothing kept.
            if response.status_code == 200:
                store.put(key, body)
            return response
    return result


def was_kept() -> bool:
    """Whether this request's page is one kept for this reader's session: the very page
    it was shown moments ago, by a view that has finished (and recorded what it records)."""
    return g.get("_page_kept", False)


def recorded_page(render: Callable[[], str], record: Callable[[], object]):
    """A page whose showing is recorded (a dossier's opening, in the audit trail): `record`
    runs and is committed when the page is rendered, after rendering (nothing has to be
    loaded again); the same kept page shown again to the same session is the same showing."""
    body = page(render)
    if not was_kept():
        record()
        db.session.commit()
    return body
