"""In a real browser, HR ticks every row of the call's application list with one box in
the table's header, and the bulk tag reaches each of them; without JavaScript the box is
not there (rows are ticked one by one)."""

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import ApplicationStatus, ApplicationTag
from icm_recruit.auth.models import Role
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.browser.test_keep_typing import _sign_in
from tests.support import make_user

pytestmark = [pytest.mark.services, pytest.mark.browser]


def test_select_all_ticks_every_row_and_the_bulk_action_reaches_them(journey, live_server):
    with live_server.app_context():
        call = make_call(slug="select-all")
        for n in range(3):
            applicant = make_user(f"a{n}@example.org", Role.APPLICANT, name=f"Applicant {n}")
            make_application(call, applicant, status=ApplicationStatus.SUBMITTED,
                             complete=True)
        make_user("hr@example.org", Role.ADMIN, name="Claire HR")
        call_id = call.id
    _sign_in(journey.page, journey.base_url, "hr@example.org")
    page = journey.goto(f"/admin/calls/{call_id}/applications")
    rows = page.locator("tbody input[name=application_id]")
    assert rows.count() == 3
    header = page.locator("thead input[data-select-all]")
    header.check()
    assert all(rows.nth(i).is_checked() for i in range(3))
    rows.nth(1).uncheck()
    assert header.evaluate("box => box.indeterminate") is True
    rows.nth(1).check()
    assert header.evaluate("box => box.indeterminate || !box.checked") is False
    journey.assert_accessible()
    page.locator("#bulk-tag").fill("strong")
    with page.expect_navigation():
        page.locator("button[name=action][value=add]").click()
    with live_server.app_context():
        assert len(db.session.scalars(select(ApplicationTag)).all()) == 3


def test_screening_the_ticked_rows_opens_its_confirmation_without_a_tag(journey, live_server):
    # The tag field of the same form is required for tagging, not for screening.
    with live_server.app_context():
        call = make_call(slug="screen-all")
        for n in range(2):
            applicant = make_user(f"s{n}@example.org", Role.APPLICANT, name=f"Screened {n}")
            make_application(call, applicant, status=ApplicationStatus.SUBMITTED,
                             complete=True)
        make_user("hr@example.org", Role.ADMIN, name="Claire HR")
        call_id = call.id
    _sign_in(journey.page, journey.base_url, "hr@example.org")
    page = journey.goto(f"/admin/calls/{call_id}/applications")
    page.locator("thead input[data-select-all]").check()
    with page.expect_navigation():
        page.locator("button[name=decision][value=eligible]").click()
    assert "/applications/screening" in page.url
    assert "?" not in page.url  # posted: neither the selection nor the token in the URL
    assert "Screened 0" in page.locator("main").inner_text()
    journey.assert_accessible()
