"""Long-running work tracked in job_run so pages can show progress."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from icm_recruit.core.timeutil import UTCDateTime, utcnow
from icm_recruit.extensions import db
from icm_recruit.extensions import str_enum as _enum


class JobKind(enum.StrEnum):
    ASSIGNMENT = "assignment"
    RANKING = "ranking"
    DECISION_LETTERS = "decision_letters"
    REMINDERS = "reminders"
    RETENTION = "retention"
    CONFLICTS = "conflicts"


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"



class JobRun(db.Model):
    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[JobKind] = mapped_column(_enum(JobKind, 20))
    call_id: Mapped[int | None] = mapped_column(index=True)
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
