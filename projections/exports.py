"""The reports Sở Nội vụ hands on, as spreadsheets: pure functions from the views' rows to bytes.

Two reports, each as ``.xlsx`` (openpyxl) and as CSV (UTF-8 with a byte-order mark, so
Excel opens the Vietnamese text correctly), with the same columns:

- the compilation of a year (`compilation`): per rated head, the unit, its class, the
  head, each applicable index (score, rank among the units of the same class, level),
  the combined level, the level Sở Nội vụ computed and the one the Provincial People's
  Committee decided, and the rule set version (the rows of `Views.compilation`);
- the rankings of one index in one year (`rankings`), unit class by unit class (the rows
  of `Views.index_results`).

Nothing here reads a clock, a file or a database: the same rows and `Source` give the
same bytes.

Headings and level names are Vietnamese (levels: `ledger.domain.rules.LEVEL_NAMES`); dates are
written dd/mm/yyyy (in the workbook, as dates formatted so). Scores keep the decimals
they were published with. Rank and peer count are separate numeric columns, so Excel
never reads "3/10" as the 3rd of October.

The tables are written by `projections.spreadsheets` (where text is never a formula).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.domain.rules import LEVEL_NAMES
from projections.spreadsheets import Column, Report, Source, write

#: The unit classes of Decision 01/2023, as the province writes them.
UNIT_CLASS_NAMES = {
    "office": "Văn phòng Đoàn ĐBQH và HĐND tỉnh",
    "department": "Sở, ban, ngành tỉnh",
    "district": "UBND huyện, thị xã, thành phố",
    "public_service": "Đơn vị sự nghiệp công lập thuộc UBND tỉnh",
    "commune": "UBND xã, phường, thị trấn",
    "province": "UBND tỉnh",
}
#: The states of a rating.
STATUS_NAMES = {
    "computed": "Đã tính, chờ UBND tỉnh quyết định",
    "decided": "Đã quyết định",
    "published": "Đã công bố",
    "under_appeal": "Đang giải quyết kiến nghị",
    "revised": "Đã điều chỉnh sau kiến nghị",
}
#: What a missing index result shows in place of a score.
NO_RESULT = "Chưa có kết quả"
# The compilation --------------------------------------------------------------------------


def level_name(level: str | None) -> str | None:
    """A level in Vietnamese ("Hoàn thành tốt nhiệm vụ"); None stays None."""
    if level is None:
        return None
    return LEVEL_NAMES.get(level, level)


def class_name(unit_class: str | None) -> str | None:
    """A unit class in Vietnamese."""
    if unit_class is None:
        return None
    return UNIT_CLASS_NAMES.get(unit_class, unit_class)


def compilation_report(rows: Sequence[Mapping[str, Any]], year: int, source: Source) -> Report:
    """Sở Nội vụ's table for `year` from `Views.compilation(year)`: one row per rated head."""
    indices = _indices_of(rows)
    columns: list[Column] = [
        Column("STT", width=5),
        Column("Mã đơn vị", width=12),
        Column("Tên đơn vị", width=34),
        Column("Loại đơn vị", width=24),
        Column("Người đứng đầu", width=22),
    ]
    for code in indices:
        group = f"Chỉ số {code}"
        columns += [
            Column("Điểm", group, 9),
            Column("Xếp hạng", group, 9),
            Column("Số đơn vị cùng loại", group, 10),
            Column("Mức xếp loại", group, 20),
        ]
    columns += [
        Column("Mức xếp loại tổng hợp", width=24),
        Column("Mức do Sở Nội vụ tính", width=24),
        Column("Mức do UBND tỉnh quyết định", width=24),
        Column("Mức hiện hành", width=24),
        Column("Trạng thái", width=22),
        Column("Quyết định của UBND tỉnh", width=34),
        Column("Phiên bản bộ quy tắc", width=12),
        Column("Khớp với kết quả chỉ số hiện hành", width=14),
    ]
    table = []
    for number, row in enumerate(rows, 1):
        by_index = {entry["index"]: entry for entry in row["indices"]}
        cells: list[Any] = [
            number,
            row["unit"],
            row["unit_name"],
            class_name(row["unit_class"]),
            row["officer_name"] or row["officer"],
        ]
        for code in indices:
            entry = by_index.get(code)
            if entry is None:  # the index does not count for this unit's class
                cells += [None, None, None, None]
            elif entry["missing"]:
                cells += [NO_RESULT, None, None, level_name(entry["level"])]
            else:
                cells += [_decimal(entry["score"]), entry["rank"], entry["peers"], level_name(entry["level"])]
        cells += [
            level_name(row["level"]),
            level_name(row["computed_level"]),
            level_name(row["decided_level"]),
            level_name(row["current_level"]),
            STATUS_NAMES.get(row["status"], row["status"]),
            row["decision"],
            row["ruleset"],
            "Có" if row["consistent"] else "Không",
        ]
        table.append(tuple(cells))
    return Report(
        sheet=f"Tổng hợp {year}",
        title=f"BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ NGƯỜI ĐỨNG ĐẦU NĂM {year}",
        lines=(source.line(),),
        columns=tuple(columns),
        rows=table,
        frozen_columns=3,
    )


def _indices_of(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The index codes of the rows, in the order they first appear (the rule sets' order)."""
    codes: dict[str, None] = {}
    for row in rows:
        for entry in row["indices"]:
            codes.setdefault(entry["index"], None)
    return list(codes)


# The rankings ----------------------------------------------------------------------------


def rankings_report(
    rows: Sequence[Mapping[str, Any]],
    index: str,
    year: int,
    source: Source,
    *,
    index_name: str | None = None,
) -> Report:
    """The results in force of `index` for `year`, ranked within each unit class (`Views.index_results`)."""
    columns = (
        Column("STT", width=5),
        Column("Loại đơn vị", width=24),
        Column("Mã đơn vị", width=12),
        Column("Tên đơn vị", width=34),
        Column("Chỉ số", width=12),
        Column("Điểm", width=9),
        Column("Điểm tối đa", width=9),
        Column("Xếp hạng", width=9),
        Column("Số đơn vị cùng loại", width=10),
        Column("Xếp loại chỉ số", width=12),
        Column("Năm đo lường", width=9),
        Column("Quyết định công bố", width=40),
        Column("Ngày công bố", width=12),
        Column("Số lần đính chính", width=10),
        Column("Mục sổ cái", width=9),
    )
    table = [
        (
            number,
            class_name(row["unit_class"]),
            row["unit"],
            row["unit_name"],
            row["index"],
            _decimal(row["score"]),
            _decimal(row["maximum"]),
            row["rank"],
            row["peers"],
            row["band"],
            row["measured_year"],
            row["decision"],
            _date(row["published_on"]),
            row["corrections"],
            row["version_seq"],
        )
        for number, row in enumerate(rows, 1)
    ]
    lines = (index_name,) if index_name else ()
    return Report(
        sheet=f"{index} {year}",
        title=f"BẢNG XẾP HẠNG CHỈ SỐ {index} NĂM {year}",
        lines=(*lines, "Xếp hạng trong từng loại đơn vị.", source.line()),
        columns=columns,
        rows=table,
        frozen_columns=4,
    )


# Writing ---------------------------------------------------------------------------------


def compilation(rows: Sequence[Mapping[str, Any]], year: int, source: Source, fmt: str) -> bytes:
    """The compilation of `year` as `fmt` (``xlsx`` or ``csv``)."""
    return write(compilation_report(rows, year, source), source, fmt)


def rankings(
    rows: Sequence[Mapping[str, Any]],
    index: str,
    year: int,
    source: Source,
    fmt: str,
    *,
    index_name: str | None = None,
) -> bytes:
    """The rankings of `index` in `year` as `fmt` (``xlsx`` or ``csv``)."""
    return write(rankings_report(rows, index, year, source, index_name=index_name), source, fmt)


def _decimal(value: str | None) -> Decimal | str | None:
    """A published score as a Decimal (its decimals kept); anything else as given."""
    if value is None:
        return None
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError):
        return value


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
