"""Uniform JSON errors under /api/: ``{"code", "message", "errors": {field: [messages]}}``.

Every refusal of the API has this shape, whatever raised it: a marshmallow
`ValidationError` (422), a `LedgerError` (the status `web.i18n.http_status` gives
it: 409 for a replay or a duplicate, 403 for authority, 422 for the rest), an
`ApiError` raised by a view, or an HTTP error raised by Flask or Werkzeug (400, 401,
404, 405, 413, 415, 500). Under /api/ no HTML error page is ever sent: a last hook
turns any non-JSON error response there into this shape too (for instance one made by
another area's app-wide error handler).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from ledger.errors import (
    ConflictError,
    DuplicateError,
    LedgerError,
    LogIntegrityError,
    NotAuthorizedError,
    NotFoundError,
    PayloadError,
    ReplayError,
    RuleError,
    SignatureError,
)
from web.i18n import http_status

#: Machine-readable codes of HTTP errors (the `code` member).
HTTP_CODES = {
    400: "bad_request",
    401: "login_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}

#: Codes of the ledger's refusals, most specific first.
LEDGER_CODES: tuple[tuple[type[LedgerError], str], ...] = (
    (ReplayError, "replay"),
    (DuplicateError, "duplicate"),
    (ConflictError, "busy"),
    (SignatureError, "bad_signature"),
    (NotAuthorizedError, "not_authorized"),
    (NotFoundError, "not_found"),
    (PayloadError, "invalid"),
    (RuleError, "rule_violation"),
    (LogIntegrityError, "log_integrity"),
)


class ApiError(Exception):
    """A refusal raised by an API view: status, code, message and the fields at fault."""

    def __init__(
        self, status: int, message: str, *, code: str | None = None, errors: Mapping[str, list[str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or HTTP_CODES.get(status, "error")
        self.message = message
        self.errors = dict(errors or {})

    @classmethod
    def field(cls, status: int, field: str, reason: str, *, code: str | None = None) -> ApiError:
        """A refusal of one field, the field named in the message too."""
        return cls(status, f"{field}: {reason}", code=code, errors={field: [reason]})


def error_response(status: int, code: str, message: str, errors: Mapping[str, list[str]] | None = None) -> Response:
    response = jsonify({"code": code, "message": message, "errors": dict(errors or {})})
    response.status_code = status
    return response


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested error messages as {dotted.field[index]: [messages]}."""
    if isinstance(messages, str):
        return {prefix or "_schema": [messages]}
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_schema": list(messages)}
    flat: dict[str, list[str]] = {}
    items = messages.items() if isinstance(messages, Mapping) else enumerate(messages)
    for key, value in items:
        if isinstance(key, int):
            name = f"{prefix}[{key}]"
        elif key == "_schema":
            name = prefix or "_schema"
        else:
            name = f"{prefix}.{key}" if prefix else str(key)
        for field, texts in flatten(value, name).items():
            flat.setdefault(field, []).extend(texts)
    return flat


def from_validation(error: ValidationError) -> Response:
    errors = flatten(error.messages)
    named = "; ".join(f"{field}: {' '.join(texts)}" for field, texts in sorted(errors.items()))
    return error_response(422, "invalid", f"Invalid input — {named}", errors)


def from_ledger(error: LedgerError) -> Response:
    status = http_status(error)
    code = next((code for cls, code in LEDGER_CODES if isinstance(error, cls)), "refused")
    field = error.field or "envelope"
    return error_response(status, code, f"Refused by the ledger — {field}: {error.reason}", {field: [error.reason]})


def from_http(error: HTTPException) -> Response:
    status = error.code or 500
    response = error_response(status, HTTP_CODES.get(status, "error"), error.description or error.name)
    valid_methods = getattr(error, "valid_methods", None)
    if status == 405 and valid_methods:
        response.headers["Allow"] = ", ".join(valid_methods)
    return response


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def register(bp: Blueprint) -> None:
    """Handlers of what only the API's own views raise."""

    @bp.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return error_response(error.status, error.code, error.message, error.errors)

    @bp.errorhandler(ValidationError)
    def _validation(error: ValidationError) -> Response:
        return from_validation(error)

    @bp.errorhandler(LedgerError)
    def _ledger(error: LedgerError) -> Response:
        return from_ledger(error)

    bp.record_once(lambda state: init_app(state.app))


def init_app(app: Flask) -> None:
    """App-wide: HTTP errors raised before a view is chosen (404, 405, 413) answer in JSON under /api/,
    and no error response there is ever HTML; every other path is left alone."""

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        if not is_api_request():
            return error  # Flask's own page, or another area's handler (looked up before this one)
        return from_http(error)

    @app.after_request
    def _never_html(response: Response) -> Response:
        """The last word under /api/: an error response that is not JSON becomes one."""
        if is_api_request() and response.status_code >= 400 and not response.is_json:
            status = response.status_code
            json_response = error_response(status, HTTP_CODES.get(status, "error"), response.status)
            for name in ("Allow", "Retry-After", "WWW-Authenticate"):
                if name in response.headers:
                    json_response.headers[name] = response.headers[name]
            return json_response
        return response
