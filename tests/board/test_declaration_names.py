"""The conflict-declaration list names who applied and from where, and nothing more."""

import pytest
from sqlalchemy import event

from icm_recruit.applications.models import (
    ApplicationStatus,
    Document,
    DocumentKind,
    RefereeRequest,
)
from icm_recruit.auth.models import Role, User
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.board.factories import make_member, quick_user, sign_in

pytestmark = pytest.mark.services


@pytest.fixture
def world(ctx):
    call = make_call()
    applicant = quick_user("ada@pasteur.fr", Role.APPLICANT, name="Ada Lovelace")
    application = make_application(
        call, applicant, status=ApplicationStatus.UNDER_REVIEW, complete=True,
        keywords="hippocampus, optogenetics", current_position="Staff scientist",
        summary="A confidential summary about place cells.")
    db.session.add_all([
        Document(application=application, kind=DocumentKind.CV, size=10, pages=1,
                 original_filename="ada-cv-private.pdf", sha256="a" * 64,
                 storage_key="a" * 64),
        RefereeRequest(application=application, name="Prof. Grace Hopper",
                       email="grace@example.org", expires_at=utcnow(),
                       token_hash="c" * 64),
    ])
    other = quick_user("kofi@uct.ac.za", Role.APPLICANT, name="Kofi Mensah")
    make_application(call, other, status=ApplicationStatus.SUBMITTED, complete=True,
                     institution="University of Cape Town", country="ZA")
    draft_author = quick_user("draft@example.org", Role.APPLICANT, name="Dora Draft")
    make_application(call, draft_author, complete=True, institution="Draft Institute")
    member = make_member("maria@unimi.it", "Maria Rossi")
    db.session.commit()
    return {"call": call, "application": application,
            "member": db.session.get(User, member.user_id)}


def test_list_shows_names_institutions_and_countries(client, world):
    sign_in(client, world["member"])
    body = client.get(f"/board/calls/{world['call'].id}").get_data(as_text=True)
    assert "Ada Lovelace" in body and "Institut Pasteur" in body and "France" in body
    assert "Kofi Mensah" in body and "University of Cape Town" in body
    assert "South Africa" in body
    assert world["application"].title in body and world["application"].reference in body


def test_list_shows_nothing_else_of_the_dossier(client, world):
    sign_in(client, world["member"])
    body = client.get(f"/board/calls/{world['call'].id}").get_data(as_text=True)
    assert "hippocampus" in body and "optogenetics" in body  # keywords guide the wishes
    for hidden in ("confidential summary", "Staff scientist",
                   "ada-cv-private.pdf", "Grace Hopper", "ada@pasteur.fr", "2015",
                   "Paper one", "Dora Draft", "Draft Institute"):
        assert hidden not in body, hidden
    assert "/documents/" not in body and "/dossier" not in body


def test_list_in_french_names_the_applicant_column(client, world):
    sign_in(client, world["member"])
    world["member"].locale = "fr"
    db.session.commit()
    with client.session_transaction() as session:
        session["locale"] = "fr"
    body = client.get(f"/board/calls/{world['call'].id}").get_data(as_text=True)
    assert "Candidat·e" in body and "Ada Lovelace" in body
    assert "le nom, l’établissement et le pays" in body


def _statements(client, url: str) -> int:
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_names_cost_no_query_per_row(client, world):
    sign_in(client, world["member"])
    url = f"/board/calls/{world['call'].id}"
    few = _statements(client, url)
    for n in range(5):
        make_application(world["call"], quick_user(f"more{n}@example.org", Role.APPLICANT),
                         status=ApplicationStatus.SUBMITTED, complete=True)
    assert _statements(client, url) == few
