"""The parts of an interview visit: HR's programme page, the candidate's page and .ics."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.auth.models import Role
from icm_recruit.core.timeutil import to_zone
from icm_recruit.extensions import db
from icm_recruit.selection import interviews as ops
from icm_recruit.selection.visit_models import VisitPart
from tests.selection.factories import make_slot, quick_user, reviewed_application, selection_call
from tests.support import post_form

pytestmark = pytest.mark.services

FORMAT = "%Y-%m-%dT%H:%M"


@pytest.fixture
def world(ctx):
    call = selection_call()
    application = reviewed_application(call, "amina@example.org",
                                       status=ApplicationStatus.SHORTLISTED)
    hr = quick_user("hr@example.org", Role.ADMIN)
    panelist = quick_user("panel@example.org", Role.REVIEWER)
    slot = make_slot(call, [panelist], hour_utc=13)
    return {"call": call, "application": application, "hr": hr, "slot": slot}


def _calendar(message) -> str:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return part.get_payload(decode=True).decode("utf-8")


def _unfolded(calendar: str) -> str:
    return calendar.replace("\r\n ", "")


def _part(slot, hours_before: int, **values) -> dict:
    start = to_zone(slot.starts_at - timedelta(hours=hours_before))
    return {"kind": "seminar", "starts_at": start.strftime(FORMAT), "duration": "60",
            "place": "Amphitheatre B", "details": "", **values}


def test_a_booked_visit_gets_its_programme_in_the_ics_and_on_the_portal(world, client, auth,
                                                                        mail):
    slot, application = world["slot"], world["application"]
    ops.book(application, slot.id, by=world["hr"])
    db.session.commit()
    auth.login(world["hr"])
    url = f"/selection/slots/{slot.id}/visit"
    assert client.get(url).status_code == 200
    # A booked slot: HR is told who receives the new calendar entry first.
    first = post_form(client, url, _part(slot, 4))
    assert "receive the calendar entry again" in first.get_data(as_text=True)
    assert db.session.scalar(select(VisitPart.id)) is None
    assert post_form(client, url, {**_part(slot, 4), "confirm": "y"}).status_code == 302
    post_form(client, url, {**_part(slot, -2, kind="lab_visit", place="Lab 3.05",
                                     details="Imaging platform"), "confirm": "y"})
    calendar = _unfolded(_calendar(mail.to("amina@example.org")[-1]))
    assert "SEQUENCE:2" in calendar and "Programme (Europe/Paris):" in calendar
    assert "Seminar / Séminaire · Amphitheatre B" in calendar
    assert "Lab visit / Visite de laboratoire · Lab 3.05 · Imaging platform" in calendar
    assert calendar.count("BEGIN:VEVENT") == 1

    auth.logout()
    auth.login("amina@example.org")
    page = client.get(f"/applications/{application.id}/interview").get_data(as_text=True)
    assert "Your visit" in page and "Amphitheatre B" in page and "Imaging platform" in page

    # Removing a part sends the programme again, without it.
    auth.logout()
    auth.login(world["hr"])
    seminar = db.session.scalar(select(VisitPart).where(VisitPart.kind == "seminar"))
    assert post_form(client, url, {"remove": str(seminar.id), "confirm": "y"}).status_code == 302
    calendar = _unfolded(_calendar(mail.to("amina@example.org")[-1]))
    assert "SEQUENCE:3" in calendar and "Amphitheatre B" not in calendar


def test_a_part_far_from_the_interview_is_refused_keeping_what_was_typed(world, client,
                                                                          auth):
    auth.login(world["hr"])
    url = f"/selection/slots/{world['slot'].id}/visit"
    response = post_form(client, url, _part(world["slot"], 30, place="Room far away"))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "within 24 hours of the interview" in text and 'value="Room far away"' in text
    assert db.session.scalar(select(VisitPart.id)) is None


def test_only_hr_sees_the_programme_page(world, client, auth):
    auth.login("panel@example.org")
    assert client.get(f"/selection/slots/{world['slot'].id}/visit").status_code == 403


def test_the_invitation_mail_lists_the_parts_in_the_candidates_zone_and_language(world, client,
                                                                                auth, mail):
    slot, application = world["slot"], world["application"]
    applicant = application.applicant
    applicant.locale, applicant.timezone = "fr", "America/New_York"
    db.session.commit()
    auth.login(world["hr"])
    url = f"/selection/slots/{slot.id}/visit"
    assert post_form(client, url, _part(slot, 4)).status_code == 302  # not booked: no mail
    post_form(client, url, _part(slot, -2, kind="lab_visit", place="Lab 3.05",
                                 details="Imaging platform"))
    assert mail.to(applicant.email) == []
    response = post_form(client, f"/selection/applications/{application.id}/interview",
                         {"slot_id": str(slot.id)})
    assert response.status_code == 302
    [message] = [m for m in mail.to(applicant.email)
                 if any(p.get_content_type() == "text/calendar" for p in m.iter_attachments())]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Programme de la visite\u00a0:" in text
    seminar = to_zone(slot.starts_at - timedelta(hours=4), "America/New_York")
    assert f"- {seminar:%d/%m/%Y %H:%M} {seminar:%Z}–" in text
    assert "Séminaire · Amphitheatre B" in text
    assert "Visite de laboratoire · Lab 3.05 · Imaging platform" in text
    # The panel member reads it in English, in their own zone.
    [panel] = [m for m in mail.to("panel@example.org")
               if any(p.get_content_type() == "text/calendar" for p in m.iter_attachments())]
    panel_text = panel.get_body(preferencelist=("plain",)).get_content()
    assert "Programme of the visit:" in panel_text and "Seminar · Amphitheatre B" in panel_text
