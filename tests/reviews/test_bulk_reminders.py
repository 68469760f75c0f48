"""HR reminds all late reviewers, or the ticked ones, after a page naming who gets a mail."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.extensions import db
from tests.reviews.helpers import build_world, sign_in
from tests.support import csrf_from

pytestmark = pytest.mark.services


@pytest.fixture
def world(ctx):
    world = build_world()
    late = datetime.now(UTC) - timedelta(days=1)
    world.mine.due_at = world.others.due_at = world.conflicted_assignment.due_at = late
    db.session.commit()
    return world


def _reminders():
    return db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.template == "review_reminder")).all()


def _prepare(client, world, **fields):
    """Open the confirmation page as the progress page's buttons do: a POST with its token."""
    page = client.get(f"/review/calls/{world.call.id}/progress").get_data(as_text=True)
    return client.post(f"/review/calls/{world.call.id}/reminders/confirm",
                       data={"csrf_token": csrf_from(page), **fields})


def test_confirmation_names_late_members_and_sends_nothing(client, world):
    sign_in(client, world.hr)
    assert "Remind the selected members" in client.get(
        f"/review/calls/{world.call.id}/progress").get_data(as_text=True)
    response = _prepare(client, world, late="1")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Reminder mails to send: 2." in body
    assert world.member.name in body and world.other.name in body
    assert world.conflicted.name not in body
    assert _reminders() == []


def test_selected_members_get_one_mail_each_once_a_day(client, world, mail):
    sign_in(client, world.hr)
    url = f"/review/calls/{world.call.id}/reminders"
    page = _prepare(client, world, assignment_id=[world.mine.id]).get_data(as_text=True)
    assert "Reminder mails to send: 1." in page
    data = {"csrf_token": csrf_from(page), "assignment_id": [world.mine.id]}
    assert client.post(url, data=data).status_code == 302
    assert len(mail.to(world.member.email)) == 1 and mail.to(world.other.email) == []
    again = _prepare(client, world, assignment_id=[world.mine.id]).get_data(as_text=True)
    assert "Already reminded today" in again and "Reminder mails to send" not in again
    client.post(url, data=data)
    assert len(mail.to(world.member.email)) == 1
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "review.reminded")).all()) == 1


def test_all_late_members_are_reminded_not_the_conflicted(client, world, mail):
    sign_in(client, world.hr)
    url = f"/review/calls/{world.call.id}/reminders"
    page = _prepare(client, world, late="1").get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_from(page),
                                      "assignment_id": [world.mine.id, world.others.id,
                                                        world.conflicted_assignment.id]},
                           follow_redirects=True)
    assert "Reminders sent: 2." in response.get_data(as_text=True)
    assert len(mail.to(world.member.email)) == 1 and len(mail.to(world.other.email)) == 1
    assert mail.to(world.conflicted.email) == []


def test_reviewer_cannot_send_reminders(client, world):
    sign_in(client, world.member)
    token = csrf_from(client.get("/account").get_data(as_text=True))
    for url in (f"/review/calls/{world.call.id}/reminders/confirm",
                f"/review/calls/{world.call.id}/reminders"):
        response = client.post(url, data={"csrf_token": token, "late": "1",
                                          "assignment_id": [world.mine.id]})
        assert response.status_code in (302, 403)
    assert _reminders() == []


def test_confirmation_is_a_post_with_the_token(client, world):
    sign_in(client, world.hr)
    body = client.get(f"/review/calls/{world.call.id}/progress").get_data(as_text=True)
    assert 'method="get"' not in body
    url = f"/review/calls/{world.call.id}/reminders/confirm"
    assert client.get(f"{url}?late=1").status_code == 405
    assert client.post(url, data={"late": "1"}).status_code == 400  # no token
    assert _reminders() == []


def test_in_french(client, world):
    world.hr.locale = "fr"
    db.session.commit()
    sign_in(client, world.hr)
    body = _prepare(client, world, late="1").get_data(as_text=True)
    assert "Rappels à envoyer\u00a0: 2." in body
