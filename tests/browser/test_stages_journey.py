"""A call in two stages in a real browser, with a Celery worker, in English and French: HR
ranks stage 1, marks who goes on, sends the outcomes once; an applicant who goes on sends
the full proposal; HR asks a referee of the institute's choosing for a letter."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import Application, ApplicationStage, StageProgress
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import RefereeMode
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.stages.operations import save_stage
from tests.applications.factories import make_pdf
from tests.selection.factories import (
    quick_user,
    reviewed_application,
    selection_call,
    submitted_review,
)
from tests.support import PASSWORD

pytestmark = [pytest.mark.services, pytest.mark.browser]

TEXT = {"en": {"stage": "Full proposal", "asked": "Send the full research proposal."},
        "fr": {"stage": "Projet complet", "asked": "Envoyez le projet de recherche complet."}}


def _sign_in(journey, email):
    page = journey.page
    page.context.clear_cookies()
    page.goto(journey.base_url + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    return page


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_call_in_two_stages(journey, live_server, mail, tmp_path, lang):
    with live_server.app_context():
        call = selection_call("two-stages-2027")
        hr = quick_user("hr@example.org", Role.ADMIN, locale=lang)
        reviewers = [quick_user(f"r{i}@example.org", Role.REVIEWER) for i in range(2)]
        applications = [reviewed_application(call, f"a{i}@example.org", locale=lang,
                                             name=f"Applicant {i}") for i in range(4)]
        criterion = call.criteria[0]
        for index, application in enumerate(applications):
            for reviewer in reviewers:
                submitted_review(application, reviewer, {criterion: 5 - index})
        save_stage(call, {
            "name_en": "Full proposal", "name_fr": "Projet complet",
            "instructions_en": TEXT["en"]["asked"], "instructions_fr": TEXT["fr"]["asked"],
            "closes_at": utcnow() + timedelta(days=20), "reviewers_per_application": 2,
            "referee_mode": RefereeMode.INSTITUTION, "referees_required": 1,
            "notify_outcome": True,
            "document_rules": [{"kind": "full_proposal", "required": True, "max_mb": 5,
                                "max_pages": 20}],
            "sections": [{"key": "s1", "title_en": "Research programme",
                          "title_fr": "Programme de recherche", "word_limit": 20,
                          "required": True}]}, by=hr)
        db.session.commit()
        call_id, hr_email = call.id, hr.email
        ids = [a.id for a in applications]
        first_email = applications[0].applicant.email
    base = f"/stages/calls/{call_id}"

    page = _sign_in(journey, hr_email)
    page.goto(journey.base_url + base)
    assert TEXT[lang]["stage"] in page.locator("main").inner_text()
    journey.step("stages")
    page.goto(journey.base_url + f"/selection/calls/{call_id}/ranking")
    page.locator(f"form[action$='/selection/calls/{call_id}/ranking'] button").click()
    page.locator("[id^=job-]:not([hx-get])").wait_for()

    page.goto(journey.base_url + base + "/decide")
    for application_id in ids[:2]:
        page.locator(f"#pick-{application_id}").check()
    page.locator("input[name=verdict][value=advance]").check()
    page.locator("#reason").fill("Top of the ranking")
    page.locator("fieldset button.btn-primary").click()
    for application_id in ids[2:]:
        page.locator(f"#pick-{application_id}").check()
    page.locator("input[name=verdict][value=stop]").check()
    page.locator("#reason").fill("Outside the scope")
    page.locator("fieldset button.btn-primary").click()
    journey.step("marked")
    assert mail.messages == []

    page.goto(journey.base_url + base + "/outcomes")
    journey.step("outcomes-summary")
    page.locator(f"form[action$='{base}/outcomes'] button").click()
    page.locator("[id^=job-]:not([hx-get])").wait_for()
    journey.step("outcomes-sent")

    page.goto(journey.base_url + base + "/letters")
    journey.step("letters")
    page.goto(journey.base_url + f"/stages/applications/{ids[0]}/letters")
    page.locator("#referee-name").fill("Prof. Chosen Referee")
    page.locator("#referee-email").fill(f"chosen.{lang}@example.org")
    page.locator("#referee-institution").fill("EMBL")
    page.locator("main form button.btn-primary").click()
    assert "Prof. Chosen Referee" in page.locator("main").inner_text()
    journey.step("letter-asked")

    page = _sign_in(journey, first_email)
    page.goto(journey.base_url + f"/applications/{ids[0]}")
    stage = page.locator("#stage")
    assert TEXT[lang]["asked"] in stage.inner_text()
    assert "Chosen" not in page.locator("main").inner_text()
    # Typed text survives an upload: the upload button sends it along.
    area = page.locator("#stage-text-s1")
    area.fill("Circuits of memory across five years of work.")
    assert page.locator("#stage-count-s1").inner_text().startswith("8 ")
    pdf = tmp_path / "proposal.pdf"
    pdf.write_bytes(make_pdf(4))
    page.locator("#stage-file-full_proposal").set_input_files(str(pdf))
    page.locator("#stage button[name=kind][value=full_proposal]").click()
    page.locator("#stage .text-success").wait_for()
    assert page.locator("#stage-text-s1").input_value().startswith("Circuits of memory")
    # Typing left unsaved (the page reloaded, as after an expired session) is offered back.
    page.locator("#stage-text-s1").fill("Circuits of memory, revised and not saved yet.")
    kept = "() => Object.values(localStorage).some(value => value.includes('revised'))"
    for _ in range(100):  # the copy is kept 0.3 s after the last keystroke
        if page.evaluate(kept):
            break
        page.wait_for_timeout(100)
    page.reload()
    assert page.locator("#stage-text-s1").input_value().startswith("Circuits of memory across")
    banner = page.locator("#stage [data-restore]")
    banner.wait_for()
    journey.step("texts-offered-back")
    banner.locator("button").click()
    assert page.locator("#stage-text-s1").input_value() == \
        "Circuits of memory, revised and not saved yet."
    page.locator("#stage-confirm").check()
    page.locator("#stage button[formaction$='/stage/send']").click()
    page.locator("#stage .badge.text-bg-success").wait_for()
    journey.step("part-sent")
    journey.assert_accessible()
    with live_server.app_context():
        entry = db.session.scalar(select(ApplicationStage).where(
            ApplicationStage.application_id == ids[0], ApplicationStage.stage == 2))
        assert entry.progress is StageProgress.SUBMITTED
        assert entry.texts == {"s1": "Circuits of memory, revised and not saved yet."}
        stopped = db.session.get(Application, ids[3])
        assert stopped.stage == 1
