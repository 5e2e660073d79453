"""How the values a refusal names are written for people: dates, subjects, options, field paths.

The templates of `web.i18n` name these by format spec (``{on:date}``, ``{subject:subject}``,
``{value:option}``, ``{value:name}``, ``{path:field}``, …); `Words` applies them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from string import Formatter
from typing import Any, ClassVar

#: Unit classes (ledger/domain/registry.py UNIT_CLASSES).
UNIT_CLASSES = {
    "office": "Văn phòng Đoàn ĐBQH và HĐND tỉnh",
    "department": "sở, ban, ngành tỉnh",
    "district": "UBND cấp huyện",
    "public_service": "đơn vị sự nghiệp công lập thuộc UBND tỉnh",
    "commune": "UBND cấp xã",
    "province": "tỉnh",
}

#: The obligations of a cycle (ledger/domain/indices.py OBLIGATIONS).
OBLIGATIONS = {
    "governing_decisions": "gửi danh mục quyết định quy định chỉ số",
    "results_published": "công bố kết quả chỉ số",
    "results_transmitted": "gửi kết quả chỉ số về Sở Nội vụ",
    "ratings_published": "công bố kết quả xếp loại",
}

#: What became of a unit that can no longer act (ledger/domain/registry.py).
UNIT_STATUSES = {"merged": "bị sáp nhập", "dissolved": "bị giải thể", "active": "đang hoạt động"}

#: Records, by the lowercase name of their class (`Context.find` in ledger/domain/handlers/base.py).
RECORD_KINDS = {
    "authority": "cơ quan quản lý sổ cái",
    "unit": "đơn vị",
    "officer": "cán bộ",
    "key": "khoá ký",
    "index": "chỉ số",
    "cycle": "kỳ đánh giá",
    "ruleset": "bộ quy tắc xếp loại",
    "rating": "xếp loại",
    "submission": "hồ sơ nộp",
}

#: Submission kinds, as they appear in subjects ``submission/<kind>/...`` (ledger/domain/submissions.py KINDS).
SUBMISSION_KINDS = {
    "governing-decisions": "danh mục quyết định quy định chỉ số",
    "index-results": "kết quả chỉ số",
    "staff-rule": "quy định xếp loại cán bộ",
    "document": "tài liệu",
}

#: The values the ledger names in English (options of a field, classes, statuses, records), by name.
NAMES = {
    **UNIT_CLASSES,
    **OBLIGATIONS,
    **UNIT_STATUSES,
    **RECORD_KINDS,
    **SUBMISSION_KINDS,
    "home_affairs": "Sở Nội vụ",
    "committee": "UBND tỉnh",
    "admin": "quản trị viên",
    "auditor": "kiểm toán viên",
    "inspector": "thanh tra viên",
    "percent": "phần trăm",
    "points": "điểm",
    "upheld": "giữ nguyên",
    "revised": "sửa đổi",
    "not_evaluated": "không đánh giá",
    "Art.4(1)(a)": "điểm a khoản 1 Điều 4",
}

#: Placeholders in subject forms (``rating/<year>/<UNIT>``) and their English glosses.
_SUBJECT_FORM_WORDS = (
    ("<CODE>", "<MÃ>"),
    ("<UNIT>", "<MÃ ĐƠN VỊ>"),
    ("<id>", "<mã cán bộ>"),
    ("<person>", "<mã cá nhân>"),
    ("<year>", "<năm>"),
    ("<version>", "<phiên bản>"),
    ("<64 hex digits>", "<64 chữ số hệ mười sáu>"),
    (" for a head's rating", " (xếp loại người đứng đầu)"),
    (" (lowercase letters, digits, '.', '_', '-')", " (chữ thường, chữ số, '.', '_', '-')"),
)


def local_date(value: Any) -> str:
    """A date (or its ISO text ``2024-11-05``) as ``05/11/2024``; other text unchanged."""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", str(value))
    return f"{match[3]}/{match[2]}/{match[1]}" if match else str(value)


def name_in_vietnamese(value: str) -> str:
    """A value the ledger names in English (a unit class, an obligation, a status): its Vietnamese name."""
    return NAMES.get(value, value)


def option_in_vietnamese(value: str) -> str:
    """An option value: its Vietnamese name with the code the form sends, where known."""
    name = NAMES.get(value)
    return f"{name} ({value})" if name else value


def options_in_vietnamese(options: str) -> str:
    """Options listed ``a, b, c``, each as `option_in_vietnamese` writes it."""
    return ", ".join(option_in_vietnamese(option) for option in options.split(", "))


def subject_in_vietnamese(subject: str) -> str:
    """A ledger subject (``unit/SNV``, ``rating/2024/SNV/le.van.c``) in words."""
    parts = subject.split("/")
    head, rest = parts[0], parts[1:]
    if subject == "authority":
        return RECORD_KINDS["authority"]
    if head == "rating" and len(rest) == 2:
        return f"xếp loại năm {rest[0]} của người đứng đầu {rest[1]}"
    if head == "rating" and len(rest) == 3:
        return f"xếp loại năm {rest[0]} của cá nhân {rest[2]} ({rest[1]})"
    if head == "cycle" and len(rest) == 1:
        return f"kỳ đánh giá năm {rest[0]}"
    if head == "submission" and rest:
        kind = SUBMISSION_KINDS.get(rest[0], rest[0])
        return f"hồ sơ {kind} {'/'.join(rest[1:])}".rstrip()
    if head in RECORD_KINDS and len(rest) == 1:
        return f"{RECORD_KINDS[head]} {rest[0]}"
    return subject


def form_in_vietnamese(form: str) -> str:
    """The form a subject must have (``rating/<year>/<UNIT>``), its placeholders in Vietnamese."""
    for english, vietnamese_words in _SUBJECT_FORM_WORDS:
        form = form.replace(english, vietnamese_words)
    return form


# Field paths --------------------------------------------------------------------------

#: Whole field paths as the forms label them (checked before the path is read part by part).
FIELDS = {
    "subject": "đối tượng",
    "payload": "nội dung",
    "body": "nội dung",
    "signatures[0].sig": "chữ ký",
    "signatures[0].keyid": "mã khoá",
    "signatures[0]": "chữ ký",
    "body.reason": "lý do",
    "body.decision": "số quyết định",
    "body.level": "mức xếp loại",
    "body.documents": "tài liệu",
    "body.scale.unit": "thang điểm, đơn vị tính",
    "body.grounds": "nội dung khiếu nại, kiến nghị",
}

#: The names of fields, one part of a path each.
FIELD_NAMES = {
    # envelope and statement
    "payload": "nội dung",
    "payloadType": "loại nội dung",
    "signatures": "chữ ký",
    "keyid": "mã khoá",
    "sig": "chữ ký",
    "type": "loại yêu cầu",
    "subject": "đối tượng",
    "client_time": "thời điểm ký",
    "nonce": "mã dùng một lần",
    "envelope": "bản ký",
    "cosignature": "đồng chữ ký",
    "login": "tên đăng nhập",
    "password": "mật khẩu",
    # bodies
    "band": "nhóm xếp hạng",
    "bottom_share_percent": "tỷ lệ nhóm cuối (%)",
    "top_share_percent": "tỷ lệ nhóm đầu (%)",
    "class": "loại đơn vị",
    "classes": "loại đơn vị được đánh giá",
    "date": "ngày",
    "deadlines": "thời hạn",
    "decided_on": "ngày quyết định",
    "decision": "số quyết định",
    "decisions": "quyết định",
    "description": "mô tả",
    "document": "tài liệu",
    "documents": "tài liệu",
    "functions": "chức năng",
    "grounds": "căn cứ",
    "ht_min_percent": "ngưỡng HT (%)",
    "htt_min_percent": "ngưỡng HTT (%)",
    "htxs_min_percent": "ngưỡng HTXS (%)",
    "illustrative": "chỉ mang tính minh hoạ",
    "index": "chỉ số",
    "indices": "chỉ số theo loại đơn vị",
    "inputs": "chỉ số đầu vào",
    "into": "sáp nhập vào đơn vị",
    "issued_on": "ngày ban hành",
    "lead": "sở, ngành chủ trì",
    "legal_basis": "căn cứ pháp lý",
    "level": "mức xếp loại",
    "majority_percent": "tỷ lệ đa số (%)",
    "maximum": "điểm tối đa",
    "measured_year": "năm đo lường",
    "media_type": "định dạng tệp",
    "missing": "chỉ số thiếu kết quả",
    "name": "tên",
    "note": "ghi chú",
    "number": "số",
    "obligation": "nghĩa vụ",
    "officer": "cán bộ",
    "outcome": "kết quả giải quyết",
    "overridden_resolution": "quyết định giải quyết kiến nghị bị thay đổi",
    "overrides_appeal": "thay đổi kết quả giải quyết kiến nghị",
    "parameters": "tham số",
    "parent": "đơn vị cấp trên",
    "peers": "số đơn vị cùng loại",
    "position": "chức vụ",
    "public_key": "khoá công khai",
    "published_on": "ngày công bố",
    "rank": "thứ hạng",
    "rationale": "lý do đề xuất",
    "reason": "lý do",
    "replacement": "nội dung thay thế",
    "results": "kết quả",
    "roles": "vai trò",
    "root_public_key": "khoá công khai gốc",
    "rule": "quy định xếp loại",
    "ruleset": "bộ quy tắc xếp loại",
    "scale": "thang điểm",
    "score": "điểm",
    "sha256": "mã băm SHA-256",
    "size": "kích thước",
    "title": "tiêu đề",
    "unit": "đơn vị",
    **{code: f"thời hạn {name}" for code, name in OBLIGATIONS.items()},
    **UNIT_CLASSES,
}

#: Lists whose elements are rows of a table (numbered "dòng"); others are numbered "mục".
_ROW_LISTS = frozenset({"results", "decisions", "inputs"})
_PART = re.compile(r"([^.\[\]]+)((?:\[\d+\])*)")


def field_in_vietnamese(path: str) -> str:
    """A field path for display: ``body.results[3].score`` → "kết quả dòng 4, điểm"."""
    if path in FIELDS:
        return FIELDS[path]
    parts = path.split(".")
    if parts[0] == "body" and len(parts) > 1:
        parts = parts[1:]
    words = []
    for part in parts:
        match = _PART.fullmatch(part)
        if match is None:
            words.append(part)
            continue
        name, indices = match[1], [int(i) for i in re.findall(r"\d+", match[2])]
        word = FIELD_NAMES.get(name, name)
        for i in indices:
            word += f" dòng {i + 1}" if name in _ROW_LISTS else f", mục {i + 1}"
        words.append(word)
    return ", ".join(words)


class Words(Formatter):
    """`str.format` with the ways values are written for people as format specs."""

    SPECS: ClassVar[dict[str, Callable[[Any], str]]] = {
        "date": local_date,
        "subject": lambda value: subject_in_vietnamese(str(value)),
        "option": lambda value: option_in_vietnamese(str(value)),
        "options": lambda value: options_in_vietnamese(str(value)),
        "name": lambda value: name_in_vietnamese(str(value)),
        "form": lambda value: form_in_vietnamese(str(value)),
        "field": lambda value: field_in_vietnamese(str(value)),
    }

    def format_field(self, value: Any, format_spec: str) -> str:
        written = self.SPECS.get(format_spec)
        if written is not None:
            return written(value)
        return super().format_field(value, format_spec)


WORDS = Words()
