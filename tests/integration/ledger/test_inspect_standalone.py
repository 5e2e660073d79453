"""``python -m ledger.inspect`` runs with nothing but Python and ``cryptography``.

An inspector follows the bundle's README: a copy of the few source files it lists, in a
fresh virtual environment (``venv --without-pip``) that holds ``cryptography`` alone, with
the packages it needs at run time (``cffi``, ``pycparser``) copied from this environment
(the test runs offline, so nothing is installed from an index). Nothing else of the
product is there: Flask, click, eventsourcing, psycopg, marshmallow, rfc8785 and ``keys``
cannot be imported in it. The bundle is the demo's, exported by the project's own CLI in
the normal environment (``parledger demo --no-serve`` into a new instance, then
``parledger export``); the inspector must pass it with the report and exit status of
``parledger verify --bundle``, and fail a bundle with one entry changed, naming the entry.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import site
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from ledger.tlog.bundle import README

ROOT_DIR = Path(__file__).resolve().parents[3]
PARLEDGER = Path(sys.executable).with_name("parledger")
PASSPHRASE = "Mật khẩu thử nghiệm 2024"
#: The product's other dependencies, and its own packages above the log: none may be importable.
ABSENT = ("flask", "click", "eventsourcing", "psycopg", "marshmallow", "rfc8785", "keys", "werkzeug", "openpyxl")
#: What the inspector needs at run time besides the standard library.
RUNTIME = ("cryptography", "cffi", "pycparser", "_cffi_backend")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without this project's settings or Python's path variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "PARLEDGER_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(extra)
    return env


def the_files_the_readme_lists() -> list[str]:
    """The source files the bundle's README tells an inspector to copy (globs expanded)."""
    listed = README.split("keeping their folders, and nothing else:", 1)[1].split("then,", 1)[0]
    files: list[str] = []
    for pattern in listed.split():
        files.extend(sorted(str(p.relative_to(ROOT_DIR)) for p in ROOT_DIR.glob(pattern)))
    return files


def copy_runtime(into: Path) -> None:
    """Copy cryptography and what it imports at run time from this environment into `into`."""
    here = Path(site.getsitepackages()[0])
    copied = 0
    for entry in sorted(here.iterdir()):
        name = entry.name.split(".")[0].split("-")[0]
        if name not in RUNTIME:
            continue
        target = into / entry.name
        if entry.is_dir():
            shutil.copytree(entry, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(entry, target)
        copied += 1
    assert copied >= 2, f"cryptography is not installed in {here}"


@dataclass(frozen=True)
class Inspector:
    """A virtual environment with cryptography alone, and a copy of the inspector's sources."""

    python: Path
    sources: Path

    def run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.python), *map(str, args)],
            cwd=self.sources,
            env=clean_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            encoding="utf-8",
            timeout=300,
            check=False,
        )

    def inspect(self, bundle: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return self.run("-m", "ledger.inspect", bundle, *args)


@pytest.fixture(scope="module")
def inspector(tmp_path_factory: pytest.TempPathFactory) -> Inspector:
    root = tmp_path_factory.mktemp("inspector")
    sources = root / "sources"
    for name in the_files_the_readme_lists():
        (sources / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT_DIR / name, sources / name)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, env=clean_env())
    python = venv / "bin" / "python"
    venv_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
        env=clean_env(),
    ).stdout.strip()
    copy_runtime(Path(venv_site))
    return Inspector(python, sources)


@dataclass(frozen=True)
class Demo:
    """The demo province's bundle, and what ``parledger verify --bundle`` said of it."""

    bundle: Path
    verified: subprocess.CompletedProcess[str]

    def parledger_verify(self, bundle: Path) -> subprocess.CompletedProcess[str]:
        return parledger(self.bundle.parent, "verify", "--bundle", bundle)


def parledger(cwd: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """``parledger ARGS`` in the normal environment, on the instance in `cwd`."""
    return subprocess.run(
        [str(PARLEDGER), *map(str, args)],
        cwd=cwd,
        env=clean_env(
            LEDGER_INSTANCE=str(cwd / "instance"),
            LEDGER_DATABASE_URL=f"sqlite:///{cwd / 'instance' / 'ledger.sqlite3'}",
            PARLEDGER_PASSPHRASE=PASSPHRASE,
        ),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        encoding="utf-8",
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    cwd = tmp_path_factory.mktemp("demo")
    loaded = parledger(cwd, "demo", "--no-serve")
    assert loaded.returncode == 0, loaded.stderr
    exported = parledger(cwd, "export", "--out", cwd / "bundle")
    assert exported.returncode == 0, exported.stderr
    verified = parledger(cwd, "verify", "--bundle", cwd / "bundle")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    return Demo(cwd / "bundle", verified)


def tampered_copy(bundle: Path, into: Path, seq: int) -> Path:
    """A copy of `bundle` whose entry `seq` has one payload byte changed."""
    shutil.copytree(bundle, into)
    entries = into / "entries.jsonl"
    records = [json.loads(line) for line in entries.read_text().splitlines()]
    record = next(r for r in records if r["seq"] == seq)
    leaf = base64.b64decode(record["leaf"])
    head, payload64, tail = re.match(rb"(.*\npayload )([A-Za-z0-9+/=]+)(\n.*)", leaf, re.DOTALL).groups()  # type: ignore[union-attr]
    payload = bytearray(base64.b64decode(payload64))
    payload[len(payload) // 2] ^= 0x01
    record["leaf"] = base64.b64encode(head + base64.b64encode(bytes(payload)) + tail).decode()
    entries.write_text("".join(json.dumps(r) + "\n" for r in records))
    return into


def test_the_inspectors_environment_holds_cryptography_and_nothing_of_the_application(inspector: Inspector) -> None:
    probe = inspector.run(
        "-c",
        "import importlib.util, json, ledger.inspect, cryptography\n"
        f"absent = {ABSENT!r}\n"
        "print(json.dumps({'importable': [m for m in absent if importlib.util.find_spec(m)],"
        " 'ledger': ledger.inspect.__file__}))",
    )

    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout)
    assert found["importable"] == []
    assert Path(found["ledger"]).is_relative_to(inspector.sources)


def test_the_standalone_inspector_passes_the_demo_bundle_with_the_report_of_parledger_verify(
    inspector: Inspector, demo: Demo, tmp_path: Path
) -> None:
    state = tmp_path / "last-checkpoint.note"

    result = inspector.inspect(demo.bundle, "--state", state, "--workers", "2")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert result.stdout == demo.verified.stdout
    assert result.stdout.startswith("OK: ")
    assert " entries verified against checkpoint " in result.stdout
    assert state.read_bytes().startswith(b"hungyen.gov.vn/par-ledger\n")
    assert inspector.inspect(demo.bundle, "--state", state).stdout == demo.verified.stdout


def test_the_standalone_inspector_fails_a_bundle_with_one_entry_changed_naming_the_entry(
    inspector: Inspector, demo: Demo, tmp_path: Path
) -> None:
    bundle = tampered_copy(demo.bundle, tmp_path / "tampered", seq=7)

    result = inspector.inspect(bundle)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAULT entry 7: " in result.stdout
    assert "fault(s);" in result.stdout.splitlines()[-1]
    parledger_said = demo.parledger_verify(bundle)
    assert (result.returncode, result.stdout) == (parledger_said.returncode, parledger_said.stdout)


def test_the_standalone_inspector_refuses_a_folder_that_is_no_bundle_in_one_line(
    inspector: Inspector, tmp_path: Path
) -> None:
    result = inspector.inspect(tmp_path)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"python -m ledger.inspect: error: {tmp_path / 'entries.jsonl'} is missing: " + (
        "this is not a complete inspector bundle\n"
    )
