"""Factories for the selection tests: board members, reviewed applications, slots."""

import re
from datetime import timedelta

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.board.models import Conflict, ConflictSource, ConflictStatus
from icm_recruit.calls.models import CallStatus
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.selection.models import InterviewPanelist, InterviewSlot
from tests.applications.factories import make_application, make_call
from tests.support import PASSWORD

_HASH = {}


def quick_user(email: str, *roles: Role, name: str | None = None, locale: str = "en") -> User:
    """Create a verified user without paying for a fresh Argon2 hash each time."""
    if not _HASH:
        probe = User(email="probe@example.org", name="probe")
        probe.set_password(PASSWORD)
        _HASH["value"] = probe.password_hash
    user = User(email=email, name=name or email.split("@")[0].title(), locale=locale,
                password_hash=_HASH["value"], email_verified_at=utcnow())
    for role in roles or (Role.APPLICANT,):
        user.grant(role)
    db.session.add(user)
    db.session.commit()
    return user


def selection_call(slug: str = "selection-2027"):
    return make_call(slug, status=CallStatus.SELECTION, opens_in_days=-60, closes_in_days=-30)


def reviewed_application(call, email: str, *, status=ApplicationStatus.UNDER_REVIEW,
                         locale: str = "en", name: str | None = None):
    applicant = quick_user(email, Role.APPLICANT, locale=locale, name=name)
    return make_application(call, applicant, status=status, complete=True)


def make_slot(call, panel, *, days: int = 5, hour_utc: int = 9, duration: int = 45,
              location: str = "Room 2.14") -> InterviewSlot:
    start = (utcnow() + timedelta(days=days)).replace(hour=hour_utc, minute=0, second=0,
                                                     microsecond=0)
    slot = InterviewSlot(call_id=call.id, starts_at=start, duration_minutes=duration,
                         location=location)
    slot.panelists = [InterviewPanelist(user_id=u.id) for u in panel]
    db.session.add(slot)
    db.session.commit()
    return slot


def make_conflict(reviewer, application) -> Conflict:
    conflict = Conflict(reviewer_id=reviewer.id, application_id=application.id,
                        source=ConflictSource.MANUAL, status=ConflictStatus.CONFIRMED,
                        reason="former colleague")
    db.session.add(conflict)
    db.session.commit()
    return conflict


def submitted_review(application, reviewer, scores: dict):
    """Record an active assignment and a submitted review with {criterion: score}."""
    from icm_recruit.assignment.models import Assignment, AssignmentStatus
    from icm_recruit.reviews.models import Recommendation, Review, ReviewScore, ReviewStatus

    assignment = Assignment(application_id=application.id, reviewer_id=reviewer.id,
                            status=AssignmentStatus.DONE)
    db.session.add(assignment)
    db.session.flush()
    review = Review(assignment_id=assignment.id, status=ReviewStatus.SUBMITTED,
                    recommendation=Recommendation.DISCUSS, confidence=3,
                    submitted_at=utcnow(), comments_to_board="=HYPERLINK(\"http://x\")",
                    feedback_for_applicant="Strong project.")
    review.scores = [ReviewScore(criterion_id=c.id, scale_min=c.scale_min,
                                 scale_max=c.scale_max, score=value)
                     for c, value in scores.items()]
    db.session.add(review)
    db.session.commit()
    return review


def confirm(client, url: str, **kwargs):
    """Open a confirmation page (shortlist outcomes, decision letters) and confirm it."""
    from tests.support import post_form

    page = client.get(url).get_data(as_text=True)
    found = re.search(r'name="fingerprint" type="hidden" value="(\w+)"', page)
    assert found, "the page asks for a confirmation"
    return post_form(client, url, {"fingerprint": found.group(1)}, **kwargs)
