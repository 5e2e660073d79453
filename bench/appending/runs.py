"""One timed run of each variant of the append benchmark, and the interleaved repeats of one backend."""

from __future__ import annotations

import contextlib
import cProfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bench_support import timed
from eventsourcing.application import Application

from ledger.application import Entry, Ledger
from ledger.signing.envelope import PAYLOAD_TYPE, pae
from ledger.tlog.log import LogEntry

from .backends import Backend, PlainApplication
from .workload import Workload


@contextlib.contextmanager
def registry_ledger(backend: Backend, work: Workload) -> Iterator[Ledger]:
    """A ledger in a fresh database holding only the registry `work` needs (appended, untimed)."""
    with backend.database() as url:
        ledger = work.open_ledger(backend.ledger_env(url))
        try:
            for signed in work.setup:
                ledger.append(signed.envelope())
            yield ledger
        finally:
            ledger.close()


def check_holds(ledger: Ledger, expected: int) -> None:
    """Raise unless the ledger's log ends at `expected` entries."""
    if ledger.ledger_recorder.max_seq() != expected:
        raise RuntimeError(f"ledger holds {ledger.ledger_recorder.max_seq()} entries, expected {expected}")


def run_ledger(
    backend: Backend, work: Workload, *, profile: cProfile.Profile | None = None
) -> tuple[float, list[Stored], float]:
    """Append the timed envelopes to a fresh ledger; (seconds, what it stored, read back; avg state bytes)."""
    with registry_ledger(backend, work) as ledger:
        envelopes = [signed.envelope() for signed in work.timed]
        append = ledger.append

        def loop() -> None:
            for envelope in envelopes:
                append(envelope)

        if profile is not None:
            profile.enable()
        seconds = timed(loop)
        if profile is not None:
            profile.disable()
        check_holds(ledger, len(work.setup) + len(work.timed))
        if ledger.head != len(work.setup) + len(work.timed):
            raise RuntimeError(f"the ledger's head is {ledger.head}, expected {len(work.setup) + len(work.timed)}")
        logged = list(ledger.entries(len(work.setup) + 1))
        subtrees = ledger.ledger_recorder.subtree_rows([entry.seq for entry in logged])
        stored = [Stored(entry.event, log_entry(entry, subtrees[entry.seq][1])) for entry in logged]
        state_bytes = _average_state_bytes(ledger, skip=len(work.setup))
    return seconds, stored, state_bytes


@dataclass(frozen=True)
class Stored:
    """An event the ledger stored, with the log row it stored beside it."""

    event: Any
    entry: LogEntry


def log_entry(entry: Entry, subtrees: bytes) -> LogEntry:
    event = entry.event
    return LogEntry(
        entry.seq, event.originator_id, event.originator_version, entry.envelope.statement.nonce,
        entry.leaf_hash, subtrees,
    )  # fmt: skip


def run_storage(backend: Backend, work: Workload, stored: list[Stored]) -> float:
    """Save the ledger's own events with their log rows, deciding nothing: the ledger's storage alone.

    A fresh ledger takes the registry through `append`, then each event goes through the
    same `save(…, log_entry=…)` that `Ledger.append` ends with, in the same order and at
    the same positions, so the same rows, constraints and index pages are written. No
    signature is verified, no signer looked up, no record read, no leaf or receipt made.
    """
    with registry_ledger(backend, work) as ledger:
        save = ledger.save

        def loop() -> None:
            for item in stored:
                save(item.event, log_entry=item.entry)

        seconds = timed(loop)
        check_holds(ledger, len(work.setup) + len(stored))
    return seconds


def run_plain(backend: Backend, events: list[Any], *, describe: bool = False) -> tuple[float, float, str | None]:
    """Save `events` through a plain Application, one event per save(); (seconds, avg state bytes, durability)."""
    with backend.database() as url:
        app: Application[Any] = PlainApplication(env=backend.plain_env(url))
        try:
            if not describe:
                backend.prepare_plain(app)
            save = app.save

            def loop() -> None:
                for event in events:
                    save(event)

            seconds = timed(loop)
            stored = app.recorder.max_notification_id()
            if stored != len(events):
                raise RuntimeError(f"plain app holds {stored} events, expected {len(events)}")
            state_bytes = _average_state_bytes(app, skip=0)
            note = None
            if describe:
                with backend.database() as ledger_url:
                    probe = Ledger(env=backend.ledger_env(ledger_url))  # only its durability settings
                    try:
                        note = backend.durability(probe, app)
                    finally:
                        probe.close()
        finally:
            app.close()
    return seconds, state_bytes, note


def _average_state_bytes(app: Application[Any], *, skip: int) -> float:
    sizes: list[int] = []
    start = 1
    while True:
        page = app.recorder.select_notifications(start, 1000)
        sizes.extend(len(n.state) for n in page)
        if len(page) < 1000:
            break
        start = page[-1].id + 1
    sizes = sizes[skip:]
    return sum(sizes) / len(sizes)


def verify_rate(work: Workload) -> float:
    """Bare Ed25519 verifications per second over the same PAE bytes (cryptography, one thread)."""
    key = work.signer._key  # the cryptography Ed25519PublicKey, no wrapper
    items = [(s.sig, pae(PAYLOAD_TYPE, s.payload)) for s in work.timed]
    verify = key.verify

    def loop() -> None:
        for sig, data in items:
            verify(sig, data)

    return len(items) / timed(loop)


# The repeats of one backend ---------------------------------------------------------------


@dataclass
class Result:
    backend: str
    events: int
    ledger: list[float] = field(default_factory=list)
    plain: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    verify: list[float] = field(default_factory=list)
    storage: list[float] = field(default_factory=list)
    ledger_bytes: float = 0.0
    plain_bytes: float = 0.0
    durability: str = ""


def bench_backend(backend: Backend, work: Workload, repeats: int, progress: Callable[[str], None]) -> Result:
    n = len(work.timed)
    result = Result(backend.name, n)
    # Warm-up (untimed): imports, prepared statements, server caches. Its events are the
    # ones the plain app saves: the same objects the ledger produced and read back.
    _, stored, result.ledger_bytes = run_ledger(backend, work)
    events = [item.event for item in stored]
    _, result.plain_bytes, result.durability = run_plain(backend, events, describe=True)
    run_storage(backend, work, stored)
    runs: dict[str, Callable[[], float]] = {
        "ledger": lambda: run_ledger(backend, work)[0],
        "plain": lambda: run_plain(backend, events)[0],
        "storage": lambda: run_storage(backend, work, stored),
    }
    for r in range(repeats):
        order = ("ledger", "plain", "storage")[r % 3 :] + ("ledger", "plain", "storage")[: r % 3]
        rates = {variant: n / runs[variant]() for variant in order}
        result.verify.append(verify_rate(work))
        result.ledger.append(rates["ledger"])
        result.plain.append(rates["plain"])
        result.storage.append(rates["storage"])
        result.ratios.append(rates["ledger"] / rates["plain"])
        progress(
            f"  {backend.name} repeat {r + 1}/{repeats} ({' then '.join(order)}): ledger {rates['ledger']:,.0f}/s, "
            f"plain {rates['plain']:,.0f}/s, ratio {result.ratios[-1]:.2f}, ledger's storage alone "
            f"{rates['storage']:,.0f}/s, verify {result.verify[-1]:,.0f}/s"
        )
    return result
