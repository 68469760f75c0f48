"""Board members, their per-call availability, conflicts of interest and bids."""

import enum
from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from icm_recruit.auth.models import User
from icm_recruit.board.registry import Entry
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.states import StateEnum
from icm_recruit.core.timeutil import UTCDateTime, utcnow
from icm_recruit.extensions import db
from icm_recruit.extensions import str_enum as _enum


class DigestPreference(enum.StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"


class BoardMember(db.Model):
    """The board profile of a user holding the reviewer (or chair) role."""

    __tablename__ = "board_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    affiliation: Mapped[str] = mapped_column(String(300), default="")
    # [{"name": "University of Oxford", "end_year": 2021}, ...]
    past_affiliations: Mapped[list] = mapped_column(db.JSON, default=list)
    country: Mapped[str] = mapped_column(String(2), default="")
    expertise_keywords: Mapped[str] = mapped_column(String(1000), default="")
    expertise_statement: Mapped[str] = mapped_column(Text, default="")
    # One co-author or close collaborator per line.
    coauthors: Mapped[str] = mapped_column(Text, default="")
    default_max_load: Mapped[int] = mapped_column(default=10)
    digest: Mapped[DigestPreference] = mapped_column(_enum(DigestPreference, 10),
                                                     default=DigestPreference.IMMEDIATE)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    call_settings: Mapped[list["MemberCallSetting"]] = relationship(
        back_populates="member", cascade="all, delete-orphan")

    __table_args__ = (db.CheckConstraint("default_max_load >= 0", name="max_load_positive"),)


class MemberCallSetting(db.Model):
    """A member's availability and maximum load for one call."""

    __tablename__ = "member_call_setting"
    __table_args__ = (
        UniqueConstraint("board_member_id", "call_id"),
        db.CheckConstraint("max_load >= 0", name="max_load_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_member_id: Mapped[int] = mapped_column(
        ForeignKey("board_member.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    available: Mapped[bool] = mapped_column(default=True)
    max_load: Mapped[int] = mapped_column(default=10)

    member: Mapped[BoardMember] = relationship(back_populates="call_settings")


class ConflictSource(enum.StrEnum):
    """Why a member may not review an application (DESIGN.md, plus self and exclusion)."""

    DECLARED = "declared"
    INSTITUTION = "institution"
    EMAIL_DOMAIN = "email_domain"
    REFEREE = "referee"
    COAUTHOR = "coauthor"
    MANUAL = "manual"
    SELF = "self"
    REQUESTED_EXCLUSION = "requested_exclusion"


class ConflictStatus(StateEnum):
    """Suggested by detection until HR decides; suggested and confirmed both block."""

    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"

    blocking: ClassVar[frozenset["ConflictStatus"]]


ConflictStatus.define(
    labels={
        ConflictStatus.SUGGESTED: _l("Suggested"),
        ConflictStatus.CONFIRMED: _l("Confirmed"),
        ConflictStatus.DISMISSED: _l("Dismissed"),
    },
    # Keeps the member away from the application: until HR dismisses it.
    blocking={ConflictStatus.SUGGESTED, ConflictStatus.CONFIRMED},
)


class Conflict(db.Model):
    __tablename__ = "conflict"
    __table_args__ = (UniqueConstraint("reviewer_id", "application_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                             index=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    source: Mapped[ConflictSource] = mapped_column(_enum(ConflictSource, 24))
    status: Mapped[ConflictStatus] = mapped_column(_enum(ConflictStatus, 10),
                                                   default=ConflictStatus.SUGGESTED)
    reason: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict] = mapped_column(db.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def blocks(self) -> bool:
        return self.status in ConflictStatus.blocking


class ConflictDeclaration(db.Model):
    """A member's own answer for one application: conflict or no conflict."""

    __tablename__ = "conflict_declaration"
    __table_args__ = (UniqueConstraint("reviewer_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                             index=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    has_conflict: Mapped[bool] = mapped_column()
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BidLevel(enum.StrEnum):
    EAGER = "eager"
    WILLING = "willing"
    NOT_WILLING = "not_willing"


class Bid(db.Model):
    __tablename__ = "bid"
    __table_args__ = (UniqueConstraint("reviewer_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                             index=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    level: Mapped[BidLevel] = mapped_column(_enum(BidLevel, 12))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class InstitutionKind(enum.StrEnum):
    """An institution, or a parent body whose units are not one institution."""

    INSTITUTION = "institution"
    UMBRELLA = "umbrella"


class Institution(db.Model):
    """An entry HR added to the institution registry the app ships (see board/registry.py)."""

    __tablename__ = "institution"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[InstitutionKind] = mapped_column(_enum(InstitutionKind, 12),
                                                  default=InstitutionKind.INSTITUTION)
    # Lists of strings: other names (any language), acronyms, e-mail domains, unit codes.
    aliases: Mapped[list] = mapped_column(db.JSON, default=list)
    acronyms: Mapped[list] = mapped_column(db.JSON, default=list)
    domains: Mapped[list] = mapped_column(db.JSON, default=list)
    units: Mapped[list] = mapped_column(db.JSON, default=list)
    parent: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def as_entry_view(self):
        """Return the entry as the registry reads it (names, acronyms, domains, units)."""
        return Entry.from_dict(self.as_entry(), local=True)

    def as_entry(self) -> dict:
        """Return the entry in the registry's data format."""
        return {"id": f"local-{self.id}", "name": self.name, "kind": self.kind.value,
                "aliases": list(self.aliases or []), "acronyms": list(self.acronyms or []),
                "domains": list(self.domains or []), "units": list(self.units or []),
                "parent": self.parent or None}
