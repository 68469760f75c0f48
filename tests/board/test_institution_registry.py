"""HR's institution registry through the web, and detection that reads it."""

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.board.models import Conflict, ConflictSource, Institution
from icm_recruit.board.operations import detect_call_conflicts
from icm_recruit.core.audit import AuditEvent
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.board.factories import make_member, quick_user, sign_in
from tests.support import csrf_from

pytestmark = pytest.mark.services
PAGE = "/admin/institutions"
ENTRY = {"name": "Institut Tagada", "kind": "institution",
         "aliases": "Centre Zorglub\nTagada Institute", "acronyms": "ITG, ITGA",
         "domains": "tagada.example\n@lab.zorglub.example", "units": "UMR 9999",
         "parent": "CNRS"}


def post(client, page_url: str, url: str, data: dict | None = None, **kwargs):
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def hr(ctx):
    return quick_user("hr@icm.example.org", Role.ADMIN, name="HR person")


def test_only_hr_opens_the_registry(client, hr):
    assert client.get(PAGE).status_code == 302
    member = make_member("kenji@riken.jp", "Kenji Tanaka")
    sign_in(client, db.session.get(User, member.user_id))
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}/new").status_code == 403
    sign_in(client, hr)
    body = client.get(PAGE).get_data(as_text=True)
    assert "Aarhus University" in body and "HR has added no entry yet." in body
    found = client.get(f"{PAGE}?q=mytum.de").get_data(as_text=True)
    assert "Technical University of Munich" in found and "Karolinska" not in found


def test_hr_adds_edits_and_removes_an_entry_audited_and_confirmed(client, hr):
    sign_in(client, hr)
    response = post(client, f"{PAGE}/new", f"{PAGE}/new", ENTRY)
    assert response.status_code == 302
    entry = db.session.scalar(select(Institution))
    assert (entry.name, entry.aliases, entry.acronyms) == (
        "Institut Tagada", ["Centre Zorglub", "Tagada Institute"], ["ITG", "ITGA"])
    assert entry.domains == ["tagada.example", "lab.zorglub.example"]
    assert entry.parent == "CNRS" and entry.created_by_id == hr.id
    assert "Centre Zorglub" in client.get(PAGE).get_data(as_text=True)

    edit = f"{PAGE}/{entry.id}/edit"
    assert "Centre Zorglub" in client.get(edit).get_data(as_text=True)
    response = post(client, edit, edit, {**ENTRY, "aliases": "Centre Zorglub"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Institution, entry.id).aliases == ["Centre Zorglub"]

    remove = f"{PAGE}/{entry.id}/remove"
    asked = post(client, PAGE, remove)
    assert asked.status_code == 200 and "Remove Institut Tagada" in asked.get_data(as_text=True)
    assert db.session.get(Institution, entry.id) is not None
    done = post(client, PAGE, remove, {"confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Institution)).all() == []
    assert actions()[-3:] == ["board.institution_added", "board.institution_updated",
                              "board.institution_removed"]
    updated = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "board.institution_updated"))
    assert updated.data["before"]["aliases"] == ["Centre Zorglub", "Tagada Institute"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("domains", "not a domain", "is not an e-mail domain"),
     ("domains", "gmail.com", "public mail provider"),
     ("units", "Lab of Sleep", "holds no unit code"),
     ("parent", "Society of Nowhere", "No entry of the registry has this name"),
     ("name", "   ", "Give the institution"),
     ("aliases", "x" * 201, "at most 200 characters")],
)
def test_bad_input_is_refused_beside_its_field_and_kept(client, hr, field, value, message):
    sign_in(client, hr)
    response = post(client, f"{PAGE}/new", f"{PAGE}/new", {**ENTRY, field: value})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and message in body
    assert f'id="{field}-errors"' in body
    assert "Centre Zorglub" in body or field == "aliases"
    assert db.session.scalar(select(Institution)) is None


def test_a_second_entry_of_the_same_name_is_refused(client, hr):
    sign_in(client, hr)
    post(client, f"{PAGE}/new", f"{PAGE}/new", ENTRY)
    again = post(client, f"{PAGE}/new", f"{PAGE}/new", {**ENTRY, "name": "institut tagada"})
    assert "already in the registry" in again.get_data(as_text=True)
    assert len(db.session.scalars(select(Institution)).all()) == 1


def test_the_pages_in_french(client, hr):
    hr.locale = "fr"
    db.session.commit()
    sign_in(client, hr)
    body = client.get(PAGE).get_data(as_text=True)
    assert "Établissements" in body and "Ajouter un établissement" in body
    refused = post(client, f"{PAGE}/new", f"{PAGE}/new", {**ENTRY, "domains": "gmail.com"})
    assert "messagerie publique" in refused.get_data(as_text=True)


def _conflicts(call, application, member):
    detect_call_conflicts(call, by=None)
    db.session.commit()
    return db.session.scalars(select(Conflict).where(
        Conflict.application_id == application.id,
        Conflict.reviewer_id == member.user_id)).all()


def test_detection_uses_the_shipped_registry_and_explains_itself(client, hr):
    call = make_call()
    applicant = quick_user("li@gmail.com", Role.APPLICANT, name="Li Na")
    application = make_application(call, applicant, status=ApplicationStatus.SUBMITTED,
                                   complete=True, institution="Technical University of Munich")
    member = make_member("ute@gmail.com", "Ute Berg", affiliation="TU München")
    found = _conflicts(call, application, member)
    assert [c.source for c in found] == [ConflictSource.INSTITUTION]
    assert "TU München = Technical University of Munich, via the registry" in found[0].reason
    sign_in(client, hr)
    page = client.get(f"/admin/calls/{call.id}/conflicts").get_data(as_text=True)
    assert "TU München = Technical University of Munich, via the registry" in page
    hr.locale = "fr"
    db.session.commit()
    page = client.get(f"/admin/calls/{call.id}/conflicts").get_data(as_text=True)
    assert "d’après le registre des établissements" in page


def test_detection_reads_what_hr_added(client, hr):
    call = make_call()
    applicant = quick_user("ana@gmail.com", Role.APPLICANT, name="Ana Costa")
    application = make_application(call, applicant, status=ApplicationStatus.SUBMITTED,
                                   complete=True, institution="Institut Tagada")
    member = make_member("olaf@gmail.com", "Olaf Lund", affiliation="Centre Zorglub")
    other = make_member("eve@lab.zorglub.example", "Eve Roy", affiliation="University of Oslo")
    assert _conflicts(call, application, member) == []
    assert _conflicts(call, application, other) == []

    sign_in(client, hr)
    post(client, f"{PAGE}/new", f"{PAGE}/new", ENTRY)
    by_name = _conflicts(call, application, member)
    assert [c.source for c in by_name] == [ConflictSource.INSTITUTION]
    assert "Centre Zorglub = Institut Tagada, via the registry" in by_name[0].reason
    by_address = _conflicts(call, application, other)
    assert [c.source for c in by_address] == [ConflictSource.INSTITUTION]
    assert "lab.zorglub.example = Institut Tagada, via the registry" in by_address[0].reason

    entry = db.session.scalar(select(Institution))
    post(client, PAGE, f"{PAGE}/{entry.id}/remove", {"confirm": "y"})
    db.session.expire_all()
    left = _conflicts(call, application, member)
    assert left == [], [c.reason for c in left]


def test_the_registry_page_costs_the_same_queries_for_few_and_many_entries(client, hr):
    from tests.core.test_page_queries import QueryCounter

    sign_in(client, hr)
    counter = QueryCounter()
    db.session.add(Institution(name="Entry 0", aliases=[], acronyms=[], domains=[], units=[],
                               parent=""))
    db.session.commit()
    response, few = counter.measure(client, PAGE)
    assert response.status_code == 200
    db.session.add_all([Institution(name=f"Entry {i}", aliases=["Other"], acronyms=["E"],
                                    domains=[f"e{i}.example"], units=[], parent="CNRS")
                        for i in range(1, 40)])
    db.session.commit()
    response, many = counter.measure(client, PAGE)
    assert response.status_code == 200 and "Entry 39" in response.get_data(as_text=True)
    assert many == few
