"""Mail flood: many requests that would each mail one address send only a few mails; the
rest are refused politely (a clear 429, or the usual answer where it must not tell more)."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from icm_recruit.applications.models import RefereeRequest, RefereeStatus
from icm_recruit.auth.models import Role
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.applications.helpers import edit_url
from tests.support import PASSWORD, csrf_from, make_user

pytestmark = pytest.mark.services

REQUESTS = 50
TOO_MANY = ("Too many requests.",)
MAILBOX_FULL = ("We have sent several messages to",)
# Refused attempts count against the one who makes them: past 20 the actor limit speaks.
EITHER = MAILBOX_FULL + TOO_MANY


def _token(client, url):
    return csrf_from(client.get(url).get_data(as_text=True))


def _outbox(email):
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.recipient == email))


def _audited(action):
    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == action))


def _flood(send, *, usual_status: int, refusal: tuple[str, ...]):
    """Send REQUESTS requests; check each is the usual answer or a 429 that says one of
    the `refusal` messages."""
    seen = Counter()
    for index in range(REQUESTS):
        response = send(index)
        if response.status_code >= 500:
            seen["errors"] += 1
        elif response.status_code == 429:
            body = response.get_data(as_text=True)
            assert any(message in body for message in refusal)
            seen["429"] += 1
        else:
            assert response.status_code == usual_status
            seen["usual"] += 1
    return seen


def _report(path, mails, seen):
    refused = REQUESTS - mails - seen["errors"]
    print(f"\nmail flood ({path}): {REQUESTS} requests → {mails} mails, {refused} refused "
          f"politely ({seen['429']} with 429), {seen['errors']} errors")


def _address(index):
    return {"REMOTE_ADDR": f"198.51.{index // 200}.{index % 200 + 1}"}


def test_forgot_password_from_one_client(client, app, mail, ctx):
    make_user("flooded@example.org")
    token = _token(client, "/password/forgot")
    seen = _flood(lambda i: client.post("/password/forgot", data={
        "csrf_token": token, "email": "flooded@example.org"}), usual_status=302,
        refusal=TOO_MANY)
    mails = len(mail.to("flooded@example.org"))
    _report("forgot password, one client", mails, seen)
    per_actor = app.config["MAIL_LIMIT_PER_ACTOR"][0][0]
    assert seen == {"usual": per_actor, "429": REQUESTS - per_actor}
    assert 1 <= mails == _outbox("flooded@example.org") <= 3
    assert _audited("mail.limited") >= per_actor - 3


def test_forgot_password_from_many_clients(client, mail, ctx):
    make_user("flooded@example.org")
    token = _token(client, "/password/forgot")
    seen = _flood(lambda i: client.post("/password/forgot", data={
        "csrf_token": token, "email": "flooded@example.org"}, environ_base=_address(i)),
        usual_status=302, refusal=TOO_MANY)
    mails = len(mail.to("flooded@example.org"))
    _report("forgot password, 50 clients", mails, seen)
    assert seen == {"usual": REQUESTS}  # the same answer every time: nothing to learn
    assert 1 <= mails == _outbox("flooded@example.org") <= 3
    assert _audited("mail.limited") == REQUESTS - 3


def test_verification_resend(client, mail, ctx):
    make_user("unconfirmed@example.org", verified=False)
    token = _token(client, "/verify")
    seen = _flood(lambda i: client.post("/verify/resend", data={
        "csrf_token": token, "email": "unconfirmed@example.org"}, environ_base=_address(i)),
        usual_status=302, refusal=TOO_MANY)
    mails = len(mail.to("unconfirmed@example.org"))
    _report("verification resend, 50 clients", mails, seen)
    assert seen == {"usual": REQUESTS}
    assert 1 <= mails == _outbox("unconfirmed@example.org") <= 3
    assert _audited("mail.limited") == REQUESTS - 3


def test_register_with_a_taken_address(client, mail, ctx):
    make_user("owner@example.org")
    token = _token(client, "/register")
    form = {"csrf_token": token, "name": "Spam <b>text</b>", "email": "owner@example.org",
            "password": PASSWORD, "confirm": PASSWORD, "locale": "en", "consent": "y"}
    seen = _flood(lambda i: client.post("/register", data=form, environ_base=_address(i)),
                  usual_status=302, refusal=MAILBOX_FULL)
    mails = len(mail.to("owner@example.org"))
    _report("register with a taken address, 50 clients", mails, seen)
    assert mails == _outbox("owner@example.org") == 3
    assert seen == {"usual": 3, "429": REQUESTS - 3}


@pytest.fixture
def applicant_with_referee(client, auth, mail, ctx):
    call = make_call()
    user = make_user("applicant@example.org", Role.APPLICANT, name="Ada")
    application = make_application(call, user)
    auth.login(user)
    return application, _token(client, edit_url(application))


def _add_referee(client, application, token):
    return client.post(f"/applications/{application.id}/referees", data={
        "referee-csrf_token": token, "referee-name": "Prof. Typed Name",
        "referee-email": "referee@example.org", "referee-institution": "EMBL",
        "referee-locale": "en"})


def test_referee_resend(client, mail, applicant_with_referee):
    application, token = applicant_with_referee
    assert _add_referee(client, application, token).status_code == 302
    referee = db.session.scalar(select(RefereeRequest))
    url = f"/applications/{application.id}/referees/{referee.id}/resend"
    seen = _flood(lambda i: client.post(url, data={"csrf_token": token}), usual_status=302,
                  refusal=EITHER)
    mails = len(mail.to("referee@example.org"))
    _report("referee resend", mails - 1, seen)  # the first mail came with the request
    assert mails == _outbox("referee@example.org") == 3  # the request and two resends
    assert seen == {"usual": 2, "429": REQUESTS - 2}
    # The last link mailed still works: a refused resend changed nothing.
    link = mail.last_link("referee@example.org").replace("http://localhost", "")
    assert client.get(link).status_code == 200


def test_referee_add_and_cancel(client, mail, applicant_with_referee):
    application, token = applicant_with_referee

    def add_then_cancel(_index):
        response = _add_referee(client, application, token)
        if response.status_code == 302:
            request = db.session.scalar(select(RefereeRequest).where(
                RefereeRequest.status == RefereeStatus.REQUESTED))
            cancel = client.post(f"/applications/{application.id}/referees/{request.id}/"
                                 "cancel", data={"csrf_token": token, "confirm": "y"})
            assert cancel.status_code == 302
        else:
            # Refused as a whole, with what was typed kept on the page.
            assert 'value="Prof. Typed Name"' in response.get_data(as_text=True)
        return response

    seen = _flood(add_then_cancel, usual_status=302, refusal=EITHER)
    mails = len(mail.to("referee@example.org"))
    _report("referee add and cancel", mails, seen)
    assert mails == _outbox("referee@example.org") == 3
    assert seen == {"usual": 3, "429": REQUESTS - 3}
    assert db.session.scalar(select(func.count()).select_from(RefereeRequest)) == 3


def test_one_applicant_cannot_mail_many_addresses_without_end(client, app, mail,
                                                              applicant_with_referee):
    application, token = applicant_with_referee
    per_actor = app.config["MAIL_LIMIT_PER_ACTOR"][0][0]
    referee = None
    statuses = Counter()
    for index in range(per_actor + 5):
        response = client.post(f"/applications/{application.id}/referees", data={
            "referee-csrf_token": token, "referee-name": f"Referee {index}",
            "referee-email": f"r{index}@example.org", "referee-institution": "EMBL",
            "referee-locale": "en"})
        statuses[response.status_code] += 1
        if response.status_code == 302:  # keep room on the list for the next one
            referee = db.session.scalar(select(RefereeRequest).where(
                RefereeRequest.status == RefereeStatus.REQUESTED))
            client.post(f"/applications/{application.id}/referees/{referee.id}/cancel",
                        data={"csrf_token": token, "confirm": "y"})
        else:
            assert TOO_MANY[0] in response.get_data(as_text=True)
    assert statuses == {302: per_actor, 429: 5}
