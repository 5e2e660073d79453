"""Appeals: the rated unit files one (``rating.appeal``); the committee or the unit's head resolves it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, render_template, request, url_for

from ledger.domain.rules import LEVELS
from web.areas.auth import User, login_required
from web.areas.ratings.blueprint import (
    OUTCOME_NAMES,
    TOO_LONG,
    bp,
    level_name,
    officer,
    rating_subject,
    sees_all,
    visible_rating,
)
from web.areas.signing import ask_to_sign
from web.forms import text
from web.state import get_views


@bp.route("/kien-nghi/<int:year>/<unit>", methods=["GET", "POST"])
@bp.route("/kien-nghi/<int:year>/<unit>/<person>", methods=["GET", "POST"])
@login_required
def appeal(year: int, unit: str, person: str | None = None) -> Any:
    """The rated unit files an appeal against its rating (only its own)."""
    user = officer()
    if user.unit != unit:
        abort(404 if not sees_all(user) else 403)
    rating = visible_rating(year, unit, person)
    errors: dict[str, str] = {}
    grounds = ""
    blocked = _appeal_blocked(rating)
    if request.method == "POST":
        grounds = text(request.form, "grounds")
        if blocked:
            errors["grounds"] = blocked
        elif not grounds:
            errors["grounds"] = "Trường này là bắt buộc: nêu căn cứ kiến nghị"
        elif len(grounds) > 5000:
            errors["grounds"] = TOO_LONG.format(5000)
        if not errors:
            return ask_to_sign(
                "rating.appeal",
                rating["subject"],
                {"grounds": grounds},
                title="Gửi kiến nghị về kết quả xếp loại",
                summary=(
                    ("Xếp loại", rating["subject"]),
                    ("Mức đang có hiệu lực", level_name(rating["level"])),
                    ("Căn cứ kiến nghị", grounds),
                ),
                back=_detail_url(rating),
            )
    page = render_template("ratings/appeal.html", rating=rating, grounds=grounds, errors=errors, blocked=blocked)
    return page if not errors else (page, 422)


def _appeal_blocked(rating: Mapping[str, Any]) -> str:
    if rating["appeal_open"]:
        return "Đang có một kiến nghị chưa được giải quyết đối với xếp loại này"
    if rating["status"] == "computed":
        return "Xếp loại mới được tính, chưa được quyết định: chỉ kiến nghị sau khi có quyết định"
    return ""


def may_resolve(user: User, rating: Mapping[str, Any]) -> bool:
    """The committee resolves appeals on heads' ratings; the unit's head on its staff's."""
    if rating["kind"] == "head":
        return user.has("committee")
    return user.has("unit_head") and user.unit == rating["unit"]


def _detail_url(rating: Mapping[str, Any]) -> str:
    return url_for("ratings.detail", year=rating["year"], unit=rating["unit"], person=rating["person"])


@bp.route("/giai-quyet/<int:year>/<unit>", methods=["GET", "POST"])
@bp.route("/giai-quyet/<int:year>/<unit>/<person>", methods=["GET", "POST"])
@login_required
def resolve(year: int, unit: str, person: str | None = None) -> Any:
    """Resolve the open appeal: uphold the rating, or revise it to a new level."""
    user = officer()
    rating = get_views().rating(rating_subject(year, unit, person))
    if rating is None:
        abort(404)
    if not may_resolve(user, rating):
        abort(403)
    errors: dict[str, str] = {}
    values = dict.fromkeys(("outcome", "level", "reason", "decision"), "")
    if request.method == "POST":
        values = {name: text(request.form, name) for name in values}
        if not rating["appeal_open"]:
            errors["outcome"] = "Không có kiến nghị nào đang chờ giải quyết"
        for name in ("outcome", "reason", "decision"):
            if not values[name]:
                errors.setdefault(name, "Trường này là bắt buộc")
        if values["outcome"] and values["outcome"] not in OUTCOME_NAMES:
            errors["outcome"] = "Chọn giữ nguyên hoặc điều chỉnh"
        if values["outcome"] == "revised":
            if values["level"] not in LEVELS:
                errors["level"] = "Điều chỉnh thì phải chọn mức mới"
            elif values["level"] == rating["level"]:
                errors["level"] = f"Xếp loại đang là {level_name(rating['level'])}: điều chỉnh phải đổi mức"
        elif values["outcome"] == "upheld" and values["level"]:
            errors["level"] = "Giữ nguyên thì không chọn mức mới"
        if len(values["reason"]) > 5000:
            errors["reason"] = TOO_LONG.format(5000)
        if len(values["decision"]) > 100:
            errors["decision"] = TOO_LONG.format(100)
        if not errors:
            body: dict[str, Any] = {
                "outcome": values["outcome"],
                "reason": values["reason"],
                "decision": values["decision"],
            }
            summary = [("Xếp loại", rating["subject"]), ("Kết quả", OUTCOME_NAMES[values["outcome"]])]
            if values["outcome"] == "revised":
                body["level"] = values["level"]
                summary.append(("Mức mới", f"{level_name(rating['level'])} → {level_name(values['level'])}"))
            summary += [("Lý do", values["reason"]), ("Quyết định", values["decision"])]
            return ask_to_sign(
                "rating.resolve-appeal",
                rating["subject"],
                body,
                title="Giải quyết kiến nghị về xếp loại",
                summary=summary,
                back=_detail_url(rating),
            )
    page = render_template("ratings/resolve.html", rating=rating, values=values, errors=errors, levels=LEVELS)
    return page if not errors else (page, 422)
