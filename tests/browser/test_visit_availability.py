"""In a real browser, at phone width, a board member answers for the interview visit
windows in French and in English: the page does not scroll sideways, the answer is kept,
and axe finds nothing serious."""

from datetime import timedelta

import pytest

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.auth.models import Role
from icm_recruit.board.models import BoardMember
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.selection.visit_models import VisitWindow
from tests.applications.factories import make_application, make_call
from tests.browser.test_keep_typing import _sign_in
from tests.support import make_user

pytestmark = [pytest.mark.services, pytest.mark.browser]

PAGE_WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.mark.parametrize("journey", [375], indirect=True)
@pytest.mark.parametrize(("locale", "saved", "label"), [
    ("en", "Your availability is saved.", "If needed"),
    ("fr", "Vos disponibilités sont enregistrées.", "Si nécessaire"),
])
def test_a_member_answers_for_the_visit_windows_at_phone_width(journey, live_server, locale,
                                                                saved, label):
    with live_server.app_context():
        from icm_recruit.calls.models import CallStatus

        call = make_call(slug=f"visits-{locale}", status=CallStatus.SELECTION,
                         opens_in_days=-60, closes_in_days=-30)
        applicant = make_user("cand@example.org", Role.APPLICANT, name="Amina Diallo")
        make_application(call, applicant, status=ApplicationStatus.SHORTLISTED, complete=True)
        member = make_user("member@example.org", Role.REVIEWER, name="Mei Member",
                           locale=locale)
        db.session.add(BoardMember(user_id=member.id))
        start = (utcnow() + timedelta(days=12)).replace(hour=7, minute=0, second=0,
                                                        microsecond=0)
        window = VisitWindow(call_id=call.id, starts_at=start, ends_at=start + timedelta(hours=9),
                             note="Seminar in the morning, lab visits after lunch")
        db.session.add(window)
        db.session.commit()
        window_id = window.id
    _sign_in(journey.page, journey.base_url, "member@example.org")
    page = journey.goto("/panel/visits")
    page.get_by_label(label).check()
    with page.expect_navigation():
        page.locator("main form button.btn-primary").click()
    assert saved in page.content()
    assert page.locator(f"#w{window_id}-if_needed").is_checked()
    scroll_width, window_width = page.evaluate(PAGE_WIDTH)
    assert scroll_width <= window_width, f"the page scrolls sideways: {scroll_width}px"
    journey.step(f"availability-{locale}")
    journey.assert_accessible()


@pytest.mark.parametrize("journey", [375], indirect=True)
def test_hr_planning_and_programme_pages_fit_a_phone(journey, live_server):
    from icm_recruit.selection.models import InterviewPanelist, InterviewSlot
    from icm_recruit.selection.visit_models import VisitPart, VisitPartKind

    with live_server.app_context():
        from icm_recruit.calls.models import CallStatus

        call = make_call(slug="visits-hr", status=CallStatus.SELECTION, opens_in_days=-60,
                         closes_in_days=-30)
        applicant = make_user("cand@example.org", Role.APPLICANT, name="Amina Diallo")
        make_application(call, applicant, status=ApplicationStatus.SHORTLISTED, complete=True)
        make_user("hr@example.org", Role.ADMIN, name="Claire HR", locale="fr")
        members = []
        for n in range(4):
            member = make_user(f"m{n}@example.org", Role.REVIEWER,
                               name=f"Professor Member-With-A-Long-Name {n}")
            db.session.add(BoardMember(user_id=member.id))
            members.append(member)
        start = (utcnow() + timedelta(days=12)).replace(hour=7, minute=0, second=0,
                                                        microsecond=0)
        db.session.add(VisitWindow(call_id=call.id, starts_at=start,
                                   ends_at=start + timedelta(hours=9), note="Seminar"))
        slot = InterviewSlot(call_id=call.id, starts_at=start + timedelta(hours=3),
                             duration_minutes=60, location="Room 4.12")
        slot.panelists = [InterviewPanelist(user_id=m.id) for m in members]
        db.session.add(slot)
        db.session.flush()
        db.session.add(VisitPart(slot_id=slot.id, kind=VisitPartKind.SEMINAR,
                                 starts_at=start, duration_minutes=60,
                                 place="Amphithéâtre Charcot", details="Open to all"))
        db.session.commit()
        call_id, slot_id = call.id, slot.id
    _sign_in(journey.page, journey.base_url, "hr@example.org")
    for path, name in ((f"/selection/calls/{call_id}/visits", "planning"),
                       (f"/selection/slots/{slot_id}/visit", "programme")):
        page = journey.goto(path)
        scroll_width, window_width = page.evaluate(PAGE_WIDTH)
        assert scroll_width <= window_width, f"{name} scrolls sideways: {scroll_width}px"
        journey.step(name)
    journey.assert_accessible()
