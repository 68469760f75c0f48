from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from icm_recruit.auth.models import Role
from icm_recruit.calls.models import Call, CallStatus
from icm_recruit.calls.operations import close_due_calls
from icm_recruit.core.audit import AuditEvent
from icm_recruit.extensions import db
from tests.applications.factories import make_call
from tests.support import make_user, post_form

pytestmark = pytest.mark.services


def _call_form(**overrides):
    data = {
        "slug": "team-leaders-2028", "title_en": "Team leaders 2028",
        "title_fr": "Chefs d'équipe 2028", "description_en": "Lead.", "description_fr": "Diriger.",
        "opens_at": "2028-01-10T09:00", "closes_at": "2028-03-31T17:00",
        "reviewers_per_application": "3", "referees_required": "2", "summary_word_limit": "500",
        "doc_cv-requested": "required", "doc_cv-max_mb": "5", "doc_cv-max_pages": "4",
        "doc_research_project-requested": "required", "doc_research_project-max_mb": "10",
        "doc_research_project-max_pages": "12",
        "doc_publications-requested": "optional", "doc_publications-max_mb": "5",
        "doc_publications-max_pages": "10",
        "doc_other-requested": "no", "doc_other-max_mb": "5", "doc_other-max_pages": "10",
        "criteria-0-name_en": "Excellence", "criteria-0-name_fr": "Excellence",
        "criteria-0-weight": "2", "criteria-0-scale_min": "1", "criteria-0-scale_max": "3",
        "criteria-0-descriptors_en": "weak\ngood\noutstanding",
        "criteria-1-name_en": "", "criteria-1-name_fr": "",
        "criteria-1-weight": "1", "criteria-1-scale_min": "1", "criteria-1-scale_max": "5",
    }
    data.update(overrides)
    return data


def _post_call(client, url, data):
    from tests.support import csrf_from

    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


@pytest.fixture
def hr(client, auth, ctx):
    user = make_user("hr@example.org", Role.ADMIN)
    auth.login("hr@example.org")
    return user


def test_hr_creates_call_in_paris_time_with_criteria(client, hr):
    response = _post_call(client, "/admin/calls/new", _call_form())
    assert response.status_code == 302
    call = db.session.scalar(select(Call).where(Call.slug == "team-leaders-2028"))
    assert call.status == CallStatus.DRAFT
    # 09:00 in Paris in January is 08:00 UTC; 17:00 in March (before DST) is 16:00 UTC.
    assert call.opens_at == datetime(2028, 1, 10, 8, 0, tzinfo=UTC)
    assert call.closes_at == datetime(2028, 3, 31, 15, 0, tzinfo=UTC)  # summer time from 26/3
    assert [c.name_en for c in call.criteria] == ["Excellence"]
    assert call.criteria[0].scale_max == 3
    assert {r["kind"]: r["required"] for r in call.document_rules} == {
        "cv": True, "research_project": True, "publications": False}
    page = client.get(f"/admin/calls/{call.id}").get_data(as_text=True)
    assert "31/03/2028 17:00 CEST" in page
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "call.created"))


@pytest.mark.parametrize("overrides,message", [
    ({"closes_at": "2028-01-01T09:00"}, "The call must close after it opens."),
    ({"criteria-0-weight": "0"}, "The weight must be a positive number."),
    ({"criteria-0-scale_min": "5", "criteria-0-scale_max": "5"},
     "The highest score must be above the lowest."),
    ({"criteria-0-name_en": "", "criteria-0-name_fr": ""},
     "Add at least one evaluation criterion."),
    ({"criteria-0-descriptors_en": "a\nb\nc\nd"}, "There are 4 lines for 3 score levels."),
    ({"slug": "Bad Slug!"}, "Use lower-case letters, digits and hyphens only."),
])
def test_invalid_call_is_refused_and_input_kept(client, hr, overrides, message):
    response = _post_call(client, "/admin/calls/new", _call_form(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert 'value="Team leaders 2028"' in html
    assert db.session.scalar(select(Call)) is None


def test_call_errors_in_french(client, hr):
    from tests.support import csrf_from

    page = client.get("/admin/calls/new").get_data(as_text=True)
    client.post("/language", data={"locale": "fr", "next": "/", "csrf_token": csrf_from(page)})
    html = _post_call(client, "/admin/calls/new",
                      _call_form(closes_at="2028-01-01T09:00")).get_data(as_text=True)
    assert "L'appel doit se clore après son ouverture." in html.replace("\u2019", "'")


def test_edit_and_move_through_states(client, hr):
    call = make_call(status=CallStatus.DRAFT)
    data = _call_form(slug=call.slug, title_en="Renamed",
                      **{"criteria-0-criterion_id": str(call.criteria[0].id)})
    assert _post_call(client, f"/admin/calls/{call.id}/edit", data).status_code == 302
    db.session.expire_all()
    assert call.title_en == "Renamed" and len(call.criteria) == 1
    criterion_id = call.criteria[0].id
    assert criterion_id == int(data["criteria-0-criterion_id"])  # updated in place
    # Each step is confirmed on its own page; closing asks for a reason.
    for expected in (CallStatus.OPEN, CallStatus.CLOSED, CallStatus.IN_REVIEW):
        if expected == CallStatus.CLOSED:
            post_form(client, f"/admin/calls/{call.id}/close", {"reason": "Budget cut"})
        else:
            post_form(client, f"/admin/calls/{call.id}/status", {"to": expected.value},
                      page_url=f"/admin/calls/{call.id}/status")
        db.session.expire_all()
        assert call.status == expected
    # Skipping a state is refused.
    response = post_form(client, f"/admin/calls/{call.id}/status", {"to": "archived"},
                         page_url=f"/admin/calls/{call.id}", follow_redirects=True)
    assert "cannot move to this state" in response.get_data(as_text=True)
    assert client.get(f"/admin/calls/{call.id}/edit").status_code == 302  # no longer editable


def test_duplicate_slug_is_refused(client, hr):
    make_call("taken-slug")
    response = _post_call(client, "/admin/calls/new", _call_form(slug="taken-slug"))
    assert "Another call already uses this short name." in response.get_data(as_text=True)


def test_beat_task_closes_due_calls_only(ctx):
    due = make_call("due", closes_in_days=-0.001, opens_in_days=-3)
    later = make_call("later")
    closed = close_due_calls()
    db.session.commit()
    assert closed == [due.id]
    assert due.status == CallStatus.CLOSED and later.status == CallStatus.OPEN
    assert close_due_calls() == []  # running twice changes nothing


def test_open_calls_page_shows_deadline_and_hides_drafts(client, ctx):
    make_call("visible")
    make_call("hidden", status=CallStatus.DRAFT)
    page = client.get("/calls").get_data(as_text=True)
    assert "Team leaders 2027" in page and "/calls/visible" in page
    assert "/calls/hidden" not in page
    assert "in 4 weeks" in page or "in 30 days" in page or "in 1 month" in page
    assert client.get("/calls/hidden").status_code == 404
    assert client.get("/calls/visible").status_code == 200


def test_time_left_in_french(client, ctx):
    make_call("visible", closes_in_days=3)
    page = client.get("/calls", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "dans 3 jours" in page


def test_call_closes_exactly_at_deadline(ctx):
    call = make_call("edge")
    assert call.is_accepting(call.closes_at - timedelta(seconds=1))
    assert not call.is_accepting(call.closes_at)
