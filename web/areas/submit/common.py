"""The submit blueprint and what its pages share: the menu, the kinds' names, the cycle years, the officer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, abort, render_template

from ledger.domain.indices import Cycle
from ledger.domain.local_time import LOCAL_TIME
from ledger.domain.submissions import KINDS
from ledger.errors import PayloadError
from web.areas.auth import User, current_user
from web.i18n import vietnamese
from web.state import get_ledger, get_views

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

#: A form's errors: {field: message in Vietnamese}.
Errors = dict[str, str]


def the_user() -> User:
    """The logged-in officer (every view of the blueprint is behind login)."""
    user = current_user()
    if user is None:
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


def led_indices(codes: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """The indices of `codes` as the views hold them, by code."""
    return {i["code"]: i for i in get_views().indices() if i["code"] in codes}


def ledger_check(kind: str, body: dict[str, Any], year: int, errors: Errors) -> Any:
    """The ledger's own reading of `body` (a last check: its refusal becomes a form error)."""
    try:
        return KINDS[kind].parse(body, year)
    except PayloadError as exc:
        errors["form"] = vietnamese(exc)
        return None


def render(template: str, errors: Errors, **context: Any) -> Any:
    """The page, answered 422 when the form has errors."""
    page = render_template(template, errors=errors, **context)
    return (page, 422) if errors else page
