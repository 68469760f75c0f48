"""Pages and exports with personal data are never kept by a browser or proxy cache."""

import pytest

from icm_recruit.auth.models import Role
from tests.applications.factories import make_application, make_call
from tests.selection.factories import quick_user, selection_call
from tests.support import make_user, post_form

pytestmark = pytest.mark.services


def _assert_no_store(response):
    assert response.status_code == 200, response.request.path
    assert response.headers["Cache-Control"] == "private, no-store", response.request.path
    assert response.headers["Pragma"] == "no-cache"


def test_applicant_pages_are_not_cached(client, auth, ctx):
    applicant = make_user("a@example.org", Role.APPLICANT)
    application = make_application(make_call(), applicant)
    auth.login(applicant)
    for path in ("/account", f"/applications/{application.id}"):
        _assert_no_store(client.get(path))


def test_hr_pages_and_exports_are_not_cached(client, auth, ctx):
    call = selection_call()
    auth.login(quick_user("hr@example.org", Role.ADMIN))
    post_form(client, f"/selection/calls/{call.id}/ranking", {})
    for path in (f"/selection/calls/{call.id}/ranking", f"/selection/calls/{call.id}/ranking.csv",
                 f"/selection/calls/{call.id}/reviews.csv"):
        _assert_no_store(client.get(path))


def test_signed_out_login_page_is_not_cached(client):
    _assert_no_store(client.get("/login"))


def test_static_files_keep_their_caching(client):
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Pragma" not in response.headers
    assert response.headers.get("ETag") or response.headers.get("Last-Modified")
