"""The projections benchmark's ledgers: the demo appended through the real `Ledger`, then generated years
written in bulk and self-checked; cached as SQLite files, and copied into PostgreSQL on demand."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_support import cache_key, cached

from demo import loader as demo
from ledger.application import Ledger
from ledger.storage.config import persistence_env
from ledger.storage.documents import DocumentStore
from ledger.storage.sqlite import LOG_TABLE
from ledger.tlog.notes import NoteSigner
from ledger.tlog.transparency import DEFAULT_ORIGIN

from . import generator
from .generator import FIRST_YEAR, YEAR_VOLUME, Generated, Generator

CACHE_ROOT = Path(tempfile.gettempdir()) / "par-ledger-bench-projections"
GENERATOR = "projections-bench-ledger/1"

#: Files whose contents shape the stored bytes: a change to any of them makes a new cache.
CACHE_SOURCES = (
    "demo/loader.py",
    "demo/province.py",
    "demo/story.py",
    "demo/pdf.py",
    "demo/data/structure.toml",
    "demo/data/indices.toml",
    "demo/data/results.toml",
    "demo/data/story-2023.toml",
    "demo/data/story-2024.toml",
    "ledger/application.py",
    "ledger/signing/envelope.py",
    "ledger/signing/dsse.py",
    "ledger/tlog/log.py",
    "ledger/domain/records.py",
    "ledger/domain/registry.py",
    "ledger/domain/submissions.py",
    "ledger/domain/ratings.py",
    "ledger/domain/indices.py",
    "ledger/domain/rules.py",
)
SELF_CHECK = 2_500  # generated entries appended through a real Ledger before caching
TRANSACTION = 20_000  # rows per bulk transaction


class AcceptDocuments:
    """The self-check's document checker: the generated references name no stored file."""

    def check(self, ref: Any, field: str) -> None:
        return None


def self_check(checked: list[Generated], registry: int) -> None:
    """Append `checked` through a real in-memory Ledger holding the same demo; compare the bytes."""
    with tempfile.TemporaryDirectory() as folder:
        ledger = Ledger(documents=AcceptDocuments())  # type: ignore[arg-type]
        demo.load_demo(ledger, DocumentStore(Path(folder)))
        if ledger.head != registry:
            raise RuntimeError(f"the demo loaded {ledger.head} entries in memory, {registry} in the file")
        for generated in checked:
            try:
                receipt = ledger.append(generated.envelope, recorded_at=generated.at)
            except Exception as exc:
                what = f"{generated.envelope.statement.type} {generated.envelope.statement.subject}"
                raise RuntimeError(
                    f"self-check: the ledger refused generated entry {generated.seq} ({what}): {exc}"
                ) from exc
            stored = ledger.recorder.select_events(receipt.aggregate_id, gt=receipt.version - 1, lte=receipt.version)
            if (receipt.seq, receipt.version, receipt.leaf_hash) != (
                generated.seq,
                generated.version,
                generated.leaf_hash,
            ) or (
                stored[0].topic,
                stored[0].state,
            ) != (generated.topic, generated.state):
                raise RuntimeError(f"self-check: entry {generated.seq} is not what the ledger stores")
        ledger.close()


#: The columns of ``ledger_log``.
LOG_COLUMNS = ("seq", "originator_id", "originator_version", "nonce", "leaf_hash", "subtrees")


def generate(path: Path, events: int, progress: Callable[[str], None]) -> dict[str, Any]:
    """Build the ledger of `events` entries at `path` (an SQLite file): the demo, then generated years."""
    started = time.perf_counter()
    log_signer = NoteSigner(DEFAULT_ORIGIN, hashlib.sha256(b"bench projections log key").digest())
    with tempfile.TemporaryDirectory() as folder:
        ledger = Ledger(
            env=persistence_env(f"sqlite:///{path}"), documents=DocumentStore(Path(folder)), log_signer=log_signer
        )
        demo.load_demo(ledger, DocumentStore(Path(folder)))
    registry = ledger.head
    if events <= registry:
        raise ValueError(f"a ledger needs more than the demo's {registry} entries")
    took = time.perf_counter() - started
    progress(f"  registry: the demo, {registry} entries appended through Ledger.append ({took:.1f} s)")
    generator = Generator(ledger)
    recorder = ledger.recorder
    checked: list[Generated] = []
    rows: list[tuple[Any, ...]] = []
    logs: list[tuple[Any, ...]] = []
    signing = time.perf_counter()
    insert_log = f"INSERT INTO {LOG_TABLE} ({', '.join(LOG_COLUMNS)}) VALUES ({', '.join('?' * len(LOG_COLUMNS))})"

    def flush() -> None:
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.executemany(recorder.insert_events_statement, rows)
            cursor.executemany(insert_log, logs)
        rows.clear()
        logs.clear()

    for generated in generator.entries(events - registry):
        if len(checked) < SELF_CHECK:
            checked.append(generated)
        rows.append((generated.aggregate_id.hex, generated.version, generated.topic, generated.state))
        logs.append(generated.log_row())
        if len(rows) >= TRANSACTION:
            flush()
            progress(f"  generated {generated.seq:,} / {events:,} entries ({time.perf_counter() - signing:.0f} s)")
    if rows:
        flush()
    generation_s = time.perf_counter() - signing
    head = recorder.max_seq()
    ledger.close()
    if head != events:
        raise RuntimeError(f"the generated ledger holds {head} entries, not {events}")
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checking = time.perf_counter()
    self_check(checked, registry)
    progress(f"  self-check: {len(checked):,} generated entries appended through a real Ledger, same bytes")
    sizes = sorted(generator.payload_sizes)
    return {
        "generator": GENERATOR,
        "events": events,
        "registry": registry,
        "kinds": dict(sorted(generator.counts.items(), key=lambda kv: -kv[1])),
        "payload_mean": round(statistics.fmean(sizes)),
        "payload_p5": sizes[len(sizes) // 20],
        "payload_p95": sizes[len(sizes) * 19 // 20],
        "generation_s": round(generation_s, 1),
        "self_check_s": round(time.perf_counter() - checking, 1),
        "self_checked": len(checked),
        "years": f"{FIRST_YEAR}–{FIRST_YEAR + (events - registry - 1) // YEAR_VOLUME}",
        "file_bytes": path.stat().st_size,
    }


# The cache of generated ledgers ----------------------------------------------------------


@dataclass(frozen=True)
class Cached:
    path: Path  # the SQLite ledger (its views are rebuilt in it)
    meta: dict[str, Any]
    cached: bool


def cached_ledger(events: int, progress: Callable[[str], None]) -> Cached:
    """The cached SQLite ledger of `events` entries (generated if missing)."""
    key = cache_key(events, GENERATOR, (Path(generator.__file__), Path(__file__)), CACHE_SOURCES)

    def build(folder: Path) -> None:
        progress(f"generating a ledger of {events:,} entries in {CACHE_ROOT / key} …")
        meta = generate(folder / "ledger.sqlite3", events, progress)
        (folder / "meta.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")

    folder, was_cached = cached(CACHE_ROOT, key, build)
    return Cached(folder / "ledger.sqlite3", json.loads((folder / "meta.json").read_text()), was_cached)


def describe(cached: Cached) -> str:
    meta = cached.meta
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in meta["kinds"].items())
    return (
        f"  {meta['events']:,} entries — {'cached' if cached.cached else 'generated'}: {cached.path} "
        f"({meta['file_bytes'] / 1e6:,.0f} MB when generated; generation {meta['generation_s']} s)\n"
        f"    the demo's {meta['registry']} entries through Ledger.append, then years {meta['years']}: {kinds}\n"
        f"    payloads {meta['payload_mean']} B on average (5–95%: {meta['payload_p5']}–{meta['payload_p95']} B); "
        f"self-check: the first {meta['self_checked']:,} generated entries appended through a real Ledger"
    )


# PostgreSQL: the cached rows, copied into a fresh schema ---------------------------------


@contextlib.contextmanager
def postgres_copy(source: Path, base_url: str, progress: Callable[[str], None]) -> Iterator[str]:
    """A fresh schema holding the ledger rows of `source` (stored events and log), dropped afterwards."""
    import psycopg

    schema = f"bench_proj_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base_url, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{base_url}?schema={schema}"
    try:
        started = time.perf_counter()
        ledger = Ledger(env=persistence_env(url))  # the ledger's tables, as the ledger creates them
        events_table = ledger.recorder.events_table_name  # type: ignore[attr-defined]
        ledger.close()
        with contextlib.closing(sqlite3.connect(source)) as lite, psycopg.connect(base_url) as pg:
            columns = "originator_id, originator_version, topic, state"
            copy_events = f'COPY "{schema}".{events_table} ({columns}) FROM STDIN'
            with pg.cursor() as cursor, cursor.copy(copy_events) as copy:
                for row in lite.execute(f"SELECT {columns} FROM stored_events ORDER BY rowid"):
                    copy.write_row((uuid.UUID(row[0]), *row[1:]))
            log = ", ".join(LOG_COLUMNS)
            copy_log = f'COPY "{schema}".{LOG_TABLE} ({log}) FROM STDIN'
            with pg.cursor() as cursor, cursor.copy(copy_log) as copy:
                for seq, originator_id, *rest in lite.execute(f"SELECT {log} FROM {LOG_TABLE} ORDER BY seq"):
                    copy.write_row((seq, uuid.UUID(originator_id), *rest))
            pg.commit()
            pg.autocommit = True
            pg.execute(f'ANALYZE "{schema}".{events_table}')
            pg.execute(f'ANALYZE "{schema}".{LOG_TABLE}')
        progress(
            f"  copied {source.parent.name} into PostgreSQL schema {schema} ({time.perf_counter() - started:.0f} s)"
        )
        yield url
    finally:
        with psycopg.connect(base_url, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
