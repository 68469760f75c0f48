"""Interview visit planning through HTTP: HR's windows, the panel's answers, fixed slots."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.auth.models import Role
from icm_recruit.board.models import BoardMember
from icm_recruit.core.timeutil import to_zone, utcnow
from icm_recruit.extensions import db
from icm_recruit.selection.models import Interview, InterviewSlot, InterviewStatus
from icm_recruit.selection.visit_models import (
    Availability,
    VisitAvailability,
    VisitSlot,
    VisitWindow,
)
from tests.selection.factories import (
    make_conflict,
    quick_user,
    reviewed_application,
    selection_call,
)
from tests.support import post_form

pytestmark = pytest.mark.services

FORMAT = "%Y-%m-%dT%H:%M"


def _member(email, *roles, name=None, locale="en"):
    user = quick_user(email, *(roles or (Role.REVIEWER,)), name=name, locale=locale)
    db.session.add(BoardMember(user_id=user.id))
    db.session.commit()
    return user


@pytest.fixture
def world(ctx):
    return visit_world()


def visit_world() -> dict:
    """A call with a shortlisted candidate, HR, two free members and a conflicted one."""
    call = selection_call()
    candidate = reviewed_application(call, "amina@example.org", name="Amina Diallo",
                                     status=ApplicationStatus.SHORTLISTED)
    people = {"hr": quick_user("hr@example.org", Role.ADMIN, name="Hélène RH"),
              "ada": _member("ada@example.org", name="Ada Free"),
              "ben": _member("ben@example.org", Role.CHAIR, name="Ben Late"),
              "cleo": _member("cleo@example.org", name="Cleo Conflicted")}
    make_conflict(people["cleo"], candidate)
    return {"call": call, "candidate": candidate, **people}


def _paris(value) -> str:
    return to_zone(value).strftime(FORMAT)


def _window_start():
    return (utcnow() + timedelta(days=10)).replace(hour=7, minute=0, second=0, microsecond=0)


def _propose(client, call, *, application_id=0, hours=8):
    start = _window_start()
    return post_form(client, f"/selection/calls/{call.id}/visits", {
        "starts_at": _paris(start), "ends_at": _paris(start + timedelta(hours=hours)),
        "note": "Seminar in the morning", "application_id": str(application_id)})


def _only_window(call) -> VisitWindow:
    return db.session.scalars(select(VisitWindow).where(VisitWindow.call_id == call.id)).one()


def _answer(client, window, answer):
    return post_form(client, "/panel/visits", {f"answer_{window.id}": answer})


def test_availability_is_asked_of_the_panel_without_the_conflicted_member(world, client,
                                                                          auth):
    auth.login(world["hr"])
    response = _propose(client, world["call"])
    assert response.status_code == 302
    window = _only_window(world["call"])

    auth.logout()
    auth.login(world["ada"])
    home = client.get("/").get_data(as_text=True)
    assert "/panel/visits" in home
    page = client.get("/panel/visits").get_data(as_text=True)
    assert "Seminar in the morning" in page and f'name="answer_{window.id}"' in page
    response = _answer(client, window, "yes")
    assert response.status_code == 302
    assert "Your availability is saved." in client.get("/panel/visits").get_data(as_text=True)

    # The conflicted member is not asked, and an answer sent anyway is not stored.
    auth.logout()
    auth.login(world["cleo"])
    page = client.get("/panel/visits").get_data(as_text=True)
    assert f'name="answer_{window.id}"' not in page
    _answer(client, window, "yes")
    db.session.expire_all()
    stored = {a.user_id: a.answer for a in _only_window(world["call"]).answers}
    assert stored == {world["ada"].id: Availability.YES}


def test_planning_page_leaves_out_a_member_whose_conflict_came_after_the_answer(world, client,
                                                                               auth):
    dan = _member("dan@example.org", name="Dan Later")
    auth.login(world["hr"])
    _propose(client, world["call"])
    window = _only_window(world["call"])
    db.session.add(VisitAvailability(window_id=window.id, user_id=dan.id,
                                     answer=Availability.YES))
    db.session.commit()
    page = client.get(f"/selection/calls/{world['call'].id}/visits").get_data(as_text=True)
    assert "Dan Later" in page and "Cleo Conflicted" not in page
    make_conflict(dan, world["candidate"])
    page = client.get(f"/selection/calls/{world['call'].id}/visits").get_data(as_text=True)
    assert "Dan Later" not in page and "Cleo Conflicted" not in page
    assert "Ada Free" in page and "Ben Late" in page
    assert "2 board members are left out" in page


def _fix(client, window, **overrides):
    start = window.starts_at + timedelta(hours=1)
    data = {"starts_at": _paris(start), "duration": "60", "location": "Room 4.12",
            "video_url": "", **overrides}
    return post_form(client, f"/selection/visit-windows/{window.id}/fix", data)


def test_a_slot_is_fixed_only_where_the_whole_panel_is_free(world, client, auth):
    auth.login(world["hr"])
    _propose(client, world["call"])
    window = _only_window(world["call"])
    auth.logout()
    auth.login(world["ada"])
    _answer(client, window, "yes")
    auth.logout()
    auth.login(world["hr"])

    # Ben has not answered: refused, Ben named, what HR typed kept.
    response = _fix(client, window)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Missing: Ben Late." in page and 'value="Room 4.12"' in page
    assert db.session.scalar(select(InterviewSlot.id)) is None

    auth.logout()
    auth.login(world["ben"])
    _answer(client, window, "if_needed")
    auth.logout()
    auth.login(world["hr"])
    # Outside the window: refused too.
    late = _fix(client, window, starts_at=_paris(window.ends_at - timedelta(minutes=30)))
    assert late.status_code == 422 and "within the window" in late.get_data(as_text=True)

    first = _fix(client, window)
    assert "Fix this interview slot?" in first.get_data(as_text=True)
    assert db.session.scalar(select(InterviewSlot.id)) is None
    done = _fix(client, window, confirm="y")
    assert done.status_code == 302
    slot = db.session.scalars(select(InterviewSlot)).one()
    assert slot.panel_ids == {world["ada"].id, world["ben"].id}
    assert db.session.get(VisitSlot, slot.id).window_id == window.id
    assert slot.location == "Room 4.12"
    assert slot.starts_at == window.starts_at + timedelta(hours=1)

    # The answers of the window are kept as they were from now on.
    auth.logout()
    auth.login(world["ben"])
    response = _answer(client, window, "no")
    assert response.status_code == 422
    assert "can no longer be changed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _only_window(world["call"]).answer_of(world["ben"].id) is Availability.IF_NEEDED

    # The candidate books it as any other slot.
    auth.logout()
    auth.login("amina@example.org")
    assert client.get(f"/applications/{world['candidate'].id}/interview").status_code == 200


def test_a_refusal_speaks_french_to_french_hr(world, client, auth):
    hr = quick_user("rh@example.org", Role.ADMIN, name="Rose RH", locale="fr")
    auth.login(hr)
    _propose(client, world["call"])
    window = _only_window(world["call"])
    page = _fix(client, window).get_data(as_text=True)
    assert "Il manque\u00a0: Ada Free, Ben Late." in page
    start = _window_start()
    backwards = post_form(client, f"/selection/calls/{world['call'].id}/visits", {
        "starts_at": _paris(start), "ends_at": _paris(start - timedelta(hours=1)),
        "note": "Matinée", "application_id": "0"})
    assert backwards.status_code == 422
    text = backwards.get_data(as_text=True)
    assert "Le créneau doit finir après son début." in text and 'value="Matinée"' in text


def test_a_window_for_one_candidate_books_its_slot_for_them(world, client, auth, mail):
    auth.login(world["hr"])
    _propose(client, world["call"], application_id=world["candidate"].id)
    window = _only_window(world["call"])
    for name in ("ada", "ben"):
        db.session.add(VisitAvailability(window_id=window.id, user_id=world[name].id,
                                         answer=Availability.YES))
    db.session.commit()
    assert _fix(client, window, confirm="y").status_code == 302
    interview = db.session.scalars(select(Interview)).one()
    assert interview.application_id == world["candidate"].id
    assert interview.status is InterviewStatus.BOOKED
    assert any(p.get_content_type() == "text/calendar"
               for m in mail.to("amina@example.org") for p in m.iter_attachments())


def test_only_hr_plans_and_only_board_members_answer(world, client, auth):
    auth.login(world["ada"])
    assert client.get(f"/selection/calls/{world['call'].id}/visits").status_code == 403
    auth.logout()
    auth.login("amina@example.org")
    assert client.get("/panel/visits").status_code == 403


def test_a_members_home_costs_the_same_queries_whatever_the_size_of_the_board(world, client,
                                                                               auth):
    from tests.applications.test_hr_list import _count_queries

    auth.login(world["hr"])
    _propose(client, world["call"])
    auth.logout()
    auth.login(world["ada"])
    small = _count_queries(client, "/")
    for n in range(8):
        _member(f"extra{n}@example.org", name=f"Extra Member {n}")
    assert _count_queries(client, "/") == small


def test_a_window_for_every_candidate_costs_the_same_queries_whatever_their_number(
        world, client, auth):
    # The panel of a window for the whole shortlist leaves out whoever is in conflict with
    # one candidate: read for all of them at once, not candidate by candidate.
    from tests.applications.test_hr_list import _count_queries

    auth.login(world["hr"])
    _propose(client, world["call"])
    planning = f"/selection/calls/{world['call'].id}/visits"
    small_planning = _count_queries(client, planning)
    auth.logout()
    auth.login(world["ada"])
    small_home, small_panel = _count_queries(client, "/"), _count_queries(client, "/panel/visits")
    for n in range(6):
        other = reviewed_application(world["call"], f"cand{n}@example.org",
                                     status=ApplicationStatus.SHORTLISTED)
        if n == 5:
            make_conflict(world["ada"], other)  # the last one keeps Ada off the panel
    assert _count_queries(client, "/") == small_home
    assert _count_queries(client, "/panel/visits") == small_panel
    assert "answer_" not in client.get("/panel/visits").get_data(as_text=True)
    auth.logout()
    auth.login(world["hr"])
    assert _count_queries(client, planning) == small_planning
