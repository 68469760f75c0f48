"""Facts about the signed-in reader, read in the query that loads them.

Every request loads its reader. A fact that a policy needs on many requests (whether an
HR administrator has ever applied) is a column of that one query, so asking it costs no
round trip of its own: a kept page is then found without loading anything else.

A feature registers its fact with `fact(name)`, a function that returns a column
correlated to `User`. A fact is as it stood when the request began; `get` answers None
where it was not read (a request that loaded its reader some other way), and the asker
then loads what it needs.

The reader's query is the request's first statement, and on a kept page its only one. It
runs before the request's transaction begins (`read_before_transaction`): one round trip,
no BEGIN and no ROLLBACK, and the database driver keeps the statement prepared from one
request to the next (a rollback makes it forget them). Each statement has a snapshot of
its own anyway (read committed), so the rest of the request sees no older data.
"""

from collections.abc import Callable

from flask import current_app, g
from psycopg import Connection as PsycopgConnection
from psycopg.pq import TransactionStatus
from sqlalchemy import ColumnElement, Executable, Result

from icm_recruit.extensions import db

_FACTS: dict[str, Callable[[], ColumnElement]] = {}


def fact(name: str):
    """Register the column that reads the fact `name` with the reader."""
    def register(build: Callable[[], ColumnElement]):
        _FACTS[name] = build
        return build
    return register


def columns() -> list[ColumnElement]:
    """The registered facts' columns, in the order `note` expects their values."""
    built = current_app.extensions.get("reader_fact_columns")
    if built is None:
        built = [(name, build().label(f"fact_{name}")) for name, build in _FACTS.items()]
        current_app.extensions["reader_fact_columns"] = built
    return [column for _, column in built]


def note(values) -> None:
    """Keep the facts read with the reader for this request."""
    names = [name for name, _ in current_app.extensions["reader_fact_columns"]]
    g._reader_facts = dict(zip(names, values, strict=True))


def get(name: str):
    """The fact as read with this request's reader, or None where it was not read."""
    return g.get("_reader_facts", {}).get(name)


def read_before_transaction(statement: Executable, params: dict | None = None) -> Result:
    """Run a read as the request's first statement, outside any transaction (where the
    session has not yet sent anything on PostgreSQL; elsewhere as any statement)."""
    raw = db.session.connection().connection.driver_connection
    if not isinstance(raw, PsycopgConnection) \
            or raw.info.transaction_status != TransactionStatus.IDLE:
        return db.session.execute(statement, params)
    raw.autocommit = True
    try:
        return db.session.execute(statement, params)
    finally:
        if not raw.closed:  # a connection lost in the read is dropped from the pool
            raw.autocommit = False
