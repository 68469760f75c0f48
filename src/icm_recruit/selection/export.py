"""CSV and XLSX exports of tabular data, safe to open in a spreadsheet.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return could be
run as a formula by Excel or LibreOffice (a reviewer comment such as
``=HYPERLINK("http://evil", "click")``). Such text gets a leading apostrophe, so it is shown
as text; in XLSX every text cell is also stored explicitly as a string, never a formula.
Numbers, booleans and dates are written as values: only text can carry a formula.

CSV is UTF-8 with a byte-order mark (so Excel reads accents correctly) and CRLF line ends.
Time-zone-aware datetimes are written as ISO 8601 text with their offset, because XLSX has
no time zones; naive dates and datetimes are written as spreadsheet dates.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as SheetCell

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


def _plain(value: CellValue) -> CellValue:
    """Return the value to write: neutralised text, ISO text for aware datetimes."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return value


def _csv_text(value: CellValue) -> str:
    """Render one value as CSV text."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[CellValue]]) -> bytes:
    """Return the table as UTF-8 CSV bytes with a byte-order mark."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_text(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_cell(sheet, value: CellValue) -> SheetCell | None:
    """Build one write-only cell; text is always stored as a string."""
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, str):
        # XML cannot hold most control characters; drop them, then neutralise what is left.
        cell = WriteOnlyCell(sheet, value=neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)))
        cell.data_type = "s"
        return cell
    return WriteOnlyCell(sheet, value=value)


def to_xlsx(
    headers: Sequence[str], rows: Iterable[Sequence[CellValue]], sheet_title: str = "Export"
) -> bytes:
    """Return the table as an XLSX workbook with one sheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    sheet.append([_xlsx_cell(sheet, h) for h in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    """Return a sheet title Excel accepts: no []:*?/\\ and at most 31 characters."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)
    return cleaned[:SHEET_TITLE_MAX].strip(" '") or "Export"
