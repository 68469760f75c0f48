"""Interview visit planning: the time windows HR proposes and the panel's answers.

A window is a stretch of time (a morning, a day) in which visits could take place; each
panel member says whether they are free then. HR fixes interview slots inside a window
once the panel is free; from then on the window's answers are kept as they were.
"""

from datetime import datetime, timedelta
from typing import ClassVar

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from icm_recruit.applications.models import Application
from icm_recruit.calls.models import Call
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.states import StateEnum
from icm_recruit.core.timeutil import UTCDateTime, utcnow
from icm_recruit.extensions import db
from icm_recruit.extensions import str_enum as _enum


class Availability(StateEnum):
    YES = "yes"
    IF_NEEDED = "if_needed"
    NO = "no"

    free: ClassVar[frozenset["Availability"]]


Availability.define(labels={
    Availability.YES: _l("Yes"),
    Availability.IF_NEEDED: _l("If needed"),
    Availability.NO: _l("No"),
}, free={Availability.YES, Availability.IF_NEEDED})


class VisitWindow(db.Model):
    """A time in which HR could hold interview visits of a call.

    `application_id` narrows the window to one candidate's visit; without it the window is
    for every shortlisted candidate of the call.
    """

    __tablename__ = "visit_window"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_visit_window_call_start", "call_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when HR fixes the first slot in it: the answers no longer change.
    fixed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    call: Mapped[Call] = relationship()
    application: Mapped[Application | None] = relationship()
    answers: Mapped[list["VisitAvailability"]] = relationship(
        back_populates="window", cascade="all, delete-orphan", lazy="selectin")

    @property
    def is_fixed(self) -> bool:
        return self.fixed_at is not None

    def answer_of(self, user_id: int) -> "Availability | None":
        return next((a.answer for a in self.answers if a.user_id == user_id), None)


class VisitAvailability(db.Model):
    """One panel member's answer for one window."""

    __tablename__ = "visit_availability"
    __table_args__ = (UniqueConstraint("window_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("visit_window.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         index=True)
    answer: Mapped[Availability] = mapped_column(_enum(Availability, 10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                 onupdate=utcnow)

    window: Mapped[VisitWindow] = relationship(back_populates="answers")


class VisitSlot(db.Model):
    """An interview slot HR fixed in a visit window.

    The slot lives on if the window goes: candidates may have booked it.
    """

    __tablename__ = "visit_slot"

    slot_id: Mapped[int] = mapped_column(
        ForeignKey("interview_slot.id", ondelete="CASCADE"), primary_key=True)
    window_id: Mapped[int] = mapped_column(
        ForeignKey("visit_window.id", ondelete="CASCADE"), index=True)


class VisitPartKind(StateEnum):
    SEMINAR = "seminar"
    CHALK_TALK = "chalk_talk"
    PANEL_INTERVIEW = "panel_interview"
    LAB_VISIT = "lab_visit"
    OTHER = "other"


VisitPartKind.define(labels={
    VisitPartKind.SEMINAR: _l("Seminar"),
    VisitPartKind.CHALK_TALK: _l("Chalk talk"),
    VisitPartKind.PANEL_INTERVIEW: _l("Panel interview"),
    VisitPartKind.LAB_VISIT: _l("Lab visit"),
    VisitPartKind.OTHER: _l("Other"),
})
# The words of the .ics, which one file gives both the candidate and the panel.
ICS_WORDS = {
    VisitPartKind.SEMINAR: "Seminar / Séminaire",
    VisitPartKind.CHALK_TALK: "Chalk talk / Présentation au tableau",
    VisitPartKind.PANEL_INTERVIEW: "Panel interview / Entretien avec le jury",
    VisitPartKind.LAB_VISIT: "Lab visit / Visite de laboratoire",
    VisitPartKind.OTHER: "Other / Autre",
}


class VisitPart(db.Model):
    """One part of the visit of whoever holds an interview slot: a seminar, a lab visit."""

    __tablename__ = "visit_part"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0 AND duration_minutes <= 480",
                        name="duration_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("interview_slot.id", ondelete="CASCADE"), index=True)
    kind: Mapped[VisitPartKind] = mapped_column(_enum(VisitPartKind, 20))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(default=60)
    place: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def kind_label(self) -> str:
        return str(self.kind.label)
