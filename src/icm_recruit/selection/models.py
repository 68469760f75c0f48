"""Selection: shortlist marks, interview slots and bookings, decisions, letters, rankings."""

from datetime import datetime, timedelta

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from icm_recruit.applications.models import Application
from icm_recruit.auth.models import User
from icm_recruit.calls.models import Call
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.states import StateEnum
from icm_recruit.core.timeutil import UTCDateTime, utcnow
from icm_recruit.extensions import db
from icm_recruit.extensions import str_enum as _enum


class ShortlistOutcome(StateEnum):
    SHORTLISTED = "shortlisted"
    REJECTED = "rejected"


ShortlistOutcome.define(labels={
    ShortlistOutcome.SHORTLISTED: _l("Shortlisted for an interview"),
    ShortlistOutcome.REJECTED: _l("Not shortlisted"),
})


class ShortlistMark(db.Model):
    """Why an application was shortlisted or not, and by whom (the latest mark).

    A mark is a working note until the outcomes are sent: `told_at` is set when the
    applicant's e-mail is queued, and from then on the mark no longer changes.
    """

    __tablename__ = "shortlist_mark"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    outcome: Mapped[ShortlistOutcome] = mapped_column(_enum(ShortlistOutcome, 12))
    reason: Mapped[str] = mapped_column(Text, default="")
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    told_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    marked_by: Mapped[User | None] = relationship()
    application: Mapped[Application] = relationship()

    @property
    def is_told(self) -> bool:
        return self.told_at is not None


class InterviewSlot(db.Model):
    """A time HR offers for one interview, with its place and its panel."""

    __tablename__ = "interview_slot"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0 AND duration_minutes <= 480",
                        name="duration_range"),
        Index("ix_interview_slot_call_start", "call_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(default=45)
    location: Mapped[str] = mapped_column(String(300), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    call: Mapped[Call] = relationship()
    panelists: Mapped[list["InterviewPanelist"]] = relationship(
        back_populates="slot", cascade="all, delete-orphan", lazy="selectin")
    interview: Mapped["Interview | None"] = relationship(back_populates="slot", uselist=False)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def panel(self) -> list[User]:
        """The members sitting on the panel (not those a conflict took away)."""
        return [p.user for p in self.panelists if p.seated]

    @property
    def panel_ids(self) -> set[int]:
        return {p.user_id for p in self.panelists if p.seated}

    @property
    def is_open(self) -> bool:
        return self.withdrawn_at is None and self.interview is None


class InterviewPanelist(db.Model):
    __tablename__ = "interview_panelist"

    slot_id: Mapped[int] = mapped_column(
        ForeignKey("interview_slot.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)

    # Set when a conflict of interest took the seat away; dismissing the conflict clears it.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    slot: Mapped[InterviewSlot] = relationship(back_populates="panelists")
    user: Mapped[User] = relationship(lazy="selectin")

    @property
    def seated(self) -> bool:
        return self.withdrawn_at is None


class InterviewStatus(StateEnum):
    INVITED = "invited"  # asked to pick a slot
    BOOKED = "booked"  # holds a slot
    CANCELLED = "cancelled"  # lost its slot; may be invited to pick again


InterviewStatus.define(labels={
    InterviewStatus.INVITED: _l("Invited to pick a slot"),
    InterviewStatus.BOOKED: _l("Booked"),
    InterviewStatus.CANCELLED: _l("Cancelled"),
})


class Interview(db.Model):
    """One shortlisted application's interview: at most one per application and per slot.

    The unique slot_id is what makes two applicants unable to hold one slot, whatever
    the timing of their clicks; the UID of its calendar entry stays the same across
    changes, and `sequence` grows with each one sent.
    """

    __tablename__ = "interview"
    __table_args__ = (
        CheckConstraint("(status = 'booked') = (slot_id IS NOT NULL)", name="booked_has_slot"),
        CheckConstraint("sequence >= 0", name="sequence_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    slot_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview_slot.id", ondelete="RESTRICT"), unique=True)
    status: Mapped[InterviewStatus] = mapped_column(_enum(InterviewStatus, 10),
                                                    default=InterviewStatus.INVITED)
    sequence: Mapped[int] = mapped_column(default=0)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The start time the reminder was sent for: a moved interview is reminded again.
    reminded_for: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship()
    slot: Mapped[InterviewSlot | None] = relationship(back_populates="interview")
    scores: Mapped[list["InterviewScore"]] = relationship(
        back_populates="interview", cascade="all, delete-orphan")

    @property
    def status_label(self) -> str:
        return str(self.status.label)


class InterviewScore(db.Model):
    """A panel member's score of one interview on one of the call's criteria."""

    __tablename__ = "interview_score"
    __table_args__ = (
        UniqueConstraint("interview_id", "panelist_id", "criterion_id"),
        CheckConstraint("score >= 0", name="score_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"), index=True)
    panelist_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    interview: Mapped[Interview] = relationship(back_populates="scores")


class Outcome(StateEnum):
    OFFER = "offer"
    WAITLIST = "waitlist"
    REJECT = "reject"


Outcome.define(labels={
    Outcome.OFFER: _l("Offer"),
    Outcome.WAITLIST: _l("Waiting list"),
    Outcome.REJECT: _l("Not selected"),
})


class OfferResponse(StateEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"


OfferResponse.define(labels={
    OfferResponse.ACCEPTED: _l("Accepted"),
    OfferResponse.DECLINED: _l("Declined"),
})


class Decision(db.Model):
    """HR's outcome for one interviewed application and the letter that tells it.

    `version` grows when a sent decision is replaced (a waitlisted applicant later offered
    the post): each version's letter is sent once, keyed by (decision, version).
    """

    __tablename__ = "decision"
    __table_args__ = (CheckConstraint("version >= 1", name="version_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome, 10))
    feedback: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    letter_locale: Mapped[str | None] = mapped_column(String(2))
    letter_subject: Mapped[str | None] = mapped_column(String(300))
    letter_body: Mapped[str | None] = mapped_column(Text)
    response: Mapped[OfferResponse | None] = mapped_column(_enum(OfferResponse, 10))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship()
    decided_by: Mapped[User | None] = relationship()

    @property
    def outcome_label(self) -> str:
        return str(self.outcome.label)


class RankingSnapshot(db.Model):
    """A ranking computed from the submitted reviews at one moment, kept as it was."""

    __tablename__ = "ranking_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    stage: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    job_run_id: Mapped[int | None] = mapped_column(ForeignKey("job_run.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(20))
    review_count: Mapped[int] = mapped_column(default=0)
    disagreement_threshold: Mapped[float] = mapped_column(Float)
    # {reviewer user id: severity offset on the 0-10 scale}
    reviewer_bias: Mapped[dict] = mapped_column(db.JSON, default=dict)

    rows: Mapped[list["RankingRow"]] = relationship(
        back_populates="snapshot", cascade="all, delete-orphan",
        order_by="RankingRow.calibrated_rank")
    created_by: Mapped[User | None] = relationship()


class RankingRow(db.Model):
    __tablename__ = "ranking_row"
    __table_args__ = (
        UniqueConstraint("snapshot_id", "application_id"),
        # The ranking page in its default order reads one page of rows, not the snapshot.
        Index("ix_ranking_row_snapshot_order", "snapshot_id", "calibrated_rank", "raw_rank",
              "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("ranking_snapshot.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    n_reviews: Mapped[int] = mapped_column()
    mean: Mapped[float] = mapped_column(Float)
    median: Mapped[float] = mapped_column(Float)
    std: Mapped[float] = mapped_column(Float)
    score_range: Mapped[float] = mapped_column(Float)
    calibrated: Mapped[float] = mapped_column(Float)
    raw_rank: Mapped[int] = mapped_column()
    calibrated_rank: Mapped[int] = mapped_column()
    disagreement: Mapped[bool] = mapped_column(default=False)
    # [{"reviewer_id": 7, "score": 6.25}, ...] on the 0-10 scale
    review_scores: Mapped[list] = mapped_column(db.JSON, default=list)

    snapshot: Mapped[RankingSnapshot] = relationship(back_populates="rows")
    application: Mapped[Application] = relationship()

    @property
    def rank_change(self) -> int:
        return self.raw_rank - self.calibrated_rank
