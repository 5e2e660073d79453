"""Index results as a table: its rows, typed in the form or read from an upload, each checked.

Every row's errors are listed (row number, column, reason) before anything is signed. A
blank rank is filled in with the one ranking rule of the domain
(`ledger.domain.indices.competition_ranks`, within each unit class); a rank given must agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import request

from ledger.domain.indices import competition_ranks
from ledger.errors import PayloadError
from projections.exports import UNIT_CLASS_NAMES
from web.areas.submit.common import Errors
from web.areas.submit.table import read_table, table_refusal
from web.state import get_views

_DECIMAL = re.compile(r"-?(0|[1-9][0-9]{0,8})(\.[0-9]{1,4})?")

#: A table's rows as read, by their line (in the uploaded file, or in the typed table): {column: text}.
Lines = Mapping[int, Mapping[str, str]]


@dataclass
class ResultRow:
    """One row of a results table: where it was, its unit's class, whether it is valid, its fields.

    `fields` are the row as the body carries it (unit, score, rank, band); before the table is
    checked (no index chosen yet), they are the texts as typed. The rank check completes a row
    (a blank rank filled in, a wrong one marking the row invalid), hence not frozen.
    """

    line: int
    fields: dict[str, Any]
    unit_class: str | None = None
    valid: bool = True


@dataclass(frozen=True)
class RowError:
    """One error of an uploaded or typed results row: where (row, column) and why."""

    row: int
    column: str
    message: str


@dataclass(frozen=True)
class ResultsTable:
    """The rows of a results form, their errors, and whether they came from an uploaded file."""

    rows: list[ResultRow] = field(default_factory=list)
    problems: list[RowError] = field(default_factory=list)
    from_file: bool = False


def decimal_text(score: Decimal) -> str:
    """A score as the body writes it: plain digits, at most four decimals."""
    written = format(score, "f")
    return written if _DECIMAL.fullmatch(written) else format(score.normalize(), "f")


def check_results(
    lines: Lines, index: dict[str, Any], units: dict[str, dict[str, Any]]
) -> tuple[list[ResultRow], list[RowError]]:
    """The checked rows and every row's errors; a blank rank is computed (competition ranking)."""
    problems: list[RowError] = []
    maximum = Decimal(index["maximum"])
    seen: dict[str, int] = {}
    rows: list[ResultRow] = []
    scores: dict[int, Decimal] = {}
    for line, cells in lines.items():
        bad = len(problems)
        code = cells.get("unit", "").strip()
        unit = units.get(code)
        _check_unit(code, unit, index, line, seen, problems)
        seen.setdefault(code, line)
        score = _score(cells.get("score", ""), maximum, line, problems)
        rank = _rank(cells.get("rank", "").strip(), index, line, problems)
        band = cells.get("band", "").strip()
        if len(band) > 50:
            problems.append(RowError(line, "Xếp loại", "Dài quá 50 ký tự"))
        fields: dict[str, Any] = {"unit": code, "score": "" if score is None else decimal_text(score), "rank": rank}
        if band:
            fields["band"] = band
        if score is not None:
            scores[len(rows)] = score
        rows.append(ResultRow(line, fields, unit["unit_class"] if unit else None, len(problems) == bad))
    if index["level"] != "province":
        _check_ranks(rows, scores, problems)
    problems.sort(key=lambda p: p.row)
    return rows, problems


def _check_unit(
    code: str,
    unit: dict[str, Any] | None,
    index: dict[str, Any],
    line: int,
    seen: dict[str, int],
    problems: list[RowError],
) -> None:
    measured = ("province",) if index["level"] == "province" else tuple(index["classes"])
    if not code:
        problems.append(RowError(line, "Mã đơn vị", "Thiếu mã đơn vị"))
    elif unit is None:
        problems.append(RowError(line, "Mã đơn vị", f"Không có đơn vị mã “{code}” trong sổ cái"))
    elif unit["unit_class"] not in measured:
        kind = UNIT_CLASS_NAMES.get(unit["unit_class"], unit["unit_class"])
        problems.append(RowError(line, "Mã đơn vị", f"{code} thuộc loại “{kind}”, chỉ số {index['code']} không đo"))
    elif code in seen:
        problems.append(RowError(line, "Mã đơn vị", f"Đơn vị {code} đã có ở dòng {seen[code]}"))


def _score(value: Any, maximum: Decimal, line: int, problems: list[RowError]) -> Decimal | None:
    value = str(value).strip()
    if not value:
        problems.append(RowError(line, "Điểm", "Thiếu điểm"))
        return None
    if "," in value:
        problems.append(RowError(line, "Điểm", f"“{value}”: dùng dấu chấm cho phần thập phân (ví dụ 85.5)"))
        return None
    try:
        score = Decimal(value)
    except InvalidOperation:
        problems.append(RowError(line, "Điểm", f"“{value}” không phải là số"))
        return None
    if not score.is_finite():
        problems.append(RowError(line, "Điểm", f"“{value}” không phải là số"))
        return None
    if score.as_tuple().exponent < -4:  # type: ignore[operator]
        problems.append(RowError(line, "Điểm", "Điểm có tối đa 4 chữ số thập phân"))
        return None
    if score < 0:
        problems.append(RowError(line, "Điểm", "Điểm không được âm"))
        return None
    if score > maximum:
        problems.append(RowError(line, "Điểm", f"{value} vượt quá điểm tối đa {maximum} của chỉ số"))
        return None
    return score


def _rank(value: str, index: dict[str, Any], line: int, problems: list[RowError]) -> int | None:
    """The rank given, or None when blank (computed later) or wrong (an error recorded)."""
    if not value:
        if index["level"] == "province":
            problems.append(RowError(line, "Xếp hạng", "Thiếu thứ hạng của tỉnh trong cả nước"))
        return None
    rank = _integer(value)
    if rank is None or not 1 <= rank <= 10000:
        problems.append(RowError(line, "Xếp hạng", "Xếp hạng phải là số nguyên từ 1"))
        return None
    return rank


def _integer(value: str) -> int | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return int(number) if number.is_finite() and number == number.to_integral_value() else None


def _check_ranks(rows: list[ResultRow], scores: dict[int, Decimal], problems: list[RowError]) -> None:
    """Ranks within each unit class: a blank one is filled in, one that disagrees is an error."""
    by_class: dict[str, dict[int, Decimal]] = {}
    for position, score in scores.items():
        unit_class = rows[position].unit_class
        if unit_class is not None:
            by_class.setdefault(unit_class, {})[position] = score
    for members in by_class.values():
        for position, expected in competition_ranks(members).items():
            row = rows[position]
            if row.fields["rank"] is None:
                row.fields["rank"] = expected
            elif row.fields["rank"] != expected:
                reason = f"Phải là {expected}: 1 + số đơn vị cùng loại có điểm cao hơn (bằng điểm thì cùng hạng)"
                problems.append(RowError(row.line, "Xếp hạng", reason))
                row.valid = False


def typed_lines(form: Any) -> dict[int, dict[str, str]]:
    """The rows typed in the form's table (blank rows skipped), numbered from 1."""
    columns = ("r_unit", "r_score", "r_rank", "r_band")
    typed = zip(*(form.getlist(c) for c in columns), strict=False)
    rows = [
        {c[2:]: unicodedata.normalize("NFC", v).strip() for c, v in zip(columns, values, strict=True)}
        for values in typed
    ]
    return dict(enumerate((row for row in rows if any(row.values())), 1))


def results_table(form: Any, index: dict[str, Any] | None, errors: Errors) -> ResultsTable:
    """The table's rows: from an uploaded file when previewing, else as typed; checked once an index is known."""
    if form.get("action") == "preview":
        upload = request.files.get("table_file")
        if upload is None or not upload.filename:
            errors["table_file"] = "Chọn tệp .xlsx hoặc CSV để xem trước"
            return ResultsTable(from_file=True)
        try:
            lines: Lines = read_table(upload)
        except PayloadError as exc:
            errors["table_file"] = table_refusal(exc)
            return ResultsTable(from_file=True)
    else:
        lines = typed_lines(form)
        if not lines:
            errors["results"] = "Bảng kết quả chưa có dòng nào"
            return ResultsTable()
    from_file = form.get("action") == "preview"
    if index is None:
        return ResultsTable([ResultRow(line, dict(cells)) for line, cells in lines.items()], from_file=from_file)
    units = {u["code"]: u for u in get_views().units()}
    rows, problems = check_results(lines, index, units)
    if problems:
        errors["results"] = f"Bảng kết quả có {len(problems)} lỗi; xem từng dòng bên dưới"
    return ResultsTable(rows, problems, from_file)


def results_body(header: dict[str, Any], rows: list[ResultRow]) -> dict[str, Any]:
    """A results body: the header's fields and the rows."""
    return {**header, "results": [row.fields for row in rows]}
