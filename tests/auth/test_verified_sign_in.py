"""After confirming the address, a new applicant continues signed in or is shown how to."""

import time

import pytest
from sqlalchemy import select

from icm_recruit.auth.models import User
from icm_recruit.core.audit import AuditEvent
from icm_recruit.extensions import db
from tests.support import PASSWORD, csrf_from, post_form

pytestmark = pytest.mark.services

EMAIL = "new.applicant@example.org"


def _register_and_follow_link(client, mail, locale="en"):
    data = {"name": "Ada Lovelace", "email": EMAIL, "password": PASSWORD,
            "confirm": PASSWORD, "locale": locale, "consent": "y"}
    assert post_form(client, "/register", data).status_code == 302
    link = mail.last_link(EMAIL).replace("http://localhost", "")
    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"] == "/verified"
    return link


def _continue(client):
    page = client.get("/verified").get_data(as_text=True)
    return client.post("/verified", data={"csrf_token": csrf_from(page)})


def test_new_applicant_continues_signed_in_after_the_link(client, mail, ctx):
    _register_and_follow_link(client, mail)
    page = client.get("/verified").get_data(as_text=True)
    assert "Your e-mail address is confirmed" in page
    assert "Continue signed in as Ada Lovelace" in page
    response = _continue(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Welcome, Ada Lovelace" in client.get("/").get_data(as_text=True)
    assert client.get("/applications").status_code == 200
    user = db.session.scalar(select(User).where(User.email == EMAIL))
    assert user.email_verified_at is not None and user.last_login_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login"))
    assert event.data.get("method") == "email_verification"


def test_the_link_signs_in_only_once(client, mail, app, ctx):
    link = _register_and_follow_link(client, mail)
    _continue(client)
    other = app.test_client()
    assert other.get(link).headers["Location"] == "/verified"
    page = other.get("/verified").get_data(as_text=True)
    assert "Continue signed in" not in page
    assert f'value="{EMAIL}"' in page and 'name="password"' in page
    response = other.post("/verified", data={"csrf_token": csrf_from(page)})
    assert response.headers["Location"] == "/verified"
    assert other.get("/account").status_code in (302, 401)


def test_another_site_cannot_press_the_button(client, mail, ctx):
    _register_and_follow_link(client, mail)
    response = client.post("/verified", data={})
    assert response.status_code in (302, 400)
    assert client.get("/account").status_code in (302, 401)


def test_the_offer_expires(client, mail, ctx):
    _register_and_follow_link(client, mail)
    with client.session_transaction() as session:
        session["verified_at"] = int(time.time()) - 16 * 60
    page = client.get("/verified").get_data(as_text=True)
    assert "Continue signed in" not in page and f'value="{EMAIL}"' in page
    _continue(client)
    assert client.get("/account").status_code in (302, 401)


def test_signing_in_from_the_confirmation_page_works(client, mail, ctx):
    _register_and_follow_link(client, mail)
    page = client.get("/verified").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": csrf_from(page), "email": EMAIL,
                                           "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200


def test_confirmation_page_in_french(client, mail, ctx):
    _register_and_follow_link(client, mail, locale="fr")
    with client.session_transaction() as session:
        session["locale"] = "fr"
    page = client.get("/verified").get_data(as_text=True)
    assert "Votre adresse e-mail est confirmée" in page
    assert "Continuer connecté·e en tant que Ada Lovelace" in page
