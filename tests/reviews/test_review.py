"""The review journey: drafts, submission, scale checks, the deadline, text that survives."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from icm_recruit.assignment.models import AssignmentStatus
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.reviews import operations as ops
from icm_recruit.reviews.models import Review, ReviewScore, ReviewStatus
from tests.reviews.helpers import build_world, full_review, sign_in
from tests.support import csrf_from, post_form

pytestmark = pytest.mark.services


def _review(assignment) -> Review | None:
    db.session.expire_all()
    return db.session.scalar(select(Review).where(Review.assignment_id == assignment.id))


def test_member_saves_a_draft_then_submits(client, ctx):
    world = build_world()
    sign_in(client, world.member)
    url = f"/review/assignments/{world.mine.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Very good" in page and "Outstanding" in page  # level descriptors
    excellence, project = world.call.criteria
    response = post_form(client, url, {f"score_{project.id}": "2", "action": "save",
                                       "comments_to_board": "Half written"})
    assert response.status_code == 302
    review = _review(world.mine)
    assert review.status == ReviewStatus.DRAFT and review.score_map() == {project.id: 2}
    assert review.comments_to_board == "Half written"
    response = post_form(client, url, {**full_review(world.call), "action": "submit"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/applications/{world.application.id}/reviews")
    review = _review(world.mine)
    assert review.status == ReviewStatus.SUBMITTED and review.submitted_at is not None
    assert review.assignment.status == AssignmentStatus.DONE
    assert review.score_map() == {excellence.id: 5, project.id: 4}


def test_submitting_an_incomplete_review_keeps_the_text(client, ctx):
    world = build_world()
    sign_in(client, world.member)
    data = full_review(world.call, recommendation="", action="submit",
                       comments_to_board="My long comment that must not be lost")
    response = post_form(client, f"/review/assignments/{world.mine.id}", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "To submit, complete: the recommendation" in page
    assert "My long comment that must not be lost" in page
    assert _review(world.mine) is None


def test_score_outside_the_scale_is_refused_by_the_form(client, ctx):
    world = build_world()
    sign_in(client, world.member)
    project = world.call.criteria[1]
    data = full_review(world.call, action="save", comments_to_board="Keep me")
    data[f"score_{project.id}"] = "9"
    response = post_form(client, f"/review/assignments/{world.mine.id}", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Project: choose a score from 0 to 4." in page and "Keep me" in page
    assert _review(world.mine) is None


def test_score_outside_the_scale_is_refused_by_the_operation(ctx):
    world = build_world()
    project = world.call.criteria[1]
    with pytest.raises(ops.ReviewError) as caught:
        ops.save_review(world.mine, ops.ReviewInput(scores={project.id: -1}), by=world.member,
                        submit=False)
    assert caught.value.code == "score_out_of_range"
    assert caught.value.details == {"criterion_id": project.id, "min": 0, "max": 4}


def test_the_database_refuses_a_score_outside_the_criterion_scale(ctx):
    from sqlalchemy.exc import IntegrityError

    world = build_world()
    project = world.call.criteria[1]
    review = Review(assignment_id=world.mine.id)
    db.session.add(review)
    db.session.flush()
    for bounds in ((0, 4, 7), (0, 10, 7)):  # beyond the scale; or a scale that is not its own
        savepoint = db.session.begin_nested()
        db.session.add(ReviewScore(review_id=review.id, criterion_id=project.id,
                                   scale_min=bounds[0], scale_max=bounds[1], score=bounds[2]))
        with pytest.raises(IntegrityError):
            db.session.flush()
        savepoint.rollback()


def test_a_second_review_for_the_same_assignment_is_impossible(ctx):
    from sqlalchemy.exc import IntegrityError

    world = build_world()
    ops.save_review(world.mine, ops.ReviewInput(comments_to_board="one"), by=world.member,
                    submit=False)
    db.session.commit()
    ops.save_review(world.mine, ops.ReviewInput(comments_to_board="two"), by=world.member,
                    submit=False)
    db.session.commit()
    assert len(db.session.scalars(select(Review)
                                  .where(Review.assignment_id == world.mine.id)).all()) == 1
    db.session.add(Review(assignment_id=world.mine.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_nobody_else_can_write_a_members_review(ctx):
    world = build_world()
    for user in (world.other, world.chair, world.hr, world.conflicted):
        with pytest.raises(ops.ReviewError) as caught:
            ops.save_review(world.mine, ops.ReviewInput(), by=user, submit=False)
        assert caught.value.code == "forbidden"
    with pytest.raises(ops.ReviewError):
        ops.save_review(world.conflicted_assignment, ops.ReviewInput(), by=world.conflicted,
                        submit=False)


def test_after_the_deadline_the_review_is_read_only(client, ctx):
    world = build_world()
    world.mine.due_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    sign_in(client, world.member)
    url = f"/review/assignments/{world.mine.id}"
    page = client.get(url).get_data(as_text=True)
    assert "The review deadline has passed" in page
    response = post_form(client, url, {**full_review(world.call), "action": "submit",
                                       "comments_to_board": "Too late but kept"})
    assert response.status_code == 422
    assert "Too late but kept" in response.get_data(as_text=True)
    assert _review(world.mine) is None


def test_submitted_review_can_be_edited_until_the_deadline(ctx):
    world = build_world()
    form = full_review(world.call)
    scores = {c.id: int(form[f"score_{c.id}"]) for c in world.call.criteria}
    data = ops.ReviewInput(scores=scores, recommendation="interview", confidence=3,
                           comments_to_board="first")
    ops.save_review(world.mine, data, by=world.member, submit=True)
    data.comments_to_board = "second"
    review = ops.save_review(world.mine, data, by=world.member, submit=False)
    assert review.status == ReviewStatus.SUBMITTED and review.comments_to_board == "second"
    data.recommendation = None  # a submitted review must stay complete
    with pytest.raises(ops.ReviewError) as caught:
        ops.save_review(world.mine, data, by=world.member, submit=False)
    assert caught.value.code == "incomplete"
    later = world.mine.due_at + timedelta(seconds=1)
    with pytest.raises(ops.ReviewError) as caught:
        ops.save_review(world.mine, data, by=world.member, submit=True, now=later)
    assert caught.value.code == "deadline_passed"


def test_text_survives_an_expired_csrf_token(client, ctx):
    world = build_world()
    sign_in(client, world.member)
    url = f"/review/assignments/{world.mine.id}"
    client.get(url)
    text = "Three paragraphs of careful assessment that took an hour to write."
    response = client.post(url, data={**full_review(world.call, comments_to_board=text),
                                      "action": "save", "csrf_token": "expired-token"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert text in page and "nothing was saved yet" in page
    assert _review(world.mine) is None
    # The page carries a fresh token: sending it again saves the text.
    retry = client.post(url, data={**full_review(world.call, comments_to_board=text),
                                   "action": "save", "csrf_token": csrf_from(page)})
    assert retry.status_code == 302
    assert _review(world.mine).comments_to_board == text


def test_text_survives_an_ended_session_and_is_offered_back(client, ctx, app):
    world = build_world()
    sign_in(client, world.member)
    url = f"/review/assignments/{world.mine.id}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    idle = app.config["SESSION_IDLE_SECONDS"] + 60
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - idle
    text = "Written over a long afternoon, sent after the session ended."
    response = client.post(url, data={**full_review(world.call, comments_to_board=text),
                                      "action": "submit", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert _review(world.mine) is None  # nothing saved as the review by itself
    sign_in(client, world.member)
    page = client.get(url).get_data(as_text=True)
    assert text in page and "We kept the text you sent" in page
    retry = client.post(url, data={**full_review(world.call, comments_to_board=text),
                                   "action": "save", "csrf_token": csrf_from(page)})
    assert retry.status_code == 302
    assert _review(world.mine).comments_to_board == text
    assert "We kept the text" not in client.get(url).get_data(as_text=True)


def test_review_form_in_french_shows_french_descriptors(client, ctx):
    world = build_world()
    world.member.locale = "fr"
    db.session.commit()
    sign_in(client, world.member)
    page = client.get(f"/review/assignments/{world.mine.id}").get_data(as_text=True)
    assert "Exceptionnel" in page and "Projet" in page
    assert "Enregistrer le brouillon" in page


def test_decline_with_a_reason_tells_hr(client, ctx, mail):
    world = build_world()
    sign_in(client, world.member)
    url = f"/review/assignments/{world.mine.id}/decline"
    assert post_form(client, url, {"reason": ""}).status_code == 422
    response = post_form(client, url, {"reason": "I co-authored with the applicant."})
    assert response.status_code == 302
    db.session.expire_all()
    assert world.mine.status == AssignmentStatus.DECLINED
    assert world.mine.decline_reason == "I co-authored with the applicant."
    hr_mail = mail.to(world.hr.email)
    assert len(hr_mail) == 1 and world.application.reference in hr_mail[0]["Subject"]


def test_accept_records_the_answer(client, ctx):
    world = build_world()
    sign_in(client, world.member)
    assert post_form(client, f"/review/assignments/{world.mine.id}/accept", {},
                     page_url="/review/").status_code == 302
    db.session.expire_all()
    assert world.mine.responded_at is not None
    assert world.mine.status == AssignmentStatus.ACTIVE


def test_the_reviews_page_lists_the_reviews_still_to_write_first(client, ctx):
    """A late review waiting in one call comes before a review submitted in another, even
    one that was due earlier: the calls with work waiting come first."""
    from icm_recruit.applications.models import ApplicationStatus
    from icm_recruit.auth.models import Role
    from tests.applications.factories import make_application
    from tests.reviews.helpers import assign, quick_user, review_call
    from tests.selection.factories import submitted_review

    member = quick_user("first.things@example.org", Role.REVIEWER)
    done_call, late_call = review_call("done-first"), review_call("late-second")
    written, waiting = (make_application(call, quick_user(email, Role.APPLICANT),
                                         status=ApplicationStatus.UNDER_REVIEW, complete=True)
                        for call, email in ((done_call, "w@example.org"),
                                            (late_call, "l@example.org")))
    review = submitted_review(written, member, {done_call.criteria[0]: 3})
    review.assignment.due_at = utcnow() - timedelta(days=30)
    assign(waiting, member, due_in_days=-2)
    db.session.commit()
    sign_in(client, member)
    page = client.get("/review/").get_data(as_text=True)
    assert written.reference in page
    assert page.index(waiting.reference) < page.index(written.reference)
