"""Reordering a group of the agenda (the drag and drop) through HTTP: the runner's order is
kept, the items they are out of the room for keep their places, a stale order is refused."""

import pytest
from sqlalchemy import select

from icm_recruit.board import operations as board_ops
from icm_recruit.core.audit import AuditEvent
from icm_recruit.extensions import db
from icm_recruit.meeting.models import AgendaGroup
from icm_recruit.meeting.operations import ordered_items
from tests.meeting.factories import build
from tests.reviews.helpers import sign_in
from tests.support import post_form

pytestmark = pytest.mark.services


def _one_group(world):
    for item in world.meeting.items:
        item.group = AgendaGroup.DISCUSS
    db.session.commit()
    return [i.id for i in ordered_items(world.meeting)]


def _order(client, world, ids, group="discuss", page_url=None, **kwargs):
    url = f"/meeting/{world.meeting.id}/agenda"
    return post_form(client, f"{url}/order", {"group": group, "item_id": [str(i) for i in ids]},
                     page_url=page_url or url, **kwargs)


def _now(world):
    db.session.expire_all()
    return [i.id for i in ordered_items(world.meeting)]


def test_the_chair_puts_a_group_in_a_new_order(client, ctx):
    world = build()
    first, second, third = _one_group(world)
    sign_in(client, world.chair)
    page = client.get(f"/meeting/{world.meeting.id}/agenda").get_data(as_text=True)
    assert 'draggable="true"' in page and "agenda.js" in page and "Move " in page
    assert _order(client, world, [third, first, second]).status_code == 302
    assert _now(world) == [third, first, second]
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "meeting.agenda_reordered")).one()
    assert event.data["item_ids"] == [third, first, second]


def test_items_out_of_the_room_keep_their_places(client, ctx):
    world = build()
    ids = _one_group(world)
    target = world.item_of(world.target).id
    board_ops.add_manual_conflict(reviewer=world.chair2, application=world.target,
                                  reason="Former student.", by=world.hr)
    db.session.commit()
    sign_in(client, world.chair2)
    page = client.get(f"/meeting/{world.meeting.id}/agenda").get_data(as_text=True)
    assert f'data-item-id="{target}"' not in page
    others = [i for i in ids if i != target]
    # Sending the hidden item, or leaving out a visible one, changes nothing.
    for wrong in ([target, *others], others[:1]):
        response = _order(client, world, wrong, follow_redirects=True)
        assert "The agenda changed meanwhile" in response.get_data(as_text=True)
        assert _now(world) == ids
    assert _order(client, world, list(reversed(others))).status_code == 302
    now = _now(world)
    assert now.index(target) == ids.index(target)
    assert [i for i in now if i != target] == list(reversed(others))


def test_members_cannot_reorder_and_a_published_agenda_stays(client, ctx):
    world = build()
    ids = _one_group(world)
    sign_in(client, world.member)
    response = _order(client, world, list(reversed(ids)), page_url="/account")
    assert response.status_code == 403
    assert _now(world) == ids
    sign_in(client, world.hr)
    response = _order(client, world, ids, group="nonsense")
    assert response.status_code == 400
    response = post_form(client, f"/meeting/{world.meeting.id}/agenda/order",
                         {"group": "discuss", "item_id": ["x"]},
                         page_url=f"/meeting/{world.meeting.id}/agenda")
    assert response.status_code == 400
