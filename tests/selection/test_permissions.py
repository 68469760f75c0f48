"""Who may reach each selection page: role x relation x route."""

import pytest

from icm_recruit.applications.models import ApplicationStatus
from icm_recruit.auth.models import Role
from icm_recruit.extensions import db
from icm_recruit.selection import interviews, operations
from icm_recruit.selection.models import Outcome
from icm_recruit.selection.tasks import _send_letters
from tests.selection.factories import (
    make_conflict,
    make_slot,
    quick_user,
    reviewed_application,
    selection_call,
)

pytestmark = pytest.mark.services

ACTORS = ["anonymous", "owner", "other_applicant", "reviewer", "panelist", "chair",
          "conflicted_chair", "admin"]


def _table(**allowed) -> dict:
    """Expected status per actor: 200 where allowed, 302 for anonymous, 403 otherwise."""
    return {a: allowed.get(a, 302 if a == "anonymous" else 403) for a in ACTORS}


STAFF = _table(chair=200, conflicted_chair=200, admin=200)
HR = _table(admin=200)
ROUTES = [
    ("/selection/calls/{call}", STAFF),
    ("/selection/calls/{call}/shortlist", STAFF),
    ("/selection/calls/{call}/ranking", STAFF),
    ("/selection/calls/{call}/reviews.csv", STAFF),
    ("/selection/calls/{call}/interviews", HR),
    ("/selection/calls/{call}/decisions", HR),
    ("/selection/calls/{call}/report", HR),
    ("/selection/calls/{call}/letters/offer/fr", HR),
    ("/selection/applications/{app}/letter", HR),
    ("/selection/applications/{app}/interview", HR),
    ("/selection/slots/{slot}/edit", HR),
    ("/applications/{app}/interview", _table(owner=200)),
    ("/applications/{app}/decision", _table(owner=200)),
    ("/panel/interviews", _table(reviewer=200, panelist=200, chair=200,
                                 conflicted_chair=200)),
    ("/panel/interviews/{interview}", _table(panelist=200)),
]


@pytest.fixture
def world(ctx):
    call = selection_call()
    hr = quick_user("hr@example.org", Role.ADMIN)
    people = {
        "owner": None,
        "other_applicant": quick_user("other@example.org", Role.APPLICANT),
        "reviewer": quick_user("reviewer@example.org", Role.REVIEWER),
        "panelist": quick_user("panelist@example.org", Role.REVIEWER),
        "chair": quick_user("chair@example.org", Role.CHAIR, Role.REVIEWER),
        "conflicted_chair": quick_user("cchair@example.org", Role.CHAIR, Role.REVIEWER),
        "admin": hr,
    }
    application = reviewed_application(call, "owner@example.org",
                                       status=ApplicationStatus.SHORTLISTED)
    people["owner"] = application.applicant
    make_conflict(people["conflicted_chair"], application)
    slot = make_slot(call, [people["panelist"]])
    interview = interviews.book(application, slot.id, by=hr)
    operations.record_decision(application, outcome=Outcome.OFFER, feedback="", by=hr)
    db.session.commit()
    _send_letters(None, call, hr, lambda percent: None)
    db.session.commit()
    ids = {"call": call.id, "app": application.id, "slot": slot.id, "interview": interview.id}
    return people, ids


def _sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("url, expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_route_access(client, world, actor, url, expected):
    people, ids = world
    if actor != "anonymous":
        _sign_in(client, people[actor])
    response = client.get(url.format(**ids))
    assert response.status_code == expected[actor], (actor, url)


def test_conflicted_chair_sees_the_pages_but_never_the_application(client, world):
    people, ids = world
    _sign_in(client, people["conflicted_chair"])
    reference = f"ICM-2027-{ids['app']:04d}"
    for url in ("/selection/calls/{call}/shortlist", "/selection/calls/{call}/reviews.csv"):
        assert reference not in client.get(url.format(**ids)).get_data(as_text=True)
