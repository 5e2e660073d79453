"""Reading the submit forms field by field: dates, texts, years, references, the rows of a list.

Each reader returns the value and records a Vietnamese message under the field's key in
`errors` when the value is wrong, so a page shows every mistake at once, next to its field.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from web.areas.submit.common import Errors
from web.errors import FormError
from web.forms import REQUIRED, text
from web.i18n import reason

#: A document's reference as an officer may choose it.
REF = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def parse_day(value: str, *, field: str) -> date:
    """A date written dd/mm/yyyy or yyyy-mm-dd (a date picker); FormError otherwise."""
    found = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if found:
        year, month, day = (int(part) for part in found.groups())
    else:
        found = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
        if not found:
            raise FormError("date_format", field=field)
        day, month, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise FormError("date_not_on_calendar", field=field, value=value) from None


def date_field(
    form: Any, name: str, errors: Errors, *, year: int | None = None, not_after: int | None = None, key: str = ""
) -> str:
    """The ISO date of field `name` (errors under `key` or `name`); `year`: must fall in it."""
    key = key or name
    value = text(form, name)
    if not value:
        errors[key] = REQUIRED
        return ""
    try:
        day = parse_day(value, field=key)
    except FormError as exc:
        errors[key] = reason(exc)
        return ""
    if year is not None and day.year != year:
        errors[key] = f"Ngày {day:%d/%m/%Y} không thuộc năm đánh giá {year}"
    elif not_after is not None and day.year > not_after:
        errors[key] = f"Ngày {day:%d/%m/%Y} sau năm đánh giá {not_after}"
    return day.isoformat()


def text_field(form: Any, name: str, errors: Errors, *, max_length: int, required: bool = True, key: str = "") -> str:
    """NFC text of field `name`, checked for length and for hidden control characters."""
    key = key or name
    value = text(form, name)
    if not value:
        if required:
            errors[key] = REQUIRED
    elif len(value) > max_length:
        errors[key] = f"Dài quá {max_length} ký tự ({len(value)} ký tự)"
    elif any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in value if c not in "\n\r\t"):
        errors[key] = "Có ký tự điều khiển hoặc ký tự ẩn (ví dụ ký tự đảo chiều); hãy gõ lại"
    return value


def year_field(form: Any, errors: Errors, years: list[int]) -> int:
    """The cycle year chosen (one with an opened cycle)."""
    value = text(form, "year")
    if not value:
        errors["year"] = REQUIRED
    elif not value.isdecimal() or int(value) not in years:
        errors["year"] = f"Năm {value} chưa mở chu kỳ đánh giá"
    else:
        return int(value)
    return 0


def slug(title: str) -> str:
    """A reference made from a title: lowercase ASCII words joined by hyphens."""
    folded = unicodedata.normalize("NFD", title.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    words = re.findall(r"[a-z0-9]+", plain)
    return "-".join(words)[:60].strip("-") or "van-ban"


def document_fields(form: Any, year: int, errors: Errors) -> dict[str, Any]:
    """title and issued_on of a document (its file is read apart)."""
    return {
        "title": text_field(form, "title", errors, max_length=500),
        "issued_on": date_field(form, "issued_on", errors, year=year) if year else text(form, "issued_on"),
    }


def decision_rows(form: Any, year: int, led: tuple[str, ...], errors: Errors) -> tuple[list[dict[str, str]], list]:
    """The list's rows (blank rows skipped), each checked; (rows as typed, decisions for the body)."""
    columns = ("d_index", "d_number", "d_decided_on", "d_title")
    typed = [
        dict(zip(columns, values, strict=False)) for values in zip(*(form.getlist(c) for c in columns), strict=False)
    ]
    rows = [{c: unicodedata.normalize("NFC", r.get(c, "")).strip() for c in columns} for r in typed]
    decisions = []
    seen: dict[tuple[str, str], int] = {}
    for n, row in enumerate(rows, 1):
        if not any(row[c] for c in columns if c != "d_index"):
            continue
        if row["d_index"] not in led:
            errors[f"d-{n}-index"] = "Chọn một chỉ số do đơn vị chủ trì"
        number = text_field(row, "d_number", errors, max_length=100, key=f"d-{n}-number")
        title = text_field(row, "d_title", errors, max_length=500, key=f"d-{n}-title")
        decided_on = date_field(row, "d_decided_on", errors, not_after=year or None, key=f"d-{n}-decided_on")
        key = (row["d_index"], number.casefold())
        if number and key in seen:
            errors[f"d-{n}-number"] = f"Trùng với dòng {seen[key]} (cùng chỉ số, cùng số quyết định)"
        seen.setdefault(key, n)
        decisions.append({"index": row["d_index"], "number": number, "decided_on": decided_on, "title": title})
    if not decisions:
        errors["decisions"] = "Danh mục cần ít nhất một quyết định"
    return rows, decisions


def padded(rows: list[dict[str, str]], minimum: int = 5, spare: int = 2) -> list[dict[str, str]]:
    """`rows` and blank rows after them to type into: at least `minimum` rows, at least `spare` blank."""
    return [*rows, *({} for _ in range(max(minimum - len(rows), spare)))]


def results_header(form: Any, year: int, errors: Errors) -> dict[str, Any]:
    """measured_year, decision and published_on of a results body."""
    measured = text(form, "measured_year")
    if not measured:
        errors["measured_year"] = REQUIRED
    elif not year or measured not in (str(year - 1), str(year)):
        errors["measured_year"] = f"Năm đo lường là {year - 1} hoặc {year}" if year else "Chọn năm đánh giá trước"
    return {
        "measured_year": int(measured) if measured.isdecimal() else 0,
        "decision": text_field(form, "decision", errors, max_length=100),
        "published_on": date_field(form, "published_on", errors, year=year or None),
    }
