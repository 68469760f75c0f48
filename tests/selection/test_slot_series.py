"""HR adds a series of interview slots in one go: all of them, or none."""

import pytest
from sqlalchemy import select

from icm_recruit.auth.models import Role
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.selection import interviews, slot_series
from icm_recruit.selection.models import InterviewSlot
from icm_recruit.selection.operations import SelectionError
from tests.selection.factories import quick_user, selection_call
from tests.support import post_form

pytestmark = pytest.mark.services


@pytest.fixture
def people(ctx):
    return {"hr": quick_user("hr@example.org", Role.ADMIN),
            "panel": quick_user("panel@example.org", Role.REVIEWER),
            "second": quick_user("second@example.org", Role.CHAIR, Role.REVIEWER)}


def _series(people, start: str, count: int = 3) -> dict:
    return {"starts_at": start, "count": str(count), "duration": "30", "gap": "10",
            "location": "Room 2.14", "video_url": "",
            "panel": [str(people["panel"].id), str(people["second"].id)]}


def _slots():
    return db.session.scalars(select(InterviewSlot).order_by(InterviewSlot.starts_at)).all()


def test_series_creates_every_slot_with_same_place_and_panel(people, client, auth):
    call = selection_call()
    auth.login(people["hr"])
    year = utcnow().year + 1
    url = f"/selection/calls/{call.id}/interviews/series"
    assert "Number of slots" in client.get(url).get_data(as_text=True)
    response = post_form(client, url, _series(people, f"{year}-07-01T10:00"))
    assert response.status_code == 302
    slots = _slots()
    assert [s.starts_at.isoformat() for s in slots] == [
        f"{year}-07-01T08:00:00+00:00", f"{year}-07-01T08:40:00+00:00",
        f"{year}-07-01T09:20:00+00:00"]
    assert {s.location for s in slots} == {"Room 2.14"}
    assert all(sorted(s.panel_ids) == sorted([people["panel"].id, people["second"].id])
               for s in slots)
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "interview_slot.created")).all()) == 3


def test_a_refused_slot_names_itself_and_keeps_none(people, client, auth, monkeypatch):
    call = selection_call()
    auth.login(people["hr"])
    year = utcnow().year + 1
    real, calls = interviews.create_slot, []

    def refuse_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SelectionError("place_needed")
        return real(*args, **kwargs)

    monkeypatch.setattr(slot_series, "create_slot", refuse_the_second)
    response = post_form(client, f"/selection/calls/{call.id}/interviews/series",
                         _series(people, f"{year}-07-01T10:00"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Slot 2 of 3" in body and "No slot of the series was added." in body
    assert _slots() == []


def test_a_past_first_slot_is_refused(people, client, auth):
    call = selection_call()
    auth.login(people["hr"])
    response = post_form(client, f"/selection/calls/{call.id}/interviews/series",
                         _series(people, "2020-01-06T09:00"))
    assert response.status_code == 422
    assert "Slot 1 of 3" in response.get_data(as_text=True)
    assert _slots() == []


def test_too_many_slots_are_refused(people, client, auth):
    call = selection_call()
    auth.login(people["hr"])
    year = utcnow().year + 1
    response = post_form(client, f"/selection/calls/{call.id}/interviews/series",
                         _series(people, f"{year}-07-01T10:00", count=41))
    assert response.status_code == 422 and _slots() == []


def test_reviewer_cannot_add_a_series(people, client, auth):
    call = selection_call()
    auth.login(people["panel"])
    assert client.get(f"/selection/calls/{call.id}/interviews/series").status_code in (
        302, 403)


def test_in_french(people, client, auth):
    people["hr"].locale = "fr"
    db.session.commit()
    call = selection_call()
    auth.login(people["hr"])
    body = client.get(f"/selection/calls/{call.id}/interviews/series").get_data(as_text=True)
    assert "Nombre de créneaux" in body
