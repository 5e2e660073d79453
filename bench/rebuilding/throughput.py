"""The projections benchmark's throughput: a rebuild, the plain read-and-decode loop, and the write floor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench_support import timed
from context import load

from ledger.application import Ledger
from ledger.storage.config import persistence_env
from projections import open_views, rebuild
from projections.runner import BATCH
from projections.schema import TABLES, Row, Table
from projections.views import Views

PAGE = BATCH  # the plain loop's page size: the rebuild's batch


def plain_loop(ledger: Any) -> int:
    """The baseline: every notification read in pages and decoded by the ledger's mapper, nothing kept."""
    recorder, to_domain_event = ledger.recorder, ledger.mapper.to_domain_event
    start, count = 1, 0
    while True:
        page = recorder.select_notifications(start, PAGE)
        for notification in page:
            to_domain_event(notification)
        count += len(page)
        if len(page) < PAGE:
            return count
        start = page[-1].id + 1


def counted(run: Callable[[], int], expected: int, what: str, unit: str = "events") -> float:
    """The time `run()` takes; it must count `expected` events (or rows)."""
    counts: list[int] = []
    elapsed = timed(lambda: counts.append(run()))
    if counts[0] != expected:
        raise RuntimeError(f"{what} saw {counts[0]:,} {unit}, not {expected:,}")
    return elapsed


# The write floor: what a rebuild must write, and nothing else ---------------------------


@dataclass(frozen=True)
class Transaction:
    """The rows one transaction of the write floor writes, and the position it moves the store to."""

    start: int
    end: int
    rows: dict[Table, list[Row]]


@dataclass(frozen=True)
class ViewRows:
    """Every row the rebuilt views hold, read once, cut into the rebuild's transactions; and their dump."""

    count: int
    transactions: list[Transaction]
    dump: bytes


def view_rows(views: Views) -> ViewRows:
    """Read every row of every view table (untimed) and cut them into the transactions a rebuild
    commits: one per `BATCH` entries, each taking the same share of every table's rows.

    Rows are mappings, as a batch hands them to the views' `_write`, in the order a full scan
    gives (key order on SQLite, about the order written on PostgreSQL).
    """
    position = views.position()
    tables: dict[Table, list[Row]] = {}
    with views._reading() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {views.statements.qualify(table.name)}")
            tables[table] = views._fetch_rows(cursor)
    batches = max(1, -(-position // BATCH))
    transactions = [
        Transaction(
            start=n * BATCH,
            end=min(position, (n + 1) * BATCH),
            rows={table: share(table_rows, n, batches) for table, table_rows in tables.items()},
        )
        for n in range(batches)
    ]
    return ViewRows(sum(map(len, tables.values())), transactions, views.dump())


def share(rows: list[Any], n: int, parts: int) -> list[Any]:
    """The `n`-th of `parts` near-equal consecutive slices of `rows`."""
    return rows[len(rows) * n // parts : len(rows) * (n + 1) // parts]


def write_floor(views: Views, rows: ViewRows) -> int:
    """Write `rows` as a rebuild writes its own into an empty store; return how many were written.

    `views.rebuilding()` gives the store and its switch, as it does the rebuild: on SQLite a
    new `ScratchViews` file that the views then take over (`take_over`: old tables dropped,
    rows copied, indexes built); on PostgreSQL the views themselves after `reset()`. Each
    transaction moves the position first, as `Views.apply` does (`_move`), then writes each
    table's new rows through the views' own `_write` (SQLite: `executemany` of INSERT;
    PostgreSQL: COPY). Left out: the rows' computation, and the rebuild's closing look for
    entries appended meanwhile (one empty read).
    """
    written = 0
    with views.rebuilding() as store:
        for transaction in rows.transactions:
            with store._writing() as cursor:
                store._move(cursor, transaction.start, transaction.end)
                for table, table_rows in transaction.rows.items():
                    store._write(cursor, table, "insert", table_rows)
                    written += len(table_rows)
    return written


def check_unchanged(views: Views, rows: ViewRows) -> None:
    """The views after the write floor must dump what the rebuild left, byte for byte (untimed)."""
    if views.dump() != rows.dump:
        raise RuntimeError("the write floor left views that differ from the rebuilt ones")


@dataclass
class Throughput:
    backend: str
    events: int
    rebuild: list[float] = field(default_factory=list)
    plain: list[float] = field(default_factory=list)
    write_floor: list[float] = field(default_factory=list)
    rows: int = 0  # rows the rebuilt views hold: what the write floor writes
    transactions: int = 0


def ceilings(t: Throughput) -> list[float]:
    """Per repeat: the best rebuild / plain ratio, if a rebuild cost the plain loop plus the write floor."""
    return [plain / (plain + floor) for plain, floor in zip(t.plain, t.write_floor, strict=True)]


def throughput(backend: str, url: str, events: int, repeats: int, progress: Callable[[str], None]) -> Throughput:
    """Rebuild, the plain loop and the write floor, interleaved (order alternating), after one
    untimed warm-up of each. The write floor's rows are read once, after the warm-up rebuild."""
    ledger = Ledger(env=persistence_env(url))
    views = open_views(ledger)
    result = Throughput(backend, events)
    try:
        runs = {
            "rebuild": (lambda: rebuild(ledger, views), events, "events"),
            "plain": (lambda: plain_loop(ledger), events, "events"),
        }

        def run_timed(name: str) -> float:
            run, expected, unit = runs[name]
            elapsed = counted(run, expected, name.replace("_", " "), unit)
            if name == "write_floor":
                check_unchanged(views, rows)  # untimed
            return elapsed

        run_timed("rebuild")
        run_timed("plain")
        rows = view_rows(views)  # what the warm-up rebuild left: the same rows as every rebuild
        result.rows, result.transactions = rows.count, len(rows.transactions)
        runs["write_floor"] = (lambda: write_floor(views, rows), rows.count, "rows")
        run_timed("write_floor")
        for repeat in range(repeats):
            order = list(runs) if repeat % 2 == 0 else list(reversed(runs))
            for name in order:
                getattr(result, name).append(run_timed(name))
            progress(
                f"  {backend} repeat {repeat + 1}/{repeats}: rebuild {events / result.rebuild[-1]:,.0f} ev/s, "
                f"plain {events / result.plain[-1]:,.0f} ev/s, write floor {result.write_floor[-1]:.2f} s "
                f"({rows.count / result.write_floor[-1]:,.0f} rows/s): ceiling {ceilings(result)[-1]:.2f}× ({load()})"
            )
        if views.head_position() != events:
            raise RuntimeError(f"the rebuilt views stand at {views.head_position()}, not {events}")
    finally:
        views.close()
        ledger.close()
    return result
