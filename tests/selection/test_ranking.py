"""The ranking job on stored reviews, the ranking page, and its CSV/XLSX exports."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from icm_recruit.auth.models import Role
from icm_recruit.extensions import db
from icm_recruit.selection.models import RankingSnapshot
from tests.selection.factories import (
    make_conflict,
    quick_user,
    reviewed_application,
    selection_call,
    submitted_review,
)
from tests.support import post_form

pytestmark = pytest.mark.services


@pytest.fixture
def reviewed_call(ctx):
    """Two reviewers on the same three applications: one harsh, one lenient."""
    call = selection_call()
    criterion = call.criteria[0]  # scale 1..5
    harsh = quick_user("harsh@example.org", Role.REVIEWER, name="Harsh")
    lenient = quick_user("lenient@example.org", Role.REVIEWER, name="Lenient")
    apps = [reviewed_application(call, f"a{i}@example.org", name=f"=cmd|' /C calc'!A{i}")
            for i in range(3)]
    for app_, (h, n) in zip(apps, [(3, 5), (2, 4), (1, 3)], strict=True):
        submitted_review(app_, harsh, {criterion: h})
        submitted_review(app_, lenient, {criterion: n})
    return call, apps, harsh, lenient


def test_ranking_job_stores_a_dated_snapshot_with_calibration(client, auth, reviewed_call):
    call, apps, harsh, lenient = reviewed_call
    hr = quick_user("hr@example.org", Role.ADMIN)
    auth.login(hr)
    url = f"/selection/calls/{call.id}/ranking"
    assert post_form(client, url, {}).status_code == 302
    snapshot = db.session.scalar(select(RankingSnapshot))
    assert snapshot.review_count == 6
    rows = {r.application_id: r for r in snapshot.rows}
    assert [rows[a.id].calibrated_rank for a in apps] == [1, 2, 3]
    assert rows[apps[0].id].mean == pytest.approx(7.5)
    assert snapshot.reviewer_bias[str(harsh.id)] < 0 < snapshot.reviewer_bias[str(lenient.id)]
    page = client.get(url + "?sort=mean&dir=asc").get_data(as_text=True)
    assert "How the scores are computed" in page and "Harsh: 5.0" in page
    assert page.index(apps[2].reference) < page.index(apps[0].reference)
    # The snapshot's choice is short enough for a phone: its date and its reviews.
    option = re.search(rf'<option value="{snapshot.id}" selected>([^<]+)</option>', page)
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d · 6 reviews", option.group(1))


def test_exports_neutralise_formulas(client, auth, reviewed_call):
    call, apps, *_ = reviewed_call
    auth.login(quick_user("hr@example.org", Role.ADMIN))
    post_form(client, f"/selection/calls/{call.id}/ranking", {})
    base = f"/selection/calls/{call.id}"
    ranking_csv = client.get(f"{base}/ranking.csv")
    assert ranking_csv.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(ranking_csv.get_data(as_text=True).lstrip("\ufeff"))))
    names = [row[4] for row in rows[1:]]
    assert names and all(name.startswith("'=cmd") for name in names)
    reviews_csv = client.get(f"{base}/reviews.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in reviews_csv and "\n=HYPERLINK" not in reviews_csv
    workbook = load_workbook(io.BytesIO(client.get(f"{base}/reviews.xlsx").get_data()))
    cells = [c for row in workbook.active.iter_rows() for c in row if c.value]
    comments = [c for c in cells if "HYPERLINK" in str(c.value)]
    assert comments and all(c.data_type == "s" and c.value.startswith("'") for c in comments)
    sheet = load_workbook(io.BytesIO(client.get(f"{base}/ranking.xlsx").get_data())).active
    assert sheet.cell(row=2, column=5).value.startswith("'=")


def test_chair_sees_no_conflicted_application_in_ranking_or_exports(client, auth,
                                                                   reviewed_call):
    call, apps, *_ = reviewed_call
    chair = quick_user("chair@example.org", Role.CHAIR, Role.REVIEWER)
    make_conflict(chair, apps[1])
    auth.login(chair)
    post_form(client, f"/selection/calls/{call.id}/ranking", {})
    page = client.get(f"/selection/calls/{call.id}/ranking").get_data(as_text=True)
    assert apps[0].reference in page and apps[1].reference not in page
    exported = client.get(f"/selection/calls/{call.id}/reviews.csv").get_data(as_text=True)
    assert apps[0].reference in exported and apps[1].reference not in exported
    shortlist = client.get(f"/selection/calls/{call.id}/shortlist").get_data(as_text=True)
    assert apps[1].reference not in shortlist
    response = post_form(client, f"/selection/calls/{call.id}/shortlist",
                         {"application_id": str(apps[1].id), "outcome": "shortlisted",
                          "reason": "x"}, page_url=f"/selection/calls/{call.id}/shortlist")
    assert response.status_code == 403


def test_report_shows_the_numbers_as_tables_and_loads_chart_js_locally(client, auth,
                                                                      reviewed_call):
    call, *_ = reviewed_call
    auth.login(quick_user("hr@example.org", Role.ADMIN))
    response = client.get(f"/selection/calls/{call.id}/report")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "/static/vendor/chart.umd.js" in page and "<script>" not in page
    assert 'class="table table-sm funnel-chart"' in page
    assert '<th scope="row" class="fw-normal">Submitted</th><td class="text-end">3</td>' in page
    assert client.get("/static/vendor/chart.umd.js").status_code == 200


def test_the_ranking_is_filtered_sorted_and_paged_by_the_database(client, auth, ctx):
    from icm_recruit.selection import views
    from tests.applications.test_hr_list import _count_queries

    call = selection_call()
    criterion = call.criteria[0]
    member = quick_user("m@example.org", Role.REVIEWER, name="Member")
    apps = [reviewed_application(call, f"p{i}@example.org", name=f"Person_{i:02d}")
            for i in range(7)]
    for index, application in enumerate(apps):
        submitted_review(application, member, {criterion: 1 + index % 5})
    hr = quick_user("hr@example.org", Role.ADMIN)
    auth.login(hr)
    url = f"/selection/calls/{call.id}/ranking"
    post_form(client, url, {})
    old_size, views.RANKING_PAGE_SIZE = views.RANKING_PAGE_SIZE, 3
    try:
        first = client.get(url).get_data(as_text=True)
        last = client.get(url + "?page=99").get_data(as_text=True)  # clamped to page 3
        assert sum(a.reference in first for a in apps) == 3
        assert sum(a.reference in last for a in apps) == 1
        # "_" is a letter here, not a wildcard: only Person_01 matches "n_01".
        found = client.get(url + "?q=N_01").get_data(as_text=True)
        assert apps[1].reference in found and apps[0].reference not in found
        # Highest mean first, ties in the ranking's order.
        page = client.get(url + "?sort=mean&dir=desc").get_data(as_text=True)
        best = [a for i, a in enumerate(apps) if 1 + i % 5 == 5]
        assert best[0].reference in page
        nothing = client.get(url + "?status=nonsense").get_data(as_text=True)
        assert "No application matches." in nothing
        assert not any(a.reference in nothing for a in apps)
        small = _count_queries(client, url + "?sort=interview&dir=desc")
        for i in range(7, 12):
            submitted_review(reviewed_application(call, f"p{i}@example.org"), member,
                             {criterion: 3})
        post_form(client, url, {})
        assert _count_queries(client, url + "?sort=interview&dir=desc") == small
    finally:
        views.RANKING_PAGE_SIZE = old_size
