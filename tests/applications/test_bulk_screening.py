"""HR screens the ticked rows of a call's list with one decision and one reason."""

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.auth.models import Role
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.board.factories import quick_user, sign_in
from tests.support import csrf_from

pytestmark = pytest.mark.services


@pytest.fixture
def world(ctx):
    call = make_call()
    hr = quick_user("hr@icm.example.org", Role.ADMIN, Role.APPLICANT, name="HR person")
    apps = [make_application(call, quick_user(f"a{i}@example.org", Role.APPLICANT,
                                              name=f"Applicant {i}"),
                             status=ApplicationStatus.SUBMITTED, complete=True)
            for i in range(3)]
    own = make_application(call, hr, status=ApplicationStatus.SUBMITTED, complete=True)
    return {"call": call, "hr": hr, "apps": apps, "own": own}


def _statuses(*applications):
    db.session.expire_all()
    return [db.session.get(Application, a.id).status for a in applications]


def _confirm(client, world, *applications, **fields):
    """Open the confirmation page as the list's buttons do: a POST with the list's token."""
    url = f"/admin/calls/{world['call'].id}/applications"
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(f"{url}/screening/confirm", data={
        "csrf_token": token, "application_id": [a.id for a in applications], **fields})


def test_list_offers_bulk_screening(client, world):
    sign_in(client, world["hr"])
    body = client.get(f"/admin/calls/{world['call'].id}/applications").get_data(as_text=True)
    assert "Mark selected eligible" in body and "Mark selected ineligible" in body
    assert 'formmethod="get"' not in body  # the list's form (and its token) is posted


def test_confirmation_is_a_post_with_the_token(client, world):
    sign_in(client, world["hr"])
    base = f"/admin/calls/{world['call'].id}/applications/screening"
    assert client.get(f"{base}/confirm?application_id={world['apps'][0].id}"
                      "&decision=eligible").status_code == 405
    refused = client.post(f"{base}/confirm", data={"application_id": [world["apps"][0].id],
                                                   "decision": "eligible"})
    assert refused.status_code == 400  # no token: the form had expired
    page = _confirm(client, world, world["apps"][0], decision="eligible",
                    reason="Checked")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Applications to mark eligible: 1." in body
    assert "Checked</textarea>" in body  # the reason typed on the list is carried over
    assert _statuses(world["apps"][0]) == [ApplicationStatus.SUBMITTED]


def test_confirmation_counts_skips_own_and_changes_nothing(client, world):
    sign_in(client, world["hr"])
    apps, own = world["apps"], world["own"]
    response = _confirm(client, world, apps[0], apps[1], own, decision="ineligible",
                        reason="No PhD")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Applications to mark not eligible: 2." in body
    assert "Your own application was left out" in body
    assert f'value="{own.id}"' not in body
    assert _statuses(*apps, own) == [ApplicationStatus.SUBMITTED] * 4
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_ineligible_in_bulk_tells_each_applicant_and_audits(client, world):
    sign_in(client, world["hr"])
    apps, own = world["apps"], world["own"]
    page = _confirm(client, world, apps[0], apps[1], decision="ineligible")
    response = client.post(f"/admin/calls/{world['call'].id}/applications/screening", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "decision": "ineligible",
        "reason": "The PhD is more than 12 years old.", "status": "submitted",
        "application_id": [apps[0].id, apps[1].id, own.id]})
    assert response.status_code == 302
    assert "status=submitted" in response.headers["Location"]
    assert _statuses(*apps, own) == [ApplicationStatus.INELIGIBLE] * 2 + [
        ApplicationStatus.SUBMITTED] * 2
    assert {db.session.get(Application, a.id).screening_reason for a in apps[:2]} == {
        "The PhD is more than 12 years old."}
    mails = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.template == "application_ineligible")).all()
    assert sorted(m.recipient for m in mails) == ["a0@example.org", "a1@example.org"]
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "application.screened")).all()
    assert sorted(int(e.object_id) for e in events) == sorted([apps[0].id, apps[1].id])
    bulk = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "applications.screened_in_bulk"))
    assert sorted(bulk.data["application_ids"]) == sorted([apps[0].id, apps[1].id])


def test_eligible_in_bulk_and_ineligible_needs_a_reason(client, world):
    sign_in(client, world["hr"])
    apps = world["apps"]
    token = csrf_from(_confirm(client, world, apps[2]).get_data(as_text=True))
    url = f"/admin/calls/{world['call'].id}/applications/screening"
    refused = client.post(url, data={"csrf_token": token, "decision": "ineligible",
                                     "reason": " ", "application_id": [apps[2].id]})
    assert refused.status_code == 422
    assert _statuses(apps[2]) == [ApplicationStatus.SUBMITTED]
    done = client.post(url, data={"csrf_token": token, "decision": "eligible",
                                  "reason": "Checked", "application_id": [apps[2].id]},
                       follow_redirects=True)
    assert "Eligibility recorded. Applications changed: 1." in done.get_data(as_text=True)
    assert _statuses(*apps) == [ApplicationStatus.SUBMITTED] * 2 + [
        ApplicationStatus.UNDER_REVIEW]


def test_only_own_application_is_refused(client, world):
    sign_in(client, world["hr"])
    token = csrf_from(client.get(f"/admin/calls/{world['call'].id}/applications")
                      .get_data(as_text=True))
    assert _confirm(client, world, world["own"], decision="eligible").status_code == 403
    response = client.post(f"/admin/calls/{world['call'].id}/applications/screening", data={
        "csrf_token": token, "decision": "eligible", "application_id": [world["own"].id]})
    assert response.status_code == 403
    assert _statuses(world["own"]) == [ApplicationStatus.SUBMITTED]


def test_in_french(client, world):
    world["hr"].locale = "fr"
    db.session.commit()
    sign_in(client, world["hr"])
    body = _confirm(client, world, world["apps"][0], decision="eligible").get_data(
        as_text=True)
    assert "Candidatures à déclarer éligibles\u00a0: 1." in body
