"""The assignment job reads the research project's PDF and keeps embeddings in the database."""

import io

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject
from sqlalchemy import func, select

from icm_recruit.applications.models import ApplicationStatus, Document
from icm_recruit.assignment import embeddings
from icm_recruit.assignment.models import TextEmbedding
from icm_recruit.assignment.project_text import extract_text
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import DocumentKind
from icm_recruit.core import storage
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call, make_pdf
from tests.assignment.test_assignment_web import _assignments, _run
from tests.board.factories import make_member, quick_user, sign_in

pytestmark = pytest.mark.services


def text_pdf(*pages: str) -> bytes:
    """Return a PDF with one line of text per page."""
    writer = PdfWriter()
    for line in pages:
        page = writer.add_blank_page(width=595, height=842)
        font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                 NameObject("/Subtype"): NameObject("/Type1"),
                                 NameObject("/BaseFont"): NameObject("/Helvetica")})
        page[NameObject("/Resources")] = DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 12 Tf 72 720 Td ({line}) Tj ET".encode())
        page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_text_of_the_first_pages_is_read_and_a_blank_or_broken_pdf_gives_none():
    text = extract_text(text_pdf("Zebrafish retina", "photoreceptor regeneration", "p3", "p4"))
    assert text == "Zebrafish retina photoreceptor regeneration p3"
    assert extract_text(make_pdf(2)) == ""
    assert extract_text(b"%PDF-1.4 broken") == ""


def _attach_project(application, data: bytes) -> None:
    db.session.add(Document(application_id=application.id, kind=DocumentKind.RESEARCH_PROJECT,
                            original_filename="project.pdf", size=len(data), pages=1,
                            sha256="0" * 64, storage_key=storage.store(data)))


@pytest.fixture
def world(ctx, monkeypatch):
    monkeypatch.setattr(embeddings, "_memory", embeddings.OrderedDict())
    call = make_call(reviewers_per_application=1)
    applications = []
    for i, summary in enumerate(["We study the brain.", "Seizures in children."]):
        applicant = quick_user(f"a{i}@lab{i}.org", Role.APPLICANT, name=f"Applicant {i}")
        application = make_application(call, applicant, status=ApplicationStatus.UNDER_REVIEW,
                                       complete=True, title="A research programme",
                                       keywords="", summary=summary)
        applications.append(application)
    _attach_project(applications[0], text_pdf("Zebrafish retina photoreceptor regeneration"))
    members = [make_member("fish@board.org", "Fay Fish", max_load=1,
                           keywords="zebrafish, retina, photoreceptor, regeneration"),
               make_member("kids@board.org", "Kit Kids", max_load=1,
                           keywords="epilepsy, seizures, children")]
    admin = quick_user("hr@icm.example.org", Role.ADMIN, name="HR person")
    db.session.commit()
    return {"call": call, "applications": applications, "members": members, "admin": admin}


def test_the_project_pdf_feeds_the_match_and_its_words_explain_it(client, world, monkeypatch):
    computed = []
    encode = embeddings.E5Encoder.encode
    monkeypatch.setattr(embeddings.E5Encoder, "encode",
                        lambda self, texts: computed.extend(texts) or encode(self, texts))
    sign_in(client, world["admin"])
    assert _run(client, world["call"]).status_code == 200
    pairs = {a.application_id: a for a in _assignments(world["call"])}
    fish, kids = world["members"]
    project_app = world["applications"][0]
    assert pairs[project_app.id].reviewer_id == fish.user_id
    terms = [t for t, _ in pairs[project_app.id].explanation["shared_terms"]]
    assert {"zebrafish", "retina"} <= set(terms)
    assert pairs[world["applications"][1].id].reviewer_id == kids.user_id
    document = db.session.scalar(select(Document).where(
        Document.application_id == project_app.id))
    assert document.text_excerpt == "Zebrafish retina photoreceptor regeneration"

    stored = db.session.scalar(select(func.count()).select_from(TextEmbedding))
    assert stored == len(set(computed)) == 4  # two applications, two member profiles
    embeddings._memory.clear()  # a new process: only the database remembers
    computed.clear()
    _run(client, world["call"])
    assert computed == []
    assert db.session.scalar(select(func.count()).select_from(TextEmbedding)) == stored


def test_beat_embeds_ahead_in_batches_so_the_job_only_scores(client, world, monkeypatch):
    from icm_recruit.assignment.tasks import embed_ahead
    from icm_recruit.celery_app import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["assignment-embed-ahead"]["task"] == embed_ahead.name
    assert embed_ahead.delay(3).get() == 3
    assert db.session.scalar(select(func.count()).select_from(TextEmbedding)) == 3
    assert embed_ahead.delay(3).get() == 1  # four texts in all
    assert embed_ahead.delay(3).get() == 0
    computed = []
    encode = embeddings.E5Encoder.encode
    monkeypatch.setattr(embeddings.E5Encoder, "encode",
                        lambda self, texts: computed.extend(texts) or encode(self, texts))
    embeddings._memory.clear()
    sign_in(client, world["admin"])
    _run(client, world["call"])
    assert computed == [] and len(_assignments(world["call"])) == 2


def test_a_members_imported_publication_titles_count_and_explain(client, world):
    from icm_recruit.applications.publications import Publication, PublicationSource

    fish, _ = world["members"]
    fish.expertise_keywords = ""
    db.session.add_all([
        Publication(user_id=fish.user_id, title="Regeneration of the zebrafish retina",
                    year=2024, authors=["Fay Fish"], source=PublicationSource.BIBTEX),
        Publication(user_id=fish.user_id, title="Photoreceptor loss after injury", year=2021,
                    authors=["Fay Fish"], source=PublicationSource.BIBTEX)])
    db.session.commit()
    sign_in(client, world["admin"])
    _run(client, world["call"])
    pairs = {a.application_id: a for a in _assignments(world["call"])}
    chosen = pairs[world["applications"][0].id]
    assert chosen.reviewer_id == fish.user_id
    assert {"zebrafish", "retina"} <= {t for t, _ in chosen.explanation["shared_terms"]}
