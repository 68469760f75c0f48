"""A call in two stages through HTTP: marks send nothing, the confirmed batch advances three
applicants and tells two once, the second stage takes its own part by its own deadline,
and assignment, review form, k and ranking belong to the stage."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from icm_recruit.applications.models import (
    Application,
    ApplicationStage,
    ApplicationStatus,
    StageProgress,
)
from icm_recruit.assignment.models import Assignment
from icm_recruit.assignment.operations import propose_assignment
from icm_recruit.calls.models import Call
from icm_recruit.core.jobs import JobKind, JobRun
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.selection.ranking import build_snapshot
from icm_recruit.stages.tasks import send_stage_outcomes
from tests.applications.factories import make_pdf
from tests.reviews.helpers import full_review
from tests.selection.factories import confirm
from tests.stages import factories
from tests.support import csrf_from, post_form

pytestmark = pytest.mark.services


_mark = factories.mark


def _fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def _upload(client, application, data=None):
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    return client.post(f"/applications/{application.id}/stage/documents", data={
        "csrf_token": csrf_from(page), "kind": "full_proposal",
        "file": (io.BytesIO(data or make_pdf(3)), "proposal.pdf")},
        content_type="multipart/form-data", follow_redirects=True)


def _send(client, application, **extra):
    return post_form(client, f"/applications/{application.id}/stage/send",
                     {"confirm": "y", **extra}, page_url=f"/applications/{application.id}",
                     follow_redirects=True)


@pytest.fixture
def staged(ctx, client, auth):
    return factories.build(client, auth)


def test_hr_defines_a_second_stage_with_its_own_form_and_k(client, staged):
    call = _fresh(Call, staged.call.id)
    assert call.is_staged and call.stage_count == 2 and call.current_stage == 1
    second = call.stage(2)
    assert second.name_fr == "Candidature complète" and call.k_of(2) == 2 and call.k_of(1) == 3
    assert [c.name_en for c in call.criteria_of(2)] == ["Feasibility"]
    assert [c.name_en for c in call.criteria_of(1)] == ["Excellence"]
    assert second.rules()["full_proposal"]["required"] is True
    page = client.get(f"/stages/calls/{call.id}").get_data(as_text=True)
    assert "Full application" in page and "current stage" in page


def test_a_later_stage_without_its_deadline_is_refused_keeping_what_was_typed(client, staged):
    response = factories.add_stage_two(client, staged.call, closes_at="",
                                       name_en="Interview visit")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Give the deadline of the applicant" in page and 'value="Interview visit"' in page
    assert len(_fresh(Call, staged.call.id).stages) == 2


def test_two_stages_end_to_end(client, auth, mail, staged):
    call, apps = staged.call, staged.applications
    build_snapshot(call, by=staged.hr)
    db.session.commit()
    advancing, stopping = apps[:3], apps[3:]
    outbox_before = db.session.scalar(select(func.count(OutboxMessage.id)))

    # Marks in bulk with one reason: nothing is sent, nothing moves.
    assert _mark(client, call, advancing, "advance").status_code == 302
    assert _mark(client, call, stopping, "stop", reason="Outside the call's scope").status_code \
        == 302
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == outbox_before
    assert _fresh(Application, apps[0].id).stage == 1
    page = client.get(f"/stages/calls/{call.id}/outcomes").get_data(as_text=True)
    assert "3 applicants go on to the next stage" in page
    assert "2 applicants do not go on and receive the outcome letter" in page
    assert "Confirm to tell 5 applicants" in page
    assert "n’a pas retenu votre candidature" in page  # the French preview
    assert mail.messages == []

    confirm(client, f"/stages/calls/{call.id}/outcomes")
    db.session.expire_all()
    assert _fresh(Call, call.id).current_stage == 2
    for application in advancing:
        row = _fresh(Application, application.id)
        assert row.stage == 2 and row.status is ApplicationStatus.UNDER_REVIEW
    for application in stopping:
        row = _fresh(Application, application.id)
        assert row.stage == 1 and row.status is ApplicationStatus.REJECTED
    assert len(mail.to("cand3@example.org")) == 1 and len(mail.to("cand0@example.org")) == 1
    assert "not selected your application" in mail.text_of(mail.to("cand3@example.org")[0])

    # The batch run again sends nothing more.
    sent = len(mail.messages)
    job = db.session.scalar(select(JobRun).where(JobRun.kind == JobKind.STAGE_OUTCOMES))
    job.status = job.status.__class__.FAILED
    db.session.commit()
    send_stage_outcomes(job.id)
    assert len(mail.messages) == sent

    # Stage 2: the applicant sees what is asked, sends it by the deadline.
    first, second, third = advancing
    auth.login(first.applicant)
    status = client.get(f"/applications/{first.id}").get_data(as_text=True)
    assert "Candidature complète" in status and "Envoyez le projet de recherche complet" in status
    home = client.get("/").get_data(as_text=True)
    assert "Retenu pour l’étape «\u00a0Candidature complète\u00a0»" in home  # in French
    refused = _send(client, first).get_data(as_text=True)
    assert "pas encore complète" in refused or "not complete yet" in refused
    uploaded = _upload(client, first).get_data(as_text=True)
    assert "Projet de recherche complet" in uploaded and "3 pages" in uploaded
    _send(client, first)
    entry = db.session.scalar(select(ApplicationStage).where(
        ApplicationStage.application_id == first.id, ApplicationStage.stage == 2))
    assert entry.progress is StageProgress.SUBMITTED and entry.submitted_at is not None
    assert len(mail.to("cand0@example.org")) == 2  # the receipt

    auth.login(second.applicant)
    _upload(client, second)
    _send(client, second)
    assert "under review by the Scientific Advisory Board" in client.get("/").get_data(
        as_text=True)
    auth.login(stopping[0].applicant)
    assert "Not selected for the next stage." in client.get("/").get_data(as_text=True)

    # The third misses the deadline: refused on the server, then recorded as missed.
    stage = _fresh(Call, call.id).stage(2)
    stage.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    auth.login(third.applicant)
    late = _upload(client, third).get_data(as_text=True)
    assert "The deadline of this stage has passed" in late
    from icm_recruit.applications.stage_part import record_missed_parts

    assert record_missed_parts() == 1
    db.session.commit()
    missed = db.session.scalar(select(ApplicationStage).where(
        ApplicationStage.application_id == third.id, ApplicationStage.stage == 2))
    assert missed.progress is StageProgress.MISSED

    # Stage-2 assignment: only the parts sent in, k of the stage, conflicts carried over.
    summary = propose_assignment(_fresh(Call, call.id), by=staged.hr)
    db.session.commit()
    assert summary["stage"] == 2 and summary["k"] == 2
    stage_two = list(db.session.scalars(select(Assignment).where(Assignment.stage == 2)))
    assert {a.application_id for a in stage_two} == {first.id, second.id}
    assert all(a.reviewer_id != staged.conflicted.id or a.application_id != first.id
               for a in stage_two)
    per_application = {}
    for a in stage_two:
        per_application[a.application_id] = per_application.get(a.application_id, 0) + 1
    assert set(per_application.values()) == {2}
    # The stage-1 assignments are kept as they were.
    assert db.session.scalar(select(func.count(Assignment.id)).where(
        Assignment.stage == 1)) == 10

    # Stage-2 reviews use the stage's own form (a 1-10 scale), then the stage-2 ranking.
    call = _fresh(Call, call.id)
    [feasibility] = call.criteria_of(2)
    for a in stage_two:
        a.status = a.status.__class__.ACTIVE
    db.session.commit()
    for a in sorted(stage_two, key=lambda a: (a.application_id, a.id)):
        auth.login(a.reviewer)
        url = f"/review/assignments/{a.id}"
        form = client.get(url).get_data(as_text=True)
        assert "Feasibility" in form and "Excellence" not in form
        wrong = post_form(client, url, {**full_review(call), "action": "submit"})
        assert wrong.status_code == 422  # the first stage's form is not this stage's
        score = 9 if a.application_id == second.id else 6
        done = post_form(client, url, {f"score_{feasibility.id}": str(score),
                                       "recommendation": "interview", "confidence": "4",
                                       "comments_to_board": "Solid full proposal.",
                                       "feedback_for_applicant": "Clear plan.",
                                       "action": "submit"})
        assert done.status_code == 302
    snapshot = build_snapshot(call, by=staged.hr)
    db.session.commit()
    assert snapshot.stage == 2
    assert [r.application_id for r in snapshot.rows] == [second.id, first.id]
    auth.login(staged.hr)
    ranking = client.get(f"/selection/calls/{call.id}/ranking").get_data(as_text=True)
    assert "Stage 2 of 2: Full application" in ranking
    # The first stage stands beside the second: its rank, score and verdict.
    assert ">Long list</th>" in ranking and "#1 of 5" in ranking and "#2 of 5" in ranking
    assert "Goes on to the next stage" in ranking
    shortlist = client.get(f"/selection/calls/{call.id}/shortlist").get_data(as_text=True)
    assert ">Long list</th>" in shortlist and "#2 of 5" in shortlist
    assert apps[3].reference not in ranking  # stopped at stage 1: not in stage 2's ranking


def test_a_mark_on_an_application_outside_the_stage_is_refused(client, staged):
    call, apps = staged.call, staged.applications
    apps[4].status = ApplicationStatus.REJECTED
    db.session.commit()
    response = _mark(client, call, [apps[4]], "advance")
    assert response.status_code == 302
    page = client.get(f"/stages/calls/{call.id}/decide").get_data(as_text=True)
    assert f"{apps[4].reference} is not at the stage being decided" in page
    assert db.session.scalar(select(func.count(ApplicationStage.id))) == 0


def test_outcomes_are_refused_while_an_application_has_no_mark(client, mail, staged):
    call, apps = staged.call, staged.applications
    _mark(client, call, apps[:4], "advance")
    page = client.get(f"/stages/calls/{call.id}/outcomes").get_data(as_text=True)
    assert "1 application of this stage has no mark yet" in page
    fingerprint = page.split('name="fingerprint" type="hidden" value="')[1].split('"')[0] \
        if 'name="fingerprint"' in page else ""
    response = post_form(client, f"/stages/calls/{call.id}/outcomes",
                         {"fingerprint": fingerprint}, follow_redirects=True)
    assert "have no mark yet" in response.get_data(as_text=True)
    assert mail.messages == [] and _fresh(Call, call.id).current_stage == 1


_open_stage_two = factories.open_stage_two


def test_institution_chosen_referees_stay_unknown_to_the_applicant(client, auth, mail, staged):
    call, apps = staged.call, staged.applications
    first = apps[0]
    _open_stage_two(client, staged, apps[:3])
    listing = client.get(f"/stages/calls/{call.id}/letters").get_data(as_text=True)
    assert first.reference in listing
    url = f"/stages/applications/{first.id}/letters"
    asked = post_form(client, url, {"referee-name": "Prof. Hidden Referee",
                                    "referee-email": "hidden@example.org",
                                    "referee-institution": "EMBL", "referee-locale": "en"})
    assert asked.status_code == 302
    assert "Prof. Hidden Referee" in client.get(url).get_data(as_text=True)
    twice = post_form(client, url, {"referee-name": "Again", "referee-email": "HIDDEN@example.org",
                                    "referee-institution": "EMBL", "referee-locale": "en"})
    assert twice.status_code == 422 and "already asked" in twice.get_data(as_text=True)
    [request_mail] = mail.to("hidden@example.org")
    assert "did not choose you" in mail.text_of(request_mail)
    path = mail.last_link("hidden@example.org").replace("http://localhost", "")
    mails_to_applicant = len(mail.to(first.applicant.email))

    page = client.get(path).get_data(as_text=True)
    client.post(path, data={"letter-csrf_token": csrf_from(page), "action": "upload",
                            "letter-file": (io.BytesIO(make_pdf(1)), "l.pdf")})
    # The applicant gets no mail naming the referee; their page says only that it came.
    assert len(mail.to(first.applicant.email)) == mails_to_applicant
    auth.login(first.applicant)
    for page_url in (f"/applications/{first.id}", f"/applications/{first.id}/status"):
        text = client.get(page_url).get_data(as_text=True)
        assert "Hidden" not in text and "hidden@example.org" not in text
    portal = client.get(f"/applications/{first.id}").get_data(as_text=True)
    assert "Une lettre a été demandée par l’Institut du Cerveau" in portal and "reçue le" in portal
    export = client.get("/account/my-data.zip")
    assert export.status_code == 200
    import zipfile

    with zipfile.ZipFile(io.BytesIO(export.data)) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"hidden@example.org" not in everything and b"Hidden Referee" not in everything


def test_a_review_of_an_earlier_stage_is_kept_and_shown_read_only(client, auth, staged):
    apps = staged.applications
    _open_stage_two(client, staged, apps[:3])
    member = staged.members[0]
    old = db.session.scalar(select(Assignment).where(
        Assignment.application_id == apps[1].id, Assignment.reviewer_id == member.id))
    auth.login(member)
    form = client.get(f"/review/assignments/{old.id}").get_data(as_text=True)
    assert "kept as they were and can no longer change" in form
    dossier = client.get(f"/review/applications/{apps[1].id}").get_data(as_text=True)
    assert "Earlier stages" in dossier and "Goes on to the next stage" in dossier


def test_a_referee_the_institution_chose_is_reminded_in_their_own_words(
        client, auth, mail, staged):
    from icm_recruit.applications.models import RefereeRequest
    from icm_recruit.applications.referees import send_referee_reminders

    apps = staged.applications
    _open_stage_two(client, staged, apps[:3])
    for application, email in ((apps[0], "chosen@example.org"), (apps[1], "other@example.org")):
        assert post_form(client, f"/stages/applications/{application.id}/letters", {
            "referee-name": "Prof. Chosen", "referee-email": email,
            "referee-institution": "EMBL", "referee-locale": "en"}).status_code == 302
    requests = list(db.session.scalars(select(RefereeRequest).where(
        RefereeRequest.chosen_by_institution.is_(True))))
    for request in requests:
        request.sent_at = utcnow() - timedelta(days=8)
    # The second application left the stage (withdrawn): its referee is left alone.
    db.session.get(Application, apps[1].id).status = ApplicationStatus.WITHDRAWN
    db.session.commit()
    to_applicant = len(mail.to(apps[0].applicant.email))

    assert send_referee_reminders() == 1
    db.session.commit()
    [_request, reminder] = mail.to("chosen@example.org")
    text = mail.text_of(reminder)
    assert "asked you for a confidential assessment" in text and "has not received" in text
    assert "call closes" not in text
    assert mail.last_link("chosen@example.org") != ""
    assert len(mail.to("other@example.org")) == 1  # the request only
    assert len(mail.to(apps[0].applicant.email)) == to_applicant
    assert send_referee_reminders() == 0  # not again within the week
