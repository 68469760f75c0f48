"""Changing a submitted application before the deadline, and replacing a reference letter.

Through HTTP: the applicant opens a change (confirmed), edits and uploads while HR and the
board still read the submitted version, submits the change as version 2 (version 1 kept,
HR and the board told it changed), or discards it, or lets the deadline pass.
"""

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
    ApplicationVersion,
    Document,
    RefereeRequest,
)
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import DocumentKind
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from tests.applications.factories import make_call, make_pdf
from tests.applications.helpers import DRAFT, edit_url, post_on_page, upload
from tests.board.factories import quick_user, sign_in
from tests.reviews.helpers import assign
from tests.support import csrf_from, post_form

pytestmark = pytest.mark.services

NEW_TITLE = "Circuits of forgetting"


@pytest.fixture
def submitted(client, mail, ctx):
    """A complete application, submitted through the pages, with one referee asked."""
    call = make_call(referees_required=1)
    applicant = quick_user("ada@example.org", Role.APPLICANT)
    sign_in(client, applicant)
    page = client.get(f"/calls/{call.slug}").get_data(as_text=True)
    client.post(f"/calls/{call.slug}/apply", data={"csrf_token": csrf_from(page)})
    application = db.session.scalar(select(Application))
    post_form(client, edit_url(application), DRAFT)
    for rule in call.document_rules:
        if rule["required"]:
            assert "uploaded" in upload(client, application, rule["kind"]).get_data(
                as_text=True)
    post_form(client, f"/applications/{application.id}/referees",
              {"referee-name": "Prof. R", "referee-email": "r@example.org",
               "referee-institution": "EMBL", "referee-locale": "en"},
              page_url=edit_url(application))
    referee_path = mail.last_link("r@example.org").replace("http://localhost", "")
    response = post_on_page(client, edit_url(application),
                            f"/applications/{application.id}/submit",
                            {"confirm": "y", "consent": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert application.status == ApplicationStatus.SUBMITTED
    hr = quick_user("hr@example.org", Role.ADMIN)
    return {"call": call, "application": application, "applicant": applicant, "hr": hr,
            "referee_path": referee_path}


def _open_change(client, application) -> None:
    page = client.get(f"/applications/{application.id}/change").get_data(as_text=True)
    assert "Change your submitted application" in page  # the confirmation comes first
    assert db.session.get(Application, application.id).pending_changes is None
    response = post_on_page(client, f"/applications/{application.id}/change",
                            f"/applications/{application.id}/change", {"confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"] == edit_url(
        application)


def _hr_page(client, world) -> str:
    sign_in(client, world["hr"])
    page = client.get(f"/admin/applications/{world['application'].id}").get_data(as_text=True)
    sign_in(client, world["applicant"])
    return page


def test_first_submission_is_version_one(submitted):
    application = submitted["application"]
    versions = application.versions
    assert [v.number for v in versions] == [1] and application.version == 1
    assert versions[0].fields["title"] == DRAFT["title"]
    assert set(versions[0].documents) == {k.value for k in application.current_documents()}


def test_change_is_kept_apart_until_submitted_then_becomes_version_two(client, mail,
                                                                       submitted):
    application = submitted["application"]
    old_cv = application.current_documents()[DocumentKind.CV]
    _open_change(client, application)
    page = client.get(edit_url(application)).get_data(as_text=True)
    assert 'id="dossier-form"' in page and "You are changing your submitted application" in page
    assert post_form(client, edit_url(application), {**DRAFT, "title": NEW_TITLE}
                     ).status_code == 302
    assert "uploaded" in upload(client, application, "cv", make_pdf(3)).get_data(as_text=True)
    db.session.expire_all()
    pending = db.session.scalar(select(Document).where(Document.pending))
    assert pending is not None and pending.pages == 3

    # The applicant sees their change; HR and the board still read version 1.
    assert NEW_TITLE in client.get(edit_url(application)).get_data(as_text=True)
    assert client.get(f"/documents/{pending.id}").status_code == 200
    hr_page = _hr_page(client, submitted)
    assert DRAFT["title"] in hr_page and NEW_TITLE not in hr_page
    assert "Changed by the applicant" not in hr_page
    sign_in(client, submitted["hr"])
    assert client.get(f"/documents/{pending.id}").status_code == 403
    sign_in(client, submitted["applicant"])
    db.session.expire_all()
    assert db.session.get(Application, application.id).title == DRAFT["title"]

    mail.clear()
    response = post_on_page(client, edit_url(application),
                            f"/applications/{application.id}/submit",
                            {"confirm": "y", "consent": "y"}, follow_redirects=True)
    assert "version 2 of your application" in response.get_data(as_text=True)
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.version == 2 and application.title == NEW_TITLE
    assert application.pending_changes is None
    assert application.current_documents()[DocumentKind.CV].pages == 3
    first, second = application.versions
    assert first.fields["title"] == DRAFT["title"] and first.documents["cv"] == old_cv.id
    assert set(second.changes) == {"title", "document:cv"}
    receipts = [m for m in mail.to("ada@example.org") if "changes are received" in m["Subject"]]
    assert len(receipts) == 1
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "application.changed")).data["version"] == 2

    # HR reads version 2, sees that it changed and what, and can open version 1.
    hr_page = _hr_page(client, submitted)
    assert NEW_TITLE in hr_page and "Changed by the applicant after submission" in hr_page
    assert "Changed since version 1: Title of the research project, Curriculum vitae" in hr_page
    sign_in(client, submitted["hr"])
    versions_page = client.get(f"/admin/applications/{application.id}/versions")
    assert versions_page.status_code == 200
    text = versions_page.get_data(as_text=True)
    assert DRAFT["title"] in text and NEW_TITLE in text
    assert client.get(f"/documents/{old_cv.id}").status_code == 200  # version 1's file
    sign_in(client, submitted["applicant"])
    assert client.get(f"/admin/applications/{application.id}/versions").status_code == 403
    assert client.get(f"/documents/{old_cv.id}").status_code == 403

    # A board member assigned to it reads version 2 and is told it changed.
    member = quick_user("member@example.org", Role.REVIEWER)
    assign(application, member)
    sign_in(client, member)
    dossier = client.get(f"/review/applications/{application.id}").get_data(as_text=True)
    assert NEW_TITLE in dossier and "Changed by the applicant after submission" in dossier
    assert "Earlier versions" not in dossier
    sign_in(client, submitted["applicant"])
    timeline = client.get(f"/applications/{application.id}/status").get_data(as_text=True)
    assert "Changes submitted: version 2" in timeline


def test_discarding_a_change_keeps_the_submitted_version(client, submitted):
    application = submitted["application"]
    _open_change(client, application)
    post_form(client, edit_url(application), {**DRAFT, "title": NEW_TITLE})
    upload(client, application, "cv", make_pdf(4))
    url = f"/applications/{application.id}/change/discard"
    assert "Discard your changes?" in client.get(url).get_data(as_text=True)
    assert post_on_page(client, url, url, {"confirm": "y"}).status_code == 302
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.pending_changes is None and application.title == DRAFT["title"]
    assert application.version == 1
    assert db.session.scalar(select(Document).where(Document.pending)) is None
    stray = db.session.scalar(select(Document).where(Document.pages == 4))
    assert client.get(f"/documents/{stray.id}").status_code == 403
    assert application.current_documents()[DocumentKind.CV].pages == 1


def test_a_change_with_nothing_changed_makes_no_version(client, mail, submitted):
    application = submitted["application"]
    _open_change(client, application)
    mail.clear()
    response = post_on_page(client, edit_url(application),
                            f"/applications/{application.id}/submit",
                            {"confirm": "y", "consent": "y"}, follow_redirects=True)
    assert "You changed nothing" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, application.id).version == 1
    assert not mail.to("ada@example.org")


def test_an_incomplete_change_is_refused_and_kept(client, submitted):
    application = submitted["application"]
    _open_change(client, application)
    post_form(client, edit_url(application), {**DRAFT, "title": ""})
    response = post_on_page(client, edit_url(application),
                            f"/applications/{application.id}/submit",
                            {"confirm": "y", "consent": "y"}, follow_redirects=True)
    assert "Still missing" in response.get_data(as_text=True)
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.title == DRAFT["title"] and application.version == 1
    assert application.pending_changes["title"] == ""


def test_after_the_deadline_the_change_is_refused_and_version_one_stands(client, submitted):
    application, call = submitted["application"], submitted["call"]
    _open_change(client, application)
    post_form(client, edit_url(application), {**DRAFT, "title": NEW_TITLE})
    call.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(edit_url(application)).get_data(as_text=True)
    assert "were not submitted before the deadline" in page and NEW_TITLE not in page
    response = post_on_page(client, f"/applications/{application.id}/status",
                            f"/applications/{application.id}/submit",
                            {"confirm": "y", "consent": "y"}, follow_redirects=True)
    assert "deadline of this call has passed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, application.id).title == DRAFT["title"]
    assert post_form(client, edit_url(application), {**DRAFT, "title": "Later"},
                     page_url=f"/applications/{application.id}/status").status_code == 409
    # No new change can be opened either.
    db.session.get(Application, application.id).pending_changes = None
    db.session.commit()
    response = client.get(f"/applications/{application.id}/change", follow_redirects=True)
    assert "can no longer be changed" in response.get_data(as_text=True)


def test_an_ineligible_application_cannot_be_changed(client, submitted):
    application = submitted["application"]
    application.status = ApplicationStatus.INELIGIBLE
    db.session.commit()
    response = client.post(f"/applications/{application.id}/change",
                           data={"csrf_token": csrf_from(client.get(
                               f"/applications/{application.id}/status").get_data(
                               as_text=True)), "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application.id).pending_changes is None


def test_only_the_applicant_opens_a_change(client, submitted):
    application = submitted["application"]
    other = quick_user("eve@example.org", Role.APPLICANT)
    sign_in(client, other)
    assert client.get(f"/applications/{application.id}/change").status_code == 403
    sign_in(client, submitted["hr"])
    assert client.get(f"/applications/{application.id}/change").status_code == 403


def _send_letter(client, path: str, pages: int):
    page = client.get(path).get_data(as_text=True)
    return client.post(path, data={"letter-csrf_token": csrf_from(page), "action": "upload",
                                   "letter-file": (io.BytesIO(make_pdf(pages)), "l.pdf")})


def test_a_referee_replaces_the_letter_until_the_deadline(client, mail, submitted):
    path, call = submitted["referee_path"], submitted["call"]
    client.get("/logout")
    with client.session_transaction() as session:
        session.clear()
    assert "Your letter was received" in _send_letter(client, path, 2).get_data(as_text=True)
    first = db.session.scalar(select(RefereeRequest)).letter_document_id
    mail.clear()
    response = _send_letter(client, path, 3)
    assert "replaces the one you sent before" in response.get_data(as_text=True)
    db.session.expire_all()
    request = db.session.scalar(select(RefereeRequest))
    assert request.letter.pages == 3 and request.letter_document_id != first
    assert db.session.get(Document, first).is_current is False
    assert not mail.to("ada@example.org")  # told once, when the letter first came
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "referee.letter_replaced")).data["replaced"] == first
    sign_in(client, submitted["hr"])
    assert client.get(f"/documents/{request.letter_document_id}").status_code == 200
    assert client.get(f"/documents/{first}").status_code == 403
    with client.session_transaction() as session:
        session.clear()
    token = csrf_from(client.get(path).get_data(as_text=True))  # the page left open
    call.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(path).status_code == 410
    late = client.post(path, data={"letter-csrf_token": token, "action": "upload",
                                   "letter-file": (io.BytesIO(make_pdf(1)), "l.pdf")})
    assert late.status_code == 410
    db.session.expire_all()
    assert db.session.scalar(select(RefereeRequest)).letter.pages == 3


def test_versions_page_is_hr_only(client, submitted):
    application = submitted["application"]
    assert db.session.scalar(select(ApplicationVersion)).number == 1
    sign_in(client, submitted["hr"])
    page = client.get(f"/admin/applications/{application.id}/versions")
    assert page.status_code == 200 and "Version 1" in page.get_data(as_text=True)


def test_the_home_page_reminds_an_open_change(client, submitted):
    application = submitted["application"]
    _open_change(client, application)
    home = client.get("/").get_data(as_text=True)
    assert "You started changing your submitted application" in home
    assert f"/applications/{application.id}#submit" in home
