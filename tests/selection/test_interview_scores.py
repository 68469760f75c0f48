"""Interview scores: refused before the interview begins, the dossier at hand, and the
member's home page listing the interviews still to score."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.auth.models import Role
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.selection.models import Interview, InterviewScore, InterviewStatus
from tests.selection.factories import make_slot, quick_user, reviewed_application, selection_call
from tests.support import post_form

pytestmark = pytest.mark.services


@pytest.fixture
def booked(ctx):
    call = selection_call()
    application = reviewed_application(call, "amina@example.org",
                                       status=ApplicationStatus.INTERVIEW)
    panelist = quick_user("panel@example.org", Role.REVIEWER, name="Pat Panel")
    slot = make_slot(call, [panelist], days=2)
    interview = Interview(application_id=application.id, slot_id=slot.id,
                          status=InterviewStatus.BOOKED, booked_at=utcnow())
    db.session.add(interview)
    db.session.commit()
    return {"call": call, "interview": interview, "panelist": panelist, "slot": slot}


def _scores(call) -> dict:
    return {f"criterion-{c.id}": str(c.scale_max) for c in call.criteria}


def test_scores_are_refused_before_the_interview_begins(booked, client, auth):
    interview, url = booked["interview"], f"/panel/interviews/{booked['interview'].id}"
    auth.login(booked["panelist"])
    page = client.get(url).get_data(as_text=True)
    assert "once it has begun" in page and "<fieldset disabled>" in page
    response = post_form(client, url, {**_scores(booked["call"]), "comment": "Too early"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "The interview has not started yet" in text and "Too early" in text
    assert db.session.scalar(select(InterviewScore.id)) is None
    # Not on the home page's list to score either.
    assert "Score the interview" not in client.get("/").get_data(as_text=True)

    booked["slot"].starts_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert (f'Score the interview of <span class="text-nowrap">'
            f'{interview.application.reference}</span>') in home
    assert "Still to give" in client.get("/panel/interviews").get_data(as_text=True)
    response = post_form(client, url, {**_scores(booked["call"]), "comment": "Clear"})
    assert response.status_code == 302
    assert db.session.scalar(select(InterviewScore.comment)) == "Clear"
    assert "Score the interview" not in client.get("/").get_data(as_text=True)


def test_a_french_member_is_told_in_french(booked, client, auth):
    booked["panelist"].locale = "fr"
    db.session.commit()
    auth.login(booked["panelist"])
    url = f"/panel/interviews/{booked['interview'].id}"
    text = post_form(client, url, _scores(booked["call"])).get_data(as_text=True)
    assert "L’entretien n’a pas encore commencé" in text


def test_the_scoring_page_links_to_the_dossier_for_a_member_who_may_open_it(booked, client,
                                                                           auth):
    interview = booked["interview"]
    booked["panelist"].grant(Role.CHAIR)
    db.session.commit()
    auth.login(booked["panelist"])
    page = client.get(f"/panel/interviews/{interview.id}").get_data(as_text=True)
    dossier = f"/review/applications/{interview.application_id}"
    assert f'href="{dossier}"' in page
    assert client.get(dossier).status_code == 200


def test_every_panel_member_reads_the_dossier_from_the_scoring_page(booked, client, auth):
    interview = booked["interview"]
    auth.login(booked["panelist"])
    page = client.get(f"/panel/interviews/{interview.id}").get_data(as_text=True)
    pdf_url = f"/panel/interviews/{interview.id}/dossier.pdf"
    assert f'href="{pdf_url}"' in page
    response = client.get(pdf_url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    auth.logout()
    auth.login(quick_user("other@example.org", Role.REVIEWER))
    assert client.get(pdf_url).status_code == 403
