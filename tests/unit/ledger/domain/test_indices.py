"""The ranking rule and the lateness of a filing (ledger/domain/indices.py)."""

from __future__ import annotations

from decimal import Decimal

from ledger.domain.indices import Lateness, competition_ranks


def test_ties_share_the_better_rank_and_the_next_rank_is_skipped() -> None:
    scores = {"A": Decimal("90"), "B": Decimal("90"), "C": Decimal("80.5"), "D": Decimal("95")}
    assert competition_ranks(scores) == {"D": 1, "A": 2, "B": 2, "C": 4}


def test_no_scores_no_ranks() -> None:
    assert competition_ranks({}) == {}


def test_lateness_is_a_value_with_the_text_form_receipts_carry() -> None:
    lateness = Lateness("results_published", 3)
    assert lateness == Lateness("results_published", 3)
    assert str(lateness) == "late:results_published:3"
