"""Every refusal the ledger can give reads as Vietnamese on the web (web/messages.py).

The reasons are not listed by hand: the test reads ledger/*.py (and keys/pairs.py, whose
key-format errors the ledger passes on) with `ast`, collects every literal reason given
to a LedgerError or to `ctx.require`, and every "must be <what>" description, fills each
f-string placeholder with a plausible sample value, and checks the Vietnamese.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from string import Formatter

import pytest

import ledger.serving
import ledger.storage.documents
from ledger import errors
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
from web.messages import (
    REASONS,
    field_in_vietnamese,
    http_status,
    reason_in_vietnamese,
    translated,
    vietnamese,
)

ROOT = Path(__file__).resolve().parents[3]
SOURCES = [*sorted((ROOT / "ledger").rglob("*.py")), ROOT / "keys" / "pairs.py"]


def _kinds_and_subclasses(cls: type) -> set[type]:
    return {cls, *(sub for direct in cls.__subclasses__() for sub in _kinds_and_subclasses(direct))}


#: Classes whose first argument is a reason an officer may read (or the code of one).
ERROR_CLASSES = (
    {name for name, value in vars(errors).items() if isinstance(value, type) and issubclass(value, LedgerError)}
    | {cls.__name__ for cls in _kinds_and_subclasses(LedgerError)}
    | {"KeyFormatError"}
)

#: The English template of every declared code (a coded refusal's reason is its template, filled).
TEMPLATES = {code: template for _, code, template in errors.ParLedgerError.declared()}
assert ledger.serving  # imported for the codes it declares

#: Sample values for placeholders, by the placeholder's expression (then by its last name):
#: (value put into the English, what the Vietnamese must show for it; None = the value itself).
SAMPLES: dict[str, tuple[str, str | None]] = {
    # numbers
    "year": ("2024", None),
    "size": ("42", None),
    "size1": ("8", None),
    "size2": ("13", None),
    "head": ("21", None),
    "self._head": ("17", None),
    "seq": ("5", None),
    "earlier": ("314", None),
    "level": ("3", None),
    "index": ("6", None),
    "expected": ("4", None),
    "max_length": ("500", None),
    "minimum": ("0", None),
    "maximum": ("100", None),
    "min_items": ("1", None),
    "max_items": ("2000", None),
    "MAX_NESTING": ("32", None),
    "MAX_PAYLOAD_BYTES": ("1048576", None),
    "_ZIP_MAX_ENTRIES": ("1000", None),
    "MAX_DOCUMENT_BYTES // (1024 * 1024)": ("20", None),
    "_KEY_SIZE": ("32", None),
    "len(raw)": ("31", None),
    "len(raw_public_key)": ("33", None),
    "len(seed)": ("16", None),
    "ref.size": ("2048", None),
    "index.scale.maximum": ("100", None),
    # units, indices, officers, keys
    "unit.code": ("SNV", None),
    "self.code": ("UBND-KC", None),
    "code": ("PAPI", None),
    "index.code": ("DTI", None),
    "index.lead": ("STTTT", None),
    "ctx.actor.unit": ("SYT", None),
    "match['unit']": ("SGDDT", None),
    "submission.unit": ("SXD", None),
    "rating.unit": ("UBND-VL", None),
    "officer.unit": ("STC", None),
    "statement.unit": ("SCT", None),
    "row.unit": ("UBND-XA-01", None),
    "duplicate": ("SKHDT", None),
    "unit.head": ("tran.thi.binh", None),
    "officer.officer_id": ("nguyen.van.an", None),
    "key.officer": ("le.van.cuong", None),
    "statement.officer": ("pham.thi.dung", None),
    "key.key_id": ("ed25519:" + "1a" * 32, None),
    "envelope.key_id": ("ed25519:" + "2b" * 32, None),
    "envelope.key_id[:24]": ("ed25519:3c3c3c3c3c3c3c3c", None),
    "root.key_id": ("ed25519:" + "4d" * 32, None),
    "self.pinned_root_key_id": ("ed25519:" + "5e" * 32, None),
    "self.key_id": ("ed25519:" + "6f" * 32, None),
    "AUTHORITY_SUBJECT": ("authority", None),
    "AUTHORITY_UNIT": ("authority", None),
    "ROOT_OFFICER": ("root", None),
    "signature.name": ("witness.example.vn/w1", None),
    # subjects and kinds of records, translated
    "subject": ("unit/SNV", "đơn vị SNV"),
    "statement.subject": ("rating/2024/SYT", "xếp loại năm 2024 của người đứng đầu SYT"),
    "kind.__name__.lower()": ("index", "chỉ số"),
    "self.status": ("merged", "bị sáp nhập"),
    "unit.unit_class": ("district", "UBND cấp huyện"),
    "unit_class": ("commune", "UBND cấp xã"),
    "body.obligation": ("results_published", "công bố kết quả chỉ số"),
    "ARTICLE_4": ("Art.4(1)(a)", "điểm a khoản 1 Điều 4"),
    # dates: given dd/mm/yyyy by the ledger, or ISO (then shown dd/mm/yyyy)
    "body.due": ("05/11/2024", None),
    "self.transmitted_on": ("04/11/2024", None),
    "decided_on": ("21/02/2025", None),
    "value": ("2024-02-30", "30/02/2024"),
    # levels, rule sets, submissions
    "body.level": ("HTT", None),
    "self.computation.level": ("HT", None),
    "ruleset.version": ("hd-2024", None),
    "rule": ("submission/staff-rule/SNV/2024", None),
    "ctx.statement.type": ("submission.document", None),
    "_submission_kind(ctx.statement.type)": ("staff-rule", None),
    "kinds": ("submission/index-results/…, submission/document/…", None),
    "', '.join(options)": ("HTXS, HTT, HT, KHT", None),
    # documents
    "sha256": ("ab" * 32, None),
    "ref.sha256[:12]": ("cdcdcdcdcdcd", None),
    "ref.name": ("bien-ban-hop.pdf", None),
    "kind": ("application/pdf", None),
    "ref.media_type": ("image/png", None),
    # JSON and envelopes
    "unknown[0]": ("ghi_chu", None),
    "statement.type": ("unit.rename2", None),
    "name": ("NaN", None),
    "key": ("score", None),
    "type(value).__name__": ("float", None),
    "text": ("87.5", None),
    "nonce": ("0f1e2d3c4b5a69788796a5b4c3d2e1f0", None),
    "body.name": ("Sở Xây dựng tỉnh Hưng Yên", None),
    "record.revocation": ("mất thiết bị", None),
    "key.revocation": ("cán bộ nghỉ hưu", None),
    "exc": ("Expecting value: line 1 column 1 (char 0)", None),
    "PAYLOAD_TYPE": ("application/vnd.par-ledger.statement+json", None),
}


@dataclass(frozen=True)
class Reason:
    """One reason the ledger can give, with sample values filled in."""

    where: str
    english: str
    expected_values: tuple[str, ...]


def _sample(node: ast.FormattedValue) -> tuple[str, str]:
    expression = ast.unparse(node.value)
    if expression in SAMPLES:
        value, shown = SAMPLES[expression]
    else:
        last = re.split(r"[.\[\]()]", expression.rstrip(")]"))[-1] or expression
        value, shown = SAMPLES.get(last, (last, None))
    spec = ast.unparse(node.format_spec) if node.format_spec is not None else ""
    if "%d/%m/%Y" in spec and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        value = "/".join(reversed(value.split("-")))  # the ledger formats the date itself
        shown = value
    if node.conversion == ord("r"):
        value = repr(value)
        shown = repr(shown) if shown is not None else None
    return value, shown if shown is not None else value


def _fill(node: ast.expr) -> list[tuple[str, tuple[str, ...]]]:
    """The English texts an expression can give, each with the values to see in Vietnamese."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.value, ())]
    if isinstance(node, ast.JoinedStr):
        text, shown = "", []
        for part in node.values:
            if isinstance(part, ast.Constant):
                text += part.value
            else:
                assert isinstance(part, ast.FormattedValue)
                value, expected = _sample(part)
                text += value
                shown.append(expected)
        return [(text, tuple(shown))]
    if isinstance(node, ast.IfExp):
        return _fill(node.body) + _fill(node.orelse)
    return []


def _fill_coded(node: ast.Call, template: str) -> list[tuple[str, tuple[str, ...]]]:
    """A coded refusal's English: its declared template over sample values of its parameters.

    A template that is only another error's reason passed on gives nothing, as ``str(exc)`` did.
    """
    if template == "{detail}":
        return []
    values, seen = {}, {}
    for keyword in node.keywords:
        if keyword.arg is not None and keyword.arg != "field":
            values[keyword.arg], seen[keyword.arg] = _sample(ast.FormattedValue(keyword.value, -1, None))
    shown = tuple(
        repr(seen[name]) if conversion == "r" else seen[name]
        for _, name, _, conversion in Formatter().parse(template)
        if name
    )
    return [(template.format(**values), shown)]


def _called(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _reasons_in(path: Path) -> list[Reason]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # Reasons held in a local variable first (`msg = "..."; raise ConflictError(msg)`),
    # looked up in the function that raises.
    function_of: dict[ast.AST, ast.AST] = {}
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(function):
                function_of[inner] = function  # the innermost function is walked last
    found: list[Reason] = []

    def assigned(name: str, scope: ast.AST) -> list[ast.expr]:
        return [
            node.value
            for node in ast.walk(scope)
            if isinstance(node, ast.Assign)
            and function_of.get(node) is scope
            and [ast.unparse(target) for target in node.targets] == [name]
        ]

    def add(node: ast.Call, expression: ast.expr, prefix: str = "") -> None:
        if isinstance(expression, ast.Constant) and expression.value in TEMPLATES:
            for english, shown in _fill_coded(node, TEMPLATES[expression.value]):
                found.append(Reason(f"{path.name}:{node.lineno}", prefix + english, shown))
            return
        if isinstance(expression, ast.Name):
            candidates = assigned(expression.id, function_of.get(node, tree))
        else:
            candidates = [expression]
        for candidate in candidates:
            for english, shown in _fill(candidate):
                found.append(Reason(f"{path.name}:{node.lineno}", prefix + english, shown))

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = _called(node)
        if called in ERROR_CLASSES and node.args:
            add(node, node.args[0])
        elif called == "require" and len(node.args) == 2:
            add(node, node.args[1])
        elif called in {"pattern", "subject"} and node.args:
            # Reader.pattern(name, PATTERN, what) and Context.subject(pattern, what): "must be {what}"
            add(node, node.args[-1], "must be ")
        elif called == "strings":
            for keyword in node.keywords:
                if keyword.arg == "what":
                    add(node, keyword.value, "must be ")
    return found


REASONS_GIVEN = [reason for path in SOURCES for reason in _reasons_in(path)]

#: English words that betray a sentence left untranslated.
ENGLISH = re.compile(
    r"\b(the|must|is|are|only|not|be|by|of|and|or|was|has|have|cannot|already|this|these|its|their|from|"
    r"with|which|into|once|been|does|should|try|give|write|instead|first|unknown|entry|entries|"
    r"appeal|committee|department|head|published|required|empty|twice|between|like|than|more|larger)\b",
    re.IGNORECASE,
)
VIETNAMESE_LETTERS = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]")


def test_the_ledger_gives_the_reasons_this_test_expects_to_find():
    # If the walk broke (a rename, a moved file), the per-reason test below would pass on nothing.
    assert len({reason.english for reason in REASONS_GIVEN}) > 150
    sources = {reason.where.split(":")[0] for reason in REASONS_GIVEN}
    assert {"fields.py", "envelope.py", "handlers.py", "application.py", "ratings.py", "pairs.py"} <= sources


@pytest.mark.parametrize("reason", REASONS_GIVEN, ids=lambda reason: f"{reason.where} {reason.english[:50]}")
def test_every_reason_the_ledger_gives_reads_as_vietnamese_with_its_values(reason: Reason):
    text = translated(reason.english)
    assert text is not None, f"no rule translates {reason.english!r} ({reason.where})"
    assert reason_in_vietnamese(reason.english) == text
    assert VIETNAMESE_LETTERS.search(text.lower()), text
    for value in reason.expected_values:
        assert value in text, f"{value!r} lost from {text!r}"
    rest = text
    for value in sorted(reason.expected_values, key=len, reverse=True):
        rest = rest.replace(value, " ")
    left = ENGLISH.findall(rest)
    assert not left, f"English left ({left}) in {text!r}"


def test_every_rule_serves_a_reason_the_ledger_gives():
    used = set()
    for reason in REASONS_GIVEN:
        for pattern, _ in REASONS:
            if pattern.fullmatch(reason.english):
                used.add(pattern.pattern)
                break
    unused = [pattern.pattern for pattern, _ in REASONS if pattern.pattern not in used]
    assert not unused


# Examples, word for word ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("english", "vietnamese_text"),
    [
        ("is required", "bắt buộc phải có"),
        ("must be between 0 and 100", "phải nằm trong khoảng từ 0 đến 100"),
        ("2024-02-30 is not a date on the calendar", "ngày 30/02/2024 không có trên lịch"),
        ("31/12/2023 lies outside the cycle year 2024", "ngày 31/12/2023 nằm ngoài năm của kỳ đánh giá 2024"),
        ("no assessment cycle was opened for 2025", "chưa mở kỳ đánh giá năm 2025"),
        (
            "heads' ratings are decided by the Provincial People's Committee",
            "xếp loại người đứng đầu do UBND tỉnh quyết định",
        ),
        (
            "the results_transmitted deadline is already 05/11/2024",
            "thời hạn gửi kết quả chỉ số về Sở Nội vụ đã là ngày 05/11/2024",
        ),
        (
            "unit UBND-KC was dissolved and can no longer act or be acted for",
            "đơn vị UBND-KC đã bị giải thể nên không còn thực hiện hoặc được nêu trong yêu cầu nào nữa",
        ),
        (
            "index DTI is led by STTTT; SYT cannot publish its results",
            "chỉ số DTI do STTTT chủ trì; SYT không được công bố kết quả của chỉ số này",
        ),
        (
            "UBND-VL is a district; index PAPI does not measure it",
            "UBND-VL thuộc loại UBND cấp huyện; chỉ số PAPI không đánh giá loại đơn vị này",
        ),
        (
            "an appeal against a rating of SYT is filed from SYT",
            "khiếu nại, kiến nghị về xếp loại của SYT phải do SYT gửi",
        ),
        ("officer/le.van.c does not exist in the ledger", "cán bộ le.van.c không có trong sổ cái"),
        ("cycle/2024 is not a rating", "kỳ đánh giá năm 2024 không phải là xếp loại"),
        (
            "must be one of HTXS, HTT, HT, KHT",
            "phải là một trong các giá trị: HTXS, HTT, HT, KHT",
        ),
        (
            "must be one of office, department",
            "phải là một trong các giá trị: Văn phòng Đoàn ĐBQH và HĐND tỉnh (office), "
            "sở, ban, ngành tỉnh (department)",
        ),
        ("must be rating/<year>/<UNIT>", "phải có dạng rating/<năm>/<MÃ ĐƠN VỊ>"),
        ("must be a unit code", "phải là mã đơn vị"),
        ("these results were already transmitted on 04/11/2024", "kết quả này đã được gửi ngày 04/11/2024"),
        (
            "unit/SNV already exists; correct or change it instead",
            "đơn vị SNV đã tồn tại; hãy đính chính hoặc thay đổi, không tạo mới",
        ),
        (
            "refusing to append: the stored Merkle tree lacks node (2, 3)",
            "từ chối ghi: cây Merkle đã lưu thiếu nút (2, 3)",
        ),
    ],
)
def test_reasons_read_word_for_word(english: str, vietnamese_text: str):
    assert reason_in_vietnamese(english) == vietnamese_text


def test_a_reason_no_rule_knows_is_shown_quoted_in_the_ledgers_words():
    assert translated("a brand new reason") is None
    assert reason_in_vietnamese("a brand new reason") == "“a brand new reason”"


def test_a_rule_matches_the_whole_reason_not_a_part_of_it():
    # "is required" is a rule; a longer reason that merely contains it is not that reason.
    assert translated("a signature is required here") is None


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("body.results[3].score", "kết quả dòng 4, điểm"),
        ("body.results[0].unit", "kết quả dòng 1, đơn vị"),
        ("body.decisions[1].index", "quyết định dòng 2, chỉ số"),
        ("body.replacement.results[2].rank", "nội dung thay thế, kết quả dòng 3, thứ hạng"),
        ("body.deadlines.results_published", "thời hạn, thời hạn công bố kết quả chỉ số"),
        ("body.indices.department[0]", "chỉ số theo loại đơn vị, sở, ban, ngành tỉnh, mục 1"),
        ("body.document.sha256", "tài liệu, mã băm SHA-256"),
        ("body.level", "mức xếp loại"),
        ("body", "nội dung"),
        ("subject", "đối tượng"),
        ("signatures[0].sig", "chữ ký"),
        ("client_time", "thời điểm ký"),
        ("body.something_new", "something_new"),
    ],
)
def test_field_paths_read_as_words(path: str, words: str):
    assert field_in_vietnamese(path) == words


def test_the_officer_reads_kind_field_and_reason_in_one_sentence():
    error = PayloadError("must be between 0 and 100", field="body.results[3].score")
    assert vietnamese(error) == (
        "Dữ liệu không hợp lệ — trường kết quả dòng 4, điểm: phải nằm trong khoảng từ 0 đến 100"
    )
    refused = NotAuthorizedError("a cycle is opened by Sở Nội vụ")
    assert vietnamese(refused) == "Không có thẩm quyền: kỳ đánh giá do Sở Nội vụ mở"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ReplayError("x"), 409),
        (DuplicateError("x"), 409),
        (ConflictError("x"), 409),
        (NotAuthorizedError("x"), 403),
        (LogIntegrityError("x"), 503),
        (PayloadError("x"), 422),
        (RuleError("x"), 422),
        (NotFoundError("x"), 422),
        (SignatureError("x"), 422),
    ],
)
def test_http_status_by_kind_of_refusal(error: LedgerError, status: int):
    assert http_status(error) == status


def test_refusals_raised_by_the_ledger_itself_read_as_vietnamese():
    from decimal import Decimal

    from ledger.domain.fields import Reader

    reader = Reader({"results": [{"unit": "SNV", "score": "120"}]})
    row = next(reader.items("results"))
    with pytest.raises(PayloadError) as info:
        row.decimal("score", minimum=Decimal(0), maximum=Decimal(100))
    assert vietnamese(info.value) == (
        "Dữ liệu không hợp lệ — trường kết quả dòng 1, điểm: phải nằm trong khoảng từ 0 đến 100"
    )
    extra = Reader({"name": "Sở Nội vụ", "ghi_chu": "x"})
    extra.required_text("name")
    with pytest.raises(PayloadError) as info:
        extra.done()
    assert vietnamese(info.value) == "Dữ liệu không hợp lệ — trường nội dung: có trường không được phép: 'ghi_chu'"
