"""The call pages link an applicant to their own application for that call, and only then."""

import pytest

from icm_recruit.auth.models import Role
from tests.applications.factories import make_application, make_call
from tests.support import make_user

pytestmark = pytest.mark.services


@pytest.fixture
def calls(ctx):
    return make_call("team-leaders-2027"), make_call("group-leaders-2027")


def test_open_calls_link_to_my_application_only_where_i_applied(client, auth, calls):
    applied, other = calls
    applicant = make_user("amina@example.org", Role.APPLICANT)
    application = make_application(applied, applicant)
    auth.login("amina@example.org")
    page = client.get("/calls").get_data(as_text=True)
    assert f'/applications/{application.id}"' in page and "My application" in page
    assert page.count("My application (") == 1
    assert f'href="/calls/{other.slug}"' in page


def test_call_page_offers_my_application_or_a_start(client, auth, calls):
    applied, other = calls
    applicant = make_user("amina@example.org", Role.APPLICANT)
    application = make_application(applied, applicant)
    auth.login("amina@example.org")
    mine = client.get(f"/calls/{applied.slug}").get_data(as_text=True)
    assert "Go to my application" in mine and f'/applications/{application.id}"' in mine
    fresh = client.get(f"/calls/{other.slug}").get_data(as_text=True)
    assert "Start my application" in fresh and "Go to my application" not in fresh


def test_signed_out_visitor_sees_no_application(client, calls):
    applied, _other = calls
    assert "My application (" not in client.get("/calls").get_data(as_text=True)
    page = client.get(f"/calls/{applied.slug}").get_data(as_text=True)
    assert "Sign in to apply" in page and "Go to my application" not in page
