"""Who sees which review and discussion: before and after submitting, chair, HR, conflicts."""

import pytest

from icm_recruit.extensions import db
from icm_recruit.reviews import operations as ops
from tests.reviews.helpers import build_world, sign_in
from tests.support import post_form

pytestmark = pytest.mark.services


def _submit(world, assignment, user, comment):
    scores = {c.id: c.scale_max for c in world.call.criteria}
    ops.save_review(assignment, ops.ReviewInput(scores=scores, recommendation="discuss",
                                                confidence=3, comments_to_board=comment),
                    by=user, submit=True)
    db.session.commit()


@pytest.fixture
def world(ctx):
    world = build_world()
    _submit(world, world.others, world.other, "OTHER-MEMBER-COMMENT")
    ops.save_review(world.mine, ops.ReviewInput(comments_to_board="MY-PRIVATE-DRAFT"),
                    by=world.member, submit=False)
    db.session.commit()
    return world


# (who, before the member's own submission, sees the other member's review?)
CASES = [
    ("author", True),
    ("member_before_own", False),
    ("chair", True),
    ("hr", True),
    ("conflicted", False),
    ("applicant", False),
]


@pytest.mark.parametrize("who,sees", CASES)
def test_visibility_of_a_submitted_review(client, world, who, sees):
    user = {"author": world.other, "member_before_own": world.member, "chair": world.chair,
            "hr": world.hr, "conflicted": world.conflicted, "applicant": world.applicant}[who]
    sign_in(client, user)
    response = client.get(f"/review/applications/{world.application.id}/reviews")
    page = response.get_data(as_text=True)
    assert ("OTHER-MEMBER-COMMENT" in page) is sees
    assert (response.status_code == 200) is sees
    assert "MY-PRIVATE-DRAFT" not in page  # a draft is seen by nobody but its author


def test_member_sees_others_only_after_submitting_own(client, world):
    url = f"/review/applications/{world.application.id}/reviews"
    sign_in(client, world.member)
    locked = client.get(url)
    assert locked.status_code == 403
    assert "once you have submitted your own review" in locked.get_data(as_text=True)
    _submit(world, world.mine, world.member, "MINE-NOW-SUBMITTED")
    page = client.get(url).get_data(as_text=True)
    assert "OTHER-MEMBER-COMMENT" in page and "MINE-NOW-SUBMITTED" in page
    assert "10.0 / 10" in page  # the weighted score on the common scale


def test_applicant_pages_never_name_reviewers(client, world):
    sign_in(client, world.applicant)
    page = client.get(f"/applications/{world.application.id}/status").get_data(as_text=True)
    for name in (world.other.name, world.member.name, "OTHER-MEMBER-COMMENT"):
        assert name not in page


def test_discussion_only_for_those_who_reviewed(client, world):
    url = f"/review/applications/{world.application.id}/discussion"
    sign_in(client, world.member)
    refused = post_form(client, url, {"body": "Can I post?"},
                        page_url=f"/review/assignments/{world.mine.id}")
    assert refused.status_code == 403
    sign_in(client, world.other)
    assert post_form(client, url, {"body": "I found the project bold."}).status_code == 302
    sign_in(client, world.conflicted)
    assert client.get(url).status_code == 403
    sign_in(client, world.chair)
    page = client.get(url).get_data(as_text=True)
    assert "I found the project bold." in page
    with pytest.raises(ops.ReviewError) as caught:
        ops.post_to_discussion(world.application, "sneaky", by=world.member)
    assert caught.value.code == "not_a_participant"


def test_empty_post_is_refused_with_a_message(client, world):
    sign_in(client, world.hr)
    url = f"/review/applications/{world.application.id}/discussion"
    response = post_form(client, url, {"body": "   "})
    assert response.status_code == 422
    assert "Write a message first." in response.get_data(as_text=True)


def test_member_who_becomes_conflicted_loses_reviews_and_discussion(client, world, mail):
    from datetime import UTC, datetime, timedelta

    from icm_recruit.board.models import Conflict, ConflictSource, ConflictStatus
    from icm_recruit.reviews import reminders

    post = ops.post_to_discussion(world.application, "Chair's question", by=world.chair)
    post.created_at = datetime(2027, 1, 5, 10, tzinfo=UTC)
    db.session.add(Conflict(reviewer_id=world.other.id, application_id=world.application.id,
                            source=ConflictSource.MANUAL, status=ConflictStatus.CONFIRMED))
    db.session.commit()
    sign_in(client, world.other)
    for path in ("reviews", "discussion"):
        url = f"/review/applications/{world.application.id}/{path}"
        assert client.get(url).status_code == 403
    assert world.application.reference not in client.get("/review/").get_data(as_text=True)
    reminders.send_discussion_digests(now=post.created_at + timedelta(days=1))
    db.session.commit()
    assert mail.to(world.other.email) == [] and len(mail.to(world.hr.email)) == 1
