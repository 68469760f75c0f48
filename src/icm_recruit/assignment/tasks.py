"""Celery tasks of the assignment: the solver job and the daily summaries."""

import logging
from collections.abc import Callable

from celery import shared_task

from icm_recruit.assignment import notify
from icm_recruit.assignment.operations import propose_assignment
from icm_recruit.auth.models import User
from icm_recruit.calls.models import Call
from icm_recruit.core.jobs import JobKind, JobRun, JobStatus
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db

log = logging.getLogger(__name__)


def run_tracked(job_id: int, work: Callable[[JobRun, Call, User | None, Callable], dict]) -> str:
    """Run a job's work once, writing progress and the outcome to its job_run row."""
    job = db.session.get(JobRun, job_id)
    if job is None or job.status in (JobStatus.DONE, JobStatus.FAILED):
        return "skipped"
    call = db.session.get(Call, job.call_id)
    by = db.session.get(User, job.started_by_id) if job.started_by_id else None
    job.status, job.started_at, job.progress = JobStatus.RUNNING, utcnow(), 1
    db.session.commit()

    def progress(percent: int) -> None:
        # Progress is committed before the work writes anything, so nothing half-done
        # becomes visible.
        job.progress = max(job.progress, min(int(percent), 99))
        db.session.commit()

    try:
        result = work(job, call, by, progress)
    except Exception as exc:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, job.kind)
        job = db.session.get(JobRun, job_id)
        job.status, job.error, job.finished_at = JobStatus.FAILED, str(exc)[:2000], utcnow()
        db.session.commit()
        return "failed"
    job.result, job.status, job.progress = result, JobStatus.DONE, 100
    job.finished_at = utcnow()
    db.session.commit()
    return "done"


def start_job(kind: JobKind, call: Call, by: User | None, task, **options) -> int:
    """Record a queued job, commit it, then hand it to Celery (eager in tests and demo)."""
    job = JobRun(kind=kind, call_id=call.id, status=JobStatus.QUEUED, progress=0,
                 result=dict(options), started_by_id=getattr(by, "id", None),
                 label=call.slug)
    db.session.add(job)
    db.session.flush()
    job_id = job.id
    db.session.commit()
    # Queue by the saved id: touching the expired row would open a new transaction here
    # that an eager task would run inside of.
    task.delay(job_id)
    return job_id


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
