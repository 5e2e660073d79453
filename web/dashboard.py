"""A unit's dashboard: this year's obligations, deadlines and submissions."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.auth import ROLE_NAMES, login_required

bp = Blueprint("dashboard", __name__, url_prefix="/don-vi")

NAV = (("dashboard.index", "Bảng điều khiển", ()),)


@bp.get("/")
@login_required
def index() -> str:
    """Who is logged in, for which unit, in which roles."""
    return render_template("dashboard/index.html", role_names=ROLE_NAMES)
