"""A conflicted member cannot reach an application by any URL, even when assigned to it."""

import pytest
from werkzeug.routing import Rule

from icm_recruit.applications.models import ApplicationStatus, Document
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.board.models import Conflict, ConflictSource, ConflictStatus
from icm_recruit.calls.models import DocumentKind
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.board.factories import make_member, quick_user, sign_in

pytestmark = pytest.mark.services

# URL arguments naming the application or something of it; other routes are not about it.
OBJECT_ARGUMENTS = {"application_id", "document_id", "assignment_id"}


@pytest.fixture
def world(ctx, app):
    from icm_recruit.core import storage

    call = make_call()
    applicant = quick_user("applicant@example.org", Role.APPLICANT)
    application = make_application(call, applicant, status=ApplicationStatus.UNDER_REVIEW,
                                   complete=True)
    document = Document(application=application, kind=DocumentKind.CV, size=10, pages=1,
                        original_filename="cv.pdf", sha256="d" * 64, storage_key="d" * 64)
    letter = Document(application=application, kind=DocumentKind.LETTER, size=10, pages=1,
                      original_filename="l.pdf", sha256="e" * 64, storage_key="e" * 64)
    db.session.add_all([document, letter])
    db.session.commit()
    for key in ("d" * 64, "e" * 64):
        path = storage.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.4 test")
    return {"call": call, "application": application, "documents": [document, letter]}


def _object_routes(app) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.arguments & OBJECT_ARGUMENTS
            and rule.arguments <= OBJECT_ARGUMENTS | {"action"}]


def _urls(app, world, assignment) -> list[str]:
    urls = []
    for rule in _object_routes(app):
        values = {"application_id": world["application"].id, "assignment_id": assignment.id}
        documents = world["documents"] if "document_id" in rule.arguments else [None]
        for document in documents:
            if document is not None:
                values["document_id"] = document.id
            path = rule.build({k: v for k, v in values.items() if k in rule.arguments},
                              append_unknown=False)[1]
            urls.append(path)
    return urls


@pytest.mark.parametrize("roles,status", [
    ((Role.REVIEWER,), ConflictStatus.CONFIRMED),
    ((Role.REVIEWER,), ConflictStatus.SUGGESTED),
    ((Role.CHAIR, Role.REVIEWER), ConflictStatus.CONFIRMED),
])
def test_conflicted_member_gets_403_on_every_url_of_the_application(client, app, world, roles,
                                                                    status):
    application = world["application"]
    member = make_member("member@example.org", "Conflicted Member", roles=roles)
    assignment = Assignment(application_id=application.id, reviewer_id=member.user_id,
                            status=AssignmentStatus.ACTIVE)
    db.session.add_all([assignment, Conflict(
        reviewer_id=member.user_id, application_id=application.id,
        source=ConflictSource.COAUTHOR, status=status)])
    db.session.commit()
    sign_in(client, db.session.get(User, member.user_id))
    urls = _urls(app, world, assignment)
    assert any(url.startswith("/documents/") for url in urls)
    assert {f"/applications/{application.id}", f"/admin/applications/{application.id}"} <= set(
        urls)
    for url in urls:
        code = client.get(url).status_code
        assert code in (403, 404), f"{url} answered {code}"
    listing = client.get("/board/assignments").get_data(as_text=True)
    assert application.reference not in listing


def test_assigned_member_without_conflict_sees_it_listed(client, world):
    application = world["application"]
    member = make_member("fine@example.org", "Fine Member")
    db.session.add(Assignment(application_id=application.id, reviewer_id=member.user_id,
                              status=AssignmentStatus.ACTIVE))
    db.session.commit()
    sign_in(client, db.session.get(User, member.user_id))
    assert application.reference in client.get("/board/assignments").get_data(as_text=True)
