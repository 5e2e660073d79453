"""The projections benchmark's report: throughput and the write floor, memory at two sizes, and the goals."""

from __future__ import annotations

import statistics

import bench_support
from bench_support import spread

from .memory import Memory
from .throughput import Throughput, ceilings

GOAL_THROUGHPUT = 0.5
GOAL_MEMORY = 1.5

Goals = list[tuple[str, str, str]]


def verdict(value: float, goal: float, *, at_least: bool) -> str:
    return bench_support.verdict(value, goal, at_least=at_least, places=1)


def write_floor_lines(t: Throughput) -> list[str]:
    rates = [t.rows / s for s in t.write_floor]
    ceiling = ceilings(t)
    return [
        f"   {t.backend:<9} write floor: {t.rows:,} rows in {t.transactions} transactions, "
        f"{spread(t.write_floor, '.2f')} s, {spread(rates)} rows/s",
        f"   {'':<9} ceiling if the rebuild's Python cost no more than the plain decode: "
        f"{statistics.median(ceiling):.2f}× ({min(ceiling):.2f}–{max(ceiling):.2f}) "
        f"(the views' rows alone take {statistics.median(t.write_floor):.2f} s)",
    ]


def ceiling_goal(t: Throughput) -> tuple[str, str, str]:
    """The ceiling in the goals summary: information, set beside the throughput goal, not a goal."""
    ceiling = statistics.median(ceilings(t))
    side = "below" if ceiling < GOAL_THROUGHPUT else "at or above"
    return (
        f"ceiling: plain / (plain + write floor), {t.backend}",
        f"{ceiling:.2f}×",
        f"information, not a goal ({side} the {GOAL_THROUGHPUT:.1f}× goal)",
    )


def mib(n: float) -> str:
    return f"{n / 2**20:,.1f} MiB"


def report(throughputs: list[Throughput], memories: list[Memory], small: int, large: int) -> str:
    """Both sections, then the goals they met or missed."""
    goals: Goals = []
    lines = throughput_lines(throughputs, small, goals) + memory_lines(memories, small, large, goals)
    width = max(len(g[0]) for g in goals)
    lines.append("\nGoals (reported, never enforced)")
    lines += [f"   {name:<{width}}  {value:>6}  {result}" for name, value, result in goals]
    return "\n".join(lines)


def throughput_lines(throughputs: list[Throughput], small: int, goals: Goals) -> list[str]:
    """1. The rebuild against the plain loop, then the write floor and the ceiling."""
    lines = []
    lines.append(
        f"\n1. Rebuild throughput at {small:,} events: rebuild into the ledger's own database against the plain\n"
        "   read-and-decode loop over the same events (events/s: median of the repeats, min–max;\n"
        "   ratio: median of the per-repeat ratios, min–max)"
    )
    lines.append(f"   {'backend':<9} {'rebuild ev/s':>26} {'plain loop ev/s':>28} {'ratio':>20}   goal")
    for t in throughputs:
        rebuild_rates = [t.events / s for s in t.rebuild]
        plain_rates = [t.events / s for s in t.plain]
        ratio = [p / r for r, p in zip(t.rebuild, t.plain, strict=True)]
        ratio_median = statistics.median(ratio)
        result = verdict(ratio_median, GOAL_THROUGHPUT, at_least=True)
        cells = (t.backend, spread(rebuild_rates), spread(plain_rates), spread(ratio, ".2f"), result)
        lines.append("   {:<9} {:>26} {:>28} {:>20}   {}".format(*cells))
        goals.append((f"rebuild / plain loop, {t.backend}", f"{ratio_median:.2f}×", result))
        goals.append(ceiling_goal(t))
    lines.append(
        "\n   Write floor: the rows the rebuilt views hold (read once, untimed), written into an empty store the way\n"
        "   the rebuild writes its own, in as many transactions (one per BATCH entries, each with its position),\n"
        "   switch included (SQLite: scratch file and take-over; PostgreSQL: reset, then COPY in place). Ceiling:\n"
        "   plain / (plain + write floor) per repeat, the best rebuild / plain ratio if reading, decoding and\n"
        "   computing the rows cost no more than the plain loop's decoding (median, min–max)"
    )
    for t in throughputs:
        lines += write_floor_lines(t)
    return lines


def memory_lines(memories: list[Memory], small: int, large: int, goals: Goals) -> list[str]:
    """2. The peak memory of one rebuild at each size, and the ratios large / small."""
    lines = []
    lines.append(
        "\n2. Peak memory of one rebuild, each in a fresh subprocess. tracemalloc: the peak of Python allocations\n"
        "   above those live when the rebuild started. peak RSS: the growth of the process's peak resident set\n"
        "   (VmHWM after − before the rebuild, in a second run without tracemalloc; it also counts SQLite's page\n"
        "   cache, driver buffers and allocator slack, and reads 0 while the rebuild fits in memory the setup had\n"
        "   touched). sampled RSS: the largest resident set read from /proc after each batch − the one at the\n"
        "   start, in that same run. Time: the rebuild without tracemalloc (and with it)."
    )
    header = ("backend", "events", "tracemalloc", "peak RSS", "sampled RSS", "RSS at start", "rebuild", "traced")
    lines.append("   {:<9} {:>10} {:>13} {:>13} {:>13} {:>13} {:>20} {:>8}".format(*header))
    by_backend: dict[str, dict[int, Memory]] = {}
    for m in memories:
        by_backend.setdefault(m.backend, {})[m.events] = m
        timing = f"{m.seconds:.1f} s {m.events / m.seconds:,.0f}/s"
        lines.append(
            f"   {m.backend:<9} {m.events:>10,} {mib(m.traced_peak):>13} {mib(m.peak_growth):>13}"
            f" {mib(m.resident_growth):>13} {mib(m.resident_start):>13} {timing:>20} {m.traced_seconds:>6.0f} s"
        )
    for backend, sizes in by_backend.items():
        if small not in sizes or large not in sizes:
            continue
        a, b = sizes[small], sizes[large]
        figures = {
            "tracemalloc peak": (a.traced_peak, b.traced_peak),
            "peak RSS growth": (a.peak_growth, b.peak_growth),
            "sampled RSS growth": (a.resident_growth, b.resident_growth),
        }
        cells = []
        for name, (first, second) in figures.items():
            label = f"{name} {large:,} / {small:,}, {backend}"
            if first < 2**20:  # under 1 MiB at the small size: a ratio would mean nothing
                cells.append("n/a")
                goals.append((label, "n/a", f"only {mib(first)} at {small:,} events: no ratio"))
                continue
            ratio = second / first
            cells.append(f"{ratio:.2f}×")
            goals.append((label, f"{ratio:.2f}×", verdict(ratio, GOAL_MEMORY, at_least=False)))
        lines.append(
            f"   {backend:<9} {'ratio':>10} {cells[0]:>13} {cells[1]:>13} {cells[2]:>13}"
            f"   ({large:,} / {small:,} events; goal ≤ {GOAL_MEMORY}×)"
        )
    return lines
