"""What the chair may do on a call: HR's setting, the visit planning and the decisions.

The chair always reads; where the call's settings allow, the chair also proposes visit
windows, fixes slots and records decisions, never on an application they are in conflict
with. All through HTTP.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.board import operations as board_ops
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.timeutil import to_zone, utcnow
from icm_recruit.extensions import db
from icm_recruit.selection.models import Decision
from icm_recruit.selection.visit_models import VisitWindow
from tests.meeting.factories import build
from tests.reviews.helpers import sign_in
from tests.support import post_form

pytestmark = pytest.mark.services

FORMAT = "%Y-%m-%dT%H:%M"


def _allow(client, world, allowed: bool = True):
    sign_in(client, world.hr)
    data = {"chair_runs_selection": "y"} if allowed else {}
    response = post_form(client, f"/admin/calls/{world.call.id}/chair", data)
    assert response.status_code == 302
    db.session.expire_all()
    assert world.call.chair_runs_selection is allowed


def _conflict_chair2(world):
    board_ops.add_manual_conflict(reviewer=world.chair2, application=world.target,
                                  reason="Former student.", by=world.hr)
    db.session.commit()


def _at_stage(world, status):
    for application in world.applications:
        application.status = status
    db.session.commit()


def _window_data(application_id=0):
    start = (utcnow() + timedelta(days=12)).replace(hour=7, minute=0, second=0, microsecond=0)
    return {"starts_at": to_zone(start).strftime(FORMAT),
            "ends_at": to_zone(start + timedelta(hours=8)).strftime(FORMAT),
            "note": "Seminar and lab visits", "application_id": str(application_id)}


def test_hr_sets_what_the_chair_may_do_and_it_is_audited(client, ctx):
    world = build(with_meeting=False)
    sign_in(client, world.hr)
    page = client.get(f"/admin/calls/{world.call.id}").get_data(as_text=True)
    assert f"/admin/calls/{world.call.id}/chair" in page
    form = client.get(f"/admin/calls/{world.call.id}/chair").get_data(as_text=True)
    assert 'name="chair_runs_selection"' in form and "checked" not in form
    _allow(client, world)
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "call.chair_rights_changed")).one()
    assert event.data["runs_selection"] is True
    assert "checked" in client.get(f"/admin/calls/{world.call.id}/chair").get_data(as_text=True)
    # A member or the chair cannot change it.
    sign_in(client, world.chair)
    response = post_form(client, f"/admin/calls/{world.call.id}/chair", {},
                         page_url="/account")
    assert response.status_code == 403
    db.session.expire_all()
    assert world.call.chair_runs_selection is True


def test_without_the_setting_the_chair_reads_but_does_not_act(client, ctx):
    world = build(with_meeting=False)
    _at_stage(world, ApplicationStatus.INTERVIEW)
    sign_in(client, world.chair)
    assert client.get(f"/chair/calls/{world.call.id}").status_code == 200
    home = client.get("/chair/").get_data(as_text=True)
    assert f"/selection/calls/{world.call.id}/visits" not in home
    assert client.get(f"/selection/calls/{world.call.id}/visits").status_code == 403
    assert client.get(f"/selection/calls/{world.call.id}/decisions").status_code == 403
    response = post_form(client, f"/selection/applications/{world.target.id}/decision",
                         {"outcome": "offer", "feedback": ""}, page_url="/account")
    assert response.status_code == 403
    response = post_form(client, f"/selection/calls/{world.call.id}/visits", _window_data(),
                         page_url="/account")
    assert response.status_code == 403
    assert db.session.scalar(select(Decision.id)) is None
    assert db.session.scalar(select(VisitWindow.id)) is None


def test_with_the_setting_the_chair_records_decisions_but_not_on_a_conflicted_one(client,
                                                                                  ctx):
    world = build(with_meeting=False)
    _at_stage(world, ApplicationStatus.INTERVIEW)
    _conflict_chair2(world)
    _allow(client, world)
    sign_in(client, world.chair)
    home = client.get("/chair/").get_data(as_text=True)
    assert f"/selection/calls/{world.call.id}/decisions" in home
    page = client.get(f"/selection/calls/{world.call.id}/decisions").get_data(as_text=True)
    assert world.target.reference in page and "/letters/send" not in page
    response = post_form(client, f"/selection/applications/{world.target.id}/decision",
                         {"outcome": "offer", "feedback": "A strong visit."},
                         page_url=f"/selection/calls/{world.call.id}/decisions")
    assert response.status_code == 302
    decision = db.session.scalars(select(Decision)).one()
    assert decision.decided_by_id == world.chair.id
    assert client.get(f"/selection/applications/{world.target.id}/letter").status_code == 200
    # HR still sends the letters.
    assert client.get(f"/selection/calls/{world.call.id}/letters/send").status_code == 403

    sign_in(client, world.chair2)
    page = client.get(f"/selection/calls/{world.call.id}/decisions").get_data(as_text=True)
    assert world.target.reference not in page and world.target.applicant.name not in page
    assert world.applications[1].reference in page
    assert client.get(f"/selection/applications/{world.target.id}/letter").status_code == 403
    response = post_form(client, f"/selection/applications/{world.target.id}/decision",
                         {"outcome": "reject", "feedback": ""},
                         page_url=f"/selection/calls/{world.call.id}/decisions")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.scalars(select(Decision)).one().outcome.value == "offer"


def test_with_the_setting_the_chair_plans_visits_without_seeing_a_conflicted_candidate(
        client, ctx):
    world = build(with_meeting=False)
    _at_stage(world, ApplicationStatus.SHORTLISTED)
    _conflict_chair2(world)
    _allow(client, world)
    sign_in(client, world.chair)
    page = client.get(f"/selection/calls/{world.call.id}/visits").get_data(as_text=True)
    assert world.target.reference in page  # offered as a candidate of a window
    response = post_form(client, f"/selection/calls/{world.call.id}/visits",
                         _window_data(world.target.id))
    assert response.status_code == 302
    window = db.session.scalars(select(VisitWindow)).one()
    assert window.created_by_id == world.chair.id
    assert client.get(f"/selection/visit-windows/{window.id}/fix").status_code == 200

    sign_in(client, world.chair2)
    page = client.get(f"/selection/calls/{world.call.id}/visits").get_data(as_text=True)
    assert world.target.reference not in page and world.target.applicant.name not in page
    assert world.applications[1].reference in page
    assert client.get(f"/selection/visit-windows/{window.id}/fix").status_code == 403
    response = post_form(client, f"/selection/calls/{world.call.id}/visits",
                         _window_data(world.target.id))
    assert response.status_code == 422
    assert db.session.scalar(select(db.func.count(VisitWindow.id))) == 1
