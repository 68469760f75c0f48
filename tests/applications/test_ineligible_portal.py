"""An applicant whose application HR found not eligible reads the decision and its reason."""

import pytest

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.auth.models import Role
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.board.factories import quick_user, sign_in
from tests.support import csrf_from

pytestmark = pytest.mark.services

REASON = "A PhD defended before 2014 is required.\nYours was defended in 2015."


@pytest.fixture
def world(ctx):
    call = make_call()
    applicant = quick_user("amina@example.org", Role.APPLICANT, name="Amina Diallo")
    application = make_application(call, applicant, status=ApplicationStatus.SUBMITTED,
                                   complete=True)
    hr = quick_user("hr@icm.example.org", Role.ADMIN, name="HR person")
    return {"call": call, "applicant": applicant, "application": application, "hr": hr}


def _screen(client, world, decision: str, reason: str = ""):
    application = world["application"]
    sign_in(client, world["hr"])
    page = client.get(f"/admin/applications/{application.id}").get_data(as_text=True)
    response = client.post(f"/admin/applications/{application.id}/screening", data={
        "csrf_token": csrf_from(page), "decision": decision, "reason": reason})
    assert response.status_code == 302
    db.session.expire_all()


def test_status_page_shows_not_eligible_and_the_reason(client, world):
    _screen(client, world, "ineligible", REASON)
    application = world["application"]
    sign_in(client, world["applicant"])
    page = client.get(f"/applications/{application.id}/status").get_data(as_text=True)
    assert 'id="ineligible-h">Not eligible' in page
    assert "the board will not review it" in page
    assert "A PhD defended before 2014 is required.<br>Yours was defended in 2015." in page
    assert application.reference in page


def test_my_applications_shows_the_reason_beside_the_status(client, world):
    _screen(client, world, "ineligible", REASON)
    sign_in(client, world["applicant"])
    page = client.get("/applications").get_data(as_text=True)
    assert "Not eligible" in page and "Reason: A PhD defended before 2014" in page


def test_french_portal_shows_the_decision(client, world):
    _screen(client, world, "ineligible", REASON)
    world["applicant"].locale = "fr"
    db.session.commit()
    sign_in(client, world["applicant"])
    application = world["application"]
    page = client.get(f"/applications/{application.id}/status").get_data(as_text=True)
    assert "Non éligible" in page
    assert "le comité ne l’évaluera donc pas" in page
    assert "A PhD defended before 2014 is required." in page
    assert "Raison\u00a0: A PhD defended" in client.get("/applications").get_data(as_text=True)


def test_an_eligible_application_shows_no_reason(client, world):
    _screen(client, world, "eligible")
    sign_in(client, world["applicant"])
    application = world["application"]
    page = client.get(f"/applications/{application.id}/status").get_data(as_text=True)
    assert "ineligible-h" not in page and "Not eligible" not in page


def test_a_reversed_decision_hides_the_old_reason(client, world):
    _screen(client, world, "ineligible", REASON)
    _screen(client, world, "eligible")
    sign_in(client, world["applicant"])
    application = world["application"]
    page = client.get(f"/applications/{application.id}/status").get_data(as_text=True)
    assert "A PhD defended" not in page


def test_no_one_else_reads_the_reason(client, world):
    _screen(client, world, "ineligible", REASON)
    other = quick_user("other@example.org", Role.APPLICANT)
    make_application(world["call"], other, status=ApplicationStatus.SUBMITTED, complete=True)
    sign_in(client, other)
    application = world["application"]
    assert client.get(f"/applications/{application.id}/status").status_code in (403, 404)
    assert "A PhD defended" not in client.get("/applications").get_data(as_text=True)
