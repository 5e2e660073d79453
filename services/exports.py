"""The reports of the read models as files: Sở Nội vụ's compilation and an index's rankings.

The web's download and ``parledger export-report`` write the same bytes: each file says
which entry its rows were read at (`projections.spreadsheets.Source`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ledger.domain.registry import RATED_CLASSES
from projections import exports
from projections.spreadsheets import Source
from services.errors import NotHeld, Unanswerable
from services.replays import recorded_at

if TYPE_CHECKING:
    from ledger.application import Ledger
    from projections import Views


@dataclass(frozen=True)
class Export:
    """A written report: its bytes, how many rows it holds, and what it was read from."""

    data: bytes
    rows: int
    source: Source


def source_of(ledger: Ledger, views: Views) -> Source:
    """The views' position and when its entry was recorded."""
    position = views.head_position()
    return Source(position, recorded_at(ledger, position))


def export_compilation(ledger: Ledger, views: Views, year: int, fmt: str) -> Export:
    """Sở Nội vụ's table of `year` as `fmt` (xlsx or csv): per rated head, each index's score, rank and level."""
    rows = views.compilation(year)
    source = source_of(ledger, views)
    return Export(exports.compilation(rows, year, source, fmt), len(rows), source)


def export_rankings(ledger: Ledger, views: Views, index: str, year: int, unit_class: str | None, fmt: str) -> Export:
    """The results in force of `index` for `year` as `fmt`, ranked within each unit class (only `unit_class`'s)."""
    if unit_class is not None and unit_class not in RATED_CLASSES:
        classes = ", ".join(RATED_CLASSES)
        raise Unanswerable("not_a_rated_class", field="unit_class", unit_class=unit_class, classes=classes)
    known = {row["code"]: row for row in views.indices()}
    if index not in known:
        raise NotHeld("index_not_held", field="index", index=index, known=", ".join(sorted(known)))
    rows = views.index_results(index, year, unit_class)
    source = source_of(ledger, views)
    data = exports.rankings(rows, index, year, source, fmt, index_name=known[index]["name"])
    return Export(data, len(rows), source)
