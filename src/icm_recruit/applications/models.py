"""Applications, their documents and the reference letters asked from referees."""

from datetime import datetime
from typing import ClassVar

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from icm_recruit.auth.models import User
from icm_recruit.calls.models import DOCUMENT_KIND_LABELS, Call, CallStatus, DocumentKind
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.states import StateEnum
from icm_recruit.core.timeutil import UTCDateTime, utcnow
from icm_recruit.extensions import db
from icm_recruit.extensions import str_enum as _enum

MAX_EXCLUDED_REVIEWERS = 3


class ApplicationStatus(StateEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    INELIGIBLE = "ineligible"
    UNDER_REVIEW = "under_review"
    REJECTED = "rejected"
    SHORTLISTED = "shortlisted"
    INTERVIEW = "interview"
    OFFERED = "offered"
    WAITLISTED = "waitlisted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    seen_by_board: ClassVar[frozenset["ApplicationStatus"]]
    in_review: ClassVar[frozenset["ApplicationStatus"]]
    withdrawable: ClassVar[frozenset["ApplicationStatus"]]
    referees_open: ClassVar[frozenset["ApplicationStatus"]]
    screenable: ClassVar[frozenset["ApplicationStatus"]]
    eligible: ClassVar[frozenset["ApplicationStatus"]]
    past_review: ClassVar[frozenset["ApplicationStatus"]]
    shortlisting: ClassVar[frozenset["ApplicationStatus"]]
    interviewable: ClassVar[frozenset["ApplicationStatus"]]
    at_decision: ClassVar[frozenset["ApplicationStatus"]]
    decidable: ClassVar[frozenset["ApplicationStatus"]]
    offer_made: ClassVar[frozenset["ApplicationStatus"]]
    screened: ClassVar[frozenset["ApplicationStatus"]]


ApplicationStatus.define(
    labels={
        ApplicationStatus.DRAFT: _l("Draft"),
        ApplicationStatus.SUBMITTED: _l("Submitted"),
        ApplicationStatus.INELIGIBLE: _l("Not eligible"),
        ApplicationStatus.UNDER_REVIEW: _l("Under review"),
        ApplicationStatus.REJECTED: _l("Not selected"),
        ApplicationStatus.SHORTLISTED: _l("Shortlisted"),
        ApplicationStatus.INTERVIEW: _l("Interview"),
        ApplicationStatus.OFFERED: _l("Offer made"),
        ApplicationStatus.WAITLISTED: _l("Waiting list"),
        ApplicationStatus.ACCEPTED: _l("Offer accepted"),
        ApplicationStatus.DECLINED: _l("Offer declined"),
        ApplicationStatus.WITHDRAWN: _l("Withdrawn"),
    },
    # Board members see it: submitted, and every state the board's review leads to.
    seen_by_board={
        ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW,
        ApplicationStatus.REJECTED, ApplicationStatus.SHORTLISTED,
        ApplicationStatus.INTERVIEW, ApplicationStatus.OFFERED,
        ApplicationStatus.WAITLISTED, ApplicationStatus.ACCEPTED,
        ApplicationStatus.DECLINED,
    },
    # Reviews are still awaited: reminders stop once an application leaves this group.
    # Also the states in which the applicant may change it, before the deadline, as a new
    # submitted version.
    in_review={ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW},
    # The applicant may still withdraw: any state before a decision.
    withdrawable={
        ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED,
        ApplicationStatus.UNDER_REVIEW, ApplicationStatus.SHORTLISTED,
        ApplicationStatus.INTERVIEW,
    },
    # The applicant may still name, remind or replace referees.
    referees_open={ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED},
    # HR may (again) check its eligibility: submitted, until the board's review ends.
    screenable={
        ApplicationStatus.SUBMITTED, ApplicationStatus.INELIGIBLE, ApplicationStatus.UNDER_REVIEW,
    },
    # Found eligible by HR: under review or any state the review leads to.
    eligible={
        ApplicationStatus.UNDER_REVIEW, ApplicationStatus.REJECTED,
        ApplicationStatus.SHORTLISTED, ApplicationStatus.INTERVIEW,
        ApplicationStatus.OFFERED, ApplicationStatus.WAITLISTED,
        ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED,
    },
    # The board's review is over: not shortlisted, or on to interview and decision.
    past_review={
        ApplicationStatus.REJECTED, ApplicationStatus.SHORTLISTED,
        ApplicationStatus.INTERVIEW, ApplicationStatus.OFFERED,
        ApplicationStatus.WAITLISTED, ApplicationStatus.ACCEPTED,
        ApplicationStatus.DECLINED,
    },
    # On the shortlist page: reviewed and waiting for a mark, or marked.
    shortlisting={
        ApplicationStatus.UNDER_REVIEW, ApplicationStatus.SHORTLISTED, ApplicationStatus.REJECTED,
    },
    # May be given, or may book, an interview slot.
    interviewable={ApplicationStatus.SHORTLISTED, ApplicationStatus.INTERVIEW},
    # On HR's decisions page: interviewed, or decided.
    at_decision={
        ApplicationStatus.INTERVIEW, ApplicationStatus.OFFERED,
        ApplicationStatus.WAITLISTED, ApplicationStatus.REJECTED,
        ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED,
    },
    # HR may send a decision letter: after the interview, or from the waiting list.
    decidable={ApplicationStatus.INTERVIEW, ApplicationStatus.WAITLISTED},
    # An offer was made, whatever the answer.
    offer_made={ApplicationStatus.OFFERED, ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED},
    # HR or the board has looked at it: found ineligible, or eligible and reviewed onwards.
    screened={
        ApplicationStatus.INELIGIBLE, ApplicationStatus.UNDER_REVIEW,
        ApplicationStatus.REJECTED, ApplicationStatus.SHORTLISTED,
        ApplicationStatus.INTERVIEW, ApplicationStatus.OFFERED,
        ApplicationStatus.WAITLISTED, ApplicationStatus.ACCEPTED,
        ApplicationStatus.DECLINED,
    },
)


class RefereeStatus(StateEnum):
    REQUESTED = "requested"
    RECEIVED = "received"
    DECLINED = "declined"
    CANCELLED = "cancelled"

    replaceable: ClassVar[frozenset["RefereeStatus"]]


RefereeStatus.define(
    labels={
        RefereeStatus.REQUESTED: _l("Requested"),
        RefereeStatus.RECEIVED: _l("Received"),
        RefereeStatus.DECLINED: _l("Declined"),
        RefereeStatus.CANCELLED: _l("Withdrawn by you"),
    },
    # No letter came: the applicant may withdraw the request and name someone else.
    replaceable={RefereeStatus.REQUESTED, RefereeStatus.DECLINED},
)


def count_words(text: str | None) -> int:
    return len((text or "").split())


class Application(db.Model):
    __tablename__ = "application"
    __table_args__ = (
        UniqueConstraint("call_id", "applicant_id"),
        CheckConstraint("phd_year IS NULL OR (phd_year >= 1950 AND phd_year <= 2100)",
                        name="phd_year_range"),
        # HR's list, newest first, reads its page in this order (migration 0026).
        Index("ix_application_call_submitted", "call_id",
              text("submitted_at DESC NULLS LAST"), text("id DESC")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="RESTRICT"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                              index=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        _enum(ApplicationStatus, 20), default=ApplicationStatus.DRAFT, index=True)
    current_position: Mapped[str] = mapped_column(String(200), default="")
    institution: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2), default="", index=True)
    phd_year: Mapped[int | None] = mapped_column()
    title: Mapped[str] = mapped_column(String(300), default="")
    keywords: Mapped[str] = mapped_column(String(500), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    publications: Mapped[str] = mapped_column(Text, default="")
    excluded_reviewers: Mapped[list] = mapped_column(db.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    screened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    screened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    screening_reason: Mapped[str | None] = mapped_column(Text)
    dossier_key: Mapped[str | None] = mapped_column(String(100))
    # A personal deadline HR granted this applicant (e.g. after a technical problem).
    extended_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extension_reason: Mapped[str | None] = mapped_column(Text)
    # The number of the latest submitted version (0 for a draft never submitted).
    version: Mapped[int] = mapped_column(default=0, server_default="0")
    # A change of the submitted application the applicant has started and not yet
    # submitted: the dossier fields as they are typing them, and the kinds of documents
    # they removed ("removed"). HR and the board read the submitted version meanwhile.
    pending_changes: Mapped[dict | None] = mapped_column(db.JSON)
    change_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The stage of its call it has reached (1 until it goes on to a later one).
    stage: Mapped[int] = mapped_column(default=1, server_default="1")

    call: Mapped[Call] = relationship()
    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id])
    documents: Mapped[list["Document"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Document.id")
    referee_requests: Mapped[list["RefereeRequest"]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="RefereeRequest.id")
    versions: Mapped[list["ApplicationVersion"]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="ApplicationVersion.number")

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.reference} {self.status}>"

    @property
    def status_label(self) -> str:
        return str(self.status.label)

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in (self.keywords or "").split(",") if k.strip()]

    @property
    def summary_words(self) -> int:
        return count_words(self.summary)

    @property
    def deadline(self) -> datetime:
        """The applicant's deadline: the call's, or the later personal one HR granted."""
        closes_at = self.call.closes_at
        if self.extended_until is not None and self.extended_until > closes_at:
            return self.extended_until
        return closes_at

    def extension_runs(self, now: datetime) -> bool:
        """A personal deadline lets this draft in after the call's deadline, now."""
        call = self.call
        return (self.status == ApplicationStatus.DRAFT and self.extended_until is not None
                and call.status in CallStatus.late_entries
                and call.opens_at <= now < self.extended_until)

    def before_deadline(self, now: datetime) -> bool:
        """The call (or the applicant's personal deadline) still takes submissions now."""
        call = self.call
        if call.is_accepting(now):
            return True
        return (self.extended_until is not None and call.status in CallStatus.late_entries
                and call.opens_at <= now < self.extended_until)

    def may_change_submitted(self, now: datetime) -> bool:
        """The applicant may start changing their submitted application now."""
        return self.status in ApplicationStatus.in_review and self.before_deadline(now)

    @property
    def changing(self) -> bool:
        """A change of the submitted application is open (maybe past its deadline)."""
        return self.pending_changes is not None and self.status != ApplicationStatus.DRAFT

    def accepts_changes(self, now: datetime) -> bool:
        """The applicant may still edit and submit this draft, or the change of their
        submitted application they opened, now."""
        if self.status == ApplicationStatus.DRAFT:
            return self.call.is_accepting(now) or self.extension_runs(now)
        return self.changing and self.may_change_submitted(now)

    @property
    def latest_version(self) -> "ApplicationVersion | None":
        return self.versions[-1] if self.versions else None

    def current_documents(self) -> dict[DocumentKind, "Document"]:
        return {d.kind: d for d in self.documents
                if d.is_current and d.kind != DocumentKind.LETTER}

    def active_referees(self) -> list["RefereeRequest"]:
        """Every referee asked and not withdrawn, those the institution chose included."""
        return [r for r in self.referee_requests if r.status != RefereeStatus.CANCELLED]

    def named_referees(self) -> list["RefereeRequest"]:
        """The referees the applicant named (and has not withdrawn)."""
        return [r for r in self.active_referees() if not r.chosen_by_institution]

    def withdrawn_referees(self) -> list["RefereeRequest"]:
        """The last withdrawn request of each referee not named again since."""
        named = {r.email for r in self.named_referees()}
        latest = {r.email: r for r in sorted(self.referee_requests, key=lambda r: r.id)
                  if r.status == RefereeStatus.CANCELLED and r.email not in named
                  and not r.chosen_by_institution}
        return list(latest.values())

    def checklist(self) -> list[tuple[str, str, bool]]:
        """Return (anchor, label, done) for everything submission needs."""
        call = self.call
        items = [
            ("position", _l("Current position and institution"),
             bool(self.current_position.strip() and self.institution.strip())),
            ("position", _l("Country"), bool(self.country)),
            ("position", _l("Year of the PhD"), self.phd_year is not None),
            ("research", _l("Research title"), bool(self.title.strip())),
            ("research", _l("Keywords"), bool(self.keyword_list)),
            ("research", _l("Research summary within %(n)d words", n=call.summary_word_limit),
             0 < self.summary_words <= call.summary_word_limit),
            # The typed list, next to the document of the same name a call may ask for.
            ("publications-section", _l("Publications typed in the form"),
             bool(self.publications.strip())),
        ]
        documents = self.current_documents()
        for kind in call.required_kinds:
            items.append(("documents", DOCUMENT_KIND_LABELS[kind], kind in documents))
        if call.referees_required:
            named = len(self.named_referees())
            items.append(("referees", _l("Referees named: %(named)d of %(needed)d",
                                         named=min(named, call.referees_required),
                                         needed=call.referees_required),
                          named >= call.referees_required))
        return items

    def missing(self) -> list[str]:
        return [str(label) for _anchor, label, done in self.checklist() if not done]


class Document(db.Model):
    __tablename__ = "document"
    __table_args__ = (
        # One current file per kind; letters hang off their referee request instead.
        Index("uq_document_current_kind", "application_id", "kind", unique=True,
              postgresql_where=text("is_current AND kind <> 'letter'"),
              sqlite_where=text("is_current AND kind <> 'letter'")),
        CheckConstraint("size > 0", name="not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(_enum(DocumentKind, 20))
    original_filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column()
    pages: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100))
    is_current: Mapped[bool] = mapped_column(default=True)
    # Uploaded during a change of the submitted application: it becomes the current file
    # of its kind when the change is submitted, and is seen by its applicant only until then.
    pending: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Text of the first pages, read once for expertise matching ("" if it has none).
    text_excerpt: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="documents")

    @property
    def kind_label(self) -> str:
        return str(DOCUMENT_KIND_LABELS[self.kind])

    @property
    def download_name(self) -> str:
        """A safe name built from our own data, never from the uploaded name."""
        return f"{self.application.reference or self.application_id}-{self.kind.value}.pdf"


class ApplicationVersion(db.Model):
    """One submitted state of an application: the first submission, then each change the
    applicant submitted before the deadline. Kept, never changed."""

    __tablename__ = "application_version"
    __table_args__ = (UniqueConstraint("application_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The dossier fields as submitted, and {document kind: document id} of its files.
    fields: Mapped[dict] = mapped_column(db.JSON, default=dict)
    documents: Mapped[dict] = mapped_column(db.JSON, default=dict)
    # What differs from the version before: field names and "document:<kind>".
    changes: Mapped[list] = mapped_column(db.JSON, default=list)

    application: Mapped[Application] = relationship(back_populates="versions")


class RefereeRequest(db.Model):
    __tablename__ = "referee_request"
    __table_args__ = (
        Index("ix_referee_request_pending", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    institution: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(2), default="en")
    # Only the SHA-256 of the link's token is kept: a database leak opens no letter page.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[RefereeStatus] = mapped_column(_enum(RefereeStatus, 12),
                                                  default=RefereeStatus.REQUESTED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminders_sent: Mapped[int] = mapped_column(default=0)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    letter_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL"))
    # The stage that asked for the letter, and whether HR or the chair chose the referee
    # (then the applicant is told only that a letter was asked for and when it came).
    stage: Mapped[int] = mapped_column(default=1, server_default="1")
    chosen_by_institution: Mapped[bool] = mapped_column(default=False,
                                                        server_default=text("false"))

    application: Mapped[Application] = relationship(back_populates="referee_requests")
    letter: Mapped[Document | None] = relationship(foreign_keys=[letter_document_id])

    @property
    def status_label(self) -> str:
        return str(self.status.label)

    def is_pending(self, now: datetime) -> bool:
        return self.status == RefereeStatus.REQUESTED and now < self.expires_at

    def replace_until(self) -> datetime:
        """Until when a sent letter may be replaced: the applicant's deadline, within the
        link's own validity."""
        return min(self.application.deadline, self.expires_at)

    def may_replace_letter(self, now: datetime) -> bool:
        """The referee may send a new letter in place of the one received, now: before the
        applicant's deadline, while the application is not yet in the board's hands."""
        application = self.application
        return (self.status == RefereeStatus.RECEIVED and self.letter_document_id is not None
                and application.status in ApplicationStatus.referees_open
                and now < self.expires_at and application.before_deadline(now))


TAG_MAX_LENGTH = 40


class ApplicationTag(db.Model):
    """A free label HR puts on an application ('strong', 'check eligibility'): HR's only."""

    __tablename__ = "application_tag"
    __table_args__ = (
        UniqueConstraint("application_id", "tag"),
        CheckConstraint(f"tag = lower(tag) AND length(tag) BETWEEN 1 AND {TAG_MAX_LENGTH}",
                        name="normalised"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(TAG_MAX_LENGTH))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SavedSearch(db.Model):
    """A search of a call's applications one HR user named to run again."""

    __tablename__ = "saved_search"
    __table_args__ = (UniqueConstraint("user_id", "call_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # The list's query-string filters (q, status, country, tag, sort), as HR left them.
    params: Mapped[dict] = mapped_column(db.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StageProgress(StateEnum):
    OPEN = "open"  # asked for this stage's part of the dossier
    SUBMITTED = "submitted"  # sent it in time
    MISSED = "missed"  # its deadline passed without it: kept, not lost


StageProgress.define(labels={
    StageProgress.OPEN: _l("Waiting for the applicant"),
    StageProgress.SUBMITTED: _l("Sent in"),
    StageProgress.MISSED: _l("Deadline missed"),
})


class StageVerdict(StateEnum):
    ADVANCE = "advance"
    STOP = "stop"


StageVerdict.define(labels={
    StageVerdict.ADVANCE: _l("Goes on to the next stage"),
    StageVerdict.STOP: _l("Does not go on"),
})


class ApplicationStage(db.Model):
    """Where one application stands in one stage of a staged call.

    The mark HR or the chair set after the stage's ranking (with its reason) stays a mark
    until the next stage is opened; the outcome letter goes out later, once, by a job.
    """

    __tablename__ = "application_stage"
    __table_args__ = (UniqueConstraint("application_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    stage: Mapped[int] = mapped_column()
    # The applicant's part of a later stage.
    progress: Mapped[StageProgress | None] = mapped_column(_enum(StageProgress, 10))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The texts the stage asks for, by section key (kept even if a section is removed).
    texts: Mapped[dict] = mapped_column(db.JSON, default=dict, server_default="{}")
    texts_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The board's verdict at the end of the stage.
    verdict: Mapped[StageVerdict | None] = mapped_column(_enum(StageVerdict, 10))
    reason: Mapped[str] = mapped_column(Text, default="")
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the outcome letter was queued (exactly once).
    told_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship()

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None


def ready_for_stage_review():
    """SQL condition on Application: the board may review it at the stage it is at (the
    first stage, or a later one whose part the applicant sent in)."""
    from sqlalchemy import exists, or_

    return or_(Application.stage == 1, exists().where(
        ApplicationStage.application_id == Application.id,
        ApplicationStage.stage == Application.stage,
        ApplicationStage.progress == StageProgress.SUBMITTED))
