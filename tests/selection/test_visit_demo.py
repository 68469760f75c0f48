"""The demo's visit planning: windows with answers, a fixed slot with its programme, booked;
the chair of the demo may plan visits. Seeding twice adds nothing."""

import re

import pytest
from sqlalchemy import func, select

from icm_recruit.calls.models import call_by_slug
from icm_recruit.extensions import db
from icm_recruit.seed import seed_demo
from icm_recruit.selection.demo import DEMO_SELECTION_SLUG
from icm_recruit.selection.models import Interview
from icm_recruit.selection.visit_models import VisitAvailability, VisitPart, VisitWindow
from tests.reviews.helpers import sign_in

pytestmark = pytest.mark.services


def test_the_demo_shows_the_visit_planning_at_work(client, ctx):
    from icm_recruit.auth.models import User

    seed_demo()
    seed_demo()
    call = call_by_slug(DEMO_SELECTION_SLUG)
    assert call.chair_runs_selection
    assert db.session.scalar(select(func.count(VisitWindow.id))) == 2
    assert db.session.scalar(select(func.count(VisitAvailability.id))) >= 4
    assert db.session.scalar(select(func.count(VisitPart.id))) == 3
    assert db.session.scalar(select(func.count(Interview.id))) == 1
    sign_in(client, User.by_email("chair@demo.icm-recruit.org"))
    page = client.get(f"/selection/calls/{call.id}/visits").get_data(as_text=True)
    assert "Slots fixed" in page and "No slot can be fixed yet" in page
    # The shortlisted candidates carry the told mark the shortlist leaves: the funnel
    # counts as shortlisted at least those interviewed, as the other pages do.
    page = client.get(f"/selection/calls/{call.id}").get_data(as_text=True)
    steps = dict(re.findall(r"<tr><td>([^<]+)</td><td class=\"text-end\">(\d+)</td>", page))
    assert (steps["Shortlisted"], steps["Interviewed"]) == ("2", "1")
    # The interviewed candidate has left the shortlist's page, which says so.
    page = client.get(f"/selection/calls/{call.id}/shortlist").get_data(as_text=True)
    assert "1 application has gone on to an interview or a decision" in page
    sign_in(client, User.by_email("applicant1@demo.icm-recruit.org"))
    interview = db.session.scalars(select(Interview)).one()
    page = client.get(f"/applications/{interview.application_id}/interview").get_data(
        as_text=True)
    assert "Amphithéâtre Charcot" in page


def test_the_demo_applicants_timeline_tells_the_way_to_the_interview(client, ctx):
    """A demo candidate's timeline holds each step the real flow records, dated when the
    demo says it happened (submitted weeks ago), and the audit chain stays whole."""
    from icm_recruit.auth.models import User
    from icm_recruit.core import audit

    seed_demo()
    interview = db.session.scalars(select(Interview)).one()
    applicant = User.by_email("applicant1@demo.icm-recruit.org")
    applicant.locale = "en"
    db.session.commit()
    sign_in(client, applicant)
    page = client.get(f"/applications/{interview.application_id}/status").get_data(
        as_text=True)
    steps = ["Application submitted", "Eligibility confirmed: the application goes to review",
             "Shortlisted for an interview", "Interview booked"]
    assert all(step in page for step in steps), page
    assert [page.index(step) for step in steps] == sorted(page.index(s) for s in steps)
    application = interview.application
    submitted = db.session.scalars(select(audit.AuditEvent).where(
        audit.AuditEvent.action == "application.submitted",
        audit.AuditEvent.object_id == str(application.id))).one()
    assert submitted.at == application.submitted_at
    assert audit.verify_chain()[0]
    with pytest.raises(ValueError, match="only the last event"):
        audit.backdate(submitted, application.submitted_at)
