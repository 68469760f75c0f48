"""What the dossier's pages say to whom: the applicant's words for the applicant, the
submit button that looks as unavailable as it is, and what is missing next to it."""

import pytest

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.auth.models import Role
from tests.applications.factories import make_application, make_call
from tests.applications.helpers import edit_url
from tests.support import make_user

pytestmark = pytest.mark.services


def test_an_incomplete_draft_says_what_is_missing_by_its_submit_button(client, auth, ctx):
    user = make_user("draft@example.org", Role.APPLICANT)
    application = make_application(make_call(), user)
    auth.login(user)
    page = client.get(edit_url(application)).get_data(as_text=True)
    section = page[page.index('id="submit"'):page.index("</section>", page.index('id="submit"'))]
    assert 'id="missing-here"' in section and "<li>Research title</li>" in section
    assert 'class="btn btn-outline-secondary" type="submit"' in section
    assert 'aria-disabled="true"' in section


def test_hr_reads_the_exclusions_in_its_own_words(client, auth, ctx):
    hr = make_user("hr.words@example.org", Role.ADMIN)
    applicant = make_user("asked@example.org", Role.APPLICANT)
    application = make_application(make_call(), applicant, status=ApplicationStatus.SUBMITTED,
                                   complete=True, excluded_reviewers=["Prof. Rival"])
    auth.login(hr)
    page = client.get(f"/admin/applications/{application.id}").get_data(as_text=True)
    assert "People the applicant asked not to review the application" in page
    assert "Prof. Rival" in page and "not to review my application" not in page
    auth.logout()
    auth.login(applicant)
    page = client.get(edit_url(application)).get_data(as_text=True)
    assert "People not to review my application" in page
