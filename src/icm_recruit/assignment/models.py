"""Assignments of applications to board members."""

import enum
from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from icm_recruit.applications.models import Application
from icm_recruit.auth.models import User
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.states import StateEnum
from icm_recruit.core.timeutil import UTCDateTime, utcnow
from icm_recruit.extensions import db
from icm_recruit.extensions import str_enum as _enum


class AssignmentStatus(StateEnum):
    PROPOSED = "proposed"  # computed, not yet published to the member
    ACTIVE = "active"  # published: the member reviews it
    DECLINED = "declined"  # the member declined (with a reason) or HR withdrew it
    DONE = "done"  # the review was submitted

    held: ClassVar[frozenset["AssignmentStatus"]]
    published: ClassVar[frozenset["AssignmentStatus"]]
    shown_to_member: ClassVar[frozenset["AssignmentStatus"]]
    changeable: ClassVar[frozenset["AssignmentStatus"]]


AssignmentStatus.define(
    labels={
        AssignmentStatus.PROPOSED: _l("proposed"),
        AssignmentStatus.ACTIVE: _l("published"),
        AssignmentStatus.DECLINED: _l("declined"),
        AssignmentStatus.DONE: _l("review done"),
    },
    # Counts in a member's load: proposed, published or reviewed.
    held={AssignmentStatus.PROPOSED, AssignmentStatus.ACTIVE, AssignmentStatus.DONE},
    # Published: the member has it and reviews it (or has reviewed it).
    published={AssignmentStatus.ACTIVE, AssignmentStatus.DONE},
    # In the member's own list: published once, whether reviewed or declined since.
    shown_to_member={AssignmentStatus.ACTIVE, AssignmentStatus.DONE, AssignmentStatus.DECLINED},
    # Not reviewed yet: HR may still lock it or put another member in its place.
    changeable={AssignmentStatus.PROPOSED, AssignmentStatus.ACTIVE},
)


class AssignmentOrigin(enum.StrEnum):
    AUTO = "auto"
    MANUAL = "manual"


class Assignment(db.Model):
    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("application_id", "reviewer_id", "stage"),
        # The reviews still awaited, soonest due first: the first page of HR's dashboard
        # reads them in this order and stops there (migration 0027).
        Index("ix_assignment_active_due", "due_at", "id",
              postgresql_where=text("status = 'active'"), sqlite_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                             index=True)
    # The stage of the call it belongs to: a member may review one application at two stages.
    stage: Mapped[int] = mapped_column(default=1, server_default="1")
    status: Mapped[AssignmentStatus] = mapped_column(_enum(AssignmentStatus, 10),
                                                     default=AssignmentStatus.PROPOSED,
                                                     index=True)
    origin: Mapped[AssignmentOrigin] = mapped_column(_enum(AssignmentOrigin, 10),
                                                     default=AssignmentOrigin.AUTO)
    locked: Mapped[bool] = mapped_column(default=False)
    affinity: Mapped[float | None] = mapped_column(Float)
    # {"shared_terms": [["hippocampus", 0.12], ...], "bid": "eager"}
    explanation: Mapped[dict] = mapped_column(db.JSON, default=dict)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(Text)
    # Withdrawn because a conflict appeared: dismissing the conflict gives it back.
    ended_by_conflict: Mapped[bool] = mapped_column(default=False, server_default=false())
    job_run_id: Mapped[int | None] = mapped_column(ForeignKey("job_run.id", ondelete="SET NULL"))

    application: Mapped[Application] = relationship()
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])


def at_current_stage():
    """The assignment belongs to the stage its application is at now (a query joined on
    both): earlier stages' assignments are kept, read-only, beside the live ones."""
    return Assignment.stage == Application.stage


class TextEmbedding(db.Model):
    """A text's dense vector, keyed by a hash of the model's name and the exact text."""

    __tablename__ = "text_embedding"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(100))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
