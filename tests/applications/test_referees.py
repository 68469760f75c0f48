"""Referee links: single use, expiring, only their hash stored; reminders with fresh links."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import RefereeRequest
from icm_recruit.applications.referees import hash_token, send_referee_reminders
from icm_recruit.auth.models import Role
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.applications.helpers import edit_url, post_on_page
from tests.support import make_user, post_form

pytestmark = pytest.mark.services


@pytest.fixture
def requested(client, auth, mail, ctx):
    call = make_call()
    user = make_user("a@example.org", Role.APPLICANT, name="Ada")
    application = make_application(call, user)
    auth.login(user)
    post_form(client, f"/applications/{application.id}/referees",
              {"referee-name": "Prof. R", "referee-email": "R@Example.org",
               "referee-institution": "EMBL",
               "referee-locale": "en"}, page_url=edit_url(application))
    path = mail.last_link("r@example.org").replace("http://localhost", "")
    auth.logout()
    return application, path


def test_only_the_hash_of_the_token_is_stored(requested):
    _application, path = requested
    token = path.rsplit("/", 1)[-1]
    referee = db.session.scalar(select(RefereeRequest))
    assert referee.token_hash == hash_token(token) and token not in referee.token_hash


def test_expired_link_is_refused(client, requested):
    _application, path = requested
    referee = db.session.scalar(select(RefereeRequest))
    referee.expires_at = referee.created_at - timedelta(seconds=1)
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)


def test_unknown_link_and_declined_link(client, requested):
    _application, path = requested
    assert client.get("/referee/not-a-token").status_code == 404
    post_on_page(client, path, path, {"action": "decline"})
    response = client.get(path)
    assert response.status_code == 410 and "already used" in response.get_data(as_text=True)


def test_resend_replaces_the_link(client, auth, mail, requested):
    application, old_path = requested
    auth.login("a@example.org")
    referee = db.session.scalar(select(RefereeRequest))
    post_on_page(client, edit_url(application),
                 f"/applications/{application.id}/referees/{referee.id}/resend", {})
    new_path = mail.last_link("r@example.org").replace("http://localhost", "")
    assert new_path != old_path
    auth.logout()
    assert client.get(old_path).status_code == 404
    assert client.get(new_path).status_code == 200


def test_self_referee_and_duplicates_are_refused(client, auth, requested):
    application, _path = requested
    auth.login("a@example.org")
    for email, message in (("a@example.org", "your own referee"),
                           ("r@example.org", "already on your list")):
        response = post_form(client, f"/applications/{application.id}/referees",
                             {"referee-name": "X", "referee-email": email,
                              "referee-institution": "Y",
                              "referee-locale": "en"}, page_url=edit_url(application),
                             follow_redirects=True)
        assert message in response.get_data(as_text=True)


def test_reminders_are_spaced_and_carry_a_fresh_link(client, mail, requested):
    _application, old_path = requested
    referee = db.session.scalar(select(RefereeRequest))
    assert send_referee_reminders() == 0  # too early
    referee.sent_at = referee.sent_at - timedelta(days=8)
    db.session.commit()
    assert send_referee_reminders() == 1
    db.session.commit()
    assert send_referee_reminders() == 0  # already reminded this week
    db.session.commit()
    reminder = mail.to("r@example.org")[-1]
    assert reminder["Subject"] == "Reminder: reference letter for Ada"
    new_path = mail.last_link("r@example.org").replace("http://localhost", "")
    assert client.get(old_path).status_code == 404
    assert client.get(new_path).status_code == 200


def test_a_submitted_application_names_a_missing_referee_without_changing(
        client, auth, mail, ctx):
    from icm_recruit.applications.models import ApplicationStatus, RefereeStatus

    call = make_call(referees_required=2)
    user = make_user("b@example.org", Role.APPLICANT, name="Bea")
    application = make_application(call, user, status=ApplicationStatus.SUBMITTED,
                                   complete=True)
    db.session.add(RefereeRequest(application=application, name="Prof. Gone",
                                  email="gone@example.org", institution="UCL",
                                  status=RefereeStatus.DECLINED, token_hash="x" * 64,
                                  expires_at=application.submitted_at))
    db.session.commit()
    auth.login(user)
    home = client.get("/").get_data(as_text=True)
    # One declined, none other named: two to name ("more" once one stands), none to remind.
    assert "Name 2 referees so that" in home and "remind your referees" not in home
    page = client.get(edit_url(application)).get_data(as_text=True)
    assert 'id="referee-request"' in page and "Change my application" in page
    response = post_form(client, f"/applications/{application.id}/referees",
                         {"referee-name": "Prof. New", "referee-email": "new@example.org",
                          "referee-institution": "EMBL", "referee-locale": "en"},
                         page_url=edit_url(application))
    assert response.status_code == 302
    assert mail.last_link("new@example.org")
    db.session.expire_all()
    assert db.session.get(type(application), application.id).version == application.version
    assert "Name 1 more referee so that" in client.get("/").get_data(as_text=True)
