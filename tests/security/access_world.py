"""A small world in which every route of the access matrix has an object to point at.

Most personas look at the target application. HR who applied to the same call looks at
their own application, which has the same kinds of objects as the target; two board
members got their conflict with the target late, through the real operations: one after
submitting a review, one after being put on the interview panel.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from icm_recruit.applications.models import (
    ApplicationStatus,
    Document,
    DocumentKind,
    RefereeRequest,
    RefereeStatus,
)
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import Role
from icm_recruit.board import operations as board_ops
from icm_recruit.board.models import (
    BoardMember,
    Conflict,
    ConflictSource,
    ConflictStatus,
    Institution,
)
from icm_recruit.calls.models import CallStatus
from icm_recruit.core import storage
from icm_recruit.core.jobs import JobKind, JobRun
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call, make_pdf
from tests.selection.factories import submitted_review
from tests.support import make_user

PERSONAS = ["anonymous", "owner", "other_applicant", "reviewer", "conflicted_reviewer",
            "unassigned_reviewer", "chair", "conflicted_chair", "admin",
            "reviewer_conflicted_after_review", "panelist_conflicted_after_panel",
            "hr_applicant"]
ROLES = {"owner": [Role.APPLICANT], "other_applicant": [Role.APPLICANT],
         "reviewer": [Role.REVIEWER], "conflicted_reviewer": [Role.REVIEWER],
         "unassigned_reviewer": [Role.REVIEWER], "chair": [Role.CHAIR, Role.REVIEWER],
         "conflicted_chair": [Role.CHAIR, Role.REVIEWER], "admin": [Role.ADMIN],
         "reviewer_conflicted_after_review": [Role.REVIEWER],
         "panelist_conflicted_after_panel": [Role.REVIEWER],
         "hr_applicant": [Role.ADMIN, Role.APPLICANT]}
BOARD_PERSONAS = ("reviewer", "conflicted_reviewer", "unassigned_reviewer", "chair",
                  "conflicted_chair", "reviewer_conflicted_after_review",
                  "panelist_conflicted_after_panel")


@dataclass
class World:
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)
    # Per persona, the URL values that point at their own objects rather than the target's.
    own_ids: dict = field(default_factory=dict)

    def ids_for(self, persona: str) -> dict:
        """Return the URL values this persona's requests are made with."""
        return {**self.ids, **self.own_ids.get(persona, {})}


def _document(application, kind=DocumentKind.CV):
    data = make_pdf() + f"{application.id}{kind}".encode()
    key = storage.store(data)
    document = Document(application_id=application.id, kind=kind, original_filename="f.pdf",
                        size=len(data), pages=1, sha256=key, storage_key=key)
    db.session.add(document)
    db.session.flush()
    return document


def _application_files(application, referee_email: str) -> dict:
    """Give the application a CV and a received referee letter; return their ids."""
    cv = _document(application)
    letter = _document(application, DocumentKind.LETTER)
    referee = RefereeRequest(application_id=application.id, name="Prof. Ref",
                             email=referee_email, expires_at=utcnow() + timedelta(days=3),
                             status=RefereeStatus.RECEIVED, letter_document_id=letter.id)
    db.session.add(referee)
    db.session.flush()
    return {"application_id": application.id, "document_id": cv.id, "letter_id": letter.id,
            "request_id": referee.id}


def build_world() -> World:
    world = World()
    for name, persona_roles in ROLES.items():
        world.users[name] = make_user(f"{name.replace('_', '.')}@example.org", *persona_roles,
                                      name=name.replace("_", " ").title())
    call = make_call(status=CallStatus.IN_REVIEW, opens_in_days=-40, closes_in_days=-1)
    # The chair may plan visits and record decisions here: the conflicted chair is refused.
    call.chair_runs_selection = True
    target = make_application(call, world.users["owner"], complete=True,
                              status=ApplicationStatus.UNDER_REVIEW)
    other = make_application(call, world.users["other_applicant"], complete=True,
                             status=ApplicationStatus.UNDER_REVIEW)
    own = make_application(call, world.users["hr_applicant"], complete=True,
                           status=ApplicationStatus.UNDER_REVIEW)
    world.ids.update(_application_files(target, "r@example.org"))
    world.own_ids["hr_applicant"] = _application_files(own, "r2@example.org")
    for name in BOARD_PERSONAS:
        db.session.add(BoardMember(user_id=world.users[name].id))
    db.session.flush()
    _assignments_and_conflicts(world, call, target, other, own)
    institution = Institution(name="Institut Tagada", aliases=["Centre Zorglub"], acronyms=[],
                              domains=[], units=[], parent="")
    job = JobRun(kind=JobKind.ASSIGNMENT, call_id=call.id)
    message = OutboxMessage(recipient="x@example.org", template="t", idempotency_key="w:1",
                            subject="s", body_text="b")
    db.session.add_all([job, message, institution])
    db.session.flush()
    member = db.session.query(BoardMember).filter_by(user_id=world.users["reviewer"].id).one()
    world.ids.update(call_id=call.id, slug=call.slug, job_id=job.id, message_id=message.id,
                     institution_id=institution.id,
                     member_id=member.id, user_id=world.users["owner"].id,
                     spare_reviewer_id=world.users["unassigned_reviewer"].id,
                     kind="password_reset")  # a kind of mail, for HR's e-mail texts
    _selection_objects(world, call, target, own)
    _meeting_objects(world, call, target, own)
    _late_conflicts(world, target)
    db.session.commit()
    return world


def _assignments_and_conflicts(world: World, call, target, other, own) -> None:
    users = world.users
    assignment, conflicted = (
        Assignment(application_id=target.id, reviewer_id=users[name].id,
                   status=AssignmentStatus.ACTIVE, due_at=utcnow() + timedelta(days=9))
        for name in ("reviewer", "conflicted_reviewer"))
    db.session.add_all([assignment, conflicted])
    db.session.add_all([Conflict(application_id=target.id, reviewer_id=users[name].id,
                                 source=ConflictSource.INSTITUTION,
                                 status=ConflictStatus.CONFIRMED, reason="Same institution")
                        for name in ("conflicted_reviewer", "conflicted_chair")])
    suggested = Conflict(application_id=other.id, reviewer_id=users["reviewer"].id,
                         source=ConflictSource.COAUTHOR, status=ConflictStatus.SUGGESTED)
    own_suggested = Conflict(application_id=own.id,
                             reviewer_id=users["unassigned_reviewer"].id,
                             source=ConflictSource.COAUTHOR, status=ConflictStatus.SUGGESTED)
    db.session.add_all([suggested, own_suggested])
    db.session.flush()
    scores = dict.fromkeys(call.criteria, 4)
    late = submitted_review(target, users["reviewer_conflicted_after_review"], scores)
    own_review = submitted_review(own, users["reviewer"], scores)
    world.ids.update(assignment_id=assignment.id, conflict_id=suggested.id)
    world.own_ids["hr_applicant"].update(assignment_id=own_review.assignment_id,
                                         conflict_id=own_suggested.id)
    world.own_ids["reviewer_conflicted_after_review"] = {"assignment_id": late.assignment_id}


def _selection_objects(world: World, call, target, own) -> None:
    from icm_recruit.selection.models import (
        Interview,
        InterviewPanelist,
        InterviewSlot,
        InterviewStatus,
    )

    panels = {target: ("reviewer", "panelist_conflicted_after_panel"), own: ("reviewer",)}
    made = {}
    for days, (application, panel) in enumerate(panels.items(), start=10):
        slot = InterviewSlot(call_id=call.id, starts_at=utcnow() + timedelta(days=days),
                             duration_minutes=45, location="Room 1")
        db.session.add(slot)
        db.session.flush()
        db.session.add_all([InterviewPanelist(slot_id=slot.id, user_id=world.users[name].id)
                            for name in panel])
        interview = Interview(application_id=application.id, slot_id=slot.id,
                              status=InterviewStatus.BOOKED, booked_at=utcnow())
        db.session.add(interview)
        db.session.flush()
        made[application] = {"slot_id": slot.id, "interview_id": interview.id}
    world.ids.update(made[target])
    world.own_ids["hr_applicant"].update(made[own])
    _visit_windows(world, call, target, own)


def _visit_windows(world: World, call, target, own) -> None:
    """A visit window for the target's visit, and one for HR's own application."""
    from icm_recruit.selection.visit_models import VisitWindow

    for application, key in ((target, None), (own, "hr_applicant")):
        start = utcnow() + timedelta(days=20)
        window = VisitWindow(call_id=call.id, application_id=application.id,
                             starts_at=start, ends_at=start + timedelta(hours=8))
        db.session.add(window)
        db.session.flush()
        (world.own_ids[key] if key else world.ids)["window_id"] = window.id


def _meeting_objects(world: World, call, target, own) -> None:
    """A meeting of the call whose agenda holds both applications, the target under
    discussion, every board persona invited; each application's report already sent."""
    from icm_recruit.meeting.models import (
        AgendaItem,
        EvaluationReport,
        Meeting,
        MeetingMember,
    )

    meeting = Meeting(call_id=call.id, starts_at=utcnow() + timedelta(days=2),
                      duration_minutes=120, location="Board room")
    meeting.members = [MeetingMember(user_id=world.users[name].id) for name in BOARD_PERSONAS]
    items = {application: AgendaItem(application_id=application.id, position=position)
             for position, application in enumerate((target, own), start=1)}
    meeting.items = list(items.values())
    db.session.add(meeting)
    db.session.flush()
    meeting.current_item_id = items[target].id
    db.session.add_all([EvaluationReport(application_id=a.id, body="The board's view.",
                                         sent_at=utcnow()) for a in (target, own)])
    db.session.flush()
    world.ids.update(meeting_id=meeting.id, item_id=items[target].id)
    world.own_ids["hr_applicant"]["item_id"] = items[own].id


def _late_conflicts(world: World, target) -> None:
    """Block two members from the target after their review and their panel seat."""
    board_ops.declare(world.users["reviewer_conflicted_after_review"], target,
                      has_conflict=True, reason="My former student, I noticed too late.")
    board_ops.add_manual_conflict(reviewer=world.users["panelist_conflicted_after_panel"],
                                  application=target, reason="Co-author on a 2024 paper.",
                                  by=world.users["admin"])
    db.session.flush()
