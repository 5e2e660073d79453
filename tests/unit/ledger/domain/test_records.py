"""The records of the domain and the event types the transparency log knows are one list."""

from __future__ import annotations

import importlib

import ledger.domain.handlers  # noqa: F401  (imports every record module)
from ledger.domain.records import SignedEvent


def _event_types_of_the_log() -> frozenset[str]:
    """EVENT_TYPES, wherever `ledger.tlog` keeps it (log.py, or the inspector before)."""
    for module in ("ledger.tlog.log", "ledger.tlog.inspection"):
        event_types = getattr(importlib.import_module(module), "EVENT_TYPES", None)
        if event_types is not None:
            return frozenset(event_types)
    raise AssertionError("ledger.tlog defines no EVENT_TYPES")


def _event_classes(root: type[SignedEvent]) -> set[type[SignedEvent]]:
    """Every event class of the domain under `root` that names its type (the abstract bases name none)."""
    found: set[type[SignedEvent]] = set()
    for subclass in root.__subclasses__():
        if "TOPIC" in vars(subclass) and subclass.__module__.startswith("ledger.domain."):
            found.add(subclass)
        found |= _event_classes(subclass)
    return found


def test_the_event_types_the_records_define_are_those_a_leaf_may_carry() -> None:
    assert {event.TOPIC for event in _event_classes(SignedEvent)} == _event_types_of_the_log()


def test_no_two_events_share_a_type() -> None:
    events = _event_classes(SignedEvent)
    assert len({event.TOPIC for event in events}) == len(events)
