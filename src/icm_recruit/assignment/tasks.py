"""Celery tasks of the assignment: the solver job and the daily summaries."""

from celery import shared_task

from icm_recruit.assignment import notify
from icm_recruit.assignment.operations import propose_assignment
from icm_recruit.auth.models import User
from icm_recruit.calls.models import Call
from icm_recruit.core.jobs import JobRun, run_tracked
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db


def _assign(job: JobRun, call: Call, by: User | None, progress) -> dict:
    fairness = bool((job.result or {}).get("fairness"))
    return propose_assignment(call, by=by, job_id=job.id, progress=progress, fairness=fairness)


@shared_task(name="icm_recruit.assignment.tasks.run_assignment")
def run_assignment(job_id: int) -> str:
    """Solve a call's assignment and store the proposal; a second run is a no-op."""
    return run_tracked(job_id, _assign)


@shared_task(name="icm_recruit.assignment.tasks.send_daily_digests")
def send_daily_digests() -> int:
    """Mail the members who chose a daily summary of their new assignments."""
    sent = notify.send_daily_digests(utcnow())
    db.session.commit()
    return sent
