"""A small world in which every route of the access matrix has an object to point at."""

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
from icm_recruit.board.models import BoardMember, Conflict, ConflictSource, ConflictStatus
from icm_recruit.calls.models import CallStatus
from icm_recruit.core import storage
from icm_recruit.core.jobs import JobKind, JobRun
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call, make_pdf
from tests.support import make_user

PERSONAS = ["anonymous", "owner", "other_applicant", "reviewer", "conflicted_reviewer",
            "unassigned_reviewer", "chair", "conflicted_chair", "admin"]


@dataclass
class World:
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)


def _document(application, kind=DocumentKind.CV):
    data = make_pdf() + f"{application.id}{kind}".encode()
    key = storage.store(data)
    document = Document(application_id=application.id, kind=kind, original_filename="f.pdf",
                        size=len(data), pages=1, sha256=key, storage_key=key)
    db.session.add(document)
    db.session.flush()
    return document


def build_world() -> World:
    world = World()
    roles = {"owner": [Role.APPLICANT], "other_applicant": [Role.APPLICANT],
             "reviewer": [Role.REVIEWER], "conflicted_reviewer": [Role.REVIEWER],
             "unassigned_reviewer": [Role.REVIEWER], "chair": [Role.CHAIR, Role.REVIEWER],
             "conflicted_chair": [Role.CHAIR, Role.REVIEWER], "admin": [Role.ADMIN]}
    for name, persona_roles in roles.items():
        world.users[name] = make_user(f"{name.replace('_', '.')}@example.org", *persona_roles,
                                      name=name.replace("_", " ").title())
    call = make_call(status=CallStatus.IN_REVIEW, opens_in_days=-40, closes_in_days=-1)
    target = make_application(call, world.users["owner"], complete=True,
                              status=ApplicationStatus.UNDER_REVIEW)
    other = make_application(call, world.users["other_applicant"], complete=True,
                             status=ApplicationStatus.UNDER_REVIEW)
    cv = _document(target)
    letter = _document(target, DocumentKind.LETTER)
    referee = RefereeRequest(application_id=target.id, name="Prof. Ref", email="r@example.org",
                             expires_at=utcnow() + timedelta(days=3),
                             status=RefereeStatus.RECEIVED, letter_document_id=letter.id)
    db.session.add(referee)
    for name in ("reviewer", "conflicted_reviewer", "unassigned_reviewer", "chair",
                 "conflicted_chair"):
        db.session.add(BoardMember(user_id=world.users[name].id))
    assignment = Assignment(application_id=target.id, reviewer_id=world.users["reviewer"].id,
                            status=AssignmentStatus.ACTIVE, due_at=utcnow() + timedelta(days=9))
    conflicted = Assignment(application_id=target.id,
                            reviewer_id=world.users["conflicted_reviewer"].id,
                            status=AssignmentStatus.ACTIVE, due_at=utcnow() + timedelta(days=9))
    db.session.add_all([assignment, conflicted])
    conflicts = [Conflict(application_id=target.id, reviewer_id=world.users[name].id,
                          source=ConflictSource.INSTITUTION, status=ConflictStatus.CONFIRMED,
                          reason="Same institution")
                 for name in ("conflicted_reviewer", "conflicted_chair")]
    suggested = Conflict(application_id=other.id, reviewer_id=world.users["reviewer"].id,
                         source=ConflictSource.COAUTHOR, status=ConflictStatus.SUGGESTED)
    db.session.add_all([*conflicts, suggested])
    job = JobRun(kind=JobKind.ASSIGNMENT, call_id=call.id)
    db.session.add(job)
    message = OutboxMessage(recipient="x@example.org", template="t", idempotency_key="w:1",
                            subject="s", body_text="b")
    db.session.add(message)
    db.session.flush()
    member = db.session.query(BoardMember).filter_by(user_id=world.users["reviewer"].id).one()
    world.ids.update(
        call_id=call.id, slug=call.slug, application_id=target.id, document_id=cv.id,
        request_id=referee.id, assignment_id=assignment.id, conflict_id=suggested.id,
        job_id=job.id, message_id=message.id, member_id=member.id,
        user_id=world.users["owner"].id, letter_id=letter.id,
    )
    _selection_objects(world, call, target)
    db.session.commit()
    return world


def _selection_objects(world: World, call, target) -> None:
    try:
        from icm_recruit.selection.models import (
            Interview,
            InterviewPanelist,
            InterviewSlot,
            InterviewStatus,
        )
    except ImportError:
        return
    slot = InterviewSlot(call_id=call.id, starts_at=utcnow() + timedelta(days=10),
                         duration_minutes=45, location="Room 1")
    db.session.add(slot)
    db.session.flush()
    db.session.add(InterviewPanelist(slot_id=slot.id, user_id=world.users["reviewer"].id))
    interview = Interview(application_id=target.id, slot_id=slot.id,
                          status=InterviewStatus.BOOKED, booked_at=utcnow())
    db.session.add(interview)
    db.session.flush()
    world.ids.update(slot_id=slot.id, interview_id=interview.id)
