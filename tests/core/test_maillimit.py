"""Mail limits: per recipient and per actor, counted in the shared rate-limit store."""

import uuid

import pytest

from icm_recruit.core import maillimit

pytestmark = pytest.mark.services


@pytest.fixture
def limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_PREFIX", f"icm-test-{uuid.uuid4().hex[:12]}")
    monkeypatch.setitem(app.config, "MAIL_LIMIT_PER_RECIPIENT", [(2, 600), (3, 86400)])
    monkeypatch.setitem(app.config, "MAIL_LIMIT_PER_ACTOR", [(4, 3600)])
    with app.test_request_context():
        yield


def test_recipient_limit_ignores_case_and_who_asks(limits):
    assert maillimit.allow_mail("addr:1", "Someone@Example.org")
    assert maillimit.allow_mail("addr:2", "someone@example.org")
    assert maillimit.mail_refusal("addr:3", "SOMEONE@example.org") == "recipient"
    assert maillimit.allow_mail("addr:3", "other@example.org")


def test_actor_limit_spans_recipients(limits):
    for index in range(4):
        assert maillimit.allow_mail("user:7", f"r{index}@example.org")
    with pytest.raises(maillimit.MailLimitError) as refused:
        maillimit.require_mail_allowed("user:7", "r9@example.org")
    assert refused.value.code == "actor" and "Too many requests" in refused.value.message


def test_an_actor_over_its_limit_uses_up_nobody_s_mailbox(limits):
    for index in range(4):
        maillimit.allow_mail("addr:9", f"x{index}@example.org")
    for _ in range(5):
        assert maillimit.mail_refusal("addr:9", "victim@example.org") == "actor"
    assert maillimit.allow_mail("addr:10", "victim@example.org")  # its count is untouched


def test_counters_never_hold_the_address(limits, app):
    maillimit.allow_mail("addr:1", "private.person@example.org")
    client = app.extensions["rate_counter"]._client
    keys = [k.decode() for k in client.scan_iter(f"{app.config['RATELIMIT_PREFIX']}:*")]
    assert keys and not any("private.person" in k for k in keys)


def test_actor_key_prefers_the_signed_in_user():
    class Person:
        id = 42

    assert maillimit.actor_key(user=Person(), address="192.0.2.1") == "user:42"
    assert maillimit.actor_key(address="192.0.2.1") == "addr:192.0.2.1"
