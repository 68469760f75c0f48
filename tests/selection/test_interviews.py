"""Interview slots: conflicts, calendar updates and cancellations, reminders, the race."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.selection import interviews as ops
from icm_recruit.selection.models import Interview, InterviewSlot, InterviewStatus
from icm_recruit.selection.operations import SelectionError
from tests.selection.factories import (
    make_conflict,
    make_slot,
    quick_user,
    reviewed_application,
    selection_call,
)
from tests.support import post_form

pytestmark = pytest.mark.services


def _calendar(message) -> str:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    content = part.get_content()
    return content if isinstance(content, str) else content.decode()


@pytest.fixture
def people(ctx):
    return {"hr": quick_user("hr@example.org", Role.ADMIN),
            "panel": quick_user("panel@example.org", Role.REVIEWER),
            "second": quick_user("second@example.org", Role.CHAIR, Role.REVIEWER)}


def _shortlisted(call, email="amina@example.org"):
    return reviewed_application(call, email, status=ApplicationStatus.SHORTLISTED)


def test_a_conflicted_panel_member_is_never_put_before_the_applicant(people, client, auth):
    call = selection_call()
    application = _shortlisted(call)
    make_conflict(people["panel"], application)
    conflicted_slot = make_slot(call, [people["panel"]])
    clean_slot = make_slot(call, [people["second"]], days=6)
    assert ops.open_slots_for(application) == [clean_slot]
    with pytest.raises(SelectionError) as refused:
        ops.book(application, conflicted_slot.id, by=people["hr"])
    assert refused.value.code == "panel_conflict"
    db.session.rollback()
    ops.book(application, clean_slot.id, by=people["hr"])
    db.session.commit()
    # Nor can HR add the conflicted member to the booked slot afterwards.
    auth.login(people["hr"])
    slot = db.session.get(InterviewSlot, clean_slot.id)
    local = slot.starts_at + timedelta(hours=1)
    response = post_form(client, f"/selection/slots/{slot.id}/edit", {
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"), "duration": "45", "location": "Room 1",
        "video_url": "", "panel": [str(people["second"].id), str(people["panel"].id)]})
    assert "conflict of interest" in response.get_data(as_text=True)
    db.session.expire_all()
    assert slot.panel_ids == {people["second"].id}


def test_changes_send_updated_invitations_and_cancellations(people, mail):
    call = selection_call()
    application = _shortlisted(call)
    slot = make_slot(call, [people["panel"]])
    interview = ops.book(application, slot.id, by=people["hr"])
    db.session.commit()
    first = _calendar(mail.to("amina@example.org")[-1])
    assert "METHOD:REQUEST" in first and "SEQUENCE:0" in first

    new_start = slot.starts_at + timedelta(hours=2)
    ops.update_slot(slot, starts_at=new_start, duration=60, location="Room 3",
                    video_url="", panel_ids=[people["second"].id], by=people["hr"])
    db.session.commit()
    update = _calendar(mail.to("amina@example.org")[-1])
    assert "SEQUENCE:1" in update and new_start.strftime("DTSTART:%Y%m%dT%H%M%SZ") in update
    assert "LOCATION:Room 3" in update
    removed = _calendar(mail.to("panel@example.org")[-1])
    assert "METHOD:CANCEL" in removed and "SEQUENCE:1" in removed
    assert "METHOD:REQUEST" in _calendar(mail.to("second@example.org")[-1])

    ops.cancel_interview(interview, by=people["hr"])
    db.session.commit()
    cancel = _calendar(mail.to("amina@example.org")[-1])
    assert "METHOD:CANCEL" in cancel and "SEQUENCE:2" in cancel and "STATUS:CANCELLED" in cancel
    uid = next(line for line in first.splitlines() if line.startswith("UID:"))
    assert uid in cancel and uid in update
    db.session.expire_all()
    assert db.session.get(Application, application.id).status is ApplicationStatus.SHORTLISTED
    assert db.session.get(Interview, interview.id).status is InterviewStatus.CANCELLED


def test_reminders_go_once_the_day_before(people, mail):
    call = selection_call()
    application = _shortlisted(call)
    slot = make_slot(call, [people["panel"]], days=1)
    ops.book(application, slot.id, by=people["hr"])
    db.session.commit()
    now = slot.starts_at - timedelta(hours=20)
    assert ops.send_reminders(now) == 1
    db.session.commit()
    assert ops.send_reminders(now + timedelta(hours=1)) == 0
    db.session.commit()
    reminders = [m for m in mail.to("amina@example.org") if "Reminder" in m["Subject"]]
    assert len(reminders) == 1
    assert any("Reminder" in m["Subject"] for m in mail.to("panel@example.org"))


def test_applicant_sees_only_their_own_booking_page(people, client, auth):
    call = selection_call()
    mine, theirs = _shortlisted(call), _shortlisted(call, "lucas@example.org")
    ops.invite_to_book(call, by=people["hr"])
    db.session.commit()
    auth.login("amina@example.org")
    assert client.get(f"/applications/{theirs.id}/interview").status_code == 403
    assert client.get(f"/applications/{mine.id}/interview").status_code == 200


def test_two_applicants_clicking_the_same_slot_get_one_booking(app, committed_db, mail):
    with app.app_context():
        call = selection_call()
        hr = quick_user("hr@example.org", Role.ADMIN)
        panel = quick_user("panel@example.org", Role.REVIEWER)
        applications = [_shortlisted(call, f"racer{i}@example.org") for i in range(2)]
        slot = make_slot(call, [panel])
        ops.invite_to_book(call, by=hr)
        db.session.commit()
        ids = [(a.id, a.applicant_id) for a in applications]
        slot_id = slot.id

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def click(application_id: int, user_id: int) -> None:
        with app.app_context():
            application = db.session.get(Application, application_id)
            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                ops.book(application, slot_id, by=user)
                db.session.commit()
                outcomes.append("booked")
            except SelectionError as exc:
                db.session.rollback()
                outcomes.append(exc.code)

    threads = [threading.Thread(target=click, args=pair) for pair in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["booked", "slot_taken"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Interview.id)).where(
            Interview.slot_id == slot_id)) == 1


def test_summer_time_typed_in_paris_is_stored_and_sent_in_utc(people, client, auth, mail):
    call = selection_call()
    application = _shortlisted(call)
    auth.login(people["hr"])
    year = utcnow().year + 1
    response = post_form(client, f"/selection/calls/{call.id}/interviews", {
        "starts_at": f"{year}-07-01T10:00", "duration": "30", "location": "",
        "video_url": "https://meet.example.org/icm", "panel": [str(people["panel"].id)]})
    assert response.status_code == 302
    slot = db.session.scalar(select(InterviewSlot))
    assert slot.starts_at.isoformat() == f"{year}-07-01T08:00:00+00:00"
    ops.book(application, slot.id, by=people["hr"])
    db.session.commit()
    message = mail.to("amina@example.org")[-1]
    calendar = _calendar(message)
    assert f"DTSTART:{year}0701T080000Z" in calendar
    assert f"DTEND:{year}0701T083000Z" in calendar
    assert "URL:https://meet.example.org/icm" in calendar
    assert f"01/07/{year} 10:00 CEST" in mail.text_of(message)
