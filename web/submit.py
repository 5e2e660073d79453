"""Submitting: documents with evidence files, governing-decision lists, index results; corrections."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("submit", __name__, url_prefix="/nop")

#: Menu entries: (endpoint, label, roles that see it; none: every officer).
NAV: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
