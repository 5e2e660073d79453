"""Results spreadsheets: reading an uploaded ``.xlsx`` or CSV table, and the workbook to fill in.

An upload is judged by its content, not its name. The heading row (with “Mã đơn vị” and
“Điểm”, in Vietnamese or English, with or without diacritics) may sit anywhere in the first
30 rows; the rows under it are read by their line in the file, so each error names a line
the officer can find.
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from datetime import date, datetime
from typing import Any

from werkzeug.datastructures import FileStorage

from ledger.errors import PayloadError
from ledger.storage.documents import sniff
from projections.exports import UNIT_CLASS_NAMES
from projections.spreadsheets import put
from web.areas.submit.evidence import sniff_refusal
from web.errors import FormError
from web.i18n import reason

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The form field of the uploaded table (the refusals name it).
TABLE_FIELD = "table_file"
#: An uploaded results table: at most this many bytes and rows (the ledger takes 1,000 rows).
MAX_TABLE_BYTES = 2 * 1024 * 1024
MAX_TABLE_ROWS = 1000
#: Headings accepted for each column (compared without case; the export's headings too).
HEADINGS = {
    "unit": ("mã đơn vị", "ma don vi", "mã", "unit"),
    "score": ("điểm", "điểm số", "diem", "score"),
    "rank": ("xếp hạng", "thứ hạng", "xep hang", "rank"),
    "band": ("xếp loại", "xếp loại chỉ số", "xep loai", "band"),
}

#: A sheet's cells as text, by line number.
Grid = list[tuple[int, list[str]]]


def read_table(upload: FileStorage) -> dict[int, dict[str, str]]:
    """The rows of an uploaded `.xlsx` or CSV results table by their line in the file: {column: text}.

    A `PayloadError` of field `TABLE_FIELD` when the file cannot be read as such a table
    (`table_refusal` says why, in Vietnamese).
    """
    data = upload.read(MAX_TABLE_BYTES + 1)
    if not data:
        raise FormError("table_empty", field=TABLE_FIELD)
    if len(data) > MAX_TABLE_BYTES:
        raise FormError("table_too_large", field=TABLE_FIELD, limit=MAX_TABLE_BYTES // (1024 * 1024))
    grid = _xlsx_grid(data) if data.startswith(b"PK\x03\x04") else _csv_grid(data)
    return _table_rows(grid)


def _xlsx_grid(data: bytes) -> Grid:
    from openpyxl import load_workbook

    if sniff(data, TABLE_FIELD) != XLSX:
        raise FormError("table_not_xlsx", field=TABLE_FIELD)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            grid = []
            for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
                if number > MAX_TABLE_ROWS + 50:
                    break
                grid.append((number, [_cell(value) for value in row]))
            return grid
        finally:
            workbook.close()
    except Exception:  # openpyxl raises many kinds on a damaged workbook
        raise FormError("table_xlsx_unreadable", field=TABLE_FIELD) from None


def table_refusal(error: PayloadError) -> str:
    """Why an uploaded table was refused, in Vietnamese (the file's type, as `sniff` judged it, or its content)."""
    if isinstance(error, FormError):
        return reason(error)
    return f"Tệp {sniff_refusal(error)}"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if math.isfinite(value) and value == int(value) else repr(value)
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return unicodedata.normalize("NFC", str(value)).strip()


def _csv_grid(data: bytes) -> Grid:
    if data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"\xd0\xcf\x11\xe0")):
        raise FormError("table_not_a_spreadsheet", field=TABLE_FIELD)
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormError("table_csv_not_utf8", field=TABLE_FIELD) from None
    if "\x00" in decoded:
        raise FormError("table_csv_not_text", field=TABLE_FIELD)
    try:
        dialect: Any = csv.Sniffer().sniff(decoded[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(decoded), dialect)
    grid = []
    try:
        for row in reader:
            if reader.line_num > MAX_TABLE_ROWS + 50:
                break
            grid.append((reader.line_num, [unicodedata.normalize("NFC", c).strip() for c in row]))
    except csv.Error:
        raise FormError("table_csv_unreadable", field=TABLE_FIELD) from None
    return grid


def _heading(grid: Grid) -> tuple[int, dict[str, int]]:
    """Where the heading row is in `grid` and the position of each column it names."""
    for position, (_, cells) in enumerate(grid[:30]):
        folded = [c.casefold() for c in cells]
        columns = {}
        for column, names in HEADINGS.items():
            found = next((i for i, c in enumerate(folded) if c in names), None)
            if found is not None:
                columns[column] = found
        if "unit" in columns and "score" in columns:
            return position, columns
    raise FormError("table_no_heading", field=TABLE_FIELD)


def _table_rows(grid: Grid) -> dict[int, dict[str, str]]:
    """Find the heading row (with “Mã đơn vị” and “Điểm”), then read the rows under it."""
    heading, columns = _heading(grid)
    rows = {}
    for number, cells in grid[heading + 1 :]:
        row = {column: (cells[i] if i < len(cells) else "") for column, i in columns.items()}
        if any(row.values()):
            rows[number] = row
    if not rows:
        raise FormError("table_no_rows", field=TABLE_FIELD)
    if len(rows) > MAX_TABLE_ROWS:
        raise FormError("table_too_many_rows", field=TABLE_FIELD, limit=MAX_TABLE_ROWS)
    return rows


def template_workbook(index: dict[str, Any], units: list[dict[str, Any]]) -> bytes:
    """A workbook to fill in: the active `units` the index measures, with the columns an upload reads.

    Every text is written as a string cell (`projections.spreadsheets.put`): an index's or a unit's
    name comes from the ledger, and one starting with ``=`` must not become a formula.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    measured = ("province",) if index["level"] == "province" else tuple(index["classes"])
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = index["code"][:31]
    rows: list[list[Any]] = [
        [f"Kết quả {index['name']}"],
        ["Điền cột Điểm (dấu chấm thập phân); để trống Xếp hạng thì hệ thống tự xếp theo loại đơn vị."],
        ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Điểm", "Xếp hạng", "Xếp loại"],
    ]
    rows += [
        [unit["code"], unit["name"], UNIT_CLASS_NAMES.get(unit["unit_class"])]
        for unit in units
        if unit["unit_class"] in measured and unit["status"] == "active"
    ]
    for number, values in enumerate(rows, 1):
        for place, value in enumerate(values, 1):
            put(sheet, number, place, value)
    sheet["A1"].font = Font(bold=True, size=13)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEF", (12, 40, 30, 9, 9, 14), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A4"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
