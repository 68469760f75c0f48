"""A call in review with one application, its board, documents and a letter."""

from dataclasses import dataclass
from datetime import timedelta

from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
    Document,
    RefereeRequest,
    RefereeStatus,
)
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.board.models import Conflict, ConflictSource, ConflictStatus
from icm_recruit.calls.models import Call, CallStatus, Criterion, DocumentKind
from icm_recruit.core import storage
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call, make_pdf
from tests.support import PASSWORD

_HASH: dict[str, str] = {}


def quick_user(email: str, *roles: Role, locale: str = "en", timezone: str = "Europe/Paris"
               ) -> User:
    """Create a user without paying for a fresh Argon2 hash each time."""
    if not _HASH:
        probe = User(email="probe@example.org", name="probe")
        probe.set_password(PASSWORD)
        _HASH["value"] = probe.password_hash
    user = User(email=email, name=email.split("@")[0].replace(".", " ").title(), locale=locale,
                timezone=timezone, password_hash=_HASH["value"], email_verified_at=utcnow())
    for role in roles:
        user.grant(role)
    db.session.add(user)
    db.session.commit()
    return user


def sign_in(client, user: User, **session_values) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session.update(session_values)


def review_call(slug: str = "review-2027", k: int = 3) -> Call:
    call = make_call(slug, status=CallStatus.IN_REVIEW, opens_in_days=-60, closes_in_days=-10,
                     reviewers_per_application=k)
    call.criteria.append(Criterion(
        name_en="Project", name_fr="Projet", weight=1.0, scale_min=0, scale_max=4, position=1,
        descriptors_en="Weak\nFair\nGood\nVery good\nOutstanding",
        descriptors_fr="Faible\nPassable\nBon\nTrès bon\nExceptionnel"))
    db.session.commit()
    return call


def assign(application: Application, user: User, *, due_in_days: float = 10,
           status=AssignmentStatus.ACTIVE) -> Assignment:
    now = utcnow()
    assignment = Assignment(application_id=application.id, reviewer_id=user.id, status=status,
                            due_at=now + timedelta(days=due_in_days), published_at=now)
    db.session.add(assignment)
    db.session.commit()
    return assignment


def add_documents(application: Application) -> tuple[Document, Document]:
    data = make_pdf(1)
    key = storage.store(data)
    cv = Document(application_id=application.id, kind=DocumentKind.CV, original_filename="cv.pdf",
                  size=len(data), pages=1, sha256=key, storage_key=key)
    letter_data = make_pdf(2)
    letter_key = storage.store(letter_data)
    letter = Document(application_id=application.id, kind=DocumentKind.LETTER,
                      original_filename="letter.pdf", size=len(letter_data), pages=2,
                      sha256=letter_key, storage_key=letter_key)
    db.session.add_all([cv, letter])
    db.session.flush()
    db.session.add(RefereeRequest(application_id=application.id, name="Prof. Referee",
                                  email="referee@example.org", expires_at=utcnow(),
                                  status=RefereeStatus.RECEIVED, letter_document_id=letter.id))
    db.session.commit()
    return cv, letter


@dataclass
class World:
    call: Call
    application: Application
    applicant: User
    hr: User
    chair: User
    member: User
    other: User
    conflicted: User
    outsider: User
    mine: Assignment
    others: Assignment
    conflicted_assignment: Assignment
    cv: Document
    letter: Document


def build_world(k: int = 3) -> World:
    call = review_call(k=k)
    applicant = quick_user("applicant@example.org", Role.APPLICANT)
    application = make_application(call, applicant, status=ApplicationStatus.UNDER_REVIEW,
                                   complete=True)
    hr = quick_user("hr@example.org", Role.ADMIN)
    chair = quick_user("chair@example.org", Role.CHAIR, Role.REVIEWER)
    member = quick_user("member@example.org", Role.REVIEWER)
    other = quick_user("other@example.org", Role.REVIEWER)
    conflicted = quick_user("conflicted@example.org", Role.REVIEWER)
    outsider = quick_user("outsider@example.org", Role.REVIEWER)
    mine, others = assign(application, member), assign(application, other)
    conflicted_assignment = assign(application, conflicted)
    db.session.add(Conflict(reviewer_id=conflicted.id, application_id=application.id,
                            source=ConflictSource.MANUAL, status=ConflictStatus.CONFIRMED))
    db.session.commit()
    cv, letter = add_documents(application)
    return World(call, application, applicant, hr, chair, member, other, conflicted, outsider,
                 mine, others, conflicted_assignment, cv, letter)


def full_review(call: Call, **overrides) -> dict:
    """Form data of a complete review."""
    data = {f"score_{c.id}": str(c.scale_max) for c in call.criteria}
    data.update(recommendation="interview", confidence="4",
                comments_to_board="A strong and original project.",
                feedback_for_applicant="Clear, ambitious plan.")
    data.update(overrides)
    return data
