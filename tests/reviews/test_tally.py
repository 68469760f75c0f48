"""The review tally HR's dashboard reads stays equal to the rule it materialises, through
reviews, declines, conflicts found late and dismissed, and a new stage; the migration fills
it from the data already there."""

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.engine import Engine

from icm_recruit.applications.models import Application
from icm_recruit.board import operations as board_ops
from icm_recruit.board.models import Conflict
from icm_recruit.extensions import db
from icm_recruit.reviews import operations as ops
from icm_recruit.reviews import tally
from icm_recruit.reviews.models import ReviewTally
from tests.core.test_migrations import _scratch_database, fill_at
from tests.reviews.helpers import build_world
from tests.selection.test_outcomes_migration import FILL
from tests.support import insert_people

pytestmark = pytest.mark.services


def _kept() -> dict[int, tuple[int, int]]:
    return {row.application_id: (row.held, row.counted)
            for row in db.session.scalars(select(ReviewTally))}


def _live() -> dict[int, tuple[int, int]]:
    return {app_id: (held, counted) for app_id, held, counted
            in db.session.execute(tally.live_counts()) if held or counted}


def _same(expected: tuple[int, int], application: Application) -> None:
    kept = {k: v for k, v in _kept().items() if v != (0, 0)}
    assert kept == _live()
    assert kept.get(application.id, (0, 0)) == expected


def test_tally_follows_every_change_in_the_same_transaction(ctx):
    world = build_world(k=3)
    application = world.application
    # Three seats, one of them held by a member in conflict: two count.
    _same((2, 0), application)
    scores = {c.id: c.scale_max for c in world.call.criteria}
    ops.save_review(world.mine, ops.ReviewInput(scores=scores, recommendation="interview",
                                                confidence=4, comments_to_board="fine"),
                    by=world.member, submit=True)
    db.session.commit()
    _same((2, 1), application)
    ops.decline_assignment(world.others, reason="no time", by=world.other)
    db.session.commit()
    _same((1, 1), application)
    # A conflict found after the review: the seat and the review stop counting...
    conflict = board_ops.add_manual_conflict(reviewer=world.member, application=application,
                                             reason="co-author", by=world.hr)
    db.session.commit()
    _same((0, 0), application)
    # ...and count again once HR dismisses it.
    board_ops.decide_conflict(conflict, confirm=False, reason="old paper", by=world.hr)
    db.session.commit()
    _same((1, 1), application)
    # The member in conflict since the start is cleared: their seat counts.
    first = db.session.scalar(select(Conflict).where(
        Conflict.reviewer_id == world.conflicted.id, Conflict.application_id == application.id))
    board_ops.decide_conflict(first, confirm=False, reason="not the same person", by=world.hr)
    db.session.commit()
    _same((2, 1), application)
    # At a new stage the application holds no seat yet.
    application.stage = 2
    db.session.commit()
    _same((0, 0), application)


def test_a_draft_saved_again_leaves_the_tally_alone(ctx):
    world = build_world(k=3)
    ops.save_review(world.mine, ops.ReviewInput(comments_to_board="first words"),
                    by=world.member, submit=False)
    db.session.commit()
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        ops.save_review(world.mine, ops.ReviewInput(comments_to_board="more words"),
                        by=world.member, submit=False)
        db.session.commit()
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert any("UPDATE review" in s for s in statements)
    assert not any("review_tally" in s for s in statements)
    _same((2, 0), world.application)


def test_upgrade_fills_the_tally_from_existing_reviews(app):
    from flask_migrate import downgrade, upgrade

    with _scratch_database(app):
        def more(conn):
            insert_people(conn, 3, 4, 5)
            for i, (member, status) in enumerate(
                    [(3, "done"), (4, "active"), (5, "declined")], start=1):
                conn.execute(text(
                    "INSERT INTO assignment (id, application_id, reviewer_id, stage, status,"
                    " origin, locked, explanation, created_at) VALUES (:id, 1, :member, 1,"
                    " :status, 'manual', false, '[]', now())"),
                    {"id": i, "member": member, "status": status})
            conn.execute(text(
                "INSERT INTO review (id, assignment_id, status, confidence, recommendation,"
                " comments_to_board, feedback_for_applicant, submitted_at, updated_at,"
                " created_at) VALUES (1, 1, 'submitted', 4, 'interview', '', '', now(),"
                " now(), now()), (2, 2, 'draft', NULL, NULL, '', '', NULL, now(), now())"))
            conn.execute(text(
                "INSERT INTO conflict (id, reviewer_id, application_id, source, status,"
                " reason, params, created_at) VALUES (1, 4, 1, 'manual', 'confirmed', 'x', '{}',"
                " now())"))
        fill_at("0024_chair_rights", FILL, more=more)

        upgrade(revision="0025_review_tally")

        with db.engine.begin() as conn:
            assert conn.execute(text(
                "SELECT application_id, held, counted FROM review_tally")).all() == [(1, 1, 1)]
            assert conn.execute(text("SELECT count(*) FROM review")).scalar() == 2
        downgrade(revision="0024_chair_rights")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT to_regclass('review_tally')")).scalar() is None
            assert conn.execute(text("SELECT count(*) FROM assignment")).scalar() == 3
