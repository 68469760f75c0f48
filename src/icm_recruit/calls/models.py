"""Calls, their evaluation criteria and the documents they require."""

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from flask_babel import get_locale
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.states import StateEnum
from icm_recruit.core.timeutil import UTCDateTime, to_zone, utcnow
from icm_recruit.extensions import db
from icm_recruit.extensions import str_enum as _enum


class CallStatus(StateEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    IN_REVIEW = "in_review"
    SELECTION = "selection"
    DECIDED = "decided"
    ARCHIVED = "archived"

    editable: ClassVar[frozenset["CallStatus"]]
    on_board: ClassVar[frozenset["CallStatus"]]
    reviewing: ClassVar[frozenset["CallStatus"]]
    in_selection: ClassVar[frozenset["CallStatus"]]
    finished: ClassVar[frozenset["CallStatus"]]
    late_entries: ClassVar[frozenset["CallStatus"]]


CallStatus.define(
    labels={
        CallStatus.DRAFT: _l("Draft"),
        CallStatus.OPEN: _l("Open"),
        CallStatus.CLOSED: _l("Closed"),
        CallStatus.IN_REVIEW: _l("In review"),
        CallStatus.SELECTION: _l("Selection"),
        CallStatus.DECIDED: _l("Decided"),
        CallStatus.ARCHIVED: _l("Archived"),
    },
    # HR may still change its settings: until it closes.
    editable={CallStatus.DRAFT, CallStatus.OPEN},
    # Shown to board members: from its opening until the selection ends.
    on_board={CallStatus.OPEN, CallStatus.CLOSED, CallStatus.IN_REVIEW, CallStatus.SELECTION},
    # HR follows its review progress: closed, until the selection ends.
    reviewing={CallStatus.CLOSED, CallStatus.IN_REVIEW, CallStatus.SELECTION},
    # On the selection pages: closed, until decided.
    in_selection={CallStatus.CLOSED, CallStatus.IN_REVIEW, CallStatus.SELECTION,
                  CallStatus.DECIDED},
    # Decided or archived: its retention period runs.
    finished={CallStatus.DECIDED, CallStatus.ARCHIVED},
    # A personal deadline HR granted still runs: open, or closed and its review not begun.
    late_entries={CallStatus.OPEN, CallStatus.CLOSED},
)

# The one way forward through a call's life; HR moves it one step at a time.
NEXT_STATUS = {
    CallStatus.DRAFT: CallStatus.OPEN,
    CallStatus.OPEN: CallStatus.CLOSED,
    CallStatus.CLOSED: CallStatus.IN_REVIEW,
    CallStatus.IN_REVIEW: CallStatus.SELECTION,
    CallStatus.SELECTION: CallStatus.DECIDED,
    CallStatus.DECIDED: CallStatus.ARCHIVED,
}


class DocumentKind(enum.StrEnum):
    CV = "cv"
    RESEARCH_PROJECT = "research_project"
    PUBLICATIONS = "publications"
    LETTER = "letter"
    OTHER = "other"
    # Asked at a later stage of a call (the full proposal after a short synopsis).
    FULL_PROPOSAL = "full_proposal"


DOCUMENT_KIND_LABELS = {
    DocumentKind.CV: _l("Curriculum vitae"),
    DocumentKind.RESEARCH_PROJECT: _l("Research project"),
    DocumentKind.PUBLICATIONS: _l("Publication list"),
    DocumentKind.LETTER: _l("Reference letter"),
    DocumentKind.OTHER: _l("Other document"),
    DocumentKind.FULL_PROPOSAL: _l("Full research proposal"),
}

# Documents an applicant uploads (letters come from referees).
APPLICANT_KINDS = [DocumentKind.CV, DocumentKind.RESEARCH_PROJECT, DocumentKind.PUBLICATIONS,
                   DocumentKind.OTHER]
# Asked only at a later stage of a call.
LATER_STAGE_KINDS = [DocumentKind.FULL_PROPOSAL]
DEFAULT_DOCUMENT_RULES = [
    {"kind": "cv", "required": True, "max_mb": 5, "max_pages": 6},
    {"kind": "research_project", "required": True, "max_mb": 10, "max_pages": 12},
    {"kind": "publications", "required": True, "max_mb": 5, "max_pages": 10},
    {"kind": "other", "required": False, "max_mb": 10, "max_pages": 20},
]
LETTER_RULE = {"kind": "letter", "required": False, "max_mb": 5, "max_pages": 6}



def localized(obj, field: str) -> str:
    """Return obj.<field>_fr or _en in the current language, falling back to the other."""
    lang = str(get_locale() or "en")
    first, second = ("fr", "en") if lang == "fr" else ("en", "fr")
    return getattr(obj, f"{field}_{first}") or getattr(obj, f"{field}_{second}") or ""


class DocumentRules:
    """What a call (its first stage) or a later stage asks the applicant to upload."""

    document_rules: list

    def rules(self) -> dict[str, dict]:
        """Return the document rules by kind, for the kinds asked for."""
        return {rule["kind"]: rule for rule in self.document_rules or []}

    @property
    def required_kinds(self) -> list[DocumentKind]:
        return [DocumentKind(r["kind"]) for r in self.document_rules or [] if r.get("required")]

    @property
    def allowed_kinds(self) -> list[DocumentKind]:
        return [DocumentKind(r["kind"]) for r in self.document_rules or []]


class Call(DocumentRules, db.Model):
    __tablename__ = "call"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="closes_after_opens"),
        CheckConstraint("reviewers_per_application >= 1", name="positive_k"),
        CheckConstraint("referees_required >= 0 AND referees_required <= 5",
                        name="referees_range"),
        CheckConstraint("summary_word_limit >= 50", name="summary_limit_min"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title_en: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    reviewers_per_application: Mapped[int] = mapped_column(default=3)
    referees_required: Mapped[int] = mapped_column(default=2)
    summary_word_limit: Mapped[int] = mapped_column(default=500)
    document_rules: Mapped[list] = mapped_column(db.JSON, default=list)
    status: Mapped[CallStatus] = mapped_column(_enum(CallStatus, 12), default=CallStatus.DRAFT,
                                               index=True)
    # The stage the board evaluates now (1 for a call of one stage): its assignments,
    # reviews and ranking are the live ones; earlier stages' are kept as they were.
    current_stage: Mapped[int] = mapped_column(default=1, server_default="1")
    # HR lets the chair plan the interview visits and record the decisions of this call
    # (selection.rules.chair_acts_on); the chair always runs meetings and reports.
    chair_runs_selection: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    # The first stage's review form (a call of one stage has only this one).
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Criterion.position",
        primaryjoin="and_(Criterion.call_id == Call.id, Criterion.stage == 1)",
        lazy="selectin")
    # Loaded when asked for: most pages never look at the stages of a call of one stage.
    stages: Mapped[list["CallStage"]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="CallStage.position")

    def __repr__(self) -> str:
        return f"<Call {self.slug} {self.status}>"

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def status_label(self) -> str:
        return str(self.status.label)

    @property
    def next_status(self) -> CallStatus | None:
        return NEXT_STATUS.get(self.status)

    @property
    def reference_year(self) -> int:
        return to_zone(self.closes_at).year


    def rule_for(self, kind: DocumentKind | str) -> dict | None:
        if str(kind) == DocumentKind.LETTER:
            return LETTER_RULE
        rule = self.rules().get(str(kind))
        if rule is None:
            stage = self.stage_asking(kind)
            rule = stage.rules().get(str(kind)) if stage else None
        return rule

    def stage_asking(self, kind: DocumentKind | str) -> "CallStage | None":
        """The later stage that asks for this kind of document, if any."""
        return next((s for s in self.stages if not s.is_first and str(kind) in s.rules()),
                    None)

    def is_accepting(self, now: datetime) -> bool:
        """Applications can be started, edited and submitted now."""
        return self.status == CallStatus.OPEN and self.opens_at <= now < self.closes_at

    def is_visible_to_applicants(self) -> bool:
        return self.status != CallStatus.DRAFT

    def is_editable(self) -> bool:
        return self.status in CallStatus.editable

    # ------------------------------------------------------------------ stages

    @property
    def stage_count(self) -> int:
        return max(len(self.stages), 1)

    @property
    def is_staged(self) -> bool:
        return len(self.stages) > 1

    def stage(self, position: int) -> "CallStage | None":
        return next((s for s in self.stages if s.position == position), None)

    def stage_name(self, position: int) -> str:
        stage = self.stage(position)
        if stage is not None:
            return stage.name
        return str(_l("Stage %(n)s", n=position))

    @property
    def is_last_stage(self) -> bool:
        return self.current_stage >= self.stage_count

    def criteria_of(self, position: int) -> list["Criterion"]:
        """The review form of one stage: the first stage's is the call's own."""
        if position == 1:
            return list(self.criteria)
        stage = self.stage(position)
        if stage is None or not stage.own_criteria:
            return list(self.criteria)
        return list(stage.own_criteria)

    def k_of(self, position: int) -> int:
        """Reviewers per application at one stage."""
        if position == 1:
            return self.reviewers_per_application
        stage = self.stage(position)
        if stage is None or not stage.reviewers_per_application:
            return self.reviewers_per_application
        return stage.reviewers_per_application

    @property
    def review_criteria(self) -> list["Criterion"]:
        """The review form of the stage the board evaluates now."""
        return self.criteria_of(self.current_stage)

    @property
    def review_k(self) -> int:
        return self.k_of(self.current_stage)


class RefereeMode(StateEnum):
    NONE = "none"  # no letters at this stage
    APPLICANT = "applicant"  # the applicant names their referees
    INSTITUTION = "institution"  # HR or the chair names them; the applicant is only told


RefereeMode.define(labels={
    RefereeMode.NONE: _l("No reference letters at this stage"),
    RefereeMode.APPLICANT: _l("Referees named by the applicant"),
    RefereeMode.INSTITUTION: _l("Referees chosen by the institution"),
})


@dataclass(frozen=True)
class StageSection:
    """A text a later stage asks the applicant to write, within a word limit."""

    key: str
    title_en: str
    title_fr: str
    word_limit: int
    required: bool = True

    @property
    def title(self) -> str:
        return localized(self, "title")


class CallStage(DocumentRules, db.Model):
    """One step of a call's evaluation: what the applicant provides, how the board reviews.

    A call of one stage needs no row; once HR adds a second stage, the first is a row too
    (its name and outcome setting), while its documents, form and k stay the call's own.
    """

    __tablename__ = "call_stage"
    __table_args__ = (
        UniqueConstraint("call_id", "position"),
        CheckConstraint("position >= 1", name="position_positive"),
        CheckConstraint("reviewers_per_application IS NULL OR reviewers_per_application >= 1",
                        name="stage_positive_k"),
        CheckConstraint("referees_required >= 0 AND referees_required <= 5",
                        name="stage_referees_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    # What the applicant is asked for at this stage, shown in their portal.
    instructions_en: Mapped[str] = mapped_column(Text, default="")
    instructions_fr: Mapped[str] = mapped_column(Text, default="")
    # Later stages: the documents the applicant adds, and by when (UTC).
    document_rules: Mapped[list] = mapped_column(db.JSON, default=list)
    # Later stages: texts the applicant writes, each within a word limit:
    # [{"key", "title_en", "title_fr", "word_limit", "required"}].
    sections: Mapped[list] = mapped_column(db.JSON, default=list, server_default="[]")
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewers_per_application: Mapped[int | None] = mapped_column()
    review_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    referee_mode: Mapped[RefereeMode] = mapped_column(_enum(RefereeMode, 12),
                                                      default=RefereeMode.NONE)
    referees_required: Mapped[int] = mapped_column(default=0)
    # The applicants who do not go on receive this stage's outcome letter.
    notify_outcome: Mapped[bool] = mapped_column(default=True)
    # When the stage was opened to the applicants who went on to it.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    call: Mapped[Call] = relationship(back_populates="stages")
    own_criteria: Mapped[list["Criterion"]] = relationship(
        primaryjoin="and_(Criterion.call_id == CallStage.call_id, "
                    "Criterion.stage == CallStage.position)",
        foreign_keys="[Criterion.call_id, Criterion.stage]",
        order_by="Criterion.position", viewonly=True, lazy="selectin")

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def instructions(self) -> str:
        return localized(self, "instructions")

    @property
    def is_first(self) -> bool:
        return self.position == 1

    @property
    def text_sections(self) -> list["StageSection"]:
        return [StageSection(**row) for row in self.sections or []]

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None



class Criterion(db.Model):
    __tablename__ = "criterion"
    __table_args__ = (
        CheckConstraint("weight > 0", name="positive_weight"),
        CheckConstraint("scale_min < scale_max", name="scale_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    # The stage whose review form it belongs to.
    stage: Mapped[int] = mapped_column(default=1, server_default="1")
    position: Mapped[int] = mapped_column(default=0)
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    # One line per score level, from scale_min upwards.
    descriptors_en: Mapped[str] = mapped_column(Text, default="")
    descriptors_fr: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[float] = mapped_column(default=1.0)
    scale_min: Mapped[int] = mapped_column(default=1)
    scale_max: Mapped[int] = mapped_column(default=5)

    call: Mapped[Call] = relationship(back_populates="criteria")

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")

    def descriptors(self) -> list[tuple[int, str]]:
        """Return (score, text) pairs in the current language."""
        lines = [line.strip() for line in localized(self, "descriptors").splitlines()]
        return [(self.scale_min + i, text) for i, text in enumerate(lines) if text]


def call_by_slug(slug: str) -> Call | None:
    return db.session.scalar(select(Call).where(Call.slug == slug))


def database_now() -> datetime:
    """Return the database's current time (aware UTC); on PostgreSQL the real clock."""
    if db.session.get_bind().dialect.name == "postgresql":
        value = db.session.scalar(select(func.clock_timestamp()))
        return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)
    return utcnow()
