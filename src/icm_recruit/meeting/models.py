"""The board meeting: its members, agenda, pointer, departures; and the evaluation reports.

A meeting belongs to a call and draws its agenda from one ranking snapshot. The pointer
(`current_item_id`) is a single column: two chairs moving it at once each write a whole
value, so the last write wins and the agenda itself never changes by moving it.
"""

from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from icm_recruit.applications.models import Application
from icm_recruit.auth.models import User
from icm_recruit.calls.models import Call
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.states import StateEnum
from icm_recruit.core.timeutil import UTCDateTime, utcnow
from icm_recruit.extensions import db
from icm_recruit.extensions import str_enum as _enum


class AgendaGroup(StateEnum):
    DISCUSS = "discuss"
    LIKELY_ADVANCE = "likely_advance"
    LIKELY_REJECT = "likely_reject"


AgendaGroup.define(labels={
    AgendaGroup.DISCUSS: _l("To discuss"),
    AgendaGroup.LIKELY_ADVANCE: _l("Likely to advance"),
    AgendaGroup.LIKELY_REJECT: _l("Likely to be rejected"),
})
# The agenda runs through the groups in this order, each in its own order.
GROUP_RANK = {AgendaGroup.DISCUSS: 0, AgendaGroup.LIKELY_ADVANCE: 1,
              AgendaGroup.LIKELY_REJECT: 2}


class ItemOutcome(StateEnum):
    ADVANCE = "advance"
    SHORTLIST = "shortlist"
    REJECT = "reject"
    DEFER = "defer"


ItemOutcome.define(labels={
    ItemOutcome.ADVANCE: _l("Advance"),
    ItemOutcome.SHORTLIST: _l("Shortlist"),
    ItemOutcome.REJECT: _l("Reject"),
    ItemOutcome.DEFER: _l("Defer"),
})


class Meeting(db.Model):
    """One sitting of the board for a call."""

    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0 AND duration_minutes <= 1440",
                        name="duration_range"),
        CheckConstraint("pointer_version >= 0 AND sequence >= 0", name="counters_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    snapshot_id: Mapped[int | None] = mapped_column(
        ForeignKey("ranking_snapshot.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(default=180)
    location: Mapped[str] = mapped_column(String(300), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The item under discussion; every member's page follows it.
    current_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL", use_alter=True))
    pointer_version: Mapped[int] = mapped_column(default=0)
    pointer_moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Grows with every calendar update sent, so clients replace the earlier entry.
    sequence: Mapped[int] = mapped_column(default=0)
    minutes_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    minutes_published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))

    call: Mapped[Call] = relationship()
    members: Mapped[list["MeetingMember"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", lazy="selectin")
    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan",
        foreign_keys="AgendaItem.meeting_id", order_by="AgendaItem.position")

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_published(self) -> bool:
        return self.minutes_published_at is not None

    @property
    def member_ids(self) -> set[int]:
        return {m.user_id for m in self.members}


class MeetingMember(db.Model):
    """A board member invited to a meeting, and whether the chair recorded them present."""

    __tablename__ = "meeting_member"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    present: Mapped[bool] = mapped_column(default=False)

    meeting: Mapped[Meeting] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="selectin")


class AgendaItem(db.Model):
    """One application on the agenda, with what the board decided about it."""

    __tablename__ = "agenda_item"
    __table_args__ = (
        UniqueConstraint("meeting_id", "application_id"),
        CheckConstraint("(votes_for IS NULL OR votes_for >= 0) AND "
                        "(votes_against IS NULL OR votes_against >= 0) AND "
                        "(votes_abstain IS NULL OR votes_abstain >= 0)", name="votes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    group: Mapped[AgendaGroup] = mapped_column(_enum(AgendaGroup, 20),
                                               default=AgendaGroup.DISCUSS)
    outcome: Mapped[ItemOutcome | None] = mapped_column(_enum(ItemOutcome, 10))
    votes_for: Mapped[int | None] = mapped_column()
    votes_against: Mapped[int | None] = mapped_column()
    votes_abstain: Mapped[int | None] = mapped_column()
    consensus: Mapped[str] = mapped_column(Text, default="")
    # Grows with each recorded change, so open pages know to show it.
    revision: Mapped[int] = mapped_column(default=0)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What a chair sent as their session ended: offered back, never saved by itself.
    rescue: Mapped[dict | None] = mapped_column(db.JSON(none_as_null=True))

    meeting: Mapped[Meeting] = relationship(back_populates="items", foreign_keys=[meeting_id])
    application: Mapped[Application] = relationship()

    @property
    def has_votes(self) -> bool:
        return any(v is not None for v in (self.votes_for, self.votes_against,
                                           self.votes_abstain))


class MeetingDeparture(db.Model):
    """A member out of the room for one item, and the code of the conflict that sent them."""

    __tablename__ = "meeting_departure"
    __table_args__ = (UniqueConstraint("item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"),
                                         index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(30))
    left_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    item: Mapped[AgendaItem] = relationship()
    user: Mapped[User] = relationship(lazy="selectin")


class EvaluationReport(db.Model):
    """The board's written evaluation for one applicant, edited by the chair, sent once."""

    __tablename__ = "evaluation_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    body: Mapped[str] = mapped_column(Text, default="")
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    application: Mapped[Application] = relationship()

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
