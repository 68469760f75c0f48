"""The board through the web: invitations, profiles, detection runs, declarations, bids
and HR's decisions on conflicts."""

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.board.models import (
    Bid,
    BidLevel,
    BoardMember,
    Conflict,
    ConflictDeclaration,
    ConflictSource,
    ConflictStatus,
)
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.jobs import JobKind, JobRun, JobStatus
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.board.factories import make_member, quick_user, sign_in
from tests.support import csrf_from

pytestmark = pytest.mark.services


def post(client, page_url: str, url: str, data: dict | None = None, **kwargs):
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


@pytest.fixture
def world(ctx):
    call = make_call()
    applicant = quick_user("ada@pasteur.fr", Role.APPLICANT, name="Ada Lovelace")
    application = make_application(call, applicant, status=ApplicationStatus.SUBMITTED,
                                   complete=True)
    member = make_member("jean@pasteur.fr", "Jean Dupuis", affiliation="Institut Pasteur",
                         keywords="memory, synapse")
    admin = quick_user("hr@icm.example.org", Role.ADMIN, name="HR person")
    return {"call": call, "application": application, "member": member, "admin": admin}


def _audited(action: str) -> int:
    return len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_detection_run_creates_suggestions_and_a_dismissed_one_stays_dismissed(client, world):
    call, application, member = world["call"], world["application"], world["member"]
    sign_in(client, world["admin"])
    page = f"/admin/calls/{call.id}/conflicts"
    response = post(client, page, f"{page}/detect", follow_redirects=True)
    assert response.status_code == 200
    db.session.expire_all()
    job = db.session.scalar(select(JobRun).where(JobRun.kind == JobKind.CONFLICTS))
    assert job.status == JobStatus.DONE and job.progress == 100
    found = db.session.scalars(select(Conflict).where(
        Conflict.reviewer_id == member.user_id, Conflict.application_id == application.id)).all()
    sources = {c.source for c in found}
    assert {ConflictSource.INSTITUTION, ConflictSource.EMAIL_DOMAIN} <= sources
    assert all(c.status == ConflictStatus.SUGGESTED for c in found)
    body = response.get_data(as_text=True)
    assert "Same institution" in body and "Jean Dupuis" in body

    institution = next(c for c in found if c.source == ConflictSource.INSTITUTION)
    response = post(client, page, f"/admin/conflicts/{institution.id}/dismiss",
                    {"reason": "Different department, no contact"})
    assert response.status_code == 302
    post(client, page, f"{page}/detect")
    db.session.expire_all()
    again = db.session.scalars(select(Conflict).where(
        Conflict.reviewer_id == member.user_id,
        Conflict.source == ConflictSource.INSTITUTION)).all()
    assert len(again) == 1 and again[0].status == ConflictStatus.DISMISSED
    assert again[0].decision_reason == "Different department, no contact"
    assert _audited("conflict.dismissed") == 1 and _audited("conflicts.detected") == 2


def test_hr_confirms_with_a_reason_and_adds_a_manual_conflict(client, world):
    call, application = world["call"], world["application"]
    other = make_member("kenji@riken.jp", "Kenji Tanaka")
    sign_in(client, world["admin"])
    page = f"/admin/calls/{call.id}/conflicts"
    post(client, page, f"{page}/detect")
    db.session.expire_all()
    suggestion = db.session.scalars(select(Conflict)).first()
    refused = post(client, page, f"/admin/conflicts/{suggestion.id}/confirm", {"reason": ""})
    assert refused.status_code == 302
    db.session.expire_all()
    assert db.session.get(Conflict, suggestion.id).status == ConflictStatus.SUGGESTED
    post(client, page, f"/admin/conflicts/{suggestion.id}/confirm", {"reason": "Same lab"})
    response = post(client, page, f"{page}/manual", {
        "member": other.user_id, "application": application.id, "reason": "Former student"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Conflict, suggestion.id).status == ConflictStatus.CONFIRMED
    manual = db.session.scalar(select(Conflict).where(Conflict.source == ConflictSource.MANUAL))
    assert manual.reviewer_id == other.user_id and manual.status == ConflictStatus.CONFIRMED
    assert _audited("conflict.confirmed") == 1 and _audited("conflict.added") == 1
    assert "Former student" in client.get(page).get_data(as_text=True)


def test_member_sees_who_applied_and_declares_and_bids(client, world):
    call, application = world["call"], world["application"]
    member = make_member("maria@unimi.it", "Maria Rossi")
    user = db.session.get(User, member.user_id)
    sign_in(client, user)
    page = f"/board/calls/{call.id}"
    body = client.get(page).get_data(as_text=True)
    assert application.title in body
    assert "Ada Lovelace" in body and "Institut Pasteur" in body

    post(client, page, f"/board/applications/{application.id}/declaration",
         {"answer": "conflict", "reason": "She was my postdoc"})
    post(client, page, f"/board/applications/{application.id}/bid", {"level": "eager"})
    db.session.expire_all()
    declared = db.session.scalar(select(Conflict).where(Conflict.reviewer_id == user.id))
    assert declared.source == ConflictSource.DECLARED
    assert declared.status == ConflictStatus.CONFIRMED and declared.reason == "She was my postdoc"
    assert db.session.scalar(select(Bid).where(Bid.reviewer_id == user.id)).level \
        == BidLevel.EAGER

    post(client, page, f"/board/applications/{application.id}/declaration", {"answer": "none"})
    db.session.expire_all()
    assert db.session.get(Conflict, declared.id).status == ConflictStatus.DISMISSED
    declaration = db.session.scalar(select(ConflictDeclaration).where(
        ConflictDeclaration.reviewer_id == user.id))
    assert declaration.has_conflict is False
    assert _audited("conflict.declared") == 2 and _audited("bid.set") == 1


def test_member_cannot_declare_on_a_draft_or_their_own_application(client, world):
    call = world["call"]
    member = make_member("own@example.org", "Own Applicant", roles=(Role.REVIEWER,
                                                                     Role.APPLICANT))
    user = db.session.get(User, member.user_id)
    own = make_application(call, user, status=ApplicationStatus.SUBMITTED, complete=True)
    own.title = "My own project on glia"
    db.session.commit()
    draft = make_application(call, quick_user("draft@example.org", Role.APPLICANT))
    sign_in(client, user)
    page = f"/board/calls/{call.id}"
    assert "My own project on glia" not in client.get(page).get_data(as_text=True)
    for target in (own, draft):
        response = post(client, page, f"/board/applications/{target.id}/declaration",
                        {"answer": "none"})
        assert response.status_code == 403
        assert post(client, page, f"/board/applications/{target.id}/bid",
                    {"level": "eager"}).status_code == 403


def test_applicants_and_hr_cannot_use_member_pages(client, world):
    sign_in(client, db.session.get(User, world["application"].applicant_id))
    assert client.get("/board").status_code == 403
    assert client.get("/admin/board").status_code == 403
    sign_in(client, world["admin"])
    assert client.get(f"/board/calls/{world['call'].id}").status_code == 403


def test_hr_invites_a_member_who_gets_a_link(client, world, mail):
    sign_in(client, world["admin"])
    response = post(client, "/admin/board", "/admin/board/invite", {
        "name": "Helen Brooks", "email": "Helen@UCL.ac.uk", "locale": "en"})
    assert response.status_code == 302
    db.session.expire_all()
    user = User.by_email("helen@ucl.ac.uk")
    assert user.has_role(Role.REVIEWER)
    assert db.session.scalar(select(BoardMember).where(BoardMember.user_id == user.id))
    assert len(mail.to("helen@ucl.ac.uk")) == 1
    assert "Helen Brooks" in client.get("/admin/board").get_data(as_text=True)


def test_member_edits_profile_and_availability(client, world):
    member = world["member"]
    sign_in(client, db.session.get(User, member.user_id))
    response = post(client, "/board/profile", "/board/profile", {
        "affiliation": "ICM Paris", "past_affiliations": "Univ. of Oxford, 2021\nEMBL",
        "country": "FR", "expertise_keywords": "memory, sleep",
        "expertise_statement": "Sleep and memory consolidation.",
        "coauthors": "John Smith\nA. Müller", "default_max_load": "6", "digest": "daily"})
    assert response.status_code == 302
    page = f"/board/calls/{world['call'].id}"
    post(client, page, f"{page}/availability", {"max_load": "4"})
    db.session.expire_all()
    member = db.session.get(BoardMember, member.id)
    assert member.past_affiliations == [{"name": "Univ. of Oxford", "end_year": 2021},
                                        {"name": "EMBL", "end_year": None}]
    assert member.default_max_load == 6 and member.digest.value == "daily"
    setting = member.call_settings[0]
    assert setting.available is False and setting.max_load == 4
    bad = post(client, "/board/profile", "/board/profile", {"default_max_load": "-1",
                                                            "digest": "daily"})
    assert bad.status_code == 422


def test_hr_deactivates_a_member_and_history_stays(client, world):
    member = world["member"]
    sign_in(client, world["admin"])
    response = post(client, "/admin/board", f"/admin/board/members/{member.id}/deactivate",
                    {"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    member = db.session.get(BoardMember, member.id)
    assert member.active is False and member.deactivated_at is not None
    assert _audited("board.member_deactivated") == 1
    assert "deactivated" in client.get("/admin/board").get_data(as_text=True)


def test_configured_shared_mail_domains_are_not_conflicts(client, world, app):
    call, member = world["call"], world["member"]
    app.config["CONFLICT_IGNORED_MAIL_DOMAINS"] = ["pasteur.fr"]
    try:
        sign_in(client, world["admin"])
        page = f"/admin/calls/{call.id}/conflicts"
        post(client, page, f"{page}/detect")
    finally:
        app.config.pop("CONFLICT_IGNORED_MAIL_DOMAINS")
    db.session.expire_all()
    sources = {c.source for c in db.session.scalars(select(Conflict).where(
        Conflict.reviewer_id == member.user_id))}
    assert sources == {ConflictSource.INSTITUTION}


def test_a_declaration_without_an_answer_is_refused_politely(client, world):
    call, application = world["call"], world["application"]
    member = make_member("blank@example.org", "Blank Answer")
    sign_in(client, db.session.get(User, member.user_id))
    page = f"/board/calls/{call.id}"
    assert "Not answered yet" in client.get(page).get_data(as_text=True)
    response = post(client, page, f"/board/applications/{application.id}/declaration",
                    {"answer": ""}, follow_redirects=True)
    assert "Choose conflict of interest or no conflict." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(ConflictDeclaration)).all() == []
