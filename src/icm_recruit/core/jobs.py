"""Long-running work tracked in job_run so pages can show progress."""

import enum
import logging
from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from icm_recruit.core import locks
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.states import StateEnum
from icm_recruit.core.timeutil import UTCDateTime, utcnow
from icm_recruit.extensions import db
from icm_recruit.extensions import str_enum as _enum

log = logging.getLogger(__name__)


class JobKind(enum.StrEnum):
    ASSIGNMENT = "assignment"
    RANKING = "ranking"
    DECISION_LETTERS = "decision_letters"
    SHORTLIST_OUTCOMES = "shortlist_outcomes"
    REMINDERS = "reminders"
    RETENTION = "retention"
    CONFLICTS = "conflicts"
    EVALUATION_REPORTS = "evaluation_reports"
    STAGE_OUTCOMES = "stage_outcomes"


class JobStatus(StateEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    active: ClassVar[frozenset["JobStatus"]]
    finished: ClassVar[frozenset["JobStatus"]]


JobStatus.define(
    labels={JobStatus.QUEUED: _l("Queued"), JobStatus.RUNNING: _l("Running"),
            JobStatus.DONE: _l("Done"), JobStatus.FAILED: _l("Failed")},
    # Still to run or running: a page polls it, a second one is not started.
    active={JobStatus.QUEUED, JobStatus.RUNNING},
    # Over, one way or the other: running it again is skipped.
    finished={JobStatus.DONE, JobStatus.FAILED},
)


class JobRun(db.Model):
    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[JobKind] = mapped_column(_enum(JobKind, 20))
    # A job's row only describes work on its call: it goes with the call, like the
    # call's rankings and interview slots.
    call_id: Mapped[int | None] = mapped_column(
        ForeignKey("call.id", ondelete="CASCADE"), index=True)
    status: Mapped[JobStatus] = mapped_column(_enum(JobStatus, 10), default=JobStatus.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict] = mapped_column(db.JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    label: Mapped[str | None] = mapped_column(String(200))

    # Named by string, untyped: core imports none of the features that own these tables.
    call = relationship("Call")
    started_by = relationship("User")


def latest_job(kind: JobKind, call_id: int) -> JobRun | None:
    """Return the call's most recent job of this kind, whatever its status."""
    return db.session.scalar(select(JobRun).where(JobRun.kind == kind, JobRun.call_id == call_id)
                             .order_by(JobRun.id.desc()).limit(1))


def active_job(kind: JobKind, call_id: int) -> JobRun | None:
    """Return the call's queued or running job of this kind, if any."""
    return db.session.scalar(
        select(JobRun).where(JobRun.kind == kind, JobRun.call_id == call_id,
                             JobRun.status.in_(JobStatus.active))
        .order_by(JobRun.id.desc()).limit(1))


def start_job(kind: JobKind, call, by, task, **options) -> int:
    """Record a queued job, commit it, then hand it to Celery (eager in tests and demo).

    Started again while the call's job of this kind is still queued or running (a double
    click, two people at once), it returns that job: the call's row is locked for the look.
    """
    locks.lock(type(call), call.id)
    running = active_job(kind, call.id)
    if running is not None:
        job_id = running.id
        db.session.commit()
        return job_id
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


def run_tracked(job_id: int, work, *, resume_failed: bool = False,
                reraise: bool = False) -> str:
    """Run work(job, call, by, progress) once, recording progress and the outcome.

    A finished job is skipped. resume_failed lets a failed job run again (work that is
    safe to resume, such as sending letters each exactly once); reraise hands the error
    to Celery after it is recorded.
    """
    job = db.session.get(JobRun, job_id)
    finished = {JobStatus.DONE} if resume_failed else JobStatus.finished
    if job is None or job.status in finished:
        return "skipped"
    call, by = job.call, job.started_by
    job.status, job.started_at, job.error = JobStatus.RUNNING, utcnow(), None
    job.progress = max(job.progress, 1)
    db.session.commit()

    def progress(percent: float) -> None:
        # Committed before the work writes anything, so nothing half-done becomes visible.
        row = db.session.get(JobRun, job_id)
        row.progress = max(row.progress, min(int(percent), 99))
        db.session.commit()

    try:
        result = work(job, call, by, progress)
    except Exception as exc:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, job.kind)
        job = db.session.get(JobRun, job_id)
        job.status, job.error, job.finished_at = JobStatus.FAILED, str(exc)[:2000], utcnow()
        db.session.commit()
        if reraise:
            raise
        return "failed"
    job = db.session.get(JobRun, job_id)
    job.result, job.status, job.progress, job.finished_at = result, JobStatus.DONE, 100, utcnow()
    db.session.commit()
    return "done"


def send_each(ids: list[int], send, *, by, progress) -> dict:
    """The body of a batch that mails each of `ids` once: send(id, by=by) returns whether
    it sent (False: already done by an earlier run). One id per transaction, so a crash
    loses no sent mark, and a resumed batch sends only what is left."""
    sent = 0
    for index, item_id in enumerate(ids, start=1):
        if send(item_id, by=by):
            sent += 1
        db.session.commit()
        progress(100 * index / len(ids))
    return {"sent": sent, "considered": len(ids)}
