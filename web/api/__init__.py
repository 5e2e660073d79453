"""The JSON API, /api/v1: signed envelopes in; ratings, results, deadlines, history, receipts and the log out."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
