"""Periodic retention purge."""

from celery import shared_task

from icm_recruit.core.jobs import JobKind, JobRun, JobStatus
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.governance import retention


@shared_task(name="icm_recruit.governance.tasks.purge_expired")
def purge_expired() -> dict:
    """Anonymise the data of calls past their retention period, recording a job run."""
    job = JobRun(kind=JobKind.RETENTION, status=JobStatus.RUNNING, started_at=utcnow())
    db.session.add(job)
    db.session.commit()
    report = retention.purge(dry_run=False)
    job.status, job.progress, job.result, job.finished_at = (
        JobStatus.DONE, 100, report, utcnow())
    db.session.commit()
    return report
