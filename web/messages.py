"""The ledger's refusals in Vietnamese, and the HTTP status each deserves.

The ledger names the field and the reason in English (its log and CLI are for
administrators); officers read Vietnamese. `vietnamese` gives the kind of refusal in
Vietnamese, then the reason translated by the rules of REASONS, then the field.

Each rule is a regular expression that must match the whole English reason; its groups
(numbers, codes, dates, subjects) are carried into the Vietnamese, either through a
template (``\\1``, ``\\g<name>``) or through a function of the match where a value itself
needs translating (a unit class, a subject, an ISO date). Every reason the ledger gives
has a rule: tests/unit/test_messages.py reads ledger/*.py and checks it. A reason no rule
knows (a new one) is shown quoted, in the ledger's own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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

# Values the ledger names in English ----------------------------------------------------

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

#: Other option values the ledger lists in "must be one of ...".
OPTIONS = {
    **UNIT_CLASSES,
    **OBLIGATIONS,
    "home_affairs": "Sở Nội vụ",
    "committee": "UBND tỉnh",
    "officer": "cán bộ",
    "admin": "quản trị viên",
    "auditor": "kiểm toán viên",
    "inspector": "thanh tra viên",
    "unit": "đơn vị",
    "percent": "phần trăm",
    "points": "điểm",
    "upheld": "giữ nguyên",
    "revised": "sửa đổi",
    "not_evaluated": "không đánh giá",
}

#: Records, by the lowercase name of their class (ledger/domain/handlers.py `find`).
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

#: Submission kinds, as they appear in subjects ``submission/<kind>/...``.
SUBMISSION_KINDS = {
    "governing-decisions": "danh mục quyết định quy định chỉ số",
    "index-results": "kết quả chỉ số",
    "staff-rule": "quy định xếp loại cán bộ",
    "document": "tài liệu",
}

#: Descriptions in "must be <what>" (ledger/domain/fields.py patterns, ledger/domain/handlers.py subjects).
WHATS = {
    "a code of capitals, digits, '_', '.' or '-' (at most 32)": (
        "một mã gồm chữ in hoa, chữ số, '_', '.' hoặc '-' (tối đa 32 ký tự)"
    ),
    "lowercase letters, digits, '.', '_' or '-' (at most 64)": (
        "chuỗi gồm chữ thường, chữ số, '.', '_' hoặc '-' (tối đa 64 ký tự)"
    ),
    "an index code": "mã chỉ số",
    "a unit code": "mã đơn vị",
    "a rule set version": "phiên bản bộ quy tắc xếp loại",
    "a base64 Ed25519 public key (32 bytes)": "khoá công khai Ed25519 dạng base64 (32 byte)",
    "64 lowercase hex digits": "64 chữ số hệ mười sáu viết thường",
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


def iso_date(text: str) -> str:
    """``2024-11-05`` as ``05/11/2024``; anything else unchanged."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    return f"{match[3]}/{match[2]}/{match[1]}" if match else text


def option_in_vietnamese(value: str) -> str:
    """An option value: its Vietnamese name with the code the form sends, where known."""
    name = OPTIONS.get(value)
    return f"{name} ({value})" if name else value


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


def what_in_vietnamese(what: str) -> str:
    """The expected form in "must be <what>"."""
    if what in WHATS:
        return f"là {WHATS[what]}"
    if "/" in what or what.startswith("'"):
        for english, vietnamese_words in _SUBJECT_FORM_WORDS:
            what = what.replace(english, vietnamese_words)
        return f"có dạng {what}"
    return f"là {what}"


def _nested(text: str) -> str:
    """A reason wrapped inside another: translated where a rule knows it."""
    return translated(text) or f"chi tiết kỹ thuật: {text}"


Rule = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]


def _rules(*pairs: tuple[str, str | Callable[[re.Match[str]], str]]) -> tuple[Rule, ...]:
    return tuple((re.compile(pattern, re.DOTALL), text) for pattern, text in pairs)


_HEX_NOTE = "chữ số hệ mười sáu"

#: Reasons the ledger gives, in Vietnamese: (pattern matching the whole reason, text).
#: The first rule that matches wins, so specific rules come before general ones.
REASONS: tuple[Rule, ...] = _rules(
    # Fields of a body (ledger/domain/fields.py Reader) ------------------------------------
    (r"is required", "bắt buộc phải có"),
    (r"must be an object", "phải là một đối tượng JSON (nhóm trường)"),
    (r"must be text", "phải là văn bản"),
    (r"must not be blank", "không được để trống"),
    (r"must not start or end with spaces", "không được bắt đầu hoặc kết thúc bằng dấu cách"),
    (r"is longer than (\d+) characters", r"dài quá \1 ký tự"),
    (r"contains control or invisible characters", "chứa ký tự điều khiển hoặc ký tự ẩn"),
    (r"must be a whole number", "phải là số nguyên"),
    (r"must be between (\S+) and (\S+)", r"phải nằm trong khoảng từ \1 đến \2"),
    (
        r'must be a decimal written as a string, like "87\.50"',
        'phải là số thập phân viết dưới dạng chuỗi, ví dụ "87.50"',
    ),
    (r"is not a decimal", "không phải là số thập phân"),
    (r"must be a date written YYYY-MM-DD", "phải là ngày viết theo dạng YYYY-MM-DD (năm-tháng-ngày)"),
    (r"(.+) is not a date on the calendar", lambda m: f"ngày {iso_date(m[1])} không có trên lịch"),
    (r"(\S+) lies outside the cycle year (\d+)", r"ngày \1 nằm ngoài năm của kỳ đánh giá \2"),
    (r"(\S+) lies after the cycle year (\d+)", r"ngày \1 muộn hơn năm của kỳ đánh giá \2"),
    (
        r"must be one of (.+)",
        lambda m: (
            "phải là một trong các giá trị: " + ", ".join(option_in_vietnamese(option) for option in m[1].split(", "))
        ),
    ),
    (r"must be a list", "phải là một danh sách"),
    (r"lists the same item twice", "có một mục bị liệt kê hai lần"),
    (r"must be true or false", "phải là đúng hoặc sai (true/false)"),
    (r"must be a list of at most (\d+) items", r"phải là danh sách có tối đa \1 mục"),
    (r"must hold (\d+) to (\d+) items", r"phải có từ \1 đến \2 mục"),
    (r"unknown field (.+)", r"có trường không được phép: \1"),
    # The envelope and its payload (ledger/signing/envelope.py) -----------------------------
    (r"must be a non-empty string", "phải là chuỗi ký tự, không được để trống"),
    (r"must be a JSON object", "phải là một đối tượng JSON"),
    (
        r"must be 32 lowercase hex digits \(128 random bits\)",
        f"phải là 32 {_HEX_NOTE} viết thường (128 bit ngẫu nhiên)",
    ),
    (r"must carry a UTC offset, e\.g\. \+07:00", "phải ghi kèm độ lệch múi giờ so với UTC, ví dụ +07:00"),
    (
        r"is not in canonical form \(NFC text, RFC 8785 JSON\)",
        "không ở dạng chuẩn tắc (văn bản chuẩn hoá NFC, JSON theo RFC 8785)",
    ),
    (r"must be an ISO 8601 date-time", "phải là ngày giờ theo chuẩn ISO 8601"),
    (r"is empty \(0 bytes\)", "là tệp rỗng (0 byte)"),
    (r"is empty", "không có nội dung"),
    (r"is larger than the (\d+) MiB limit", r"vượt quá giới hạn \1 MiB"),
    (r"is larger than (\d+) bytes", r"lớn hơn \1 byte"),
    (r"exactly one signature is required", "phải có đúng một chữ ký"),
    (r"must be an object with 'keyid' and 'sig'", "phải là một đối tượng gồm 'keyid' và 'sig'"),
    (r"must be 'ed25519:' and 64 hex digits", f"phải gồm 'ed25519:' và 64 {_HEX_NOTE}"),
    (r"an Ed25519 signature has 64 bytes", "chữ ký Ed25519 phải dài đúng 64 byte"),
    (r"must be a base64 string", "phải là chuỗi base64"),
    (r"is not valid base64", "không phải chuỗi base64 hợp lệ"),
    (r"is not canonical base64 \(padding bits must be zero\)", "không phải base64 chuẩn tắc (các bit đệm phải bằng 0)"),
    (r"(.+) is not allowed in JSON", r"giá trị \1 không được phép trong JSON"),
    (
        r'the number (.+) has a fraction or exponent; write decimals as strings like "87\.50"',
        r'số \1 có phần thập phân hoặc số mũ; hãy viết số thập phân dưới dạng chuỗi, ví dụ "87.50"',
    ),
    (
        r'numbers with a fraction are not allowed; write decimals as strings like "87\.50"',
        'không được dùng số có phần thập phân; hãy viết số thập phân dưới dạng chuỗi, ví dụ "87.50"',
    ),
    (r"is nested too deeply \(more than (\d+) levels\)", r"lồng nhau quá sâu (quá \1 cấp)"),
    (r"is nested too deeply", "lồng nhau quá sâu"),
    (
        r"contains a lone surrogate, which is not Unicode text",
        "chứa ký tự thay thế (surrogate) đứng riêng lẻ, không phải văn bản Unicode hợp lệ",
    ),
    (
        r"integers must lie within ±\(2\^53 − 1\); write larger numbers as strings",
        "số nguyên phải nằm trong khoảng ±(2^53 − 1); số lớn hơn hãy viết dưới dạng chuỗi",
    ),
    (r"(.+) is not a JSON value", r"kiểu dữ liệu \1 không phải là giá trị JSON"),
    (r"cannot be encoded as canonical JSON \((.+)\)", r"không thể mã hoá thành JSON chuẩn tắc (chi tiết kỹ thuật: \1)"),
    (r"object keys must be strings", "tên trường trong đối tượng JSON phải là chuỗi"),
    (r"key (.+) appears twice once normalised", r"tên trường \1 xuất hiện hai lần sau khi chuẩn hoá Unicode"),
    (r"key (.+) appears twice", r"tên trường \1 xuất hiện hai lần"),
    (r"is not valid UTF-8", "không phải văn bản UTF-8 hợp lệ"),
    (r"is not valid JSON \((.+)\)", r"không phải JSON hợp lệ (chi tiết kỹ thuật: \1)"),
    (r"signature by (\S+) does not verify", r"chữ ký của khoá \1 không khớp với nội dung"),
    # Keys (keys/pairs.py, through PayloadError) ------------------------------------
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
    # Who may sign what (ledger/domain/handlers.py ctx.require) ----------------------------
    (
        r"only the ledger authority or an administrator registers units",
        "chỉ cơ quan quản lý sổ cái hoặc quản trị viên mới được đăng ký đơn vị",
    ),
    (
        r"only the ledger authority or an administrator changes units",
        "chỉ cơ quan quản lý sổ cái hoặc quản trị viên mới được thay đổi thông tin đơn vị",
    ),
    (
        r"officers are registered by an administrator or by the head of their own unit",
        "cán bộ do quản trị viên hoặc thủ trưởng đơn vị của chính cán bộ đó đăng ký",
    ),
    (r"only an administrator changes roles", "chỉ quản trị viên mới được thay đổi vai trò của cán bộ"),
    (r"only an administrator grants the admin role", "chỉ quản trị viên mới được cấp vai trò quản trị viên"),
    (
        r"keys are registered by an administrator or by the head of the officer's unit",
        "khoá ký do quản trị viên hoặc thủ trưởng đơn vị của cán bộ đăng ký",
    ),
    (
        r"a key is revoked by its holder, the head of the holder's unit, or an administrator",
        "khoá ký chỉ được thu hồi bởi chính người giữ khoá, thủ trưởng đơn vị của người đó hoặc quản trị viên",
    ),
    (
        r"indices of Art\. 4\(1\)\(a\) are defined by the ledger authority or an administrator",
        "các chỉ số quy định tại điểm a khoản 1 Điều 4 do cơ quan quản lý sổ cái hoặc quản trị viên xác định",
    ),
    (r"only a provincial department proposes an index", "chỉ sở, ban, ngành tỉnh mới được đề xuất chỉ số"),
    (
        r"only the Provincial People's Committee approves a proposed index",
        "chỉ UBND tỉnh mới được phê duyệt chỉ số được đề xuất",
    ),
    (r"a cycle is opened by Sở Nội vụ", "kỳ đánh giá do Sở Nội vụ mở"),
    (r"deadlines are adjusted by Sở Nội vụ or the committee", "thời hạn do Sở Nội vụ hoặc UBND tỉnh điều chỉnh"),
    (r"rule sets are issued by the committee", "bộ quy tắc xếp loại do UBND tỉnh ban hành"),
    (
        r"a correction comes from the submitting unit \((\S+)\) or the authority, not (\S+)",
        r"việc đính chính phải do đơn vị đã nộp (\1) hoặc cơ quan quản lý sổ cái thực hiện, không phải \2",
    ),
    (r"heads' ratings are computed by Sở Nội vụ", "xếp loại người đứng đầu do Sở Nội vụ tính toán"),
    (
        r"heads' ratings are decided by the Provincial People's Committee",
        "xếp loại người đứng đầu do UBND tỉnh quyết định",
    ),
    (
        r"individual ratings of (\S+) are published by its head",
        r"xếp loại cá nhân của \1 do thủ trưởng đơn vị \1 công bố",
    ),
    (
        r"an appeal against a rating of (\S+) is filed from (\S+)",
        r"khiếu nại, kiến nghị về xếp loại của \1 phải do \2 gửi",
    ),
    (
        r"appeals against heads' ratings are resolved by the committee",
        "khiếu nại, kiến nghị về xếp loại người đứng đầu do UBND tỉnh giải quyết",
    ),
    (
        r"appeals against ratings of (\S+) staff are resolved by its head",
        r"khiếu nại, kiến nghị về xếp loại cán bộ của \1 do thủ trưởng đơn vị \1 giải quyết",
    ),
    # Registry, indices, cycles (ledger/domain/handlers.py, registry.py, indices.py) -------
    (r"unit (\S+) is already named (.+)", r"đơn vị \1 đã có tên \2"),
    (r"a unit cannot be merged into itself", "không thể sáp nhập một đơn vị vào chính nó"),
    (r"officer (\S+) belongs to (\S+), not (\S+)", r"cán bộ \1 thuộc đơn vị \2, không thuộc \3"),
    (r"(\S+) is already the head of (\S+)", r"cán bộ \1 đã là thủ trưởng của \2"),
    (r"the officer already has exactly these roles", "cán bộ đã có đúng các vai trò này"),
    (r"the key's id is (\S+), not the subject's", r"mã khoá là \1, không khớp với đối tượng"),
    (
        r"a department proposes indices that it will lead itself",
        "sở, ban, ngành chỉ đề xuất chỉ số do chính mình chủ trì",
    ),
    (r"index (\S+) is already in force", r"chỉ số \1 đã có hiệu lực"),
    (
        r"(\S+) is not a provincial department and cannot lead an index",
        r"\1 không phải là sở, ban, ngành tỉnh nên không thể chủ trì chỉ số",
    ),
    (
        r"the (\S+) deadline is already (\S+)",
        lambda m: f"thời hạn {OBLIGATIONS.get(m[1], m[1])} đã là ngày {m[2]}",
    ),
    (
        r"unit (\S+) was (\S+) and can no longer act or be acted for",
        lambda m: (
            f"đơn vị {m[1]} đã {UNIT_STATUSES.get(m[2], m[2])} nên không còn thực hiện "
            "hoặc được nêu trong yêu cầu nào nữa"
        ),
    ),
    (r"must name at least one unit class", "phải nêu ít nhất một loại đơn vị"),
    (
        r"an index is defined directly only under (.+); others are proposed and approved",
        lambda m: (
            f"chỉ các chỉ số theo {'điểm a khoản 1 Điều 4' if m[1] == 'Art.4(1)(a)' else m[1]} "
            "mới được xác định trực tiếp; các chỉ số khác phải được đề xuất và phê duyệt"
        ),
    ),
    (r"no assessment cycle was opened for (\d+)", r"chưa mở kỳ đánh giá năm \1"),
    # Submissions (ledger/domain/handlers.py, submissions.py) ------------------------------
    (
        r"a (\S+) is filed under submission/(\S+)/…",
        lambda m: (
            f"yêu cầu {m[1]} phải được nộp dưới dạng submission/{m[2]}/… (hồ sơ {SUBMISSION_KINDS.get(m[2], m[2])})"
        ),
    ),
    (
        r"index (\S+) is only proposed; results are published once it is approved",
        r"chỉ số \1 mới được đề xuất; chỉ công bố kết quả sau khi chỉ số được phê duyệt",
    ),
    (
        r"results are transmitted by the department that published them \((\S+)\)",
        r"kết quả phải do chính sở, ngành đã công bố (\1) gửi",
    ),
    (
        r"index (\S+) is led by (\S+); (\S+) cannot publish its results",
        r"chỉ số \1 do \2 chủ trì; \3 không được công bố kết quả của chỉ số này",
    ),
    (
        r"a unit files only for itself: (\S+) cannot file for (\S+)",
        r"mỗi đơn vị chỉ nộp cho chính mình: \1 không được nộp thay \2",
    ),
    (
        r"(\S+) is a (\S+); index (\S+) does not measure it",
        lambda m: f"{m[1]} thuộc loại {UNIT_CLASSES.get(m[2], m[2])}; chỉ số {m[3]} không đánh giá loại đơn vị này",
    ),
    (r"exceeds the index's maximum of (\S+)", r"vượt quá điểm tối đa của chỉ số (\1)"),
    (
        r"(\S+) is not an index in force measuring each (\S+)",
        lambda m: f"{m[1]} không phải là chỉ số đang có hiệu lực dùng để đánh giá {UNIT_CLASSES.get(m[2], m[2])}",
    ),
    (
        r"must be (\d+): 1 \+ the number of units of the same class with a higher score "
        r"\(ties share the better rank\)",
        r"phải là \1: bằng 1 cộng số đơn vị cùng loại có điểm cao hơn "
        r"(các đơn vị bằng điểm cùng nhận thứ hạng cao hơn)",
    ),
    (r"(\S+) does not lead index (\S+)", r"\1 không phải đơn vị chủ trì chỉ số \2"),
    (r"must name a submission: one of (.+)", r"phải chỉ rõ hồ sơ nộp theo một trong các dạng: \1"),
    (r"must be a file name, without '/' or '\\'", r"phải là tên tệp, không chứa '/' hoặc '\\'"),
    (r"lists unit (\S+) twice", r"đơn vị \1 được liệt kê hai lần"),
    (
        r"published results can be corrected only on the authority of a decision: name it",
        "kết quả đã công bố chỉ được đính chính theo một quyết định: hãy ghi số quyết định",
    ),
    (
        r"the replacement is identical to the version in force; nothing to correct",
        "nội dung thay thế giống hệt phiên bản đang có hiệu lực; không có gì để đính chính",
    ),
    (
        r"only published index results are transmitted to Sở Nội vụ",
        "chỉ kết quả chỉ số đã công bố mới được gửi Sở Nội vụ",
    ),
    (r"these results were already transmitted on (\S+)", r"kết quả này đã được gửi ngày \1"),
    (
        r"must name the unit's own rule for (\d+): (.+)",
        r"phải dẫn chiếu quy định xếp loại cán bộ năm \1 của chính đơn vị: \2",
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
    # Ratings (ledger/domain/handlers.py, ratings.py) --------------------------------------
    (r"(\S+) is not a rated unit", r"\1 không thuộc diện đơn vị được xếp loại"),
    (r"(\S+) has no appointed head to rate", r"\1 chưa có thủ trưởng được bổ nhiệm để xếp loại"),
    (r"the head of (\S+) is (\S+)", r"thủ trưởng hiện tại của \1 là \2"),
    (
        r"do not match the index results in the ledger; recompute them from the current results",
        "không khớp với kết quả chỉ số trong sổ cái; hãy tính lại từ kết quả hiện hành",
    ),
    (
        r"rule set (\S+) gives (\S+) for these inputs, not (\S+)",
        r"theo bộ quy tắc \1, các chỉ số đầu vào này cho mức \2, không phải \3",
    ),
    (
        r"the rating is under appeal; resolve the appeal first",
        "xếp loại đang có khiếu nại, kiến nghị; hãy giải quyết khiếu nại, kiến nghị trước",
    ),
    (
        r"the rating is under appeal; resolve the appeal instead",
        "xếp loại đang có khiếu nại, kiến nghị; hãy giải quyết khiếu nại, kiến nghị thay vì quyết định lại",
    ),
    (
        r"names an index twice across inputs and missing",
        "một chỉ số được nêu hai lần (trong chỉ số đầu vào và chỉ số thiếu kết quả)",
    ),
    (r"a revision must give the new level", "khi sửa đổi xếp loại phải nêu mức xếp loại mới"),
    (
        r"an upheld rating keeps its level; leave the level out",
        "xếp loại được giữ nguyên thì giữ nguyên mức; không ghi mức xếp loại",
    ),
    (
        r"individual ratings are published by their unit, not decided by the committee",
        "xếp loại cá nhân do đơn vị công bố, không do UBND tỉnh quyết định",
    ),
    (
        r"the decided level (\S+) differs from the computed (\S+): give the written reason",
        r"mức quyết định \1 khác với mức tính toán \2: hãy ghi rõ lý do bằng văn bản",
    ),
    (
        r"an appeal against this rating is already open",
        "đã có khiếu nại, kiến nghị đang được xem xét đối với xếp loại này",
    ),
    (
        r"the rating is only computed; it can be appealed once decided",
        "xếp loại mới chỉ được tính toán; chỉ có thể khiếu nại, kiến nghị sau khi có quyết định",
    ),
    (r"there is no open appeal against this rating", "không có khiếu nại, kiến nghị nào đang mở đối với xếp loại này"),
    (
        r"the rating is already (\S+); a revision must change the level",
        r"xếp loại hiện đã là \1; việc sửa đổi phải thay đổi mức xếp loại",
    ),
    # General forms, last: records and expected forms -------------------------------
    (r"(.+) does not exist in the ledger", lambda m: f"{subject_in_vietnamese(m[1])} không có trong sổ cái"),
    (
        r"(\S+) is not an? (\w+)",
        lambda m: f"{subject_in_vietnamese(m[1])} không phải là {RECORD_KINDS.get(m[2], m[2])}",
    ),
    (r"must be (.+)", lambda m: f"phải {what_in_vietnamese(m[1])}"),
)


def translated(reason: str) -> str | None:
    """The reason in Vietnamese by the first rule matching all of it; None if no rule does."""
    for pattern, text in REASONS:
        match = pattern.fullmatch(reason)
        if match:
            return text(match) if callable(text) else match.expand(text)
    return None


def reason_in_vietnamese(reason: str) -> str:
    """The reason translated where a rule knows it, else the ledger's own words (quoted)."""
    text = translated(reason)
    return text if text is not None else f"“{reason}”"


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


def vietnamese(error: LedgerError) -> str:
    """One sentence for the officer: the kind of refusal, the field, the reason."""
    kind = next((text for cls, text in KINDS if isinstance(error, cls)), "Bị từ chối")
    field = f" — trường {field_in_vietnamese(error.field)}" if error.field else ""
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
