"""Rebuilding the read models: throughput against a plain read-and-decode loop, and memory at scale.

One run prints, for each backend asked for (SQLite by default; ``--backends sqlite,postgres``):

1. **Rebuild throughput.** `projections.rebuild(ledger, open_views(ledger))` in events/s. On
   SQLite: catch up from the first entry in batches of `BATCH` (5,000) into a scratch SQLite
   file (each batch committed with its position, unsynced, tables without secondary indexes),
   then the ledger's own views take it over in one transaction (old tables dropped, rows
   copied in C, indexes built, position set). On PostgreSQL: drop the view tables and catch up
   in place, each batch written by COPY with its position in one transaction. Against a plain
   `eventsourcing` loop over the same events: page through
   ``ledger.recorder.select_notifications(start, BATCH)`` and ``ledger.mapper.to_domain_event``
   every notification, keeping nothing (goal: rebuild >= 0.5x the plain loop). And a third
   variant, the **write floor**: the rows the rebuilt views hold, read once (untimed, after the
   warm-up rebuild), written into an empty store through the views' own ``_write``, in as
   many transactions (one per `BATCH` entries, each carrying the same share of every table's
   rows and moving the position as ``Views.apply`` does), store switch included: on SQLite a
   fresh `ScratchViews` file filled by ``executemany`` of INSERT and taken over by the views
   (``views.rebuilding()``, ``take_over``); on PostgreSQL ``views.reset()`` and COPY. The views' dump must be unchanged
   byte for byte after each (checked untimed). It prints the **ceiling**, plain / (plain +
   write floor) per repeat: the best rebuild / plain ratio if reading, decoding and computing
   the rows cost no more than the plain loop does; the rest of a rebuild's time is its Python.
   It is information, not a goal.
2. **Peak memory of a rebuild** at ``--events-small`` (100,000) and ``--events-large``
   (1,000,000) events, each measured in a fresh subprocess: the ``tracemalloc`` peak (Python
   allocations only) above what was allocated before the rebuild started; and, in a second
   run without tracemalloc, the growth of the process's peak resident set (``VmHWM``, which
   also counts SQLite's page cache, psycopg's buffers and the allocator's slack) during the
   rebuild, and the largest resident set sampled after each batch (goal: large <= 1.5x small
   on each, i.e. the rebuild streams). Not ``ru_maxrss``: Linux carries the parent's peak
   into a child it starts, so a child started by this (large) process would report that.

The ledgers. The registry is built through the real `Ledger`: the Hưng Yên demo (the data of
demo/data/, appended by `demo.loader.load_demo`: units, officers and keys, indices, the 2023
and 2024 cycles, about 400 entries). On top of it, the stored events of a further N − 400 entries are generated in bulk,
year after year from 2025 (about 15,000 entries per year): each year's cycle, every rated
unit's staff rule, the unit-level index results with their transmission and a correction,
heads' ratings computed from those results (``evaluate`` over the inputs `gather_inputs`
would find) and decided (a few differently, with a reason), recomputed and decided again
after the correction, appeals upheld or revised, and, filling the year, documents filed by
units (``submission.document``), individual ratings (``rating.individual``) and the odd unit
renamed (``unit.rename``). Each is a real envelope: a canonical JSON statement signed with
the registered officer's Ed25519 key, carried by the domain event class the ledger would
create (version numbers followed per record), encoded with the ledger's own mapper, and
written with its log row (sequence number, record and version, nonce, the leaf hash of
docs/formats.md) into ``stored_events`` and ``ledger_log`` in transactions of 20,000. The
Merkle subtrees and checkpoints are *not* written for the generated part (each log row's
``subtrees`` is empty): the projections never read them (so such a ledger would not verify,
nor accept another append). Before a ledger is cached, its first 2,500 generated envelopes
are appended one by one through a real in-memory `Ledger` holding the same demo, and each
receipt's leaf hash and each stored event must equal the generated ones: the ledger accepts
every kind of statement generated, and stores exactly those bytes.

SQLite ledgers are cached under the system temporary directory (printed), keyed by size and
by the sources that shape their bytes. A PostgreSQL run copies the cached rows into a fresh
schema (``COPY``, in ledger order, so notification ids follow sequence numbers) and drops it
afterwards.

Method (/work/shared/research/perf-physics.md): this 2-vCPU box is noisy, so the three
variants run interleaved with their order alternating every repeat (forward, then reversed),
after one untimed warm-up of each; figures are medians of the repeats, and the ratio and the
ceiling are medians of the per-repeat figures (min-max given). Compare ratios, not absolute
rates across runs.

    .venv/bin/python bench/projections.py [--events-small 100000] [--events-large 1000000]
        [--repeats 5] [--backends sqlite[,postgres]] [--quick] [--postgres-url URL]

``--quick``: 20,000 / 100,000 events, 3 repeats. The goals are reported, never enforced:
it exits non-zero only on errors (a rebuild or a loop that does not see every event, a
write floor that writes other rows or leaves other views, a generated ledger the self-check
refuses, a measuring subprocess that fails).
"""

from __future__ import annotations

import argparse
import sys
import time

from context import ROOT, load, machine

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench_support import DEFAULT_POSTGRES_URL, printer
from rebuilding.ledgers import CACHE_ROOT, cached_ledger, describe, postgres_copy, sqlite_url
from rebuilding.memory import Memory, child, memory
from rebuilding.report import report
from rebuilding.throughput import Throughput, throughput

QUICK = (20_000, 100_000, 3)


def arguments(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """The command line, checked (``--quick`` applied); and the backends asked for."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--events-small", type=int, default=100_000, help="events of the throughput and first memory run"
    )
    parser.add_argument("--events-large", type=int, default=1_000_000, help="events of the second memory run")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved throughput repeats (default 5)")
    parser.add_argument("--backends", default="sqlite", help="sqlite, postgres or sqlite,postgres (default sqlite)")
    parser.add_argument("--quick", action="store_true", help="20,000 / 100,000 events, 3 repeats")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="a PostgreSQL database (a schema is made)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "URL", "EVENTS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return args, []
    if args.quick:
        args.events_small, args.events_large, args.repeats = QUICK
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not backends or set(backends) - {"sqlite", "postgres"}:
        parser.error("--backends takes sqlite, postgres or sqlite,postgres")
    if args.repeats < 1 or not 1_000 <= args.events_small < args.events_large:
        parser.error("--repeats must be at least 1, and 1000 ≤ --events-small < --events-large")
    return args, backends


def main(argv: list[str] | None = None) -> int:
    args, backends = arguments(argv)
    if args.child:
        mode, url, events = args.child
        child(mode, url, int(events))
        return 0
    progress = printer(args.quiet)
    started = time.perf_counter()
    print("PAR Ledger read models benchmark: bench/projections.py")
    print(machine(("eventsourcing", "psycopg"), ("projections", "ledger")))
    print(f"at start: {load()}")
    print(f"ledgers (cached under {CACHE_ROOT}; the Merkle subtrees and checkpoints are not written for the")
    print("generated entries — the projections never read them):")
    small = cached_ledger(args.events_small, progress)
    large = cached_ledger(args.events_large, progress)
    print(describe(small))
    print(describe(large))
    base_url = args.postgres_url.partition("?")[0]

    throughputs: list[Throughput] = []
    memories: list[Memory] = []
    for backend in backends:
        progress(f"{backend}: throughput at {args.events_small:,} events, {args.repeats} repeats")
        if backend == "sqlite":
            throughputs.append(throughput(backend, sqlite_url(small.path), args.events_small, args.repeats, progress))
            for cached in (small, large):
                memories.append(memory(backend, sqlite_url(cached.path), cached.meta["events"], progress))
        else:
            with postgres_copy(small.path, base_url, progress) as url:
                throughputs.append(throughput(backend, url, args.events_small, args.repeats, progress))
                memories.append(memory(backend, url, args.events_small, progress))
            with postgres_copy(large.path, base_url, progress) as url:
                memories.append(memory(backend, url, args.events_large, progress))
    print(report(throughputs, memories, args.events_small, args.events_large))
    print(f"\nat end: {load()}; the run took {time.perf_counter() - started:,.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
