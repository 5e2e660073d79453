"""The projections benchmark's memory figures: one rebuild in a fresh subprocess, by tracemalloc and by RSS."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from context import ROOT, load

from ledger.application import Ledger
from ledger.storage.config import persistence_env
from projections import open_views, rebuild

#: The script whose ``--child`` option runs one measured rebuild.
SCRIPT = Path(__file__).resolve().parent.parent / "projections.py"


def peak_rss() -> int:
    """This process's peak resident set so far, in bytes (Linux ``VmHWM``; 0 elsewhere).

    Unlike ``ru_maxrss``, it starts afresh with the program: Linux carries a parent's peak
    into the ``ru_maxrss`` of a child it starts, which would hide the child's own.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def rss_now() -> int:
    """The resident set now, in bytes (Linux /proc; 0 elsewhere)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def child(mode: str, url: str, expected: int) -> None:
    """In a fresh process: one rebuild, measured by tracemalloc or by resident sets; prints JSON."""
    if mode == "tracemalloc":
        tracemalloc.start()
    ledger = Ledger(env=persistence_env(url))
    views = open_views(ledger)
    views.reset()  # start from empty tables: dropping the last run's rows is not part of the figure
    gc.collect()
    traced_before = 0
    if mode == "tracemalloc":
        traced_before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
    peak_before = peak_rss()
    resident = [rss_now()]

    def sample(_: int) -> None:
        resident.append(rss_now())

    started = time.perf_counter()
    count = rebuild(ledger, views, progress=sample)
    elapsed = time.perf_counter() - started
    peak_after = peak_rss()
    result: dict[str, Any] = {
        "events": count,
        "seconds": elapsed,
        "peak_before": peak_before,
        "peak_after": peak_after,
        "resident_start": resident[0],
        "resident_peak": max(resident),
    }
    if mode == "tracemalloc":
        current, peak = tracemalloc.get_traced_memory()
        result.update(traced_before=traced_before, traced_peak=peak, traced_after=current)
        tracemalloc.stop()
    views.close()
    ledger.close()
    if count != expected:
        raise SystemExit(f"the rebuild saw {count:,} events, not {expected:,}")
    print(json.dumps(result))


@dataclass
class Memory:
    backend: str
    events: int
    traced_peak: int  # bytes above what was allocated when the rebuild started
    peak_growth: int  # bytes: the peak resident set (VmHWM) after − before, in the run without tracemalloc
    resident_start: int  # bytes: the resident set when the rebuild started
    resident_growth: int  # bytes: the largest resident set sampled after each batch − the one at the start
    seconds: float  # the rebuild without tracemalloc
    traced_seconds: float


def memory(backend: str, url: str, events: int, progress: Callable[[str], None]) -> Memory:
    found = {}
    for mode in ("rss", "tracemalloc"):
        process = subprocess.run(
            [sys.executable, str(SCRIPT), "--child", mode, url, str(events)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if process.returncode != 0:
            raise RuntimeError(f"the {mode} run at {events:,} events failed:\n{process.stderr[-3000:]}")
        found[mode] = json.loads(process.stdout.strip().splitlines()[-1])
        progress(f"  {backend} {events:,} events, {mode}: rebuilt in {found[mode]['seconds']:.1f} s ({load()})")
    rss, traced = found["rss"], found["tracemalloc"]
    return Memory(
        backend,
        events,
        traced_peak=traced["traced_peak"] - traced["traced_before"],
        peak_growth=rss["peak_after"] - rss["peak_before"],
        resident_start=rss["resident_start"],
        resident_growth=rss["resident_peak"] - rss["resident_start"],
        seconds=rss["seconds"],
        traced_seconds=traced["seconds"],
    )
