"""Who may open which dossier: role x relation, decided by one query."""

import pytest

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.assignment import rules as access
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import Role
from icm_recruit.board import rules as board_rules
from icm_recruit.board.models import Conflict, ConflictSource, ConflictStatus
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.support import make_user

pytestmark = pytest.mark.services


@pytest.fixture
def world(ctx):
    call = make_call()
    applicant = make_user("applicant@example.org", Role.APPLICANT)
    application = make_application(call, applicant, status=ApplicationStatus.UNDER_REVIEW,
                                   complete=True)
    return call, application


def _member(email, *roles):
    return make_user(email, *roles or (Role.REVIEWER,))


def _assign(application, user, status=AssignmentStatus.ACTIVE):
    db.session.add(Assignment(application_id=application.id, reviewer_id=user.id,
                              status=status))
    db.session.commit()


def _conflict(application, user, status=ConflictStatus.CONFIRMED):
    db.session.add(Conflict(application_id=application.id, reviewer_id=user.id,
                            source=ConflictSource.INSTITUTION, status=status))
    db.session.commit()


@pytest.mark.parametrize("roles,relation,expected", [
    ((Role.REVIEWER,), "unrelated", False),
    ((Role.REVIEWER,), "assigned", True),
    ((Role.REVIEWER,), "assigned_declined", False),
    ((Role.REVIEWER,), "assigned_proposed", False),
    ((Role.REVIEWER,), "assigned_conflicted", False),
    ((Role.REVIEWER,), "assigned_suggested_conflict", False),
    ((Role.REVIEWER,), "assigned_dismissed_conflict", True),
    ((Role.CHAIR, Role.REVIEWER), "unrelated", True),
    ((Role.CHAIR, Role.REVIEWER), "conflicted", False),
    ((Role.ADMIN,), "unrelated", True),
    ((Role.ADMIN,), "own", False),
    ((Role.APPLICANT,), "unrelated", False),
    ((Role.APPLICANT,), "own", False),
])
def test_visible_applications(world, roles, relation, expected):
    _, application = world
    user = _member("member@example.org", *roles)
    if relation == "own":
        application.applicant_id = user.id
        db.session.commit()
    if relation.startswith("assigned"):
        status = {"assigned_declined": AssignmentStatus.DECLINED,
                  "assigned_proposed": AssignmentStatus.PROPOSED}.get(relation,
                                                                      AssignmentStatus.ACTIVE)
        _assign(application, user, status)
    if relation in ("conflicted", "assigned_conflicted"):
        _conflict(application, user)
    if relation == "assigned_suggested_conflict":
        _conflict(application, user, ConflictStatus.SUGGESTED)
    if relation == "assigned_dismissed_conflict":
        _conflict(application, user, ConflictStatus.DISMISSED)
    visible = db.session.scalars(access.visible_applications(user)).all()
    assert (application in visible) is expected
    assert access.can_open_dossier(user, application) is expected


def test_drafts_are_never_visible_to_the_board(world):
    call, _ = world
    draft = make_application(call, make_user("drafter@example.org"))
    chair = _member("chair@example.org", Role.CHAIR)
    assert draft not in db.session.scalars(access.visible_applications(chair)).all()


def test_title_list_hides_own_application(world):
    call, application = world
    member = _member("member2@example.org")
    application.applicant_id = member.id
    db.session.commit()
    assert db.session.scalars(board_rules.title_list_applications(member, call.id)).all() == []
