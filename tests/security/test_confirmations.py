"""Destructive and mail-sending actions ask first: a POST without confirm=y shows what
will happen and changes nothing; with it the action is taken; undo gives things back."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.assignment.models import Assignment, AssignmentOrigin, AssignmentStatus
from icm_recruit.auth.models import Role
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.jobs import JobRun
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.board.factories import make_member, quick_user, sign_in
from tests.support import csrf_from

pytestmark = pytest.mark.services


def post(client, page_url: str, url: str, data: dict | None = None, **kwargs):
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def audited(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == action))


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


@pytest.fixture
def review_world(ctx):
    call = make_call(reviewers_per_application=1)
    applicant = quick_user("applicant@lab.org", Role.APPLICANT, name="Ada Applicant")
    application = make_application(call, applicant, status=ApplicationStatus.UNDER_REVIEW,
                                   complete=True)
    member = make_member("member@board.org", "Mia Member", keywords="memory")
    spare = make_member("spare@board.org", "Sam Spare", keywords="memory")
    admin = quick_user("hr@icm.example.org", Role.ADMIN, name="HR person")
    assignment = Assignment(application_id=application.id, reviewer_id=member.user_id,
                            status=AssignmentStatus.ACTIVE, origin=AssignmentOrigin.AUTO,
                            published_at=utcnow(), due_at=utcnow() + timedelta(days=20))
    db.session.add(assignment)
    db.session.commit()
    return {"call": call, "application": application, "member": member, "spare": spare,
            "admin": admin, "assignment": assignment}


def test_removing_a_published_assignment_asks_then_can_be_given_back(client, review_world,
                                                                     mail):
    world = review_world
    sign_in(client, world["admin"])
    page = f"/admin/calls/{world['call'].id}/assignment"
    url = f"/admin/assignments/{world['assignment'].id}/remove"
    asked = post(client, page, url)
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert "Mia Member stops reviewing" in text and 'name="confirm" value="y"' in text
    assert fresh(Assignment, world["assignment"].id).status == AssignmentStatus.ACTIVE
    assert audited("assignment.removed") == 0 and mail.messages == []

    assert post(client, page, url, {"confirm": "y"}).status_code == 302
    removed = fresh(Assignment, world["assignment"].id)
    assert removed.status == AssignmentStatus.DECLINED
    assert "Give it back" in client.get(page).get_data(as_text=True)

    assert post(client, page, f"/admin/assignments/{removed.id}/restore").status_code == 302
    back = fresh(Assignment, removed.id)
    assert back.status == AssignmentStatus.ACTIVE and back.decline_reason is None
    assert audited("assignment.restored") == 1 and mail.messages == []


def test_a_replaced_assignment_cannot_be_given_back(client, review_world):
    world = review_world
    sign_in(client, world["admin"])
    page = f"/admin/calls/{world['call'].id}/assignment"
    assignment_id = world["assignment"].id
    post(client, page, f"/admin/assignments/{assignment_id}/remove", {"confirm": "y"})
    asked = post(client, page, f"/admin/assignments/{assignment_id}/replace")
    assert asked.status_code == 200 and "receives an e-mail" in asked.get_data(as_text=True)
    assert audited("assignment.replaced") == 0
    post(client, page, f"/admin/assignments/{assignment_id}/replace", {"confirm": "y"})
    assert audited("assignment.replaced") == 1
    refused = post(client, page, f"/admin/assignments/{assignment_id}/restore",
                   follow_redirects=True)
    assert "already has 1 members" in refused.get_data(as_text=True)
    assert fresh(Assignment, assignment_id).status == AssignmentStatus.DECLINED


def test_computing_again_says_what_is_kept_and_what_is_redone(client, review_world):
    world = review_world
    db.session.add(Assignment(application_id=world["application"].id,
                              reviewer_id=world["spare"].user_id,
                              status=AssignmentStatus.PROPOSED, origin=AssignmentOrigin.AUTO))
    db.session.commit()
    sign_in(client, world["admin"])
    page = f"/admin/calls/{world['call'].id}/assignment"
    asked = post(client, page, f"{page}/run", {"fairness": "y"})
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert "1 unlocked automatic proposal is computed again" in text
    assert 'name="fairness" value="y"' in text
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 0
    assert post(client, page, f"{page}/run", {"confirm": "y"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 1


def test_declining_an_assignment_asks_first(client, review_world, mail):
    world = review_world
    member = world["member"]
    sign_in(client, member.user)
    url = f"/board/assignments/{world['assignment'].id}/decline"
    asked = post(client, "/board/assignments", url, {"reason": "Travelling"})
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert "HR is told by e-mail" in text and 'value="Travelling"' in text
    assert fresh(Assignment, world["assignment"].id).status == AssignmentStatus.ACTIVE
    assert mail.messages == []
    post(client, "/board/assignments", url, {"reason": "Travelling", "confirm": "y"})
    assert fresh(Assignment, world["assignment"].id).status == AssignmentStatus.DECLINED
    assert mail.to(world["admin"].email)


def test_a_withdrawn_slot_is_offered_again_and_its_interview_rebooked(client, mail, ctx):
    from icm_recruit.selection.interviews import book, withdraw_slot
    from icm_recruit.selection.models import Interview, InterviewSlot, InterviewStatus
    from tests.selection.factories import make_slot, reviewed_application, selection_call

    call = selection_call()
    hr = quick_user("hr@icm.example.org", Role.ADMIN)
    panelist = quick_user("panel@board.org", Role.REVIEWER)
    application = reviewed_application(call, "booked@lab.org",
                                       status=ApplicationStatus.SHORTLISTED)
    slot = make_slot(call, [panelist])
    book(application, slot.id, by=hr)
    withdraw_slot(slot, by=hr)
    db.session.commit()
    mail.clear()
    sign_in(client, hr)
    page = f"/selection/calls/{call.id}/interviews"
    assert "Offer again" in client.get(page).get_data(as_text=True)

    asked = post(client, page, f"/selection/slots/{slot.id}/restore")
    assert asked.status_code == 200
    assert application.reference in asked.get_data(as_text=True)
    assert fresh(InterviewSlot, slot.id).withdrawn_at is not None and mail.messages == []

    post(client, page, f"/selection/slots/{slot.id}/restore", {"confirm": "y"})
    assert fresh(InterviewSlot, slot.id).withdrawn_at is None
    interview = db.session.scalar(select(Interview).where(
        Interview.application_id == application.id))
    assert interview.status is InterviewStatus.BOOKED and interview.slot_id == slot.id
    for person in ("booked@lab.org", "panel@board.org"):
        sent = mail.to(person)
        assert len(sent) == 1 and "text/calendar" in sent[0].as_string()
    assert audited("interview_slot.restored") == 1


def test_a_past_slot_is_not_offered_again(client, ctx):
    from icm_recruit.selection.models import InterviewSlot
    from tests.selection.factories import make_slot, selection_call

    call = selection_call()
    hr = quick_user("hr@icm.example.org", Role.ADMIN)
    slot = make_slot(call, [quick_user("panel@board.org", Role.REVIEWER)], days=-1)
    slot.withdrawn_at = utcnow() - timedelta(days=2)
    db.session.commit()
    sign_in(client, hr)
    page = f"/selection/calls/{call.id}/interviews"
    post(client, page, f"/selection/slots/{slot.id}/restore", {"confirm": "y"})
    assert fresh(InterviewSlot, slot.id).withdrawn_at is not None


def test_removing_a_referee_asks_and_the_referee_can_be_asked_again(client, mail, ctx):
    from icm_recruit.applications.models import RefereeRequest, RefereeStatus
    from icm_recruit.applications.referees import add_referee

    call = make_call()
    applicant = quick_user("applicant@lab.org", Role.APPLICANT, name="Ada Applicant")
    application = make_application(call, applicant, complete=True)
    referee = add_referee(application, name="Prof. Reed", email="reed@uni.org",
                          institution="EMBL", locale="en", by=applicant)
    db.session.commit()
    mail.clear()
    sign_in(client, applicant)
    page = f"/applications/{application.id}"
    url = f"/applications/{application.id}/referees/{referee.id}/cancel"
    asked = post(client, page, url)
    assert asked.status_code == 200 and "stops working" in asked.get_data(as_text=True)
    assert fresh(RefereeRequest, referee.id).status == RefereeStatus.REQUESTED

    post(client, page, url, {"confirm": "y"})
    assert fresh(RefereeRequest, referee.id).status == RefereeStatus.CANCELLED
    assert mail.messages == [] and "Ask again" in client.get(page).get_data(as_text=True)

    again = f"/applications/{application.id}/referees/{referee.id}/again"
    asked = post(client, page, again)
    assert asked.status_code == 200 and "reed@uni.org" in asked.get_data(as_text=True)
    assert mail.messages == []
    post(client, page, again, {"confirm": "y"})
    requests = db.session.scalars(select(RefereeRequest).where(
        RefereeRequest.application_id == application.id)).all()
    assert sorted(r.status.value for r in requests) == ["cancelled", "requested"]
    assert len(mail.to("reed@uni.org")) == 1
    assert "Ask again" not in client.get(page).get_data(as_text=True)


def test_deactivating_a_member_says_what_happens_to_their_assignments(client, review_world):
    from icm_recruit.board.models import BoardMember

    world = review_world
    sign_in(client, world["admin"])
    member_id = world["member"].id
    url = f"/admin/board/members/{member_id}/deactivate"
    asked = post(client, "/admin/board", url)
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert "1 published assignment stays with them" in text
    assert fresh(BoardMember, member_id).active is True
    post(client, "/admin/board", url, {"confirm": "y"})
    assert fresh(BoardMember, member_id).active is False


def test_taking_a_role_away_asks_first(client, review_world):
    from icm_recruit.auth.models import User

    world = review_world
    sign_in(client, world["admin"])
    user_id = world["member"].user_id
    url = f"/admin/users/{user_id}/roles"
    asked = post(client, url, url, {"roles": ["applicant"]})
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert "nor the 1 application assigned to them" in text
    assert 'name="roles" value="applicant"' in text
    assert Role.REVIEWER in fresh(User, user_id).roles and audited("user.role_revoked") == 0
    post(client, url, url, {"roles": ["applicant"], "confirm": "y"})
    assert fresh(User, user_id).roles == {Role.APPLICANT}
    # Granting a role takes nothing away: no step in between.
    assert post(client, url, url, {"roles": ["applicant", "chair"]}).status_code == 302


def test_erasing_ones_data_needs_the_password_and_the_box(client, review_world):
    from icm_recruit.auth.models import User

    world = review_world
    applicant = world["application"].applicant
    sign_in(client, applicant)
    refused = post(client, "/account/my-data", "/account/erase", {"password": "x"})
    assert refused.status_code == 400 and fresh(User, applicant.id).active


def test_dossier_cover_follows_the_readers_language(ctx):
    import io

    from pypdf import PdfReader

    from icm_recruit.applications.dossier import build_pdf
    from icm_recruit.reviews.dossier import content_hash

    call = make_call()
    applicant = quick_user("applicant@lab.org", Role.APPLICANT, name="Ada Applicant")
    application = make_application(call, applicant, status=ApplicationStatus.UNDER_REVIEW,
                                   complete=True)
    application.country = "DE"

    def cover(locale: str) -> str:
        return PdfReader(io.BytesIO(build_pdf(application, locale))).pages[0].extract_text()

    french, english = cover("fr"), cover("en")
    assert "Pays" in french and "Allemagne" in french and "Chefs d" in french
    assert "Country: Germany" in english and "Allemagne" not in english
    assert content_hash(application, "fr") != content_hash(application, "en")


def test_hr_downloads_the_dossier_with_a_cover_in_their_language(client, ctx):
    import io

    from pypdf import PdfReader

    from icm_recruit.applications.dossier import build_and_store_dossier

    hr = quick_user("hr@example.org", Role.ADMIN)
    application = make_application(make_call(), quick_user("ada@lab.org", Role.APPLICANT),
                                   status=ApplicationStatus.SUBMITTED, complete=True,
                                   country="DE")
    build_and_store_dossier(application.id)
    db.session.commit()
    sign_in(client, hr)
    url = f"/admin/applications/{application.id}/dossier.pdf"
    english = PdfReader(io.BytesIO(client.get(url).data)).pages[0].extract_text()
    assert "Country: Germany" in english
    hr.locale = "fr"
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 200 and response.headers["Cache-Control"].startswith("private")
    french = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Allemagne" in french and "Country" not in french
