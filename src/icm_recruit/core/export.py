"""CSV and XLSX exports of tabular data, safe to open in a spreadsheet.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return could be
run as a formula by Excel or LibreOffice (a reviewer comment such as
``=HYPERLINK("http://evil", "click")``). Such text gets a leading apostrophe, so it is shown
as text; in XLSX every text cell is also stored explicitly as a string, never a formula.
Numbers, booleans and dates are written as values: only text can carry a formula.

CSV is UTF-8 with a byte-order mark (so Excel reads accents correctly) and CRLF line ends.
In French it is written as French Excel reads it: `;` between fields and decimal commas.
Time-zone-aware datetimes are written in the reader's time zone: as ISO 8601 text with
their offset in CSV, as local spreadsheet dates in XLSX (which has no time zones).
`download` builds the response for the signed-in reader.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal

from flask import Response, abort
from flask_babel import get_locale
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as SheetCell

from icm_recruit.core.timeutil import zone_info

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_MAX = 31
LEADING_IGNORED = " " + "".join(chr(code) for code in range(32))

CellValue = str | int | float | Decimal | bool | date | datetime | None


def neutralise(text: str) -> str:
    """Prefix text that a spreadsheet could read as a formula with an apostrophe.

    Leading spaces and control characters are looked through, since some spreadsheets
    drop them on import and would then see the formula.
    """
    if text.startswith(FORMULA_PREFIXES) or text.lstrip(LEADING_IGNORED).startswith(
        FORMULA_PREFIXES
    ):
        return "'" + text
    return text


def _plain(value: CellValue, zone: tzinfo | None = None) -> CellValue:
    """Return the value to write: neutralised text, ISO text for aware datetimes."""
    if value is not None and not isinstance(value, str | int | float | Decimal | date):
        value = str(value)  # a translated label, an enum: written as its text
    if isinstance(value, datetime) and value.tzinfo is not None:
        return (value.astimezone(zone) if zone else value).isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return value


def _csv_text(value: CellValue, zone: tzinfo | None, decimal_comma: bool) -> str:
    """Render one value as CSV text."""
    value = _plain(value, zone)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float | Decimal) and decimal_comma:
        return str(value).replace(".", ",")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[CellValue]], *,
           locale: str = "en", zone: tzinfo | None = None) -> bytes:
    """Return the table as UTF-8 CSV bytes with a byte-order mark.

    French: `;` separators and decimal commas, as Excel set to French expects.
    """
    french = str(locale).startswith("fr")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";" if french else ",", lineterminator="\r\n")
    writer.writerow([_csv_text(h, zone, french) for h in headers])
    for row in rows:
        writer.writerow([_csv_text(v, zone, french) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_cell(sheet, value: CellValue, zone: tzinfo | None) -> SheetCell | None:
    """Build one write-only cell; text is always stored as a string."""
    if isinstance(value, datetime) and value.tzinfo is not None and zone is not None:
        value = value.astimezone(zone).replace(tzinfo=None)  # a local spreadsheet date
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, str):
        # XML cannot hold most control characters; drop them, then neutralise what is left.
        cell = WriteOnlyCell(sheet, value=neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)))
        cell.data_type = "s"
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    return cell


def to_xlsx(
    headers: Sequence[str], rows: Iterable[Sequence[CellValue]], sheet_title: str = "Export",
    *, zone: tzinfo | None = None,
) -> bytes:
    """Return the table as an XLSX workbook with one sheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    sheet.append([_xlsx_cell(sheet, h, zone) for h in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v, zone) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(headers: Sequence[str], rows: Iterable[Sequence[CellValue]], fmt: str,
             name: str, sheet: str = "Export") -> Response:
    """The table as a file for the signed-in reader: CSV in their language's convention
    or XLSX, dates in their time zone. Any other format is a 404."""
    zone = zone_info(getattr(current_user, "timezone", None))
    if fmt == "csv":
        body = to_csv(headers, rows, locale=str(get_locale() or "en"), zone=zone)
        mimetype = "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body, mimetype = to_xlsx(headers, rows, sheet_title=str(sheet), zone=zone), XLSX_TYPE
    else:
        abort(404)
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


def _sheet_title(title: str) -> str:
    """Return a sheet title Excel accepts: no []:*?/\\ and at most 31 characters."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)
    return cleaned[:SHEET_TITLE_MAX].strip(" '") or "Export"
