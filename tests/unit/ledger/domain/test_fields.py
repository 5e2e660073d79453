"""Reading a body field by field (ledger/domain/fields.py): every refusal names its field."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.fields import CODE, SLUG, Reader
from ledger.errors import PayloadError

SCORE = {"minimum": Decimal(0), "maximum": Decimal(100)}


def refuse(call: Any, field: str, match: str) -> PayloadError:
    """Run `call`, expect a PayloadError naming `field`, return it."""
    with pytest.raises(PayloadError, match=match) as info:
        call()
    assert info.value.field == field
    return info.value


# The object itself ----------------------------------------------------------------------


@pytest.mark.parametrize("document", [[], "body", None, 7, True])
def test_a_body_must_be_an_object(document: Any) -> None:
    refuse(lambda: Reader(document), "body", "must be an object")


def test_a_nested_reader_names_the_full_path() -> None:
    reader = Reader({"results": [{"unit": "323"}, {"unit": "bad code"}]})
    first, second = reader.items("results")
    assert first.code("unit") == "323"
    refuse(lambda: second.code("unit"), "body.results[1].unit", "a code of capitals")


# Required and unknown -------------------------------------------------------------------


def test_a_missing_required_field_is_named() -> None:
    refuse(lambda: Reader({}).required_text("decision"), "body.decision", "is required")


def test_a_null_required_field_counts_as_missing() -> None:
    refuse(lambda: Reader({"decision": None}).required_text("decision"), "body.decision", "is required")


def test_an_optional_field_may_be_absent_or_null() -> None:
    reader = Reader({"note": None})
    assert reader.text("note", optional=True) is None
    assert reader.text("band", optional=True) is None
    assert reader.integer("rank", minimum=1, maximum=10, optional=True) is None
    assert reader.date("on", optional=True) is None
    reader.done()


def test_done_names_the_first_unknown_field() -> None:
    reader = Reader({"decision": "QĐ 1", "comment": "x", "zzz": 1})
    reader.required_text("decision")
    refuse(reader.done, "body", "unknown field 'comment'")


def test_done_names_an_unknown_field_of_a_nested_object() -> None:
    reader = Reader({"scale": {"maximum": "100", "unit": "percent", "minimum": "0"}})
    scale = reader.object("scale")
    assert scale is not None
    scale.decimal("maximum", minimum=Decimal(1), maximum=Decimal(1000))
    scale.choice("unit", ("percent", "points"))
    refuse(scale.done, "body.scale", "unknown field 'minimum'")


def test_done_accepts_a_body_whose_fields_were_all_read() -> None:
    reader = Reader({"a": "x", "b": None})
    reader.text("a")
    reader.text("b", optional=True)
    reader.done()


def test_has_tells_present_from_absent_or_null() -> None:
    reader = Reader({"a": 0, "b": None})
    assert reader.has("a")
    assert not reader.has("b")
    assert not reader.has("c")


# Integers -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False, "12", "1", 1.0, 1.5, [1], {"n": 1}])
def test_an_integer_field_refuses_anything_but_a_whole_number(value: Any) -> None:
    refuse(
        lambda: Reader({"rank": value}).integer("rank", minimum=0, maximum=100),
        "body.rank",
        "must be a whole number",
    )


@pytest.mark.parametrize("value", [0, 101, -1])
def test_an_integer_field_refuses_values_outside_its_bounds(value: int) -> None:
    refuse(
        lambda: Reader({"rank": value}).required_integer("rank", minimum=1, maximum=100),
        "body.rank",
        "must be between 1 and 100",
    )


@pytest.mark.parametrize("value", [1, 63, 100])
def test_an_integer_field_accepts_its_bounds_and_between(value: int) -> None:
    assert Reader({"rank": value}).required_integer("rank", minimum=1, maximum=100) == value


# Decimals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("87.5", Decimal("87.5")),
        ("0", Decimal(0)),
        ("100", Decimal(100)),
        ("72.25", Decimal("72.25")),
        ("99.9999", Decimal("99.9999")),
    ],
)
def test_a_decimal_is_written_as_a_string(text: str, value: Decimal) -> None:
    assert Reader({"score": text}).decimal("score", **SCORE) == value


@pytest.mark.parametrize(
    "value",
    [
        "8,5",  # decimal comma
        "87.123456",  # more than four places
        "87.",
        ".5",
        "087.5",
        "1e2",
        " 87.5",
        "87.5 ",
        "+87.5",
        "NaN",
        "Infinity",
        "",
        "８７.５",  # full-width digits
        87,  # a number, not a string
        True,
        None,
    ],
)
def test_a_decimal_in_any_other_spelling_is_refused(value: Any) -> None:
    expected = "is required" if value is None else 'must be a decimal written as a string, like "87.50"'
    refuse(lambda: Reader({"score": value}).decimal("score", **SCORE), "body.score", expected)


@pytest.mark.parametrize("value", ["100.0001", "-0.5", "1000"])
def test_a_decimal_outside_its_bounds_is_refused(value: str) -> None:
    refuse(lambda: Reader({"score": value}).decimal("score", **SCORE), "body.score", "must be between 0 and 100")


# Dates ----------------------------------------------------------------------------------


def test_a_date_is_written_yyyy_mm_dd() -> None:
    assert Reader({"on": "2024-02-29"}).date("on") == date(2024, 2, 29)


@pytest.mark.parametrize("value", ["2025-02-29", "2024-02-30", "2024-13-01", "2024-00-10", "2024-04-31"])
def test_a_date_that_is_not_on_the_calendar_is_refused(value: str) -> None:
    refuse(lambda: Reader({"on": value}).date("on"), "body.on", f"{value} is not a date on the calendar")


@pytest.mark.parametrize(
    "value",
    ["31/12/2024", "2024/12/31", "20241231", "2024-12-31T00:00:00", "2024-1-5", " 2024-12-31", 20241231, None],
)
def test_a_date_in_any_other_spelling_is_refused(value: Any) -> None:
    expected = "is required" if value is None else "must be a date written YYYY-MM-DD"
    refuse(lambda: Reader({"on": value}).date("on"), "body.on", expected)


@pytest.mark.parametrize("value", ["２０２４-１２-３１", "२०२४-१२-३१"])
def test_a_date_in_non_ascii_digits_is_refused(value: str) -> None:
    with pytest.raises(PayloadError) as info:
        Reader({"on": value}).date("on")
    assert info.value.field == "body.on"


@pytest.mark.parametrize("value", ["2023-12-31", "2025-01-01", "1900-01-01", "9999-12-31"])
def test_a_date_outside_the_cycle_year_is_refused(value: str) -> None:
    shown = date.fromisoformat(value).strftime("%d/%m/%Y")
    refuse(
        lambda: Reader({"on": value}).date_in_year("on", 2024),
        "body.on",
        re.escape(f"{shown} lies outside the cycle year 2024"),
    )


@pytest.mark.parametrize("value", ["2024-01-01", "2024-12-31"])
def test_a_date_on_the_edges_of_the_cycle_year_is_accepted(value: str) -> None:
    assert Reader({"on": value}).date_in_year("on", 2024) == date.fromisoformat(value)


# Text -----------------------------------------------------------------------------------


def test_vietnamese_text_is_accepted_as_written() -> None:
    assert Reader({"name": "Quyết định số 12/QĐ-UBND"}).text("name") == "Quyết định số 12/QĐ-UBND"


@pytest.mark.parametrize(
    "value",
    [
        "bao_cao\u202efdp.exe",  # right-to-left override
        "Sở\u202aNội vụ",  # left-to-right embedding
        "Sở\u2066Nội vụ\u2069",  # isolates
        "Sở\u200bNội vụ",  # zero-width space
        "Sở\u200dNội vụ",  # zero-width joiner
        "Sở\u200fNội vụ",  # right-to-left mark
        "Sở\u061cNội vụ",  # Arabic letter mark (bidi)
        "\ufeffSở Nội vụ",  # byte order mark / zero-width no-break space
        "Sở\u2060Nội vụ",  # word joiner
        "Sở\x00Nội vụ",
        "Sở\x1bNội vụ",
        "Sở\x7fNội vụ",
        "Sở\x85Nội vụ",  # C1 next line
        "Sở\x9bNội vụ",  # C1 control sequence introducer
        "Sở\tNội vụ",
        "Sở\nNội vụ",
        "Sở\rNội vụ",
        "Sở\u2028Nội vụ",  # line separator
        "Sở\u2029Nội vụ",  # paragraph separator
    ],
)
def test_text_with_control_or_invisible_characters_is_refused(value: str) -> None:
    refuse(lambda: Reader({"name": value}).text("name"), "body.name", "control or invisible characters")


@pytest.mark.parametrize("value", [" Sở Nội vụ", "Sở Nội vụ ", "\u00a0Sở Nội vụ", "Sở Nội vụ\u3000"])
def test_text_with_surrounding_spaces_is_refused(value: str) -> None:
    refuse(lambda: Reader({"name": value}).text("name"), "body.name", "must not start or end with spaces")


@pytest.mark.parametrize("value", ["", "   ", "\u00a0"])
def test_blank_text_is_refused(value: str) -> None:
    refuse(lambda: Reader({"name": value}).text("name"), "body.name", "must not be blank")


@pytest.mark.parametrize("value", [12, True, ["Sở"], {"vi": "Sở"}])
def test_text_must_be_a_string(value: Any) -> None:
    refuse(lambda: Reader({"name": value}).text("name"), "body.name", "must be text")


def test_text_longer_than_its_limit_is_refused() -> None:
    refuse(lambda: Reader({"name": "ư" * 201}).text("name", max_length=200), "body.name", "longer than 200")
    assert Reader({"name": "ư" * 200}).text("name", max_length=200) == "ư" * 200


@given(st.text(alphabet=st.characters(categories=("Cc", "Cf", "Zl", "Zp")), min_size=1, max_size=3))
def test_no_control_or_format_character_passes_as_text(invisible: str) -> None:
    value = f"Sở{invisible}Nội vụ"
    with pytest.raises(PayloadError) as info:
        Reader({"name": value}).text("name")
    assert info.value.field == "body.name"


# Codes, slugs, choices, lists -----------------------------------------------------------


@pytest.mark.parametrize("value", ["SNV", "323", "PAR_UNIT", "VP-UBND", "A.B"])
def test_codes_are_capitals_digits_and_separators(value: str) -> None:
    assert Reader({"unit": value}).code("unit") == value
    assert CODE.fullmatch(value)


@pytest.mark.parametrize("value", ["snv", "_SNV", "SỞ", "S N V", "A" * 33, "", 323])
def test_anything_else_is_not_a_code(value: Any) -> None:
    refuse(lambda: Reader({"unit": value}).code("unit"), "body.unit", "a code of capitals")


@pytest.mark.parametrize("value", ["hy.chu-tich", "snv.giam-doc", "a1"])
def test_officer_ids_are_lowercase_slugs(value: str) -> None:
    assert Reader({"officer": value}).slug("officer") == value
    assert SLUG.fullmatch(value)


@pytest.mark.parametrize("value", ["HY.chu-tich", "hy chu tich", "hưng", "-hy", "a" * 65])
def test_anything_else_is_not_an_officer_id(value: str) -> None:
    refuse(lambda: Reader({"officer": value}).slug("officer"), "body.officer", "lowercase letters")


def test_a_choice_outside_its_options_is_refused() -> None:
    refuse(
        lambda: Reader({"level": "XUAT_SAC"}).choice("level", ("HTXS", "HTT")),
        "body.level",
        "must be one of HTXS, HTT",
    )


def test_a_choice_list_names_the_bad_item() -> None:
    refuse(
        lambda: Reader({"roles": ["officer", "root"]}).choice_list("roles", ("officer", "admin")),
        "body.roles[1]",
        "must be one of officer, admin",
    )


def test_a_choice_list_refuses_repeats() -> None:
    refuse(
        lambda: Reader({"roles": ["officer", "officer"]}).choice_list("roles", ("officer",)),
        "body.roles",
        "lists the same item twice",
    )


def test_a_choice_list_must_be_a_list() -> None:
    refuse(lambda: Reader({"roles": "officer"}).choice_list("roles", ("officer",)), "body.roles", "must be a list")


@pytest.mark.parametrize("value", [1, 0, "true", None])
def test_a_boolean_is_true_or_false_only(value: Any) -> None:
    expected = "is required" if value is None else "must be true or false"
    refuse(lambda: Reader({"flag": value}).boolean("flag"), "body.flag", expected)


def test_strings_names_the_bad_item_and_refuses_repeats() -> None:
    refuse(
        lambda: Reader({"codes": ["PAR_UNIT", "par"]}).strings("codes", item=CODE, refusal="not_an_index_code"),
        "body.codes[1]",
        "must be an index code",
    )
    refuse(
        lambda: Reader({"codes": ["PAR_UNIT", "PAR_UNIT"]}).strings("codes", item=CODE, refusal="not_an_index_code"),
        "body.codes",
        "lists the same item twice",
    )
    refuse(
        lambda: Reader({"codes": ["A"] * 3}).strings("codes", item=CODE, refusal="not_a_code", max_items=2),
        "body.codes",
        "at most 2 items",
    )


def test_items_enforces_its_size_and_element_type() -> None:
    refuse(lambda: list(Reader({"results": []}).items("results")), "body.results", "must hold 1 to 2000 items")
    refuse(lambda: list(Reader({"results": {"unit": "323"}}).items("results")), "body.results", "must be a list")
    refuse(lambda: list(Reader({"results": ["323"]}).items("results")), "body.results[0]", "must be an object")


def test_pattern_refuses_non_strings() -> None:
    refuse(
        lambda: Reader({"sha256": 123}).pattern("sha256", re.compile(r"[0-9a-f]{64}"), "not_a_sha256"),
        "body.sha256",
        "must be 64 lowercase hex digits",
    )


def test_a_refusal_carries_its_code_and_the_values_it_names() -> None:
    refused = refuse(lambda: Reader({"rank": 0}).integer("rank", minimum=1, maximum=10), "body.rank", "between")
    assert (refused.code, refused.params) == ("out_of_range", {"minimum": 1, "maximum": 10})
    refused = refuse(lambda: Reader({"level": "A"}).choice("level", ("HT", "KHT")), "body.level", "one of")
    assert (refused.code, refused.params) == ("not_one_of", {"options": "HT, KHT"})
    refused = refuse(lambda: Reader({"x": 1, "y": 2}).done(), "body", "unknown field 'x'")
    assert (refused.code, refused.params) == ("unknown_field", {"name": "x"})
