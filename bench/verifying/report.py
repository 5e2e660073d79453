"""The verify benchmark's report: each section's figures against its floor, and the goals."""

from __future__ import annotations

import io
import statistics
from collections.abc import Callable
from typing import Any

import bench_support
from bench_support import spread

from .sections import PROOF_SAMPLES, ProofResult

GOAL_VERIFY = 0.8  # inspector events/s over bare-loop events/s, 1 worker
GOAL_WORKERS = 1.5  # workers=2 over workers=1
GOAL_MERKLE = 2.0  # ledger root time over bare hashlib time
GOAL_PROOF = 3.0  # proof time at 1M leaves over proof time at 1k leaves

Goals = list[tuple[str, str, str]]
Write = Callable[[str], object]


def ratios(top: list[float], bottom: list[float]) -> list[float]:
    return [t / b for t, b in zip(top, bottom, strict=True)]


def spread_rate(n: int, times: list[float]) -> str:
    rates = [n / t for t in times]
    return f"{statistics.median(rates):>8,.0f} ({min(rates):,.0f}–{max(rates):,.0f})"


def verdict(value: float, goal: float, *, at_least: bool) -> str:
    return bench_support.verdict(value, goal, at_least=at_least, places=2)


def spread_ratio(values: list[float]) -> str:
    return spread(values, ".2f")


def report(
    meta: dict[str, Any],
    n: int,
    verify: dict[str, list[float]],
    verify_cpu: dict[str, list[float]],
    merkle: dict[str, list[float]],
    proofs: ProofResult,
) -> tuple[str, Goals]:
    """The four sections' tables, and the goals they met or missed."""
    out = io.StringIO()
    goals: Goals = []
    inspector_section(out.write, goals, n, verify, verify_cpu)
    workers_section(out.write, goals, n, verify)
    merkle_section(out.write, goals, n, meta, merkle)
    proofs_section(out.write, goals, proofs)
    return out.getvalue(), goals


def inspector_section(
    w: Write, goals: Goals, n: int, verify: dict[str, list[float]], verify_cpu: dict[str, list[float]]
) -> None:
    """1. The inspector with 1 worker against the bare Ed25519 loop."""
    checkpoints = n
    w("\n1. Offline inspector, 1 worker, against a bare Ed25519 verify loop over the same signatures\n")
    w("   (events/s: median of the repeats, min–max in brackets; ratio: median of per-repeat ratios)\n")
    header = (
        f"   {'variant':<34} {'inspector ev/s':>27}  {'bare loop ev/s':>27}  {'sigs/ev':>7}  {'ratio':>17}  "
        f"{'by CPU time':>17}  goal"
    )
    w(header + "\n   " + "-" * (len(header) - 3) + "\n")
    for key, label, sigs in (
        ("a", f"(a) all {checkpoints:,} checkpoints", 2),
        ("b", "(b) the latest checkpoint only", 1),
    ):
        r = ratios(verify[f"bare {key} t1"], verify[f"inspector {key} w1"])
        by_cpu = ratios(verify_cpu[f"bare {key} t1"], verify_cpu[f"inspector {key} w1"])
        median = statistics.median(r)
        w(
            f"   {label:<34} {spread_rate(n, verify[f'inspector {key} w1']):>27}  "
            f"{spread_rate(n, verify[f'bare {key} t1']):>27}  {sigs:>7}  {spread_ratio(r):>17}  "
            f"{spread_ratio(by_cpu):>17}  {verdict(median, GOAL_VERIFY, at_least=True)}\n"
        )
        goals.append(
            (
                f"1{key}. inspector / bare Ed25519 loop, {label[4:]}",
                f"{median:.2f}×",
                verdict(median, GOAL_VERIFY, at_least=True),
            )
        )
    read = statistics.median(verify["read a"])
    w(
        "   ratio = bare-loop time / inspector time (wall clock); 'by CPU time' = the same with process CPU time,\n"
        "   which other work on the box disturbs less (both run on one thread here).\n"
    )
    checkpoint_us = 1e6 * (statistics.median(verify["bare a t1"]) - statistics.median(verify["bare b t1"])) / n
    w(
        f"   context: reading bundle (a) alone (Bundle.entries + checkpoints, no checks): {n / read:,.0f} ev/s, "
        f"{read * 1e6 / n:.1f} µs/event;\n"
        f"   bare Ed25519 verify: {1e6 * statistics.median(verify['bare b t1']) / n:.1f} µs/signature (entries), "
        f"{checkpoint_us:.1f} µs/signature (checkpoint notes, by difference)\n"
    )
    for key in ("a", "b"):
        per_event = statistics.median(verify[f"inspector {key} w1"]) * 1e6 / n
        bare_us = statistics.median(verify[f"bare {key} t1"]) * 1e6 / n
        w(
            f"   ({key}) per event: inspector {per_event:.1f} µs = bare verify {bare_us:.1f} µs "
            f"+ {per_event - bare_us:.1f} µs of everything else\n"
        )


def workers_section(w: Write, goals: Goals, n: int, verify: dict[str, list[float]]) -> None:
    """2. The inspector with 2 workers against 1, and the bare loop on 2 threads."""
    checkpoints = n
    w("\n2. Two workers: the inspector with workers=2 against workers=1, and the bare loop on 2 threads (ceiling)\n")
    header = (
        f"   {'variant':<34} {'workers=1 ev/s':>27}  {'workers=2 ev/s':>27}  {'2/1':>17}  "
        f"{'bare 2 thr/1 thr':>17}  {'w2 / bare 2 thr':>17}  goal"
    )
    w(header + "\n   " + "-" * (len(header) - 3) + "\n")
    ceilings: list[float] = []
    for key, label in (("a", f"(a) all {checkpoints:,} checkpoints"), ("b", "(b) the latest checkpoint only")):
        speedup = ratios(verify[f"inspector {key} w1"], verify[f"inspector {key} w2"])
        ceiling = ratios(verify[f"bare {key} t1"], verify[f"bare {key} t2"])
        versus = ratios(verify[f"bare {key} t2"], verify[f"inspector {key} w2"])
        median = statistics.median(speedup)
        w(
            f"   {label:<34} {spread_rate(n, verify[f'inspector {key} w1']):>27}  "
            f"{spread_rate(n, verify[f'inspector {key} w2']):>27}  {spread_ratio(speedup):>17}  "
            f"{spread_ratio(ceiling):>17}  {spread_ratio(versus):>17}  {verdict(median, GOAL_WORKERS, at_least=True)}\n"
        )
        ceilings.append(statistics.median(ceiling))
        goals.append(
            (
                f"2{key}. workers=2 / workers=1, {label[4:]}",
                f"{median:.2f}×",
                verdict(median, GOAL_WORKERS, at_least=True),
            )
        )

    w(
        "   2/1 = workers=1 time / workers=2 time; bare 2 thr/1 thr = the same for the bare loop (the ceiling);\n"
        "   w2 / bare 2 thr = bare 2-thread time / inspector workers=2 time.\n"
    )
    if min(ceilings) < 1.6:
        w(
            f"   WARNING: the bare loop gained only {min(ceilings):.2f}× from a second thread (1.9–2× on an idle "
            "2-core box):\n   other work held a core, so the workers=2 figures say little about the inspector.\n"
        )


def merkle_section(w: Write, goals: Goals, n: int, meta: dict[str, Any], merkle: dict[str, list[float]]) -> None:
    """3. The Merkle root of the export against a bare hashlib loop."""
    w(
        f"\n3. Merkle root of the export ({n:,} leaves of {meta['leaf_bytes_mean']:.0f} B on average) "
        "against a bare hashlib loop\n"
    )
    header = f"   {'computation':<34} {'ms':>24}  {'time / bare':>17}  goal"
    w(header + "\n   " + "-" * (len(header) - 3) + "\n")
    bare = merkle["bare hashlib"]
    for name, times in merkle.items():
        ms = [t * 1e3 for t in times]
        cell = f"{statistics.median(ms):8.1f} ({min(ms):.1f}–{max(ms):.1f})"
        if name == "bare hashlib":
            w(f"   {name:<34} {cell:>24}  {'1.00':>17}  (the floor)\n")
            continue
        r = ratios(times, bare)
        median = statistics.median(r)
        w(f"   {name:<34} {cell:>24}  {spread_ratio(r):>17}  {verdict(median, GOAL_MERKLE, at_least=False)}\n")
        if name == "root_from_leaf_hashes":
            goals.append(
                (
                    "3. Merkle root (root_from_leaf_hashes) / bare hashlib",
                    f"{median:.2f}×",
                    verdict(median, GOAL_MERKLE, at_least=False),
                )
            )
        else:
            goals.append(
                (
                    f"3. Merkle root ({name}) / bare hashlib",
                    f"{median:.2f}×",
                    verdict(median, GOAL_MERKLE, at_least=False) + " (info)",
                )
            )
    w(
        "   root_from_leaf_hashes: ledger.tlog.log.leaf_hash per leaf, then the batch root;"
        " MemoryNodes: the storage path\n"
    )
    w("   (nodes_to_append per leaf, then root_at); RebuiltTree: the tree the inspector rebuilds while streaming.\n")


def proofs_section(w: Write, goals: Goals, proofs: ProofResult) -> None:
    """4. Inclusion proofs at 1,000 and at 1,000,000 leaves."""
    w(f"\n4. inclusion_proof over MemoryNodes ({PROOF_SAMPLES:,} random indices per size and repeat; per call)\n")
    header = f"   {'tree':<34} {'hashes':>6}  {'median µs':>22}  {'mean µs':>8}  {'/ 1,000 leaves':>17}  goal"
    w(header + "\n   " + "-" * (len(header) - 3) + "\n")
    labels = list(proofs.medians_ns)
    base = labels[0]
    for label in labels:
        us = [v / 1e3 for v in proofs.medians_ns[label]]
        cell = f"{statistics.median(us):6.2f} ({min(us):.2f}–{max(us):.2f})"
        mean = statistics.median(proofs.means_ns[label]) / 1e3
        if label == base:
            w(f"   {label:<34} {proofs.hashes[label]:>6}  {cell:>22}  {mean:8.2f}  {'1.00':>17}  (the base)\n")
            continue
        r = ratios(proofs.medians_ns[label], proofs.medians_ns[base])
        median = statistics.median(r)
        goal = verdict(median, GOAL_PROOF, at_least=False) if label == labels[1] else "(info)"
        w(f"   {label:<34} {proofs.hashes[label]:>6}  {cell:>22}  {mean:8.2f}  {spread_ratio(r):>17}  {goal}\n")
        if label == labels[1]:
            goals.append((f"4. inclusion proof at {label} / at {base}", f"{median:.2f}×", goal))
    builds = ", ".join(f"{size:,}: {seconds:.2f} s" for size, seconds in proofs.build_s.items())
    w(f"   building the stores (untimed above): {builds}\n")


def goals_table(goals: list[tuple[str, str, str]]) -> str:
    width = max(len(g[0]) for g in goals)
    lines = ["\nGoals (medians of per-repeat ratios; a goal is reported, never enforced)"]
    lines += [f"   {name:<{width}}  {value:>6}  {result}" for name, value, result in goals]
    return "\n".join(lines) + "\n"
