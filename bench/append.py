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
import hashlib
import sys
import time

from context import ROOT, load, machine

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from appending.backends import Backend, PostgresBackend, SQLiteBackend
from appending.report import profile_ledger, report
from appending.runs import Result, bench_backend
from appending.workload import COMMANDS, Workload, build_workload
from bench_support import DEFAULT_POSTGRES_URL, printer


def arguments(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """The command line, checked; and the backends asked for."""
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
    return args, names


def describe(work: Workload, args: argparse.Namespace) -> str:
    """What is timed, as printed before the runs."""
    return (
        f"workload: {args.events} × {args.command!r} (one event each), signed by the head of SNV "
        f"before timing; each repeat on a fresh database after {len(work.setup)} registry statements.\n"
        "  ledger = Ledger.append(envelope): verify Ed25519 over DSSE PAE, nonce check, signer lookup, "
        "validate + authorise, save event + log row in one transaction.\n"
        "  plain  = eventsourcing Application.save(event) of the same domain events (same classes and "
        "stored bytes), one event per save, same backend and settings.\n"
        f"  {args.repeats} repeat(s) per backend after one warm-up, order alternating ledger/plain.\n"
        f"  log key: {'yes, a checkpoint is signed per append' if args.log_key else 'none (no checkpoint signing)'}."
    )


def main(argv: list[str] | None = None) -> int:
    args, names = arguments(argv)
    progress = printer(args.quiet)
    print("PAR Ledger append benchmark: signed commands through Ledger.append vs plain eventsourcing saves")
    print(machine(("eventsourcing", "cryptography", "psycopg", "rfc8785"), ("ledger", "keys")))
    print(f"at start: {load()}")
    started = time.perf_counter()
    work = build_workload(args.command, args.events)
    if args.log_key:
        from ledger.tlog.notes import NoteSigner

        seed = hashlib.sha256(b"bench log key").digest()
        work.ledger_options["log_signer"] = NoteSigner("bench.par-ledger.example/log", seed)
    print(describe(work, args))
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
