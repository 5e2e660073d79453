"""Every refusal the product can give reads as Vietnamese on the web (web/i18n), by code.

The codes are not listed by hand: the test imports every module of `ledger` and `keys`,
walks the codes their error classes declare, and checks that each is declared once, has a
Vietnamese text with the same placeholders as its English one, and that the Vietnamese,
filled with sample values, has no English left in it.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import date
from string import Formatter
from typing import Any

import pytest

import keys
import ledger
import services
import web.accounts
import web.errors  # noqa: F401  (its FormError declares the form refusals)
from keys import KeyFormatError, KeysError
from ledger.domain.errors import AuthorityError, BodyError, DomainRuleError, MissingRecordError, StatementError
from ledger.domain.fields import Reader
from ledger.domain.indices import OBLIGATIONS, SCALE_UNITS
from ledger.domain.registry import FUNCTIONS, ROLES, UNIT_CLASSES
from ledger.domain.submissions import KINDS
from ledger.errors import (
    ConflictError,
    DuplicateError,
    LedgerError,
    LogIntegrityError,
    NotAuthorizedError,
    NotFoundError,
    ParLedgerError,
    PayloadError,
    ReplayError,
    RuleError,
    SignatureError,
)
from web.i18n import CATALOGUE, http_status, reason, vietnamese
from web.i18n.words import FIELD_NAMES, NAMES, WORDS, field_in_vietnamese


def _import_all(package: Any) -> None:
    for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        importlib.import_module(module.name)


_import_all(ledger)
_import_all(keys)
_import_all(services)

#: (class, code, English template) of every code the ledger and the keys package declare.
DECLARED: list[tuple[type[Exception], str, str]] = [*ParLedgerError.declared(), *KeysError.declared()]

#: Sample values for the placeholders, by name (any other placeholder gets "SNV").
SAMPLES: dict[str, Any] = {
    "year": 2024,
    "on": date(2024, 11, 4),
    "due": date(2024, 11, 5),
    "value": "2024-02-30",
    "options": "upheld, revised",
    "form": "rating/<year>/<UNIT> for a head's rating",
    "forms": "submission/index-results/…, submission/document/…",
    "subject": "rating/2024/SYT",
    "kind": "index",
    "status": "merged",
    "unit_class": "district",
    "obligation": "results_published",
    "article": "Art.4(1)(a)",
    "statement_type": "submission.document",
    "payload_type": "application/vnd.par-ledger.statement+json",
    "detail": "Expecting value: line 1 column 1 (char 0)",
    "name": "NaN",
    "key": "score",
    "type_name": "float",
    "text": "87.5",
    "path": "/srv/par/keys/snv.key",
    "member": "kdf.salt",
    "json_type": "string",
    "version": "par-ledger-key/v2",
    "key_id": "ed25519:" + "1a" * 32,
    "level": "HTT",
    "computed": "HT",
    "expected": "HT",
    "rule": "submission/staff-rule/SNV/2024",
}
for _placeholder in ("minimum", "maximum", "max_length", "min_items", "max_items", "levels", "limit", "size", "rank"):
    SAMPLES[_placeholder] = 32
for _placeholder in ("iterations", "least", "most", "got", "want"):
    SAMPLES[_placeholder] = 8

#: English words that betray a sentence left untranslated.
ENGLISH = re.compile(
    r"\b(the|must|is|are|only|not|be|by|of|and|or|was|has|have|cannot|already|this|these|its|their|from|"
    r"with|which|into|once|been|does|should|try|give|write|instead|first|unknown|entry|entries|"
    r"appeal|committee|department|head|published|required|empty|twice|between|like|than|more|larger)\b",
    re.IGNORECASE,
)
VIETNAMESE_LETTERS = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]")


def placeholders(template: str) -> set[str]:
    """The names a `str.format` template uses."""
    return {name for _, name, _, _ in Formatter().parse(template) if name is not None}


def sample_params(template: str) -> dict[str, Any]:
    return {name: SAMPLES.get(name, "SNV") for name in placeholders(template)}


def test_the_walk_finds_the_codes_of_every_layer() -> None:
    # If the walk broke (a rename, a moved module), the per-code tests below would pass on nothing.
    assert len(DECLARED) > 150
    modules = {klass.__module__ for klass, _, _ in DECLARED}
    assert {
        "ledger.domain.errors",
        "ledger.signing.errors",
        "ledger.tlog.errors",
        "keys.errors",
        "services.errors",
        "web.accounts",
        "web.errors",
    } <= modules


def test_no_code_is_declared_twice() -> None:
    seen: dict[str, str] = {}
    for klass, code, _ in DECLARED:
        assert code not in seen, f"{code!r} is declared by {seen[code]} and by {klass.__qualname__}"
        seen[code] = klass.__qualname__


def test_every_vietnamese_text_is_of_a_declared_code() -> None:
    assert set(CATALOGUE) - {code for _, code, _ in DECLARED} == set()


@pytest.mark.parametrize(("klass", "code", "english"), DECLARED, ids=[code for _, code, _ in DECLARED])
def test_every_code_reads_as_vietnamese_with_its_values(klass: type[Exception], code: str, english: str) -> None:
    assert code in CATALOGUE, f"no Vietnamese text for {klass.__qualname__} code {code!r}"
    template = CATALOGUE[code]
    assert placeholders(template) == placeholders(english), f"{code}: {template!r} and {english!r}"
    params = sample_params(english)
    assert english.format(**params)  # the English template takes the same sample values
    text = WORDS.format(template, **params)
    assert VIETNAMESE_LETTERS.search(text.lower()), text
    left = ENGLISH.findall(text)
    assert not left, f"English left ({left}) in {text!r}"


# Examples, word for word ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "vietnamese_text"),
    [
        (BodyError("required"), "bắt buộc phải có"),
        (BodyError("out_of_range", minimum=0, maximum=100), "phải nằm trong khoảng từ 0 đến 100"),
        (BodyError("not_on_the_calendar", value="2024-02-30"), "ngày 30/02/2024 không có trên lịch"),
        (
            BodyError("outside_the_cycle_year", on=date(2023, 12, 31), year=2024),
            "ngày 31/12/2023 nằm ngoài năm của kỳ đánh giá 2024",
        ),
        (DomainRuleError("no_cycle", year=2025), "chưa mở kỳ đánh giá năm 2025"),
        (AuthorityError("decides_head_ratings"), "xếp loại người đứng đầu do UBND tỉnh quyết định"),
        (
            DomainRuleError("deadline_unchanged", obligation="results_transmitted", due=date(2024, 11, 5)),
            "thời hạn gửi kết quả chỉ số về Sở Nội vụ đã là ngày 05/11/2024",
        ),
        (
            DomainRuleError("unit_inactive", unit="UBND-KC", status="dissolved"),
            "đơn vị UBND-KC đã bị giải thể nên không còn thực hiện hoặc được nêu trong yêu cầu nào nữa",
        ),
        (
            AuthorityError("publishes_results", index="DTI", lead="STTTT", unit="SYT"),
            "chỉ số DTI do STTTT chủ trì; SYT không được công bố kết quả của chỉ số này",
        ),
        (
            StatementError("class_not_measured", unit="UBND-VL", unit_class="district", index="PAPI"),
            "UBND-VL thuộc loại UBND cấp huyện; chỉ số PAPI không đánh giá loại đơn vị này",
        ),
        (AuthorityError("files_appeals", unit="SYT"), "khiếu nại, kiến nghị về xếp loại của SYT phải do SYT gửi"),
        (MissingRecordError("does_not_exist", subject="officer/le.van.c"), "cán bộ le.van.c không có trong sổ cái"),
        (
            DomainRuleError("not_a_record_of_kind", subject="cycle/2024", kind="rating"),
            "kỳ đánh giá năm 2024 không phải là xếp loại",
        ),
        (BodyError("not_one_of", options="HTXS, HTT, HT, KHT"), "phải là một trong các giá trị: HTXS, HTT, HT, KHT"),
        (
            BodyError("not_one_of", options="office, department"),
            "phải là một trong các giá trị: Văn phòng Đoàn ĐBQH và HĐND tỉnh (office), "
            "sở, ban, ngành tỉnh (department)",
        ),
        (StatementError("subject_form", form="rating/<year>/<UNIT>"), "phải có dạng rating/<năm>/<MÃ ĐƠN VỊ>"),
        (BodyError("not_a_unit_code"), "phải là mã đơn vị"),
        (
            DomainRuleError("already_transmitted", on=date(2024, 11, 4)),
            "kết quả này đã được gửi ngày 04/11/2024",
        ),
        (
            StatementError("not_under_article_4", article="Art.4(1)(a)"),
            "chỉ các chỉ số theo điểm a khoản 1 Điều 4 mới được xác định trực tiếp; "
            "các chỉ số khác phải được đề xuất và phê duyệt",
        ),
        (
            KeyFormatError("public_key_size", expected=32, size=31),
            "khoá công khai Ed25519 phải dài 32 byte, không phải 31 byte",
        ),
    ],
    ids=lambda value: getattr(value, "code", "text"),
)
def test_reasons_read_word_for_word(error: ParLedgerError, vietnamese_text: str) -> None:
    assert reason(error) == vietnamese_text


def test_the_english_reason_is_kept_for_logs_and_the_api() -> None:
    error = DomainRuleError("deadline_unchanged", obligation="results_transmitted", due=date(2024, 11, 5))
    assert error.reason == "the results_transmitted deadline is already 05/11/2024"
    assert (error.code, error.params["obligation"]) == ("deadline_unchanged", "results_transmitted")


def test_a_code_with_no_vietnamese_text_is_shown_quoted_in_the_ledgers_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(CATALOGUE, "no_cycle")
    assert reason(DomainRuleError("no_cycle", year=2025)) == "“no assessment cycle was opened for 2025”"


# Values named in words ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [*UNIT_CLASSES, *FUNCTIONS, *ROLES, *OBLIGATIONS, *SCALE_UNITS, *KINDS, "upheld", "revised", "merged", "dissolved"],
)
def test_every_option_the_domain_declares_has_a_vietnamese_name(value: str) -> None:
    assert value in NAMES


@pytest.mark.parametrize("obligation", OBLIGATIONS)
def test_every_deadline_has_a_field_name(obligation: str) -> None:
    assert obligation in FIELD_NAMES


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
def test_field_paths_read_as_words(path: str, words: str) -> None:
    assert field_in_vietnamese(path) == words


# Whole sentences and statuses -----------------------------------------------------------


def test_the_officer_reads_kind_field_and_reason_in_one_sentence() -> None:
    error = BodyError("out_of_range", field="body.results[3].score", minimum=0, maximum=100)
    assert vietnamese(error) == (
        "Dữ liệu không hợp lệ — trường kết quả dòng 4, điểm: phải nằm trong khoảng từ 0 đến 100"
    )
    assert vietnamese(AuthorityError("opens_cycles")) == "Không có thẩm quyền: kỳ đánh giá do Sở Nội vụ mở"


def test_a_refusal_of_the_keys_package_reads_as_vietnamese_too() -> None:
    error = KeyFormatError("public_key_not_base64")
    assert vietnamese(error) == "Bị từ chối: khoá công khai không phải chuỗi base64 hợp lệ"


def one_refusal_of(kind: type[LedgerError]) -> LedgerError:
    """A refusal of `kind`: the first code declared under it, with sample values."""
    klass, code, template = next(kind.declared())
    return klass(code, **sample_params(template))  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (ReplayError, 409),
        (DuplicateError, 409),
        (ConflictError, 409),
        (NotAuthorizedError, 403),
        (LogIntegrityError, 503),
        (PayloadError, 422),
        (RuleError, 422),
        (NotFoundError, 422),
        (SignatureError, 422),
    ],
)
def test_http_status_by_kind_of_refusal(kind: type[LedgerError], status: int) -> None:
    assert http_status(one_refusal_of(kind)) == status


def test_refusals_raised_by_the_ledger_itself_read_as_vietnamese() -> None:
    from decimal import Decimal

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
