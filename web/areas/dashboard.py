"""A unit's dashboard: this year's obligations, deadlines and submissions.

"This year" is the current year in Hưng Yên when a cycle was opened for it, else the
latest year with a cycle (the page says so); the officer may pick another year. Only the
officer's own unit is shown: the unit comes from the session.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request

from web.areas.auth import ROLE_NAMES, current_user, login_required
from web.areas.submit import KIND_NAMES, cycle_years, own_submissions, today
from web.state import get_views
from web.text import local_date

bp = Blueprint("dashboard", __name__, url_prefix="/don-vi")

NAV = (("dashboard.index", "Bảng điều khiển", ()),)

#: The yearly obligations, as the implementing letter words them.
OBLIGATION_NAMES = {
    "governing_decisions": "Gửi danh mục quyết định về các chỉ số đơn vị chủ trì",
    "results_published": "Công bố kết quả chỉ số",
    "results_transmitted": "Gửi kết quả chỉ số cho Sở Nội vụ",
    "ratings_published": "Đánh giá người đứng đầu đơn vị (UBND tỉnh quyết định, công bố)",
}
STATUS_NAMES = {"on_time": "Đúng hạn", "late": "Nộp muộn", "missing": "Chưa nộp, đã quá hạn", "pending": "Chưa đến hạn"}


def countdown(row: dict[str, Any], reference: date) -> str:
    """Days left before the last day on time, or days late (submitted late, or still missing)."""
    last = date.fromisoformat(row["last_day_on_time"])
    if row["status"] == "on_time":
        return f"Nộp ngày {local_date(row['submitted_on'])}"
    if row["status"] == "late":
        return f"Muộn {row['days_late']} ngày (nộp ngày {local_date(row['submitted_on'])})"
    days = (last - reference).days
    if row["status"] == "missing":
        return f"Quá hạn {-days} ngày"
    return "Hôm nay là ngày cuối" if days == 0 else f"Còn {days} ngày"


@bp.get("/")
@login_required
def index() -> str:
    """Who is logged in, for which unit, in which roles; the year's obligations and submissions."""
    user = current_user()
    assert user is not None
    reference = today()
    years = cycle_years()
    asked = request.args.get("nam", "")
    year = int(asked) if asked.isdecimal() and int(asked) in years else None
    fallback = False
    if year is None:
        year = reference.year if reference.year in years else (years[0] if years else reference.year)
        fallback = year != reference.year
    obligations = []
    for row in get_views().deadlines(year, reference):
        if row["unit"] != user.unit:
            continue
        obligations.append(
            {
                **row,
                "name": OBLIGATION_NAMES.get(row["obligation"], row["obligation"]),
                "due_text": local_date(row["due"]),
                "last_text": local_date(row["last_day_on_time"]),
                "original_text": local_date(row["original_due"]) if row["original_due"] != row["due"] else "",
                "countdown": countdown(row, reference),
                "status_name": STATUS_NAMES.get(row["status"], row["status"]),
            }
        )
    submissions = [s for s in own_submissions(user) if s["year"] == year]
    return render_template(
        "dashboard/index.html",
        role_names=ROLE_NAMES,
        year=year,
        years=years,
        fallback=fallback,
        today=reference.strftime("%d/%m/%Y"),
        this_year=reference.year,
        obligations=obligations,
        submissions=submissions,
        kind_names=KIND_NAMES,
    )
