"""The Article 5 rule that turns a head's index results into a level — as data.

The text of Article 5 of Decision 01/2023 was not available, so the rule set shipped
with the demo is the illustrative one of domain-notes.md B3, and says so. Every number
is a parameter of a versioned rule set issued by a signed event; `evaluate` is a pure
function of those parameters and the inputs, so a rating computed under v1 reads the
same after v2 is issued.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ledger.domain.fields import CODE, Reader

#: Nghị định 90/2020 levels, best first.
LEVELS = ("HTXS", "HTT", "HT", "KHT")
NOT_EVALUATED = "not_evaluated"
LEVEL_NAMES = {
    "HTXS": "Hoàn thành xuất sắc nhiệm vụ",
    "HTT": "Hoàn thành tốt nhiệm vụ",
    "HT": "Hoàn thành nhiệm vụ",
    "KHT": "Không hoàn thành nhiệm vụ",
    NOT_EVALUATED: "Chưa đủ căn cứ đánh giá",
}


@dataclass(frozen=True)
class Parameters:
    """The numbers of rule set B3; percentages of the index's scale and of the peer group."""

    top_share_percent: int
    bottom_share_percent: int
    htxs_min_percent: Decimal
    htt_min_percent: Decimal
    ht_min_percent: Decimal
    majority_percent: int

    @classmethod
    def read(cls, reader: Reader) -> Parameters:
        percent = {"minimum": Decimal(0), "maximum": Decimal(100)}
        result = cls(
            top_share_percent=reader.required_integer("top_share_percent", minimum=0, maximum=100),
            bottom_share_percent=reader.required_integer("bottom_share_percent", minimum=0, maximum=100),
            htxs_min_percent=reader.decimal("htxs_min_percent", **percent),
            htt_min_percent=reader.decimal("htt_min_percent", **percent),
            ht_min_percent=reader.decimal("ht_min_percent", **percent),
            majority_percent=reader.required_integer("majority_percent", minimum=1, maximum=100),
        )
        reader.done()
        return result


@dataclass(frozen=True)
class Input:
    """One applicable index result of the rated unit, as the rule sees it."""

    index: str
    results: str
    score: Decimal
    maximum: Decimal
    rank: int
    peers: int

    @classmethod
    def read(cls, reader: Reader) -> Input:
        result = cls(
            index=reader.code("index"),
            results=reader.required_text("results", max_length=200),
            score=reader.decimal("score", minimum=Decimal(0), maximum=Decimal(100000)),
            maximum=reader.decimal("maximum", minimum=Decimal(1), maximum=Decimal(100000)),
            rank=reader.required_integer("rank", minimum=1, maximum=10000),
            peers=reader.required_integer("peers", minimum=1, maximum=10000),
        )
        reader.done()
        return result

    def to_json(self) -> dict[str, Any]:
        """The input as written in a ``rating.compute`` body."""
        return {
            "index": self.index,
            "results": self.results,
            "score": str(self.score),
            "maximum": str(self.maximum),
            "rank": self.rank,
            "peers": self.peers,
        }


@dataclass(frozen=True)
class Evaluation:
    """The level a rule set gives, with the level of each index behind it."""

    level: str
    by_index: dict[str, str]
    missing: tuple[str, ...]


def index_level(parameters: Parameters, result: Input) -> str:
    """B3 step 1: one unit-level index result → a level."""
    percent = result.score * 100 / result.maximum
    top = math.ceil(parameters.top_share_percent * result.peers / 100)
    bottom = math.ceil(parameters.bottom_share_percent * result.peers / 100)
    in_bottom = bottom > 0 and result.rank > result.peers - bottom
    if result.rank <= top and percent >= parameters.htxs_min_percent:
        return "HTXS"
    if percent >= parameters.htt_min_percent and not in_bottom:
        return "HTT"
    if percent >= parameters.ht_min_percent:
        return "HT"
    return "KHT"


def evaluate(parameters: Parameters, inputs: tuple[Input, ...], missing: tuple[str, ...]) -> Evaluation:
    """B3 steps 1–2: combine the per-index levels; a missing result means not evaluated."""
    by_index = {result.index: index_level(parameters, result) for result in inputs}
    levels = list(by_index.values())
    if missing or not levels:
        return Evaluation(NOT_EVALUATED, by_index, missing)
    count = len(levels)

    def share_at_least(wanted: tuple[str, ...]) -> bool:
        return sum(level in wanted for level in levels) * 100 >= parameters.majority_percent * count

    if share_at_least(("KHT",)):
        level = "KHT"
    elif "KHT" in levels:
        level = "HT"
    elif "HT" not in levels and share_at_least(("HTXS",)):
        level = "HTXS"
    elif share_at_least(("HTXS", "HTT")):
        level = "HTT"
    else:
        level = "HT"
    return Evaluation(level, by_index, missing)


def read_missing(reader: Reader) -> tuple[str, ...]:
    """The ``missing`` list of a ``rating.compute`` body: index codes with no result."""
    return reader.strings("missing", item=CODE, refusal="not_an_index_code", max_items=50)


#: The illustrative rule set of domain-notes.md B3 (INFERRED, not the text of Art. 5).
ILLUSTRATIVE_PARAMETERS = {
    "top_share_percent": 20,
    "bottom_share_percent": 20,
    "htxs_min_percent": "90",
    "htt_min_percent": "80",
    "ht_min_percent": "70",
    "majority_percent": 50,
}
