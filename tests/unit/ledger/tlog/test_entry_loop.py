"""The inspector's hand-tuned loop agrees with its plain reference (`ledger.tlog.entry_loop`).

Generated logs: the synthetic ledger of test_inspection.py, then entries dropped, copied,
swapped or renumbered, and leaves changed, either within the framing (a payload bit, the
seq line, the event type, the key id or the signature taken from another entry) or as raw
bytes. On every such log the two loops fault the same entries, learn the same keys and
rebuild the same tree; while every leaf stays in canonical framing they give the same
faults, word for word.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from hypothesis import given
from hypothesis import strategies as st
from test_inspection import standard

from ledger.tlog.entries import EntryPass
from ledger.tlog.entry_loop import reference_stream, stream
from ledger.tlog.log import Leaf
from ledger.tlog.report import Fault

LEAVES = standard(12)
PARSED = tuple(Leaf.from_bytes(leaf) for leaf in LEAVES)
EVENT_TYPES = ("par:Officer.Registered.v1", "par:Key.Registered.v1", "par:Key.Revoked.v1", "par:Unknown.v1")

Entries = list[tuple[int, bytes]]
Streamer = Callable[[EntryPass, Iterable[tuple[int, bytes]]], None]


def passed(streamer: Streamer, entries: Entries) -> EntryPass:
    run = EntryPass(None, set())
    streamer(run, entries)
    run.collect()
    return run


def reframed(index: int, **changes: object) -> bytes:
    return dataclasses.replace(PARSED[index], **changes).to_bytes()  # type: ignore[arg-type]


@st.composite
def framed_change(draw: st.DrawFn) -> tuple[int, bytes]:
    """A leaf changed within the documented framing: still canonical, maybe no longer valid."""
    index = draw(st.integers(0, len(LEAVES) - 1))
    leaf = PARSED[index]
    what = draw(st.sampled_from(["payload", "seq", "type", "key", "signature"]))
    other = PARSED[draw(st.integers(0, len(LEAVES) - 1))]
    if what == "payload":
        payload = bytearray(leaf.payload)
        payload[draw(st.integers(0, len(payload) - 1))] ^= 1 << draw(st.integers(0, 7))
        return index, reframed(index, payload=bytes(payload))
    if what == "seq":
        return index, reframed(index, seq=draw(st.integers(1, len(LEAVES) + 3)))
    if what == "type":
        return index, reframed(index, event_type=draw(st.sampled_from(EVENT_TYPES)))
    if what == "key":
        return index, reframed(index, key_id=other.key_id)
    return index, reframed(index, signature=other.signature)


@st.composite
def raw_change(draw: st.DrawFn) -> tuple[int, bytes]:
    """A leaf with one byte changed to anything."""
    index = draw(st.integers(0, len(LEAVES) - 1))
    data = bytearray(LEAVES[index])
    data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return index, bytes(data)


@st.composite
def log(draw: st.DrawFn, change: st.SearchStrategy[tuple[int, bytes]]) -> Entries:
    """The synthetic ledger's entries, some leaves changed, then the list itself reordered."""
    leaves = list(LEAVES)
    for index, data in draw(st.lists(change, max_size=3)):
        leaves[index] = data
    entries = [(seq, leaf) for seq, leaf in enumerate(leaves, start=1)]
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(0, len(entries) - 1))
        kind = draw(st.sampled_from(["drop", "copy", "swap", "renumber"]))
        if kind == "drop" and len(entries) > 1:
            del entries[position]
        elif kind == "copy":
            entries.insert(draw(st.integers(0, len(entries))), entries[position])
        elif kind == "swap":
            other = draw(st.integers(0, len(entries) - 1))
            entries[position], entries[other] = entries[other], entries[position]
        elif kind == "renumber":
            entries[position] = (draw(st.integers(-1, len(LEAVES) + 5)), entries[position][1])
    return entries


def covered(faults: list[Fault]) -> set[int | None]:
    """The entries the faults name (None for a fault of the log itself)."""
    return {seq for f in faults for seq in (range(f.first, (f.last or f.first) + 1) if f.first else [None])}


def assert_same_state(fast: EntryPass, plain: EntryPass) -> None:
    assert fast.tree.levels == plain.tree.levels
    assert fast.size == plain.size
    assert set(fast.active) == set(plain.active)
    assert (fast.registered, fast.revoked, fast.gaps) == (plain.registered, plain.revoked, plain.gaps)


@given(log(framed_change()))
def test_on_leaves_in_canonical_framing_both_loops_give_the_same_faults_word_for_word(entries: Entries) -> None:
    fast, plain = passed(stream, entries), passed(reference_stream, entries)

    assert fast.faults == plain.faults
    assert_same_state(fast, plain)


@given(log(st.one_of(framed_change(), raw_change())))
def test_on_any_bytes_both_loops_fault_the_same_entries_and_rebuild_the_same_tree(entries: Entries) -> None:
    fast, plain = passed(stream, entries), passed(reference_stream, entries)

    assert covered(fast.faults) == covered(plain.faults)
    assert_same_state(fast, plain)


def test_on_the_clean_log_neither_loop_finds_a_fault() -> None:
    entries = [(seq, leaf) for seq, leaf in enumerate(LEAVES, start=1)]

    for streamer in (stream, reference_stream):
        run = passed(streamer, entries)
        assert run.faults == []
        assert run.size == len(LEAVES)
