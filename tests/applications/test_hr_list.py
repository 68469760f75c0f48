"""HR's per-call list: filters, counts, CSV export, and a query count that does not grow."""

import csv
import io

import pytest
from sqlalchemy import event, insert

from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.auth.models import Role, User
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.support import make_user

pytestmark = pytest.mark.services


@pytest.fixture
def hr(client, auth, ctx):
    make_user("hr@example.org", Role.ADMIN)
    auth.login("hr@example.org")


def _bulk(call, count: int, offset: int = 0) -> None:
    now = utcnow()
    users = [{"email": f"bulk{offset + i}@example.org", "name": f"Bulk {offset + i}",
              "locale": "en", "timezone": "Europe/Paris", "active": True,
              "session_nonce": "x" * 32, "created_at": now} for i in range(count)]
    ids = db.session.scalars(insert(User).returning(User.id), users).all()
    statuses = [ApplicationStatus.SUBMITTED, ApplicationStatus.DRAFT,
                ApplicationStatus.UNDER_REVIEW]
    db.session.execute(insert(Application), [{
        "call_id": call.id, "applicant_id": uid, "reference": f"ICM-2027-{offset + i + 1:05d}",
        "status": statuses[i % 3], "current_position": "PI", "institution": "Lab",
        "country": "FR" if i % 2 else "DE", "title": f"Topic {i}", "keywords": "memory",
        "summary": "", "publications": "", "excluded_reviewers": [], "created_at": now,
        "updated_at": now, "submitted_at": now} for i, uid in enumerate(ids)])
    db.session.commit()


def _count_queries(client, url: str) -> int:
    statements = []
    connection = db.engines[None]

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(connection, "before_cursor_execute", count)
    return len(statements)


def test_list_runs_the_same_queries_for_40_and_4000_applications(client, hr):
    call = make_call()
    url = f"/admin/calls/{call.id}/applications"
    _bulk(call, 40)
    small = _count_queries(client, url)
    _bulk(call, 3960, offset=40)
    large = _count_queries(client, url)
    assert small == large, (small, large)
    filtered = _count_queries(client, url + "?status=submitted&country=FR&q=bulk")
    assert filtered == small


def test_filters_and_counts(client, hr):
    call = make_call()
    amina = make_user("amina@example.org", Role.APPLICANT, name="Amina Diallo")
    lucas = make_user("lucas@example.org", Role.APPLICANT, name="Lucas Schmidt")
    make_application(call, amina, status=ApplicationStatus.SUBMITTED, complete=True)
    make_application(call, lucas, keywords="vision, cortex", country="DE")
    base = f"/admin/calls/{call.id}/applications"
    page = client.get(base).get_data(as_text=True)
    assert "Submitted</a>: 1" in page and "Draft</a>: 1" in page
    assert "Amina Diallo" in client.get(base + "?status=submitted").get_data(True)
    assert "Lucas" not in client.get(base + "?status=submitted").get_data(True)
    assert "Lucas" in client.get(base + "?keyword=cortex").get_data(True)
    assert "Amina" not in client.get(base + "?country=DE").get_data(True)
    assert "Amina" in client.get(base + "?q=diallo").get_data(True)
    assert "No application matches." in client.get(base + "?q=%25_").get_data(True)


def test_csv_export_neutralises_formulas(client, hr):
    call = make_call()
    user = make_user("evil@example.org", Role.APPLICANT, name="=HYPERLINK(\"http://x\")")
    make_application(call, user, status=ApplicationStatus.SUBMITTED, complete=True,
                     title="+cmd|' /C calc'!A0")
    response = client.get(f"/admin/calls/{call.id}/applications.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Reference"
    assert rows[1][3] == "'=HYPERLINK(\"http://x\")"
    assert rows[1][9].startswith("'+cmd")


def test_list_exports_follow_the_readers_language_and_zone(client, hr):
    import openpyxl

    from tests.support import csrf_from

    call = make_call()
    make_application(call, make_user("amina@example.org", Role.APPLICANT, name="Amina Diallo"),
                     status=ApplicationStatus.SUBMITTED, complete=True, country="SN")
    base = f"/admin/calls/{call.id}/applications"
    assert f"{base}.xlsx" in client.get(base).get_data(as_text=True)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"{base}.xlsx").data)).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Reference", "Status", "Submitted on"]
    assert values[1][3] == "Amina Diallo" and values[1][7] == "Senegal"
    assert values[1][2].tzinfo is None  # a local date the spreadsheet can sort
    page = client.get(base).get_data(as_text=True)
    client.post("/language", data={"locale": "fr", "next": "/", "csrf_token": csrf_from(page)})
    french = client.get(f"{base}.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(french), delimiter=";"))
    assert rows[0][0] == "Référence" and rows[1][7] == "Sénégal"
    assert rows[1][2].endswith(("+01:00", "+02:00"))  # Paris time, the reader's zone
    assert client.get(f"{base}.pdf").status_code == 404
