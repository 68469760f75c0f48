"""Celery tasks of the assignment: the solver job and the daily summaries."""

from celery import shared_task
from sqlalchemy import select

from icm_recruit.assignment import notify, operations
from icm_recruit.assignment.operations import propose_assignment
from icm_recruit.auth.models import User
from icm_recruit.calls.models import Call, CallStatus
from icm_recruit.core.jobs import JobRun, run_tracked
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db

# Texts embedded per beat run (each takes a fraction of a second on one core).
EMBED_AHEAD_LIMIT = 400
EMBED_AHEAD_STATUSES = (CallStatus.OPEN, CallStatus.CLOSED, CallStatus.IN_REVIEW)


def _assign(job: JobRun, call: Call, by: User | None, progress) -> dict:
    fairness = bool((job.result or {}).get("fairness"))
    return propose_assignment(call, by=by, job_id=job.id, progress=progress, fairness=fairness)


@shared_task(name="icm_recruit.assignment.tasks.run_assignment")
def run_assignment(job_id: int) -> str:
    """Solve a call's assignment and store the proposal; a second run is a no-op."""
    return run_tracked(job_id, _assign)


@shared_task(name="icm_recruit.assignment.tasks.embed_ahead")
def embed_ahead(limit: int = EMBED_AHEAD_LIMIT) -> int:
    """Embed, a batch at a time, the texts of calls whose assignment is coming or under way."""
    calls = db.session.scalars(select(Call).where(Call.status.in_(EMBED_AHEAD_STATUSES))
                               .order_by(Call.closes_at)).all()
    done = operations.embed_ahead(calls, limit)
    db.session.commit()
    return done


@shared_task(name="icm_recruit.assignment.tasks.send_daily_digests")
def send_daily_digests() -> int:
    """Mail the members who chose a daily summary of their new assignments."""
    sent = notify.send_daily_digests(utcnow())
    db.session.commit()
    return sent
