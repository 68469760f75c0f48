"""HR's progress dashboard: counts, a constant number of queries, reassignment."""

from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import Role
from icm_recruit.board.models import BoardMember
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.reviews import operations as ops
from icm_recruit.reviews import queries
from icm_recruit.reviews.models import Review, ReviewStatus
from tests.applications.factories import make_application
from tests.reviews.helpers import assign, build_world, quick_user, review_call, sign_in
from tests.support import insert_people, post_form

pytestmark = pytest.mark.services


def _submit(call, assignment, user):
    scores = {c.id: c.scale_max for c in call.criteria}
    ops.save_review(assignment, ops.ReviewInput(scores=scores, recommendation="interview",
                                                confidence=4, comments_to_board="fine"),
                    by=user, submit=True)


def test_progress_counts(ctx):
    world = build_world(k=3)
    _submit(world.call, world.others, world.other)
    world.mine.due_at = utcnow() - timedelta(days=2, hours=1)
    ops.decline_assignment(world.conflicted_assignment, reason="conflict", by=world.conflicted)
    db.session.commit()
    progress = queries.call_progress(world.call, utcnow(), world.hr)
    assert progress.expected == 3 and progress.submitted == 1 and progress.completion == 33
    (row,) = progress.applications.items
    assert (row.held, row.submitted) == (2, 1)
    assert progress.below_k_total == 1 and progress.late_total == 1
    late = [o for o in progress.outstanding.items if o.days_late]
    # Two days and an hour past the due date: "2 days late", as the reminders say it.
    assert [(o.reviewer_name, o.days_late) for o in late] == [(world.member.name, 2)]
    assert [a.id for a in progress.declined] == [world.conflicted_assignment.id]


def test_progress_page_shows_it(client, ctx):
    world = build_world(k=4)
    world.mine.due_at = utcnow() - timedelta(days=1, hours=1)
    db.session.commit()
    sign_in(client, world.hr)
    page = client.get(f"/review/calls/{world.call.id}/progress").get_data(as_text=True)
    assert "0 %" in page and world.member.name in page and "below 4" in page
    assert "Remind all late members now" in page


def _call_with(n_apps: int, slug: str):
    call = review_call(slug, k=2)
    members = [quick_user(f"{slug}-m{i}@example.org", Role.REVIEWER) for i in range(3)]
    for i in range(n_apps):
        applicant = quick_user(f"{slug}-a{i}@example.org", Role.APPLICANT)
        application = make_application(call, applicant, status=ApplicationStatus.UNDER_REVIEW,
                                       complete=True)
        first = assign(application, members[i % 3], due_in_days=-1)
        assign(application, members[(i + 1) % 3])
        if i % 2:
            ops.save_review(first, ops.ReviewInput(comments_to_board="draft"),
                            by=members[i % 3], submit=False, now=utcnow() - timedelta(days=2))
        elif i % 3 == 0:
            second = db.session.scalar(select(Assignment).where(
                Assignment.application_id == application.id,
                Assignment.reviewer_id == members[(i + 1) % 3].id))
            _submit(call, second, members[(i + 1) % 3])
    db.session.commit()
    return call


def _queries_for(client, url: str) -> int:
    count = {"n": 0}

    def counter(*_args, **_kwargs):
        count["n"] += 1

    event.listen(Engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(Engine, "before_cursor_execute", counter)
    return count["n"]


def test_dashboard_query_count_does_not_grow_with_applications(client, ctx):
    hr = quick_user("hr@example.org", Role.ADMIN)
    small, large = _call_with(5, "small"), _call_with(40, "large")
    sign_in(client, hr)
    _queries_for(client, f"/review/calls/{small.id}/progress")  # warm caches
    assert _queries_for(client, f"/review/calls/{small.id}/progress") == _queries_for(
        client, f"/review/calls/{large.id}/progress")


def _board(*users):
    for user in users:
        db.session.add(BoardMember(user_id=user.id, expertise_keywords="memory, synapse"))
    db.session.commit()


def test_reassign_a_late_review_keeps_the_draft_private(client, ctx, mail):
    world = build_world(k=3)
    _board(world.member, world.other, world.outsider, world.chair)
    ops.save_review(world.mine, ops.ReviewInput(comments_to_board="PRIVATE-DRAFT-TEXT"),
                    by=world.member, submit=False)
    world.mine.due_at = utcnow() - timedelta(days=1)
    db.session.commit()
    sign_in(client, world.hr)
    url = f"/review/assignments/{world.mine.id}/reassign"
    page = f"/review/calls/{world.call.id}/progress"
    asked = post_form(client, url, {}, page_url=page)
    body = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Give the review of" in body
    assert "is told by e-mail" in body and world.member.name in body
    db.session.expire_all()
    assert world.mine.status == AssignmentStatus.ACTIVE  # nothing changed before confirming
    response = post_form(client, url, {"confirm": "y"}, page_url=page)
    assert response.status_code == 302
    db.session.expire_all()
    assert world.mine.status == AssignmentStatus.DECLINED
    new = db.session.scalar(select(Assignment).where(
        Assignment.application_id == world.application.id,
        Assignment.status == AssignmentStatus.ACTIVE,
        Assignment.reviewer_id.not_in([world.other.id, world.conflicted.id])))
    assert new is not None and new.reviewer_id in (world.outsider.id, world.chair.id)
    assert new.due_at > utcnow() + timedelta(days=13)
    assert db.session.scalar(select(Review).where(Review.assignment_id == new.id)) is None
    newcomer = db.session.get(type(world.member), new.reviewer_id)
    sign_in(client, newcomer)
    page = client.get(f"/review/assignments/{new.id}").get_data(as_text=True)
    assert "PRIVATE-DRAFT-TEXT" not in page
    assert client.get(f"/review/assignments/{world.mine.id}").status_code == 403


def test_reassign_refuses_a_review_on_time(ctx):
    world = build_world()
    with pytest.raises(ops.ReviewError) as caught:
        ops.reassign(world.mine, by=world.hr)
    assert caught.value.code == "not_late"
    with pytest.raises(ops.ReviewError):
        ops.reassign(world.mine, by=world.member)


def test_declined_review_shows_the_solvers_suggestion(client, ctx):
    world = build_world(k=3)
    _board(world.member, world.other, world.outsider)
    ops.decline_assignment(world.mine, reason="No time this month", by=world.member)
    db.session.commit()
    sign_in(client, world.hr)
    page = client.get(f"/review/calls/{world.call.id}/progress").get_data(as_text=True)
    assert "No time this month" in page
    assert f"Suggested: {world.outsider.name}" in page


def test_demo_seeds_a_call_in_review_once(ctx):
    from icm_recruit.reviews.demo import seed_review_demo

    for who in ("reviewer1", "reviewer2", "reviewer3", "chair"):
        quick_user(f"{who}@demo.icm-recruit.org", Role.REVIEWER, Role.CHAIR)
    assert seed_review_demo()
    counts = (len(db.session.scalars(select(Assignment)).all()),
              len(db.session.scalars(select(Review)).all()))
    assert counts == (12, 2)
    seed_review_demo()
    assert len(db.session.scalars(select(Assignment)).all()) == 12


def test_dashboard_counts_the_whole_call_and_shows_it_in_pages(client, ctx, monkeypatch):
    monkeypatch.setattr(queries, "PROGRESS_PAGE", 2)
    hr = quick_user("hr@example.org", Role.ADMIN)
    call = _call_with(5, "paged")
    sign_in(client, hr)
    url = f"/review/calls/{call.id}/progress"
    first, second = (client.get(url).get_data(as_text=True),
                     client.get(url + "?apage=2&opage=3").get_data(as_text=True))
    progress = queries.call_progress(call, utcnow(), hr, 2, 3)
    # Every application and outstanding review is counted, whatever the page shown.
    assert progress.applications_total == 5 and progress.expected == 10
    assert progress.outstanding.total == 9 and progress.late_total == 5
    assert progress.applications.pages == 3 and len(progress.applications.items) == 2
    assert len(progress.outstanding.items) == 2
    shown = {a.reference for a in progress.applications.items}
    assert all(ref in second for ref in shown) and not any(ref in first for ref in shown)
    everything = {a.reference for page in (1, 2, 3)
                  for a in queries.call_progress(call, utcnow(), hr, page).applications.items}
    assert len(everything) == 5


def test_awaited_reviews_come_soonest_due_first_and_leave_when_submitted(ctx):
    world = build_world(k=3)
    hr, call = world.hr, world.call
    world.mine.due_at = utcnow() - timedelta(days=3)      # late
    world.others.due_at = utcnow() + timedelta(days=5)    # due later
    world.conflicted_assignment.due_at = None             # no due date: last
    db.session.commit()
    listed = [o.assignment_id for o in queries.call_progress(call, utcnow(), hr)
              .outstanding.items]
    assert listed[:2] == [world.mine.id, world.others.id]
    _submit(call, world.others, world.other)
    db.session.commit()
    progress = queries.call_progress(call, utcnow(), hr)
    assert world.others.id not in [o.assignment_id for o in progress.outstanding.items]
    assert progress.outstanding.total == len(progress.outstanding.items)
    # The list reads no review to leave out the submitted ones: it rests on this rule.
    submitted_but_active = db.session.scalars(
        select(Assignment.id).join(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.status == AssignmentStatus.ACTIVE,
               Review.status == ReviewStatus.SUBMITTED)).all()
    assert submitted_but_active == []


def test_upgrade_adds_the_awaited_reviews_index_and_keeps_the_assignments(app):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from tests.core.test_migrations import _scratch_database, fill_at
    from tests.selection.test_outcomes_migration import FILL

    with _scratch_database(app):
        def more(conn):
            insert_people(conn, 3)
            conn.execute(text(
                "INSERT INTO assignment (id, application_id, reviewer_id, stage, status, origin,"
                " locked, explanation, created_at, due_at) VALUES (1, 1, 3, 1, 'active',"
                " 'manual', false, '[]', now(), now())"))
        fill_at("0026_page_order_indexes", FILL, more=more)
        upgrade(revision="0027_active_due_index")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT id, status FROM assignment")).all() == [
                (1, "active")]
            definition = conn.execute(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_assignment_active_due'"
            )).scalar()
            assert "(due_at, id)" in definition and "'active'" in definition
        downgrade(revision="0026_page_order_indexes")
        with db.engine.begin() as conn:
            assert conn.execute(text(
                "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_assignment_active_due'"
            )).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM assignment")).scalar() == 1


def test_days_late_are_said_alike_on_the_page_and_in_the_mails():
    from icm_recruit.core.timeutil import days_late

    due = utcnow()
    assert days_late(due, due - timedelta(hours=1)) == 0
    assert days_late(due, due) == 0
    assert days_late(due, due + timedelta(hours=5)) == 1  # late since this morning
    assert days_late(due, due + timedelta(days=2, minutes=1)) == 2
    assert days_late(None, due) == 0
