"""Selection in a real browser, with a Celery worker: HR computes the ranking, shortlists,
offers a slot; the applicant books it; HR sends the offer; the applicant accepts."""

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.auth.models import Role
from icm_recruit.extensions import db
from tests.selection.factories import (
    quick_user,
    reviewed_application,
    selection_call,
    submitted_review,
)
from tests.support import PASSWORD

pytestmark = [pytest.mark.services, pytest.mark.browser]


def _sign_in(journey, email):
    page = journey.page
    page.context.clear_cookies()
    page.goto(journey.base_url + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    return page


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_from_ranking_to_an_accepted_offer(journey, live_server, mail, lang):
    with live_server.app_context():
        call = selection_call()
        hr = quick_user("hr@example.org", Role.ADMIN, locale=lang)
        panel = quick_user("panel@example.org", Role.REVIEWER, name="Prof. Panel")
        reviewers = [quick_user(f"r{i}@example.org", Role.REVIEWER) for i in range(2)]
        applications = [reviewed_application(call, f"a{i}@example.org", locale=lang,
                                             name=f"Applicant {i}") for i in range(3)]
        criterion = call.criteria[0]
        for index, application in enumerate(applications):
            for reviewer in reviewers:
                submitted_review(application, reviewer, {criterion: 5 - index})
        call_id, first, hr_email, panel_id = call.id, applications[0], hr.email, panel.id
        first_id, first_ref, first_email = first.id, first.reference, first.applicant.email
        base = f"/selection/calls/{call_id}"

    page = _sign_in(journey, hr_email)
    page.goto(journey.base_url + base + "/ranking")
    page.locator(f"form[action$='{base}/ranking'] button").click()
    page.locator("[id^=job-]:not([hx-get])").wait_for()  # the job card stopped polling
    page.goto(journey.base_url + base + "/ranking")
    assert first_ref in page.locator("table").inner_text()
    journey.step("ranking")

    page.goto(journey.base_url + base + "/shortlist")
    page.locator(f"#pick-{first_id}").check()
    page.locator("input[name=outcome][value=shortlisted]").check()
    page.locator("#reason").fill("First of the ranking")
    page.locator("fieldset button.btn-primary").click()
    journey.step("shortlist")
    page.goto(journey.base_url + base + "/outcomes")
    page.locator(f"form[action$='{base}/outcomes'] button").click()
    page.locator("[id^=job-]:not([hx-get])").wait_for()
    journey.step("outcomes")

    page.goto(journey.base_url + base + "/interviews")
    page.locator("#starts_at").fill("2031-03-04T10:30")
    page.locator("#location").fill("Room 2.14")
    page.locator(f"input[name=panel][value='{panel_id}']").check()
    page.locator("form[novalidate] button").click()
    page.locator(f"form[action$='{base}/interviews/invite'] button").click()
    page.locator(f"form[action$='{base}/interviews/invite'] button").click()  # confirm
    journey.step("interviews")

    page = _sign_in(journey, first_email)
    page.goto(journey.base_url + f"/applications/{first_id}/interview")
    assert "04/03/2031 10:30 CET" in page.locator("main").inner_text()
    page.locator("input[name=slot_id]").first.check()
    page.locator("main form button.btn-primary").click()
    journey.step("booked")

    page = _sign_in(journey, hr_email)
    page.goto(journey.base_url + base + "/decisions")
    form = page.locator(f"form[action$='/applications/{first_id}/decision']")
    form.locator("select").select_option("offer")
    form.locator("input[name=feedback]").fill("A convincing interview.")
    form.locator("button").click()
    assert "A convincing interview." in page.locator("main").inner_text()
    journey.step("letter")
    page.goto(journey.base_url + base + "/letters/send")
    page.locator(f"form[action$='{base}/letters/send'] button").click()
    page.locator("[id^=job-]:not([hx-get])").wait_for()
    journey.step("sent")

    page = _sign_in(journey, first_email)
    page.goto(journey.base_url + f"/applications/{first_id}/decision")
    assert "A convincing interview." in page.locator("main").inner_text()
    page.locator("input[name=answer][value=accept]").check()
    page.locator("main form button.btn-primary").click()
    journey.step("accepted")
    journey.assert_accessible()
    with live_server.app_context():
        application = db.session.scalar(select(Application).where(Application.id == first_id))
        assert application.status is ApplicationStatus.ACCEPTED
    letters = [m for m in mail.to(first_email) if "A convincing interview." in
               mail.text_of(m)]
    assert len(letters) == 1
