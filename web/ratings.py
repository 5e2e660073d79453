"""Ratings: computed and decided, individual ratings, appeals, SNV's compilation, charts."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ratings", __name__, url_prefix="/xep-loai")

#: Menu entries: (endpoint, label, roles that see it; none: every officer).
NAV: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
