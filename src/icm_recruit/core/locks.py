"""Two requests at once on the same thing take turns: row locks and guarded inserts.

An operation that reads, then writes what it read (find the review, else create it) locks
a row that stands for the thing first, so the second request waits and then reads what
the first one wrote. Where a unique constraint is the only guard, the insert runs in a
savepoint, and losing the race becomes an answer instead of a server error.
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from icm_recruit.extensions import db


def lock(model, row_id: int):
    """Reload the row under FOR NO KEY UPDATE, held until the transaction ends.

    A second transaction asking for the same lock waits; rows that only point at this one
    (foreign keys) can still be inserted meanwhile.
    """
    return db.session.scalars(
        select(model).where(model.id == row_id).with_for_update(key_share=True)
        .execution_options(populate_existing=True)).one()


def inserted(*rows, constraint: str) -> bool:
    """Insert the rows in a savepoint; False if `constraint` (a unique constraint) refused
    them because another transaction committed the same row first."""
    try:
        with db.session.begin_nested():
            db.session.add_all(rows)
            db.session.flush()
    except IntegrityError as exc:
        if getattr(getattr(exc.orig, "diag", None), "constraint_name", None) != constraint:
            raise
        return False
    return True
