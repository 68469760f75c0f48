import pytest

from icm_recruit.auth.models import Role
from icm_recruit.core.permissions import ACCESS_ATTR
from tests.support import make_user

pytestmark = pytest.mark.services

ADMIN_PAGES = ["/admin/users", "/admin/users/invite", "/admin/mailbox", "/admin/audit"]


def test_every_endpoint_declares_an_access_rule(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if not hasattr(view, ACCESS_ATTR):
            missing.append(rule.endpoint)
    assert missing == []


def test_undeclared_route_is_denied(make_app):
    fresh = make_app()
    fresh.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    assert fresh.test_client().get("/forgotten").status_code == 403


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("roles,expected", [
    ((), 302),  # anonymous: to sign-in
    ((Role.APPLICANT,), 403),
    ((Role.REVIEWER,), 403),
    ((Role.CHAIR, Role.REVIEWER), 403),
    ((Role.ADMIN,), 200),
])
def test_admin_pages_by_role(client, auth, ctx, path, roles, expected):
    if roles:
        make_user("person@example.org", *roles)
        auth.login("person@example.org")
    response = client.get(path)
    assert response.status_code == expected
    if expected == 302:
        assert response.headers["Location"].startswith("/login?next=")


def test_admin_invites_reviewer_who_sets_password(client, auth, mail, ctx):
    make_user("hr@example.org", Role.ADMIN)
    auth.login("hr@example.org")
    from tests.support import post_form

    response = post_form(client, "/admin/users/invite", {
        "name": "Prof. Board Member", "email": "member@example.org", "locale": "fr",
        "roles": ["reviewer"]})
    assert response.status_code == 302
    link = mail.last_link("member@example.org").replace("http://localhost", "")
    assert mail.to("member@example.org")[0]["Subject"].startswith("Vous êtes invité")
    auth.logout()
    post_form(client, link, {"password": "member-secret-12", "confirm": "member-secret-12"})
    assert auth.login("member@example.org", "member-secret-12").headers["Location"] == "/"
    assert client.get("/admin/users").status_code == 403


def test_role_change_is_audited_and_admin_cannot_drop_own_admin(client, auth, ctx):
    from sqlalchemy import select

    from icm_recruit.core.audit import AuditEvent
    from icm_recruit.extensions import db
    from tests.support import post_form

    admin = make_user("boss@example.org", Role.ADMIN)
    other = make_user("worker@example.org", Role.APPLICANT)
    auth.login("boss@example.org")
    post_form(client, f"/admin/users/{other.id}/roles", {"roles": ["applicant", "chair"]})
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_id == str(other.id))).all()
    assert "user.role_granted" in actions
    response = post_form(client, f"/admin/users/{admin.id}/roles", {"roles": ["reviewer"],
                                                                    "confirm": "y"})
    assert "cannot remove your own administrator role" in response.get_data(as_text=True)
