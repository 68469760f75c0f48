"""HR's e-mail texts through HTTP: list, previews, edits checked, used by the next mail."""

import re

import pytest
from sqlalchemy import select

from icm_recruit.auth.models import Role
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.mailtexts import MailText
from icm_recruit.core.outbox import OutboxMessage, deliver, queue_mail
from icm_recruit.extensions import db
from tests.selection.factories import quick_user
from tests.support import post_form

pytestmark = pytest.mark.services

EDIT = "/admin/mail-texts/password_reset/en"
GOOD = {"subject": "Your new password, {name}",
        "body": "Dear {name},\n\nOpen <this> link within {minutes} minutes:\n{url}\n\nICM HR",
        "action": "save"}


@pytest.fixture
def hr(ctx):
    return quick_user("hr@example.org", Role.ADMIN, name="Hélène RH")


def _reset_mail(client, mail, email: str):
    client.get("/logout")
    post_form(client, "/password/forgot", {"email": email})
    return mail.to(email)[-1]


def test_the_list_names_every_kind_and_links_each(client, auth, hr):
    auth.login(hr)
    page = client.get("/admin/mail-texts").get_data(as_text=True)
    assert 'href="/admin/mail-texts"' in client.get("/account").get_data(as_text=True)
    for kind in ("password_reset", "referee_request", "board_assignments",
                 "selection_decision_letter", "application_ineligible"):
        assert f'href="/admin/mail-texts/{kind}"' in page
    assert "Password reset" in page and "Written per call" in page


def test_a_kind_shows_its_placeholders_and_both_previews_without_a_real_link(client, auth,
                                                                           hr):
    auth.login(hr)
    page = client.get("/admin/mail-texts/password_reset").get_data(as_text=True)
    assert "{minutes}" in page and "How many minutes the link works" in page
    assert "Choose a new password" in page and "Choisissez un nouveau mot de passe" in page
    assert "Ada Lovelace" in page and page.count("[one-time link, made when the e-mail is") >= 2
    assert "one-time-link" not in page and "/password/reset/" not in page
    html = client.get("/admin/mail-texts/password_reset/fr/html")
    assert html.status_code == 200 and "sandbox" in html.headers["Content-Security-Policy"]
    assert "Bonjour Ada Lovelace" in html.get_data(as_text=True)
    assert "lien à usage unique" in html.get_data(as_text=True)


def test_a_bad_text_is_refused_beside_its_field_and_kept(client, auth, hr):
    auth.login(hr)
    typed = {"subject": "Reset {url}", "body": "Bonjour {nom},\nvoici le lien.",
             "action": "save"}
    response = post_form(client, EDIT, typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "unknown placeholders: {nom}" in page and "cannot go in the subject" in page
    assert "Bonjour {nom},\nvoici le lien." in page and 'value="Reset {url}"' in page
    assert re.search(r'id="body-errors" class="invalid-feedback">[^<]*\{nom\}', page)
    missing = post_form(client, EDIT, {**typed, "subject": "Reset", "body": "Hello {name}."})
    assert missing.status_code == 422 and "must contain {url}" in missing.get_data(True)
    assert db.session.scalar(select(MailText)) is None


def test_a_saved_text_goes_to_the_next_mail_and_not_to_one_already_queued(client, auth, hr,
                                                                        mail):
    applicant = quick_user("ada@example.org", name="Ada Lovelace")
    waiting = queue_mail(to=applicant.email, user=applicant, template="password_reset",
                         key="queued-before-the-edit", context={"name": applicant.name,
                                                               "minutes": 60},
                         secret_links={"url": "http://localhost/password/reset/earlier"})
    db.session.flush()
    auth.login(hr)
    preview = post_form(client, EDIT, {**GOOD, "action": "preview"}).get_data(as_text=True)
    assert "Your new password, Ada Lovelace" in preview and "Open &lt;this&gt; link" in preview
    assert db.session.scalar(select(MailText)) is None  # a preview saves nothing
    response = post_form(client, EDIT, GOOD)
    assert response.status_code == 302
    after = _reset_mail(client, mail, applicant.email)

    assert deliver(waiting) == "sent"
    [before] = [m for m in mail.to(applicant.email) if "earlier" in mail.text_of(m)]
    assert before["Subject"] == "Choose a new password"  # kept as it was queued
    assert after["Subject"] == "Your new password, Ada Lovelace"
    text = mail.text_of(after).replace("\r\n", "\n")
    assert text.startswith("Dear Ada Lovelace,\n\nOpen <this> link within ")
    link = re.search(r"http://localhost/password/reset/\S+", text)
    assert link, "the one-time link reaches the recipient"
    html = after.get_body(("html",)).get_content()
    assert "Open &lt;this&gt; link" in html and f'<a href="{link.group(0)}">' in html
    [event] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "mail_text.saved")).all()
    assert event.object_id == "password_reset" and event.data["locale"] == "en"
    auth.login(hr)
    trail = client.get("/admin/audit").get_data(as_text=True)
    assert "E-mail text saved" in trail and "Password reset" in trail


def test_the_stored_mail_of_an_edited_text_holds_no_one_time_link(client, auth, hr):
    applicant = quick_user("ada@example.org", name="Ada Lovelace")
    auth.login(hr)
    post_form(client, EDIT, GOOD)
    message_id = queue_mail(to=applicant.email, user=applicant, template="password_reset",
                            key="after-the-edit", context={"name": applicant.name,
                                                          "minutes": 60},
                            secret_links={"url": "http://localhost/password/reset/secret"})
    row = db.session.get(OutboxMessage, message_id)
    assert row.subject == "Your new password, Ada Lovelace"
    stored = row.subject + row.body_text + row.body_html + str(row.context)
    assert "secret" not in stored and "[[one-time-link:url]]" in row.body_text
    assert '<a href="[[one-time-link:url]]">' in row.body_html


def test_restoring_the_default_asks_first_then_the_default_is_sent(client, auth, hr, mail):
    applicant = quick_user("ada@example.org", name="Ada Lovelace")
    auth.login(hr)
    post_form(client, EDIT, GOOD)
    page = client.get(EDIT).get_data(as_text=True)
    assert "Restore the default text" in page and "Dear {name}," in page
    asked = post_form(client, EDIT, {"action": "reset"})
    assert asked.status_code == 200 and "Restore the default text of" in asked.get_data(True)
    assert db.session.scalar(select(MailText)) is not None  # nothing done before confirming
    post_form(client, EDIT, {"action": "reset", "confirm": "y"})
    assert db.session.scalar(select(MailText)) is None
    page = client.get(EDIT).get_data(as_text=True)
    assert "Someone asked to reset the password" in page and "Restore the default" not in page
    assert _reset_mail(client, mail, applicant.email)["Subject"] == "Choose a new password"
    [event] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "mail_text.reset")).all()
    assert event.data["body"].startswith("Dear {name},")


def test_a_french_text_goes_to_french_recipients_only(client, auth, hr, mail):
    french = quick_user("marie@example.org", name="Marie", locale="fr")
    english = quick_user("grace@example.org", name="Grace")
    auth.login(hr)
    post_form(client, "/admin/mail-texts/password_reset/fr",
              {"subject": "Nouveau mot de passe", "action": "save",
               "body": "Bonjour {name},\n\n{url}\n\nLes RH"})
    assert _reset_mail(client, mail, french.email)["Subject"] == "Nouveau mot de passe"
    assert _reset_mail(client, mail, english.email)["Subject"] == "Choose a new password"


def test_the_per_call_kinds_are_edited_on_the_call_pages_only(client, auth, hr):
    auth.login(hr)
    assert client.get("/admin/mail-texts/selection_decision_letter/en").status_code == 404
    page = client.get("/admin/mail-texts/selection_decision_letter").get_data(as_text=True)
    assert "written per call and outcome" in page
    assert client.get("/admin/mail-texts/nothing_like_it").status_code == 404
    assert client.get("/admin/mail-texts/password_reset/de").status_code == 404


@pytest.mark.parametrize("roles", [(Role.CHAIR, Role.REVIEWER), (Role.APPLICANT,)])
def test_only_hr_opens_or_edits_the_texts(client, auth, ctx, roles):
    user = quick_user("someone@example.org", *roles)
    auth.login(user)
    for url in ("/admin/mail-texts", "/admin/mail-texts/password_reset", EDIT,
                "/admin/mail-texts/password_reset/en/html"):
        assert client.get(url).status_code == 403
    assert post_form(client, EDIT, GOOD, page_url="/account").status_code == 403
    assert db.session.scalar(select(MailText)) is None


def test_the_list_costs_the_same_queries_with_few_or_many_edited_texts(client, auth, hr):
    from tests.core.test_page_queries import QueryCounter

    auth.login(hr)
    counter = QueryCounter()
    _page, few = counter.measure(client, "/admin/mail-texts")
    for kind in ("password_reset", "verify_email", "application_submitted",
                 "review_declined", "board_assignments"):
        for locale in ("en", "fr"):
            db.session.add(MailText(kind=kind, locale=locale, subject="S", body="B {name}"))
    db.session.flush()
    page, many = counter.measure(client, "/admin/mail-texts")
    assert page.get_data(as_text=True).count("<strong>edited</strong>") == 10
    assert many == few


def test_hr_writes_the_conditional_parts_of_a_mail_in_french(client, auth, hr):
    """The interview mail says different things when it is cancelled or goes to the
    panel: HR writes each part, sees each case in the preview, and the mail sent takes
    the part that fits it."""
    hr.locale = "fr"
    db.session.commit()
    auth.login(hr)
    url = "/admin/mail-texts/selection_interview/fr"
    page = client.get(url).get_data(as_text=True)
    assert "{if cancelled}" in page and "{if applicant}" in page  # the default, in parts
    assert "Parties écrites pour certains e-mails seulement" in page
    assert "{details}" not in page  # the old whole-sentence placeholder is not offered
    text = {"subject": "{if cancelled}Annulé{else}Entretien{end} : {reference}",
            "body": "{if applicant}Bonjour {name},{else}Au jury,{end}\n\n"
                    "{if cancelled}L’entretien du {time} est annulé.{else}Rendez-vous le "
                    "{time}{if location}, salle {location}{end}.{end}"}
    unbalanced = post_form(client, url, {**text, "body": "{if cancelled}{time}",
                                         "action": "preview"})
    assert unbalanced.status_code == 422
    assert "{if cancelled}" in unbalanced.get_data(as_text=True)
    preview = post_form(client, url, {**text, "action": "preview"}).get_data(as_text=True)
    assert "Entretien : ICM-2027-0042" in preview and "Annulé : ICM-2027-0042" in preview
    assert "Bonjour Ada Lovelace" in preview and "Au jury," in preview
    assert "salle Room 3.14" in preview
    assert db.session.scalar(select(MailText)) is None
    assert post_form(client, url, {**text, "action": "save"}).status_code == 302
    panelist = quick_user("panel@example.org", name="Paul Jury")
    message_id = queue_mail(
        to=panelist.email, user=panelist, template="selection_interview", key="cancel-1",
        locale="fr",
        context={"name": panelist.name, "reference": "ICM-2027-0001", "kind": "cancel",
                 "role": "panel", "call_title_en": "Call", "call_title_fr": "Appel",
                 "starts_at": "2027-06-03T08:00:00+00:00", "duration": 30, "location": "",
                 "video_url": "", "zone": "Europe/Paris", "url": "http://localhost/x"})
    row = db.session.get(OutboxMessage, message_id)
    assert row.subject == "Annulé : ICM-2027-0001"
    assert row.body_text.strip() == "Au jury,\n\nL’entretien du 03/06/2027 10:00 CEST est annulé."


def test_many_mails_of_one_commit_read_hr_texts_once_and_see_a_new_one(ctx, hr, mail):
    """Mails queued together ask for HR's texts once; a text saved meanwhile still counts."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from icm_recruit.core import mailtexts

    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    def queue(n):
        queue_mail(to=f"person{n}@example.org", template="verify_email", key=f"many:{n}",
                   context={"name": f"Person {n}", "url": "http://localhost/v"})

    event.listen(Engine, "before_cursor_execute", record)
    try:
        for n in range(20):
            queue(n)
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert sum("FROM mail_text" in s for s in statements) == 1  # the language's text
    mailtexts.store("verify_email", "en", subject="Confirm now, {name}", body="Hi {name}: {url}",
                    by=hr)
    queue(20)
    db.session.commit()
    subjects = {m["To"]: m["Subject"] for m in mail.messages}
    assert subjects["person19@example.org"] == "Confirm your e-mail address"
    assert subjects["person20@example.org"] == "Confirm now, Person 20"
    queue_mail(to="later@example.org", template="verify_email", key="many:later",
               context={"name": "Later", "url": "http://localhost/v"})
    mailtexts.drop("verify_email", "en", by=hr)
    queue_mail(to="after@example.org", template="verify_email", key="many:after",
               context={"name": "After", "url": "http://localhost/v"})
    db.session.commit()
    subjects = {m["To"]: m["Subject"] for m in mail.messages}
    assert subjects["later@example.org"] == "Confirm now, Later"
    assert subjects["after@example.org"] == "Confirm your e-mail address"
