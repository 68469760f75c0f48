"""The applicant's journey end to end, through the HTTP client."""

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
    Document,
    RefereeRequest,
    RefereeStatus,
)
from icm_recruit.auth.models import Role
from icm_recruit.core import storage
from icm_recruit.core.audit import AuditEvent
from icm_recruit.extensions import db
from tests.applications.factories import make_call, make_pdf
from tests.applications.helpers import DRAFT, edit_url, post_on_page, upload
from tests.support import make_user, post_form

pytestmark = pytest.mark.services


def _start(client, call):
    return post_on_page(client, f"/calls/{call.slug}", f"/calls/{call.slug}/apply", {})


def test_full_journey_from_call_to_screening(client, auth, mail, ctx):
    call = make_call(referees_required=1)
    applicant = make_user("amina@example.org", Role.APPLICANT, name="Amina Diallo")
    auth.login(applicant)

    response = _start(client, call)
    assert response.status_code == 302
    application = db.session.scalar(select(Application))
    assert application.reference == f"ICM-{call.reference_year}-{application.id:04d}"
    assert response.headers["Location"] == edit_url(application)

    # A second start (double click, other tab) leads to the same application.
    again = _start(client, call)
    assert again.headers["Location"] == edit_url(application)
    assert db.session.scalar(select(db.func.count(Application.id))) == 1

    page = client.get(edit_url(application)).get_data(as_text=True)
    assert "Checklist" in page and "data-word-limit" in page

    assert post_form(client, edit_url(application), DRAFT).status_code == 302
    for kind in ("cv", "research_project", "publications"):
        assert "uploaded" in upload(client, application, kind).get_data(as_text=True)

    response = post_form(client, f"/applications/{application.id}/referees",
                         {"referee-name": "Prof. Ref", "referee-email": "ref@example.org",
                          "referee-institution": "EMBL", "referee-locale": "en"},
                         page_url=edit_url(application))
    assert response.status_code == 302
    link = mail.last_link("ref@example.org")
    referee_path = link.replace("http://localhost", "")

    # The referee, without an account, sees only the applicant's name and the call.
    auth.logout()
    page = client.get(referee_path).get_data(as_text=True)
    assert "Amina Diallo" in page and "Team leaders 2027" in page
    assert "Circuits of memory" not in page
    import io

    from tests.support import csrf_from

    token = csrf_from(page)
    response = client.post(referee_path, data={
        "letter-csrf_token": token, "action": "upload",
        "letter-file": (io.BytesIO(make_pdf(2)), "letter.pdf")})
    assert "Your letter was received" in response.get_data(as_text=True)
    # Before the deadline the same link offers to replace the letter, and nothing else.
    again = client.get(referee_path).get_data(as_text=True)
    assert "You may send a new one until" in again and 'value="decline"' not in again
    assert mail.to("amina@example.org")[-1]["Subject"].startswith("Reference letter received")

    auth.login(applicant)
    page = client.get(edit_url(application)).get_data(as_text=True)
    assert "Received on" in page
    letter = db.session.scalar(select(Document).where(Document.kind == "letter"))
    assert client.get(f"/documents/{letter.id}").status_code == 403  # never the letter

    response = post_form(client, f"/applications/{application.id}/submit",
                         {"confirm": "y", "consent": "y"},
                         page_url=edit_url(application))
    assert response.headers["Location"].endswith("/status?submitted=1")
    db.session.expire_all()
    assert application.status == ApplicationStatus.SUBMITTED
    receipt = mail.to("amina@example.org")[-1]
    assert receipt["Subject"] == f"Application {application.reference} received"
    status_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert application.reference in status_page and "Application submitted" in status_page
    assert application.dossier_key  # merged PDF built by the task (eager in tests)
    merged = storage.read(application.dossier_key)
    assert merged.startswith(b"%PDF-")

    # Read-only after submission.
    response = post_form(client, edit_url(application), {**DRAFT, "title": "Changed"})
    assert "can no longer be changed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert application.title == "Circuits of memory"
    assert "can no longer be changed" in upload(client, application, "cv").get_data(True)

    # HR screens it: ineligible, with a reason, in both languages.
    auth.logout()
    make_user("hr@example.org", Role.ADMIN)
    auth.login("hr@example.org")
    assert client.get(f"/admin/applications/{application.id}").status_code == 200
    assert client.get(f"/documents/{letter.id}").status_code == 200  # HR reads letters
    response = post_form(client, f"/admin/applications/{application.id}/screening",
                         {"decision": "ineligible", "reason": "PhD too recent."},
                         page_url=f"/admin/applications/{application.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert application.status == ApplicationStatus.INELIGIBLE
    notice = mail.to("amina@example.org")[-1]
    text = mail.text_of(notice)
    assert "PhD too recent." in text
    assert "eligibility conditions" in text and "conditions d’éligibilité" in text
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"application.started", "application.saved", "document.uploaded",
            "referee.requested", "referee.letter_received", "application.submitted",
            "application.screened"} <= actions


def test_incomplete_application_cannot_be_submitted(client, auth, ctx):
    call = make_call()
    make_user("a@example.org", Role.APPLICANT)
    auth.login("a@example.org")
    _start(client, call)
    application = db.session.scalar(select(Application))
    response = post_form(client, f"/applications/{application.id}/submit",
                         {"confirm": "y", "consent": "y"},
                         page_url=edit_url(application), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "not complete yet" in html and "Curriculum vitae" in html
    db.session.expire_all()
    assert application.status == ApplicationStatus.DRAFT


def test_invalid_draft_keeps_what_was_typed(client, auth, ctx):
    call = make_call()
    make_user("a@example.org", Role.APPLICANT)
    auth.login("a@example.org")
    _start(client, call)
    application = db.session.scalar(select(Application))
    response = post_form(client, edit_url(application), {**DRAFT, "phd_year": "1800"})
    html = response.get_data(as_text=True)
    assert "Give a year between 1950" in html and 'value="Circuits of memory"' in html
    db.session.expire_all()
    assert application.title == ""


def test_summary_over_limit_is_saved_but_blocks_submission(client, auth, ctx, app):
    call = make_call()
    make_user("a@example.org", Role.APPLICANT)
    auth.login("a@example.org")
    _start(client, call)
    application = db.session.scalar(select(Application))
    response = post_form(client, edit_url(application), {**DRAFT, "summary": "word " * 150},
                         follow_redirects=True)
    assert "more than the limit of 100" in response.get_data(as_text=True)
    db.session.expire_all()
    assert application.summary_words == 150
    with app.test_request_context():
        assert any("Research summary within 100 words" in m for m in application.missing())


def test_replacing_a_file_keeps_history_and_serves_only_the_new_one(client, auth, ctx):
    call = make_call()
    make_user("a@example.org", Role.APPLICANT)
    auth.login("a@example.org")
    _start(client, call)
    application = db.session.scalar(select(Application))
    upload(client, application, "cv", make_pdf(1), "first.pdf")
    upload(client, application, "cv", make_pdf(2), "second.pdf")
    docs = db.session.scalars(select(Document).order_by(Document.id)).all()
    assert [(d.original_filename, d.is_current) for d in docs] == [
        ("first.pdf", False), ("second.pdf", True)]
    assert client.get(f"/documents/{docs[0].id}").status_code == 403
    response = client.get(f"/documents/{docs[1].id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert f"{application.reference}-cv.pdf" in response.headers["Content-Disposition"]
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_withdraw_with_confirmation(client, auth, mail, ctx):
    call = make_call()
    make_user("a@example.org", Role.APPLICANT)
    auth.login("a@example.org")
    _start(client, call)
    application = db.session.scalar(select(Application))
    url = f"/applications/{application.id}/withdraw"
    response = post_form(client, url, {})
    assert "Tick the box to confirm." in response.get_data(as_text=True)
    post_form(client, url, {"confirm": "y", "reason": "Took another job"})
    db.session.expire_all()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert mail.to("a@example.org")[-1]["Subject"].endswith("withdrawn")
    assert "Application withdrawn" in client.get(
        f"/applications/{application.id}/status").get_data(as_text=True)


def test_referee_declines_and_applicant_replaces(client, auth, mail, ctx):
    call = make_call()
    make_user("a@example.org", Role.APPLICANT, name="Ada")
    auth.login("a@example.org")
    _start(client, call)
    application = db.session.scalar(select(Application))
    post_form(client, f"/applications/{application.id}/referees",
              {"referee-name": "Prof. No", "referee-email": "no@example.org",
               "referee-institution": "X",
               "referee-locale": "fr"}, page_url=edit_url(application))
    assert mail.to("no@example.org")[0]["Subject"] == "Lettre de recommandation pour Ada"
    path = mail.last_link("no@example.org").replace("http://localhost", "")
    post_on_page(client, path, path, {"action": "decline", "decline-reason": "Too busy"})
    referee = db.session.scalar(select(RefereeRequest))
    assert referee.status == RefereeStatus.DECLINED
    assert "Too busy" in mail.text_of(mail.to("a@example.org")[-1])
    post_on_page(client, edit_url(application),
                 f"/applications/{application.id}/referees/{referee.id}/cancel", {"confirm": "y"})
    db.session.expire_all()
    assert referee.status == RefereeStatus.CANCELLED
    assert "No referee named yet." in client.get(edit_url(application)).get_data(True)
