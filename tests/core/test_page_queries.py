"""The main pages run the same number of SQL queries for a small and a larger call."""

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from icm_recruit.applications.models import Application
from icm_recruit.calls.models import Call
from icm_recruit.extensions import db
from icm_recruit.scale_seed import seed_large
from tests.support import csrf_from

pytestmark = pytest.mark.services

PAGES = {
    "applications_list": ("hr", "/admin/calls/{call}/applications"),
    "hr_progress_dashboard": ("hr", "/review/calls/{call}/progress"),
    "member_assignments": ("member", "/review/"),
    "member_home": ("member", "/"),
    "ranking": ("hr", "/selection/calls/{call}/ranking"),
    "application_page": ("hr", "/admin/applications/{application}"),
}


def _sign_in(app, email, password):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"csrf_token": csrf_from(page), "email": email,
                                "password": password, "next": ""})
    return client


def _ids(applications: int) -> dict:
    call = db.session.scalar(select(Call).where(Call.slug.like(f"scale-{applications}-%")))
    first = db.session.scalar(select(Application.id).where(Application.call_id == call.id)
                              .order_by(Application.id))
    return {"call": call.id, "application": first,
            "member": f"member0.{call.id}@scale.icm-recruit.org"}


class QueryCounter:
    """Count SQL statements sent while a request runs (the test waits for each request)."""

    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1

    def measure(self, client, url):
        self.count = 0
        event.listen(Engine, "before_cursor_execute", self)
        try:
            response = client.get(url)
        finally:
            event.remove(Engine, "before_cursor_execute", self)
        return response, self.count


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_queries_do_not_grow_with_the_call(app, ctx, page):
    from icm_recruit.auth.models import Role
    from tests.support import make_user

    make_user("hr.counter@example.org", Role.ADMIN)
    seed_large(6, 4, seed=1)
    seed_large(40, 12, seed=2)
    if page == "ranking":
        from icm_recruit.selection.ranking import build_snapshot

        for size in (6, 40):
            build_snapshot(db.session.get(Call, _ids(size)["call"]), by=None)
        db.session.commit()
    who, template = PAGES[page]
    hr = _sign_in(app, "hr.counter@example.org", "correct-horse-42")
    counter, counts = QueryCounter(), []
    for size in (6, 40):
        ids = _ids(size)
        client = hr if who == "hr" else _sign_in(app, ids["member"], "scale-password-2027")
        url = template.format(**ids)
        response, queries = counter.measure(client, url)
        if response.status_code == 404 and page not in {"ranking"}:
            pytest.skip(f"{url} is not served by this build")
        assert response.status_code == 200, (url, response.status_code)
        counts.append(queries)
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries at 6, {counts[1]} at 40"
    assert counts[1] <= 15, f"{page}: {counts[1]} queries"


def test_the_ranking_counts_what_it_lists_under_every_filter(app, ctx):
    """The count (without the joins a search needs) matches the rows listed."""
    from sqlalchemy import func, select

    from icm_recruit.auth.models import Role, User
    from icm_recruit.selection import queries
    from icm_recruit.selection.ranking import build_snapshot
    from tests.support import make_user

    hr = make_user("hr.count@example.org", Role.ADMIN)
    seed_large(40, 12, seed=3)
    call = db.session.get(Call, _ids(40)["call"])
    snapshot = build_snapshot(call, by=None)
    db.session.commit()
    some_name = db.session.scalar(select(User.name).where(User.email.like("%applicant%")))
    for args in ({}, {"flag": "1"}, {"status": "under_review"}, {"status": "nonsense"},
                 {"q": some_name.split()[0].lower()}, {"q": "zzz-none"},
                 {"q": "A", "status": "under_review", "sort": "mean", "dir": "desc"}):
        stmt = queries.ranking_select(hr, call, snapshot, args, {})
        listed = db.session.scalar(select(func.count()).select_from(
            stmt.order_by(None).subquery()))
        assert queries.ranking_count(hr, call, snapshot, args) == listed, args
    assert queries.ranking_count(hr, call, snapshot, {}) > 0
