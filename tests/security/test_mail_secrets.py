"""One-time links in mail reach only their recipient: HR's mailbox and the stored outbox row
never hold a usable link; the mail handed to SMTP does. Subjects stay one clean line."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from icm_recruit.auth.models import Role, User
from icm_recruit.core import outbox
from icm_recruit.core.outbox import OutboxMessage, OutboxStatus, queue_mail
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.governance import retention
from tests.applications.factories import make_application, make_call
from tests.applications.helpers import edit_url
from tests.support import PASSWORD, csrf_from, make_user, post_form

pytestmark = pytest.mark.services
NEW_PASSWORD = "taken-over-99"
URL_RE = re.compile(r"""https?://[^\s"'<>]+|href="([^"]+)\"""")


def _row_for(recipient: str, template: str) -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == recipient, OutboxMessage.template == template)
        .order_by(OutboxMessage.id.desc())).first()


def _row_as_text(message_id: int) -> str:
    row = db.session.execute(text("SELECT * FROM outbox_message WHERE id = :id"),
                             {"id": message_id}).mappings().one()
    return json.dumps(dict(row), default=str)


def _token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def _local(link: str) -> str:
    return link.replace("http://localhost", "")


def _mailbox_pages(client, message: OutboxMessage) -> list[str]:
    listing = client.get(f"/admin/mailbox?to={message.recipient}")
    detail = client.get(f"/admin/mailbox/{message.id}")
    assert listing.status_code == 200 and detail.status_code == 200
    return [listing.get_data(as_text=True), detail.get_data(as_text=True)]


def _links_in(pages: list[str]) -> set[str]:
    found = set()
    for page in pages:
        body = page.split('class="border rounded p-3 bg-body-tertiary mail-body">', 1)[-1]
        for match in URL_RE.finditer(body.split("</pre>", 1)[0]):
            found.add(_local(match.group(1) or match.group(0)))
    return found


def _try_to_set_password(client, paths: set[str]) -> None:
    """Use every link found as a password-setting link would be used."""
    for path in paths:
        page = client.get(path)
        if page.status_code != 200 or "csrf_token" not in page.get_data(as_text=True):
            continue
        client.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})


def _assert_no_secret(pages: list[str], message: OutboxMessage, token: str) -> None:
    for page in pages:
        assert token not in page
    assert "[link hidden]" in pages[1]
    assert token not in _row_as_text(message.id)


def test_hr_mailbox_and_stored_row_hold_no_usable_reset_link(client, auth, mail, ctx):
    make_user("victim@example.org", Role.APPLICANT)
    make_user("hr@example.org", Role.ADMIN)
    post_form(client, "/password/forgot", {"email": "victim@example.org"})
    link = mail.last_link("victim@example.org")
    token = _token_of(link)
    message = _row_for("victim@example.org", "password_reset")
    assert message.status == OutboxStatus.SENT and message.delivery_links is None

    auth.login("hr@example.org")
    pages = _mailbox_pages(client, message)
    _assert_no_secret(pages, message, token)
    assert "/password/reset/" not in pages[1]
    _try_to_set_password(client, _links_in(pages))
    auth.logout()
    assert auth.login("victim@example.org", NEW_PASSWORD).headers.get("Location") != "/"

    # The mail that went out over SMTP carries the working link.
    response = post_form(client, _local(link), {"password": "mine-again-42",
                                                "confirm": "mine-again-42"})
    assert response.status_code == 302
    assert auth.login("victim@example.org", "mine-again-42").headers["Location"] == "/"


def test_referee_upload_link_reaches_only_the_referee(client, auth, mail, ctx):
    applicant = make_user("a@example.org", Role.APPLICANT, name="Ada")
    make_user("hr@example.org", Role.ADMIN)
    application = make_application(make_call(), applicant)
    auth.login(applicant)
    post_form(client, f"/applications/{application.id}/referees",
              {"referee-name": "Prof. R", "referee-email": "r@example.org",
               "referee-institution": "EMBL", "referee-locale": "en"},
              page_url=edit_url(application))
    auth.logout()
    link = mail.last_link("r@example.org")
    message = _row_for("r@example.org", "referee_request")
    assert message.delivery_links is None and "url" not in json.dumps(message.links)

    auth.login("hr@example.org")
    pages = _mailbox_pages(client, message)
    _assert_no_secret(pages, message, _token_of(link))
    assert not any(path.startswith("/referee/") for path in _links_in(pages))
    auth.logout()
    page = client.get(_local(link))
    assert page.status_code == 200 and "letter" in page.get_data(as_text=True).lower()


def test_invitation_link_reaches_only_the_invited_person(client, auth, mail, ctx):
    make_user("hr@example.org", Role.ADMIN)
    auth.login("hr@example.org")
    post_form(client, "/admin/users/invite", {"name": "Prof. New", "email": "new@example.org",
                                              "locale": "en", "roles": ["reviewer"]})
    link = mail.last_link("new@example.org")
    message = _row_for("new@example.org", "invitation")
    pages = _mailbox_pages(client, message)
    _assert_no_secret(pages, message, _token_of(link))
    _try_to_set_password(client, _links_in(pages))
    auth.logout()
    assert User.by_email("new@example.org").password_hash is None

    post_form(client, _local(link), {"password": "invited-secret-1",
                                     "confirm": "invited-secret-1"})
    assert auth.login("new@example.org", "invited-secret-1").headers["Location"] == "/"


def test_verification_link_is_not_stored_in_clear(client, mail, ctx):
    post_form(client, "/register", {"name": "Nina New", "email": "nina@example.org",
                                    "password": PASSWORD, "confirm": PASSWORD,
                                    "locale": "en", "consent": "y"})
    link = mail.last_link("nina@example.org")
    message = _row_for("nina@example.org", "verify_email")
    assert _token_of(link) not in _row_as_text(message.id)
    client.get(_local(link))
    assert User.by_email("nina@example.org").email_verified_at is not None


def test_link_waits_beside_the_row_until_smtp_takes_it(app, ctx, mail):
    app.config["MAIL_PORT"], port = 1, app.config["MAIL_PORT"]
    try:
        message_id = queue_mail(to="late@example.org", template="password_reset", key="t:1",
                                context={"name": "L", "minutes": 60}, link_kind="reset",
                                secret_links={"url": "http://localhost/password/reset/SECRET"})
        db.session.commit()
    finally:
        app.config["MAIL_PORT"] = port
    message = db.session.get(OutboxMessage, message_id)
    db.session.refresh(message)
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    assert message.links == {"url": "http://localhost/password/reset/SECRET"}
    assert "SECRET" not in message.body_text + message.body_html + json.dumps(message.context)
    message.next_attempt_at = message.created_at
    db.session.commit()
    assert outbox.deliver_due() == {"sent": 1}
    sent = mail.to("late@example.org")
    assert len(sent) == 1 and "/password/reset/SECRET" in mail.text_of(sent[0])
    assert 'href="http://localhost/password/reset/SECRET"' in sent[0].get_body(
        ("html",)).get_content()
    assert "SECRET" not in _row_as_text(message_id)


def test_mailbox_can_be_switched_off(app, client, auth, ctx):
    make_user("hr@example.org", Role.ADMIN)
    message_id = queue_mail(to="x@example.org", template="verify_email", key="off:1",
                            context={"name": "X", "url": "http://localhost/"})
    db.session.commit()
    auth.login("hr@example.org")
    app.config["MAILBOX_ENABLED"] = False
    try:
        assert client.get("/admin/mailbox").status_code == 404
        assert client.get(f"/admin/mailbox/{message_id}").status_code == 404
        assert "/admin/mailbox" not in client.get("/admin/users").get_data(as_text=True)
    finally:
        app.config["MAILBOX_ENABLED"] = True
    assert client.get("/admin/mailbox").status_code == 200


def test_production_profile_has_no_mailbox_and_demo_shows_no_account_link(monkeypatch,
                                                                           tmp_path):
    from icm_recruit.config import demo_config, load_config

    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.delenv("MAILBOX_ENABLED", raising=False)
    production = load_config(tmp_path, {"PROFILE": "production"})
    assert production["MAILBOX_ENABLED"] is False
    assert production["MAILBOX_LINK_KINDS_SHOWN"] == ()
    shown = demo_config(tmp_path)["MAILBOX_LINK_KINDS_SHOWN"]
    assert "reset" not in shown and "invite" not in shown


def test_demo_mailbox_shows_a_reset_link_to_its_addressee_only(app, client, auth, mail, ctx):
    make_user("victim@example.org", Role.APPLICANT)
    make_user("hr@example.org", Role.ADMIN)
    app.config["MAIL_TRANSPORT"] = "mailbox"
    try:
        post_form(client, "/password/forgot", {"email": "victim@example.org"})
        post_form(client, "/password/forgot", {"email": "hr@example.org"})
        assert mail.to("victim@example.org") == []  # the mailbox is the delivery
        theirs = _row_for("victim@example.org", "password_reset")
        own = _row_for("hr@example.org", "password_reset")
        assert theirs.status == OutboxStatus.SENT and theirs.links  # kept for the addressee
        auth.login("hr@example.org")
        other_page = client.get(f"/admin/mailbox/{theirs.id}").get_data(as_text=True)
        own_page = client.get(f"/admin/mailbox/{own.id}").get_data(as_text=True)
    finally:
        app.config["MAIL_TRANSPORT"] = "smtp"
    assert theirs.links["url"] not in other_page and "[link hidden]" in other_page
    assert own.links["url"] in own_page and "[link hidden]" not in own_page


def test_sent_mail_text_is_purged_after_its_retention(app, client, auth, ctx, mail):
    make_user("hr@example.org", Role.ADMIN)
    old_id = queue_mail(to="old@example.org", template="verify_email", key="old:1",
                        context={"name": "Old", "url": "http://localhost/", "reference": "R-1"})
    new_id = queue_mail(to="new@example.org", template="verify_email", key="new:1",
                        context={"name": "New", "url": "http://localhost/"})
    db.session.commit()
    old = db.session.get(OutboxMessage, old_id)
    old.sent_at = utcnow() - timedelta(days=app.config["MAIL_BODY_RETENTION_DAYS"] + 1)
    db.session.commit()

    assert retention.purge(dry_run=True)["mail_bodies"] == 1
    runner = app.test_cli_runner()
    assert "would empty the text of 1 mails" in runner.invoke(
        args=["retention", "purge", "--dry-run"]).output
    assert "emptied the text of 1 mails" in runner.invoke(args=["retention", "purge"]).output
    db.session.commit()
    db.session.expire_all()
    old, new = db.session.get(OutboxMessage, old_id), db.session.get(OutboxMessage, new_id)
    assert old.body_purged_at is not None and old.body_text == "" and old.body_html is None
    assert old.context == {"reference": "R-1"} and "Old" not in _row_as_text(old_id)
    assert new.body_purged_at is None and "New" in new.body_text
    assert retention.purge(dry_run=True)["mail_bodies"] == 0
    auth.login("hr@example.org")
    page = client.get(f"/admin/mailbox/{old_id}").get_data(as_text=True)
    assert "was deleted" in page


def test_name_with_line_break_gives_one_clean_subject_and_no_extra_header(client, auth,
                                                                          mail, ctx):
    applicant = make_user("a@example.org", Role.APPLICANT,
                          name="Ada\r\nBcc: evil@example.org\r\nX-Evil: 1")
    application = make_application(make_call(), applicant)
    auth.login(applicant)
    post_form(client, f"/applications/{application.id}/referees",
              {"referee-name": "Prof. R", "referee-email": "r@example.org",
               "referee-institution": "EMBL", "referee-locale": "en"},
              page_url=edit_url(application))
    sent = mail.to("r@example.org")
    assert len(sent) == 1
    subject = sent[0]["Subject"]
    assert subject == "Reference letter for Ada Bcc: evil@example.org X-Evil: 1"
    assert sent[0]["Bcc"] is None and sent[0]["X-Evil"] is None
    assert not any("evil@example.org" in str(m["To"]) for m in mail.messages)
    assert "/referee/" in mail.text_of(sent[0])  # the body and its link survive intact
    row = _row_for("r@example.org", "referee_request")
    assert "\r" not in row.subject and "\n" not in row.subject


def test_stored_subject_or_recipient_with_line_breaks_cannot_inject_headers(ctx, mail):
    first = queue_mail(to="s@example.org", template="verify_email", key="inj:1",
                       context={"name": "S", "url": "http://localhost/"})
    second = queue_mail(to="s@example.org", template="verify_email", key="inj:2",
                        context={"name": "S", "url": "http://localhost/"})
    db.session.info.pop("outbox_new")  # deliver by hand, after spoiling the rows
    db.session.commit()
    db.session.get(OutboxMessage, first).subject = "X\r\nBcc: evil@example.org"
    db.session.get(OutboxMessage, second).recipient = "s@example.org\r\nBcc: evil@example.org"
    db.session.commit()
    assert outbox.deliver(first) == "sent"
    assert outbox.deliver(second) == "failed"
    assert [m["Subject"] for m in mail.messages] == ["X Bcc: evil@example.org"]
    assert mail.messages[0]["Bcc"] is None
    failed = db.session.get(OutboxMessage, second)
    assert failed.status == OutboxStatus.FAILED and "recipient" in failed.last_error
