"""The assignment end to end: the job, HR's edits, publication, declines and replacements,
the command line, and the query count of HR's page."""

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.assignment.models import Assignment, AssignmentOrigin, AssignmentStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.board.models import Conflict, ConflictSource, ConflictStatus, MemberCallSetting
from icm_recruit.core.jobs import JobKind, JobRun, JobStatus
from icm_recruit.core.timeutil import to_zone, utcnow
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.board.factories import make_member, quick_user, sign_in
from tests.support import csrf_from

pytestmark = pytest.mark.services

TOPICS = [
    ("Sleep and memory consolidation", "sleep, memory, hippocampus"),
    ("Dopamine circuits of motivation", "dopamine, striatum, reward"),
    ("Glial control of synapses", "astrocytes, glia, synapse"),
    ("Parkinson's disease genetics", "parkinson, genetics, neurodegeneration"),
    ("Visual cortex development", "vision, cortex, development"),
]
MEMBERS = [
    ("sleep@board.org", "Sam Sleep", "sleep, memory, hippocampus, consolidation"),
    ("reward@board.org", "Rita Reward", "dopamine, reward, striatum, motivation"),
    ("glia@board.org", "Gil Glia", "astrocytes, glia, synapse, plasticity"),
    ("genes@board.org", "Gene Genetics", "parkinson, genetics, neurodegeneration"),
    ("vision@board.org", "Vera Vision", "vision, cortex, development, memory"),
]


def post(client, page_url: str, url: str, data: dict | None = None, **kwargs):
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def _confirmed(due: str, unscreened: int) -> dict:
    """The publish form as sent from its confirmation step, the box ticked."""
    return {"due_on": due, "unscreened": str(unscreened), "mark_eligible": "y"}


def make_applications(call, count: int, status=ApplicationStatus.UNDER_REVIEW) -> list:
    applications = []
    for i in range(count):
        title, keywords = TOPICS[i % len(TOPICS)]
        applicant = quick_user(f"applicant{i}@lab{i}.org", Role.APPLICANT, name=f"Applicant {i}")
        application = make_application(call, applicant, status=status, complete=True)
        application.title, application.keywords = title, keywords
        application.summary = f"We study {keywords} in mice and humans."
        applications.append(application)
    db.session.commit()
    return applications


@pytest.fixture
def world(ctx):
    call = make_call(reviewers_per_application=2)
    applications = make_applications(call, 5, status=ApplicationStatus.SUBMITTED)
    members = [make_member(email, name, keywords=keywords, max_load=3)
               for email, name, keywords in MEMBERS]
    admin = quick_user("hr@icm.example.org", Role.ADMIN, name="HR person")
    return {"call": call, "applications": applications, "members": members, "admin": admin}


def _run(client, call, fairness: bool = False):
    page = f"/admin/calls/{call.id}/assignment"
    data = {"fairness": "y"} if fairness else {}
    return post(client, page, f"{page}/run", {**data, "confirm": "y"}, follow_redirects=True)


def _assignments(call) -> list[Assignment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Assignment).join(Application).where(
        Application.call_id == call.id, Assignment.status != AssignmentStatus.DECLINED)))


def test_assignment_job_respects_k_conflicts_loads_and_locks(client, world):
    call, applications, members = world["call"], world["applications"], world["members"]
    sleepy, first = members[0], applications[0]
    db.session.add(Conflict(reviewer_id=sleepy.user_id, application_id=first.id,
                            source=ConflictSource.INSTITUTION, status=ConflictStatus.CONFIRMED))
    vision = members[4]
    db.session.add(Assignment(application_id=applications[1].id, reviewer_id=vision.user_id,
                              status=AssignmentStatus.PROPOSED, origin=AssignmentOrigin.MANUAL,
                              locked=True))
    db.session.add(MemberCallSetting(board_member_id=members[3].id, call_id=call.id,
                                     available=True, max_load=1))
    db.session.commit()
    sign_in(client, world["admin"])
    response = _run(client, call)
    assert response.status_code == 200
    db.session.expire_all()
    job = db.session.scalar(select(JobRun).where(JobRun.kind == JobKind.ASSIGNMENT))
    assert job.status == JobStatus.DONE and job.progress == 100 and job.result["optimal"]

    pairs = _assignments(call)
    per_app = Counter(a.application_id for a in pairs)
    assert all(per_app[a.id] == 2 for a in applications)
    assert (first.id, sleepy.user_id) not in {(a.application_id, a.reviewer_id) for a in pairs}
    loads = Counter(a.reviewer_id for a in pairs)
    assert loads[members[3].user_id] <= 1 and max(loads.values()) <= 3
    locked = [a for a in pairs if a.locked]
    assert [(a.application_id, a.reviewer_id) for a in locked] == [
        (applications[1].id, vision.user_id)]
    best = next(a for a in pairs if a.application_id == applications[2].id
                and a.reviewer_id == members[2].user_id)
    assert best.affinity > 0.3 and "glia" in [t for t, _ in best.explanation["shared_terms"]]
    page = response.get_data(as_text=True)
    assert "Gil Glia" in page and "astrocyte" in page

    _run(client, call)
    assert len(_assignments(call)) == 10


def test_shortfall_is_explained_in_terms_hr_can_act_on(client, world):
    call, applications, members = world["call"], world["applications"], world["members"]
    for member in members[1:]:
        db.session.add(Conflict(reviewer_id=member.user_id, application_id=applications[0].id,
                                source=ConflictSource.MANUAL, status=ConflictStatus.CONFIRMED))
    db.session.commit()
    sign_in(client, world["admin"])
    page = _run(client, call).get_data(as_text=True)
    assert f"{applications[0].reference} has only 1 members without conflict; k is 2" in page


def test_hr_edits_are_checked_against_conflicts_and_loads(client, world):
    call, applications, members = world["call"], world["applications"], world["members"]
    db.session.add(Conflict(reviewer_id=members[0].user_id, application_id=applications[0].id,
                            source=ConflictSource.DECLARED, status=ConflictStatus.CONFIRMED))
    db.session.commit()
    sign_in(client, world["admin"])
    page = f"/admin/calls/{call.id}/assignment"
    response = post(client, page, f"{page}/add", {"application_id": applications[0].id,
                                                  "member_id": members[0].user_id},
                    follow_redirects=True)
    assert "conflict of interest" in response.get_data(as_text=True)
    assert _assignments(call) == []

    post(client, page, f"{page}/add", {"application_id": applications[0].id,
                                       "member_id": members[1].user_id})
    added = _assignments(call)
    assert [(a.reviewer_id, a.locked, a.origin) for a in added] == [
        (members[1].user_id, True, AssignmentOrigin.MANUAL)]
    # Swap: members[2] in place of members[1].
    post(client, page, f"{page}/add", {"application_id": applications[0].id,
                                       "member_id": members[2].user_id,
                                       "replacing_id": added[0].id})
    assert [a.reviewer_id for a in _assignments(call)] == [members[2].user_id]
    swapped = _assignments(call)[0]
    post(client, page, f"/admin/assignments/{swapped.id}/unlock")
    assert _assignments(call)[0].locked is False
    post(client, page, f"/admin/assignments/{swapped.id}/remove", {"confirm": "y"})
    assert _assignments(call) == []

    db.session.add(MemberCallSetting(board_member_id=members[3].id, call_id=call.id,
                                     available=True, max_load=0))
    db.session.commit()
    response = post(client, page, f"{page}/add", {"application_id": applications[1].id,
                                                  "member_id": members[3].user_id},
                    follow_redirects=True)
    assert "maximum load" in response.get_data(as_text=True)
    assert _assignments(call) == []


def test_publish_activates_and_sends_one_mail_per_member(client, world, mail):
    call, applications, members = world["call"], world["applications"], world["members"]
    sign_in(client, world["admin"])
    _run(client, call)
    page = f"/admin/calls/{call.id}/assignment"
    due = (to_zone(utcnow()) + timedelta(days=20)).date().isoformat()
    # The five applications were never screened: publishing asks first, and sends nothing.
    refused = post(client, page, f"{page}/publish", {"due_on": due})
    assert refused.status_code == 409 and "5 applications" in refused.get_data(as_text=True)
    assert {a.status for a in _assignments(call)} == {AssignmentStatus.PROPOSED}
    assert mail.messages == []
    response = post(client, page, f"{page}/publish", _confirmed(due, 5))
    assert response.status_code == 302
    pairs = _assignments(call)
    assert {a.status for a in pairs} == {AssignmentStatus.ACTIVE}
    assert all(a.due_at and a.published_at for a in pairs)
    for application in applications:
        assert db.session.get(Application, application.id).status \
            == ApplicationStatus.UNDER_REVIEW
    loads = Counter(a.reviewer_id for a in pairs)
    for member in members:
        user = db.session.get(User, member.user_id)
        received = mail.to(user.email)
        assert len(received) == (1 if loads[user.id] else 0)
        if received:
            text = mail.text_of(received[0])
            mine = [a for a in pairs if a.reviewer_id == user.id]
            assert all(a.application.reference in text for a in mine)
    again = post(client, page, f"{page}/publish", _confirmed(due, 5), follow_redirects=True)
    assert "no proposed assignment" in again.get_data(as_text=True)
    assert len(mail.messages) == len(loads)


def _published(client, world) -> tuple[str, Assignment]:
    """HR runs and publishes the call's assignment; its page and a first assignment."""
    call = world["call"]
    sign_in(client, world["admin"])
    _run(client, call)
    page = f"/admin/calls/{call.id}/assignment"
    due = (to_zone(utcnow()) + timedelta(days=20)).date().isoformat()
    post(client, page, f"{page}/publish", _confirmed(due, 5))
    return page, _assignments(call)[0]


def test_a_member_s_assignments_lead_to_the_dossier_and_the_review(client, world):
    _page, target = _published(client, world)
    sign_in(client, db.session.get(User, target.reviewer_id))
    html = client.get("/board/assignments").get_data(as_text=True)
    assert f'href="/review/applications/{target.application_id}"' in html
    assert f'href="/review/assignments/{target.id}"' in html
    assert "Write the review" in html and "To review" in html and "Late" not in html
    for opened in (f"/review/applications/{target.application_id}",
                   f"/review/assignments/{target.id}"):
        assert client.get(opened).status_code == 200, opened
    target.due_at = utcnow() - timedelta(days=2)  # past its due date, not reviewed
    db.session.commit()
    assert "Late" in client.get("/board/assignments").get_data(as_text=True)


def test_member_declines_and_hr_replaces_in_one_click(client, world, mail):
    call = world["call"]
    page, target = _published(client, world)
    reviewer = db.session.get(User, target.reviewer_id)
    kept = {(a.application_id, a.reviewer_id) for a in _assignments(call)} - {
        (target.application_id, target.reviewer_id)}

    sign_in(client, reviewer)
    assert target.application.reference in client.get("/board/assignments").get_data(True)
    refused = post(client, "/board/assignments", f"/board/assignments/{target.id}/decline",
                   {"reason": ""})
    assert refused.status_code == 302
    assert db.session.get(Assignment, target.id).status == AssignmentStatus.ACTIVE
    post(client, "/board/assignments", f"/board/assignments/{target.id}/decline",
         {"reason": "Travelling all month", "confirm": "y"})
    db.session.expire_all()
    assert db.session.get(Assignment, target.id).status == AssignmentStatus.DECLINED
    assert mail.to(world["admin"].email)  # HR is told, as from the reviews dashboard

    mail.clear()
    sign_in(client, world["admin"])
    post(client, page, f"/admin/assignments/{target.id}/replace", {"confirm": "y"})
    pairs = _assignments(call)
    now = {(a.application_id, a.reviewer_id) for a in pairs}
    assert kept <= now and len(now) == len(kept) + 1
    new = next(a for a in pairs if (a.application_id, a.reviewer_id) not in kept)
    assert new.application_id == target.application_id and new.reviewer_id != reviewer.id
    assert new.status == AssignmentStatus.ACTIVE and new.due_at == target.due_at
    assert Counter(a.reviewer_id for a in pairs)[new.reviewer_id] <= 3
    newcomer = db.session.get(User, new.reviewer_id)
    assert len(mail.to(newcomer.email)) == 1 and len(mail.messages) == 1


def test_other_members_cannot_decline(client, world):
    call = world["call"]
    sign_in(client, world["admin"])
    _run(client, call)
    target = _assignments(call)[0]
    stranger = next(m for m in world["members"] if m.user_id != target.reviewer_id)
    sign_in(client, db.session.get(User, stranger.user_id))
    response = post(client, "/board/assignments", f"/board/assignments/{target.id}/decline",
                    {"reason": "no"})
    assert response.status_code == 403


def test_assign_command_runs_the_same_job(app, world):
    call = world["call"]
    result = app.test_cli_runner().invoke(args=["assign", call.slug])
    assert result.exit_code == 0, result.output
    assert "10 assignments proposed for 5 applications and 5 members (k=2" in result.output
    assert len(_assignments(call)) == 10
    missing = app.test_cli_runner().invoke(args=["assign", "no-such-call"])
    assert missing.exit_code != 0 and "no call" in missing.output


def _count_queries(client, url: str) -> int:
    engine = db.engine
    counter = {"n": 0}

    def count(*_args):
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return counter["n"]


def test_hr_page_costs_the_same_queries_for_5_and_40_applications(client, ctx):
    admin = quick_user("hr@icm.example.org", Role.ADMIN)
    for email, name, keywords in MEMBERS:
        make_member(email, name, keywords=keywords, max_load=30)
    counts = []
    for size, slug in ((5, "small-call"), (40, "large-call")):
        call = make_call(slug, reviewers_per_application=2)
        applications = make_applications(call, size) if size == 5 else [
            *make_applications_offset(call, size)]
        assert len(applications) == size
        sign_in(client, admin)
        _run(client, call)
        assert len(_assignments(call)) == 2 * size
        counts.append(_count_queries(client, f"/admin/calls/{call.id}/assignment"))
    assert counts[0] == counts[1], counts


def make_applications_offset(call, count: int) -> list:
    """Like make_applications, with applicants distinct from the first call's."""
    applications = []
    for i in range(count):
        title, keywords = TOPICS[i % len(TOPICS)]
        applicant = quick_user(f"big{i}@lab{i}.org", Role.APPLICANT, name=f"Big {i}")
        application = make_application(call, applicant, status=ApplicationStatus.UNDER_REVIEW,
                                       complete=True)
        application.title, application.keywords = title, keywords
        applications.append(application)
    db.session.commit()
    return applications


def test_daily_summary_members_get_one_digest_instead_of_the_immediate_mail(client, world,
                                                                            mail):
    from icm_recruit.assignment.tasks import send_daily_digests
    from icm_recruit.board.models import BoardMember, DigestPreference

    call, members = world["call"], world["members"]
    daily = db.session.get(BoardMember, members[0].id)
    daily.digest = DigestPreference.DAILY
    db.session.commit()
    daily_user = db.session.get(User, daily.user_id)
    sign_in(client, world["admin"])
    _run(client, call)
    page = f"/admin/calls/{call.id}/assignment"
    due = (to_zone(utcnow()) + timedelta(days=20)).date().isoformat()
    post(client, page, f"{page}/publish", _confirmed(due, 5))
    mine = [a for a in _assignments(call) if a.reviewer_id == daily_user.id]
    assert mine and mail.to(daily_user.email) == []
    assert send_daily_digests.delay().get() == 1
    assert send_daily_digests.delay().get() == 1
    received = mail.to(daily_user.email)
    assert len(received) == 1
    assert all(a.application.reference in mail.text_of(received[0]) for a in mine)
