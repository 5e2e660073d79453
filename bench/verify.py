"""Offline verification throughput: the inspector against bare Ed25519, hashlib and proof floors.

One run prints four figures of merit, each as a ratio to a floor measured in the same run:

1. The offline inspector (``ledger.tlog.inspection.Inspector``, 1 worker) reading a real bundle
   from disk (``write_bundle`` then ``Bundle.open`` → ``entries()`` / ``checkpoints()``),
   in events/s, against a bare ``Ed25519PublicKey.verify`` loop over *the same signatures*
   (goal >= 0.8x). Two variants:
   (a) the export holds every checkpoint (the ledger signs one after every append, so one
       per entry): the floor verifies every entry signature and every checkpoint signature;
   (b) the export holds only the latest checkpoint: the floor verifies the entry signatures.
2. The same with ``workers=2`` (goal >= 1.5x of one worker), with the bare loop split over
   2 threads as the machine's ceiling (Ed25519 verify releases the GIL).
3. The Merkle root of the export by the ledger's code against a bare ``hashlib`` loop
   computing the same root (goal <= 2x its time).
4. ``ledger.tlog.merkle.inclusion_proof`` over a ``MemoryNodes`` store (the NodeReader path the
   ledger uses) at 1,000 and at 1,000,000 leaves (goal: the second <= 3x the first).

The export is synthetic but shaped like a real one, and deterministic: ``ledger.initialise``
with a root key, units, ~50 officers each with ``officer.register`` and ``key.register``,
then ordinary statements (canonical JSON payloads of ~300-600 B, as in demo/loader.py) signed
by the officers over ``PAE(PAYLOAD_TYPE, payload)``, framed as ``Leaf``, appended to a
``MemoryNodes`` tree, and a signed checkpoint note (``NoteSigner``) per tree size. It is
cached under the system temporary directory, keyed by size and by the sources that shape
it, so a second run skips generation.

Method (/work/shared/research/perf-physics.md): this is a noisy 2-vCPU box, so each
section runs its variants interleaved, rotating their order every repeat; figures are
medians of the repeats, and ratios are medians of the per-repeat ratios (min-max given).
Compare ratios, not absolute rates across runs.

    .venv/bin/python bench/verify.py [--entries 100000] [--repeats 5] [--quick] [--profile]

It prints figures and goals and never fails on a goal: it exits non-zero only on errors
(for example an export the inspector does not find OK).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import sys
import time

from context import ROOT, load, machine

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench_support import printer
from verifying.export import Export, export
from verifying.floors import prepare_floors
from verifying.report import goals_table, report
from verifying.sections import bench_merkle, bench_proofs, bench_verify, run_inspector
from verifying.statements import OFFICER_COUNT, UNITS

QUICK_ENTRIES = 20_000
QUICK_REPEATS = 3


def profile_inspector(exp: Export, n: int, top: int) -> str:
    text = io.StringIO()
    for label, path in (("(a) all checkpoints", exp.all_checkpoints), ("(b) latest checkpoint only", exp.latest_only)):
        profile = cProfile.Profile()
        gc.collect()
        profile.enable()
        run_inspector(path, 1, n)
        profile.disable()
        stats = pstats.Stats(profile, stream=text)
        stats.strip_dirs()
        text.write(f"\n=== cProfile of one inspector run, workers=1, {label}, {n:,} entries ===\n")
        stats.sort_stats("tottime").print_stats(top)
    return text.getvalue()


def arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line, checked."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=100_000, help="entries in the export (default 100000)")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved repeats per section (default 5)")
    parser.add_argument(
        "--quick", action="store_true", help=f"smoke run: {QUICK_ENTRIES:,} entries, {QUICK_REPEATS} repeats"
    )
    parser.add_argument("--profile", action="store_true", help="also cProfile one inspector run per variant")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    if args.quick:
        args.entries, args.repeats = QUICK_ENTRIES, QUICK_REPEATS
    minimum = 1 + len(UNITS) + 2 * OFFICER_COUNT + 1
    if args.entries < minimum or args.repeats < 1:
        parser.error(f"--entries must be at least {minimum} and --repeats at least 1")
    return args


def describe(exp: Export, cached: bool) -> str:
    """The export and what is compared, as printed before the runs."""
    meta = exp.meta
    n = meta["entries"]
    size = meta["payload_bytes"]
    files = meta["files_bytes"]
    return (
        f"export: {n:,} entries, {n:,} checkpoints (one per size) — "
        f"{'cached' if cached else 'generated'} in {exp.all_checkpoints.parent} "
        f"(generation took {meta['generation_s']} s, of which signing and framing {meta['signing_s']} s)\n"
        f"  1 ledger.initialise, {len(UNITS)} unit.register, {OFFICER_COUNT} officer.register + {OFFICER_COUNT} "
        f"key.register (root-signed), then statements by {OFFICER_COUNT} officers: "
        + ", ".join(f"{k} {v:,}" for k, v in meta["kinds"].items() if v > OFFICER_COUNT)
        + f"\n  payloads {size['mean']:.0f} B on average (ordinary statements: 5–95% {size['ordinary_p5']}–"
        f"{size['ordinary_p95']} B, min {size['ordinary_min']}, max {size['ordinary_max']}); leaves "
        f"{meta['leaf_bytes_mean']:.0f} B; entries.jsonl {files['entries.jsonl'] / 1e6:.0f} MB, "
        f"checkpoints.jsonl {files['checkpoints.jsonl'] / 1e6:.0f} MB\n"
        "  (a) = bundle with every checkpoint: the inspector checks 2 signatures per event (the entry's statement and\n"
        "      its checkpoint note); (b) = the same entries with only the latest checkpoint: 1 signature per event.\n"
        "  inspector = Bundle.open + Inspector(...).inspect(bundle.entries(), bundle.checkpoints()), as\n"
        "      `parledger verify --bundle` runs it (without the documents check), reading the files each run.\n"
        "  bare loop = Ed25519PublicKey.verify(signature, message) over pre-parsed (key, signature, message)\n"
        "      triples of exactly those signatures, held in memory; 2 threads = the same list split in halves."
    )


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    progress = printer(args.quiet)
    started = time.perf_counter()
    print("PAR Ledger offline verification benchmark: bench/verify.py")
    print(machine(("cryptography",), ("ledger", "keys")))
    print(f"at start: {load()}")
    exp, cached = export(args.entries, progress)
    n = exp.meta["entries"]
    print(describe(exp, cached))
    prepared = time.perf_counter()
    floors = prepare_floors(exp)
    gc.collect()
    gc.freeze()  # the floors' ~n tuples stay out of every later collection
    progress(f"  floors read from the bundle in {time.perf_counter() - prepared:.1f} s; {load()}")
    verify, verify_cpu = bench_verify(exp, floors, args.repeats, progress)
    merkle = bench_merkle(floors, args.repeats)
    progress(f"  Merkle section done; {load()}")
    del floors
    gc.unfreeze()
    gc.collect()
    proofs = bench_proofs(args.repeats, progress)
    text, goals = report(exp.meta, n, verify, verify_cpu, merkle, proofs)
    print(text, end="")
    print(goals_table(goals), end="")
    print(f"\nwall time {time.perf_counter() - started:.0f} s; at the end: {load()}")
    if args.profile:
        print(profile_inspector(exp, n, top=25))
    return 0


if __name__ == "__main__":
    sys.exit(main())
