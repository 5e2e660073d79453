"""A unit head rates the unit's staff (``rating.individual``)."""

from __future__ import annotations

import unicodedata
from typing import Any

from flask import render_template, request, url_for

from ledger.domain.fields import SLUG
from ledger.domain.rules import LEVELS
from ledger.domain.submissions import Submission
from web.areas.auth import role_required
from web.areas.ratings.blueprint import TOO_LONG, bp, level_name, officer, rating_subject
from web.areas.signing import ask_to_sign
from web.forms import text
from web.state import get_ledger, get_views


def person_slug(name: str) -> str:
    """A person's subject part from their name: no diacritics, lower case, dots (as the demo)."""
    folded = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(c for c in folded if not unicodedata.combining(c))
    slug = ".".join("".join(ch for ch in word if ch.isalnum()) for word in ascii_name.lower().split())
    return slug.strip(".")[:64]


@bp.route("/ca-nhan", methods=["GET", "POST"])
@role_required("unit_head")
def individual() -> Any:
    """The unit's head rates a member of staff under the unit's own rule for the year."""
    user = officer()
    ledger = get_ledger()
    years = get_views().years()
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form
        values = {name: text(form, name) for name in ("year", "name", "position", "level")}
        for name in ("year", "name", "position", "level"):
            if not values[name]:
                errors[name] = "Trường này là bắt buộc"
        for name in ("name", "position"):
            if len(values[name]) > 200:
                errors[name] = TOO_LONG.format(200)
        if values["level"] and values["level"] not in LEVELS:
            errors["level"] = "Chọn một mức xếp loại"
        year = int(values["year"]) if values["year"].isdecimal() and len(values["year"]) == 4 else None
        if values["year"] and year is None:
            errors["year"] = "Năm không hợp lệ"
        rule = f"submission/staff-rule/{user.unit}/{year}"
        if year is not None and not isinstance(ledger.get(rule), Submission):
            errors["year"] = f"Đơn vị chưa gửi quy chế đánh giá cán bộ năm {year} (cần có trước khi xếp loại)"
        slug = person_slug(values["name"])
        if values["name"] and "name" not in errors and not SLUG.fullmatch(slug):
            errors["name"] = "Họ tên phải có chữ cái"
        if not errors and ledger.get(rating_subject(year, user.unit, slug)) is not None:  # type: ignore[arg-type]
            errors["name"] = f"Đã có xếp loại năm {year} của người này ({slug})"
        if not errors:
            assert year is not None
            body = {"name": values["name"], "position": values["position"], "level": values["level"], "rule": rule}
            return ask_to_sign(
                "rating.individual",
                rating_subject(year, user.unit, slug),
                body,
                title="Công bố xếp loại cán bộ",
                summary=(
                    ("Năm", str(year)),
                    ("Họ tên", values["name"]),
                    ("Chức vụ", values["position"]),
                    ("Mức xếp loại", level_name(values["level"])),
                    ("Theo quy chế", rule),
                ),
                back=url_for("ratings.index", nam=year),
            )
    page = render_template("ratings/individual.html", years=years, values=values, errors=errors, levels=LEVELS)
    return page if not errors else (page, 422)
