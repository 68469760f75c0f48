"""A board member's review in a real browser, in English and in French: dashboard, draft,
submission, the other reviews unlocked, a post in the discussion."""

import pytest

from icm_recruit.extensions import db
from icm_recruit.reviews import operations as ops
from tests.reviews.helpers import build_world
from tests.support import PASSWORD

pytestmark = [pytest.mark.services, pytest.mark.browser]

TEXT = {
    "en": {"review": "Review", "save": "Save draft",
           "submit": "Submit review", "saved": "Draft saved.", "post": "Post",
           "interview": "Invite to an interview", "discussion": "Discussion"},
    "fr": {"review": "Évaluation", "save": "Enregistrer le brouillon",
           "submit": "Soumettre l’évaluation", "saved": "Brouillon enregistré.",
           "post": "Publier", "interview": "Inviter à un entretien",
           "discussion": "Discussion"},
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_member_reviews_then_reads_the_others_and_discusses(journey, live_server, lang):
    t = TEXT[lang]
    with live_server.app_context():
        world = build_world()
        world.member.locale = lang
        scores = {c.id: c.scale_min for c in world.call.criteria}
        ops.save_review(world.others, ops.ReviewInput(
            scores=scores, recommendation="do_not_pursue", confidence=2,
            comments_to_board="A thin publication record."), by=world.other, submit=True)
        db.session.commit()
        email, reference = world.member.email, world.application.reference
        criteria = [(c.id, c.scale_max) for c in world.call.criteria]
    page = journey.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)  # the page turns French after signing in
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.goto(journey.base_url + "/review/")
    journey.step("dashboard")
    page.get_by_role("link", name=f"{t['review']} {reference}").click()
    page.locator("#comments_to_board").fill("An original programme; the budget is tight.")
    page.get_by_role("button", name=t["save"]).click()
    assert t["saved"] in page.locator("main").inner_text()
    journey.step("draft")
    for criterion_id, top in criteria:
        page.locator(f"#score_{criterion_id}-{top}").check()
    page.get_by_label(t["interview"]).check()
    page.locator("#confidence-3").check()
    page.get_by_role("button", name=t["submit"]).click()
    body = page.locator("main").inner_text()
    assert "A thin publication record." in body and "An original programme" in body
    journey.step("reviews")
    page.get_by_role("link", name=t["discussion"]).click()
    page.locator("#body").fill("Shall we discuss the budget at the meeting?")
    page.get_by_role("button", name=t["post"], exact=True).click()
    assert "Shall we discuss the budget" in page.locator("main").inner_text()
    journey.step("discussion")
    journey.assert_accessible()
