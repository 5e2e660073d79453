"""What the benchmark scripts share: timing, goals, canonical payloads and the cache of generated data.

Each script runs with this folder on ``sys.path`` (``python bench/x.py``) and puts the project
root before it, so the modules here and the packages beside them import by their plain names.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from context import ROOT

DEFAULT_POSTGRES_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def printer(quiet: bool) -> Callable[[str], None]:
    """The progress callback of a script: print each line at once, unless `quiet`."""

    def progress(line: str) -> None:
        if not quiet:
            print(line, flush=True)

    return progress


# Timing ----------------------------------------------------------------------------------


def timed(fn: Callable[[], object], cpu: list[float] | None = None) -> float:
    """Wall time of ``fn()`` after a collection; if ``cpu`` is given, append the process's CPU time to it."""
    gc.collect()
    started, cpu_started = time.perf_counter(), time.process_time()
    fn()
    wall = time.perf_counter() - started
    if cpu is not None:
        cpu.append(time.process_time() - cpu_started)
    return wall


def rotated(items: list[Any], repeat: int) -> list[Any]:
    """`items` rotated by `repeat`: each repeat starts with the next variant."""
    k = repeat % len(items)
    return items[k:] + items[:k]


def verdict(value: float, goal: float, *, at_least: bool, places: int) -> str:
    """Whether `value` meets `goal` (≥ if `at_least`, else ≤), the goal written with `places` decimals."""
    met = value >= goal if at_least else value <= goal
    return f"{'≥' if at_least else '≤'} {goal:.{places}f}×: {'met' if met else 'NOT met'}"


def spread(values: list[float], fmt: str = ",.0f") -> str:
    """The median of `values`, then their min–max in brackets."""
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}–{max(values):{fmt}})"


# Payloads --------------------------------------------------------------------------------


def canonical(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: RFC 8785 for generated statements (strings, safe integers, ASCII keys).

    ``ledger.signing.envelope.canonical_json`` gives the same bytes (`checked_payload` compares
    them on a sample) but takes ~110 µs a statement; this takes a few.
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def checked_payload(statement: dict[str, Any], *, check: bool, seq: int) -> bytes:
    """The canonical payload of `statement`; if `check`, compared with the ledger's own encoder."""
    payload = canonical(statement)
    if check:
        from ledger.signing.envelope import canonical_json  # the reference encoder

        if canonical_json(statement) != payload:
            raise RuntimeError(f"entry {seq}: the payload is not RFC 8785 canonical JSON")
    return payload


# The cache of generated data -------------------------------------------------------------


def cache_key(size: int, generator: str, code: Sequence[Path], sources: Sequence[str]) -> str:
    """Size, generator version, the generator's `code` and the project `sources` that shape the bytes."""
    digest = hashlib.sha256(generator.encode())
    for path in code:
        digest.update(path.read_bytes())
    for name in sources:
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes())
    return f"{size}-{digest.hexdigest()[:12]}"


def cached(root: Path, key: str, build: Callable[[Path], object]) -> tuple[Path, bool]:
    """The folder `root`/`key`, built by `build` into a fresh folder if it holds no meta.json; and
    whether it was there. A folder of another key (another generator or sources) is stale and removed."""
    final = root / key
    if (final / "meta.json").is_file():
        return final, True
    root.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=root))
    try:
        build(building)
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(final)  # a partial leftover without meta.json
        os.replace(building, final)
        digest = final.name.rsplit("-", 1)[1]
        for stale in root.glob("*-*"):
            if stale.is_dir() and not stale.name.startswith(".") and not stale.name.endswith(f"-{digest}"):
                shutil.rmtree(stale, ignore_errors=True)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return final, False
