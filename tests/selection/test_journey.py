"""The selection journey through the web pages: shortlist, interview, decision, answer."""

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.auth.models import Role
from icm_recruit.core.audit import AuditEvent
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.selection.models import Decision, Interview, InterviewScore, InterviewSlot
from tests.selection.factories import confirm, quick_user, reviewed_application, selection_call
from tests.support import post_form

pytestmark = pytest.mark.services


def _reload(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def _ics(message) -> str:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "one .ics attachment"
    return parts[0].get_content() if isinstance(parts[0].get_content(), str) \
        else parts[0].get_content().decode()


def test_hr_takes_a_call_from_shortlist_to_an_accepted_offer(client, auth, mail, ctx):
    call = selection_call()
    hr = quick_user("hr@example.org", Role.ADMIN, name="Claire Martin")
    panelist = quick_user("panel@example.org", Role.REVIEWER, name="Prof. Rossi")
    chosen = reviewed_application(call, "amina@example.org", name="Amina Diallo", locale="fr")
    other = reviewed_application(call, "lucas@example.org", name="Lucas Schmidt")
    third = reviewed_application(call, "kim@example.org", name="Kim Lee")

    auth.login(hr)
    base = f"/selection/calls/{call.id}"
    page = client.get(f"{base}/shortlist")
    assert page.status_code == 200 and chosen.reference in page.get_data(as_text=True)

    # Bulk: two shortlisted, one not, each with a reason.
    response = post_form(client, f"{base}/shortlist",
                         {"application_id": [str(chosen.id), str(other.id)],
                          "outcome": "shortlisted", "reason": "Top of the ranking"},
                         page_url=f"{base}/shortlist")
    assert response.status_code == 302
    post_form(client, f"{base}/shortlist", {"application_id": str(third.id),
                                            "outcome": "rejected", "reason": "Out of scope"},
              page_url=f"{base}/shortlist")
    # Marks send nothing; the outcomes go out after HR confirms the summary.
    assert not mail.messages and _reload(Application, chosen.id).status is (
        ApplicationStatus.UNDER_REVIEW)
    confirm(client, f"{base}/outcomes")
    assert _reload(Application, chosen.id).status is ApplicationStatus.SHORTLISTED
    assert _reload(Application, third.id).status is ApplicationStatus.REJECTED
    assert len(mail.to("amina@example.org")) == 1
    assert "shortlisted" not in mail.to("kim@example.org")[0]["Subject"].lower()

    # A slot typed in Paris time (winter: UTC+1), with a panel.
    year = datetime.now().year + 1
    response = post_form(client, f"{base}/interviews",
                         {"starts_at": f"{year}-01-14T10:30", "duration": "45",
                          "location": "Room 2.14", "video_url": "", "panel": [str(panelist.id)]})
    assert response.status_code == 302, response.get_data(as_text=True)
    slot = db.session.scalar(select(InterviewSlot))
    assert slot.starts_at.isoformat() == f"{year}-01-14T09:30:00+00:00"

    asked = post_form(client, f"{base}/interviews/invite", {}, page_url=f"{base}/interviews")
    assert "Amina Diallo" in asked.get_data(as_text=True) and len(mail.messages) == 3
    post_form(client, f"{base}/interviews/invite", {"confirm": "y"},
              page_url=f"{base}/interviews")
    invite = mail.to("amina@example.org")[-1]
    book_url = re.search(r"http://localhost(/applications/\d+/interview)",
                         mail.text_of(invite)).group(1)

    # The applicant picks the slot herself.
    auth.logout()
    auth.login("amina@example.org")
    page = client.get(book_url).get_data(as_text=True)
    assert f'value="{slot.id}"' in page
    response = post_form(client, book_url, {"slot_id": str(slot.id)})
    assert response.status_code == 302
    assert _reload(Application, chosen.id).status is ApplicationStatus.INTERVIEW
    calendar = _ics(mail.to("amina@example.org")[-1])
    assert f"DTSTART:{year}0114T093000Z" in calendar and "DTEND:" in calendar
    assert f"DTEND:{year}0114T101500Z" in calendar and "SEQUENCE:0" in calendar
    assert _ics(mail.to("panel@example.org")[-1]).count("BEGIN:VEVENT") == 1

    # The panel member scores the interview, once it has begun.
    interview = db.session.scalar(select(Interview).where(
        Interview.application_id == chosen.id))
    interview.slot.starts_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    criterion = call.criteria[0]
    auth.logout()
    auth.login(panelist)
    assert chosen.reference in client.get("/panel/interviews").get_data(as_text=True)
    response = post_form(client, f"/panel/interviews/{interview.id}",
                         {f"criterion-{criterion.id}": "4", "comment": "Clear vision"})
    assert response.status_code == 302
    assert db.session.scalar(select(InterviewScore.score)) == 4

    # HR records an offer, previews the letter in French, sends the batch.
    auth.logout()
    auth.login(hr)
    response = post_form(client, f"/selection/applications/{chosen.id}/decision",
                         {"outcome": "offer", "feedback": "Le conseil a apprécié votre projet."},
                         page_url=f"{base}/decisions")
    assert response.status_code == 302
    preview = client.get(f"/selection/applications/{chosen.id}/letter").get_data(as_text=True)
    assert "Amina Diallo" in preview and "apprécié votre projet" in preview
    assert "Chefs d&#39;équipe 2027" in preview
    response = confirm(client, f"{base}/letters/send")
    assert response.status_code == 302
    letters = [m for m in mail.to("amina@example.org") if "proposition" in m["Subject"]]
    assert len(letters) == 1
    decision = db.session.scalar(select(Decision))
    assert _reload(Decision, decision.id).sent_at is not None
    assert _reload(Application, chosen.id).status is ApplicationStatus.OFFERED

    # The applicant reads the decision in the portal and accepts.
    auth.logout()
    auth.login("amina@example.org")
    portal = f"/applications/{chosen.id}/decision"
    assert "apprécié votre projet" in client.get(portal).get_data(as_text=True)
    response = post_form(client, portal, {"answer": "accept"})
    assert response.status_code == 302
    assert _reload(Application, chosen.id).status is ApplicationStatus.ACCEPTED
    assert any("accepted" in m["Subject"].lower() for m in mail.to("hr@example.org"))

    auth.logout()
    auth.login(hr)
    assert "Accepted" in client.get(f"{base}/decisions").get_data(as_text=True)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"application.shortlisted", "application.rejected", "interview_slot.created",
            "interview.invited", "interview.booked", "interview.scored", "decision.recorded",
            "decision.letter_sent", "decision.offer_answered"} <= actions
