"""The evaluation report goes with the decision letter or the stage outcome, through HTTP.

A report saved by the chair is added under the letter in the applicant's language, marked
sent with it (so the reports' own batch does not send it again) and read in the portal; the
reviewers' names never appear in the mail.
"""

import re

import pytest
from sqlalchemy import func, select

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.extensions import db
from icm_recruit.meeting import reports
from icm_recruit.meeting.models import EvaluationReport
from tests.meeting.factories import build
from tests.reviews.helpers import sign_in
from tests.selection.factories import confirm
from tests.stages import factories as staged
from tests.support import post_form

pytestmark = pytest.mark.services

REVIEWERS = ("Prof. Ada Quill", "Prof. Bruno Vance")


def _save_draft(client, user, application):
    sign_in(client, user)
    body = reports.draft_text(application)
    assert "a clear project" in body
    response = post_form(client, f"/evaluation/applications/{application.id}", {"body": body})
    assert response.status_code == 302
    return body


def _mail(template, email) -> OutboxMessage:
    return db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.template == template, OutboxMessage.recipient == email)).one()


def _send_reports(client, world, follow=False) -> str:
    url = f"/evaluation/calls/{world.call.id}"
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'name="fingerprint" type="hidden" value="(\w+)"', page)
    fingerprint = found.group(1) if found else "none"
    response = post_form(client, f"{url}/send", {"fingerprint": fingerprint}, page_url=url,
                         follow_redirects=follow)
    return response.get_data(as_text=True)


def _report_mails() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.template == "meeting_evaluation_report"))


def test_the_decision_letter_carries_the_report_without_reviewer_names(client, ctx, mail):
    world = build(with_meeting=False)
    target, other = world.applications[0], world.applications[1]
    for application in (target, other):
        application.status = ApplicationStatus.INTERVIEW
    target.applicant.locale = "fr"
    db.session.commit()
    _save_draft(client, world.chair, target)

    sign_in(client, world.hr)
    for application in (target, other):
        response = post_form(client, f"/selection/applications/{application.id}/decision",
                             {"outcome": "reject", "feedback": ""},
                             page_url=f"/selection/calls/{world.call.id}/decisions")
        assert response.status_code == 302
    confirm(client, f"/selection/calls/{world.call.id}/letters/send")
    db.session.expire_all()

    letter = _mail("selection_decision_letter", target.applicant.email)
    for text in (letter.body_text, letter.body_html, letter.subject):
        assert not any(name in text for name in REVIEWERS), text
        assert "Bruno" not in text and "Quill" not in text
    assert "Rapport d’évaluation du Conseil scientifique" in letter.body_text
    assert "a clear project" in letter.body_text and "a clear project" in letter.body_html
    # The other applicant has no report: their letter says nothing of one.
    assert "clear project" not in _mail("selection_decision_letter",
                                        other.applicant.email).body_text

    report = db.session.scalars(select(EvaluationReport)).one()
    assert report.is_sent and report.sent_by_id == world.hr.id
    # Read in the portal; the reports' own batch has nothing left to send.
    sign_in(client, target.applicant)
    page = client.get(f"/evaluation/mine/{target.id}").get_data(as_text=True)
    assert "a clear project" in page and not any(name in page for name in REVIEWERS)
    sign_in(client, world.chair)
    assert "No saved report is waiting" in _send_reports(client, world, follow=True)
    assert _report_mails() == 0


def test_a_report_sent_before_is_carried_again_and_not_sent_twice(client, ctx, mail):
    world = build(with_meeting=False)
    target = world.target
    target.status = ApplicationStatus.INTERVIEW
    db.session.commit()
    _save_draft(client, world.chair, target)
    _send_reports(client, world)
    db.session.expire_all()
    assert _report_mails() == 1
    sent_at = db.session.scalars(select(EvaluationReport)).one().sent_at

    sign_in(client, world.hr)
    post_form(client, f"/selection/applications/{target.id}/decision",
              {"outcome": "reject", "feedback": ""},
              page_url=f"/selection/calls/{world.call.id}/decisions")
    confirm(client, f"/selection/calls/{world.call.id}/letters/send")
    db.session.expire_all()
    letter = _mail("selection_decision_letter", target.applicant.email)
    assert "a clear project" in letter.body_text
    assert db.session.scalars(select(EvaluationReport)).one().sent_at == sent_at
    assert _report_mails() == 1


def test_the_stage_outcome_carries_the_report(client, auth, ctx, mail):
    call = staged.build(client, auth)
    stopped, going_on = call.applications[0], call.applications[1]
    reports.save_report(stopped, "The board found the synopsis too short.", by=call.hr)
    db.session.commit()
    auth.login(call.hr)
    staged.open_stage_two(client, call, call.applications[1:])
    outcome = _mail("stages_outcome", stopped.applicant.email)
    assert "The board found the synopsis too short." in outcome.body_text
    assert "Rapport d’évaluation du Conseil scientifique" in outcome.body_text  # in French
    assert "synopsis too short" not in _mail("stages_outcome",
                                             going_on.applicant.email).body_text
    assert db.session.scalars(select(EvaluationReport)).one().is_sent
