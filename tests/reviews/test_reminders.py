"""Reminders under repeated runs of the beat task with a frozen clock; digests; HR's button."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.auth.models import Role
from icm_recruit.board.models import BoardMember, DigestPreference
from icm_recruit.extensions import db
from icm_recruit.reviews import operations as ops
from icm_recruit.reviews import reminders, tasks
from tests.applications.factories import make_application
from tests.reviews.helpers import assign, build_world, quick_user, sign_in
from tests.support import post_form

pytestmark = pytest.mark.services

DUE = datetime(2027, 3, 3, 17, 0, tzinfo=UTC)  # 18:00 in Paris


@pytest.fixture
def world(ctx):
    world = build_world()
    world.mine.due_at = DUE
    world.others.due_at = world.conflicted_assignment.due_at = DUE + timedelta(days=60)
    db.session.commit()
    return world


def _run_task(monkeypatch, now: datetime, times: int = 2) -> None:
    """Run the real beat task (eagerly) several times with the clock frozen at `now`."""
    monkeypatch.setattr(reminders, "utcnow", lambda: now)
    for _ in range(times):
        tasks.send_review_reminders.delay().get()


def test_each_step_is_sent_once_however_often_the_task_runs(world, mail, monkeypatch):
    member = world.member.email
    _run_task(monkeypatch, DUE - timedelta(days=2, hours=8))  # 3 days before, in Paris
    assert [m["Subject"] for m in mail.to(member)] == [
        f"Reminder: your review of {world.application.reference}"]
    _run_task(monkeypatch, DUE - timedelta(days=1, hours=8))  # still "before": nothing new
    assert len(mail.to(member)) == 1
    _run_task(monkeypatch, DUE - timedelta(hours=8))  # the due date
    assert mail.to(member)[-1]["Subject"].endswith("is due today")
    _run_task(monkeypatch, DUE + timedelta(hours=1))  # after it
    assert mail.to(member)[-1]["Subject"].startswith("Overdue review")
    assert len(mail.to(member)) == 3
    assert mail.to(world.hr.email) == []
    _run_task(monkeypatch, DUE + timedelta(days=3, hours=1), times=3)  # escalation
    assert len(mail.to(member)) == 3
    escalation = mail.to(world.hr.email)
    assert len(escalation) == 1
    assert escalation[0]["Subject"] == "1 overdue review needs your attention"
    body = mail.text_of(escalation[0])
    assert world.member.name in body and world.conflicted.name not in body
    assert "3 days late" in body


def test_conflicted_and_submitted_reviews_get_no_reminder(world, mail, monkeypatch):
    world.conflicted_assignment.due_at = DUE
    db.session.commit()
    scores = {c.id: c.scale_min for c in world.call.criteria}
    ops.save_review(world.mine, ops.ReviewInput(scores=scores, recommendation="discuss",
                                                confidence=2, comments_to_board="done"),
                    by=world.member, submit=True, now=DUE - timedelta(days=5))
    db.session.commit()
    _run_task(monkeypatch, DUE + timedelta(days=4))
    assert mail.to(world.member.email) == [] and mail.to(world.conflicted.email) == []
    assert mail.to(world.hr.email) == []


def test_daily_digest_members_get_one_mail_for_all_their_reviews(world, mail, monkeypatch):
    second_applicant = quick_user("second@example.org", Role.APPLICANT)
    second = make_application(world.call, second_applicant,
                              status=ApplicationStatus.UNDER_REVIEW, complete=True)
    extra = assign(second, world.member)
    extra.due_at = DUE + timedelta(days=1)
    db.session.add(BoardMember(user_id=world.member.id, digest=DigestPreference.DAILY))
    db.session.commit()
    _run_task(monkeypatch, DUE - timedelta(days=1, hours=8), times=3)
    messages = mail.to(world.member.email)
    assert len(messages) == 1
    body = mail.text_of(messages[0])
    assert world.application.reference in body and second.reference in body
    assert "2 reviews are waiting" in messages[0]["Subject"]
    _run_task(monkeypatch, DUE - timedelta(hours=20))  # same Paris day: nothing more
    assert len(mail.to(world.member.email)) == 1


def test_hr_reminds_one_member_once_a_day(client, world, mail):
    sign_in(client, world.hr)
    url = f"/review/assignments/{world.mine.id}/remind"
    page = f"/review/calls/{world.call.id}/progress"
    asked = post_form(client, url, {}, page_url=page)
    assert asked.status_code == 200 and "Send the reminder" in asked.get_data(as_text=True)
    assert mail.to(world.member.email) == []  # nothing sent before confirming
    assert post_form(client, url, {"confirm": "y"}, page_url=page).status_code == 302
    assert post_form(client, url, {"confirm": "y"}, page_url=page).status_code == 302
    messages = mail.to(world.member.email)
    assert len(messages) == 1
    assert "still waiting for you" in mail.text_of(messages[0])


def test_hr_reminds_all_late_members(client, world, mail):
    world.mine.due_at = world.others.due_at = datetime.now(UTC) - timedelta(days=1)
    world.conflicted_assignment.due_at = datetime.now(UTC) - timedelta(days=1)
    db.session.commit()
    sign_in(client, world.hr)
    page = f"/review/calls/{world.call.id}/progress"
    for _ in range(2):  # the second time, everyone was reminded today: nothing is sent
        confirm = post_form(client, f"/review/calls/{world.call.id}/reminders/confirm",
                            {"late": "1"}, page_url=page).get_data(as_text=True)
        ids = [int(v) for v in re.findall(r'name="assignment_id" value="(\d+)"', confirm)]
        post_form(client, f"/review/calls/{world.call.id}/reminders",
                  {"assignment_id": ids}, page_url=page)
    assert len(mail.to(world.member.email)) == 1 and len(mail.to(world.other.email)) == 1
    assert mail.to(world.conflicted.email) == []  # conflicted: never told about it


def test_discussion_digest_one_mail_per_person_per_day(world, mail):
    scores = {c.id: c.scale_max for c in world.call.criteria}
    for assignment, user in ((world.mine, world.member), (world.others, world.other)):
        ops.save_review(assignment, ops.ReviewInput(scores=scores, recommendation="interview",
                                                    confidence=4, comments_to_board="ok"),
                        by=user, submit=True)
    day = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
    posts = [ops.post_to_discussion(world.application, text, by=user) for text, user in (
        ("First thought from other", world.other), ("Chair agrees", world.chair),
        ("Second thought from other", world.other))]
    for i, post in enumerate(posts):
        post.created_at = day + timedelta(hours=i)
    db.session.commit()
    for _ in range(2):
        reminders.send_discussion_digests(now=day + timedelta(days=1))
        db.session.commit()
    for person in (world.member, world.chair, world.hr):
        assert len(mail.to(person.email)) == 1, person.email
    member_body = mail.text_of(mail.to(world.member.email)[0])
    assert "Chair agrees" in member_body and "First thought from other" in member_body
    other_body = mail.text_of(mail.to(world.other.email)[0])
    assert "Chair agrees" in other_body and "First thought" not in other_body
    for outsider in (world.conflicted, world.outsider, world.applicant):
        assert mail.to(outsider.email) == []


def test_reminders_speak_the_members_language_and_stop_after_review(world, mail, monkeypatch):
    world.member.locale = "fr"
    world.others.due_at = DUE
    world.application.status = ApplicationStatus.SUBMITTED
    db.session.commit()
    _run_task(monkeypatch, DUE - timedelta(hours=8))
    assert mail.to(world.member.email)[0]["Subject"].startswith("Votre évaluation de")
    world.application.status = ApplicationStatus.SHORTLISTED
    db.session.commit()
    _run_task(monkeypatch, DUE + timedelta(hours=1))
    assert len(mail.to(world.member.email)) == 1 and len(mail.to(world.other.email)) == 1
