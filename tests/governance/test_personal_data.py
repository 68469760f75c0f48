import io
import json
import zipfile

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
    Document,
    DocumentKind,
    RefereeRequest,
    RefereeStatus,
)
from icm_recruit.auth.models import Role, User
from icm_recruit.calls.models import CallStatus
from icm_recruit.core import storage
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call, make_pdf
from tests.support import PASSWORD, make_user, post_form

pytestmark = pytest.mark.services


def _attach(application, kind=DocumentKind.CV, content=None, name="cv.pdf"):
    data = content or make_pdf(pages=1) + name.encode()
    key = storage.store(data)
    document = Document(application_id=application.id, kind=kind, original_filename=name,
                        size=len(data), pages=1, sha256=key, storage_key=key)
    db.session.add(document)
    db.session.commit()
    return document, key


def test_applicant_downloads_all_their_data_but_no_letter(client, auth, ctx):
    applicant = make_user("mine@example.org", Role.APPLICANT, name="Ana Mine")
    application = make_application(make_call(), applicant, complete=True,
                                   status=ApplicationStatus.SUBMITTED)
    _attach(application)
    letter, _ = _attach(application, kind=DocumentKind.LETTER, name="letter.pdf")
    db.session.add(RefereeRequest(application_id=application.id, name="Prof. Ref",
                                  email="ref@example.org", expires_at=utcnow(),
                                  status=RefereeStatus.RECEIVED,
                                  letter_document_id=letter.id))
    db.session.commit()
    auth.login("mine@example.org")
    response = client.get("/account/my-data.zip")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert {"account.json", "applications.json", "activity.json"} <= set(names)
    assert any(n.endswith("cv.pdf") for n in names)
    assert not any("letter" in n for n in names)
    account = json.loads(archive.read("account.json"))
    assert account["email"] == "mine@example.org" and account["name"] == "Ana Mine"
    record = json.loads(archive.read("applications.json"))[0]
    assert record["reference"] == application.reference
    assert record["referees"][0]["status"] == "received"
    assert "letter" not in json.dumps(record["documents"])


def test_erasure_needs_the_password_and_keeps_an_anonymous_record(client, auth, ctx):
    applicant = make_user("leaving@example.org", Role.APPLICANT, name="Leo Leaving")
    call = make_call()
    submitted = make_application(call, applicant, complete=True,
                                 status=ApplicationStatus.UNDER_REVIEW)
    _, key = _attach(submitted)
    draft = make_application(make_call(slug="other-call"), applicant, complete=True)
    draft_id, submitted_id, user_id = draft.id, submitted.id, applicant.id
    auth.login("leaving@example.org")
    wrong = post_form(client, "/account/erase", {"password": "not-it-123", "confirm": "y"},
                      page_url="/account/my-data")
    assert wrong.status_code == 400 and "not correct" in wrong.get_data(as_text=True)
    response = post_form(client, "/account/erase", {"password": PASSWORD, "confirm": "y"},
                         page_url="/account/my-data")
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user.email.endswith("@erased.invalid") and not user.active
    assert "Leo" not in user.name and user.password_hash is None
    assert db.session.get(Application, draft_id) is None
    kept = db.session.get(Application, submitted_id)
    assert kept.status == ApplicationStatus.WITHDRAWN and kept.reference
    assert kept.summary == "" and kept.institution == "" and kept.title == ""
    assert db.session.scalars(select(Document).where(
        Document.application_id == submitted_id)).all() == []
    assert not storage.path_for(key).exists()
    assert auth.login("leaving@example.org").status_code == 200  # cannot sign in any more
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "personal_data.erased" in actions


def _decided_call(ctx_days_ago: int):
    call = make_call(slug=f"decided-{ctx_days_ago}", status=CallStatus.DECIDED,
                     opens_in_days=-ctx_days_ago - 60, closes_in_days=-ctx_days_ago)
    applicant = make_user(f"old{ctx_days_ago}@example.org", Role.APPLICANT)
    application = make_application(call, applicant, complete=True,
                                   status=ApplicationStatus.REJECTED)
    return call, application


def test_retention_purge_dry_run_then_purge(app, ctx):
    old_call, old_application = _decided_call(800)
    _, key = _attach(old_application)
    recent_call, recent_application = _decided_call(30)
    _attach(recent_application, content=make_pdf(pages=1) + b"recent")
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert dry.exit_code == 0
    assert f"would purge {old_call.slug}: 1 applications, 1 documents" in dry.output
    assert recent_call.slug not in dry.output
    db.session.expire_all()
    assert db.session.get(Application, old_application.id).summary != ""  # dry run: unchanged
    result = runner.invoke(args=["retention", "purge"])
    assert f"purged {old_call.slug}" in result.output
    db.session.expire_all()
    purged = db.session.get(Application, old_application.id)
    assert purged.summary == "" and purged.reference and purged.status == ApplicationStatus.REJECTED
    assert not storage.path_for(key).exists()
    assert db.session.get(Application, recent_application.id).summary != ""
    assert "nothing is due" in runner.invoke(args=["retention", "purge", "--dry-run"]).output
    assert "retention.purged" in db.session.scalars(select(AuditEvent.action)).all()


def test_retention_page_for_hr(client, auth, ctx):
    make_user("hr@example.org", Role.ADMIN)
    call, application = _decided_call(900)
    auth.login("hr@example.org")
    page = client.get("/admin/retention").get_data(as_text=True)
    assert call.slug in page
    post_form(client, "/admin/retention", {})
    db.session.expire_all()
    assert db.session.get(Application, application.id).summary == ""


@pytest.mark.parametrize("roles", [(Role.APPLICANT,), (Role.REVIEWER,), (Role.CHAIR,)])
def test_retention_page_is_for_hr_only(client, auth, ctx, roles):
    make_user("someone@example.org", *roles)
    auth.login("someone@example.org")
    assert client.get("/admin/retention").status_code == 403


def test_submission_requires_privacy_consent(app):
    from icm_recruit.applications.forms import SubmitForm

    with app.test_request_context(method="POST", data={"confirm": "y"}):
        form = SubmitForm(meta={"csrf": False})
        assert not form.validate() and list(form.errors) == ["consent"]
    with app.test_request_context(method="POST", data={"confirm": "y", "consent": "y"}):
        assert SubmitForm(meta={"csrf": False}).validate()


def test_anonymous_cannot_reach_personal_data(client):
    assert client.get("/account/my-data.zip").status_code == 302
    assert client.post("/account/erase").status_code in (302, 400)
