"""Writing a report as a spreadsheet: the table with its title block, as ``.xlsx`` (openpyxl) or CSV.

A `Report` is what `projections.exports` builds from the views' rows; `write` turns it into
bytes. Nothing here reads a clock, a file or a database: the same report and `Source` give
the same bytes (the workbook's times, and the time stamps of its zip members, are the
recording time of the last entry the views hold).

Text is never a formula. A ledger holds what was signed, and a decision number or a band
may start with ``=`` (``=HYPERLINK(…)``): every text cell of a workbook is written as a
string (`put`), and every text cell of a CSV that starts with a character a spreadsheet
reads as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return: OWASP's CSV
injection rule) gets a leading ``'`` (`csv_text`). Numbers (scores, ranks, counts) stay
numbers, a negative one too. The results template the submit pages hand out is written
with `put` as well.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ledger.domain.local_time import LOCAL_TIME
from projections.errors import ExportError

#: The formats every report is written in.
FORMATS = ("xlsx", "csv")
#: Who compiles the reports, as the title block and the workbook say.
SOURCE_NAME = "Sổ cái CCHC — Sở Nội vụ tỉnh Hưng Yên"
#: The first characters that make a spreadsheet read a CSV cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The zip time stamp when the views hold no entry (the earliest a zip archive can say).
EPOCH = datetime(1980, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Source:
    """What the rows were read from: the views at `position`, the last entry recorded at `recorded_at`."""

    position: int
    recorded_at: datetime | None = None

    def line(self) -> str:
        """The source line under a report's title."""
        text = f"Nguồn: {SOURCE_NAME}. Số liệu đến mục số {self.position} của sổ cái"
        if self.recorded_at is not None:
            text += f", ghi lúc {self.recorded_at.astimezone(LOCAL_TIME):%H:%M ngày %d/%m/%Y}"
        return text + "."

    @property
    def moment(self) -> datetime:
        """The time the workbook says it was created and modified (UTC)."""
        return (self.recorded_at or EPOCH).astimezone(UTC)


@dataclass(frozen=True)
class Column:
    """One column: its heading, the heading of the group it belongs to (an index), its width."""

    heading: str
    group: str | None = None
    width: int | None = None

    @property
    def flat(self) -> str:
        """The heading on one line (the CSV's header row)."""
        return self.heading if self.group is None else f"{self.group} – {self.heading}"


@dataclass(frozen=True)
class Report:
    """A table with a title block: what both formats write."""

    sheet: str
    title: str
    lines: tuple[str, ...]
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    #: How many columns stay in view when scrolling right (the unit's code and name).
    frozen_columns: int = 0


def write(report: Report, source: Source, fmt: str) -> bytes:
    """`report` as `fmt`."""
    if fmt == "xlsx":
        return to_xlsx(report, source)
    if fmt == "csv":
        return to_csv(report)
    raise ExportError("unknown_report_format", format=fmt, formats=", ".join(FORMATS))


def to_csv(report: Report) -> bytes:
    """The table as CSV: UTF-8 with a BOM, CRLF line ends, one header row, dates dd/mm/yyyy."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.flat for column in report.columns])
    for row in report.rows:
        writer.writerow([csv_text(value) if isinstance(value, str) else _text(value) for value in row])
    return out.getvalue().encode("utf-8-sig")


def csv_text(text: str) -> str:
    """`text` as a CSV cell that no spreadsheet evaluates: a leading formula character is escaped with ``'``."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def put(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Write `value` into the cell at (`row`, `column`) of `sheet`; text always as a string, never a formula.

    openpyxl makes a formula of any text starting with ``=``: the type is set back to string.
    Return the cell.
    """
    cell = sheet.cell(row, column, value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def to_xlsx(report: Report, source: Source) -> bytes:
    """The report as a workbook: title block, a frozen header, column widths, formatted cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, NamedStyle, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _sheet_title(report.sheet)
    last = get_column_letter(len(report.columns))
    _write_title(sheet, report, last)
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    first = sheet.max_row + 1
    data = _write_header(sheet, report, first, border)
    styles: dict[str, str] = {}  # one named style per cell format: assigning it is cheap

    def style(number_format: str, wrap: bool) -> str:
        name = f"PAR {number_format}{' wrap' if wrap else ''}"
        if name not in styles:
            named = NamedStyle(name=name, number_format=number_format, border=border)
            named.alignment = Alignment(vertical="top", wrap_text=wrap)
            workbook.add_named_style(named)
            styles[name] = name
        return name

    for offset, values in enumerate(report.rows):
        for number, value in enumerate(values, 1):
            cell = put(sheet, data + offset, number, _cell_value(value))
            cell.style = style(_number_format(value), isinstance(value, str))

    for number, column in enumerate(report.columns, 1):
        sheet.column_dimensions[get_column_letter(number)].width = _width(report, number - 1, column)
    sheet.freeze_panes = f"{get_column_letter(report.frozen_columns + 1)}{data}"
    if report.rows:
        sheet.auto_filter.ref = f"A{data - 1}:{last}{data + len(report.rows) - 1}"
    sheet.print_title_rows = f"{first}:{data - 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    moment = source.moment.replace(tzinfo=None)  # openpyxl writes naive times as UTC
    properties = workbook.properties
    properties.creator = SOURCE_NAME
    properties.lastModifiedBy = SOURCE_NAME
    properties.title = report.title
    properties.created = moment
    properties.modified = moment

    out = io.BytesIO()
    stamp = source.moment.astimezone(LOCAL_TIME).timetuple()[:6]
    archive = _StampedZip(out, max(stamp, (1980, 1, 1, 0, 0, 0)))
    ExcelWriter(workbook, archive).save()  # closes the archive
    return out.getvalue()


def _write_title(sheet: Any, report: Report, last: str) -> None:
    """The title and its lines, each merged across the columns, then an empty row."""
    from openpyxl.styles import Alignment, Font

    title = put(sheet, 1, 1, report.title)
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A1:{last}1")
    for row, line in enumerate(report.lines, 2):
        cell = put(sheet, row, 1, line)  # an index's name comes from the ledger
        cell.font = Font(italic=True)
        cell.alignment = Alignment(horizontal="center")
        sheet.merge_cells(f"A{row}:{last}{row}")
    sheet.append([])


def _write_header(sheet: Any, report: Report, first: int, border: Any) -> int:
    """The column headings from row `first` (two rows when columns are grouped); return the first data row."""
    from openpyxl.styles import Alignment, Font, PatternFill

    header_fill = PatternFill("solid", fgColor="DDEBF7")
    header_font = Font(bold=True)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    width = len(report.columns)
    grouped = any(column.group for column in report.columns)
    for number, column in enumerate(report.columns, 1):
        cells = [column.group or column.heading, column.heading] if grouped else [column.heading]
        for offset, text in enumerate(cells):
            cell = put(sheet, first + offset, number, text)
            cell.font, cell.fill, cell.alignment, cell.border = header_font, header_fill, centred, border
        if grouped and column.group is None:
            sheet.merge_cells(start_row=first, start_column=number, end_row=first + 1, end_column=number)
    if grouped:
        start = 1
        while start <= width:
            group = report.columns[start - 1].group
            end = start
            while end < width and group is not None and report.columns[end].group == group:
                end += 1
            if group is not None and end > start:
                sheet.merge_cells(start_row=first, start_column=start, end_row=first, end_column=end)
            start = end + 1
    return first + (2 if grouped else 1)


class _StampedZip(zipfile.ZipFile):
    """A zip archive being written whose members all carry one time stamp (not the clock's)."""

    def __init__(self, file: io.BytesIO, date_time: tuple[int, ...]) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self._date_time = date_time

    def writestr(  # type: ignore[override]
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: bytes | str,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, self._date_time)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(  # type: ignore[override]
        self,
        filename: str,
        arcname: str | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        """A file openpyxl wrote aside (a worksheet): stored with the archive's stamp, not the file's."""
        with open(filename, "rb") as handle:
            data = handle.read()
        self.writestr(arcname or filename, data, compress_type, compresslevel)


# Values ----------------------------------------------------------------------------------


def _number_format(value: Any) -> str:
    """How a cell shows its value: scores with their published decimals, dates dd/mm/yyyy."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return "0." + "0" * places if places else "0"
    if isinstance(value, date):
        return "DD/MM/YYYY"
    if isinstance(value, int):
        return "0"
    return "General"


def _cell_value(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def _text(value: Any) -> str:
    """A cell as CSV text: dates dd/mm/yyyy, scores as published, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _sheet_title(text: str) -> str:
    """A valid sheet name: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in text)
    return cleaned[:31]


def _width(report: Report, index: int, column: Column) -> float:
    """The column's width: at least as set (headings wrap), wider for longer values, at most 60."""
    longest = max((len(_text(row[index])) for row in report.rows), default=0)
    return min(60, max(column.width or len(column.heading), 6, longest + 2))
