"""Home pages that work: HR sees per call the counts, the deadline, the late reviews and
what waits for them; a board member sees what to do next; an applicant sees the next
step of each application. Through HTTP, in English and French, at a fixed query count."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from icm_recruit.applications.models import ApplicationStatus, RefereeRequest, RefereeStatus
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import Role
from icm_recruit.board.models import Conflict, ConflictDeclaration, ConflictSource
from icm_recruit.calls.models import CallStatus
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.selection.models import (
    Decision,
    Interview,
    InterviewStatus,
    Outcome,
    ShortlistMark,
    ShortlistOutcome,
)
from tests.applications.factories import make_application, make_call
from tests.reviews.helpers import assign, sign_in
from tests.selection.factories import make_slot, quick_user


def _call(slug: str, status=CallStatus.IN_REVIEW, closes_in_days: int = -10):
    call = make_call(slug, status=status, opens_in_days=-60, closes_in_days=closes_in_days)
    call.title_fr = f"Appel {slug}"
    db.session.commit()
    return call


def _applicant(call, tag: str, status, **fields):
    user = quick_user(f"{tag}@example.org", Role.APPLICANT, name=f"Applicant {tag}")
    return make_application(call, user, status=status, complete=True, **fields)


def _fill(call, hr, member, n: int) -> None:
    """n of each thing that waits for HR on the call."""
    slug = call.slug
    for i in range(n):
        _applicant(call, f"{slug}-sub{i}", ApplicationStatus.SUBMITTED)
        reviewed = _applicant(call, f"{slug}-rev{i}", ApplicationStatus.UNDER_REVIEW)
        db.session.add(Conflict(reviewer_id=member.id, application_id=reviewed.id,
                                source=ConflictSource.INSTITUTION, reason="same lab"))
        db.session.add(Assignment(application_id=reviewed.id, reviewer_id=hr.id,
                                  status=AssignmentStatus.DECLINED, decline_reason="away"))
        other = _applicant(call, f"{slug}-prop{i}", ApplicationStatus.UNDER_REVIEW)
        db.session.add(Assignment(application_id=other.id, reviewer_id=member.id,
                                  status=AssignmentStatus.PROPOSED))
        late = _applicant(call, f"{slug}-late{i}", ApplicationStatus.UNDER_REVIEW)
        assign(late, member, due_in_days=-2 - i)
        marked = _applicant(call, f"{slug}-mark{i}", ApplicationStatus.UNDER_REVIEW)
        db.session.add(ShortlistMark(application_id=marked.id,
                                     outcome=ShortlistOutcome.SHORTLISTED, reason="",
                                     marked_by_id=hr.id))
        _applicant(call, f"{slug}-short{i}", ApplicationStatus.SHORTLISTED)
        decided = _applicant(call, f"{slug}-dec{i}", ApplicationStatus.INTERVIEW)
        db.session.add(Decision(application_id=decided.id, outcome=Outcome.REJECT,
                                decided_by_id=hr.id))
        offered = _applicant(call, f"{slug}-offer{i}", ApplicationStatus.OFFERED)
        db.session.add(Decision(application_id=offered.id, outcome=Outcome.OFFER,
                                decided_by_id=hr.id, sent_at=utcnow()))
    db.session.commit()


@pytest.fixture
def world(ctx):
    hr = quick_user("hr.home@example.org", Role.ADMIN, Role.APPLICANT, name="Claire Martin")
    hr.timezone = "America/New_York"
    member = quick_user("member.home@example.org", Role.REVIEWER, name="Jean Dupuis")
    call = _call("home-2027")
    _fill(call, hr, member, 1)
    # HR applied to the same call: nothing of her file shows in her HR view.
    own = make_application(call, hr, status=ApplicationStatus.UNDER_REVIEW, complete=True)
    assign(own, member, due_in_days=-5)
    db.session.add(Conflict(reviewer_id=member.id, application_id=own.id,
                            source=ConflictSource.COAUTHOR, reason="co-author"))
    db.session.commit()
    return {"hr": hr, "member": member, "call": call, "own": own}


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    end = page.find("</section>", start)
    return page[start:end]


def test_hr_sees_each_call_with_counts_deadline_late_reviews_and_work(client, world):
    sign_in(client, world["hr"])
    page = client.get("/").get_data(as_text=True)
    hr = _section(page, "hr-calls")
    call = world["call"]
    assert "Team leaders 2027" in hr
    deadline = call.closes_at.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert deadline.strftime("%d/%m/%Y %H:%M") in hr  # the reader's zone
    # Counts by status leave her own application out (it would make 5 under review).
    assert "8 applications" in hr
    assert f'/admin/calls/{call.id}/applications?status=under_review">Under review</a>' \
           f'&nbsp;<span class="badge text-bg-light border">4</span>' in hr
    assert "1 late review" in hr and "2 late reviews" not in hr
    for text, url in [
        ("1 application to screen for eligibility",
         f"/admin/calls/{call.id}/applications?status=submitted"),
        ("1 suggested conflict of interest to confirm or dismiss",
         f"/admin/calls/{call.id}/conflicts?status=suggested"),
        ("1 proposed assignment to publish to the board", f"/admin/calls/{call.id}/assignment"),
        ("1 late review: remind the member", f"/review/calls/{call.id}/progress"),
        ("1 declined review to give to another member", f"/review/calls/{call.id}/progress"),
        ("1 shortlist outcome to send", f"/selection/calls/{call.id}/outcomes"),
        ("1 shortlisted applicant to invite to an interview",
         f"/selection/calls/{call.id}/interviews"),
        ("1 decision letter to send", f"/selection/calls/{call.id}/decisions"),
        ("1 offer waits for the applicant’s answer", f"/selection/calls/{call.id}/decisions"),
    ]:
        assert text in hr, text
        assert f'href="{url}"' in hr, url
    assert world["own"].reference not in hr
    # As an applicant she sees her own file, as any applicant does.
    mine = _section(page, "my-applications")
    assert world["own"].reference in mine and "Under review by the" in mine


def test_hr_home_in_french_and_a_call_with_nothing_waiting(client, world):
    world["hr"].locale = "fr"
    _call("calm-2027", status=CallStatus.DECIDED)
    db.session.commit()
    sign_in(client, world["hr"])
    hr = _section(client.get("/").get_data(as_text=True), "hr-calls")
    assert "Appel home-2027" in hr and "Appel calm-2027" in hr
    assert "1 candidature dont vérifier l’éligibilité" in hr
    assert "8 candidatures" in hr and "1 évaluation en retard" in hr
    assert "Date limite\u00a0:" in hr
    assert "Rien n’attend votre action sur cet appel." in hr


def test_a_member_sees_late_reviews_first_then_declarations_and_interviews(client, world):
    member, call = world["member"], world["call"]
    on_time = _applicant(call, "ontime", ApplicationStatus.UNDER_REVIEW)
    soon = assign(on_time, member, due_in_days=3)
    interviewed = _applicant(call, "interviewed", ApplicationStatus.INTERVIEW)
    slot = make_slot(call, [member], days=-1)
    interview = Interview(application_id=interviewed.id, slot_id=slot.id,
                          status=InterviewStatus.BOOKED, booked_at=utcnow())
    db.session.add(interview)
    db.session.commit()
    sign_in(client, member)
    todo = _section(client.get("/").get_data(as_text=True), "board-todo")
    late = next(a for a in db.session.scalars(db.select(Assignment).where(
        Assignment.reviewer_id == member.id, Assignment.status == AssignmentStatus.ACTIVE))
        if a.due_at < utcnow())
    # The late review comes first and says so; the member's conflicted own-HR file never.
    assert todo.index(f"/review/assignments/{late.id}") < todo.index("whether you have")
    assert todo.index("whether you have") < todo.index(f"/review/assignments/{soon.id}")
    assert "Late" in todo and "was due" in todo and "due " in todo
    assert world["own"].reference not in todo
    assert f'href="/board/calls/{call.id}"' in todo
    assert f'href="/panel/interviews/{interview.id}"' in todo
    # The reference stays on one line on a phone.
    assert f'Score the interview of <span class="text-nowrap">{interviewed.reference}</span>' \
        in todo


def test_hr_and_the_chair_are_asked_to_mark_the_shortlist_of_a_call_in_selection(client,
                                                                                 world):
    chair = quick_user("chair.home@example.org", Role.CHAIR, name="Helen Brooks")
    call = _call("shortlist-2027", status=CallStatus.SELECTION)
    for i in range(2):
        _applicant(call, f"unmarked{i}", ApplicationStatus.UNDER_REVIEW)
    kept_away = _applicant(call, "kept-away", ApplicationStatus.UNDER_REVIEW)
    db.session.add(Conflict(reviewer_id=chair.id, application_id=kept_away.id,
                            source=ConflictSource.MANUAL, reason="former student"))
    marked = _applicant(call, "marked", ApplicationStatus.UNDER_REVIEW)
    db.session.add(ShortlistMark(application_id=marked.id, outcome=ShortlistOutcome.REJECTED,
                                 reason="", marked_by_id=world["hr"].id))
    db.session.commit()
    sign_in(client, world["hr"])
    hr = _section(client.get("/").get_data(as_text=True), "hr-calls")
    assert "3 reviewed applications to mark on the shortlist" in hr
    assert f'href="/selection/calls/{call.id}/shortlist"' in hr
    sign_in(client, chair)
    todo = _section(client.get("/").get_data(as_text=True), "board-todo")
    # The chair counts only what they may open: not the application they are kept from.
    assert "Team leaders 2027: mark 2 reviewed applications on the shortlist" in todo
    assert f'href="/selection/calls/{call.id}/shortlist"' in todo
    chair.locale = "fr"
    db.session.commit()
    todo = _section(client.get("/").get_data(as_text=True), "board-todo")
    assert "marquez 2 candidatures évaluées sur la présélection" in todo


def test_a_member_with_nothing_to_do_is_told_so_in_both_languages(client, ctx):
    calm = quick_user("calm.member@example.org", Role.REVIEWER)
    call = _call("answered-2027")
    application = _applicant(call, "answered", ApplicationStatus.UNDER_REVIEW)
    db.session.add(ConflictDeclaration(reviewer_id=calm.id, application_id=application.id,
                                       has_conflict=False))
    db.session.commit()
    sign_in(client, calm)
    assert "Nothing to do at the moment." in client.get("/").get_data(as_text=True)
    calm.locale = "fr"
    db.session.commit()
    assert "Rien à faire pour le moment." in client.get("/").get_data(as_text=True)


def test_an_applicant_sees_the_next_step_of_each_application(client, ctx):
    amina = quick_user("amina.home@example.org", Role.APPLICANT, name="Amina Diallo")
    calls = {name: _call(f"{name}-2027", status=status, closes_in_days=days)
             for name, status, days in [("draft", CallStatus.OPEN, 20),
                                        ("letters", CallStatus.OPEN, 20),
                                        ("book", CallStatus.SELECTION, -20),
                                        ("offer", CallStatus.SELECTION, -20),
                                        ("ineligible", CallStatus.IN_REVIEW, -20)]}
    draft = make_application(calls["draft"], amina)
    letters = make_application(calls["letters"], amina, status=ApplicationStatus.SUBMITTED,
                               complete=True)
    db.session.add(RefereeRequest(application_id=letters.id, name="Prof. R", email="r@x.org",
                                  expires_at=utcnow() + timedelta(days=9),
                                  status=RefereeStatus.REQUESTED))
    book = make_application(calls["book"], amina, status=ApplicationStatus.SHORTLISTED,
                            complete=True)
    db.session.add(Interview(application_id=book.id, status=InterviewStatus.INVITED))
    offer = make_application(calls["offer"], amina, status=ApplicationStatus.OFFERED,
                             complete=True)
    db.session.add(Decision(application_id=offer.id, outcome=Outcome.OFFER, sent_at=utcnow()))
    ineligible = make_application(calls["ineligible"], amina,
                                  status=ApplicationStatus.INELIGIBLE, complete=True,
                                  screening_reason="The PhD is too recent.")
    db.session.commit()
    sign_in(client, amina)
    mine = _section(client.get("/").get_data(as_text=True), "my-applications")
    assert "Complete" in mine and "items and submit by the deadline." in mine
    assert f'href="/applications/{draft.id}"' in mine and "Deadline:" in mine
    assert "1 reference letter is still missing" in mine
    assert f'href="/applications/{letters.id}#referees"' in mine
    assert "Book your interview" in mine and f'href="/applications/{book.id}/interview"' in mine
    assert "You have an offer" in mine and f'href="/applications/{offer.id}/decision"' in mine
    assert "Found not eligible: The PhD is too recent." in mine
    assert f'href="/applications/{ineligible.id}/status"' in mine
    amina.locale = "fr"
    db.session.commit()
    french = _section(client.get("/").get_data(as_text=True), "my-applications")
    assert "Réservez votre entretien" in french and "Vous avez reçu une offre" in french
    assert "Il manque encore 1 lettre de recommandation" in french


def test_an_applicant_without_application_is_shown_the_open_calls(client, ctx):
    sign_in(client, quick_user("new.home@example.org", Role.APPLICANT))
    page = _section(client.get("/").get_data(as_text=True), "my-applications")
    assert "You have no application yet" in page and 'href="/calls"' in page


class _Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1


def _queries(client) -> int:
    # As a fresh request would: nothing the test created stays loaded in the session.
    db.session.expire_all()
    counter = _Counter()
    event.listen(Engine, "before_cursor_execute", counter)
    try:
        assert client.get("/").status_code == 200
    finally:
        event.remove(Engine, "before_cursor_execute", counter)
    return counter.count


def test_home_pages_cost_the_same_queries_for_one_call_and_many(client, world):
    amina = quick_user("amina.count@example.org", Role.APPLICANT)
    make_application(world["call"], amina, status=ApplicationStatus.UNDER_REVIEW)
    chair = quick_user("chair.count@example.org", Role.CHAIR)
    people = {"hr": world["hr"], "member": world["member"], "applicant": amina,
              "chair": chair}
    before = {}
    for who, user in people.items():
        sign_in(client, user)
        before[who] = _queries(client)
    for n in range(3):
        call = _call(f"more-{n}", closes_in_days=-5 - n,
                     status=CallStatus.SELECTION if n else CallStatus.IN_REVIEW)
        _fill(call, world["hr"], world["member"], 3)
        make_application(call, amina, status=ApplicationStatus.SHORTLISTED)
    after = {}
    for who, user in people.items():
        sign_in(client, user)
        after[who] = _queries(client)
    print(f"home page queries, 1 call: {before}; 4 calls, 10x the rows: {after}")
    assert after == before
    assert max(after.values()) <= 24, after


def test_in_selection_a_member_is_asked_to_declare_only_for_those_still_in_the_running(
        client, ctx):
    member = quick_user("member.sel@example.org", Role.REVIEWER, name="Ana Selva")
    call = _call("sel-2027", status=CallStatus.SELECTION)
    for index in range(3):
        _applicant(call, f"sel-reviewed{index}", ApplicationStatus.UNDER_REVIEW)
    shortlisted = _applicant(call, "sel-short", ApplicationStatus.SHORTLISTED)
    interviewed = _applicant(call, "sel-interview", ApplicationStatus.INTERVIEW)
    slot = make_slot(call, [member], days=3)
    db.session.add(Interview(application_id=interviewed.id, slot_id=slot.id,
                             status=InterviewStatus.BOOKED, booked_at=utcnow()))
    db.session.commit()
    sign_in(client, member)
    todo = _section(client.get("/").get_data(as_text=True), "board-todo")
    # Reviews are written: the two the panel will discuss, not the three others.
    assert "say for 2 applications whether you have a conflict" in todo
    # The page the to-do opens lists those two, and asks for no wish or availability.
    page = client.get(f"/board/calls/{call.id}").get_data(as_text=True)
    listed = {int(found) for found in re.findall(r'<tr id="app-(\d+)"', page)}
    assert listed == {shortlisted.id, interviewed.id}
    assert "Wish to review" not in page and "My availability" not in page
    assert "will still discuss" in page
    db.session.add(ConflictDeclaration(reviewer_id=member.id, application_id=shortlisted.id,
                                       has_conflict=False))
    db.session.commit()
    todo = _section(client.get("/").get_data(as_text=True), "board-todo")
    assert "say for 1 application whether you have a conflict" in todo
    # An interview is not due: it takes place on its date.
    unbroken = f'<span class="text-nowrap">{interviewed.reference}</span>'
    assert f"Panel interview of {unbroken}" in todo
    line = todo[todo.index(f"Panel interview of {unbroken}"):]
    line = line[:line.index("</li>")]
    assert re.search(r'text-nowrap">on \d\d/\d\d/\d{4} \d\d:\d\d', line), line
    assert "due " not in line


def test_references_in_a_to_do_stay_on_one_line_and_the_rest_is_escaped(app):
    keep = app.jinja_env.filters["unbroken_references"]
    assert str(keep("Score <b>ICM-2027-0042</b> & ICM-2027-12345, not XICM-2027-0001")) == (
        'Score &lt;b&gt;<span class="text-nowrap">ICM-2027-0042</span>&lt;/b&gt; &amp; '
        '<span class="text-nowrap">ICM-2027-12345</span>, not XICM-2027-0001')
