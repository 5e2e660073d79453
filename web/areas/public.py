"""The public, read-only pages: units and the latest signed entries.

Every entry is numbered here with its type, signer and time (the log is public); an
individual's rating is shown without its subject, which names the person, unless the
viewer may see it (`services.visibility`). No entry's content is shown.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from projections.exports import UNIT_CLASS_NAMES
from services.visibility import may_list_subject
from web.areas.auth import current_user
from web.state import get_ledger, get_views

bp = Blueprint("public", __name__)

CLASS_NAMES = UNIT_CLASS_NAMES
STATUS_NAMES = {"active": "Đang hoạt động", "merged": "Đã sáp nhập", "dissolved": "Đã giải thể"}


@bp.get("/")
def index() -> str:
    """Units by class, and the most recent entries with their signers."""
    views = get_views()
    ledger = get_ledger()
    units: dict[str, list[dict[str, Any]]] = {name: [] for name in CLASS_NAMES}
    for unit in views.units():
        units[unit["unit_class"]].append(unit)
    entries = list(ledger.entries(start=max(1, ledger.head - 29)))
    entries.reverse()
    viewer = current_user()
    return render_template(
        "public/index.html",
        units=units,
        class_names=CLASS_NAMES,
        status_names=STATUS_NAMES,
        entries=entries,
        head=ledger.head,
        may_list=lambda subject: may_list_subject(viewer, subject),
    )
