import time

import pyotp
import pytest
from sqlalchemy import select

from icm_recruit.auth.models import Role, User
from icm_recruit.core.audit import AuditEvent
from icm_recruit.extensions import db
from tests.support import PASSWORD, csrf_from, make_user, post_form

pytestmark = pytest.mark.services


def _enable(client, auth, email):
    auth.login(email)
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = page.split('id="totp-secret">')[1].split("<")[0]
    response = post_form(client, "/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    html = response.get_data(as_text=True)
    codes = html.split('id="recovery-codes">')[1].split("</ul>")[0]
    codes = [c.split("</li>")[0].strip() for c in codes.split('<li class="col">')[1:]]
    auth.logout()
    return secret, codes


def test_enabling_requires_a_valid_code(client, auth, ctx):
    make_user("careful@example.org")
    auth.login("careful@example.org")
    client.get("/account/two-factor")
    response = post_form(client, "/account/two-factor", {"code": "000000"})
    assert "This code is not valid" in response.get_data(as_text=True)
    assert not User.by_email("careful@example.org").has_two_factor


def test_sign_in_asks_for_the_second_factor(client, auth, ctx):
    make_user("secure@example.org")
    secret, codes = _enable(client, auth, "secure@example.org")
    assert len(codes) == 10
    response = auth.login("secure@example.org")
    assert response.headers["Location"] == "/login/verify"
    assert client.get("/account").status_code == 302  # not signed in yet
    bad = post_form(client, "/login/verify", {"code": "123456"})
    assert "This code is not valid" in bad.get_data(as_text=True)
    # A fresh code, not the one used to enable (a code is never accepted twice).
    step_code = pyotp.TOTP(secret).at(time.time() + 30)
    ok = post_form(client, "/login/verify", {"code": step_code})
    assert ok.headers["Location"] == "/"
    assert client.get("/account").status_code == 200


def test_a_totp_code_cannot_be_replayed(client, auth, ctx, app):
    make_user("replay@example.org")
    secret, _ = _enable(client, auth, "replay@example.org")
    code = pyotp.TOTP(secret).at(time.time() + 30)
    auth.login("replay@example.org")
    post_form(client, "/login/verify", {"code": code})
    auth.logout()
    auth.login("replay@example.org")
    again = post_form(client, "/login/verify", {"code": code})
    assert "This code is not valid" in again.get_data(as_text=True)


def test_recovery_code_works_once(client, auth, ctx):
    make_user("lostphone@example.org")
    _, codes = _enable(client, auth, "lostphone@example.org")
    auth.login("lostphone@example.org")
    assert post_form(client, "/login/verify", {"code": codes[0]}).headers["Location"] == "/"
    auth.logout()
    auth.login("lostphone@example.org")
    reused = post_form(client, "/login/verify", {"code": codes[0]})
    assert "This code is not valid" in reused.get_data(as_text=True)
    events = db.session.scalars(select(AuditEvent.action)).all()
    assert "auth.2fa_passed" in events and "auth.2fa_failed" in events


def test_second_factor_attempts_are_limited(client, auth, ctx):
    make_user("guessed@example.org")
    secret, _ = _enable(client, auth, "guessed@example.org")
    auth.login("guessed@example.org")
    for _ in range(5):
        post_form(client, "/login/verify", {"code": "111111"})
    blocked = post_form(client, "/login/verify", {"code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert "Too many attempts" in blocked.get_data(as_text=True)


def test_admin_must_set_up_two_factor_when_required(client, auth, ctx, app):
    make_user("hr2@example.org", Role.ADMIN)
    app.config["REQUIRE_2FA_FOR_ROLES"] = ["admin", "chair"]
    try:
        auth.login("hr2@example.org")
        response = client.get("/admin/users")
        assert response.status_code == 302
        assert response.headers["Location"] == "/account/two-factor"
        page = client.get("/account/two-factor").get_data(as_text=True)
        assert "two-factor sign-in is required" in page
        secret = page.split('id="totp-secret">')[1].split("<")[0]
        post_form(client, "/account/two-factor", {"code": pyotp.TOTP(secret).now()})
        assert client.get("/admin/users").status_code == 200
        # and it cannot be turned off
        response = post_form(client, "/account/two-factor/disable", {"password": PASSWORD},
                             page_url="/account/two-factor", follow_redirects=True)
        assert "cannot be turned off" in response.get_data(as_text=True)
    finally:
        app.config["REQUIRE_2FA_FOR_ROLES"] = []


def test_idle_session_ends(client, auth, ctx, app):
    make_user("idle@example.org")
    auth.login("idle@example.org")
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - app.config["SESSION_IDLE_SECONDS"] - 5
    response = client.get("/account")
    assert response.status_code == 302 and "/login?next=/account" in response.headers["Location"]
    assert client.get("/account").status_code == 302


def test_absolute_session_lifetime(client, auth, ctx, app):
    make_user("marathon@example.org")
    auth.login("marathon@example.org")
    with client.session_transaction() as session:
        session["auth_at"] = int(time.time()) - app.config["SESSION_ABSOLUTE_SECONDS"] - 5
    assert client.get("/account").status_code == 302


def test_sign_in_starts_a_new_session(client, auth, ctx):
    make_user("fixation@example.org")
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    auth.login("fixation@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session
    assert csrf_from(client.get("/account").get_data(as_text=True))


def test_sign_out_ends_the_session_on_the_server(client, auth, ctx, app):
    make_user("copied@example.org")
    auth.login("copied@example.org")
    stolen = client.get_cookie("session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/account").status_code == 302  # the copied cookie is refused
