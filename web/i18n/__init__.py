"""The product's refusals in Vietnamese, by code, and the HTTP status each kind deserves.

The ledger names each refusal by a stable code with its parameters (`ledger.errors`); a
Vietnamese template per code lives beside the others of its package (``web.i18n.domain``
for `ledger.domain`, …). A template is a `str.format` string over the error's parameters;
a format spec says how a value is written for people (`Words`): ``{on:date}`` gives
dd/mm/yyyy, ``{subject:subject}`` the subject in words, ``{value:option}`` an option's
Vietnamese name, ``{path:field}`` a field path's label.
"""

from __future__ import annotations

from string import Formatter
from typing import Any

from ledger.errors import (
    ConflictError,
    DuplicateError,
    LogIntegrityError,
    NotAuthorizedError,
    NotFoundError,
    ParLedgerError,
    PayloadError,
    ReplayError,
    RuleError,
    SignatureError,
)
from web import messages
from web.i18n import accounts, domain, keys, services, signing, storage, tlog

#: Every code's Vietnamese template.
CATALOGUE: dict[str, str] = {
    **domain.TEXTS,
    **signing.TEXTS,
    **storage.TEXTS,
    **tlog.TEXTS,
    **keys.TEXTS,
    **accounts.TEXTS,
    **services.TEXTS,
}

#: What kind of refusal, in the officer's words.
KINDS: tuple[tuple[type[ParLedgerError], str], ...] = (
    (ReplayError, "Yêu cầu này đã được ghi trước đó (gửi lại cùng một bản ký)"),
    (DuplicateError, "Đã tồn tại"),
    (ConflictError, "Sổ cái đang bận; chưa ghi gì, hãy thử lại"),
    (SignatureError, "Chữ ký không hợp lệ"),
    (NotAuthorizedError, "Không có thẩm quyền"),
    (NotFoundError, "Không tìm thấy"),
    (PayloadError, "Dữ liệu không hợp lệ"),
    (RuleError, "Không đúng quy định"),
    (LogIntegrityError, "Sổ cái đang bị khoá ghi do lỗi toàn vẹn; liên hệ quản trị viên"),
)


class Words(Formatter):
    """`str.format` with the ways values are written for people as format specs."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "date":
            return messages.iso_date(str(value))
        if format_spec == "subject":
            return messages.subject_in_vietnamese(str(value))
        if format_spec == "option":
            return messages.option_in_vietnamese(str(value))
        if format_spec == "field":
            return messages.field_in_vietnamese(str(value))
        return super().format_field(value, format_spec)


WORDS = Words()


def reason(error: ParLedgerError) -> str:
    """The reason alone, in Vietnamese."""
    template = CATALOGUE.get(error.code)
    if template is None:  # TRANSITION: reasons without a code yet are read by the earlier rules
        return messages.reason_in_vietnamese(error.reason)
    return WORDS.format(template, **error.params)


def vietnamese(error: ParLedgerError) -> str:
    """One sentence for the officer: the kind of refusal, the field, the reason."""
    kind = next((text for cls, text in KINDS if isinstance(error, cls)), "Bị từ chối")
    field = f" — trường {messages.field_in_vietnamese(error.field)}" if error.field else ""
    return f"{kind}{field}: {reason(error)}"


def http_status(error: ParLedgerError) -> int:
    """409 for what conflicts with the ledger's state, 403 for authority, 503 for a locked log, 422 for the rest."""
    if isinstance(error, ReplayError | DuplicateError | ConflictError):
        return 409
    if isinstance(error, NotAuthorizedError):
        return 403
    if isinstance(error, LogIntegrityError):
        return 503
    return 422
