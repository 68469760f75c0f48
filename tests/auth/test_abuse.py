"""Registration and reset say nothing about which addresses have accounts; one stranger
cannot lock an owner out of sign-in."""

import re

import pytest
from sqlalchemy import func, select

from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.extensions import db
from tests.support import PASSWORD, make_user, post_form

pytestmark = pytest.mark.services

ATTACKER = {"REMOTE_ADDR": "198.51.100.7"}
OWNER = {"REMOTE_ADDR": "203.0.113.20"}


def _register(client, email):
    return post_form(client, "/register", {
        "name": "Eve Example", "email": email, "password": PASSWORD, "confirm": PASSWORD,
        "locale": "en", "consent": "y"})


ALERT_RE = re.compile(r'<div class="alert [^"]*" role="\w+">(.*?)</div>', re.S)


def _answer(client, response, email):
    """The status, the redirect, and the messages of the page shown after it, with the
    address blanked out."""
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    alerts = tuple(a.replace(email, "ADDRESS") for a in ALERT_RE.findall(page))
    return (response.status_code, response.headers["Location"],
            response.get_data(as_text=True), alerts)


def _outbox_count(email):
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.recipient == email))


def _audit_count(action):
    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == action))


def test_register_answers_alike_for_a_taken_and_a_free_address(client, mail, ctx):
    owner = make_user("owner@example.org", name="Olivia Owner")
    taken = _answer(client, _register(client, "Owner@Example.org"), "owner@example.org")
    free = _answer(client, _register(client, "fresh@example.org"), "fresh@example.org")
    assert taken == free
    assert taken[0] == 302 and "If this address already has an account" in taken[3][0]

    [notice] = mail.to("owner@example.org")
    assert notice["Subject"] == "Someone tried to create an account with your address"
    text = mail.text_of(notice)
    assert "Olivia Owner" in text and "/login" in text and "/password/forgot" in text
    assert "Eve Example" not in text  # nothing the stranger typed reaches the owner
    db.session.refresh(owner)
    assert owner.name == "Olivia Owner" and owner.check_password(PASSWORD)
    assert mail.to("fresh@example.org")[0]["Subject"] == "Confirm your e-mail address"


def test_register_notice_is_in_the_owners_language(client, mail, ctx):
    make_user("marie@example.org", locale="fr")
    _register(client, "marie@example.org")
    [notice] = mail.to("marie@example.org")
    assert notice["Subject"] == "Quelqu’un a essayé de créer un compte avec votre adresse"


def test_forgot_password_answers_alike_for_known_and_unknown_addresses(client, mail, ctx):
    make_user("known@example.org")
    known = _answer(client, post_form(client, "/password/forgot",
                                      {"email": "known@example.org"}), "known@example.org")
    unknown = _answer(client, post_form(client, "/password/forgot",
                                        {"email": "nobody@example.org"}), "nobody@example.org")
    assert known == unknown and "If an account uses this address" in known[3][0]
    assert len(mail.to("known@example.org")) == 1 and mail.to("nobody@example.org") == []


def test_resend_verification_answers_alike_whatever_the_account(client, mail, ctx):
    make_user("pending@example.org", verified=False)
    make_user("done@example.org")
    answers = {email: _answer(client, post_form(client, "/verify/resend", {"email": email},
                                                page_url="/verify"), email)
               for email in ("pending@example.org", "done@example.org", "none@example.org")}
    assert len(set(answers.values())) == 1
    assert len(mail.to("pending@example.org")) == 1
    assert mail.to("done@example.org") == [] and mail.to("none@example.org") == []


def test_reset_answer_stays_the_same_past_the_address_limit(client, app, mail, ctx):
    make_user("popular@example.org")
    limit = app.config["MAIL_LIMIT_PER_RECIPIENT"][0][0]
    answers = set()
    for index in range(limit + 3):  # each from its own address: only the mailbox limit acts
        response = post_form(client, "/password/forgot", {"email": "popular@example.org"},
                             environ_base={"REMOTE_ADDR": f"192.0.2.{index + 1}"})
        answers.add(_answer(client, response, "popular@example.org"))
    assert len(answers) == 1
    # Links asked within one second are one and the same mail; the limit refused the rest.
    assert 1 <= len(mail.to("popular@example.org")) == _outbox_count("popular@example.org")
    assert _outbox_count("popular@example.org") <= limit
    assert _audit_count("mail.limited") == 3


def test_stranger_cannot_lock_the_owner_out(client, app, auth, ctx):
    make_user("victim@example.org")
    for _ in range(20):
        response = auth.login("victim@example.org", "guess-12345", environ_base=ATTACKER)
        assert response.status_code in (200, 429)
    assert response.status_code == 429  # the stranger's own address is locked
    assert "Too many attempts" in response.get_data(as_text=True)
    # Even the right password is refused from the stranger's address...
    assert auth.login("victim@example.org", environ_base=ATTACKER).status_code == 429
    # ...while the owner, from elsewhere, signs in.
    response = auth.login("victim@example.org", environ_base=OWNER)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_guessing_from_many_addresses_is_still_stopped(client, app, auth, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", (10, 15 * 60))
    make_user("target2@example.org")
    per_pair, _ = app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"]
    per_account, _ = app.config["LOGIN_LIMIT_PER_ACCOUNT"]
    statuses = []
    for index in range(per_account // per_pair + 2):
        for _ in range(per_pair):
            statuses.append(auth.login("target2@example.org", "guess-12345",
                                       environ_base={"REMOTE_ADDR": f"10.9.{index}.1"})
                            .status_code)
    assert statuses.count(200) == per_account  # wrong-password answers, then refusals
    assert statuses[-1] == 429


@pytest.mark.parametrize(("hops", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_client_address_comes_from_trusted_proxies_only(make_app, hops, seen):
    from flask import request

    from icm_recruit.core.permissions import public

    other = make_app(PROXY_HOPS=hops)
    other.add_url_rule("/_client-address", "client_address",
                       public(lambda: request.remote_addr))
    response = other.test_client().get("/_client-address",
                                       headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.get_data(as_text=True) == seen


@pytest.mark.parametrize("storage", ["redis", "memory"])
def test_many_people_signing_in_from_one_address_are_never_locked_out(
        client, app, auth, ctx, monkeypatch, storage):
    # An institute's staff behind one address: only failures count towards its limit.
    from icm_recruit.core import ratelimit

    if storage == "memory":
        monkeypatch.setitem(app.extensions, "rate_counter", ratelimit.MemoryCounter())
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_IP", (5, 15 * 60))
    shared = {"REMOTE_ADDR": "192.0.2.77"}
    for index in range(12):
        make_user(f"colleague{index}@example.org")
        response = auth.login(f"colleague{index}@example.org", environ_base=shared)
        assert response.status_code == 302, index
        auth.logout()
    for _ in range(5):  # failures still count, and lock the address once past the limit
        assert auth.login("colleague0@example.org", "guess-12345",
                          environ_base=shared).status_code == 200
    assert auth.login("colleague1@example.org", environ_base=shared).status_code == 429
