"""Every user chooses their time zone in their account; pages and mails follow it."""

from datetime import UTC, datetime

import pytest
from flask_login import login_user
from sqlalchemy import select

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.assignment.models import Assignment, AssignmentOrigin, AssignmentStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.core.outbox import OutboxMessage, queue_mail
from icm_recruit.core.timeutil import paris_and_own, zone_groups
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.board.factories import make_member, quick_user, sign_in
from tests.support import csrf_from

pytestmark = pytest.mark.services

# Winter dates: New York is on EST (UTC-5), Paris on CET (UTC+1).
CLOSES_AT = datetime(2031, 1, 15, 17, 0, tzinfo=UTC)
DUE_AT = datetime(2031, 2, 2, 3, 30, tzinfo=UTC)


@pytest.fixture
def world(ctx):
    call = make_call()
    call.closes_at = CLOSES_AT
    applicant = quick_user("ada@example.org", Role.APPLICANT, name="Ada Lovelace")
    application = make_application(call, applicant, status=ApplicationStatus.UNDER_REVIEW,
                                   complete=True)
    member = make_member("helen@ucl.ac.uk", "Helen Brooks")
    reviewer = db.session.get(User, member.user_id)
    db.session.add(Assignment(application_id=application.id, reviewer_id=reviewer.id,
                              status=AssignmentStatus.ACTIVE, origin=AssignmentOrigin.MANUAL,
                              due_at=DUE_AT))
    db.session.commit()
    return {"call": call, "reviewer": reviewer}


def _save_profile(client, name: str, locale: str, zone: str):
    token = csrf_from(client.get("/account").get_data(as_text=True))
    return client.post("/account", data={
        "which": "profile", "profile-csrf_token": token, "profile-name": name,
        "profile-locale": locale, "profile-timezone": zone})


def test_account_page_offers_the_common_zones_first_with_paris_selected(client, world):
    sign_in(client, world["reviewer"])
    page = client.get("/account").get_data(as_text=True)
    assert 'name="profile-timezone"' in page
    assert '<option selected value="Europe/Paris">' in page
    assert page.index("Europe/Paris") < page.index("Africa/Abidjan")
    assert page.index("America/New_York") < page.index("Africa/Abidjan")
    assert 'value="Pacific/Auckland"' in page


def test_new_york_member_sees_deadline_and_due_date_in_new_york_time(client, world):
    reviewer, call = world["reviewer"], world["call"]
    sign_in(client, reviewer)
    response = _save_profile(client, "Helen Brooks", "en", "America/New_York")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, reviewer.id).timezone == "America/New_York"

    call_page = client.get(f"/calls/{call.slug}").get_data(as_text=True)
    assert "Deadline: 15/01/2031 12:00 EST" in call_page
    assert "18:00 CET" not in call_page
    due_page = client.get("/board/assignments").get_data(as_text=True)
    assert "01/02/2031 22:30 EST" in due_page
    assert "America/New_York" in due_page  # the footer names the zone in use


def test_french_pages_show_new_york_time_too(client, world):
    sign_in(client, world["reviewer"])
    assert _save_profile(client, "Helen Brooks", "fr", "America/New_York").status_code == 302
    call_page = client.get(f"/calls/{world['call'].slug}").get_data(as_text=True)
    assert "Date limite\u00a0: 15/01/2031 12:00 EST" in call_page
    due_page = client.get("/board/assignments").get_data(as_text=True)
    assert "01/02/2031 22:30 EST" in due_page
    account = client.get("/account").get_data(as_text=True)
    assert "Fuseau horaire" in account and "Fuseaux horaires courants" in account


def test_unknown_zone_is_refused_beside_the_field_and_the_typing_is_kept(client, world):
    reviewer = world["reviewer"]
    sign_in(client, reviewer)
    response = _save_profile(client, "Helen B. Brooks", "en", "Mars/Olympus_Mons")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="profile-timezone-errors"' in page
    assert "Choose a time zone from the list, such as Europe/Paris." in page
    assert '<option selected value="Mars/Olympus_Mons">' in page
    assert 'value="Helen B. Brooks"' in page
    db.session.expire_all()
    saved = db.session.get(User, reviewer.id)
    assert saved.timezone == "Europe/Paris" and saved.name == "Helen Brooks"


def test_unknown_zone_is_refused_in_french(client, world):
    sign_in(client, world["reviewer"])
    token = csrf_from(client.get("/account").get_data(as_text=True))
    client.post("/language", data={"locale": "fr", "next": "/account", "csrf_token": token})
    response = _save_profile(client, "Helen Brooks", "fr", "Nowhere/Else")
    page = response.get_data(as_text=True)
    assert "Choisissez un fuseau horaire dans la liste, par exemple Europe/Paris." in page
    assert "Non reconnu" in page


def test_a_mail_shows_the_recipients_zone_not_the_senders(app, world):
    reviewer = world["reviewer"]
    reviewer.timezone = "America/New_York"
    hr = quick_user("hr@icm.example.org", Role.ADMIN, name="HR person")  # Paris
    items = [{"reference": "ICM-2031-0001", "title": "Circuits", "due_at": DUE_AT.isoformat()}]
    with app.test_request_context():
        login_user(hr)
        queue_mail(to=reviewer.email, user=reviewer, template="board_assignments",
                   locale="en", key="tz-test", context={
                       "name": reviewer.name, "call_title_en": "Call", "call_title_fr": "Appel",
                       "assignments": items, "url": "https://example.org/board/assignments"})
    message = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.idempotency_key == "tz-test"))
    assert "review due on 01/02/2031" in message.body_text  # 02/02 in Paris
    assert "review due on 01/02/2031" in message.body_html


def test_paris_time_forms_show_the_viewers_own_time_beside(app):
    moment = datetime(2031, 3, 3, 13, 0, tzinfo=UTC)
    with app.test_request_context():
        assert paris_and_own(moment, "Europe/Paris") == "03/03/2031 14:00 CET"
        assert paris_and_own(moment, "America/New_York") \
            == "03/03/2031 14:00 CET (03/03/2031 08:00 EST in your time zone)"


def test_zone_list_has_no_duplicates_and_offers_a_legacy_current_zone(app):
    with app.test_request_context():
        groups = zone_groups("Common", current="US/Eastern")
    values = [value for choices in groups.values() for value, _label in choices]
    assert len(values) == len(set(values))
    assert values[0] == "US/Eastern" and "Etc/GMT+5" not in values


def test_hr_abroad_sees_paris_slots_with_their_own_time_beside(app, client, ctx):
    from tests.selection.factories import make_slot, selection_call
    from tests.selection.factories import quick_user as selection_user

    call = selection_call()
    hr = selection_user("hr.abroad@example.org", Role.ADMIN)
    panel = selection_user("panel@example.org", Role.REVIEWER)
    slot = make_slot(call, [panel])
    sign_in(client, hr)
    assert _save_profile(client, hr.name, "en", "America/New_York").status_code == 302
    page = client.get(f"/selection/calls/{call.id}/interviews").get_data(as_text=True)
    with app.test_request_context():
        paris = paris_and_own(slot.starts_at, "Europe/Paris")
        own = paris_and_own(slot.starts_at, "America/New_York")
    assert own != paris and own in page
    assert "in your time zone" in own and ("EST" in own or "EDT" in own)
