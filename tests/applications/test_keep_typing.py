"""What the applicant typed survives uploads, removals, refusals and autosaves."""

import io

import pytest
from sqlalchemy import func, select

from icm_recruit.applications.models import Application, ApplicationStatus, Document
from icm_recruit.auth.models import Role
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call, make_pdf
from tests.applications.helpers import DRAFT, edit_url
from tests.support import csrf_from, make_user

pytestmark = pytest.mark.services

RULES = [{"kind": "cv", "required": True, "max_mb": 1, "max_pages": 3},
         {"kind": "publications", "required": False, "max_mb": 1, "max_pages": 3}]


@pytest.fixture
def draft(client, auth, ctx) -> Application:
    call = make_call(document_rules=RULES)
    user = make_user("typist@example.org", Role.APPLICANT)
    auth.login(user)
    return make_application(call, user, title="Old title")


def _token(client, application) -> str:
    return csrf_from(client.get(edit_url(application)).get_data(as_text=True))


def _upload(client, application, data: bytes, *, kind="cv", htmx=False, **fields):
    payload = {"csrf_token": _token(client, application), **DRAFT, **fields, "kind": kind,
               f"file_{kind}": (io.BytesIO(data), "file.pdf")}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/applications/{application.id}/documents", data=payload,
                       headers=headers)


def _stored(application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def _documents() -> int:
    return db.session.scalar(select(func.count(Document.id)))


def test_upload_saves_the_typed_fields_and_returns_to_the_documents(client, draft):
    response = _upload(client, draft, make_pdf())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/applications/{draft.id}#documents")
    stored = _stored(draft)
    assert stored.current_position == "Group leader"
    assert stored.institution == "Institut Pasteur"
    assert stored.title == "Circuits of memory"
    assert stored.phd_year == 2015
    assert stored.excluded_reviewers == ["Prof. Rival"]
    assert _documents() == 1


def test_a_refused_file_keeps_the_typed_text_saved_and_on_the_page(client, draft):
    response = _upload(client, draft, b"not a pdf at all", title="Memory circuits, typed")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "this file is not a PDF" in html
    assert 'value="Memory circuits, typed"' in html
    assert 'value="Institut Pasteur"' in html
    assert 'id="file-cv" name="file_cv" form="dossier-form" accept="application/pdf,.pdf" ' \
           'autofocus' in html
    assert f'<form method="post" action="/applications/{draft.id}" novalidate ' \
           'id="dossier-form"' in html  # saving again from here saves the draft
    assert _stored(draft).title == "Memory circuits, typed"
    assert _documents() == 0


def test_invalid_typed_values_come_back_with_the_file_handled(client, draft):
    response = _upload(client, draft, make_pdf(), phd_year="last year", title="Kept")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="last year"' in html
    assert "could not be saved yet" in html
    stored = _stored(draft)
    assert stored.title == "Kept" and stored.phd_year is None
    assert _documents() == 1


def test_upload_through_htmx_answers_the_page_with_the_new_document(client, draft):
    response = _upload(client, draft, make_pdf(pages=2), htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Curriculum vitae uploaded (2 pages)." in html
    assert 'id="draft-status"' in html and "Saved at" in html
    assert _stored(draft).institution == "Institut Pasteur"


def test_htmx_upload_names_the_fields_it_could_not_save(client, draft):
    html = _upload(client, draft, make_pdf(), htmx=True, phd_year="soon").get_data(True)
    assert "Curriculum vitae uploaded" in html
    assert "Not saved: Year of the PhD" in html
    assert _stored(draft).institution == "Institut Pasteur"


def test_removal_saves_the_typed_fields_too(client, draft):
    _upload(client, draft, make_pdf(), kind="publications")
    document = db.session.scalar(select(Document))
    response = client.post(
        f"/applications/{draft.id}/documents/{document.id}/remove",
        data={"csrf_token": _token(client, draft), **DRAFT, "title": "Typed before removing"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#documents")
    assert _stored(draft).title == "Typed before removing"


def test_an_upload_without_text_fields_leaves_the_draft_alone(client, draft):
    from tests.applications.helpers import upload

    upload(client, draft, "cv")
    assert _stored(draft).title == "Old title"


def _autosave(client, application, **fields):
    return client.post(f"/applications/{application.id}/draft",
                       data={"csrf_token": _token(client, application), **fields},
                       headers={"HX-Request": "true"})


def test_autosave_keeps_the_valid_fields_and_names_the_others(client, draft):
    response = _autosave(client, draft, title="Autosaved title", phd_year="soon",
                         summary="A summary.")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Saved at" in text
    assert "Not saved: Year of the PhD" in text
    stored = _stored(draft)
    assert stored.title == "Autosaved title" and stored.summary == "A summary."
    assert stored.phd_year is None
    assert stored.status == ApplicationStatus.DRAFT


def test_autosave_leaves_unsent_fields_and_never_submits(client, draft):
    draft.institution = "Kept institution"
    db.session.commit()
    assert _autosave(client, draft, title="Only the title").status_code == 200
    stored = _stored(draft)
    assert stored.institution == "Kept institution"
    assert stored.submitted_at is None


def test_autosave_is_for_the_owner_only(client, auth, draft):
    intruder = make_user("intruder@example.org", Role.APPLICANT)
    auth.login(intruder)
    page = client.get("/applications").get_data(as_text=True)
    response = client.post(f"/applications/{draft.id}/draft",
                           data={"csrf_token": csrf_from(page), "title": "Taken over"})
    assert response.status_code == 403
    assert _stored(draft).title == "Old title"


def test_autosave_only_while_the_draft_is_editable(client, draft):
    token = _token(client, draft)
    draft.status = ApplicationStatus.SUBMITTED
    db.session.commit()
    response = client.post(f"/applications/{draft.id}/draft",
                           data={"csrf_token": token, "title": "Too late"})
    assert response.status_code == 409
    assert "Not saved" in response.get_data(as_text=True)
    assert _stored(draft).title == "Old title"


def test_autosave_after_the_deadline_is_refused(client, draft):
    from datetime import timedelta

    from icm_recruit.core.timeutil import utcnow

    token = _token(client, draft)
    draft.call.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.post(f"/applications/{draft.id}/draft",
                           data={"csrf_token": token, "title": "Too late"})
    assert response.status_code == 409
    assert _stored(draft).title == "Old title"


def test_edit_page_loads_the_draft_script_and_its_texts(client, draft):
    html = client.get(edit_url(draft)).get_data(as_text=True)
    assert "draft.js" in html
    assert f'data-draft-url="/applications/{draft.id}/draft"' in html
    assert 'id="draft-status"' in html and 'aria-live="polite"' in html


def _name_referee(client, application, **referee):
    token = _token(client, application)
    payload = {"csrf_token": token, "referee-csrf_token": token, **DRAFT,
               "title": "Typed, not saved", "referee-name": "Prof. R",
               "referee-email": "r@example.org", "referee-institution": "EMBL",
               "referee-locale": "en", **referee}
    return client.post(f"/applications/{application.id}/referees", data=payload)


def test_naming_a_referee_saves_the_typed_text_first(client, draft, mail):
    page = client.get(edit_url(draft)).get_data(as_text=True)
    # Without JavaScript the referee's fields and button belong to the dossier's form.
    assert 'name="referee-name"' in page and 'form="dossier-form"' in page
    response = _name_referee(client, draft)
    assert response.status_code == 302
    assert _stored(draft).title == "Typed, not saved"
    assert mail.to("r@example.org")


def test_a_refused_referee_keeps_the_referee_and_the_text(client, draft, mail):
    response = _name_referee(client, draft, **{"referee-email": "not an address"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Check the referee" in page
    assert 'value="not an address"' in page and 'value="Prof. R"' in page
    assert "Typed, not saved" in page
    assert _stored(draft).title == "Typed, not saved"
    assert not mail.to("r@example.org")
