"""A finished ranking replaces its progress: no "being computed" notice beside results."""

import pytest

from icm_recruit.auth.models import Role
from tests.selection.factories import (
    quick_user,
    reviewed_application,
    selection_call,
    submitted_review,
)
from tests.support import post_form

pytestmark = pytest.mark.services


def test_finished_ranking_shows_results_without_a_computing_notice(client, auth, ctx):
    call = selection_call()
    reviewer = quick_user("reviewer@example.org", Role.REVIEWER)
    application = reviewed_application(call, "a@example.org")
    submitted_review(application, reviewer, {call.criteria[0]: 4})
    auth.login(quick_user("hr@example.org", Role.ADMIN))
    url = f"/selection/calls/{call.id}/ranking"
    post_form(client, url, {})  # the job runs at once in tests
    page = client.get(url).get_data(as_text=True)
    assert application.reference in page
    assert "being computed" not in page
    assert "hx-get" not in page.split('id="job-')[1].split(">")[0]
