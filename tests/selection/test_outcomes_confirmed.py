"""Shortlist marks send nothing and can be undone; outcomes, letters and publishing the
assignment each go out only after a confirmation, and each mail exactly once."""

import threading

import pytest
from sqlalchemy import func, select

from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.auth.models import Role
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.jobs import JobKind, JobRun
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.extensions import db
from icm_recruit.selection.models import Decision, Outcome, ShortlistMark
from tests.selection.factories import confirm, quick_user, reviewed_application, selection_call
from tests.support import PASSWORD, csrf_from, post_form

pytestmark = pytest.mark.services


def _outbox() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


def _status(application) -> ApplicationStatus:
    db.session.expire_all()
    return db.session.get(Application, application.id).status


def _mark(client, call, applications, outcome, reason="Board's view"):
    url = f"/selection/calls/{call.id}/shortlist"
    return post_form(client, url, {"application_id": [str(a.id) for a in applications],
                                   "outcome": outcome, "reason": reason})


@pytest.fixture
def shortlist(ctx):
    call = selection_call()
    hr = quick_user("hr@example.org", Role.ADMIN, name="Claire Martin")
    applications = [
        reviewed_application(call, "amina@example.org", name="Amina Diallo", locale="fr"),
        reviewed_application(call, "lucas@example.org", name="Lucas Schmidt"),
        reviewed_application(call, "kim@example.org", name="Kim Lee"),
    ]
    return call, hr, applications


def test_marking_sends_nothing_and_can_be_changed_back(client, auth, mail, shortlist):
    call, hr, (amina, lucas, kim) = shortlist
    auth.login(hr)
    before = _outbox()
    response = _mark(client, call, [amina, lucas], "rejected")
    assert response.status_code == 302
    assert mail.messages == [] and _outbox() == before
    assert _status(amina) is ApplicationStatus.UNDER_REVIEW
    page = client.get(f"/selection/calls/{call.id}/shortlist").get_data(as_text=True)
    # Every row keeps its checkbox: the mark can be changed.
    assert all(f'id="pick-{a.id}"' in page for a in (amina, lucas, kim))
    assert "not sent yet" in page

    _mark(client, call, [amina], "shortlisted")
    _mark(client, call, [lucas], "undecided", reason="")
    marks = {m.application_id: m.outcome.value for m in db.session.scalars(select(ShortlistMark))}
    assert marks == {amina.id: "shortlisted"}
    assert mail.messages == [] and _outbox() == before
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions.count("shortlist.marked") == 3 and "shortlist.unmarked" in actions


def test_a_mark_without_reason_is_refused_and_keeps_nothing(client, auth, mail, shortlist):
    call, hr, (amina, *_rest) = shortlist
    auth.login(hr)
    response = _mark(client, call, [amina], "rejected", reason="  ")
    assert response.status_code == 422
    assert "Give the reason" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ShortlistMark.id))) == 0


def test_the_send_step_shows_counts_and_a_preview_in_each_language(client, auth, mail,
                                                                      shortlist):
    call, hr, (amina, lucas, kim) = shortlist
    auth.login(hr)
    _mark(client, call, [amina, lucas], "rejected")
    _mark(client, call, [kim], "shortlisted")
    page = client.get(f"/selection/calls/{call.id}/outcomes").get_data(as_text=True)
    assert "2 applicants will be told they were not shortlisted." in page
    assert "1 applicant will be told they are shortlisted" in page
    assert "Confirm to send 3 e-mails" in page
    # A real applicant's values, in English and in French, for each outcome.
    assert "Amina Diallo" in page and "Kim Lee" in page
    assert "has not shortlisted your application" in page
    assert "n’a pas retenu votre candidature" in page
    assert "a retenu votre candidature" in page and amina.reference in page
    assert mail.messages == []


def test_an_edited_template_is_what_the_applicants_receive(client, auth, mail, shortlist):
    call, hr, (amina, lucas, _kim) = shortlist
    auth.login(hr)
    _mark(client, call, [amina, lucas], "rejected")
    url = f"/selection/calls/{call.id}/outcomes/rejected/fr"
    bad = post_form(client, url, {"subject": "Candidature", "body": "{nom}", "action": "save"})
    assert bad.status_code == 422 and "{nom}" in bad.get_data(as_text=True)
    preview = post_form(client, url, {"subject": "Candidature {reference}",
                                      "body": "Chère {name}, merci. {call}",
                                      "action": "preview"})
    assert "Chère Amina Diallo, merci." in preview.get_data(as_text=True)
    post_form(client, url, {"subject": "Candidature {reference}",
                            "body": "Chère {name}, merci. {call}", "action": "save"})
    confirm(client, f"/selection/calls/{call.id}/outcomes")
    [french] = mail.to("amina@example.org")
    assert french["Subject"] == f"Candidature {amina.reference}"
    assert "Chère Amina Diallo, merci." in mail.text_of(french)
    [english] = mail.to("lucas@example.org")
    assert "has not shortlisted your application" in mail.text_of(english)


def test_sending_needs_the_confirmation_and_sends_each_mail_once(client, auth, mail,
                                                                  shortlist):
    call, hr, (amina, lucas, kim) = shortlist
    auth.login(hr)
    _mark(client, call, [amina, lucas], "rejected")
    _mark(client, call, [kim], "shortlisted")
    url = f"/selection/calls/{call.id}/outcomes"
    unconfirmed = post_form(client, url, {}, follow_redirects=True)
    assert "Check the new counts" in unconfirmed.get_data(as_text=True)
    assert mail.messages == []

    stale = client.get(url).get_data(as_text=True)
    _mark(client, call, [lucas], "undecided")  # the marks change after the summary was read
    token = csrf_from(stale)
    fingerprint = stale.split('name="fingerprint" type="hidden" value="')[1].split('"')[0]
    refused = client.post(url, data={"csrf_token": token, "fingerprint": fingerprint},
                          follow_redirects=True)
    assert "The marks changed" in refused.get_data(as_text=True) and mail.messages == []

    confirm(client, url)
    assert len(mail.to("amina@example.org")) == 1 and len(mail.to("kim@example.org")) == 1
    assert mail.to("lucas@example.org") == []
    assert _status(amina) is ApplicationStatus.REJECTED
    assert _status(kim) is ApplicationStatus.SHORTLISTED
    again = post_form(client, url, {"fingerprint": fingerprint}, follow_redirects=True)
    assert "nothing to send" in again.get_data(as_text=True)
    assert len(mail.messages) == 2

    # Told: the mark is locked, with a message saying why.
    page = client.get(f"/selection/calls/{call.id}/shortlist").get_data(as_text=True)
    assert f'id="pick-{amina.id}"' not in page and f'id="pick-{lucas.id}"' in page
    assert "can no longer change" in page
    response = _mark(client, call, [amina], "shortlisted", reason="Second thoughts")
    assert "already told the outcome" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert _status(amina) is ApplicationStatus.REJECTED and len(mail.messages) == 2


def test_the_chair_sends_only_what_they_may_handle(client, auth, mail, shortlist):
    from tests.selection.factories import make_conflict

    call, hr, (amina, lucas, _kim) = shortlist
    chair = quick_user("chair@example.org", Role.CHAIR, Role.REVIEWER)
    auth.login(hr)
    _mark(client, call, [amina, lucas], "rejected")
    make_conflict(chair, lucas)
    auth.logout()
    auth.login(chair)
    page = client.get(f"/selection/calls/{call.id}/outcomes").get_data(as_text=True)
    assert "1 applicant will be told" in page and "Lucas" not in page
    confirm(client, f"/selection/calls/{call.id}/outcomes")
    assert len(mail.to("amina@example.org")) == 1 and mail.to("lucas@example.org") == []


def test_two_confirmations_at_once_still_send_one_mail_each(app, committed_db, mail):
    with app.app_context():
        call = selection_call()
        hr = quick_user("hr@example.org", Role.ADMIN)
        applications = [reviewed_application(call, f"racer{i}@example.org") for i in range(3)]
        call_id, ids, email = call.id, [a.id for a in applications], hr.email
    url = f"/selection/calls/{call_id}/outcomes"
    clients = []
    for _ in range(2):
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        client.post("/login", data={"csrf_token": csrf_from(page), "email": email,
                                    "password": PASSWORD})
        clients.append(client)
    post_form(clients[0], f"/selection/calls/{call_id}/shortlist",
              {"application_id": [str(i) for i in ids], "outcome": "rejected",
               "reason": "Out of scope"})
    pages = [c.get(url).get_data(as_text=True) for c in clients]
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def press(client, page) -> None:
        fingerprint = page.split('name="fingerprint" type="hidden" value="')[1].split('"')[0]
        data = {"csrf_token": csrf_from(page), "fingerprint": fingerprint}
        barrier.wait()
        codes.append(client.post(url, data=data).status_code)

    threads = [threading.Thread(target=press, args=pair) for pair in zip(clients, pages,
                                                                         strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert codes == [302, 302]
    for i in range(3):
        assert len(mail.to(f"racer{i}@example.org")) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 3


# Decisions ---------------------------------------------------------------------------------


def _interviewed(call, count=2):
    return [reviewed_application(call, f"final{i}@example.org", locale=("fr", "en")[i % 2],
                                 status=ApplicationStatus.INTERVIEW, name=f"Final {i}")
            for i in range(count)]


def test_the_decision_has_no_default_and_keeps_the_typed_feedback(client, auth, mail, ctx):
    call = selection_call()
    hr = quick_user("hr@example.org", Role.ADMIN)
    [application] = _interviewed(call, 1)
    auth.login(hr)
    page = client.get(f"/selection/calls/{call.id}/decisions").get_data(as_text=True)
    assert '<option value="" selected>Choose…</option>' in page
    assert 'value="offer" selected' not in page and "required" in page
    response = post_form(client, f"/selection/applications/{application.id}/decision",
                         {"outcome": "", "feedback": "Your talk impressed the panel."},
                         page_url=f"/selection/calls/{call.id}/decisions")
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose an outcome" in text
    assert 'value="Your talk impressed the panel."' in text
    assert db.session.scalar(select(func.count(Decision.id))) == 0


def test_sending_the_letters_shows_a_summary_and_waits_for_the_confirmation(client, auth,
                                                                            mail, ctx):
    call = selection_call()
    hr = quick_user("hr@example.org", Role.ADMIN)
    first, second = _interviewed(call)
    auth.login(hr)
    decisions = f"/selection/calls/{call.id}/decisions"
    for application, outcome in ((first, "offer"), (second, "reject")):
        post_form(client, f"/selection/applications/{application.id}/decision",
                  {"outcome": outcome, "feedback": ""}, page_url=decisions)
    url = f"/selection/calls/{call.id}/letters/send"
    page = client.get(url).get_data(as_text=True)
    assert "Offer: 1 letter" in page and "Not selected: 1 letter" in page
    assert "delighted to offer you" in page and "nous avons le plaisir" in page
    assert "We regret" in page and "Nous regrettons" in page
    assert db.session.scalar(select(func.count(JobRun.id))) == 0 and mail.messages == []

    unconfirmed = post_form(client, url, {}, page_url=decisions)
    assert unconfirmed.headers["Location"].endswith(url)
    assert db.session.scalar(select(func.count(JobRun.id))) == 0 and mail.messages == []

    confirm(client, url)
    assert db.session.scalar(select(func.count(JobRun.id)).where(
        JobRun.kind == JobKind.DECISION_LETTERS)) == 1
    assert len(mail.to(first.applicant.email)) == 1
    assert len(mail.to(second.applicant.email)) == 1
    confirm_again = client.get(url).get_data(as_text=True)
    assert "nothing to send" in confirm_again
    outcomes = {d.outcome for d in db.session.scalars(select(Decision))}
    assert outcomes == {Outcome.OFFER, Outcome.REJECT}


# Interviews --------------------------------------------------------------------------------


def test_inviting_cancelling_and_withdrawing_ask_first(client, auth, mail, ctx):
    from icm_recruit.selection.interviews import book
    from icm_recruit.selection.models import Interview, InterviewSlot, InterviewStatus
    from tests.selection.factories import make_slot

    call = selection_call()
    hr = quick_user("hr@example.org", Role.ADMIN)
    panel = quick_user("panel@example.org", Role.REVIEWER)
    waiting = reviewed_application(call, "wait@example.org", name="Wanda Wait",
                                   status=ApplicationStatus.SHORTLISTED)
    booked = reviewed_application(call, "booked@example.org",
                                  status=ApplicationStatus.SHORTLISTED)
    slot = make_slot(call, [panel])
    book(booked, slot.id, by=hr)
    db.session.commit()
    interview_id = db.session.scalar(select(Interview.id).where(
        Interview.application_id == booked.id))
    mail.clear()
    auth.login(hr)
    page = f"/selection/calls/{call.id}/interviews"

    asked = post_form(client, f"/selection/calls/{call.id}/interviews/invite", {},
                      page_url=page).get_data(as_text=True)
    assert "Wanda Wait" in asked and 'name="confirm" value="y"' in asked
    asked = post_form(client, f"/selection/interviews/{interview_id}/cancel", {},
                      page_url=page).get_data(as_text=True)
    assert "Cancel this interview?" in asked
    asked = post_form(client, f"/selection/slots/{slot.id}/withdraw", {},
                      page_url=page).get_data(as_text=True)
    assert booked.reference in asked and "told by e-mail" in asked
    assert mail.messages == []
    db.session.expire_all()
    assert db.session.get(Interview, interview_id).status is InterviewStatus.BOOKED
    assert db.session.get(InterviewSlot, slot.id).withdrawn_at is None

    post_form(client, f"/selection/calls/{call.id}/interviews/invite", {"confirm": "y"},
              page_url=page)
    assert len(mail.to(waiting.applicant.email)) == 1
    post_form(client, f"/selection/interviews/{interview_id}/cancel", {"confirm": "y"},
              page_url=page)
    db.session.expire_all()
    assert db.session.get(Interview, interview_id).status is InterviewStatus.CANCELLED
    assert _status(booked) is ApplicationStatus.SHORTLISTED  # can be given another slot
    assert len(mail.to("booked@example.org")) == 1


def test_an_edited_text_can_be_taken_back_to_the_default(client, auth, mail, shortlist):
    call, hr, _applications = shortlist
    auth.login(hr)
    for url, default in ((f"/selection/calls/{call.id}/outcomes/rejected/en",
                          "has not shortlisted your application"),
                         (f"/selection/calls/{call.id}/letters/reject/en", "We regret")):
        post_form(client, url, {"subject": "Short", "body": "Dear {name}.", "action": "save"})
        page = client.get(url).get_data(as_text=True)
        assert "Dear {name}." in page and "Restore the default text" in page
        asked = post_form(client, url, {"action": "reset"}).get_data(as_text=True)
        assert "Go back to the default text?" in asked  # nothing changed yet
        assert "Dear {name}." in client.get(url).get_data(as_text=True)
        post_form(client, url, {"action": "reset", "confirm": "y"})
        page = client.get(url).get_data(as_text=True)
        assert default in page and "Restore the default text" not in page
    kept = [e.data for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.in_(["shortlist_template.reset", "letter_template.reset"])))]
    assert [k["body"] for k in kept] == ["Dear {name}.", "Dear {name}."]
