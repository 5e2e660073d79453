"""The ``ratings`` blueprint and what its pages share: names, filters, who sees which rating."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, abort, request

from ledger.domain.rules import LEVEL_NAMES, LEVELS, NOT_EVALUATED
from projections.exports import STATUS_NAMES, UNIT_CLASS_NAMES
from services.visibility import CROSS_UNIT_ROLES, sees_every_unit
from web.areas.auth import User, current_user
from web.state import get_views
from web.text import local_time

bp = Blueprint("ratings", __name__, url_prefix="/xep-loai")

#: Menu entries: (endpoint, label, roles that see it; none: every officer).
NAV: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ratings.index", "Xếp loại", ()),
    ("ratings.compute", "Tính xếp loại", ("snv",)),
    ("ratings.compilation", "Tổng hợp", tuple(sorted(CROSS_UNIT_ROLES))),
)

HOW_NAMES = {
    "computed": "Sở Nội vụ tính",
    "decided": "UBND tỉnh quyết định",
    "published": "Thủ trưởng đơn vị công bố",
    "revised": "Điều chỉnh sau kiến nghị",
}
OUTCOME_NAMES = {"upheld": "Giữ nguyên mức xếp loại", "revised": "Điều chỉnh mức xếp loại"}
LEVEL_ORDER = (*LEVELS, NOT_EVALUATED)
LEVEL_SHORT = {"HTXS": "HTXS", "HTT": "HTT", "HT": "HT", "KHT": "KHT", NOT_EVALUATED: "Chưa đánh giá"}
TOO_LONG = "Quá dài: tối đa {} ký tự"


@bp.app_template_filter("level_name")
def level_name(level: str | None) -> str:
    """A level in Vietnamese; nothing as a dash."""
    return LEVEL_NAMES.get(level, level) if level else "—"


def level_source(level: str | None, how: str | None, decision: str | None = None, seq: int | None = None) -> str:
    """A level and what set it: "Hoàn thành tốt nhiệm vụ (Điều chỉnh sau kiến nghị — Quyết định số …)"."""
    if not level:
        return "Chưa tính"
    source = HOW_NAMES.get(how or "", how or "")
    if decision:
        source += f" — {decision}"
    elif seq is not None:
        source += f", mục số {seq}"
    return f"{level_name(level)} ({source})"


@bp.app_template_filter("iso_time")
def iso_time(value: str | None) -> str:
    """A stored ISO time as dd/mm/yyyy HH:MM in Hưng Yên's time."""
    return local_time(value)


@bp.app_context_processor
def names() -> dict[str, Any]:
    return {
        "status_names": STATUS_NAMES,
        "class_names": UNIT_CLASS_NAMES,
        "how_names": HOW_NAMES,
        "outcome_names": OUTCOME_NAMES,
        "level_short": LEVEL_SHORT,
        "level_source": level_source,
    }


def officer() -> User:
    """The logged-in officer."""
    user = current_user()
    if user is None:  # pragma: no cover - every view is behind login_required
        abort(401)
    return user


def sees_all(user: User) -> bool:
    """Whether the officer sees every unit's ratings: the cross-unit roles of `services.visibility`."""
    return sees_every_unit(user)


def year_arg(years: Sequence[int]) -> int | None:
    """The year asked for (``?nam=``), else the latest the ledger holds."""
    raw = request.args.get("nam", "")
    if raw:
        if not raw.isdecimal() or len(raw) != 4:
            abort(400, description="Năm không hợp lệ (cần 4 chữ số, ví dụ 2024)")
        return int(raw)
    return years[-1] if years else None


def rating_subject(year: int, unit: str, person: str | None = None) -> str:
    return f"rating/{year}/{unit}" + (f"/{person}" if person else "")


def visible_rating(year: int, unit: str, person: str | None) -> dict[str, Any]:
    """The rating, if this officer may see it (404 otherwise: no hint that it exists)."""
    user = officer()
    if not sees_all(user) and user.unit != unit:
        abort(404)
    rating = get_views().rating(rating_subject(year, unit, person))
    if rating is None:
        abort(404)
    return rating
