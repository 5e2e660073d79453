"""The ratings and deadlines as they stood: after an entry, or at the end of a day in Hưng Yên.

A snapshot is rebuilt from the ledger in a throwaway store (`projections.replay`); the live
views are never touched. Deadlines are judged on the snapshot's day: the day asked about,
or the day the entry was recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ledger.domain.local_time import LOCAL_TIME
from projections import position_as_of, replay
from services.errors import NotHeld

if TYPE_CHECKING:
    from ledger.application import Ledger


@dataclass(frozen=True)
class Snapshot:
    """The ratings and deadlines by year after entry `position` of `head`, deadlines judged on `day`."""

    position: int
    head: int
    day: date | None  # None before the first entry: no day to judge deadlines on
    recorded_at: datetime | None  # when entry `position` was recorded
    years: list[int]
    ratings: dict[int, list[dict[str, Any]]]
    deadlines: dict[int, list[dict[str, Any]]]


def recorded_at(ledger: Ledger, position: int) -> datetime | None:
    """When entry `position` was recorded (None for position 0)."""
    if position < 1:
        return None
    for entry in ledger.entries(start=position, stop=position):
        return entry.event.timestamp
    return None


def as_of_day(ledger: Ledger, day: date, year: int | None = None) -> Snapshot:
    """The ledger at the end of `day` (by its own recorded times), only `year` if given."""
    head = ledger.refresh()
    position = position_as_of(ledger, day)
    return _replayed(ledger, position, head, day, year)


def at_position(ledger: Ledger, position: int, year: int | None = None) -> Snapshot:
    """The ledger after entry `position` (0: before the first), only `year` if given."""
    head = ledger.refresh()
    if position > head:
        raise NotHeld("position_beyond_head", field="position", position=position, head=head)
    moment = recorded_at(ledger, position)
    day = moment.astimezone(LOCAL_TIME).date() if moment is not None else None
    return _replayed(ledger, position, head, day, year)


def _replayed(ledger: Ledger, position: int, head: int, day: date | None, year: int | None) -> Snapshot:
    with replay(ledger, position=position) as then:
        years = [y for y in then.years() if year is None or y == year]
        ratings = {y: then.ratings(y) for y in years}
        deadlines = {y: then.deadlines(y, day) for y in years} if day is not None else {}
    return Snapshot(position, head, day, recorded_at(ledger, position), years, ratings, deadlines)
