"""Uploads: only real, readable PDFs within the limits are stored."""

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from icm_recruit.applications.models import Application, Document
from icm_recruit.auth.models import Role
from icm_recruit.core import storage
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call, make_pdf
from tests.applications.helpers import upload
from tests.support import make_user

pytestmark = pytest.mark.services


@pytest.fixture
def draft(client, auth, ctx) -> Application:
    call = make_call(document_rules=[{"kind": "cv", "required": True, "max_mb": 1,
                                      "max_pages": 3}])
    user = make_user("a@example.org", Role.APPLICANT)
    auth.login(user)
    return make_application(call, user)


def _stored() -> int:
    return db.session.scalar(select(func.count(Document.id)))


@pytest.mark.parametrize("data,filename,message", [
    (b"", "empty.pdf", "The file is empty."),
    (b"GIF89a not a pdf", "image.pdf", "this file is not a PDF"),
    (b"%PDF-1.7\n garbage without any structure", "broken.pdf", "cannot be opened"),
    (make_pdf(password="secret"), "locked.pdf", "protected by a password"),
    (make_pdf(pages=4), "long.pdf", "The file has 4 pages; at most 3 are allowed."),
    (b"%PDF-" + b"0" * (1024 * 1024 + 10), "big.pdf", "larger than 1 MB"),
])
def test_bad_files_are_refused_with_a_clear_message(client, draft, data, filename, message):
    response = upload(client, draft, "cv", data, filename)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert _stored() == 0


def test_missing_file_and_unknown_kind(client, draft):
    from tests.support import csrf_from

    token = csrf_from(client.get(f"/applications/{draft.id}").get_data(as_text=True))
    response = client.post(f"/applications/{draft.id}/documents",
                           data={"csrf_token": token, "kind": "cv"}, follow_redirects=True)
    assert "Choose a PDF file to upload." in response.get_data(as_text=True)
    response = upload(client, draft, "research_project")
    assert "does not ask for this kind" in response.get_data(as_text=True)
    assert upload(client, draft, "letter").status_code == 200
    assert upload(client, draft, "nonsense").status_code == 400
    assert _stored() == 0


def test_path_characters_in_the_name_are_harmless(client, draft, app):
    response = upload(client, draft, "cv", make_pdf(), "../../etc/passwd\x00.pdf")
    assert "uploaded" in response.get_data(as_text=True)
    document = db.session.scalar(select(Document))
    assert "/" not in document.original_filename and "\x00" not in document.original_filename
    path = storage.path_for(document.storage_key)
    assert str(path).startswith(app.config["UPLOAD_FOLDER"])
    assert path.name == document.sha256
    download = client.get(f"/documents/{document.id}")
    assert f"{draft.reference}-cv.pdf" in download.headers["Content-Disposition"]


def test_french_error_message(client, draft):
    response = upload(client, draft, "cv", b"plain text", "notes.pdf")
    assert response.status_code == 200
    client.get("/")  # keep the session
    from tests.support import csrf_from

    page = client.get("/").get_data(as_text=True)
    client.post("/language", data={"locale": "fr", "next": "/", "csrf_token": csrf_from(page)})
    response = upload(client, draft, "cv", b"plain text", "notes.pdf")
    assert "ce fichier n’est pas un PDF" in response.get_data(as_text=True)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(
    st.binary(max_size=2048),
    st.binary(max_size=2048).map(lambda b: b"%PDF-1.4\n" + b),
    st.integers(min_value=0, max_value=4000).map(lambda n: make_pdf()[:n]),
), name=st.text(max_size=60))
def test_upload_fuzzing_never_errors_and_stores_only_valid_pdfs(client, draft, data, name):
    response = client.post(f"/applications/{draft.id}/documents", data={
        "csrf_token": _token(client, draft), "kind": "cv",
        "file": (io.BytesIO(data), name or "x.pdf")})
    assert response.status_code < 500
    db.session.expire_all()
    for document in db.session.scalars(select(Document)):
        stored = storage.read(document.storage_key)
        assert stored.startswith(b"%PDF-")
        assert storage.check_pdf(stored, "x.pdf", max_mb=1, max_pages=3).pages >= 1


_tokens: dict = {}


def _token(client, draft):
    from tests.support import csrf_from

    key = id(client)
    if key not in _tokens:
        _tokens.clear()
        _tokens[key] = csrf_from(client.get(f"/applications/{draft.id}").get_data(True))
    return _tokens[key]
