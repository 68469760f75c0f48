"""The chair's view: from the home page to the meetings, interviews, decisions and reports
of the calls in selection; an application the chair is in conflict with is not listed."""

import pytest

from icm_recruit.board import operations as board_ops
from icm_recruit.extensions import db
from icm_recruit.selection.models import Interview, InterviewStatus
from tests.meeting.factories import build
from tests.reviews.helpers import sign_in
from tests.selection.factories import make_slot

pytestmark = pytest.mark.services


def test_chair_reaches_the_call_pages_from_the_home_page(client, ctx):
    world = build()
    sign_in(client, world.chair)
    home = client.get("/").get_data(as_text=True)
    assert "/chair/" in home
    page = client.get("/chair/").get_data(as_text=True)
    for link in (f"/meeting/calls/{world.call.id}", f"/chair/calls/{world.call.id}",
                 f"/evaluation/calls/{world.call.id}", f"/meeting/{world.meeting.id}",
                 f"/selection/calls/{world.call.id}"):
        assert link in page
        assert client.get(link).status_code == 200, link


def test_call_page_lists_interviews_and_hides_conflicted_applications(client, ctx):
    world = build()
    for application in world.applications[:2]:
        slot = make_slot(world.call, [world.member], days=3 + application.id % 5)
        db.session.add(Interview(application_id=application.id, slot_id=slot.id,
                                 status=InterviewStatus.BOOKED))
    db.session.commit()
    board_ops.add_manual_conflict(reviewer=world.chair2, application=world.target,
                                  reason="Former student.", by=world.hr)
    db.session.commit()
    sign_in(client, world.chair)
    page = client.get(f"/chair/calls/{world.call.id}").get_data(as_text=True)
    assert world.target.reference in page and world.applications[1].reference in page
    sign_in(client, world.chair2)
    page = client.get(f"/chair/calls/{world.call.id}").get_data(as_text=True)
    assert world.target.reference not in page and world.target.applicant.name not in page
    assert world.applications[1].reference in page


def test_members_do_not_reach_the_chair_pages(client, ctx):
    world = build()
    sign_in(client, world.member)
    assert client.get("/chair/").status_code == 403
    assert client.get(f"/chair/calls/{world.call.id}").status_code == 403
    assert "/chair/" not in client.get("/").get_data(as_text=True)
