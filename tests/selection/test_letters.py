"""Decisions and their letters: wrong states, placeholders caught at preview, sent once."""

import pytest
from sqlalchemy import func, select

from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.auth.models import Role
from icm_recruit.core.jobs import JobKind, JobRun, JobStatus
from icm_recruit.core.mailtexts import MailText
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.extensions import db
from icm_recruit.selection import operations as ops
from icm_recruit.selection import tasks
from icm_recruit.selection.models import Decision, Outcome
from tests.selection.factories import confirm, quick_user, reviewed_application, selection_call
from tests.support import post_form

pytestmark = pytest.mark.services


@pytest.fixture
def hr(ctx):
    return quick_user("hr@example.org", Role.ADMIN)


def _interviewed(call, n: int) -> list[Application]:
    return [reviewed_application(call, f"applicant{i}@example.org",
                                 status=ApplicationStatus.INTERVIEW) for i in range(n)]


def _decide_all(applications, hr, outcome=Outcome.OFFER):
    for application in applications:
        ops.record_decision(application, outcome=outcome, feedback="Well argued.", by=hr)
    db.session.commit()


def _letters(mail, applications) -> list:
    return [m for a in applications for m in mail.to(a.applicant.email)]


@pytest.mark.parametrize("status", [ApplicationStatus.UNDER_REVIEW,
                                    ApplicationStatus.SHORTLISTED,
                                    ApplicationStatus.ACCEPTED, ApplicationStatus.WITHDRAWN])
def test_decision_in_the_wrong_state_is_refused_with_a_clear_message(client, auth, hr,
                                                                     status):
    call = selection_call()
    application = reviewed_application(call, "early@example.org", status=status)
    auth.login(hr)
    response = post_form(client, f"/selection/applications/{application.id}/decision",
                         {"outcome": "offer", "feedback": ""},
                         page_url=f"/selection/calls/{call.id}/decisions",
                         follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "No decision can be recorded for" in page and application.reference in page
    assert db.session.scalar(select(func.count(Decision.id))) == 0


def test_unknown_placeholder_is_caught_at_preview_and_never_saved(client, auth, hr):
    call = selection_call()
    auth.login(hr)
    url = f"/selection/calls/{call.id}/letters/offer/en"
    for action in ("preview", "save"):
        response = post_form(client, url, {"subject": "Offer {reference}",
                                           "body": "Dear {nom}, {name.__class__}",
                                           "action": action})
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "unknown placeholders" in page and "{nom}" in page
    assert db.session.scalar(select(func.count(MailText.id))) == 0

    response = post_form(client, url, {"subject": "Offer {reference}",
                                       "body": "Dear {name}, welcome to {call}.",
                                       "action": "preview"})
    assert "Dear Dr. Ada Example, welcome to Team leaders 2027." in response.get_data(True)


def test_a_stored_bad_template_blocks_the_preview_and_the_batch(client, auth, hr, mail):
    call = selection_call()
    [application] = _interviewed(call, 1)
    _decide_all([application], hr)
    db.session.add(MailText(kind="selection_decision_letter", variant="offer",
                           call_id=call.id, locale="en",
                           subject="Offer", body="Dear {name}, {salary}"))
    db.session.commit()
    auth.login(hr)
    preview = client.get(f"/selection/applications/{application.id}/letter")
    assert "{salary}" in preview.get_data(as_text=True)
    page = confirm(client, f"/selection/calls/{call.id}/letters/send", follow_redirects=True)
    assert "{salary}" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(JobRun.id))) == 0
    assert _letters(mail, [application]) == []


def _job(call, hr) -> int:
    job = JobRun(kind=JobKind.DECISION_LETTERS, call_id=call.id, started_by_id=hr.id,
                 status=JobStatus.QUEUED, result={})
    db.session.add(job)
    db.session.commit()
    return job.id


def test_each_letter_goes_once_when_the_batch_runs_twice(hr, mail):
    call = selection_call()
    applications = _interviewed(call, 3)
    _decide_all(applications, hr)
    tasks.send_decision_letters.delay(_job(call, hr))
    tasks.send_decision_letters.delay(_job(call, hr))
    db.session.expire_all()
    assert len(_letters(mail, applications)) == 3
    assert all(len(mail.to(a.applicant.email)) == 1 for a in applications)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 3
    assert all(a.status is ApplicationStatus.OFFERED for a in applications)


def test_a_batch_killed_half_way_resumes_without_sending_twice(hr, mail, monkeypatch):
    call = selection_call()
    applications = _interviewed(call, 4)
    _decide_all(applications, hr)
    real = ops.send_decision_letter
    calls = {"n": 0}

    def dies_on_the_third(decision_id, *, by):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed")
        return real(decision_id, by=by)

    monkeypatch.setattr(ops, "send_decision_letter", dies_on_the_third)
    job_id = _job(call, hr)
    with pytest.raises(SystemExit):
        tasks.send_decision_letters.delay(job_id)
    db.session.expire_all()
    assert len(_letters(mail, applications)) == 2
    monkeypatch.setattr(ops, "send_decision_letter", real)
    # The broker redelivers the same job (acks_late): it finishes the rest.
    tasks.send_decision_letters.delay(job_id)
    db.session.expire_all()
    assert all(len(mail.to(a.applicant.email)) == 1 for a in applications)
    assert db.session.get(JobRun, job_id).status is JobStatus.DONE
    assert db.session.scalar(select(func.count(Decision.id)).where(
        Decision.sent_at.is_(None))) == 0


def test_sending_again_while_nothing_is_left_is_a_clear_no(client, auth, hr, mail):
    call = selection_call()
    applications = _interviewed(call, 2)
    _decide_all(applications, hr)
    auth.login(hr)
    url, page = f"/selection/calls/{call.id}/letters/send", f"/selection/calls/{call.id}/decisions"
    confirm(client, url)
    response = post_form(client, url, {"fingerprint": "sent-before"}, page_url=page,
                         follow_redirects=True)
    assert "nothing to send" in response.get_data(as_text=True)
    assert len(_letters(mail, applications)) == 2


def test_a_waitlisted_applicant_can_later_be_offered_with_a_new_letter(hr, mail):
    call = selection_call()
    [application] = _interviewed(call, 1)
    _decide_all([application], hr, Outcome.WAITLIST)
    tasks.send_decision_letters.delay(_job(call, hr))
    db.session.expire_all()
    assert application.status is ApplicationStatus.WAITLISTED
    with pytest.raises(ops.SelectionError):
        ops.record_decision(application, outcome=Outcome.WAITLIST, feedback="", by=hr)
    db.session.rollback()
    ops.record_decision(application, outcome=Outcome.OFFER, feedback="", by=hr)
    db.session.commit()
    tasks.send_decision_letters.delay(_job(call, hr))
    db.session.expire_all()
    assert application.status is ApplicationStatus.OFFERED
    assert len(mail.to(application.applicant.email)) == 2


def test_applicant_answers_an_offer_once_and_only_their_own(client, auth, hr, mail):
    call = selection_call()
    mine, theirs = _interviewed(call, 2)
    _decide_all([mine, theirs], hr)
    tasks.send_decision_letters.delay(_job(call, hr))
    auth.login(mine.applicant.email)
    assert client.get(f"/applications/{theirs.id}/decision").status_code == 403
    post_form(client, f"/applications/{mine.id}/decision", {"answer": "decline"})
    again = post_form(client, f"/applications/{mine.id}/decision", {"answer": "accept"},
                      follow_redirects=True)
    assert "already answered" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, mine.id).status is ApplicationStatus.DECLINED


def test_letter_mail_escapes_what_applicants_typed(app, ctx):
    from icm_recruit.core.outbox import render_mail

    with app.test_request_context():
        subject, text, html = render_mail("selection_decision_letter", "en", {
            "subject": "Offer", "body": "Dear <script>alert(1)</script>,\n\nWelcome.",
            "offer": True, "url": "http://localhost/x"})
    assert "<script>" in text and "<script>" not in html
    assert "&lt;script&gt;" in html and "<p>Welcome.</p>" in html
