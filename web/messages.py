"""TRANSITION: the earlier translation of the ledger's free-text English reasons, by regular expression.

Refusals with a code are translated by `web.i18n` from their code. What is left here are the
rules for the reasons that `ledger.application`, `ledger.storage` and `ledger.tlog` still give
as free text (`ledger.errors` marks those ``unclassified``); this module goes, with its one
call in `web.i18n.reason`, once they carry codes too.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from web.i18n.words import subject_in_vietnamese

Rule = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]


def _rules(*pairs: tuple[str, str | Callable[[re.Match[str]], str]]) -> tuple[Rule, ...]:
    return tuple((re.compile(pattern, re.DOTALL), text) for pattern, text in pairs)


def _nested(text: str) -> str:
    """A reason wrapped inside another: translated where a rule knows it."""
    return translated(text) or f"chi tiết kỹ thuật: {text}"


#: Reasons given as free text, in Vietnamese: (pattern matching the whole reason, text).
#: The first rule that matches wins, so specific rules come before general ones.
REASONS: tuple[Rule, ...] = _rules(
    # Files (ledger/storage/documents.py) ----------------------------------------------------
    (r"is empty \(0 bytes\)", "là tệp rỗng (0 byte)"),
    (r"is larger than the (\d+) MiB limit", r"vượt quá giới hạn \1 MiB"),
    # Keys (keys/pairs.py, passed on by ledger/application.py) -----------------------------
    (
        r"an Ed25519 public key is (\d+) bytes, not (\d+)",
        r"khoá công khai Ed25519 phải dài \1 byte, không phải \2 byte",
    ),
    (r"not a loadable Ed25519 public key: (.+)", r"không phải khoá công khai Ed25519 hợp lệ (chi tiết kỹ thuật: \1)"),
    (
        r"an Ed25519 seed is (\d+) bytes, not (\d+)",
        r"khoá bí mật gốc (seed) Ed25519 phải dài \1 byte, không phải \2 byte",
    ),
    (r"public key is not valid base64", "khoá công khai không phải chuỗi base64 hợp lệ"),
    # Appending (ledger/application.py) ---------------------------------------------
    (
        r"this ledger has no document store; documents cannot be referenced",
        "sổ cái này không có kho tài liệu nên không thể dẫn chiếu tài liệu",
    ),
    (
        r"the ledger kept changing under this command; nothing was appended, try again",
        "sổ cái liên tục thay đổi trong khi xử lý yêu cầu; chưa ghi gì, hãy thử lại",
    ),
    (r"unknown statement type (.+)", r"loại yêu cầu \1 không tồn tại"),
    (
        r"this envelope \(nonce (\S+)\) was already appended as entry (\d+)",
        r"bản ký này (mã dùng một lần \1) đã được ghi ở mục số \2",
    ),
    (
        r"signed by (\S+), a key the ledger never registered",
        r"được ký bằng khoá \1, khoá này chưa từng được đăng ký trong sổ cái",
    ),
    (
        r"signed by (\S+), which was revoked before this entry \((.*)\)",
        r"được ký bằng khoá \1, khoá này đã bị thu hồi trước khi ghi mục này (lý do thu hồi: \2)",
    ),
    (
        r"key (\S+?)… belongs to officer (\S+), not (\S+)",
        r"khoá \1… thuộc cán bộ \2, không phải của cán bộ \3",
    ),
    (
        r"(\S+) belongs to (\S+); a unit acts only for itself, not for (\S+)",
        r"cán bộ \1 thuộc đơn vị \2; mỗi đơn vị chỉ thực hiện cho chính mình, không thay cho \3",
    ),
    (
        r"the ledger is not initialised yet: the first entry must be ledger\.initialise",
        "sổ cái chưa được khởi tạo: mục đầu tiên phải là ledger.initialise",
    ),
    (
        r"ledger\.initialise is about (.+), by (.+)",
        r"ledger.initialise phải có đối tượng \1 và do \2 ký",
    ),
    (
        r"ledger\.initialise must be signed by the root key it names",
        "ledger.initialise phải được ký bằng chính khoá gốc nêu trong nội dung",
    ),
    (r"the root key (\S+) is not the pinned (\S+)", r"khoá gốc \1 không phải khoá gốc đã được cố định (\2)"),
    (
        r"refusing to sign: the stored tree of (\d+) entries does not extend the checkpoint signed for (\d+) entries",
        r"từ chối ký: cây lưu trữ gồm \1 mục không nối tiếp điểm kiểm tra (checkpoint) đã ký cho \2 mục",
    ),
    (r"key (\S+) is not registered in this ledger", r"khoá \1 chưa được đăng ký trong sổ cái này"),
    (r"key (\S+) was revoked \((.*)\)", r"khoá \1 đã bị thu hồi (lý do thu hồi: \2)"),
    (r"key (\S+) was already revoked", r"khoá \1 đã bị thu hồi trước đó"),
    (
        r"no checkpoint of size (\d+) was signed",
        r"chưa có điểm kiểm tra (checkpoint) nào được ký cho kích thước \1 mục",
    ),
    (r"no checkpoint was signed yet", "chưa có điểm kiểm tra (checkpoint) nào được ký"),
    (r"entry (\d+) is not in the tree of (\d+) entries", r"mục số \1 không nằm trong cây gồm \2 mục"),
    (r"entry (\d+) is not stored", r"mục số \1 không được lưu trữ"),
    (
        r"sizes must satisfy 0 < (\S+) ≤ (\S+) ≤ (\S+) \(the log's size\)",
        r"kích thước phải thoả mãn 0 < \1 ≤ \2 ≤ \3 (kích thước của sổ cái)",
    ),
    (r"(.+) is not a witness this ledger trusts", r"\1 không phải là bên chứng thực (witness) mà sổ cái này tin cậy"),
    (r"the stored Merkle tree lacks node \((\d+), (\d+)\)", r"cây Merkle đã lưu thiếu nút (\1, \2)"),
    (r"the ledger is already initialised", "sổ cái đã được khởi tạo"),
    (r"the root key signs as (.+) only", r"khoá gốc chỉ được ký với tư cách \1"),
    (
        r"refusing to append: no checkpoint was signed for the (\d+) entries",
        r"từ chối ghi: chưa có điểm kiểm tra (checkpoint) nào được ký cho \1 mục hiện có",
    ),
    (
        r"refusing to append: the latest checkpoint does not verify \((.+)\)",
        r"từ chối ghi: điểm kiểm tra (checkpoint) mới nhất không xác minh được (chi tiết kỹ thuật: \1)",
    ),
    (r"refusing to append: (.+)", lambda m: f"từ chối ghi: {_nested(m[1])}"),
    (r"not a cosignature line: (.+)", r"không phải dòng đồng chữ ký (cosignature) hợp lệ (chi tiết kỹ thuật: \1)"),
    (
        r"the cosignature by (\S+) does not verify: (.+)",
        r"đồng chữ ký của \1 không xác minh được (chi tiết kỹ thuật: \2)",
    ),
    (
        r"(\S+) already exists; correct or change it instead",
        lambda m: f"{subject_in_vietnamese(m[1])} đã tồn tại; hãy đính chính hoặc thay đổi, không tạo mới",
    ),
    # Documents (ledger/storage/documents.py) -----------------------------------------------
    (
        r"is not a PDF, DOCX, XLSX, ODT, PNG or JPEG file \(judged by its content\)",
        "không phải tệp PDF, DOCX, XLSX, ODT, PNG hoặc JPEG (xét theo nội dung tệp)",
    ),
    (
        r"is a ZIP archive but not a DOCX, XLSX or ODT document",
        "là tệp nén ZIP nhưng không phải văn bản DOCX, XLSX hoặc ODT",
    ),
    (r"is a damaged ZIP/Office file", "là tệp ZIP/Office bị hỏng"),
    (r"stored document (\S+) no longer matches its hash", r"tài liệu đã lưu \1 không còn khớp với mã băm của nó"),
    (
        r"size (\d+) does not match the stored document \((\d+) bytes\)",
        r"kích thước \1 byte không khớp với tài liệu đã lưu (\2 byte)",
    ),
    (r"the stored document is (\S+), not (\S+)", r"tài liệu đã lưu có định dạng \1, không phải \2"),
    (r"holds more than (\d+) archive entries", r"chứa quá \1 tệp trong gói nén"),
    (
        r"expands far beyond its size \(a zip bomb\?\)",
        "khi giải nén lớn vượt xa kích thước tệp (nghi là tệp nén độc hại)",
    ),
    (r"document (\S+) is not in the document store", r"tài liệu \1 không có trong kho tài liệu"),
    (
        r"document (\S+?)… \((.+)\) was not uploaded to the document store",
        r"tài liệu \1… (\2) chưa được tải lên kho tài liệu",
    ),
)


def translated(reason: str) -> str | None:
    """The reason in Vietnamese by the first rule matching all of it; None if no rule does."""
    for pattern, text in REASONS:
        match = pattern.fullmatch(reason)
        if match:
            return text(match) if callable(text) else match.expand(text)
    return None
