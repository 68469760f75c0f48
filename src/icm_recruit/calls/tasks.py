"""Celery tasks of calls: closing them on time."""

from celery import shared_task

from icm_recruit.calls.operations import close_due_calls
from icm_recruit.extensions import db


@shared_task(name="icm_recruit.calls.tasks.close_due_calls")
def close_due_calls_task() -> list[int]:
    """Close the calls whose deadline passed; running it twice changes nothing more."""
    closed = close_due_calls()
    db.session.commit()
    return closed
