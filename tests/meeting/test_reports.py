"""Evaluation reports through HTTP: the draft names no reviewer, a text naming one is
refused, the confirmed sending mails each applicant once however often the job runs, and
the applicant reads the report on their application page."""

import re

import pytest
from sqlalchemy import func, select

from icm_recruit.core.jobs import JobKind, JobRun, JobStatus
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.extensions import db
from icm_recruit.meeting.models import EvaluationReport
from icm_recruit.meeting.tasks import send_evaluation_reports
from tests.meeting.factories import build
from tests.reviews.helpers import sign_in
from tests.support import post_form

pytestmark = pytest.mark.services


def _names(world):
    return [r.name for r in world.reviewers] + ["Ada Quill", "Bruno Vance"]


def _record_consensus(client, world, application, text):
    item = world.item_of(application)
    meeting = f"/meeting/{world.meeting.id}"
    post_form(client, f"{meeting}/pointer", {"item_id": item.id}, page_url=meeting)
    post_form(client, f"/meeting/items/{item.id}/record",
              {"outcome": "shortlist", "consensus": text}, page_url=meeting)


def _report_mails():
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.template == "meeting_evaluation_report"))


def test_draft_joins_consensus_and_feedback_without_reviewer_names(client, ctx):
    world = build()
    sign_in(client, world.chair)
    _record_consensus(client, world, world.target, "The board admired the ambition.")
    page = client.get(f"/evaluation/applications/{world.target.id}").get_data(as_text=True)
    assert "The board admired the ambition." in page
    assert "Reviewer 1" in page and "Reviewer 2" in page and "a clear project." in page
    for name in _names(world):
        assert name not in page
    assert db.session.scalar(select(func.count()).select_from(EvaluationReport)) == 0


def test_a_report_naming_a_reviewer_is_refused_with_the_text_kept(client, ctx):
    world = build()
    sign_in(client, world.chair)
    url = f"/evaluation/applications/{world.target.id}"
    text = "As prof. ada QUILL wrote, the project is strong."
    response = post_form(client, url, {"body": text})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The report names a reviewer" in page and "the project is strong" in page
    assert db.session.scalar(select(func.count()).select_from(EvaluationReport)) == 0


def _send(client, world):
    url = f"/evaluation/calls/{world.call.id}"
    page = client.get(url).get_data(as_text=True)
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="(\w+)"', page).group(1)
    return post_form(client, f"{url}/send", {"fingerprint": fingerprint}, page_url=url)


def test_reports_are_sent_once_even_when_the_job_runs_twice(client, ctx, mail):
    world = build()
    sign_in(client, world.chair)
    for application in world.applications[:2]:
        post_form(client, f"/evaluation/applications/{application.id}",
                  {"body": f"Report for {application.reference}: well argued."})
    page = client.get(f"/evaluation/calls/{world.call.id}").get_data(as_text=True)
    assert "Confirm to send 2 reports" in page
    assert _send(client, world).status_code == 302
    assert _report_mails() == 2
    job = db.session.scalars(select(JobRun).where(
        JobRun.kind == JobKind.EVALUATION_REPORTS)).one()
    assert job.status == JobStatus.DONE and job.result["sent"] == 2
    # The same job again, then a job forced to run from scratch: nothing more is sent.
    assert send_evaluation_reports(job.id) == "skipped"
    job.status = JobStatus.FAILED
    db.session.commit()
    assert send_evaluation_reports(job.id) == "done"
    assert _report_mails() == 2
    assert len(mail.to(world.target.applicant.email)) == 1
    body = mail.text_of(mail.to(world.target.applicant.email)[0])
    assert f"Report for {world.target.reference}" in body
    for name in _names(world):
        assert name not in body
    # Sent reports no longer change.
    again = post_form(client, f"/evaluation/applications/{world.target.id}",
                      {"body": "A new text."})
    assert again.status_code in (200, 422)
    report = db.session.scalars(select(EvaluationReport).where(
        EvaluationReport.application_id == world.target.id)).one()
    assert report.body.startswith("Report for")


def test_the_confirmation_applies_only_to_what_was_shown(client, ctx):
    world = build()
    sign_in(client, world.chair)
    post_form(client, f"/evaluation/applications/{world.target.id}", {"body": "First."})
    response = post_form(client, f"/evaluation/calls/{world.call.id}/send",
                         {"fingerprint": "stale"}, page_url=f"/evaluation/calls/{world.call.id}",
                         follow_redirects=True)
    assert "The reports changed since you opened the summary" in response.get_data(True)
    assert _report_mails() == 0


def test_applicant_reads_the_report_in_the_portal(client, app, ctx):
    world = build()
    chair = app.test_client()
    sign_in(chair, world.chair)
    post_form(chair, f"/evaluation/applications/{world.target.id}",
              {"body": "Your project impressed the board."})
    applicant = world.target.applicant
    sign_in(client, applicant)
    status_page = f"/applications/{world.target.id}/status"
    assert "Evaluation report" not in client.get(status_page).get_data(as_text=True)
    assert client.get(f"/evaluation/mine/{world.target.id}").status_code == 404
    _send(chair, world)
    assert "/evaluation/mine/" in client.get(status_page).get_data(as_text=True)
    page = client.get(f"/evaluation/mine/{world.target.id}").get_data(as_text=True)
    assert "Your project impressed the board." in page
    other = world.applications[1].applicant
    sign_in(client, other)
    assert client.get(f"/evaluation/mine/{world.target.id}").status_code == 404
