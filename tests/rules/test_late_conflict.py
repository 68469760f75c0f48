"""A conflict that arrives late reaches everything, and dismissing it restores it all.

Played through HTTP: a member who reviewed an application and sits on its interview panel
declares a conflict; HR later dismisses it.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import Role
from icm_recruit.board.models import BoardMember, Conflict, ConflictSource
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.selection import interviews
from icm_recruit.selection.models import Interview, InterviewStatus
from icm_recruit.selection.queries import latest_snapshot
from icm_recruit.selection.ranking import build_snapshot
from tests.board.factories import sign_in
from tests.selection.factories import (
    make_slot,
    quick_user,
    reviewed_application,
    selection_call,
    submitted_review,
)
from tests.support import csrf_from

pytestmark = pytest.mark.services


@pytest.fixture
def world(ctx):
    call = selection_call()
    criterion = call.criteria[0]  # scale 1..5: 2 is 2.5 of 10, 4 is 7.5
    hr = quick_user("hr@example.org", Role.ADMIN, name="Helena Ressources")
    late = quick_user("late@example.org", Role.REVIEWER, name="Laurent Tardif")
    steady = quick_user("steady@example.org", Role.REVIEWER, name="Stella Constant")
    spare = quick_user("spare@example.org", Role.REVIEWER, name="Sam Libre")
    chair = quick_user("chair@example.org", Role.CHAIR, Role.REVIEWER, name="Clara Chair")
    application = reviewed_application(call, "cand@example.org", name="Camille Candidate")
    submitted_review(application, late, {criterion: 2})
    submitted_review(application, steady, {criterion: 4})
    application.status = ApplicationStatus.INTERVIEW
    slot = make_slot(call, [late, steady], days=1, hour_utc=9)
    interview = Interview(application_id=application.id, slot_id=slot.id,
                          status=InterviewStatus.BOOKED, booked_at=utcnow())
    db.session.add(interview)
    db.session.commit()
    build_snapshot(call, by=hr)
    db.session.commit()
    return {"call": call, "hr": hr, "chair": chair, "late": late, "steady": steady, "spare": spare,
            "application": application, "interview": interview, "slot": slot}


def _declare(client, application, page_url):
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(f"/board/applications/{application.id}/declaration",
                       data={"csrf_token": token, "answer": "conflict",
                             "reason": "We wrote a grant together last year."})


def _mean(call, application):
    snapshot = latest_snapshot(call.id)
    (row,) = [r for r in snapshot.rows if r.application_id == application.id]
    return row.n_reviews, row.mean


def test_conflict_after_review_and_panel_reaches_everything_and_dismissal_restores_it(
        client, world, mail):
    call, application, late = world["call"], world["application"], world["late"]
    interview = world["interview"]
    assert _mean(call, application) == (2, pytest.approx(5.0))

    sign_in(client, late)
    assert application.reference in client.get("/panel/interviews").get_data(as_text=True)
    response = _declare(client, application, f"/board/calls/{call.id}")
    assert response.status_code == 302
    assert "is recorded" in client.get(response.location).get_data(as_text=True)

    # The panel seat is gone: not listed, not reachable, no reminder.
    page = client.get("/panel/interviews").get_data(as_text=True)
    assert application.reference not in page
    assert client.get(f"/panel/interviews/{interview.id}").status_code == 403
    db.session.expire_all()
    assert late.id not in interview.slot.panel_ids
    interviews.send_reminders(now=interview.slot.starts_at - timedelta(hours=2))
    reminded = set(db.session.scalars(select(OutboxMessage.recipient).where(
        OutboxMessage.template == "selection_interview_reminder")))
    assert "late@example.org" not in reminded and "steady@example.org" in reminded

    # HR is told, with a replacement free at that time; the member gets a cancellation.
    (told,) = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.template == "selection_panel_seat_withdrawn"))
    assert told.recipient == "hr@example.org" and "Sam Libre" in told.body_text
    assert db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == "late@example.org",
        OutboxMessage.template == "selection_interview",
        OutboxMessage.subject.contains("cancelled"))) is not None

    # The review stops counting in the ranking and the exports, and is marked for HR.
    assert _mean(call, application) == (1, pytest.approx(7.5))
    sign_in(client, world["hr"])
    ranking_csv = client.get(f"/selection/calls/{call.id}/ranking.csv").get_data(as_text=True)
    assert "Laurent Tardif" not in ranking_csv and "Stella Constant" in ranking_csv
    reviews_csv = client.get(f"/selection/calls/{call.id}/reviews.csv").get_data(as_text=True)
    (late_row,) = [line for line in reviews_csv.splitlines() if "Laurent Tardif" in line]
    assert late_row.endswith("no: conflict of interest")
    reviews_page = client.get(f"/review/applications/{application.id}/reviews")
    html = reviews_page.get_data(as_text=True)
    assert "Not counted: conflict of interest." in html and "grant together" in html
    # The progress page shows the application short of one reviewer and one review.
    progress = client.get(f"/review/calls/{call.id}/progress").get_data(as_text=True)
    row = progress[progress.rindex("<tr", 0, progress.rindex(application.reference)):]
    row = row[:row.index("</tr>")]
    assert f"<td>1 / {call.reviewers_per_application}" in row and "<td>1</td>" in row
    # The rest of the board no longer reads a review that a conflict took out.
    sign_in(client, world["chair"])
    chair_page = client.get(f"/review/applications/{application.id}/reviews")
    assert chair_page.status_code == 200
    assert "Laurent Tardif" not in chair_page.get_data(as_text=True)
    assert "Stella Constant" in chair_page.get_data(as_text=True)
    sign_in(client, world["hr"])

    # HR dismisses the conflict: seat, ranking and count come back, each step audited.
    conflict = db.session.scalar(select(Conflict).where(
        Conflict.reviewer_id == late.id, Conflict.source == ConflictSource.DECLARED))
    token = csrf_from(client.get(f"/admin/calls/{call.id}/conflicts").get_data(as_text=True))
    response = client.post(f"/admin/conflicts/{conflict.id}/dismiss",
                           data={"csrf_token": token, "reason": "Checked: no joint grant."})
    assert response.status_code == 302
    db.session.expire_all()
    assert late.id in interview.slot.panel_ids
    assert _mean(call, application) == (2, pytest.approx(5.0))
    assert "Not counted" not in client.get(
        f"/review/applications/{application.id}/reviews").get_data(as_text=True)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"conflict.declared", "interview.panel_seat_withdrawn", "conflict.dismissed",
            "interview.panel_seat_restored", "ranking.computed"} <= actions
    sign_in(client, late)
    assert application.reference in client.get("/panel/interviews").get_data(as_text=True)


def test_conflict_on_an_active_assignment_ends_it_and_dismissal_gives_it_back(client, ctx):
    from tests.reviews.helpers import build_world

    world = build_world()
    db.session.add(BoardMember(user_id=world.member.id, past_affiliations=[]))
    db.session.commit()
    sign_in(client, world.hr)
    call = world.call
    page = client.get(f"/admin/calls/{call.id}/conflicts").get_data(as_text=True)
    token = csrf_from(page)
    response = client.post(f"/admin/calls/{call.id}/conflicts/manual", data={
        "csrf_token": token, "member": world.member.id, "application": world.application.id,
        "reason": "Same department until June."})
    assert response.status_code == 302
    db.session.expire_all()
    assignment = db.session.get(Assignment, world.mine.id)
    assert assignment.status == AssignmentStatus.DECLINED and assignment.ended_by_conflict
    sign_in(client, world.member)
    assert client.get(f"/review/applications/{world.application.id}").status_code == 403
    assert world.application.reference not in client.get("/review/").get_data(as_text=True)

    sign_in(client, world.hr)
    conflict = db.session.scalar(select(Conflict).where(
        Conflict.reviewer_id == world.member.id, Conflict.source == ConflictSource.MANUAL))
    token = csrf_from(client.get(f"/admin/calls/{call.id}/conflicts").get_data(as_text=True))
    client.post(f"/admin/conflicts/{conflict.id}/dismiss",
                data={"csrf_token": token, "reason": "Entered by mistake."})
    db.session.expire_all()
    assignment = db.session.get(Assignment, world.mine.id)
    assert assignment.status == AssignmentStatus.ACTIVE and not assignment.ended_by_conflict
    sign_in(client, world.member)
    assert client.get(f"/review/applications/{world.application.id}").status_code == 200


def test_a_blank_reason_is_refused_with_a_message_and_changes_nothing(client, ctx):
    from tests.reviews.helpers import build_world

    world = build_world()
    sign_in(client, world.hr)
    conflict = db.session.scalar(select(Conflict).where(
        Conflict.reviewer_id == world.conflicted.id))
    page = f"/admin/calls/{world.call.id}/conflicts"
    token = csrf_from(client.get(page).get_data(as_text=True))
    response = client.post(f"/admin/conflicts/{conflict.id}/dismiss",
                           data={"csrf_token": token, "reason": "   "}, follow_redirects=True)
    assert response.status_code == 200 and "Give a reason" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Conflict, conflict.id).blocks
