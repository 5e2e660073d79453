"""The ledger's refusals in Vietnamese, and the HTTP status each deserves.

The ledger names the field and the reason in English (its log and CLI are for
administrators); officers read Vietnamese. `vietnamese` gives the kind of refusal in
Vietnamese, then the reason translated where a rule below knows it, and the field.
"""

from __future__ import annotations

import re

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

#: What kind of refusal, in the officer's words.
KINDS: tuple[tuple[type[LedgerError], str], ...] = (
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

#: Reasons the ledger gives, in Vietnamese (regular expressions over the English reason).
REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), text)
    for pattern, text in (
        (r"^is required$", "bắt buộc phải có"),
        (r"^must be a non-empty string$", "phải là chuỗi ký tự, không được để trống"),
        (r"^must be a JSON object$", "phải là một đối tượng JSON"),
        (r"already appended as entry (\d+)", r"đã được ghi ở mục số \1"),
        (r"signature by (\S+) does not verify", r"chữ ký của khoá \1 không khớp với nội dung"),
        (r"was revoked", "khoá đã bị thu hồi"),
        (r"is not registered", "khoá chưa được đăng ký"),
        (r"(.+) already exists", r"\1 đã tồn tại"),
        (r"^unknown field '(.+)'$", r"trường không được phép: '\1'"),
    )
)

#: Field names as the forms label them.
FIELDS = {
    "subject": "đối tượng",
    "payload": "nội dung",
    "signatures[0].sig": "chữ ký",
    "signatures[0].keyid": "mã khoá",
    "body.reason": "lý do",
    "body.decision": "số quyết định",
    "body.level": "mức xếp loại",
    "body.documents": "tài liệu",
}


def reason_in_vietnamese(reason: str) -> str:
    """The reason translated where a rule knows it, else the ledger's own words (quoted)."""
    for pattern, text in REASONS:
        match = pattern.search(reason)
        if match:
            return match.expand(text)
    return f"“{reason}”"


def vietnamese(error: LedgerError) -> str:
    """One sentence for the officer: the kind of refusal, the field, the reason."""
    kind = next((text for cls, text in KINDS if isinstance(error, cls)), "Bị từ chối")
    field = f" — trường {FIELDS.get(error.field, error.field)}" if error.field else ""
    return f"{kind}{field}: {reason_in_vietnamese(error.reason)}"


def http_status(error: LedgerError) -> int:
    """409 for what conflicts with the ledger's state, 403 for authority, 422 for the rest."""
    if isinstance(error, ReplayError | DuplicateError | ConflictError):
        return 409
    if isinstance(error, NotAuthorizedError):
        return 403
    if isinstance(error, LogIntegrityError):
        return 503
    return 422
