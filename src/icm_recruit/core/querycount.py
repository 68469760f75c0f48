"""Count SQL statements per request, for tests and benchmarks (QUERY_COUNT_HEADER=1)."""

from flask import Flask, g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine


def _count(conn, cursor, statement, parameters, context, executemany):
    if has_app_context() and "query_count" in g:
        g.query_count += 1


def init_query_count(app: Flask) -> None:
    """Add an X-Query-Count header with the number of SQL statements of each request."""
    if not app.config.get("QUERY_COUNT_HEADER"):
        return
    if not event.contains(Engine, "before_cursor_execute", _count):
        event.listen(Engine, "before_cursor_execute", _count)

    @app.before_request
    def start_counting():
        g.query_count = 0

    @app.after_request
    def report(response):
        response.headers["X-Query-Count"] = str(g.get("query_count", 0))
        return response
