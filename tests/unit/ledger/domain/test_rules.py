"""Rule set B3 (ledger/domain/rules.py): one index result → a level, and levels → a head's level.

Illustrative parameters (domain-notes.md B3): top 20 % of the peer group with ≥ 90 % of
the scale → HTXS; ≥ 80 % and not in the bottom 20 % → HTT; ≥ 70 % → HT; else KHT.
Combined: ≥ 50 % KHT → KHT; any KHT → HT; all ≥ HTT with ≥ 50 % HTXS → HTXS; all ≥ HT
with ≥ 50 % HTT or better → HTT; else HT. A missing result means not evaluated.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.fields import Reader
from ledger.domain.rules import (
    ILLUSTRATIVE_PARAMETERS,
    LEVEL_NAMES,
    LEVELS,
    NOT_EVALUATED,
    Evaluation,
    Input,
    Parameters,
    evaluate,
    index_level,
    read_missing,
)
from ledger.errors import PayloadError

B3 = Parameters.read(Reader(ILLUSTRATIVE_PARAMETERS))
RANK = {level: i for i, level in enumerate(LEVELS)}  # 0 is best


def result(score: str, rank: int, peers: int, *, maximum: str = "100", index: str = "PAR_UNIT") -> Input:
    return Input(
        index=index,
        results=f"submission/index-results/{index}/2024",
        score=Decimal(score),
        maximum=Decimal(maximum),
        rank=rank,
        peers=peers,
    )


#: One result per level under B3 (peer group of 10: top 2, bottom 2).
EXAMPLE = {
    "HTXS": ("95", 1),
    "HTT": ("85", 3),
    "HT": ("75", 5),
    "KHT": ("50", 10),
}


def with_level(level: str, index: str) -> Input:
    score, rank = EXAMPLE[level]
    return result(score, rank, 10, index=index)


def levels(*wanted: str) -> tuple[Input, ...]:
    return tuple(with_level(level, f"IDX{i}") for i, level in enumerate(wanted))


def test_the_illustrative_parameters_are_those_of_b3() -> None:
    assert (
        Parameters(
            top_share_percent=20,
            bottom_share_percent=20,
            htxs_min_percent=Decimal(90),
            htt_min_percent=Decimal(80),
            ht_min_percent=Decimal(70),
            majority_percent=50,
        )
        == B3
    )


def test_the_example_results_have_the_levels_they_stand_for() -> None:
    for level in LEVELS:
        assert index_level(B3, with_level(level, "X")) == level


# Step 1: one index result ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "rank", "peers", "expected"),
    [
        # peer group of 10: top = ceil(2) = 2, bottom = ranks 9 and 10
        ("95", 1, 10, "HTXS"),
        ("90", 2, 10, "HTXS"),  # 90 % is enough, rank 2 is in the top 20 %
        ("89.9999", 1, 10, "HTT"),  # first, but below 90 %
        ("95", 3, 10, "HTT"),  # 95 % but outside the top 20 %
        ("80", 8, 10, "HTT"),  # just outside the bottom 20 %
        ("85", 9, 10, "HT"),  # bottom 20 %: never HTT
        ("95", 10, 10, "HT"),  # bottom 20 % with a high score
        ("79.99", 4, 10, "HT"),
        ("70", 5, 10, "HT"),
        ("69.99", 5, 10, "KHT"),
        ("0", 10, 10, "KHT"),
    ],
)
def test_index_level_in_a_peer_group_of_ten(score: str, rank: int, peers: int, expected: str) -> None:
    assert index_level(B3, result(score, rank, peers)) == expected


@pytest.mark.parametrize(
    ("score", "rank", "peers", "expected"),
    [
        # 1 peer: top = ceil(0.2) = 1 and bottom = 1 — the only unit is in both
        ("95", 1, 1, "HTXS"),
        ("85", 1, 1, "HT"),
        # 3 peers: top = ceil(0.6) = 1, bottom = rank 3
        ("92", 1, 3, "HTXS"),
        ("92", 2, 3, "HTT"),
        ("92", 3, 3, "HT"),
        # 5 peers: top = 1, bottom = rank 5
        ("91", 2, 5, "HTT"),
        ("85", 5, 5, "HT"),
        # 6 peers: top = ceil(1.2) = 2, bottom = ranks 5 and 6
        ("91", 2, 6, "HTXS"),
        ("91", 3, 6, "HTT"),
        ("85", 4, 6, "HTT"),
        ("85", 5, 6, "HT"),
        # 11 peers: top = ceil(2.2) = 3, bottom = ranks 9, 10, 11
        ("90", 3, 11, "HTXS"),
        ("90", 4, 11, "HTT"),
        ("85", 9, 11, "HT"),
        ("85", 8, 11, "HTT"),
    ],
)
def test_index_level_rounds_the_top_and_bottom_shares_up_in_small_peer_groups(
    score: str, rank: int, peers: int, expected: str
) -> None:
    assert index_level(B3, result(score, rank, peers)) == expected


def test_tied_units_share_the_better_rank_and_the_level_it_gives() -> None:
    # Competition ranking 1, 1, 3, …: both tied leaders are in the top 2 of 10.
    assert index_level(B3, result("93", 1, 10)) == "HTXS"
    assert index_level(B3, result("93", 1, 10, index="OTHER")) == "HTXS"


@pytest.mark.parametrize(
    ("score", "maximum", "expected"),
    [
        ("900", "1000", "HTXS"),  # DTI: 1000 points, 90 %
        ("899", "1000", "HTT"),
        ("45.366", "80", "KHT"),  # PAPI-like scale: 56.7 %
        ("56", "80", "HT"),  # exactly 70 %
        ("8", "10", "HTT"),  # exactly 80 %
    ],
)
def test_index_level_reads_the_score_as_a_share_of_the_index_scale(score: str, maximum: str, expected: str) -> None:
    assert index_level(B3, result(score, 1 if expected == "HTXS" else 3, 10, maximum=maximum)) == expected


def test_without_a_bottom_share_no_unit_is_held_back_from_htt() -> None:
    parameters = Parameters(20, 0, Decimal(90), Decimal(80), Decimal(70), 50)
    assert index_level(parameters, result("85", 5, 5)) == "HTT"
    assert index_level(parameters, result("85", 1, 1)) == "HTT"


def test_without_a_top_share_no_unit_is_htxs() -> None:
    parameters = Parameters(0, 20, Decimal(90), Decimal(80), Decimal(70), 50)
    assert index_level(parameters, result("100", 1, 10)) == "HTT"


# Step 2: combining levels ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_levels", "expected"),
    [
        (("KHT", "KHT", "HTXS", "HTXS"), "KHT"),  # half KHT
        (("KHT",), "KHT"),
        (("KHT", "KHT", "HTT"), "KHT"),
        (("KHT", "HTXS", "HTXS"), "HT"),  # one KHT of three
        (("KHT", "HTXS", "HTXS", "HTXS", "HTXS"), "HT"),
        (("HTXS",), "HTXS"),
        (("HTXS", "HTXS", "HTT", "HTT"), "HTXS"),  # all ≥ HTT, half HTXS
        (("HTXS", "HTT"), "HTXS"),
        (("HTXS", "HTT", "HTT"), "HTT"),  # a third HTXS
        (("HTXS", "HTXS", "HT"), "HTT"),  # an HT rules out HTXS
        (("HTXS", "HTXS", "HTXS", "HT"), "HTT"),
        (("HTT",), "HTT"),
        (("HTT", "HT"), "HTT"),  # half HTT or better
        (("HTXS", "HT"), "HTT"),
        (("HTT", "HT", "HT"), "HT"),  # a third HTT
        (("HT",), "HT"),
        (("HT", "HT", "HTXS"), "HT"),
    ],
)
def test_evaluate_combines_index_levels_as_b3_says(given_levels: tuple[str, ...], expected: str) -> None:
    evaluation = evaluate(B3, levels(*given_levels), ())
    assert evaluation.level == expected
    assert list(evaluation.by_index.values()) == list(given_levels)
    assert evaluation.missing == ()


def test_evaluate_records_the_level_of_each_index() -> None:
    inputs = (with_level("HTXS", "PAR_UNIT"), with_level("HT", "SIPAS_UNIT"))
    assert evaluate(B3, inputs, ()) == Evaluation("HTT", {"PAR_UNIT": "HTXS", "SIPAS_UNIT": "HT"}, ())


def test_a_missing_index_result_makes_the_head_not_evaluated() -> None:
    evaluation = evaluate(B3, levels("HTXS", "HTXS"), ("PAPI_UNIT",))
    assert evaluation.level == NOT_EVALUATED
    assert evaluation.missing == ("PAPI_UNIT",)
    assert evaluation.by_index == {"IDX0": "HTXS", "IDX1": "HTXS"}


def test_a_missing_result_is_never_silently_ht() -> None:
    assert evaluate(B3, (), ("PAR_UNIT",)).level == NOT_EVALUATED


def test_no_inputs_at_all_means_not_evaluated() -> None:
    assert evaluate(B3, (), ()) == Evaluation(NOT_EVALUATED, {}, ())


def test_the_majority_is_a_parameter() -> None:
    strict = Parameters(20, 20, Decimal(90), Decimal(80), Decimal(70), 60)
    assert evaluate(B3, levels("HTXS", "HTXS", "HTT", "HTT"), ()).level == "HTXS"
    assert evaluate(strict, levels("HTXS", "HTXS", "HTT", "HTT"), ()).level == "HTT"
    assert evaluate(B3, levels("KHT", "HTT"), ()).level == "KHT"
    assert evaluate(strict, levels("KHT", "HTT"), ()).level == "HT"


def test_every_level_has_its_vietnamese_name() -> None:
    assert set(LEVEL_NAMES) == {*LEVELS, NOT_EVALUATED}
    assert LEVEL_NAMES["HTXS"] == "Hoàn thành xuất sắc nhiệm vụ"
    assert LEVEL_NAMES["KHT"] == "Không hoàn thành nhiệm vụ"


# Reading parameters and inputs ----------------------------------------------------------


def test_parameters_refuse_an_unknown_field() -> None:
    with pytest.raises(PayloadError, match="unknown field 'rounding'") as info:
        Parameters.read(Reader({**ILLUSTRATIVE_PARAMETERS, "rounding": "up"}, "body.parameters"))
    assert info.value.field == "body.parameters"


def test_parameters_refuse_a_float_threshold() -> None:
    with pytest.raises(PayloadError, match="decimal written as a string") as info:
        Parameters.read(Reader({**ILLUSTRATIVE_PARAMETERS, "htxs_min_percent": 90}, "body.parameters"))
    assert info.value.field == "body.parameters.htxs_min_percent"


def test_parameters_refuse_a_share_above_100() -> None:
    with pytest.raises(PayloadError, match="between 0 and 100") as info:
        Parameters.read(Reader({**ILLUSTRATIVE_PARAMETERS, "top_share_percent": 120}, "body.parameters"))
    assert info.value.field == "body.parameters.top_share_percent"


def test_an_input_round_trips_through_its_json() -> None:
    given_input = result("72.25", 3, 3)
    assert Input.read(Reader(given_input.to_json(), "body.inputs[0]")) == given_input


def test_an_input_refuses_a_score_as_a_number() -> None:
    document: dict[str, Any] = {**result("72.25", 3, 3).to_json(), "score": 72}
    with pytest.raises(PayloadError, match="decimal written as a string") as info:
        Input.read(Reader(document, "body.inputs[0]"))
    assert info.value.field == "body.inputs[0].score"


def test_missing_lists_index_codes_once_each() -> None:
    assert read_missing(Reader({"missing": ["PAPI_UNIT"]})) == ("PAPI_UNIT",)
    with pytest.raises(PayloadError, match="twice") as info:
        read_missing(Reader({"missing": ["PAPI_UNIT", "PAPI_UNIT"]}))
    assert info.value.field == "body.missing"


# Properties -----------------------------------------------------------------------------

percentages = st.integers(min_value=0, max_value=100)
thresholds = st.decimals(min_value=0, max_value=100, places=2)
parameters = st.builds(
    Parameters,
    top_share_percent=percentages,
    bottom_share_percent=percentages,
    htxs_min_percent=thresholds,
    htt_min_percent=thresholds,
    ht_min_percent=thresholds,
    majority_percent=st.integers(min_value=1, max_value=100),
)


@st.composite
def inputs(draw: st.DrawFn, index: str) -> Input:
    peers = draw(st.integers(min_value=1, max_value=70))
    maximum = draw(st.sampled_from([Decimal(10), Decimal(80), Decimal(100), Decimal(1000)]))
    score = draw(st.decimals(min_value=0, max_value=maximum, places=2))
    return Input(index, f"submission/index-results/{index}/2024", score, maximum, draw(st.integers(1, peers)), peers)


index_codes = st.lists(st.sampled_from(["PAR_UNIT", "SIPAS_UNIT", "PAPI_UNIT", "DDCI_UNIT", "DTI", "PCI"]), unique=True)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Parameters, tuple[Input, ...], tuple[str, ...]]:
    codes = draw(index_codes)
    cut = draw(st.integers(min_value=0, max_value=len(codes)))
    missing_share = draw(st.booleans())
    present = codes if not missing_share else codes[:cut]
    missing = () if not missing_share else tuple(codes[cut:])
    return draw(parameters), tuple(draw(inputs(code)) for code in present), missing


@given(case=cases(), data=st.data())
def test_evaluate_is_deterministic_and_independent_of_the_order_of_its_inputs(
    case: tuple[Parameters, tuple[Input, ...], tuple[str, ...]], data: st.DataObject
) -> None:
    given_parameters, given_inputs, missing = case
    first = evaluate(given_parameters, given_inputs, missing)
    assert evaluate(given_parameters, given_inputs, missing) == first
    shuffled = tuple(data.draw(st.permutations(given_inputs)))
    again = evaluate(given_parameters, shuffled, missing)
    assert again.level == first.level
    assert again.by_index == first.by_index
    assert set(again.missing) == set(first.missing)


@given(case=cases())
def test_evaluate_gives_a_level_or_not_evaluated_exactly_when_a_result_is_missing_or_none_exist(
    case: tuple[Parameters, tuple[Input, ...], tuple[str, ...]],
) -> None:
    given_parameters, given_inputs, missing = case
    evaluation = evaluate(given_parameters, given_inputs, missing)
    if missing or not given_inputs:
        assert evaluation.level == NOT_EVALUATED
    else:
        assert evaluation.level in LEVELS
    assert evaluation.by_index == {i.index: index_level(given_parameters, i) for i in given_inputs}


@given(given_parameters=parameters, result_=inputs("PAR_UNIT"), data=st.data())
def test_a_higher_score_at_the_same_rank_never_gives_a_lower_level(
    given_parameters: Parameters, result_: Input, data: st.DataObject
) -> None:
    better = data.draw(st.decimals(min_value=result_.score, max_value=result_.maximum, places=2))
    higher = Input(result_.index, result_.results, better, result_.maximum, result_.rank, result_.peers)
    assert RANK[index_level(given_parameters, higher)] <= RANK[index_level(given_parameters, result_)]


@given(case=cases())
def test_the_head_is_never_rated_above_the_best_index_or_below_the_worst(
    case: tuple[Parameters, tuple[Input, ...], tuple[str, ...]],
) -> None:
    given_parameters, given_inputs, _ = case
    evaluation = evaluate(given_parameters, given_inputs, ())
    if not given_inputs:
        return
    ranks = [RANK[level] for level in evaluation.by_index.values()]
    assert min(ranks) <= RANK[evaluation.level] <= max(ranks)
