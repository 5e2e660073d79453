"""Append throughput: signed commands through `Ledger` against plain `eventsourcing` saves.

For each backend (SQLite file, PostgreSQL) this prints the rate of single-event signed
commands appended through `Ledger.append` (verify the Ed25519 signature, check the nonce,
resolve the signer, validate and authorise, save the event with its log row), and the
rate of a plain `eventsourcing.application.Application` saving the *same* domain events
(same event classes, same stored bytes) one event per `save()`, on the same backend with
the same durability settings, in the same run. Their ratio is the figure of merit
(goal: >= 0.7x for single-event commands).

Method (see docs and /work/shared/research/perf-physics.md): every envelope is signed
before timing (signing happens on the officer's machine); each repeat starts from a fresh
database (SQLite file / PostgreSQL schema) that holds only the small registry the command
needs; the two variants are interleaved and their order alternates every repeat; we report
medians of the repeats and the median of the per-repeat ratios. Absolute rates vary by
+-25% between runs on a shared box: compare the ratios.

    .venv/bin/python bench/append.py [--events 2000] [--repeats 5]
        [--backends sqlite,postgres] [--command officer.register|cycle.adjust-deadline]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test] [--profile]

It prints figures and never asserts a goal: it exits non-zero only on errors.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import hashlib
import io
import os
import pstats
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from context import ROOT, load, machine

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eventsourcing.application import Application

from keys import SigningKey, VerifyingKey
from ledger.application import Entry, Ledger
from ledger.signing.envelope import PAYLOAD_TYPE, Author, Envelope, Signature, pae
from ledger.storage.config import persistence_env
from ledger.storage.transcodings import EnvelopeAsDSSE
from ledger.tlog.log import LogEntry

DEFAULT_POSTGRES_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
COMMANDS = ("officer.register", "cycle.adjust-deadline")
CLIENT_TIME = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def key_for(name: str) -> SigningKey:
    """A reproducible key per officer (benchmark only)."""
    return SigningKey.from_seed(hashlib.sha256(f"bench key {name}".encode()).digest())


# Workload --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signed:
    """A pre-signed envelope as it arrives: payload bytes and signature (no parsed state)."""

    payload: bytes
    key_id: str
    sig: bytes

    def envelope(self) -> Envelope:
        """A fresh Envelope object, so no run profits from another's parsed statement."""
        return Envelope(PAYLOAD_TYPE, self.payload, (Signature(self.key_id, self.sig),))


@dataclass
class Workload:
    """The registry statements a fresh ledger needs, then the timed commands."""

    command: str
    setup: list[Signed]
    timed: list[Signed]
    signer: VerifyingKey
    ledger_options: dict[str, Any] = field(default_factory=dict)

    def open_ledger(self, env: dict[str, str]) -> Ledger:
        return Ledger(env=env, **self.ledger_options)


def _signed(author: Author, statement_type: str, subject: str, body: dict[str, Any], n: int) -> Signed:
    client_time = CLIENT_TIME + timedelta(seconds=n)
    nonce = hashlib.sha256(f"bench nonce {n}".encode()).hexdigest()[:32]
    envelope = author.sign(statement_type, subject, body, client_time=client_time, nonce=nonce)
    return Signed(envelope.payload, envelope.key_id, envelope.signatures[0].sig)


def build_workload(command: str, events: int) -> Workload:
    """Sign everything up front: a minimal registry (authority, SNV, its head), then `events` commands."""
    root_key, head_key = key_for("root"), key_for("snv.giam-doc")
    root = Author(root_key, "authority", "root")
    head = Author(head_key, "SNV", "snv.giam-doc")
    n = iter(range(1, 10**9))
    registry: list[tuple[Author, str, str, dict[str, Any]]] = [
        (root, "ledger.initialise", "authority",
         {"name": "UBND tỉnh Hưng Yên", "root_public_key": root_key.verifying_key.base64}),
        (root, "unit.register", "unit/SNV",
         {"name": "Sở Nội vụ", "class": "department", "functions": ["home_affairs"]}),
        (root, "officer.register", "officer/snv.giam-doc",
         {"name": "Giám đốc Sở Nội vụ", "unit": "SNV", "roles": ["officer"]}),
        (root, "key.register", f"key/{head_key.key_id}",
         {"public_key": head_key.verifying_key.base64, "officer": "snv.giam-doc"}),
        (root, "unit.appoint-head", "unit/SNV",
         {"officer": "snv.giam-doc", "decision": "QĐ 15/QĐ-UBND bổ nhiệm Giám đốc"}),
    ]  # fmt: skip
    setup = [_signed(author, kind, subject, body, next(n)) for author, kind, subject, body in registry]
    deadlines = {
        "results_published": "2024-11-01",
        "results_transmitted": "2024-11-05",
        "ratings_published": "2024-11-15",
    }
    timed: list[Signed] = []
    if command == "officer.register":
        # The head of Sở Nội vụ registers new staff of the unit: a new record per command.
        for i in range(1, events + 1):
            body = {"name": f"Chuyên viên Sở Nội vụ số {i:05d}", "unit": "SNV", "roles": ["officer"]}
            timed.append(_signed(head, "officer.register", f"officer/snv.cv-{i:05d}", body, next(n)))
    elif command == "cycle.adjust-deadline":
        # Sở Nội vụ moves one deadline back and forth: one record that keeps growing.
        setup.append(_signed(head, "cycle.open", "cycle/2024", {"deadlines": deadlines}, next(n)))
        for i in range(1, events + 1):
            body = {
                "obligation": "results_published",
                "date": "2024-11-08" if i % 2 else "2024-11-01",
                "reason": f"Điều chỉnh hạn công bố kết quả lần {i} theo đề nghị của các sở",
            }
            timed.append(_signed(head, "cycle.adjust-deadline", "cycle/2024", body, next(n)))
    else:  # pragma: no cover - argparse restricts the choice
        raise ValueError(command)
    return Workload(command, setup, timed, head_key.verifying_key)


# Backends --------------------------------------------------------------------------------


class PlainApplication(Application[uuid.UUID]):
    """Plain eventsourcing; it knows how to store the ledger's Envelope values (DSSE JSON)."""

    name = "plain"

    def register_transcodings(self, transcoder: Any) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(EnvelopeAsDSSE())


class Backend:
    """Fresh, empty databases on demand, and the env for the ledger and the plain app."""

    name: str
    plain_module: str

    def fresh_url(self) -> str:
        raise NotImplementedError

    def drop(self, url: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass

    @contextlib.contextmanager
    def database(self) -> Iterator[str]:
        url = self.fresh_url()
        try:
            yield url
        finally:
            self.drop(url)

    def ledger_env(self, url: str) -> dict[str, str]:
        return persistence_env(url)

    def plain_env(self, url: str) -> dict[str, str]:
        # Same settings as the ledger's (lock timeouts, schema...), only the library's module.
        return {**persistence_env(url), "PERSISTENCE_MODULE": self.plain_module}

    def prepare_plain(self, app: Application[Any]) -> None:
        """Give the plain app the ledger's durability if the library default is weaker."""

    def durability(self, ledger: Ledger, plain: Application[Any]) -> str:
        raise NotImplementedError


class SQLiteBackend(Backend):
    name = "SQLite"
    plain_module = "eventsourcing.sqlite"

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="bench-append-"))
        self.force_full = False  # set if the library's default synchronous is below FULL

    def fresh_url(self) -> str:
        return f"sqlite:///{self.directory}/{uuid.uuid4().hex}.sqlite3"

    def drop(self, url: str) -> None:
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(path + suffix).unlink()

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def prepare_plain(self, app: Application[Any]) -> None:
        if self.force_full:
            # The same swap as ledger.storage.sqlite.Factory: a pool that sets synchronous=FULL.
            from ledger.storage.sqlite import LedgerConnectionPool

            datastore = app.recorder.datastore  # type: ignore[attr-defined]
            original = datastore.pool
            datastore.pool = LedgerConnectionPool(db_name=original.db_name, lock_timeout=original.lock_timeout)
            original.close()

    def durability(self, ledger: Ledger, plain: Application[Any]) -> str:
        def pragmas(app: Application[Any]) -> tuple[int, str]:
            with app.recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
                c.execute("PRAGMA synchronous")
                sync = c.fetchone()[0]
                c.execute("PRAGMA journal_mode")
                return sync, c.fetchone()[0]

        names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
        (ls, lj), (ps, pj) = pragmas(ledger), pragmas(plain)
        note = "the library's default, same as the ledger's"
        if ps < ls:
            self.force_full = True
            note = f"the library's default; timed runs of the plain app use {names.get(ls, ls)} like the ledger"
        return (
            f"PRAGMA synchronous: ledger {names.get(ls, ls)}, plain {names.get(ps, ps)} ({note}); "
            f"journal_mode: ledger {lj}, plain {pj}; SQLite {sqlite3.sqlite_version}; "
            f"files in {self.directory} ({filesystem(self.directory)})"
        )


class PostgresBackend(Backend):
    name = "PostgreSQL"
    plain_module = "eventsourcing.postgres"

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self.admin = psycopg.connect(url, autocommit=True, connect_timeout=5)

    def fresh_url(self) -> str:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        self.admin.execute(f'CREATE SCHEMA "{schema}"')
        return f"{self.url}?schema={schema}"

    def drop(self, url: str) -> None:
        schema = url.rsplit("?schema=", 1)[1]
        self.admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    def close(self) -> None:
        self.admin.close()

    def durability(self, ledger: Ledger, plain: Application[Any]) -> str:
        settings = {
            name: self.admin.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
            for name in ("server_version", "fsync", "synchronous_commit", "wal_sync_method")
        }
        host = self.url.split("@")[-1]
        return (
            f"server {settings['server_version']} at {host}: fsync={settings['fsync']}, "
            f"synchronous_commit={settings['synchronous_commit']}, wal_sync_method={settings['wal_sync_method']} "
            "(one server, same settings for both)"
        )


# One timed run of each variant -----------------------------------------------------------


def _timed(fn: Callable[[], None]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


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
        seconds = _timed(loop)
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

        seconds = _timed(loop)
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

            seconds = _timed(loop)
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

    return len(items) / _timed(loop)


# The benchmark ---------------------------------------------------------------------------


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


def filesystem(path: Path) -> str:
    """The mount holding `path` and its type (a tmpfs would make SQLite's fsync free)."""
    best = ("?", "?")
    with contextlib.suppress(OSError):
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3 and str(path).startswith(parts[1]) and len(parts[1]) >= len(best[0]):
                best = (parts[1], parts[2])
    return f"{best[1]} at {best[0]}"


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):>9,.0f}  ({min(values):,.0f}–{max(values):,.0f})"


def report(results: list[Result], command: str) -> str:
    out = io.StringIO()
    w = out.write
    w(f"\nResults for {command} (events/s: median of the repeats, min–max in brackets; ")
    w("ratio: median of the per-repeat ratios)\n")
    header = (
        f"{'backend':<11} {'events':>6}  {'ledger ev/s':>27}  {'plain eventsourcing ev/s':>27}  {'ratio':>16}  goal"
    )
    w(header + "\n" + "-" * len(header) + "\n")
    for res in results:
        ratio = statistics.median(res.ratios)
        verdict = "met" if ratio >= 0.7 else "NOT met"
        w(
            f"{res.backend:<11} {res.events:>6}  {_spread(res.ledger):>27}  {_spread(res.plain):>27}  "
            f"{ratio:>5.2f} ({min(res.ratios):.2f}–{max(res.ratios):.2f})  >= 0.70: {verdict}\n"
        )
    w("\nPer event (from the medians)\n")
    for res in results:
        ledger_us = 1e6 / statistics.median(res.ledger)
        plain_us = 1e6 / statistics.median(res.plain)
        verify_us = 1e6 / statistics.median(res.verify)
        storage_us = 1e6 / statistics.median(res.storage)
        w(
            f"  {res.backend:<11} ledger {ledger_us:7.1f} µs, plain {plain_us:7.1f} µs: ledger adds "
            f"{ledger_us - plain_us:6.1f} µs, of which one bare Ed25519 verify is {verify_us:5.1f} µs "
            f"and storing the log row beside the event {storage_us - plain_us:5.1f} µs "
            f"(the ledger's storage alone: {storage_us:7.1f} µs).\n"
            f"  {'':<11} Ceiling if verify were the only addition: {plain_us / (plain_us + verify_us):.2f}×; "
            f"if verify and the log row were: {plain_us / (storage_us + verify_us):.2f}× "
            f"(deciding in Python: {ledger_us - storage_us - verify_us:6.1f} µs)\n"
        )
    w("\nContext\n")
    verify_all = [v for res in results for v in res.verify]
    w(f"  bare Ed25519 verify (cryptography, 1 thread, the same PAE bytes): {_spread(verify_all).strip()}/s\n")
    for res in results:
        w(
            f"  {res.backend}: stored state {res.ledger_bytes:,.0f} B/event through the ledger, "
            f"{res.plain_bytes:,.0f} B/event through the plain app\n"
        )
    for res in results:
        w(f"  {res.backend}: {res.durability}\n")
    return out.getvalue()


def profile_ledger(backend: Backend, work: Workload, top: int) -> str:
    profile = cProfile.Profile()
    run_ledger(backend, work, profile=profile)
    text = io.StringIO()
    stats = pstats.Stats(profile, stream=text)
    stats.strip_dirs()
    text.write(f"\n=== cProfile of one ledger run on {backend.name} ({len(work.timed)} × {work.command}) ===\n")
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return text.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=2000, help="timed commands per run (default 2000)")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved repeats per backend (default 5)")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--command", choices=COMMANDS, default="officer.register", help="the single-event command")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="database for fresh per-run schemas")
    parser.add_argument(
        "--log-key",
        action="store_true",
        help="give the ledger a log key, so every append also signs a checkpoint (as an instance with one does)",
    )
    parser.add_argument("--profile", action="store_true", help="also cProfile one extra ledger run per backend")
    parser.add_argument("--quiet", action="store_true", help="no per-repeat progress lines")
    args = parser.parse_args(argv)
    names = [b.strip().lower() for b in args.backends.split(",") if b.strip()]
    unknown = sorted(set(names) - {"sqlite", "postgres"})
    if unknown or not names:
        parser.error(f"unknown backend(s) {unknown}; choose from sqlite, postgres")
    if args.events < 1 or args.repeats < 1:
        parser.error("--events and --repeats must be at least 1")

    def progress(line: str) -> None:
        if not args.quiet:
            print(line, flush=True)

    print("PAR Ledger append benchmark: signed commands through Ledger.append vs plain eventsourcing saves")
    print(machine(("eventsourcing", "cryptography", "psycopg", "rfc8785"), ("ledger", "keys")))
    print(f"at start: {load()}")
    started = time.perf_counter()
    work = build_workload(args.command, args.events)
    if args.log_key:
        from ledger.tlog.notes import NoteSigner

        seed = hashlib.sha256(b"bench log key").digest()
        work.ledger_options["log_signer"] = NoteSigner("bench.par-ledger.example/log", seed)
    print(
        f"workload: {args.events} × {args.command!r} (one event each), signed by the head of SNV "
        f"before timing; each repeat on a fresh database after {len(work.setup)} registry statements.\n"
        "  ledger = Ledger.append(envelope): verify Ed25519 over DSSE PAE, nonce check, signer lookup, "
        "validate + authorise, save event + log row in one transaction.\n"
        "  plain  = eventsourcing Application.save(event) of the same domain events (same classes and "
        "stored bytes), one event per save, same backend and settings.\n"
        f"  {args.repeats} repeat(s) per backend after one warm-up, order alternating ledger/plain.\n"
        f"  log key: {'yes, a checkpoint is signed per append' if args.log_key else 'none (no checkpoint signing)'}."
    )
    results: list[Result] = []
    profiles: list[str] = []
    for name in names:
        backend: Backend = SQLiteBackend() if name == "sqlite" else PostgresBackend(args.postgres_url)
        try:
            results.append(bench_backend(backend, work, args.repeats, progress))
            if args.profile:
                profiles.append(profile_ledger(backend, work, top=30))
        finally:
            backend.close()
    print(report(results, args.command), end="")
    print(f"  wall time {time.perf_counter() - started:.0f} s; at the end: {load()}")
    for text in profiles:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
