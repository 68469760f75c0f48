"""In a real browser, what the applicant types survives an upload: the document arrives
without reloading the page, the text is autosaved, and it is there after a reload; text
left unsaved when the session ended is offered back after signing in again."""

import pytest

from icm_recruit.auth.models import Role
from tests.applications.factories import make_application, make_call, make_pdf
from tests.browser.conftest import serious_violations
from tests.support import PASSWORD, make_user

pytestmark = [pytest.mark.services, pytest.mark.browser]

RULES = [{"kind": "cv", "required": True, "max_mb": 1, "max_pages": 3}]


def _sign_in(page, base_url, email):
    page.goto(base_url + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/login" not in page.url


@pytest.fixture
def application_page(journey, live_server):
    with live_server.app_context():
        call = make_call(slug="keep-typing", document_rules=RULES)
        user = make_user("typist@example.org", Role.APPLICANT, name="Ada Typist")
        application_id = make_application(call, user).id
    _sign_in(journey.page, journey.base_url, "typist@example.org")
    page = journey.goto(f"/applications/{application_id}")
    return page


def test_upload_keeps_the_text_without_reloading(journey, application_page, tmp_path):
    page = application_page
    pdf = tmp_path / "cv.pdf"
    pdf.write_bytes(make_pdf(pages=2))
    page.evaluate("window.stillTheSamePage = true")
    page.locator("#current_position").fill("Group leader")
    page.locator("#institution").fill("Institut Pasteur")
    page.locator("#title").fill("Circuits of memory")
    page.locator("#file-cv").set_input_files(str(pdf))
    page.locator("#document-cv button").click()
    page.locator("#documents").get_by_text("cv.pdf").wait_for()
    assert page.evaluate("window.stillTheSamePage === true"), "the page was reloaded"
    assert page.locator("#current_position").input_value() == "Group leader"
    assert page.locator("#institution").input_value() == "Institut Pasteur"
    assert page.locator("#title").input_value() == "Circuits of memory"
    page.locator("#documents-notices").get_by_text("uploaded (2 pages)").wait_for()
    journey.step("uploaded")

    assert "Saved at" in page.locator("#draft-status").inner_text()  # with the upload
    page.evaluate("document.getElementById('draft-status').append(Object.assign("
                  "document.createElement('span'), {id: 'earlier-status'}))")
    page.locator("#keywords").fill("memory, synapse")
    page.locator("#earlier-status").wait_for(state="detached")
    page.locator("#draft-status").get_by_text("Saved at").wait_for()
    assert page.evaluate("window.stillTheSamePage === true")
    journey.step("autosaved")

    page.reload()
    assert page.locator("#institution").input_value() == "Institut Pasteur"
    assert page.locator("#title").input_value() == "Circuits of memory"
    assert page.locator("#keywords").input_value() == "memory, synapse"
    assert page.locator("#draft-restore").count() == 0
    journey.assert_accessible()


def test_text_typed_when_the_session_ended_is_offered_back(browser, live_server):
    # Its own browser context: the refused autosave is expected to show in the console.
    with live_server.app_context():
        call = make_call(slug="keep-typing-late", document_rules=RULES)
        user = make_user("late@example.org", Role.APPLICANT, name="Ada Late")
        url = live_server.base_url + f"/applications/{make_application(call, user).id}"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _sign_in(page, live_server.base_url, "late@example.org")
        page.goto(url)
        page.context.clear_cookies()  # the session ends while the applicant types
        page.locator("#title").fill("Typed after the session ended")
        page.locator("#draft-status").get_by_text("Not saved: the page has expired").wait_for()
        _sign_in(page, live_server.base_url, "late@example.org")
        page.goto(url)
        assert page.locator("#title").input_value() == ""
        page.locator("#draft-restore").wait_for()
        # The offer's buttons stay legible on its warning colour.
        assert serious_violations(page) == []
        page.locator("#draft-restore").get_by_role("button", name="Restore it").click()
        assert page.locator("#title").input_value() == "Typed after the session ended"
        page.locator("#draft-status").get_by_text("Saved at").wait_for()
        page.reload()
        assert page.locator("#title").input_value() == "Typed after the session ended"
        assert page.locator("#draft-restore").count() == 0
    finally:
        context.close()
