"""HR decides many conflicts at once: filter by reason code, tick, one reason, confirm."""

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.board import signals
from icm_recruit.board.models import Conflict, ConflictSource, ConflictStatus
from icm_recruit.core.audit import AuditEvent
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.board.factories import make_member, quick_user, sign_in
from tests.support import csrf_from

pytestmark = pytest.mark.services


def _conflict(member, application, source, status=ConflictStatus.SUGGESTED) -> Conflict:
    conflict = Conflict(reviewer_id=member.user_id, application_id=application.id,
                        source=source, status=status, reason="detected", params={})
    db.session.add(conflict)
    db.session.commit()
    return conflict


@pytest.fixture
def world(ctx):
    call = make_call()
    admin = quick_user("hr@icm.example.org", Role.ADMIN, Role.APPLICANT, name="HR person")
    apps = [make_application(call, quick_user(f"a{i}@inserm.fr", Role.APPLICANT,
                                              name=f"Applicant {i}"),
                             status=ApplicationStatus.SUBMITTED, complete=True)
            for i in range(3)]
    own = make_application(call, admin, status=ApplicationStatus.SUBMITTED, complete=True)
    one = make_member("jean@inserm.fr", "Jean Dupuis")
    two = make_member("rosa@inserm.fr", "Rosa Diaz")
    domain = [_conflict(one, apps[0], ConflictSource.EMAIL_DOMAIN),
              _conflict(two, apps[1], ConflictSource.EMAIL_DOMAIN),
              _conflict(one, apps[2], ConflictSource.EMAIL_DOMAIN)]
    institution = _conflict(one, apps[2], ConflictSource.INSTITUTION)
    on_own = _conflict(one, own, ConflictSource.EMAIL_DOMAIN)
    return {"call": call, "admin": admin, "domain": domain, "institution": institution,
            "own": on_own}


def _statuses(*conflicts):
    db.session.expire_all()
    return [db.session.get(Conflict, c.id).status for c in conflicts]


def _prepare(client, call, action, **fields):
    """Open the confirmation page as the list's buttons do: a POST with the list's token."""
    token = csrf_from(client.get(f"/admin/calls/{call.id}/conflicts").get_data(as_text=True))
    return client.post(f"/admin/calls/{call.id}/conflicts/bulk/{action}/confirm",
                       data={"csrf_token": token, **fields})


def _events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_filter_by_reason_code_shows_only_those_rows(client, world):
    sign_in(client, world["admin"])
    page = f"/admin/calls/{world['call'].id}/conflicts?source=email_domain&status=suggested"
    body = client.get(page).get_data(as_text=True)
    for conflict in world["domain"]:
        assert f'id="conflict-{conflict.id}"' in body
    assert f'id="conflict-{world["institution"].id}"' not in body
    assert f'id="conflict-{world["own"].id}"' not in body
    assert "Confirm selected" in body and "Select all shown" in body


def test_confirmation_page_counts_and_changes_nothing(client, world):
    sign_in(client, world["admin"])
    call, domain = world["call"], world["domain"]
    response = _prepare(client, call, "dismiss", reason="Large institute",
                        conflict_id=[domain[0].id, domain[1].id, world["own"].id])
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Large institute"' in body  # the reason typed on the list
    assert "Conflicts to dismiss: 2." in body
    assert "left alone: 1." in body
    assert _statuses(*domain, world["own"]) == [ConflictStatus.SUGGESTED] * 4
    assert _events("conflict.dismissed") == []


def test_confirmation_is_a_post_with_the_token(client, world):
    sign_in(client, world["admin"])
    call = world["call"]
    body = client.get(f"/admin/calls/{call.id}/conflicts").get_data(as_text=True)
    assert 'id="bulk-conflicts" class="card mb-3" method="post"' in body
    base = f"/admin/calls/{call.id}/conflicts/bulk/dismiss"
    assert client.get(f"{base}/confirm?conflict_id={world['domain'][0].id}").status_code == 405
    assert client.get(base).status_code == 405
    assert client.post(f"{base}/confirm", data={
        "conflict_id": [world["domain"][0].id]}).status_code == 400  # no token


def test_dismiss_all_shown_acts_on_exactly_the_filtered_rows(client, world):
    sign_in(client, world["admin"])
    call, domain = world["call"], world["domain"]
    page = _prepare(client, call, "dismiss", all_shown="1", source="email_domain",
                    status="suggested", reason="x")
    body = page.get_data(as_text=True)
    assert "Conflicts to dismiss: 3." in body
    heard = []

    def listen(sender, **kwargs):
        heard.append(kwargs)

    signals.conflicts_changed.connect(listen)
    try:
        response = client.post(f"/admin/calls/{call.id}/conflicts/bulk/dismiss", data={
            "csrf_token": csrf_from(body), "reason": "Large institute, no contact",
            "conflict_id": [c.id for c in domain], "source": "email_domain"})
    finally:
        signals.conflicts_changed.disconnect(listen)
    assert response.status_code == 302
    assert "source=email_domain" in response.headers["Location"]
    assert _statuses(*domain) == [ConflictStatus.DISMISSED] * 3
    assert _statuses(world["institution"], world["own"]) == [ConflictStatus.SUGGESTED] * 2
    assert {db.session.get(Conflict, c.id).decision_reason for c in domain} == {
        "Large institute, no contact"}
    events = _events("conflict.dismissed")
    assert sorted(e.object_id for e in events) == sorted(str(c.id) for c in domain)
    assert len(heard) == 1
    # Jean's pair with application 2 stays blocked by the institution conflict.
    assert sorted(heard[0]["lifted"]) == sorted(
        (c.reviewer_id, c.application_id) for c in domain[:2])


def test_confirm_selected_with_one_reason_skips_own_application(client, world):
    sign_in(client, world["admin"])
    call, domain = world["call"], world["domain"]
    page = client.get(f"/admin/calls/{call.id}/conflicts").get_data(as_text=True)
    response = client.post(f"/admin/calls/{call.id}/conflicts/bulk/confirm", data={
        "csrf_token": csrf_from(page), "reason": "Same lab",
        "conflict_id": [domain[0].id, world["own"].id]}, follow_redirects=True)
    assert response.status_code == 200
    assert "Conflicts confirmed: 1." in response.get_data(as_text=True)
    assert _statuses(domain[0], domain[1], world["own"]) == [
        ConflictStatus.CONFIRMED, ConflictStatus.SUGGESTED, ConflictStatus.SUGGESTED]
    assert len(_events("conflict.confirmed")) == 1


def test_reason_is_required(client, world):
    sign_in(client, world["admin"])
    call, domain = world["call"], world["domain"]
    page = client.get(f"/admin/calls/{call.id}/conflicts").get_data(as_text=True)
    response = client.post(f"/admin/calls/{call.id}/conflicts/bulk/confirm", data={
        "csrf_token": csrf_from(page), "reason": " ", "conflict_id": [domain[0].id]})
    assert response.status_code == 422
    assert _statuses(domain[0]) == [ConflictStatus.SUGGESTED]


def test_reviewer_cannot_decide_in_bulk(client, world):
    user = db.session.scalar(select(User).where(User.email == "jean@inserm.fr"))
    sign_in(client, user)
    token = csrf_from(client.get("/account").get_data(as_text=True))
    for url in (f"/admin/calls/{world['call'].id}/conflicts/bulk/dismiss/confirm",
                f"/admin/calls/{world['call'].id}/conflicts/bulk/dismiss"):
        response = client.post(url, data={"csrf_token": token, "reason": "x",
                                          "conflict_id": [world["domain"][0].id]})
        assert response.status_code in (302, 403)
    assert _statuses(world["domain"][0]) == [ConflictStatus.SUGGESTED]


def test_in_french(client, world):
    admin = world["admin"]
    admin.locale = "fr"
    db.session.commit()
    sign_in(client, admin)
    body = _prepare(client, world["call"], "confirm",
                    conflict_id=[world["domain"][0].id]).get_data(as_text=True)
    assert "Conflits à confirmer\u00a0: 1." in body
