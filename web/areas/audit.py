"""The auditor's pages: any subject's history, ratings and deadlines as of a date, differences between dates.

Who may look: auditors and administrators, and also Sở Nội vụ and the Provincial
People's Committee. The pages only read, and show nothing those two do not already see
across units in their own work (every unit's ratings and deadlines, who signed what);
a unit's own officers do not (403): they see their own unit on the dashboard.

"As of" a date means the ledger as it stood at the end of that day in Hưng Yên, by the
ledger's own recorded times, rebuilt in a throwaway store (`services.replays`): the
live views are never touched. Deadlines are judged on that date.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flask import Blueprint, render_template, request

from ledger.domain.local_time import LOCAL_TIME
from ledger.domain.rules import LEVEL_NAMES
from projections.exports import STATUS_NAMES, UNIT_CLASS_NAMES
from services.replays import Snapshot, as_of_day
from services.visibility import listed_history
from web.areas.auth import current_user, role_required
from web.errors import FormError
from web.i18n import reason
from web.state import get_ledger, get_views
from web.text import local_date, local_time

bp = Blueprint("audit", __name__, url_prefix="/kiem-toan")

#: Who may use the auditor's pages (read only; see the module docstring).
ROLES = ("auditor", "admin", "snv", "committee")

#: Menu entries: (endpoint, label, roles that see it; none: every officer).
NAV: tuple[tuple[str, str, tuple[str, ...]], ...] = (("audit.index", "Kiểm toán", ROLES),)

OBLIGATION_NAMES = {
    "governing_decisions": "Ban hành văn bản chỉ đạo",
    "results_published": "Công bố kết quả chỉ số",
    "results_transmitted": "Gửi kết quả cho Sở Nội vụ",
    "ratings_published": "Công bố xếp loại",
}
DEADLINE_STATUS_NAMES = {
    "on_time": "Đúng hạn",
    "late": "Trễ hạn",
    "missing": "Quá hạn, chưa nộp",
    "pending": "Chưa đến hạn",
}
STATEMENT_NAMES = {
    "rating.compute": "Tính xếp loại",
    "rating.decide": "Quyết định xếp loại",
    "rating.appeal": "Kiến nghị",
    "rating.resolve-appeal": "Giải quyết kiến nghị",
    "rating.individual": "Xếp loại cá nhân",
}

#: The longest subject a person could mean (the ledger's subjects are far shorter).
MAX_SUBJECT = 200
SUBJECT_PATTERN = re.compile(r"^[A-Za-z0-9_.:/-]+$")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def level_name(level: str | None) -> str:
    if not level:
        return "—"
    return LEVEL_NAMES.get(level, level)


@bp.app_template_filter("audit_date")
def audit_date(value: str | date | None) -> str:
    """An ISO date (or a date) as dd/mm/yyyy; nothing as a dash."""
    return local_date(value) or "—"


@bp.app_template_filter("audit_time")
def audit_time(value: str | datetime | None) -> str:
    """An ISO time (or a datetime) as dd/mm/yyyy HH:MM in Hưng Yên; nothing as a dash."""
    return local_time(value) or "—"


def _names() -> dict[str, Any]:
    return {
        "level_name": level_name,
        "status_names": STATUS_NAMES,
        "class_names": UNIT_CLASS_NAMES,
        "obligation_names": OBLIGATION_NAMES,
        "deadline_status_names": DEADLINE_STATUS_NAMES,
        "statement_names": STATEMENT_NAMES,
    }


# Reading the form ---------------------------------------------------------------------------


def ledger_span() -> tuple[date, date]:
    """The first day the ledger holds an entry (Hưng Yên time) and today; the days one may ask about."""
    ledger = get_ledger()
    today = datetime.now(LOCAL_TIME).date()
    for entry in ledger.entries(1, 1):
        return entry.event.timestamp.astimezone(LOCAL_TIME).date(), today
    return today, today


def parse_day(raw: str, span: tuple[date, date], *, field: str) -> date:
    """A date from the picker (yyyy-mm-dd) or typed (dd/mm/yyyy), inside the ledger's span; FormError otherwise."""
    text = unicodedata.normalize("NFC", raw).strip()
    if not text:
        raise FormError("date_required", field=field)
    if len(text) > 10:
        raise FormError("date_format", field=field)
    for form in DATE_FORMATS:
        try:
            day = datetime.strptime(text, form).date()
            break
        except ValueError:
            continue
    else:
        raise FormError("date_format", field=field)
    first, today = span
    if day < first:
        raise FormError("date_before_ledger", field=field, on=first)
    if day > today:
        raise FormError("date_in_future", field=field, on=today)
    return day


def parse_year(raw: str, known: list[int], *, field: str) -> int | None:
    """The year filter: empty means every year; otherwise one of the ledger's years (FormError)."""
    text = raw.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdecimal()) or int(text) not in known:
        raise FormError("year_not_in_ledger", field=field)
    return int(text)


# Differences -------------------------------------------------------------------------------

RATING_FIELDS = ("level", "computed_level", "decided_level", "status", "decision")
DEADLINE_FIELDS = ("due", "status", "submitted_on", "days_late")


def _deadline_key(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return (row["year"], row["obligation"], row["unit"], row.get("index") or "")


def rating_changes(before: Snapshot, after: Snapshot) -> list[dict[str, Any]]:
    """Ratings that appeared or changed level, status or decision between the two snapshots."""
    old = {r["subject"]: r for rows in before.ratings.values() for r in rows}
    changes = []
    for rows in after.ratings.values():
        for rating in rows:
            previous = old.get(rating["subject"])
            if previous is None:
                changes.append({"kind": "new", "before": None, "after": rating})
            elif any(previous.get(f) != rating.get(f) for f in RATING_FIELDS):
                changes.append({"kind": "changed", "before": previous, "after": rating})
    return changes


def deadline_changes(before: Snapshot, after: Snapshot) -> list[dict[str, Any]]:
    """Obligations that appeared or whose due date, status or submission changed."""
    old = {_deadline_key(r): r for rows in before.deadlines.values() for r in rows}
    changes = []
    for rows in after.deadlines.values():
        for row in rows:
            previous = old.get(_deadline_key(row))
            if previous is None:
                changes.append({"kind": "new", "before": None, "after": row})
            elif any(previous.get(f) != row.get(f) for f in DEADLINE_FIELDS):
                changes.append({"kind": "changed", "before": previous, "after": row})
    return changes


# Pages -------------------------------------------------------------------------------------


@bp.get("/")
@role_required(*ROLES)
def index() -> str:
    """The three tools: a subject's history, the ledger as of a date, the difference between two dates."""
    span = ledger_span()
    return render_template("audit/index.html", span=span, years=get_views().years(), errors={}, **_names())


@bp.get("/lich-su")
@role_required(*ROLES)
def history() -> Any:
    """Every entry about a subject (or signed by a unit), in ledger order, with signer, key, time, receipt.

    The rows are those `services.visibility` lets the officer see listed (today every role
    of these pages sees every unit's entries; the rule decides, not this page).
    """
    views = get_views()
    raw = request.args.get("doi_tuong")
    subjects = _subject_choices(views)
    if raw is None:
        return render_template("audit/history.html", subject="", rows=None, errors={}, subjects=subjects, **_names())
    subject = unicodedata.normalize("NFC", raw).strip()
    error = ""
    if not subject:
        error = "Hãy nhập đối tượng cần tra cứu, ví dụ rating/2024/SYT hoặc unit/SNV"
    elif len(subject) > MAX_SUBJECT or not SUBJECT_PATTERN.match(subject):
        error = "Đối tượng không hợp lệ: chỉ gồm chữ không dấu, số và các ký tự / . _ - :"
    if error:
        page = render_template(
            "audit/history.html",
            subject=subject[:MAX_SUBJECT],
            rows=None,
            errors={"doi_tuong": error},
            subjects=subjects,
            **_names(),
        )
        return page, 422
    rows = list(listed_history(current_user(), views.history(subject)))
    return render_template("audit/history.html", subject=subject, rows=rows, errors={}, subjects=subjects, **_names())


def _subject_choices(views: Any) -> list[tuple[str, str]]:
    """Suggestions for the subject field: every unit and every head's rating."""
    choices = [(f"unit/{u['code']}", u["name"]) for u in views.units()]
    for year in views.years():
        choices += [(r["subject"], f"Xếp loại {year} — {r['unit_name']}") for r in views.ratings(year)]
    return choices


@bp.get("/theo-ngay")
@role_required(*ROLES)
def as_of() -> Any:
    """The ratings and deadlines as they stood at the end of the chosen day."""
    span = ledger_span()
    known = get_views().years()
    args = {"ngay": request.args.get("ngay", ""), "nam": request.args.get("nam", "")}
    if "ngay" not in request.args:
        return render_template("audit/as_of.html", span=span, years=known, args=args, errors={}, shot=None, **_names())
    errors: dict[str, str] = {}
    day = year = None
    try:
        day = parse_day(args["ngay"], span, field="ngay")
    except FormError as exc:
        errors["ngay"] = reason(exc)
    try:
        year = parse_year(args["nam"], known, field="nam")
    except FormError as exc:
        errors["nam"] = reason(exc)
    if errors or day is None:
        page = render_template(
            "audit/as_of.html", span=span, years=known, args=args, errors=errors, shot=None, **_names()
        )
        return page, 422
    shot = as_of_day(get_ledger(), day, year)
    return render_template("audit/as_of.html", span=span, years=known, args=args, errors={}, shot=shot, **_names())


@bp.get("/so-sanh")
@role_required(*ROLES)
def diff() -> Any:
    """What changed in ratings and deadlines between the end of one day and the end of a later one."""
    span = ledger_span()
    known = get_views().years()
    args = {name: request.args.get(name, "") for name in ("tu_ngay", "den_ngay", "nam")}
    context = {"span": span, "years": known, "args": args, **_names()}
    if "tu_ngay" not in request.args and "den_ngay" not in request.args:
        return render_template("audit/diff.html", errors={}, result=None, **context)
    errors: dict[str, str] = {}
    days: dict[str, date] = {}
    for name in ("tu_ngay", "den_ngay"):
        try:
            days[name] = parse_day(args[name], span, field=name)
        except FormError as exc:
            errors[name] = reason(exc)
    year = None
    try:
        year = parse_year(args["nam"], known, field="nam")
    except FormError as exc:
        errors["nam"] = reason(exc)
    if not errors and days["tu_ngay"] >= days["den_ngay"]:
        errors["den_ngay"] = "Ngày sau phải muộn hơn ngày trước"
    if errors:
        return render_template("audit/diff.html", errors=errors, result=None, **context), 422
    before = as_of_day(get_ledger(), days["tu_ngay"], year)
    after = as_of_day(get_ledger(), days["den_ngay"], year)
    result = {
        "before": before,
        "after": after,
        "ratings": rating_changes(before, after),
        "deadlines": deadline_changes(before, after),
    }
    return render_template("audit/diff.html", errors={}, result=result, **context)
