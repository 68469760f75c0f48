"""Celery tasks of calls: closing them on time."""

from celery import shared_task

from icm_recruit.calls.operations import close_due_calls
from icm_recruit.extensions import db


@shared_task(name="icm_recruit.calls.tasks.close_due_calls")
def close_due_calls_task() -> list[int]:
    """Close the calls whose deadline passed; running it twice changes nothing more.

    The deadline is the call's current one (an extension moved it). A call closes on time
    even while a personal deadline runs: that applicant may still submit to the closed call
    until it ends, and the review cannot start before (see `lifecycle.advance`).
    """
    closed = close_due_calls()
    db.session.commit()
    return closed
