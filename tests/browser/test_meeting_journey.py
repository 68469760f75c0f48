"""The board meeting in two browsers at once: the chair moves the pointer, a member's
open page follows it within two seconds, leaves the room for the candidate the member is
in conflict with, and comes back at the next one; in English and in French."""

import pytest

from tests.browser.conftest import serious_violations
from tests.meeting.factories import build, secrets_of
from tests.support import PASSWORD

pytestmark = [pytest.mark.services, pytest.mark.browser]
OUT_OF_ROOM = {"en": "You are out of the room for this item",
               "fr": "Vous êtes hors de la salle pour ce point"}


def _sign_in(page, base_url, email):
    page.context.clear_cookies()
    page.goto(base_url + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/login" not in page.url


def _discuss(page, item_id):
    with page.expect_navigation():
        page.locator(f"#agenda form:has(input[name=item_id][value='{item_id}']) button").click()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_member_page_follows_the_chair_and_leaves_the_room(journey, browser, live_server,
                                                           lang):
    with live_server.app_context():
        world = build(locale=lang)
        meeting_id = world.meeting.id
        target_item = world.item_of(world.target).id
        second = world.applications[1]
        second_item, second_name = world.item_of(second).id, second.applicant.name
        secrets = secrets_of(world)
        chair_email, member_email = world.chair.email, world.conflicted.email
    url = f"{live_server.base_url}/meeting/{meeting_id}"

    chair = journey.page
    _sign_in(chair, live_server.base_url, chair_email)
    chair.goto(url)
    journey.step("chair-before")

    context = browser.new_context(viewport={"width": 390, "height": 900})
    member = context.new_page()
    member.set_default_timeout(15000)
    errors = []
    member.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    member.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        _sign_in(member, live_server.base_url, member_email)
        member.goto(url)
        assert member.locator("#out-of-room").count() == 0

        _discuss(chair, target_item)
        journey.step("chair-on-the-conflicted-item")
        # Polling every second: the member's page has left the room within two seconds.
        member.locator("#out-of-room").wait_for(timeout=2500)
        live = member.locator("#live").inner_text()
        assert OUT_OF_ROOM[lang] in live
        for secret in secrets:
            assert secret not in member.content()
        assert serious_violations(member) == []

        _discuss(chair, second_item)
        member.locator("#current-heading", has_text=second_name).wait_for(timeout=2500)
        assert member.locator("#out-of-room").count() == 0
        assert serious_violations(member) == []
        journey.step("chair-on-the-next-item")
        # Signed out (the session ended): the page says so instead of showing the sign-in
        # page inside the meeting.
        member.context.clear_cookies()
        member.locator("#live-problem").wait_for(state="visible", timeout=3000)
        assert member.locator("#live form[action$='/login']").count() == 0
    finally:
        context.close()
    assert errors == [], errors
    journey.assert_accessible()
