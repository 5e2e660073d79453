"""The append benchmark's report: rates, ratios, the ceilings and the context; and a profile of one run."""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics

from .backends import Backend
from .runs import Result, run_ledger
from .workload import Workload


def rate_spread(values: list[float]) -> str:
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
            f"{res.backend:<11} {res.events:>6}  {rate_spread(res.ledger):>27}  {rate_spread(res.plain):>27}  "
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
    w(f"  bare Ed25519 verify (cryptography, 1 thread, the same PAE bytes): {rate_spread(verify_all).strip()}/s\n")
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
