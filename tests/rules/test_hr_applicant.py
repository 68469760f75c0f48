"""HR who applied is an applicant, not HR, for that application: on every HR page and
action, through HTTP. Another HR administrator handles it."""

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import Role
from icm_recruit.board.models import BoardMember, Conflict, ConflictSource, ConflictStatus
from icm_recruit.core import audit
from icm_recruit.core.outbox import queue_mail
from icm_recruit.extensions import db
from icm_recruit.selection.ranking import build_snapshot
from tests.applications.factories import make_application
from tests.board.factories import sign_in
from tests.selection.factories import (
    quick_user,
    reviewed_application,
    selection_call,
    submitted_review,
)
from tests.support import csrf_from

pytestmark = pytest.mark.services

REFUSAL = "This is your own application: another HR administrator handles it."


@pytest.fixture
def world(ctx):
    call = selection_call()
    criterion = call.criteria[0]
    hilda = quick_user("hilda@example.org", Role.ADMIN, Role.APPLICANT, name="Hilda Applies")
    colleague = quick_user("hugo@example.org", Role.ADMIN, name="Hugo Handles")
    secret = quick_user("secret.reviewer@example.org", Role.REVIEWER, name="Rosalind Secret")
    blocked = quick_user("blocked@example.org", Role.REVIEWER, name="Basil Blocked")
    for member in (secret, blocked):
        db.session.add(BoardMember(user_id=member.id, past_affiliations=[]))
    own = make_application(call, hilda, status=ApplicationStatus.UNDER_REVIEW, complete=True)
    own.reference = "ICM-2027-0777"
    other = reviewed_application(call, "other@example.org", name="Olga Other")
    db.session.commit()
    submitted_review(own, secret, {criterion: 4})
    submitted_review(other, secret, {criterion: 3})
    conflict = Conflict(reviewer_id=blocked.id, application_id=own.id,
                        source=ConflictSource.INSTITUTION, status=ConflictStatus.SUGGESTED,
                        reason="same institute")
    db.session.add(conflict)
    audit.record("assignment.added", actor=colleague, object_type="assignment",
                 object_id=1, application_id=own.id, reviewer_id=secret.id)
    audit.record("call.opened", actor=colleague, obj=call)
    audit.record("account.signed_in", actor=colleague)
    queue_mail(to="someone@example.org", template="review_declined", locale="en",
               key="probe-unrelated", context={"member": "x", "reason": "r", "url": "u"})
    queue_mail(to=secret.email, user=secret, template="review_declined", locale="en",
               key="probe-own", context={"member": "x", "reference": own.reference,
                                         "reason": "r", "url": "http://x"})
    db.session.commit()
    build_snapshot(call, by=colleague)
    db.session.commit()
    return {"call": call, "hilda": hilda, "colleague": colleague, "secret": secret,
            "blocked": blocked, "own": own, "other": other, "conflict": conflict}


def _member_row(html: str, name: str) -> str:
    """The per-member table row of one member, tags and all."""
    start = html.rindex("<tr", 0, html.rindex(name))
    return html[start:html.index("</tr>", start)]


def _refused(response) -> bool:
    body = response.get_data(as_text=True)
    return response.status_code == 403 and REFUSAL in body and "Open your application" in body


def test_hr_applicant_sees_nothing_of_who_reviews_her_file_on_any_hr_page(client, world):
    call, own = world["call"], world["own"]
    sign_in(client, world["hilda"])
    pages = {
        "applications": f"/admin/calls/{call.id}/applications",
        "conflicts": f"/admin/calls/{call.id}/conflicts",
        "assignment": f"/admin/calls/{call.id}/assignment",
        "progress": f"/review/calls/{call.id}/progress",
        "ranking": f"/selection/calls/{call.id}/ranking",
        "ranking.csv": f"/selection/calls/{call.id}/ranking.csv",
        "reviews.csv": f"/selection/calls/{call.id}/reviews.csv",
        "applications.csv": f"/admin/calls/{call.id}/applications.csv",
        "audit": "/admin/audit",
        "audit.csv": "/admin/audit.csv",
        "mailbox": "/admin/mailbox",
        "shortlist": f"/selection/calls/{call.id}/shortlist",
        "interviews": f"/selection/calls/{call.id}/interviews",
        "decisions": f"/selection/calls/{call.id}/decisions",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        body = response.get_data(as_text=True)
        if name == "applications":
            # Listed as her own, linked to the applicant's page, nothing more.
            assert "Your own application" in body
            assert f"/applications/{own.id}/status" in body, name
            assert f"/admin/applications/{own.id}\"" not in body, name
        elif name != "mailbox":
            # Every row of these pages and files names its application by reference.
            assert own.reference not in body, name
        assert f"conflict-{world['conflict'].id}" not in body, name
    mailbox = client.get("/admin/mailbox").get_data(as_text=True)
    assert "secret.reviewer@example.org" not in mailbox
    trail = client.get("/admin/audit.csv").get_data(as_text=True)
    assert "assignment.added" not in trail
    # What is not about her file stays in her trail and mailbox.
    assert "call.opened" in trail and "account.signed_in" in trail
    assert "someone@example.org" in mailbox
    # What she does not see is there for the HR person who handles her file.
    sign_in(client, world["colleague"])
    assert "secret.reviewer@example.org" in client.get("/admin/mailbox").get_data(as_text=True)
    assert "assignment.added" in client.get("/admin/audit.csv").get_data(as_text=True)
    assert own.reference in client.get(
        f"/review/calls/{call.id}/progress").get_data(as_text=True)
    sign_in(client, world["hilda"])
    # Loads on the assignment page count nothing of her file: the secret reviewer holds
    # two reviews in the call, she sees one.
    assignment_page = client.get(f"/admin/calls/{call.id}/assignment").get_data(as_text=True)
    assert assignment_page.count("Rosalind Secret") >= 1
    sign_in(client, world["colleague"])
    full_page = client.get(f"/admin/calls/{call.id}/assignment").get_data(as_text=True)
    sign_in(client, world["hilda"])
    assert _member_row(assignment_page, "Rosalind Secret") != _member_row(
        full_page, "Rosalind Secret")
    # The other application stays fully visible to her as HR.
    ranking_csv = client.get(f"/selection/calls/{call.id}/ranking.csv").get_data(as_text=True)
    assert world["other"].reference in ranking_csv and "Rosalind Secret" in ranking_csv


def test_every_hr_action_on_her_own_application_is_refused_with_a_reason(client, world):
    call, own, conflict = world["call"], world["own"], world["conflict"]
    sign_in(client, world["hilda"])
    token = csrf_from(client.get(f"/admin/calls/{call.id}/conflicts").get_data(as_text=True))
    attempts = {
        "hr page": client.get(f"/admin/applications/{own.id}"),
        "dossier": client.get(f"/review/applications/{own.id}"),
        "reviews": client.get(f"/review/applications/{own.id}/reviews"),
        "dismiss": client.post(f"/admin/conflicts/{conflict.id}/dismiss",
                               data={"csrf_token": token, "reason": "not a conflict"}),
        "manual conflict": client.post(f"/admin/calls/{call.id}/conflicts/manual", data={
            "csrf_token": token, "member": world["secret"].id, "application": own.id,
            "reason": "I would rather not"}),
        "add reviewer": client.post(f"/admin/calls/{call.id}/assignment/add", data={
            "csrf_token": token, "application_id": own.id,
            "member_id": world["blocked"].id}),
        "screening": client.post(f"/admin/applications/{own.id}/screening", data={
            "csrf_token": token, "decision": "eligible", "reason": ""}),
    }
    for name, response in attempts.items():
        assert _refused(response), (name, response.status_code)
    db.session.expire_all()
    assert db.session.get(Conflict, conflict.id).status == ConflictStatus.SUGGESTED
    assert db.session.scalar(select(Conflict).where(
        Conflict.source == ConflictSource.MANUAL)) is None
    assert db.session.scalar(select(Assignment).where(
        Assignment.reviewer_id == world["blocked"].id)) is None
    # Her own applicant pages still work.
    assert client.get(f"/applications/{own.id}/status").status_code == 200


def test_another_hr_person_handles_it(client, world):
    call, own, conflict = world["call"], world["own"], world["conflict"]
    sign_in(client, world["colleague"])
    assert client.get(f"/admin/applications/{own.id}").status_code == 200
    page = client.get(f"/admin/calls/{call.id}/conflicts").get_data(as_text=True)
    assert "Basil Blocked" in page
    response = client.post(f"/admin/conflicts/{conflict.id}/dismiss",
                           data={"csrf_token": csrf_from(page), "reason": "other institute"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Conflict, conflict.id).status == ConflictStatus.DISMISSED
    assert db.session.scalar(select(Assignment.status).where(
        Assignment.application_id == own.id)) == AssignmentStatus.DONE


def test_the_policy_reads_who_applied_with_the_reader_on_every_request(client, world):
    """The application page answers its policy from a fact read with the reader (HR who
    never applied acts as HR everywhere, without loading the application): the fact is
    read again on each request, so HR who applies a moment later is refused at once."""
    colleague, other = world["colleague"], world["other"]
    sign_in(client, colleague)
    assert client.get(f"/admin/applications/{other.id}").status_code == 200
    assert client.get(f"/admin/applications/{other.id + 1000}").status_code == 404
    later = selection_call(slug="later-call")
    hers = make_application(later, colleague, status=ApplicationStatus.SUBMITTED,
                            complete=True)
    db.session.commit()
    assert _refused(client.get(f"/admin/applications/{hers.id}"))
    # Another's application is still hers to handle, and a missing one is still missing.
    assert client.get(f"/admin/applications/{other.id}").status_code == 200
    assert client.get(f"/admin/applications/{other.id + 1000}").status_code == 404
    sign_in(client, world["hilda"])
    assert client.get(f"/admin/applications/{other.id}").status_code == 200
    assert client.get(f"/admin/applications/{other.id + 1000}").status_code == 404
