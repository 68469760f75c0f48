"""Bad input gets an answer: a message beside the field, a 400 or a 404, never a 500.

Each case also checks that what was typed is still in the form and nothing was saved.
"""

import csv
import io

import pytest
from sqlalchemy import func, select

from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.auth.models import Role
from icm_recruit.calls.models import Call
from icm_recruit.core.audit import AuditEvent
from icm_recruit.extensions import db
from icm_recruit.selection.models import InterviewSlot
from tests.applications.factories import make_application, make_call
from tests.selection.factories import quick_user, selection_call
from tests.support import csrf_from, demo_app, make_user, post_form

pytestmark = pytest.mark.services

HUGE = "1" + "0" * 28          # past 64 bits
PAGE_HUGE = str(10**30)


@pytest.fixture
def hr(client, auth, ctx):
    user = make_user("hr@example.org", Role.ADMIN)
    auth.login("hr@example.org")
    return user


def test_nul_in_the_login_email_is_refused_beside_the_field(client, ctx):
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": csrf_from(page),
                                           "email": "ann\x00@example.org",
                                           "password": "whatever-123"})
    assert response.status_code == 200
    assert "invisible control characters" in response.get_data(as_text=True)


def test_control_characters_in_the_address_are_refused(client, ctx):
    assert client.get("/calls/%00").status_code == 404
    assert client.get("/calls/a%01b").status_code == 404
    response = client.get("/calls?q=%00")
    assert response.status_code == 400
    assert "invisible control characters" in response.get_data(as_text=True)


def test_nul_in_a_saved_text_field_keeps_the_typing_and_saves_nothing(client, auth, ctx):
    applicant = make_user("amina@example.org")
    application = make_application(make_call(), applicant)
    auth.login("amina@example.org")
    url = f"/applications/{application.id}"
    response = post_form(client, url, {
        "current_position": "Group\x00 leader", "institution": "Institut Pasteur",
        "country": "FR", "title": "Circuits of memory", "keywords": "memory",
        "summary": "We study memory.", "publications": "One paper."})
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 422)
    assert "invisible control characters" in html
    assert "Institut Pasteur" in html and "Circuits of memory" in html
    db.session.expire_all()
    saved = db.session.get(Application, application.id)
    assert not saved.institution and not saved.title


def test_a_line_break_in_a_one_line_field_is_refused(client, auth, ctx):
    user = make_user("ann@example.org")
    auth.login("ann@example.org")
    page = client.get("/account").get_data(as_text=True)
    token = csrf_from(page)
    response = client.post("/account", data={
        "which": "profile", "profile-csrf_token": token, "profile-locale": "en",
        "profile-name": "Ann\r\nBcc: someone@example.org"})
    assert "This field must fit on one line." in response.get_data(as_text=True)
    db.session.expire_all()
    assert "\n" not in db.session.get(type(user), user.id).name


@pytest.mark.parametrize("path", [
    f"/documents/{HUGE}", f"/applications/{HUGE}", f"/applications/{HUGE}/status",
    f"/applications/{2**31}", f"/documents/{2**63 - 1}",
    f"/admin/calls/{HUGE}", f"/review/assignments/{HUGE}", f"/selection/calls/{HUGE}/ranking",
])
def test_ids_past_64_bits_name_nothing(client, hr, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", [
    f"/admin/audit?page={PAGE_HUGE}", f"/admin/users?page={PAGE_HUGE}",
    f"/admin/mailbox?page={PAGE_HUGE}", f"/admin/calls/{{call}}/applications?page={PAGE_HUGE}",
    f"/selection/calls/{{call}}/ranking?page={PAGE_HUGE}&snapshot={HUGE}",
    f"/review/calls/{{call}}/progress?opage={PAGE_HUGE}&apage=-3",
    "/admin/audit?page=-5", "/admin/audit?page=abc", f"/admin/audit?actor={HUGE}",
])
def test_page_numbers_and_filters_out_of_range_give_a_page(client, hr, path):
    call = make_call()
    assert client.get(path.format(call=call.id)).status_code == 200


def test_huge_ids_in_hidden_form_fields_are_refused(client, hr):
    call = make_call()
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = post_form(client, f"/admin/calls/{call.id}/assignment/add",
                         {"application_id": HUGE, "member_id": HUGE},
                         page_url=f"/admin/calls/{call.id}/assignment")
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_the_filtered_audit_export_works_and_records_its_filters(client, hr):
    response = client.get(f"/admin/audit.csv?action=call.&actor={hr.id}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["id", "at", "actor_id", "action"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.exported"))
    assert event.data["filters"] == {"action": "call.", "actor": hr.id}


@pytest.mark.parametrize("weight", ["nan", "inf", "-inf", "1e400"])
def test_a_criterion_weight_must_be_a_finite_number(client, hr, weight):
    from tests.calls.test_calls import _call_form, _post_call

    response = _post_call(client, "/admin/calls/new", _call_form(**{"criteria-0-weight": weight}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a finite number." in html or "The weight must be a positive number." in html
    assert 'value="Team leaders 2028"' in html
    assert db.session.scalar(select(Call)) is None


@pytest.mark.parametrize("field,value", [
    ("video_url", "https://meet.example.org/abc\r\nX-Injected: 1"),
    ("video_url", "https://meet.example.org/a b"),
    ("location", "Room 1\r\nDTSTART:19700101T000000Z"),
])
def test_an_interview_place_must_fit_on_one_line(client, auth, ctx, field, value):
    hr_user = quick_user("hr@example.org", Role.ADMIN)
    member = quick_user("panel@example.org", Role.REVIEWER)
    call = selection_call()
    auth.login(hr_user)
    data = {"starts_at": "2031-05-05T10:00", "duration": "45", "location": "Room 1",
            "video_url": "", "panel": [str(member.id)], field: value}
    response = post_form(client, f"/selection/calls/{call.id}/interviews", data)
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 422)
    assert "fit on one line" in html or "Invalid URL" in html
    assert db.session.scalar(select(func.count()).select_from(InterviewSlot)) == 0


def test_an_unstorable_place_is_refused_by_the_operation_too(ctx):
    from datetime import timedelta

    from icm_recruit.core.timeutil import utcnow
    from icm_recruit.selection import interviews
    from icm_recruit.selection.operations import SelectionError

    hr_user = quick_user("hr@example.org", Role.ADMIN)
    member = quick_user("panel@example.org", Role.REVIEWER)
    with pytest.raises(SelectionError) as refused:
        interviews.create_slot(selection_call(), starts_at=utcnow() + timedelta(days=3),
                               duration=45, location="", video_url="https://x.org/a\r\nb",
                               panel_ids=[member.id], by=hr_user)
    assert refused.value.code == "one_line_place"


def test_messages_about_bad_input_are_in_french(client, ctx):
    page = client.get("/login").get_data(as_text=True)
    client.post("/language", data={"locale": "fr", "next": "/", "csrf_token": csrf_from(page)})
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": csrf_from(page),
                                           "email": "ann\x00@example.org", "password": "x" * 12})
    assert "caractères de contrôle invisibles" in response.get_data(as_text=True)


def test_the_demo_database_answers_the_same(tmp_path, app):
    """SQLite overflows past 64 bits too: the same 404s and pages there."""
    with demo_app(tmp_path / "demo.sqlite3", app) as demo:
        with demo.app_context():
            call = make_call("c")
            user = make_user("hr@example.org", Role.ADMIN)
            db.session.add(Application(call_id=call.id, applicant_id=user.id,
                                       status=ApplicationStatus.DRAFT))
            db.session.commit()
            user_id, call_id = user.get_id(), call.id
        client = demo.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        assert client.get(f"/documents/{HUGE}").status_code == 404
        assert client.get(f"/admin/audit?page={PAGE_HUGE}").status_code == 200
        assert client.get(f"/admin/calls/{call_id}/applications?page={PAGE_HUGE}"
                          ).status_code == 200
        assert client.get(f"/admin/audit?actor={HUGE}").status_code == 200


@pytest.mark.parametrize("deadline", ["tomorrow", "2027-02-30T10:00", "m" * 5000])
def test_an_unreadable_new_deadline_is_refused_beside_the_field(client, hr, deadline):
    call = make_call()
    before = call.closes_at
    response = post_form(client, f"/admin/calls/{call.id}/extend",
                         {"deadline": deadline, "reason": "A server outage on the last day."})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A server outage on the last day." in html
    db.session.expire_all()
    assert db.session.get(Call, call.id).closes_at == before


def test_a_nul_in_a_carried_list_filter_is_refused_not_a_server_error(client, hr):
    call = make_call()
    url = f"/admin/calls/{call.id}/applications"
    response = post_form(client, f"{url}/tags", {"tag": "strong", "list_tag": "st\x00rong",
                                                 "action": "add"}, page_url=url)
    assert response.status_code in (400, 422)
    assert "invisible control characters" in response.get_data(as_text=True)
