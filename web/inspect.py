"""The inspector's pages: the latest checkpoint and cosignatures, verifying receipts and bundles, the bundle."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("inspect", __name__, url_prefix="/thanh-tra")

#: Menu entries: (endpoint, label, roles that see it; none: every officer).
NAV: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
