"""Who may reach the board and assignment routes: role x route, and the live progress."""

import pytest

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import Role
from icm_recruit.board.models import Conflict, ConflictSource
from icm_recruit.core.jobs import JobKind, JobRun, JobStatus
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.board.factories import make_member, quick_user, sign_in
from tests.support import csrf_from

pytestmark = pytest.mark.services

ACTORS = {"anonymous": (), "applicant": (Role.APPLICANT,), "reviewer": (Role.REVIEWER,),
          "admin": (Role.ADMIN,)}
HR_GET = {"anonymous": 302, "applicant": 403, "reviewer": 403, "admin": 200}
HR_POST = {"anonymous": 302, "applicant": 403, "reviewer": 403, "admin": 302}
MEMBER_GET = {"anonymous": 302, "applicant": 403, "reviewer": 200, "admin": 403}
ROUTES = [
    ("GET", "/admin/board", HR_GET),
    ("POST", "/admin/board/members/{member}/deactivate", HR_POST),
    ("GET", "/admin/calls/{call}/conflicts", HR_GET),
    ("POST", "/admin/calls/{call}/conflicts/detect", HR_POST),
    ("POST", "/admin/conflicts/{conflict}/dismiss", HR_POST),
    ("GET", "/admin/calls/{call}/assignment", HR_GET),
    ("POST", "/admin/calls/{call}/assignment/run", HR_POST),
    ("GET", "/admin/jobs/{job}", HR_GET),
    ("POST", "/admin/assignments/{assignment}/lock", HR_POST),
    ("POST", "/admin/assignments/{assignment}/remove", HR_POST),
    # The application is not screened: HR reaches the confirmation step (409), no one else.
    ("POST", "/admin/calls/{call}/assignment/publish", {**HR_POST, "admin": 409}),
    ("GET", "/board", MEMBER_GET),
    ("GET", "/board/profile", MEMBER_GET),
    ("GET", "/board/calls/{call}", MEMBER_GET),
    ("GET", "/board/assignments", MEMBER_GET),
    ("POST", "/board/assignments/{assignment}/decline", {**MEMBER_GET, "reviewer": 403}),
]


@pytest.fixture
def world(ctx):
    call = make_call()
    applicant = quick_user("applicant@example.org", Role.APPLICANT)
    application = make_application(call, applicant, status=ApplicationStatus.SUBMITTED,
                                   complete=True)
    member = make_member("owner@example.org", "Assigned Member")
    assignment = Assignment(application_id=application.id, reviewer_id=member.user_id,
                            status=AssignmentStatus.PROPOSED)
    conflict = Conflict(application_id=application.id, reviewer_id=member.user_id,
                        source=ConflictSource.INSTITUTION)
    job = JobRun(kind=JobKind.ASSIGNMENT, call_id=call.id, status=JobStatus.RUNNING,
                 progress=40, result={})
    db.session.add_all([assignment, conflict, job])
    db.session.commit()
    return {"call": call.id, "member": member.id, "assignment": assignment.id,
            "conflict": conflict.id, "job": job.id}


@pytest.mark.parametrize("method,template,expected", ROUTES,
                         ids=[f"{m} {t}" for m, t, _ in ROUTES])
@pytest.mark.parametrize("actor", list(ACTORS))
def test_route_access(client, world, actor, method, template, expected):
    if ACTORS[actor]:
        sign_in(client, quick_user(f"{actor}-actor@example.org", *ACTORS[actor]))
    url = template.format(**world)
    if method == "GET":
        response = client.get(url)
    else:
        token = csrf_from(client.get("/login").get_data(as_text=True))
        response = client.post(url, data={"csrf_token": token, "reason": "r", "confirm": "y",
                                          "due_on": "2999-01-01"})
    assert response.status_code == expected[actor], response.get_data(as_text=True)[:300]


def test_progress_partial_polls_while_running_and_reloads_when_done(client, world):
    sign_in(client, quick_user("hr@example.org", Role.ADMIN))
    url = f"/admin/jobs/{world['job']}"
    running = client.get(url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in running.get_data(as_text=True)
    assert "40%" in running.get_data(as_text=True) and "HX-Refresh" not in running.headers
    job = db.session.get(JobRun, world["job"])
    job.status, job.progress = JobStatus.DONE, 100
    db.session.commit()
    done = client.get(url, headers={"HX-Request": "true"})
    assert done.headers["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.get_data(as_text=True)
