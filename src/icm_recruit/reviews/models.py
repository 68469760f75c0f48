"""Reviews of assigned applications, their criterion scores, and the board's discussion."""

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from icm_recruit.applications.models import Application
from icm_recruit.assignment.models import Assignment
from icm_recruit.auth.models import User
from icm_recruit.calls.models import Criterion
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.states import StateEnum
from icm_recruit.core.timeutil import UTCDateTime, utcnow
from icm_recruit.extensions import db
from icm_recruit.extensions import str_enum as _enum

# The score table's composite foreign key points at (id, scale_min, scale_max): a score row
# carries the bounds of its criterion, the database checks they are the criterion's real
# bounds, and a row check keeps the score within them.
Criterion.__table__.append_constraint(UniqueConstraint("id", "scale_min", "scale_max"))



class ReviewStatus(StateEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


ReviewStatus.define(labels={
    ReviewStatus.DRAFT: _l("Draft"),
    ReviewStatus.SUBMITTED: _l("Submitted"),
})


class Recommendation(StateEnum):
    INTERVIEW = "interview"
    DISCUSS = "discuss"
    DO_NOT_PURSUE = "do_not_pursue"


Recommendation.define(labels={
    Recommendation.INTERVIEW: _l("Invite to an interview"),
    Recommendation.DISCUSS: _l("Discuss at the board meeting"),
    Recommendation.DO_NOT_PURSUE: _l("Do not shortlist"),
})

CONFIDENCE_LABELS = {
    1: _l("1 · outside my field"),
    2: _l("2 · low"),
    3: _l("3 · moderate"),
    4: _l("4 · high"),
    5: _l("5 · expert in this field"),
}


class Review(db.Model):
    """One member's review of one assignment; a draft until submitted."""

    __tablename__ = "review"
    __table_args__ = (
        CheckConstraint("confidence IS NULL OR (confidence >= 1 AND confidence <= 5)",
                        name="confidence_range"),
        # A submitted review is complete: the form and the operation check the rest.
        CheckConstraint("status = 'draft' OR (submitted_at IS NOT NULL AND confidence IS NOT "
                        "NULL AND recommendation IS NOT NULL)", name="submitted_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), unique=True)
    status: Mapped[ReviewStatus] = mapped_column(_enum(ReviewStatus, 10),
                                                 default=ReviewStatus.DRAFT, index=True)
    recommendation: Mapped[Recommendation | None] = mapped_column(_enum(Recommendation, 20))
    confidence: Mapped[int | None] = mapped_column()
    comments_to_board: Mapped[str] = mapped_column(Text, default="")
    feedback_for_applicant: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    assignment: Mapped[Assignment] = relationship()
    scores: Mapped[list["ReviewScore"]] = relationship(
        back_populates="review", cascade="all, delete-orphan", lazy="selectin")

    @property
    def is_submitted(self) -> bool:
        return self.status == ReviewStatus.SUBMITTED

    @property
    def recommendation_label(self) -> str:
        return str(self.recommendation.label) if self.recommendation else ""

    def score_map(self) -> dict[int, int]:
        return {s.criterion_id: s.score for s in self.scores}


class ReviewScore(db.Model):
    """The score a review gives one criterion, within the criterion's scale."""

    __tablename__ = "review_score"
    __table_args__ = (
        UniqueConstraint("review_id", "criterion_id"),
        ForeignKeyConstraint(
            ["criterion_id", "scale_min", "scale_max"],
            ["criterion.id", "criterion.scale_min", "criterion.scale_max"],
            name="fk_review_score_criterion_scale", ondelete="CASCADE", onupdate="CASCADE"),
        CheckConstraint("score >= 0", name="score_not_negative"),
        CheckConstraint("score >= scale_min AND score <= scale_max", name="score_in_scale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"),
                                           index=True)
    criterion_id: Mapped[int] = mapped_column(index=True)
    scale_min: Mapped[int] = mapped_column()
    scale_max: Mapped[int] = mapped_column()
    score: Mapped[int] = mapped_column()

    review: Mapped[Review] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship(
        foreign_keys=[criterion_id], primaryjoin="ReviewScore.criterion_id == Criterion.id",
        viewonly=True)


class ReviewRescue(db.Model):
    """Text a member sent when their session had just ended, kept until they sign in again.

    Never merged into the review by itself: the form shows it and the member saves it.
    """

    __tablename__ = "review_rescue"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), unique=True)
    data: Mapped[dict] = mapped_column(db.JSON, default=dict)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DiscussionPost(db.Model):
    __tablename__ = "discussion_post"
    __table_args__ = (CheckConstraint("length(body) > 0", name="body_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    application: Mapped[Application] = relationship()
    author: Mapped[User | None] = relationship()


class ReminderStep(enum.StrEnum):
    BEFORE = "before"  # three days before the due date
    DUE = "due"  # on the due date
    OVERDUE = "overdue"  # the day after
    ESCALATED = "escalated"  # HR told, a few days later


class ReminderLog(db.Model):
    """Which reminder step an assignment has had: each step once, whatever the channel.

    Members on a daily summary get several steps in one mail, so the outbox key of that
    mail cannot tell which steps were sent; this table can.
    """

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("assignment_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    step: Mapped[ReminderStep] = mapped_column(_enum(ReminderStep, 10))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReviewTally(db.Model):
    """Per application, at its current stage: the seats held by members without a conflict
    and the reviews that count. Kept by `reviews.tally` in the transaction of every change
    to an assignment, a review, a conflict or the application's stage, so HR's dashboard
    reads a call's figures without counting every assignment again."""

    __tablename__ = "review_tally"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), primary_key=True)
    held: Mapped[int] = mapped_column(default=0)
    counted: Mapped[int] = mapped_column(default=0)
