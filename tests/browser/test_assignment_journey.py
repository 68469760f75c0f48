"""Conflicts and assignment in a real browser, in English and in French: a member declares
a conflict on one application; HR computes the assignment (a real Celery worker runs the
job while the page follows its progress), then publishes it and the members are told."""

import time

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import CallStatus
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.board.factories import make_member, quick_user
from tests.support import PASSWORD

pytestmark = [pytest.mark.services, pytest.mark.browser]

TEXT = {
    "en": {"language": None, "declare": "Declare", "compute": "Compute the best assignment",
           "publish": "Publish the assignment"},
    "fr": {"language": "Français", "declare": "Déclarer",
           "compute": "Calculer la meilleure affectation",
           "publish": "Publier l’affectation"},
}
TOPICS = [("Hippocampal replay in memory", "hippocampus, memory, sleep"),
          ("Dopamine and reward learning", "dopamine, reward, learning"),
          ("Spinal circuits of locomotion", "spinal cord, motor neurons, locomotion")]


def _sign_in(page, base_url, email, language):
    page.goto(base_url + "/login")
    if language:
        page.get_by_role("button", name=language).click()
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


def _world(lang):
    call = make_call(slug=f"assign-{lang}", status=CallStatus.IN_REVIEW, opens_in_days=-40,
                     closes_in_days=-1, reviewers_per_application=2)
    apps = []
    for n, (title, keywords) in enumerate(TOPICS):
        applicant = quick_user(f"applicant{n}.{lang}@example.org", Role.APPLICANT)
        apps.append(make_application(call, applicant, status=ApplicationStatus.UNDER_REVIEW,
                                     complete=True, title=title, keywords=keywords))
    members = [make_member(f"member{n}.{lang}@example.org", f"Member {n}", keywords=keywords,
                           statement=title, max_load=3)
               for n, (title, keywords) in enumerate(TOPICS)]
    hr = quick_user(f"hr.{lang}@example.org", Role.ADMIN, name="HR Office")
    for user in [hr, *(m.user for m in members)]:
        user.locale = lang  # people work in their own language once signed in
    db.session.commit()
    return call.id, [a.id for a in apps], [m.user_id for m in members]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_member_declares_a_conflict_and_hr_assigns(journey, live_server, browser, mail, lang):
    t = TEXT[lang]
    with live_server.app_context():
        call_id, app_ids, member_ids = _world(lang)
    page = journey.page
    _sign_in(page, journey.base_url, f"member0.{lang}@example.org", t["language"])
    page.goto(journey.base_url + f"/board/calls/{call_id}")
    journey.step("member-title-list")
    page.locator(f"#answer-{app_ids[0]}").select_option("conflict")
    page.locator(f"#reason-{app_ids[0]}").fill("Former student")
    page.locator(f"#answer-{app_ids[0]}").locator("xpath=ancestor::form").locator(
        "button").click()

    hr = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _sign_in(hr, journey.base_url, f"hr.{lang}@example.org", t["language"])
    hr.goto(journey.base_url + f"/admin/calls/{call_id}/assignment")
    hr.get_by_role("button", name=t["compute"]).click()
    # The page follows the job through htmx polling and reloads when it is done.
    hr.get_by_role("button", name=t["publish"]).wait_for(state="visible", timeout=60000)
    deadline = time.monotonic() + 60
    while hr.get_by_role("button", name=t["publish"]).is_disabled():
        assert time.monotonic() < deadline, "the proposal never arrived"
        time.sleep(0.5)
        hr.reload()
    journey.page = hr
    journey.step("proposal")
    hr.get_by_role("button", name=t["publish"]).click()
    journey.step("published")
    with live_server.app_context():
        rows = db.session.scalars(select(Assignment).where(
            Assignment.application_id.in_(app_ids))).all()
        assert rows and all(r.status == AssignmentStatus.ACTIVE for r in rows)
        pairs = {(r.application_id, r.reviewer_id) for r in rows}
    assert (app_ids[0], member_ids[0]) not in pairs  # the declared conflict was respected
    assert all(sum(1 for a, _ in pairs if a == app) == 2 for app in app_ids)
    deadline = time.monotonic() + 20
    while not mail.to(f"member1.{lang}@example.org") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert mail.to(f"member1.{lang}@example.org")
    journey.assert_accessible()
