"""Publication lists imported from BibTeX, RIS and ORCID exports, through HTTP, and the
co-authorship detection that reads them."""

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.applications.publication_files import (
    PublicationFileError,
    read_publication_file,
)
from icm_recruit.applications.publications import Publication
from icm_recruit.auth.models import Role, User
from icm_recruit.board.models import Conflict, ConflictSource
from icm_recruit.board.operations import detect_call_conflicts
from icm_recruit.core.audit import AuditEvent
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.board.factories import make_member, quick_user, sign_in
from tests.support import csrf_from

pytestmark = pytest.mark.services
DATA = Path(__file__).parent / "data"
PAGE = "/publications/"


def upload(client, data: bytes, filename: str):
    token = csrf_from(client.get(PAGE).get_data(as_text=True))
    return client.post("/publications/import", data={
        "csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data")


def papers_of(user) -> list[Publication]:
    return list(db.session.scalars(select(Publication).where(Publication.user_id == user.id)
                                   .order_by(Publication.id)))


@pytest.mark.parametrize(
    ("name", "kind", "first"),
    [("publications.bib", "bibtex",
      ("Cortical Maps in Mice", 2022, ["Tanaka, Kenji", "Moreau, Élise", "Müller, Anna"])),
     ("publications.ris", "ris",
      ("Synaptic pruning in adolescence", 2023, ["Zhang, Wei", "Okafor, Samuel"])),
     ("orcid_works.json", "orcid",
      ("Motor learning in the basal ganglia", 2021, ["Hélène Lefèvre", "Paul Girard"])),
     ("orcid_record.json", "orcid", ("A shared atlas of the mouse hippocampus", 2024, []))],
)
def test_the_three_formats_are_read(name, kind, first):
    found_kind, papers = read_publication_file((DATA / name).read_bytes())
    assert found_kind == kind and len(papers) == 2
    assert (papers[0].title, papers[0].year, list(papers[0].authors)) == first


@pytest.fixture
def applicant(ctx):
    return quick_user("amina@gmail.com", Role.APPLICANT, name="Amina Haddad")


def test_an_applicant_imports_a_list_that_a_second_import_replaces(client, applicant):
    sign_in(client, applicant)
    response = upload(client, (DATA / "publications.bib").read_bytes(), "mine.bib")
    assert response.status_code == 302
    assert [p.title for p in papers_of(applicant)] == [
        "Cortical Maps in Mice", "Sleep spindles and memory consolidation"]
    page = client.get(PAGE).get_data(as_text=True)
    assert "Cortical Maps in Mice" in page and "Moreau, Élise" in page
    upload(client, (DATA / "publications.ris").read_bytes(), "export.ris")
    db.session.expire_all()
    assert [p.source.value for p in papers_of(applicant)] == ["ris", "ris"]
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user.publications_imported").order_by(AuditEvent.id)).all()
    assert [(e.data["source"], e.data["entries"], e.data["replaced"]) for e in events] == [
        ("bibtex", 2, 0), ("ris", 2, 2)]


def test_a_board_member_imports_and_removes_after_confirming(client, ctx):
    member = make_member("kenji@riken.jp", "Kenji Tanaka")
    user = db.session.get(User, member.user_id)
    sign_in(client, user)
    assert "publication list" in client.get("/board/profile").get_data(as_text=True)
    assert upload(client, (DATA / "orcid_works.json").read_bytes(), "works.json"
                  ).status_code == 302
    token = csrf_from(client.get(PAGE).get_data(as_text=True))
    asked = client.post("/publications/remove", data={"csrf_token": token})
    assert asked.status_code == 200 and "Remove your imported publication list" in asked.get_data(
        as_text=True)
    assert len(papers_of(user)) == 2
    done = client.post("/publications/remove", data={"csrf_token": token, "confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert papers_of(user) == []


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [(b"%PDF-1.7\x00\x01\x02binary", "list.pdf", "This is not a text file"),
     (b"Just my papers, typed by hand.", "list.txt", "not a BibTeX, RIS or ORCID export"),
     (b"@article{x, journal={Neuron}, year={2020}}", "list.bib", "No publication with a title"),
     (b"{\"bulk\": [}", "works.json", "could not be read"),
     (b"", "empty.bib", "The file is empty"),
     (b"@article{x, title={T}}\n" + b"%" * (2 * 1024 * 1024), "huge.bib", "larger than 2 MB")],
)
def test_bad_files_are_refused_beside_the_field(client, applicant, data, filename, message):
    sign_in(client, applicant)
    response = upload(client, data, filename)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body and 'id="file-errors"' in body
    assert papers_of(applicant) == []


def test_no_file_and_french_messages(client, applicant):
    applicant.locale = "fr"
    db.session.commit()
    sign_in(client, applicant)
    token = csrf_from(client.get(PAGE).get_data(as_text=True))
    response = client.post("/publications/import", data={"csrf_token": token})
    assert response.status_code == 422 and "Choisissez un fichier" in response.get_data(
        as_text=True)
    refused = upload(client, b"Just text.", "list.txt")
    assert "n’est pas un export BibTeX, RIS ou ORCID" in refused.get_data(as_text=True)
    assert "Ma liste de publications" in client.get(PAGE).get_data(as_text=True)


def test_hr_alone_keeps_no_publication_list(client, ctx):
    hr = quick_user("hr@icm.example.org", Role.ADMIN)
    assert client.get(PAGE).status_code == 302
    sign_in(client, hr)
    assert client.get(PAGE).status_code == 403


def test_unreadable_in_detail():
    with pytest.raises(PublicationFileError) as error:
        read_publication_file(b"TY  - JOUR\nTI  - \nER  - \n")
    assert error.value.code == "no_entries"


def _coauthor_conflicts(call, application, member):
    detect_call_conflicts(call, by=None)
    db.session.commit()
    return db.session.scalars(select(Conflict).where(
        Conflict.application_id == application.id, Conflict.reviewer_id == member.user_id,
        Conflict.source == ConflictSource.COAUTHOR)).all()


def test_detection_finds_a_coauthor_in_an_imported_list_with_the_paper(client, applicant):
    call = make_call()
    application = make_application(call, applicant, status=ApplicationStatus.SUBMITTED,
                                   complete=True, institution="Institut Pasteur")
    member = make_member("wz@gmail.com", "Wei Zhang", affiliation="Peking University")
    assert _coauthor_conflicts(call, application, member) == []
    sign_in(client, applicant)
    upload(client, (DATA / "publications.ris").read_bytes(), "export.ris")
    found = _coauthor_conflicts(call, application, member)
    assert len(found) == 1
    assert found[0].reason == ("The member (Wei Zhang) is an author, as Zhang, Wei, of the "
                               "applicant's paper \u201cSynaptic pruning in adolescence\u201d "
                               "(2023).")


def test_detection_finds_a_paper_on_both_lists_without_authors(client, applicant):
    call = make_call()
    application = make_application(call, applicant, status=ApplicationStatus.SUBMITTED,
                                   complete=True, institution="Institut Pasteur")
    member = make_member("eva@gmail.com", "Eva Lind", affiliation="Lund University")
    sign_in(client, applicant)
    upload(client, (DATA / "orcid_record.json").read_bytes(), "record.json")
    sign_in(client, db.session.get(User, member.user_id))
    upload(client, (DATA / "orcid_record.json").read_bytes(), "record.json")
    found = _coauthor_conflicts(call, application, member)
    assert [c.reason for c in found] == [
        "The member and the applicant both list the paper \u201cA shared atlas of the mouse "
        "hippocampus\u201d (2024)."]


def test_the_list_is_in_the_personal_data_export_and_goes_with_erasure(client, applicant):
    import json
    import zipfile

    from icm_recruit.governance.personal_data import erase_account, export_personal_data
    from tests.support import PASSWORD

    sign_in(client, applicant)
    upload(client, (DATA / "publications.bib").read_bytes(), "mine.bib")
    archive = zipfile.ZipFile(io.BytesIO(export_personal_data(applicant)))
    listed = json.loads(archive.read("publications.json"))
    assert [p["title"] for p in listed][0] == "Cortical Maps in Mice"
    summary = erase_account(applicant, PASSWORD)
    db.session.commit()
    assert summary["publications_deleted"] == 2 and papers_of(applicant) == []
