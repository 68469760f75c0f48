"""The meeting through HTTP: creation and invitations, the pointer every page follows, the
out-of-room rule on every meeting URL, the record kept across expired pages, minutes."""

import io
import re
import time

import pytest
from pypdf import PdfReader

from icm_recruit.board import operations as board_ops
from icm_recruit.core.outbox import OutboxMessage
from icm_recruit.extensions import db
from icm_recruit.meeting.models import AgendaItem, Meeting, MeetingDeparture
from tests.meeting.factories import build, secrets_of
from tests.reviews.helpers import sign_in
from tests.support import csrf_from, post_form

pytestmark = pytest.mark.services


def _point(client, world, application):
    item = world.item_of(application)
    url = f"/meeting/{world.meeting.id}"
    return post_form(client, f"{url}/pointer", {"item_id": item.id}, page_url=url)


def _page(client, url):
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def _assert_hidden(text, world):
    for secret in secrets_of(world):
        assert secret not in text, f"{secret!r} reached a member out of the room"


def test_creating_a_meeting_invites_each_member_with_a_calendar_file(client, ctx, mail):
    world = build(with_meeting=False)
    sign_in(client, world.chair)
    url = f"/meeting/calls/{world.call.id}/new"
    page = client.get(url).get_data(as_text=True)
    assert "Plan the meeting" in page
    members = [world.chair.id, world.member.id, world.conflicted.id]
    response = post_form(client, url, {
        "starts_at": "2027-03-01T14:00", "duration": "120", "location": "Salle du conseil",
        "video_url": "", "snapshot": str(world.snapshot.id),
        "members": [str(m) for m in members]})
    assert response.status_code == 302
    meeting = db.session.scalars(db.select(Meeting)).one()
    assert sorted(meeting.member_ids) == sorted(members)
    assert len(meeting.items) == len(world.applications)
    rows = db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.template == "meeting_invitation")).all()
    assert sorted(r.user_id for r in rows) == sorted(members)
    ics = rows[0].attachments[0]["content"]
    assert "BEGIN:VEVENT" in ics and "LOCATION:Salle du conseil" in ics
    assert f"UID:meeting-{meeting.id}@" in ics
    assert len(mail.to(world.member.email)) == 1


def test_meeting_without_place_keeps_the_typing_and_says_why(client, ctx):
    world = build(with_meeting=False)
    sign_in(client, world.chair)
    url = f"/meeting/calls/{world.call.id}/new"
    response = post_form(client, url, {
        "starts_at": "2027-03-01T14:00", "duration": "95", "location": "", "video_url": "",
        "snapshot": str(world.snapshot.id), "members": [str(world.member.id)]})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Give a place or a video link." in text and 'value="95"' in text
    assert db.session.scalars(db.select(Meeting)).first() is None


def test_member_pages_follow_the_pointer_and_hide_the_conflicted_item(app, ctx):
    world = build()
    chair, member, conflicted = (app.test_client() for _ in range(3))
    sign_in(chair, world.chair)
    sign_in(member, world.member)
    sign_in(conflicted, world.conflicted)
    url = f"/meeting/{world.meeting.id}"
    assert _point(chair, world, world.target).status_code == 302
    # The chair moves the pointer with buttons that say what they do; members get none.
    status, text = _page(chair, url)
    assert ">Discuss now</button>" in text
    # Its accessible name begins with what it shows.
    assert re.search(r'aria-label="Discuss now: item \d+"', text)
    status, text = _page(member, url)
    assert status == 200 and world.target.applicant.name in text
    assert "Discuss now" not in text
    assert f"Board note on {world.target.reference}" in text
    for path in (url, f"{url}/live", f"{url}/live?state=x"):
        status, text = _page(conflicted, path)
        assert status == 200 and "You are out of the room for this item" in text
        _assert_hidden(text, world)
    # Back in the room at the next item, on the same polling URL.
    _point(chair, world, world.applications[1])
    status, text = _page(conflicted, f"{url}/live")
    assert "out of the room for this item" not in text
    assert world.applications[1].applicant.name in text


def test_polling_answers_no_content_until_something_changes(app, ctx):
    world = build()
    chair, member = app.test_client(), app.test_client()
    sign_in(chair, world.chair)
    sign_in(member, world.member)
    url = f"/meeting/{world.meeting.id}/live"
    text = member.get(url).get_data(as_text=True)
    state = re.search(r'data-state="(\w+)"', text).group(1)
    assert member.get(f"{url}?state={state}").status_code == 204
    _point(chair, world, world.target)
    changed = member.get(f"{url}?state={state}")
    assert changed.status_code == 200 and world.target.reference in changed.get_data(True)


def test_member_conflicted_during_the_meeting_is_out_at_once(app, ctx):
    world = build()
    chair, member = app.test_client(), app.test_client()
    sign_in(chair, world.chair)
    sign_in(member, world.member)
    _point(chair, world, world.target)
    url = f"/meeting/{world.meeting.id}/live"
    assert world.target.applicant.name in member.get(url).get_data(as_text=True)
    board_ops.add_manual_conflict(reviewer=world.member, application=world.target,
                                  reason="Told HR during the meeting.", by=world.hr)
    db.session.commit()
    text = member.get(url).get_data(as_text=True)
    assert "You are out of the room for this item" in text
    _assert_hidden(text, world)
    departures = db.session.scalars(db.select(MeetingDeparture).where(
        MeetingDeparture.item_id == world.item_of(world.target).id)).all()
    assert {(d.user_id, d.reason) for d in departures} == {
        (world.conflicted.id, "institution"), (world.member.id, "manual")}


def test_two_chairs_moving_the_pointer_last_write_wins(app, ctx):
    world = build()
    first, second, member = (app.test_client() for _ in range(3))
    sign_in(first, world.chair)
    sign_in(second, world.chair2)
    sign_in(member, world.member)
    _point(first, world, world.applications[1])
    _point(second, world, world.applications[2])
    expected = world.applications[2].applicant.name
    for client in (first, second, member):
        text = client.get(f"/meeting/{world.meeting.id}/live").get_data(as_text=True)
        heading = re.search(r'id="current-heading">([^<]+)<', text).group(1)
        assert expected in heading
    db.session.expire_all()
    meeting = db.session.get(Meeting, world.meeting.id)
    assert meeting.current_item_id == world.item_of(world.applications[2]).id
    assert meeting.pointer_version == 2
    assert len(meeting.items) == len(world.applications)


def _record(client, world, application, **fields):
    item = world.item_of(application)
    data = {"outcome": "shortlist", "votes_for": "5", "votes_against": "1",
            "votes_abstain": "", "consensus": "A strong and original programme.", **fields}
    return post_form(client, f"/meeting/items/{item.id}/record", data,
                     page_url=f"/meeting/{world.meeting.id}")


def test_chair_records_outcome_votes_and_statement(client, ctx):
    world = build()
    sign_in(client, world.chair)
    _point(client, world, world.target)
    assert _record(client, world, world.target).status_code == 302
    item = db.session.get(AgendaItem, world.item_of(world.target).id)
    db.session.refresh(item)
    assert (item.outcome.value, item.votes_for, item.votes_against, item.votes_abstain) == (
        "shortlist", 5, 1, None)
    assert item.consensus == "A strong and original programme."
    bad = _record(client, world, world.target, votes_for="-3", consensus="Kept on error.")
    assert bad.status_code == 422 and "Kept on error." in bad.get_data(as_text=True)


def test_statement_survives_an_expired_page(client, ctx):
    world = build()
    sign_in(client, world.chair)
    _point(client, world, world.target)
    item = world.item_of(world.target)
    text = "Written during a long discussion, sent with a stale token."
    response = client.post(f"/meeting/items/{item.id}/record",
                           data={"csrf_token": "stale", "outcome": "advance",
                                 "consensus": text})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert text in page and "Your page had expired" in page
    retry = client.post(f"/meeting/items/{item.id}/record",
                        data={"csrf_token": csrf_from(page), "outcome": "advance",
                              "consensus": text})
    assert retry.status_code == 302
    db.session.refresh(item)
    assert item.consensus == text


def test_statement_survives_an_ended_session(client, ctx, app):
    world = build()
    sign_in(client, world.chair)
    _point(client, world, world.target)
    item = world.item_of(world.target)
    url = f"/meeting/{world.meeting.id}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - app.config["SESSION_IDLE_SECONDS"] - 60
    text = "Consensus typed while the session ran out."
    response = client.post(f"/meeting/items/{item.id}/record",
                           data={"csrf_token": token, "outcome": "reject", "consensus": text})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    db.session.refresh(item)
    assert item.consensus == ""  # nothing recorded by itself
    sign_in(client, world.chair)
    page = client.get(url).get_data(as_text=True)
    assert text in page and "the text you sent when your session ended" in page


def test_out_of_room_on_every_meeting_url(app, ctx):
    world = build()
    chair, conflicted = app.test_client(), app.test_client()
    sign_in(chair, world.chair)
    sign_in(conflicted, world.conflicted)
    _point(chair, world, world.target)
    _record(chair, world, world.target)
    meeting = f"/meeting/{world.meeting.id}"
    item = world.item_of(world.target)
    for path in (meeting, f"{meeting}/live", "/meeting/"):
        status, text = _page(conflicted, path)
        assert status == 200
        _assert_hidden(text, world)
    # Before publication the minutes are for the chair and HR only; the agenda, the
    # record, the report of the target: refused.
    for path in (f"{meeting}/minutes", f"{meeting}/minutes.pdf", f"{meeting}/agenda",
                 f"/evaluation/applications/{world.target.id}",
                 f"/evaluation/calls/{world.call.id}",
                 f"/evaluation/mine/{world.target.id}"):
        status, text = _page(conflicted, path)
        assert status in (403, 404), path
        _assert_hidden(text, world)
    token = csrf_from(conflicted.get(meeting).get_data(as_text=True))
    for path in (f"/meeting/items/{item.id}/record", f"/meeting/items/{item.id}/move",
                 f"/meeting/items/{item.id}/group", f"{meeting}/pointer"):
        response = conflicted.post(path, data={"csrf_token": token, "outcome": "reject",
                                               "direction": "up", "group": "discuss",
                                               "item_id": item.id})
        assert response.status_code == 403, path
    # Published: the member reads the minutes, without the item they left the room for.
    post_form(chair, f"{meeting}/minutes/publish", {"confirm": "y"},
              page_url=f"{meeting}/minutes")
    status, text = _page(conflicted, f"{meeting}/minutes")
    assert status == 200 and "you were out of the room for this item" in text
    _assert_hidden(text, world)
    assert "A strong and original programme." not in text
    pdf = conflicted.get(f"{meeting}/minutes.pdf")
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    _assert_hidden(pdf_text, world)
    assert world.applications[1].reference in pdf_text


def test_conflicted_chair_cannot_record_or_read_the_item(app, ctx):
    world = build()
    board_ops.add_manual_conflict(reviewer=world.chair2, application=world.target,
                                  reason="Former postdoc.", by=world.hr)
    db.session.commit()
    chair, cochair = app.test_client(), app.test_client()
    sign_in(chair, world.chair)
    sign_in(cochair, world.chair2)
    _point(chair, world, world.target)
    status, text = _page(cochair, f"/meeting/{world.meeting.id}")
    assert "You are out of the room for this item" in text
    _assert_hidden(text, world)
    assert 'id="record-form"' not in text
    assert _record(cochair, world, world.target).status_code == 403
    status, text = _page(cochair, f"/meeting/{world.meeting.id}/minutes")
    assert status == 200 and "you were out of the room for this item" in text
    _assert_hidden(text, world)
    assert _page(cochair, f"/evaluation/applications/{world.target.id}")[0] == 403


def test_minutes_list_presence_departures_and_outcomes(client, ctx):
    world = build()
    sign_in(client, world.chair)
    meeting = f"/meeting/{world.meeting.id}"
    post_form(client, f"{meeting}/attendance",
              {"present": [str(world.chair.id), str(world.member.id),
                           str(world.conflicted.id)]}, page_url=meeting)
    _point(client, world, world.target)
    _record(client, world, world.target)
    _point(client, world, world.applications[1])
    status, text = _page(client, f"{meeting}/minutes")
    assert status == 200
    present = re.search(r"Present:</strong>([^<]+)<", text).group(1)
    assert "Maria Member" in present and "Carl Conflicted" in present
    absent = re.search(r"Absent:</strong>([^<]+)<", text).group(1)
    assert "Otto Cochair" in absent
    assert "Left the room: Carl Conflicted (same institution)" in text
    assert "a secret reason" not in text  # the reason code only
    assert "Shortlist" in text and "A strong and original programme." in text
    pdf = client.get(f"{meeting}/minutes.pdf")
    assert pdf.mimetype == "application/pdf"
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Left the room: Carl Conflicted (same institution)" in pdf_text
    assert "Procès-verbal" in pdf_text or "Compte rendu" in pdf_text  # bilingual
    # Publishing asks first, then freezes the meeting.
    confirm = post_form(client, f"{meeting}/minutes/publish", {}, page_url=f"{meeting}/minutes")
    assert confirm.status_code == 200 and "Publish the minutes?" in confirm.get_data(True)
    db.session.refresh(world.meeting)
    assert not world.meeting.is_published
    post_form(client, f"{meeting}/minutes/publish", {"confirm": "y"},
              page_url=f"{meeting}/minutes")
    db.session.refresh(world.meeting)
    assert world.meeting.is_published
    assert _record(client, world, world.applications[1]).status_code == 422


def test_meeting_pages_in_french(client, ctx):
    world = build(locale="fr")
    sign_in(client, world.conflicted)
    chair = client.application.test_client()
    sign_in(chair, world.chair)
    _point(chair, world, world.target)
    text = client.get(f"/meeting/{world.meeting.id}").get_data(as_text=True)
    assert "Vous êtes hors de la salle pour ce point" in text
    _assert_hidden(text, world)
