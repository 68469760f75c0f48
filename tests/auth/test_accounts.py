import pytest
from sqlalchemy import select

from icm_recruit.auth.models import Role, User
from icm_recruit.core.audit import AuditEvent
from icm_recruit.extensions import db
from tests.support import PASSWORD, make_user, post_form

pytestmark = pytest.mark.services


def _register(client, email="new.applicant@example.org", **overrides):
    data = {"name": "Ada Lovelace", "email": email, "password": PASSWORD,
            "confirm": PASSWORD, "locale": "en", "consent": "y", **overrides}
    return post_form(client, "/register", data)


def test_registration_verification_mail_then_login(client, mail, auth, ctx):
    response = _register(client)
    assert response.status_code == 302
    messages = mail.to("new.applicant@example.org")
    assert len(messages) == 1
    assert messages[0]["Subject"] == "Confirm your e-mail address"

    # Before verification sign-in is refused with guidance.
    response = auth.login("new.applicant@example.org")
    assert response.headers["Location"].endswith("/verify")

    link = mail.last_link("new.applicant@example.org")
    response = client.get(link.replace("http://localhost", ""))
    assert response.status_code == 302
    response = auth.login("new.applicant@example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Welcome, Ada Lovelace" in page
    user = db.session.scalar(select(User).where(User.email == "new.applicant@example.org"))
    assert user.roles == {Role.APPLICANT}
    assert user.password_hash.startswith("$argon2id$")


def test_registration_in_french_sends_french_mail(client, mail, ctx):
    _register(client, email="marie@example.org", locale="fr")
    assert mail.to("marie@example.org")[0]["Subject"] == "Confirmez votre adresse e-mail"


def test_invalid_registration_keeps_input_and_shows_errors(client, ctx):
    response = _register(client, confirm="something-else-1", name="Grace Hopper")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Grace Hopper"' in html
    assert "The passwords differ." in html
    assert 'aria-invalid="true"' in html
    assert db.session.scalar(select(User).where(User.email == "new.applicant@example.org")) is None


def test_registering_a_taken_address_mails_its_owner(client, mail, ctx):
    make_user("taken@example.org")
    response = _register(client, email="Taken@Example.org", follow_redirects=True)
    assert "already exists" not in response.get_data(as_text=True)
    [notice] = mail.to("taken@example.org")
    assert notice["Subject"] == "Someone tried to create an account with your address"


def test_unknown_email_and_wrong_password_say_the_same(client, auth, ctx):
    make_user("known@example.org")
    unknown = auth.login("nobody@example.org", "whatever-123").get_data(as_text=True)
    wrong = auth.login("known@example.org", "wrong-password-1").get_data(as_text=True)
    message = "The e-mail or the password is not correct."
    assert message in unknown and message in wrong
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("auth.login_failed") == 2


def test_login_is_rate_limited_per_account_and_address(client, auth, ctx, app):
    make_user("target@example.org")
    limit, _ = app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"]
    for _ in range(limit):
        assert auth.login("target@example.org", "bad-guess-1").status_code == 200
    response = auth.login("target@example.org")  # even the right password is refused now
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", [
    "/\\evil.com", "//evil.com", "https:evil.com", "https://evil.com/x", "/\\/evil.com",
    "\\\\evil.com", "javascript:alert(1)", "/\r\nLocation: //evil.com", " //evil.com",
])
def test_next_never_leaves_the_site(client, auth, ctx, target):
    make_user("nav@example.org")
    response = post_form(client, "/login",
                         {"email": "nav@example.org", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_inside_the_site_is_followed(client, ctx):
    make_user("nav2@example.org")
    response = post_form(client, "/login", {"email": "nav2@example.org", "password": PASSWORD,
                                            "next": "/account?tab=1"})
    assert response.headers["Location"] == "/account?tab=1"


def test_password_reset_is_single_use(client, mail, auth, ctx):
    make_user("forgetful@example.org")
    post_form(client, "/password/forgot", {"email": "forgetful@example.org"})
    link = mail.last_link("forgetful@example.org").replace("http://localhost", "")
    new_password = "brand-new-secret-7"
    response = post_form(client, link, {"password": new_password, "confirm": new_password})
    assert response.status_code == 302
    assert auth.login("forgetful@example.org", new_password).headers["Location"] == "/"
    again = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "already used" in again


def test_reset_for_unknown_email_says_the_same_and_sends_nothing(client, mail, ctx):
    response = post_form(client, "/password/forgot", {"email": "ghost@example.org"},
                         follow_redirects=True)
    assert "If an account uses this address" in response.get_data(as_text=True)
    assert mail.to("ghost@example.org") == []


def test_expired_reset_link_offers_a_new_one(client, mail, app, ctx):
    make_user("late@example.org")
    post_form(client, "/password/forgot", {"email": "late@example.org"})
    link = mail.last_link("late@example.org").replace("http://localhost", "")
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    try:
        page = client.get(link, follow_redirects=True).get_data(as_text=True)
    finally:
        app.config["RESET_TOKEN_MAX_AGE"] = 3600
    assert "expired" in page and "Send the link" in page


def test_password_change_ends_other_sessions(app, auth, client, ctx):
    make_user("two.devices@example.org")
    other = app.test_client()
    post_form(other, "/login", {"email": "two.devices@example.org", "password": PASSWORD})
    assert other.get("/account").status_code == 200
    auth.login("two.devices@example.org")
    post_form(client, "/account", {"password-current": PASSWORD, "password-password":
                                   "another-secret-9", "password-confirm": "another-secret-9",
                                   "which": "password"})
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302  # signed out server-side


def test_logout_requires_post_with_csrf(client, auth, ctx):
    make_user("leaver@example.org")
    auth.login("leaver@example.org")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    auth.logout()
    assert client.get("/account").status_code == 302
