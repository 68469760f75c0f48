"""HR moves or withdraws a visit window through HTTP: confirmed, audited, members told."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.extensions import db
from icm_recruit.selection.visit_models import Availability, VisitAvailability, VisitWindow
from tests.selection.test_visits import _only_window, _paris, _propose, visit_world
from tests.support import post_form

pytestmark = pytest.mark.services


@pytest.fixture
def world(ctx):
    return visit_world()


def _answered(world):
    window = _only_window(world["call"])
    for name in ("ada", "ben"):
        db.session.add(VisitAvailability(window_id=window.id, user_id=world[name].id,
                                         answer=Availability.YES))
    db.session.commit()
    return window


def _told(template="selection_visit_window_changed"):
    return sorted(m.recipient for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == template)))


def _edit(client, window, start, hours=8, note="Seminar in the morning", confirm=True):
    data = {"starts_at": _paris(start), "ends_at": _paris(start + timedelta(hours=hours)),
            "note": note, **({"confirm": "y"} if confirm else {})}
    return post_form(client, f"/selection/visit-windows/{window.id}/edit", data)


def test_moving_a_window_is_confirmed_clears_the_answers_and_tells_who_answered(
        world, client, auth):
    auth.login(world["hr"])
    _propose(client, world["call"])
    window = _answered(world)
    planning = client.get(f"/selection/calls/{world['call'].id}/visits").get_data(as_text=True)
    assert f"/selection/visit-windows/{window.id}/edit" in planning
    start = window.starts_at + timedelta(days=1)
    page = _edit(client, window, start, confirm=False).get_data(as_text=True)
    assert "Change this visit window?" in page and "Ada Free" in page and "Ben Late" in page
    db.session.expire_all()
    assert len(_only_window(world["call"]).answers) == 2  # nothing done before confirming
    assert _edit(client, window, start).status_code == 302
    db.session.expire_all()
    window = _only_window(world["call"])
    assert window.starts_at == start and window.answers == []
    assert _told() == ["ada@example.org", "ben@example.org"]
    mail = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == "ada@example.org")).one()
    assert "Visit window moved" in mail.subject and "/panel/visits" in mail.body_text
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "visit_window.changed")).one()
    assert event.data["answers_cleared"] == 2
    # The cleared members are asked again on their page.
    auth.logout()
    auth.login(world["ada"])
    page = client.get("/panel/visits").get_data(as_text=True)
    assert f'name="answer_{window.id}"' in page


def test_changing_only_the_note_keeps_the_answers(world, client, auth):
    auth.login(world["hr"])
    _propose(client, world["call"])
    window = _answered(world)
    page = _edit(client, window, window.starts_at, note="Lab visits after lunch",
                 confirm=False).get_data(as_text=True)
    assert "the answers given are kept" in page
    assert _edit(client, window, window.starts_at, note="Lab visits after lunch").status_code \
        == 302
    db.session.expire_all()
    window = _only_window(world["call"])
    assert window.note == "Lab visits after lunch" and len(window.answers) == 2
    assert _told() == []


def test_withdrawing_a_window_is_confirmed_audited_and_tells_who_answered(world, client,
                                                                         auth):
    auth.login(world["hr"])
    _propose(client, world["call"])
    window = _answered(world)
    url = f"/selection/visit-windows/{window.id}/withdraw"
    edit = f"/selection/visit-windows/{window.id}/edit"
    page = post_form(client, url, {}, page_url=edit).get_data(as_text=True)
    assert "Withdraw this visit window?" in page
    assert db.session.scalar(select(VisitWindow.id)) is not None
    assert post_form(client, url, {"confirm": "y"}, page_url=edit).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(VisitWindow.id)) is None
    assert db.session.scalar(select(VisitAvailability.id)) is None
    assert _told() == ["ada@example.org", "ben@example.org"]
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "visit_window.withdrawn")).one()
    assert event.data["members_told"] == 2


def test_a_window_with_a_fixed_slot_cannot_be_moved_or_withdrawn(world, client,
                                                                auth):
    auth.login(world["hr"])
    _propose(client, world["call"])
    window = _answered(world)
    db.session.add(VisitAvailability(window_id=window.id, user_id=world["cleo"].id,
                                     answer=Availability.NO))
    db.session.commit()
    window.fixed_at = window.starts_at
    db.session.commit()
    page = client.get(f"/selection/visit-windows/{window.id}/edit").get_data(as_text=True)
    assert "change or withdraw them on the interview slots page" in page
    response = _edit(client, window, window.starts_at + timedelta(days=1), confirm=True)
    assert "interview slots page" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _only_window(world["call"]).starts_at == window.starts_at
    edit = f"/selection/visit-windows/{window.id}/edit"
    post_form(client, f"/selection/visit-windows/{window.id}/withdraw", {"confirm": "y"},
              page_url=edit)
    assert db.session.scalar(select(VisitWindow.id)) is not None


def test_a_member_cannot_move_or_withdraw_a_window(world, client, auth):
    auth.login(world["hr"])
    _propose(client, world["call"])
    window = _only_window(world["call"])
    auth.logout()
    auth.login(world["ada"])
    assert client.get(f"/selection/visit-windows/{window.id}/edit").status_code == 403
    response = post_form(client, f"/selection/visit-windows/{window.id}/withdraw",
                         {"confirm": "y"}, page_url="/account")
    assert response.status_code == 403
    assert db.session.scalar(select(VisitWindow.id)) is not None
