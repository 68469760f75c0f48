"""Who may reach each reviewing route: relation to the application x route."""

import pytest

from icm_recruit.auth.models import Role
from tests.reviews.helpers import build_world, quick_user, sign_in

pytestmark = pytest.mark.services

RELATIONS = ["assigned", "conflicted", "unassigned", "chair", "admin", "applicant"]


def _codes(*codes):
    return dict(zip(RELATIONS, codes, strict=True))


# assigned = a member holding an active assignment who has not submitted yet.
ROUTES = [
    ("/review/", _codes(200, 200, 200, 200, 403, 403)),
    ("/review/applications/{app}", _codes(200, 403, 403, 200, 200, 403)),
    ("/review/applications/{app}/documents/{cv}", _codes(200, 403, 403, 200, 200, 403)),
    ("/review/applications/{app}/letters/{letter}", _codes(200, 403, 403, 200, 200, 403)),
    ("/review/applications/{app}/dossier.pdf", _codes(200, 403, 403, 200, 200, 403)),
    ("/review/assignments/{mine}", _codes(200, 403, 403, 403, 403, 403)),
    ("/review/assignments/{mine}/decline", _codes(200, 403, 403, 403, 403, 403)),
    ("/review/applications/{app}/reviews", _codes(403, 403, 403, 200, 200, 403)),
    ("/review/applications/{app}/discussion", _codes(403, 403, 403, 200, 200, 403)),
    ("/review/progress", _codes(403, 403, 403, 403, 200, 403)),
    ("/review/calls/{call}/progress", _codes(403, 403, 403, 403, 200, 403)),
]


def _actor(world, relation):
    return {"assigned": world.member, "conflicted": world.conflicted,
            "unassigned": world.outsider, "chair": world.chair, "admin": world.hr,
            "applicant": world.applicant}[relation]


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("template,expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_route_access(client, ctx, relation, template, expected):
    world = build_world()
    url = template.format(app=world.application.id, cv=world.cv.id, letter=world.letter.id,
                          mine=world.mine.id, call=world.call.id)
    sign_in(client, _actor(world, relation))
    assert client.get(url).status_code == expected[relation]


@pytest.mark.parametrize("template", [r[0] for r in ROUTES])
def test_anonymous_is_sent_to_sign_in(client, ctx, template):
    world = build_world()
    url = template.format(app=world.application.id, cv=world.cv.id, letter=world.letter.id,
                          mine=world.mine.id, call=world.call.id)
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_applicant_never_reaches_a_letter_even_as_a_board_member(client, ctx):
    world = build_world()
    # The applicant also sits on the board: their own application stays closed to them.
    world.applicant.grant(Role.REVIEWER)
    world.applicant.grant(Role.CHAIR)
    from icm_recruit.extensions import db

    db.session.commit()
    sign_in(client, world.applicant)
    for url in (f"/review/applications/{world.application.id}/letters/{world.letter.id}",
                f"/review/applications/{world.application.id}",
                f"/review/applications/{world.application.id}/reviews",
                f"/review/applications/{world.application.id}/dossier.pdf",
                f"/documents/{world.letter.id}"):
        assert client.get(url).status_code in (403, 404), url


def test_conflicted_member_cannot_open_own_assignment(client, ctx):
    world = build_world()
    sign_in(client, world.conflicted)
    assert client.get(f"/review/assignments/{world.conflicted_assignment.id}").status_code == 403
    page = client.get("/review/").get_data(as_text=True)
    assert world.application.reference not in page


def test_letter_is_downloaded_as_attachment_and_audited(client, ctx):
    from sqlalchemy import select

    from icm_recruit.core.audit import AuditEvent
    from icm_recruit.extensions import db

    world = build_world()
    sign_in(client, world.member)
    response = client.get(
        f"/review/applications/{world.application.id}/letters/{world.letter.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data.startswith(b"%PDF")
    db.session.expire_all()
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "letter.downloaded", AuditEvent.actor_id == world.member.id))


def test_hr_who_applied_cannot_read_reviews_of_own_application(client, ctx):
    world = build_world()
    world.applicant.grant(Role.ADMIN)
    from icm_recruit.extensions import db

    db.session.commit()
    sign_in(client, world.applicant)
    assert client.get(f"/review/applications/{world.application.id}/reviews").status_code == 403
    assert client.get(f"/review/applications/{world.application.id}/letters/"
                      f"{world.letter.id}").status_code == 403


def test_cv_of_another_application_is_not_served_through_this_one(client, ctx):
    world = build_world()
    other_applicant = quick_user("second@example.org", Role.APPLICANT)
    from icm_recruit.applications.models import ApplicationStatus
    from tests.applications.factories import make_application
    from tests.reviews.helpers import add_documents

    second = make_application(world.call, other_applicant,
                              status=ApplicationStatus.UNDER_REVIEW, complete=True)
    cv, _letter = add_documents(second)
    sign_in(client, world.member)
    url = f"/review/applications/{world.application.id}/documents/{cv.id}"
    assert client.get(url).status_code == 404


def test_merged_pdf_holds_dossier_and_letters_and_is_cached(client, ctx, app):
    import io
    from pathlib import Path

    from pypdf import PdfReader

    world = build_world()
    sign_in(client, world.member)
    url = f"/review/applications/{world.application.id}/dossier.pdf"
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["Content-Disposition"].startswith("attachment")
    pages = len(PdfReader(io.BytesIO(first.data)).pages)
    assert pages >= 1 + 1 + 2  # cover, CV, the two-page letter
    cache = Path(app.config["UPLOAD_FOLDER"]) / "board-dossiers"
    built = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert client.get(url).data == first.data
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == built
