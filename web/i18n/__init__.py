"""The product's refusals in Vietnamese, by code, and the HTTP status each kind deserves.

The ledger names each refusal by a stable code with its parameters (`ledger.errors`); a
Vietnamese template per code lives beside the others of its package (``web.i18n.domain``
for `ledger.domain`, …; ``web.i18n.keys`` for the `keys` package). A template is a
`str.format` string over the error's parameters; a format spec says how a value is
written for people (`web.i18n.words`): ``{on:date}`` gives dd/mm/yyyy, ``{subject:subject}``
the subject in words, ``{value:option}`` an option's Vietnamese name and code,
``{value:options}`` a list of them, ``{value:name}`` the Vietnamese name alone,
``{form:form}`` a subject's form, ``{path:field}`` a field path's label. A code without a
Vietnamese text (there should be none: tests/unit/web/test_i18n.py checks) is shown as
the ledger's English reason, quoted.
"""

from __future__ import annotations

from keys import KeysError
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
from web.i18n import accounts, domain, forms, keys, services, signing, storage, tlog
from web.i18n.words import WORDS, field_in_vietnamese

#: Every code's Vietnamese template.
CATALOGUE: dict[str, str] = {
    **domain.TEXTS,
    **signing.TEXTS,
    **storage.TEXTS,
    **tlog.TEXTS,
    **keys.TEXTS,
    **accounts.TEXTS,
    **services.TEXTS,
    **forms.TEXTS,
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


#: What the web explains to people: a refusal of the ledger, or of the keys package below it.
Refusal = ParLedgerError | KeysError


def reason(error: Refusal) -> str:
    """The reason alone, in Vietnamese; the ledger's own words, quoted, for a code with no text."""
    template = CATALOGUE.get(error.code)
    if template is None:
        return f"“{error.reason}”"
    return WORDS.format(template, **error.params)


def vietnamese(error: Refusal) -> str:
    """One sentence for the officer: the kind of refusal, the field, the reason."""
    kind = next((text for cls, text in KINDS if isinstance(error, cls)), "Bị từ chối")
    field_path = error.field if isinstance(error, ParLedgerError) else None
    field = f" — trường {field_in_vietnamese(field_path)}" if field_path else ""
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
