"""Celery tasks of selection: the ranking job, the decision-letter batch, interview reminders.

Arguments are ids; each task is safe to run twice or to resume after a crash.
"""

import logging

from celery import shared_task
from sqlalchemy import select

from icm_recruit.auth.models import User
from icm_recruit.calls.models import Call
from icm_recruit.core.jobs import JobKind, JobRun, JobStatus
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db

log = logging.getLogger(__name__)


def start_job(kind: JobKind, call: Call, by: User, task) -> int:
    """Record a queued job, commit it, then hand it to Celery."""
    job = JobRun(kind=kind, call_id=call.id, status=JobStatus.QUEUED, progress=0,
                 started_by_id=by.id, result={})
    db.session.add(job)
    db.session.flush()
    job_id = job.id
    # Nothing may touch the session between the commit and the task: the task must not
    # run inside a transaction this request opened afterwards.
    db.session.commit()
    task.delay(job_id)
    return job_id


def active_job(kind: JobKind, call_id: int) -> JobRun | None:
    return db.session.scalar(
        select(JobRun).where(JobRun.kind == kind, JobRun.call_id == call_id,
                             JobRun.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
        .order_by(JobRun.id.desc()).limit(1))


def latest_job(kind: JobKind, call_id: int) -> JobRun | None:
    return db.session.scalar(select(JobRun).where(JobRun.kind == kind,
                                                  JobRun.call_id == call_id)
                             .order_by(JobRun.id.desc()).limit(1))


def _run(job_id: int, work) -> str:
    """Run work(job, call, by, progress) and record its outcome; a finished job is skipped."""
    job = db.session.get(JobRun, job_id)
    if job is None or job.status is JobStatus.DONE:
        return "skipped"
    call = db.session.get(Call, job.call_id)
    by = db.session.get(User, job.started_by_id) if job.started_by_id else None
    job.status, job.started_at, job.error = JobStatus.RUNNING, utcnow(), None
    db.session.commit()

    def progress(percent: float) -> None:
        row = db.session.get(JobRun, job_id)
        row.progress = max(0, min(int(percent), 99))
        db.session.commit()

    try:
        result = work(job, call, by, progress)
    except Exception as exc:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, job.kind)
        job = db.session.get(JobRun, job_id)
        job.status, job.error, job.finished_at = JobStatus.FAILED, str(exc)[:2000], utcnow()
        db.session.commit()
        raise
    job = db.session.get(JobRun, job_id)
    job.result, job.status, job.progress, job.finished_at = result, JobStatus.DONE, 100, utcnow()
    db.session.commit()
    return "done"


def _send_letters(job, call, by, progress) -> dict:
    from icm_recruit.selection import operations as ops
    from icm_recruit.selection.queries import unsent_decision_ids

    ids = unsent_decision_ids(call.id)
    sent = 0
    for index, decision_id in enumerate(ids, start=1):
        if ops.send_decision_letter(decision_id, by=by):
            sent += 1
        db.session.commit()  # one letter per transaction: a crash loses no sent mark
        progress(100 * index / len(ids))
    return {"sent": sent, "considered": len(ids)}


@shared_task(name="icm_recruit.selection.tasks.send_decision_letters")
def send_decision_letters(job_id: int) -> str:
    """Send every unsent decision letter of the job's call, each exactly once."""
    return _run(job_id, _send_letters)


def _rank(job, call, by, progress) -> dict:
    from icm_recruit.selection.ranking import build_snapshot

    snapshot = build_snapshot(call, by=by, job_id=job.id, progress=progress)
    db.session.commit()
    return {"snapshot_id": snapshot.id, "applications": len(snapshot.rows),
            "reviews": snapshot.review_count}


@shared_task(name="icm_recruit.selection.tasks.compute_ranking")
def compute_ranking(job_id: int) -> str:
    """Compute and store a ranking snapshot of the call from its submitted reviews."""
    return _run(job_id, _rank)


@shared_task(name="icm_recruit.selection.tasks.remind_interviews")
def remind_interviews() -> int:
    """Remind applicants and panels of tomorrow's interviews; once per interview time."""
    from icm_recruit.selection.interviews import send_reminders

    count = send_reminders()
    db.session.commit()
    return count
