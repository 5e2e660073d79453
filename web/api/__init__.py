"""The JSON API, /api/v1: signed envelopes in; ratings, results, deadlines, history, receipts and the log out.

`routes` holds the endpoints, `schemas` the marshmallow schemas of every request and
response, `openapi` the generator of /api/v1/openapi.json, `errors` the uniform JSON
errors (never an HTML page under /api/).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from web.api import errors, routes  # noqa: E402  (the views register on bp)

errors.register(bp)

__all__ = ["bp", "routes"]
