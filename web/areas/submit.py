"""Submitting: documents with evidence files, governing-decision lists, index results; corrections.

Every form is checked here first, field by field, in Vietnamese: nothing is stored and
nothing is signed while a field is wrong. Only then is the evidence file stored (by its
SHA-256, its original file name kept in NFC) and the statement shown for signing.

Evidence files are checked by their content (`ledger.storage.documents.sniff`), never by the
name or the media type the browser claims. A file stored for a statement the officer
then does not sign stays in the content-addressed store unreferenced: harmless (the
same bytes always land at the same place, nothing in the ledger names them) and
reused if the officer signs later.

Index results come from a table form or from an ``.xlsx``/CSV upload, which fills the
table and lists the errors of each row (row number, column, reason) before anything is
signed. A unit always acts for itself: the unit comes from the session, never the form.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from werkzeug.datastructures import FileStorage

from ledger.domain.indices import Cycle
from ledger.domain.local_time import LOCAL_TIME
from ledger.domain.submissions import KINDS, MAX_DOCUMENT_BYTES, DocumentRef, Submission, parse_subject
from ledger.errors import LedgerError, PayloadError
from ledger.storage.documents import sniff
from projections.exports import UNIT_CLASS_NAMES
from web.areas.auth import User, current_user, login_required, role_required
from web.areas.signing import ask_to_sign
from web.forms import REQUIRED, text
from web.i18n import vietnamese
from web.state import get_documents, get_ledger, get_views
from web.text import local_date, local_time

bp = Blueprint("submit", __name__, url_prefix="/nop")

#: Menu entries: (endpoint, label, roles that see it; none: every officer).
NAV: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("submit.index", "Nộp hồ sơ", ()),
    ("submit.corrections", "Đính chính", ()),
)

KIND_NAMES = {
    "document": "Văn bản, báo cáo",
    "governing-decisions": "Danh mục quyết định về chỉ số",
    "index-results": "Kết quả chỉ số",
    "staff-rule": "Quy định đánh giá công chức",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: An uploaded results table: at most this many bytes and rows (the ledger takes 1,000 rows).
MAX_TABLE_BYTES = 2 * 1024 * 1024
MAX_TABLE_ROWS = 1000
_REF = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]{0,8})(\.[0-9]{1,4})?")

Errors = dict[str, str]


def _user() -> User:
    user = current_user()
    if user is None:  # every view is behind login_required
        abort(401)
    return user


def cycle_years() -> list[int]:
    """The years an assessment cycle was opened for, newest first."""
    ledger = get_ledger()
    years = {y for y in get_views().years() if isinstance(ledger.get(f"cycle/{y}"), Cycle)}
    return sorted(years, reverse=True)


def today() -> date:
    """Today in Hưng Yên."""
    return datetime.now(LOCAL_TIME).date()


# Fields ---------------------------------------------------------------------------------


def parse_day(value: str) -> date:
    """A date written dd/mm/yyyy or yyyy-mm-dd (a date picker); ValueError in Vietnamese."""
    found = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if found:
        year, month, day = (int(part) for part in found.groups())
    else:
        found = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
        if not found:
            raise ValueError("Ngày phải viết theo dạng dd/mm/yyyy")
        day, month, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{value} không phải là một ngày có thật trên lịch") from None


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
        day = parse_day(value)
    except ValueError as exc:
        errors[key] = str(exc)
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
    elif not value.isdigit() or int(value) not in years:
        errors["year"] = f"Năm {value} chưa mở chu kỳ đánh giá"
    else:
        return int(value)
    return 0


# Evidence files ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """An evidence file that passed every check, not yet stored."""

    data: bytes
    name: str
    media_type: str

    def store(self, field: str) -> DocumentRef:
        return get_documents().put(self.data, self.name, field=field)


_SNIFF_REASONS = (
    ("is not a PDF", "không phải tệp PDF, DOCX, XLSX, ODT, PNG hoặc JPEG (xét theo nội dung tệp, không theo đuôi tên)"),
    ("zip bomb", "bung ra lớn bất thường so với kích thước tệp (nghi là “bom zip”)"),
    ("archive entries", "chứa quá nhiều thành phần nén"),
    ("damaged", "là tệp ZIP/Office bị hỏng"),
    ("but not a DOCX", "là tệp nén ZIP nhưng không phải tài liệu DOCX, XLSX hoặc ODT"),
)


def file_name(raw: str) -> str:
    """The file's own name (no folders), NFC; ValueError in Vietnamese if unusable."""
    name = unicodedata.normalize("NFC", raw.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if not name or name in {".", ".."}:
        raise ValueError("Tên tệp không hợp lệ")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in name):
        raise ValueError("Tên tệp có ký tự điều khiển hoặc ký tự ẩn (ví dụ ký tự đảo chiều U+202E)")
    if len(name) > 255:
        raise ValueError(f"Tên tệp dài quá 255 ký tự ({len(name)} ký tự)")
    return name


def evidence(field: str, errors: Errors, *, required: bool) -> Evidence | None:
    """The one file posted under `field`, checked by size and content; None if absent or wrong."""
    files = [f for f in request.files.getlist(field) if f.filename]
    if not files:
        if required:
            errors[field] = "Chưa chọn tệp minh chứng"
        return None
    if len(files) > 1:
        errors[field] = "Mỗi hồ sơ kèm đúng một tệp minh chứng; hãy gộp thành một tệp PDF hoặc nộp từng văn bản riêng"
        return None
    upload = files[0]
    try:
        name = file_name(upload.filename or "")
    except ValueError as exc:
        errors[field] = str(exc)
        return None
    data = upload.read(MAX_DOCUMENT_BYTES + 1)
    if not data:
        errors[field] = f"Tệp “{name}” rỗng (0 byte)"
        return None
    if len(data) > MAX_DOCUMENT_BYTES:
        errors[field] = f"Tệp “{name}” lớn hơn giới hạn {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB"
        return None
    try:
        media_type = sniff(data, field)
    except PayloadError as exc:
        reason = next((vi for en, vi in _SNIFF_REASONS if en in exc.reason), exc.reason)
        errors[field] = f"Tệp “{name}” {reason}"
        return None
    return Evidence(data, name, media_type)


def size_label(size: int) -> str:
    """A file size for people: 12,3 KB."""
    if size < 1024:
        return f"{size} byte"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB".replace(".", ",")
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def _ledger_check(kind: str, body: dict[str, Any], year: int, errors: Errors) -> Any:
    """The ledger's own reading of `body` (a last check: its refusal becomes a form error)."""
    try:
        return KINDS[kind].parse(body, year)
    except PayloadError as exc:
        errors["form"] = vietnamese(exc)
        return None


# Documents ----------------------------------------------------------------------------------


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


@bp.get("/")
@login_required
def index() -> str:
    """What this unit can file, and its earlier submissions."""
    user = _user()
    return render_template("submit/index.html", user=user, kind_names=KIND_NAMES, submissions=own_submissions(user))


@bp.route("/van-ban", methods=["GET", "POST"])
@login_required
def document() -> Any:
    """A document (report, plan, decision) with its evidence file."""
    user = _user()
    years = cycle_years()
    errors: Errors = {}
    values = {"year": str(years[0]) if years else "", "ref": "", "title": "", "issued_on": ""}
    if request.method == "POST":
        form = request.form
        year = year_field(form, errors, years)
        fields = document_fields(form, year, errors)
        ref = text(form, "ref")
        values = {"year": text(form, "year"), "ref": ref, **fields}
        if ref and not _REF.fullmatch(ref):
            errors["ref"] = "Mã hồ sơ chỉ gồm chữ thường không dấu, chữ số, dấu chấm, gạch ngang (tối đa 64 ký tự)"
        subject = ""
        if year and "ref" not in errors:
            subject, taken = _document_subject(user.unit, year, ref or slug(fields["title"]), explicit=bool(ref))
            if taken:
                errors["ref"] = f"Đơn vị đã nộp hồ sơ mã “{ref}” năm {year}; chọn mã khác hoặc đính chính hồ sơ đó"
        file = evidence("file", errors, required=True)
        if not errors and file is not None:
            body = {**fields, "document": {"sha256": "0" * 64, "size": len(file.data),
                                           "media_type": file.media_type, "name": file.name}}  # fmt: skip
            if _ledger_check("document", body, year, errors) is not None:
                body["document"] = file.store("file").to_json()
                return ask_to_sign(
                    "submission.document",
                    subject,
                    body,
                    title="Nộp văn bản",
                    summary=[
                        ("Đơn vị", f"{user.unit_name} ({user.unit})"),
                        ("Năm đánh giá", str(year)),
                        ("Hồ sơ", subject),
                        ("Tiêu đề", fields["title"]),
                        ("Ngày ban hành", local_date(fields["issued_on"])),
                        ("Tệp minh chứng", f"{file.name} ({size_label(len(file.data))})"),
                        ("SHA-256", body["document"]["sha256"]),
                    ],
                    back=url_for("submit.document"),
                )
    return _render("submit/document.html", errors, values=values, years=years)


def _document_subject(unit: str, year: int, ref: str, *, explicit: bool) -> tuple[str, bool]:
    """The subject for `ref`; an automatic reference gets -2, -3… when already taken."""
    ledger = get_ledger()
    base = f"submission/document/{unit}/{year}/"
    if explicit:
        return base + ref, ledger.get(base + ref) is not None
    candidate, n = ref, 1
    while ledger.get(base + candidate) is not None:
        n += 1
        candidate = f"{ref}-{n}"
    return base + candidate, False


def _render(template: str, errors: Errors, **context: Any) -> Any:
    page = render_template(template, errors=errors, **context)
    return (page, 422) if errors else page


# Governing decisions ---------------------------------------------------------------------------


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


@bp.route("/danh-muc-quyet-dinh", methods=["GET", "POST"])
@role_required("lead_department")
def decisions() -> Any:
    """The list of the committee's decisions governing the indices this unit leads."""
    user = _user()
    years = cycle_years()
    errors: Errors = {}
    values: dict[str, Any] = {"year": str(years[0]) if years else ""}
    rows: list[dict[str, str]] = []
    if request.method == "POST":
        form = request.form
        year = year_field(form, errors, years)
        values = {"year": text(form, "year")}
        rows, items = decision_rows(form, year, user.led_indices, errors)
        subject = f"submission/governing-decisions/{user.unit}/{year}"
        if year and get_ledger().get(subject) is not None:
            errors["year"] = f"Đơn vị đã nộp danh mục năm {year}; hãy dùng chức năng đính chính"
        file = evidence("file", errors, required=False)
        if not errors:
            body: dict[str, Any] = {"decisions": items}
            if _ledger_check("governing-decisions", body, year, errors) is not None:
                if file is not None:
                    body["document"] = file.store("file").to_json()
                return ask_to_sign(
                    "submission.governing-decisions",
                    subject,
                    body,
                    title="Nộp danh mục quyết định",
                    summary=[
                        ("Đơn vị", f"{user.unit_name} ({user.unit})"),
                        ("Hồ sơ", subject),
                        ("Năm đánh giá", str(year)),
                        *(
                            (f"{d['index']}: {d['number']}", f"{local_date(d['decided_on'])} — {d['title']}")
                            for d in items
                        ),
                        ("Tệp minh chứng", file.name if file else "(không kèm tệp)"),
                    ],
                    back=url_for("submit.decisions"),
                )
    return _render(
        "submit/decisions.html", errors, values=values, years=years, rows=_padded(rows), led=user.led_indices
    )


def _padded(rows: list[dict[str, str]], minimum: int = 5, spare: int = 2) -> list[dict[str, str]]:
    return [*rows, *({} for _ in range(max(minimum - len(rows), spare)))]


# Index results ---------------------------------------------------------------------------------


@dataclass
class RowError:
    """One error of an uploaded or typed results row: where (row, column) and why."""

    row: int
    column: str
    message: str


RESULT_COLUMNS = {"unit": "Mã đơn vị", "score": "Điểm", "rank": "Xếp hạng", "band": "Xếp loại"}
#: Headings accepted for each column (compared without case; the export's headings too).
HEADINGS = {
    "unit": ("mã đơn vị", "ma don vi", "mã", "unit"),
    "score": ("điểm", "điểm số", "diem", "score"),
    "rank": ("xếp hạng", "thứ hạng", "xep hang", "rank"),
    "band": ("xếp loại", "xếp loại chỉ số", "xep loai", "band"),
}


def check_results(
    rows: list[dict[str, str]], numbers: list[int], index: dict[str, Any], units: dict[str, dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """The body's result rows and every row's errors; a blank rank is computed (competition ranking)."""
    problems: list[RowError] = []
    maximum = Decimal(index["maximum"])
    measured = ("province",) if index["level"] == "province" else tuple(index["classes"])
    seen: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    scores: list[Decimal | None] = []
    for row, number in zip(rows, numbers, strict=True):
        bad = len(problems)
        code = row.get("unit", "").strip()
        unit = units.get(code)
        if not code:
            problems.append(RowError(number, "Mã đơn vị", "Thiếu mã đơn vị"))
        elif unit is None:
            problems.append(RowError(number, "Mã đơn vị", f"Không có đơn vị mã “{code}” trong sổ cái"))
        elif unit["unit_class"] not in measured:
            kind = UNIT_CLASS_NAMES.get(unit["unit_class"], unit["unit_class"])
            problems.append(
                RowError(number, "Mã đơn vị", f"{code} thuộc loại “{kind}”, chỉ số {index['code']} không đo")
            )
        elif code in seen:
            problems.append(RowError(number, "Mã đơn vị", f"Đơn vị {code} đã có ở dòng {seen[code]}"))
        seen.setdefault(code, number)
        score = _score(row.get("score", ""), maximum, number, problems)
        rank_text = row.get("rank", "").strip()
        rank: int | None = None
        if rank_text:
            rank = _integer(rank_text)
            if rank is None or not 1 <= rank <= 10000:
                problems.append(RowError(number, "Xếp hạng", "Xếp hạng phải là số nguyên từ 1"))
                rank = None
        elif index["level"] == "province":
            problems.append(RowError(number, "Xếp hạng", "Thiếu thứ hạng của tỉnh trong cả nước"))
        band = row.get("band", "").strip()
        if len(band) > 50:
            problems.append(RowError(number, "Xếp loại", "Dài quá 50 ký tự"))
        result: dict[str, Any] = {"unit": code, "score": "" if score is None else _decimal_text(score), "rank": rank}
        if band:
            result["band"] = band
        result["_row"] = number
        result["_class"] = unit["unit_class"] if unit else None
        result["_ok"] = len(problems) == bad
        results.append(result)
        scores.append(score)
    if index["level"] != "province":
        _check_ranks(results, scores, problems)
    problems.sort(key=lambda p: p.row)
    return results, problems


def _score(value: Any, maximum: Decimal, number: int, problems: list[RowError]) -> Decimal | None:
    value = str(value).strip()
    if not value:
        problems.append(RowError(number, "Điểm", "Thiếu điểm"))
        return None
    if "," in value:
        problems.append(RowError(number, "Điểm", f"“{value}”: dùng dấu chấm cho phần thập phân (ví dụ 85.5)"))
        return None
    try:
        score = Decimal(value)
    except InvalidOperation:
        problems.append(RowError(number, "Điểm", f"“{value}” không phải là số"))
        return None
    if not score.is_finite():
        problems.append(RowError(number, "Điểm", f"“{value}” không phải là số"))
        return None
    if score.as_tuple().exponent < -4:  # type: ignore[operator]
        problems.append(RowError(number, "Điểm", "Điểm có tối đa 4 chữ số thập phân"))
        return None
    if score < 0:
        problems.append(RowError(number, "Điểm", "Điểm không được âm"))
        return None
    if score > maximum:
        problems.append(RowError(number, "Điểm", f"{value} vượt quá điểm tối đa {maximum} của chỉ số"))
        return None
    return score


def _decimal_text(score: Decimal) -> str:
    written = format(score, "f")
    return written if _DECIMAL.fullmatch(written) else format(score.normalize(), "f")


def _integer(value: str) -> int | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return int(number) if number.is_finite() and number == number.to_integral_value() else None


def _check_ranks(results: list[dict[str, Any]], scores: list[Decimal | None], problems: list[RowError]) -> None:
    """Rank within the unit class: 1 + the number of units of that class with a higher score."""
    by_class: dict[str, list[int]] = {}
    for i, result in enumerate(results):
        if result["_class"] is not None and scores[i] is not None:
            by_class.setdefault(result["_class"], []).append(i)
    for members in by_class.values():
        for i in members:
            score = scores[i]
            assert score is not None
            expected = 1 + sum(1 for j in members if (other := scores[j]) is not None and other > score)
            if results[i]["rank"] is None:
                results[i]["rank"] = expected
            elif results[i]["rank"] != expected:
                problems.append(
                    RowError(
                        results[i]["_row"],
                        "Xếp hạng",
                        f"Phải là {expected}: 1 + số đơn vị cùng loại có điểm cao hơn (bằng điểm thì cùng hạng)",
                    )
                )
                results[i]["_ok"] = False


def read_table(upload: FileStorage) -> tuple[list[dict[str, str]], list[int], str]:
    """Rows of an uploaded `.xlsx` or CSV results table with their row numbers, or an error."""
    data = upload.read(MAX_TABLE_BYTES + 1)
    name = upload.filename or ""
    if not data:
        return [], [], "Tệp bảng kết quả rỗng (0 byte)"
    if len(data) > MAX_TABLE_BYTES:
        return [], [], f"Tệp bảng kết quả lớn hơn {MAX_TABLE_BYTES // (1024 * 1024)} MiB"
    if data.startswith(b"PK\x03\x04"):
        try:
            kind = sniff(data, "table")
        except PayloadError as exc:
            reason = next((vi for en, vi in _SNIFF_REASONS if en in exc.reason), exc.reason)
            return [], [], f"Tệp {reason}"
        if kind != XLSX:
            return [], [], "Tệp không phải bảng tính .xlsx (xét theo nội dung)"
        try:
            grid = _xlsx_grid(data)
        except Exception:  # openpyxl raises many kinds on a damaged workbook
            return [], [], "Không đọc được bảng tính .xlsx: tệp hỏng hoặc không đúng định dạng"
    else:
        if data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"\xd0\xcf\x11\xe0")):
            return [], [], "Tệp phải là bảng tính .xlsx hoặc CSV (tệp .xls cũ: hãy lưu lại dưới dạng .xlsx)"
        try:
            decoded = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], [], "Tệp CSV phải mã hoá UTF-8 (trong Excel: Lưu thành “CSV UTF-8”)"
        if "\x00" in decoded:
            return [], [], "Tệp không phải là CSV văn bản"
        try:
            grid = _csv_grid(decoded)
        except csv.Error:
            return [], [], "Không đọc được tệp CSV (ô quá dài hoặc dấu ngoặc kép không khớp)"
    del name
    return _table_rows(grid)


def _xlsx_grid(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

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


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if math.isfinite(value) and value == int(value) else repr(value)
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return unicodedata.normalize("NFC", str(value)).strip()


def _csv_grid(decoded: str) -> list[tuple[int, list[str]]]:
    sample = decoded[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(decoded), dialect)
    grid = []
    for row in reader:
        if reader.line_num > MAX_TABLE_ROWS + 50:
            break
        grid.append((reader.line_num, [unicodedata.normalize("NFC", c).strip() for c in row]))
    return grid


def _table_rows(grid: list[tuple[int, list[str]]]) -> tuple[list[dict[str, str]], list[int], str]:
    """Find the heading row (with “Mã đơn vị” and “Điểm”), then read the rows under it."""
    heading: int | None = None
    columns: dict[str, int] = {}
    for position, (_, cells) in enumerate(grid[:30]):
        folded = [c.casefold() for c in cells]
        columns = {}
        for column, names in HEADINGS.items():
            found = next((i for i, c in enumerate(folded) if c in names), None)
            if found is not None:
                columns[column] = found
        if "unit" in columns and "score" in columns:
            heading = position
            break
    if heading is None:
        return [], [], "Không tìm thấy dòng tiêu đề có cột “Mã đơn vị” và cột “Điểm”"
    rows, numbers = [], []
    for number, cells in grid[heading + 1 :]:
        row = {column: (cells[i] if i < len(cells) else "") for column, i in columns.items()}
        if not any(row.values()):
            continue
        rows.append(row)
        numbers.append(number)
    if not rows:
        return [], [], "Bảng không có dòng kết quả nào dưới dòng tiêu đề"
    if len(rows) > MAX_TABLE_ROWS:
        return [], [], f"Bảng có hơn {MAX_TABLE_ROWS} dòng"
    return rows, numbers, ""


def _typed_rows(form: Any) -> list[dict[str, str]]:
    columns = ("r_unit", "r_score", "r_rank", "r_band")
    typed = zip(*(form.getlist(c) for c in columns), strict=False)
    rows = [
        {c[2:]: unicodedata.normalize("NFC", v).strip() for c, v in zip(columns, values, strict=True)}
        for values in typed
    ]
    return [row for row in rows if any(row.values())]


def results_header(form: Any, year: int, errors: Errors) -> dict[str, Any]:
    """measured_year, decision and published_on of a results body."""
    measured = text(form, "measured_year")
    if not measured:
        errors["measured_year"] = REQUIRED
    elif not year or measured not in (str(year - 1), str(year)):
        errors["measured_year"] = f"Năm đo lường là {year - 1} hoặc {year}" if year else "Chọn năm đánh giá trước"
    return {
        "measured_year": int(measured) if measured.isdigit() else 0,
        "decision": text_field(form, "decision", errors, max_length=100),
        "published_on": date_field(form, "published_on", errors, year=year or None),
    }


def _indices(codes: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    return {i["code"]: i for i in get_views().indices() if i["code"] in codes}


def results_rows(
    form: Any, index: dict[str, Any] | None, errors: Errors
) -> tuple[list[dict[str, Any]], list[RowError], str]:
    """The table's rows: from an uploaded file when previewing, else as typed. (rows, errors, source)."""
    units = {u["code"]: u for u in get_views().units()}
    upload = request.files.get("table_file")
    if form.get("action") == "preview":
        if upload is None or not upload.filename:
            errors["table_file"] = "Chọn tệp .xlsx hoặc CSV để xem trước"
            return [], [], "file"
        rows, numbers, problem = read_table(upload)
        if problem:
            errors["table_file"] = problem
            return [], [], "file"
        source = "file"
    else:
        rows = _typed_rows(form)
        numbers = list(range(1, len(rows) + 1))
        source = "table"
        if not rows:
            errors["results"] = "Bảng kết quả chưa có dòng nào"
            return [], [], source
    if index is None:
        return [{**r, "_row": n, "_ok": True} for r, n in zip(rows, numbers, strict=True)], [], source
    results, problems = check_results(rows, numbers, index, units)
    if problems:
        errors["results"] = f"Bảng kết quả có {len(problems)} lỗi; xem từng dòng bên dưới"
    return results, problems, source


def results_body(header: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    rows = [{k: v for k, v in r.items() if not k.startswith("_")} for r in results]
    return {**header, "results": rows}


@bp.route("/ket-qua", methods=["GET", "POST"])
@role_required("lead_department")
def results() -> Any:
    """Index results of an index this unit leads: typed in the table or uploaded, previewed, signed."""
    user = _user()
    years = cycle_years()
    led = _indices(user.led_indices)
    choices = [code for code, i in led.items() if i["status"] == "in_force"]
    errors: Errors = {}
    year = years[0] if years else 0
    values: dict[str, Any] = {
        "year": str(year),
        "index": "",
        "measured_year": str(year),
        "decision": "",
        "published_on": "",
    }
    rows: list[dict[str, Any]] = []
    problems: list[RowError] = []
    source = "table"
    if request.method == "POST":
        form = request.form
        code = text(form, "index")
        index = led.get(code)
        if code not in choices:
            errors["index"] = "Chọn một chỉ số đang có hiệu lực do đơn vị chủ trì" if code else REQUIRED
            index = None
        year = year_field(form, errors, years)
        header = results_header(form, year, errors)
        values = {k: text(form, k) for k in ("year", "index", "measured_year", "decision", "published_on")}
        subject = f"submission/index-results/{code}/{year}"
        if index is not None and year and get_ledger().get(subject) is not None:
            errors["index"] = f"Kết quả chỉ số {code} năm {year} đã được công bố; hãy dùng chức năng đính chính"
        rows, problems, source = results_rows(form, index, errors)
        if form.get("action") == "preview":
            status = 422 if problems or "table_file" in errors else 200
            page = render_template(
                "submit/results.html", errors=errors, values=values, years=years, choices=choices, led=led,
                rows=rows, problems=problems, source=source, previewed=True,
            )  # fmt: skip
            return page, status
        file = evidence("file", errors, required=False)
        if not errors and index is not None:
            body = results_body(header, rows)
            if _ledger_check("index-results", body, year, errors) is not None:
                if file is not None:
                    body["document"] = file.store("file").to_json()
                return ask_to_sign(
                    "submission.index-results",
                    subject,
                    body,
                    title=f"Công bố kết quả chỉ số {code} năm {year}",
                    summary=_results_summary(user, code, year, body, file),
                    back=url_for("submit.results"),
                )
    return _render(
        "submit/results.html", errors, values=values, years=years, choices=choices, led=led,
        rows=rows, problems=problems, source=source, previewed=False,
    )  # fmt: skip


def _results_summary(
    user: User, code: str, year: int, body: dict[str, Any], file: Evidence | None
) -> list[tuple[str, str]]:
    lines = [
        ("Cơ quan chủ trì", f"{user.unit_name} ({user.unit})"),
        ("Hồ sơ", f"submission/index-results/{code}/{year}"),
        ("Chỉ số", code),
        ("Năm đánh giá", str(year)),
        ("Năm đo lường", str(body["measured_year"])),
        ("Quyết định công bố", body["decision"]),
        ("Ngày công bố", local_date(body["published_on"])),
        ("Số đơn vị", str(len(body["results"]))),
    ]
    lines += [
        (r["unit"], f"điểm {r['score']} · hạng {r['rank']}" + (f" · {r['band']}" if r.get("band") else ""))
        for r in body["results"]
    ]
    if file is not None:
        lines.append(("Tệp minh chứng", f"{file.name} ({size_label(len(file.data))})"))
    return lines


@bp.get("/ket-qua/mau.xlsx")
@role_required("lead_department")
def results_template() -> Response:
    """A workbook to fill in: the units the chosen index measures, with the columns the upload reads."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    user = _user()
    led = _indices(user.led_indices)
    code = request.args.get("index", "")
    index = led.get(code)
    if index is None:
        abort(404)
    measured = ("province",) if index["level"] == "province" else tuple(index["classes"])
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = code[:31]
    sheet.append([f"Kết quả {index['name']}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["Điền cột Điểm (dấu chấm thập phân); để trống Xếp hạng thì hệ thống tự xếp theo loại đơn vị."])
    sheet.append(["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Điểm", "Xếp hạng", "Xếp loại"])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for unit in get_views().units():
        if unit["unit_class"] in measured and unit["status"] == "active":
            sheet.append([unit["code"], unit["name"], UNIT_CLASS_NAMES.get(unit["unit_class"]), None, None, None])
    for column, width in zip("ABCDEF", (12, 40, 30, 9, 9, 14), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A4"
    out = io.BytesIO()
    workbook.save(out)
    return Response(
        out.getvalue(),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="ket-qua-{code}.xlsx"'},
    )


# Corrections ---------------------------------------------------------------------------------------


def own_submissions(user: User) -> list[dict[str, Any]]:
    """Every submission this unit filed, newest year first."""
    views = get_views()
    found = []
    for year in sorted(views.years(), reverse=True):
        found += [s for s in views.submissions(year) if s["unit"] == user.unit]
    for submission in found:
        submission["filed_at_local"] = local_time(submission["filed_at"])
    return found


@bp.get("/sua/")
@login_required
def corrections() -> str:
    """The unit's earlier submissions, each with a link to correct it."""
    user = _user()
    return render_template("submit/corrections.html", submissions=own_submissions(user), kind_names=KIND_NAMES)


def _own_submission(subject: str) -> Submission:
    """The unit's own submission at `subject` (404 for anything else: another unit's is not shown)."""
    try:
        parse_subject(subject)
    except LedgerError:
        abort(404)
    record = get_ledger().get(subject)
    if not isinstance(record, Submission) or record.unit != _user().unit:
        abort(404)
    return record


def current_values(record: Submission) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The version in force as form values (and table rows)."""
    body = record.current
    values: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    if record.kind in ("document", "staff-rule"):
        values = {"title": body.title, "issued_on": body.issued_on.strftime("%d/%m/%Y")}
        if record.kind == "staff-rule":
            values["rule_decision"] = body.decision
    elif record.kind == "governing-decisions":
        rows = [
            {"d_index": d.index, "d_number": d.number, "d_decided_on": d.decided_on.strftime("%d/%m/%Y"),
             "d_title": d.title}
            for d in body.decisions
        ]  # fmt: skip
    elif record.kind == "index-results":
        values = {"measured_year": str(body.measured_year), "result_decision": body.decision,
                  "published_on": body.published_on.strftime("%d/%m/%Y")}  # fmt: skip
        rows = [
            {"unit": r.unit, "score": _decimal_text(r.score), "rank": r.rank, "band": r.band or "", "_ok": True}
            for r in body.results
        ]
    return values, rows


@bp.route("/sua/<path:subject>", methods=["GET", "POST"])
@login_required
def correct(subject: str) -> Any:
    """Correct one of the unit's submissions: the reason, the decision, the full replacement; sign."""
    user = _user()
    record = _own_submission(subject)
    current = record.current
    document: DocumentRef | None = getattr(current, "document", None)
    values, rows = current_values(record)
    values.update(reason="", decision="")
    errors: Errors = {}
    problems: list[RowError] = []
    source = "table"
    led = user.led_indices
    if record.kind == "governing-decisions":
        led = tuple(sorted({*user.led_indices, *(d.index for d in current.decisions)}))
    if request.method == "POST":
        form = request.form
        values = {k: text(form, k) for k in form if not k.startswith(("d_", "r_", "csrf"))}
        reason = text_field(form, "reason", errors, max_length=2000)
        decision = text_field(form, "decision", errors, max_length=100, required=record.kind == "index-results")
        if record.kind == "index-results" and errors.get("decision") == REQUIRED:
            errors["decision"] = "Kết quả đã công bố chỉ được đính chính theo một quyết định: ghi số quyết định"
        replacement: dict[str, Any] = {}
        if record.kind in ("document", "staff-rule"):
            replacement = document_fields(form, record.year, errors)
            if record.kind == "staff-rule":
                replacement["decision"] = text_field(form, "rule_decision", errors, max_length=100)
        elif record.kind == "governing-decisions":
            rows, items = decision_rows(form, record.year, led, errors)
            replacement = {"decisions": items}
        elif record.kind == "index-results":
            index = get_views().indices()
            definition = next((i for i in index if i["code"] == record.index), None)
            header_form = {**form.to_dict(), "decision": form.get("result_decision", "")}
            header_errors: Errors = {}
            header = results_header(header_form, record.year, header_errors)
            errors.update({("result_decision" if k == "decision" else k): v for k, v in header_errors.items()})
            rows, problems, source = results_rows(form, definition, errors)
            replacement = results_body(header, rows)
            if form.get("action") == "preview":
                status = 422 if problems or "table_file" in errors else 200
                return render_template(
                    "submit/correct.html", record=record, subject=subject, document=document, values=values,
                    rows=rows, problems=problems, source=source, errors=errors, kind_names=KIND_NAMES, previewed=True,
                ), status  # fmt: skip
        file = evidence("file", errors, required=False)
        if not errors:
            if file is not None:
                replacement["document"] = {"sha256": "0" * 64, "size": len(file.data),
                                           "media_type": file.media_type, "name": file.name}  # fmt: skip
            elif document is not None:
                replacement["document"] = document.to_json()
            parsed = _ledger_check(record.kind, replacement, record.year, errors)
            if parsed is not None and file is None and parsed == current:
                errors["form"] = "Nội dung thay thế giống hệt bản hiện hành: hãy sửa nội dung cần đính chính"
            if not errors:
                if file is not None:
                    replacement["document"] = file.store("file").to_json()
                body: dict[str, Any] = {"reason": reason, "replacement": replacement}
                if decision:
                    body["decision"] = decision
                summary = [
                    ("Hồ sơ", subject),
                    ("Loại", KIND_NAMES[record.kind]),
                    ("Lý do đính chính", reason),
                    ("Quyết định cho phép", decision or "(không có)"),
                    ("Tệp minh chứng", replacement.get("document", {}).get("name", "(không kèm tệp)")),
                ]
                if record.kind in ("document", "staff-rule"):
                    summary[3:3] = [
                        ("Tiêu đề mới", replacement["title"]),
                        ("Ngày ban hành", local_date(replacement["issued_on"])),
                    ]
                return ask_to_sign(
                    "submission.correct",
                    subject,
                    body,
                    title="Đính chính hồ sơ",
                    summary=summary,
                    back=url_for("submit.correct", subject=subject),
                )
    if record.kind == "governing-decisions":
        rows = _padded(rows, minimum=len(rows) + 1, spare=1)
    page = render_template(
        "submit/correct.html", record=record, subject=subject, document=document, values=values, rows=rows,
        problems=problems, source=source, errors=errors, kind_names=KIND_NAMES, previewed=False, led=led,
    )  # fmt: skip
    return (page, 422) if errors else page


# Transmitting published results to Sở Nội vụ -----------------------------------------------


@bp.route("/gui-so-noi-vu/<path:subject>", methods=["GET", "POST"])
@login_required
def transmit(subject: str) -> Any:
    """Send the unit's published index results to Sở Nội vụ (the 05/11 obligation); sign."""
    record = _own_submission(subject)
    if record.kind != "index-results":
        abort(404)
    errors: dict[str, str] = {}
    note = text(request.form, "note")
    if record.transmitted_on is not None:
        errors["note"] = (
            f"Kết quả này đã được gửi Sở Nội vụ ngày {record.transmitted_on.astimezone(LOCAL_TIME):%d/%m/%Y}"
        )
    elif len(note) > 1000:
        errors["note"] = "Ghi chú dài quá 1000 ký tự"
    if request.method == "GET" or errors:
        page = render_template("submit/transmit.html", subject=subject, record=record, note=note, errors=errors)
        return (page, 422) if request.method == "POST" else page
    return ask_to_sign(
        "submission.transmit",
        subject,
        {"note": note} if note else {},
        title="Gửi kết quả chỉ số cho Sở Nội vụ",
        summary=(
            ("Kết quả", subject),
            ("Chỉ số", record.index or ""),
            ("Năm", str(record.year)),
            ("Ghi chú", note or "—"),
        ),
        back=url_for("dashboard.index", nam=record.year),
    )
