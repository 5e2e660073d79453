"""The measured sections of the verify benchmark: the inspector against the bare loops (1 and 2), the Merkle
root against bare hashlib (3), inclusion proofs at two tree sizes (4)."""

from __future__ import annotations

import gc
import hashlib
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench_support import rotated, timed
from context import load

from ledger.tlog.bundle import Bundle
from ledger.tlog.inspection import Inspector
from ledger.tlog.log import leaf_hash
from ledger.tlog.merkle import MemoryNodes, inclusion_proof, root_at, root_from_leaf_hashes, verify_inclusion
from ledger.tlog.notes import NoteVerifier

from .export import Export
from .floors import Floors, bare_loop, bare_threads

PROOF_SIZES = (1_000, 1_000_000)
PROOF_SAMPLES = 10_000  # random indices per tree size, per repeat


# 1 + 2: the inspector against the bare loops ------------------------------------------


def run_inspector(path: Path, workers: int, entries: int) -> None:
    """What ``parledger verify --bundle`` does, minus printing; raises unless the report is OK."""
    bundle = Bundle.open(path)
    inspector = Inspector(
        log_vkey=bundle.log_vkey,
        origin=NoteVerifier(bundle.log_vkey).name,
        root_key_id=bundle.root_key_id or None,
        witness_vkeys=bundle.witnesses,
        workers=workers,
    )
    report = inspector.inspect(bundle.entries(), bundle.checkpoints())
    if not report.ok or report.entries != entries or report.checkpoint is None or report.checkpoint.size != entries:
        raise RuntimeError(f"the inspector did not find the export OK ({path}):\n{str(report)[:2000]}")


def read_only(path: Path) -> None:
    """Stream the bundle as the inspector gets it, doing nothing else: the reading floor."""
    bundle = Bundle.open(path)
    for _ in bundle.entries():
        pass
    for _ in bundle.checkpoints():
        pass


def bench_verify(
    exp: Export, floors: Floors, repeats: int, progress: Callable[[str], None]
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    n = len(floors.leaves)
    both = floors.entry_checks + floors.checkpoint_checks
    variants: dict[str, Callable[[], object]] = {
        "inspector a w1": lambda: run_inspector(exp.all_checkpoints, 1, n),
        "inspector a w2": lambda: run_inspector(exp.all_checkpoints, 2, n),
        "inspector b w1": lambda: run_inspector(exp.latest_only, 1, n),
        "inspector b w2": lambda: run_inspector(exp.latest_only, 2, n),
        "bare a t1": lambda: bare_loop(both),
        "bare a t2": lambda: bare_threads(both, 2),
        "bare b t1": lambda: bare_loop(floors.entry_checks),
        "bare b t2": lambda: bare_threads(floors.entry_checks, 2),
        "read a": lambda: read_only(exp.all_checkpoints),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    timed(variants["read a"])  # warm-up: the page cache and the code paths of reading
    for repeat in range(repeats):
        started = time.perf_counter()
        for name in rotated(list(variants), repeat):
            times[name].append(timed(variants[name], cpu[name]))
        a = times["bare a t1"][-1] / times["inspector a w1"][-1]
        b = times["bare b t1"][-1] / times["inspector b w1"][-1]
        progress(
            f"  verify repeat {repeat + 1}/{repeats}: (a) {n / times['inspector a w1'][-1]:,.0f} ev/s = {a:.2f}× bare, "
            f"(b) {n / times['inspector b w1'][-1]:,.0f} ev/s = {b:.2f}× bare; "
            f"w2/w1 {times['inspector a w1'][-1] / times['inspector a w2'][-1]:.2f} / "
            f"{times['inspector b w1'][-1] / times['inspector b w2'][-1]:.2f} "
            f"({time.perf_counter() - started:.0f} s; {load()})"
        )
    return times, cpu


# 3: the Merkle root -------------------------------------------------------------------


def bare_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 MTH with hashlib and nothing else: leaf hashes, then level by level."""
    sha = hashlib.sha256
    level = [sha(b"\x00" + leaf).digest() for leaf in leaves]
    while len(level) > 1:
        nxt = [sha(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) & 1:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def merkle_variants(leaves: list[bytes]) -> dict[str, Callable[[], bytes]]:
    variants: dict[str, Callable[[], bytes]] = {
        "bare hashlib": lambda: bare_root(leaves),
        "root_from_leaf_hashes": lambda: root_from_leaf_hashes([leaf_hash(leaf) for leaf in leaves]),
        "MemoryNodes append + root": lambda: MemoryNodes(map(leaf_hash, leaves)).root(),
    }
    from ledger.tlog.entries import RebuiltTree  # the tree the inspector rebuilds

    def levels() -> bytes:
        tree = RebuiltTree()
        for leaf in leaves:
            tree.append(leaf_hash(leaf))
        return tree.root(len(leaves))

    variants["inspector RebuiltTree append + root"] = levels
    return variants


def bench_merkle(floors: Floors, repeats: int) -> dict[str, list[float]]:
    variants = merkle_variants(floors.leaves)
    for name, fn in variants.items():
        if fn() != floors.latest_root:
            raise RuntimeError(f"{name} does not give the latest checkpoint's root")
    times: dict[str, list[float]] = {name: [] for name in variants}
    for repeat in range(repeats):
        for name in rotated(list(variants), repeat):
            times[name].append(timed(variants[name]))
    return times


# 4: inclusion proofs ------------------------------------------------------------------


@dataclass
class ProofResult:
    build_s: dict[int, float]
    medians_ns: dict[str, list[float]]  # per repeat: the median of the per-call times
    means_ns: dict[str, list[float]]
    hashes: dict[str, int]


def bench_proofs(repeats: int, progress: Callable[[str], None]) -> ProofResult:
    largest = max(PROOF_SIZES)
    hashes = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(largest)]
    stores: dict[int, MemoryNodes] = {}
    build: dict[int, float] = {}
    for size in PROOF_SIZES:
        started = time.perf_counter()
        stores[size] = MemoryNodes(hashes[:size])
        build[size] = time.perf_counter() - started
    progress(f"  built MemoryNodes of {', '.join(f'{s:,}' for s in PROOF_SIZES)} leaves ({sum(build.values()):.1f} s)")
    rng = random.Random(9162)
    # (label, store, tree size, indices): the same indices every repeat.
    cases = [
        (f"{size:,} leaves", stores[size], size, [rng.randrange(size) for _ in range(PROOF_SAMPLES)])
        for size in PROOF_SIZES
    ]
    small = min(PROOF_SIZES)
    cases.append(
        (
            f"{small:,} leaves in the {largest:,} store",
            stores[largest],
            small,
            [rng.randrange(small) for _ in range(PROOF_SAMPLES)],
        )
    )
    lengths: dict[str, int] = {}
    for label, store, size, indices in cases:  # every proof verifies (untimed)
        root = root_at(size, store)
        for index in indices[:500]:
            proof = inclusion_proof(index, size, store)
            verify_inclusion(hashes[index], index, size, proof, root)
        lengths[label] = max(len(inclusion_proof(i, size, store)) for i in indices[:500])
    medians: dict[str, list[float]] = {case[0]: [] for case in cases}
    means: dict[str, list[float]] = {case[0]: [] for case in cases}
    clock = time.perf_counter_ns
    for repeat in range(repeats):
        for label, store, size, indices in rotated(cases, repeat):
            gc.collect()
            samples = []
            append = samples.append
            for index in indices:
                started = clock()
                inclusion_proof(index, size, store)
                append(clock() - started)
            medians[label].append(statistics.median(samples))
            means[label].append(statistics.fmean(samples))
    del stores, hashes
    gc.collect()
    return ProofResult(build, medians, means, lengths)
