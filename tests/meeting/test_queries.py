"""The meeting's pages that list the agenda run the same number of SQL queries for a short
and a long agenda."""

from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.meeting import operations as ops
from icm_recruit.selection.ranking import build_snapshot
from tests.meeting.factories import _review, build
from tests.reviews.helpers import sign_in
from tests.selection.factories import reviewed_application

pytestmark = pytest.mark.services


def _count(client, url) -> int:
    count = 0

    def seen(conn, cursor, statement, *args):
        nonlocal count
        count += 1
        if "DEBUGSQL" in __import__("os").environ:
            print("SQL", statement[:150].replace("\n", " "))

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    return count


def _meeting(world, more: int):
    for n in range(more):
        application = reviewed_application(world.call, f"more{n}@example.org",
                                           name=f"More {n}")
        for reviewer in world.reviewers:
            _review(application, reviewer, world.call, 3, "Fine.")
    db.session.commit()
    snapshot = build_snapshot(world.call, by=world.hr)
    meeting = ops.create_meeting(world.call, snapshot=snapshot,
                                 starts_at=utcnow() + timedelta(days=1), duration=60,
                                 location="Room", video_url="", by=world.chair,
                                 member_ids=[world.member.id, world.conflicted.id])
    db.session.commit()
    return meeting


def test_agenda_pages_cost_the_same_for_a_longer_agenda(client, ctx):
    world = build()
    short = world.meeting
    long = _meeting(world, 9)
    sign_in(client, world.chair)
    for path in ("", "/live", "/agenda", "/minutes"):
        counts = [_count(client, f"/meeting/{m.id}{path}") for m in (short, long)]
        print("MEETING_QUERIES", path or "/", counts)
        assert counts[0] == counts[1], (path, counts)
