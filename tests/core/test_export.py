"""CSV and XLSX exports neutralise formulas and keep values."""

import csv
import io
import zipfile
from datetime import UTC, date, datetime

import openpyxl
import pytest

from icm_recruit.core.export import neutralise, to_csv, to_xlsx

DANGEROUS = [
    '=HYPERLINK("http://evil.example","click")',
    "+33 1 57 27 40 00",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\x01=1+1",
]


def read_csv(data: bytes) -> list[list[str]]:
    """Parse CSV bytes the way a spreadsheet import would."""
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes) -> list[list[object]]:
    """Return the values of the first sheet of an XLSX workbook."""
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_prefixes_an_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Dr Zoë Müller", "3 - 2", "a=b", "'=already", "", "e-mail"])
def test_neutralise_leaves_harmless_text(text):
    assert neutralise(text) == text


def test_csv_neutralises_text_and_keeps_numbers():
    data = to_csv(["name", "score"], [[text, -1.5] for text in DANGEROUS])
    rows = read_csv(data)
    assert rows[0] == ["name", "score"]
    assert [row[0] for row in rows[1:]] == ["'" + text for text in DANGEROUS]
    assert {row[1] for row in rows[1:]} == {"-1.5"}


def test_csv_neutralises_headers_quotes_separators_and_uses_crlf():
    data = to_csv(["=cmd", "note"], [['He said "yes", then; left\nearly', None]])
    assert data.count(b"\r\n") == 2
    assert read_csv(data) == [["'=cmd", "note"], ['He said "yes", then; left\nearly', ""]]


def test_csv_writes_dates_as_iso_text():
    moment = datetime(2027, 3, 12, 8, 30, tzinfo=UTC)
    rows = read_csv(to_csv(["d", "t"], [[date(2027, 3, 12), moment]]))
    assert rows[1] == ["2027-03-12", "2027-03-12T08:30:00+00:00"]


def test_xlsx_reads_back_neutralised_strings_and_typed_values():
    rows = [[text, -1.5, True, date(2027, 3, 12)] for text in DANGEROUS]
    values = read_xlsx(to_xlsx(["name", "score", "ok", "day"], rows))
    assert values[0] == ["name", "score", "ok", "day"]
    for text, row in zip(DANGEROUS, values[1:], strict=True):
        # XML drops most control characters and reads a carriage return back as a newline.
        assert row[0] == "'" + text.replace("\x01", "").replace("\r", "\n")
        assert row[1:3] == [-1.5, True]
        assert row[3].date() == date(2027, 3, 12)


def test_xlsx_holds_no_formula_and_text_is_typed_as_string():
    data = to_xlsx(["=header"], [[text] for text in DANGEROUS])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_xlsx_strips_control_characters_before_neutralising():
    assert read_xlsx(to_xlsx(["x"], [["\x02\x03=1+1"]]))[1] == ["'=1+1"]


def test_xlsx_keeps_aware_datetimes_as_iso_text_and_empty_cells():
    moment = datetime(2027, 3, 12, 8, 30, tzinfo=UTC)
    assert read_xlsx(to_xlsx(["t", "n"], [[moment, None]]))[1] == [
        "2027-03-12T08:30:00+00:00",
        None,
    ]


def test_xlsx_sheet_title_is_made_acceptable():
    data = to_xlsx(["a"], [], sheet_title="Ranking: call 2027/ICM [final] and more words")
    title = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].title
    assert title == "Ranking_ call 2027_ICM _final_"


def test_french_csv_uses_semicolons_and_decimal_commas():
    from zoneinfo import ZoneInfo

    moment = datetime(2027, 3, 12, 8, 30, tzinfo=UTC)
    data = to_csv(["nom", "score", "date"], [["Zoë; Müller", 3.25, moment]], locale="fr",
                  zone=ZoneInfo("Europe/Paris"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows == [["nom", "score", "date"], ["Zoë; Müller", "3,25", "2027-03-12T09:30:00+01:00"]]
    english = read_csv(to_csv(["score"], [[3.25]], locale="en"))
    assert english == [["score"], ["3.25"]]


def test_xlsx_writes_aware_datetimes_as_local_dates():
    from zoneinfo import ZoneInfo

    moment = datetime(2027, 7, 1, 12, 0, tzinfo=UTC)
    values = read_xlsx(to_xlsx(["at"], [[moment]], zone=ZoneInfo("America/New_York")))
    assert values[1][0] == datetime(2027, 7, 1, 8, 0)


@pytest.mark.services
def test_audit_trail_downloads_as_french_csv_and_as_xlsx(client, auth, ctx):
    from icm_recruit.auth.models import Role
    from tests.support import csrf_from, make_user

    make_user("hr@example.org", Role.ADMIN, locale="fr")
    auth.login("hr@example.org")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "/admin/audit.xlsx" in page and "/admin/audit.csv" in page
    client.post("/language", data={"locale": "fr", "next": "/", "csrf_token": csrf_from(page)})
    french = client.get("/admin/audit.csv")
    assert french.status_code == 200
    header = french.data.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("id;at;actor_id;action")
    workbook = client.get("/admin/audit.xlsx")
    assert workbook.status_code == 200 and workbook.mimetype.endswith("spreadsheetml.sheet")
    assert read_xlsx(workbook.data)[0][:4] == ["id", "at", "actor_id", "action"]
    assert client.get("/admin/audit.pdf").status_code == 404
