"""Where a benchmark ran, printed with its figures: the machine, the software, the code measured, the load.

Shared by the scripts of this folder (each runs with this folder on ``sys.path``).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import platform
import sqlite3
import subprocess
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine(packages: Sequence[str], sources: Sequence[str]) -> str:
    """CPU, OS, Python and `packages` versions, and the version of the `sources` folders measured."""
    model = platform.processor() or "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break

    def version(dist: str) -> str:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return "-"

    versions = ", ".join(f"{name} {version(name)}" for name in packages)
    return (
        f"machine: {os.cpu_count()} logical CPUs ({model}), {platform.system()} {platform.release()}\n"
        f"software: Python {platform.python_version()} ({platform.python_implementation()}), "
        f"SQLite {sqlite3.sqlite_version}, {versions}\n"
        f"code: {code_version(sources)}"
    )


def code_version(sources: Sequence[str]) -> str:
    """The commit, whether the `sources` folders differ from it, and a digest of their Python files."""
    digest = hashlib.sha256()
    for path in sorted(path for folder in sources for path in ROOT.glob(f"{folder}/*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    folders = " or ".join(f"{folder}/" for folder in sources)
    commit = "no git"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        git = ["git", "-C", str(ROOT)]
        commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        commit = commit.stdout.strip()
        changed = subprocess.run(
            [*git, "status", "--porcelain", "--", *sources], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        if changed:
            commit += f" + uncommitted changes in {len(changed)} file(s) of {folders}"
    return f"{commit}; sha256 of {' and '.join(f'{folder}/*.py' for folder in sources)} {digest.hexdigest()[:12]}"


def load() -> str:
    """The load average: other work on the box skews every figure (see perf-physics.md)."""
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load average unknown"
    busy = " — the box is busy; figures are less reliable" if one > 0.5 * (os.cpu_count() or 1) else ""
    return f"load {one:.2f} (1 min), {five:.2f} (5 min){busy}"
