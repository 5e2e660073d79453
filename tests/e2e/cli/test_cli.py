"""The `parledger` console script, run as a user runs it: a subprocess, no terminal, settings in the environment.

A module-scoped instance goes through the whole life of a small ledger (init, a new key,
statements signed by the root and by an officer, a PDF with a Vietnamese file name);
each test then reads what the commands printed and what they stored. Tampering is done
on a copy of the instance, as an inspector would work on a copy of the database.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from demo.pdf import demo_pdf

PARLEDGER = Path(sys.executable).with_name("parledger")
PASSPHRASE = "Mật khẩu thử nghiệm 2024"
DOCUMENT_NAME = "Báo cáo CCHC 2024.pdf"
DOCUMENT_SUBJECT = "submission/document/323/2024/bao-cao-cchc"
CYCLE_2024 = {
    "deadlines": {
        "results_published": "2024-11-01",
        "results_transmitted": "2024-11-05",
        "ratings_published": "2024-11-15",
    }
}


PDF = demo_pdf("Bao cao ket qua CCHC nam 2024")


@dataclass
class Site:
    """A working folder with an instance, and what each setup command printed."""

    cwd: Path
    instance: Path
    database: Path
    outputs: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    officer_key_id: str = ""

    def env(self, **overrides: str | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "PARLEDGER_"))}
        env.update(
            LEDGER_INSTANCE=str(self.instance),
            LEDGER_DATABASE_URL=f"sqlite:///{self.database}",
            PARLEDGER_PASSPHRASE=PASSPHRASE,
        )
        for name, value in overrides.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return env

    def run(self, *args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
        """Run `parledger ARGS` with no stdin, as a script or a cron job would."""
        return subprocess.run(
            [str(PARLEDGER), *args],
            cwd=self.cwd,
            env=self.env(**env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )

    def ok(self, *args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
        result = self.run(*args, **env)
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        return result

    def statement(self, name: str, statement_type: str, subject: str, body: dict[str, Any]) -> str:
        """Write a statement file; return its name."""
        path = self.cwd / f"{name}.json"
        document = {"type": statement_type, "subject": subject, "body": body}
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        return path.name

    def log_rows(self) -> int:
        connection = sqlite3.connect(self.database)
        try:
            ((count,),) = connection.execute("SELECT COUNT(*) FROM ledger_log").fetchall()
            return int(count)
        finally:
            connection.close()

    def copy(self, target: Path) -> Site:
        """The same instance, copied (an inspector's copy of the database)."""
        shutil.copytree(self.cwd, target)
        return Site(target, target / "instance", target / "instance" / "ledger.sqlite3")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """init → keys new → the root registers 323, an officer, their key and cycle 2024 → the officer files a PDF."""
    cwd = tmp_path_factory.mktemp("cli")
    site = Site(cwd, cwd / "instance", cwd / "instance" / "ledger.sqlite3")
    site.outputs["init"] = site.ok("init", "--root-key", "root.key")
    site.outputs["keys new"] = keys = site.ok("keys", "new", "officer.key")
    lines = dict(line.split(":", 1) for line in keys.stdout.splitlines())
    site.officer_key_id, public_key = lines["key id"].strip(), lines["public key"].strip()
    root_statements = [
        ("unit", "unit.register", "unit/323", {"name": "Thành phố Hưng Yên", "class": "district"}),
        (
            "officer",
            "officer.register",
            "officer/hy.chuyen-vien",
            {"name": "Nguyễn Thị Hương", "unit": "323", "roles": ["officer"]},
        ),
        (
            "key",
            "key.register",
            f"key/{site.officer_key_id}",
            {"public_key": public_key, "officer": "hy.chuyen-vien"},
        ),
        ("cycle", "cycle.open", "cycle/2024", CYCLE_2024),
    ]
    for name, statement_type, subject, body in root_statements:
        site.outputs[name] = site.ok("submit", site.statement(name, statement_type, subject, body), "--key", "root.key")
    (cwd / DOCUMENT_NAME).write_bytes(PDF)
    report = {
        "title": "Báo cáo kết quả thực hiện cải cách hành chính năm 2024",
        "issued_on": "2024-12-15",
        "document": {"file": DOCUMENT_NAME},
    }
    document = site.statement("report", "submission.document", DOCUMENT_SUBJECT, report)
    site.outputs["report"] = site.ok("submit", document, "--key", "officer.key")
    return site


# The happy path --------------------------------------------------------------------------


def test_init_records_entry_1_and_pins_the_root_key(site: Site) -> None:
    out = site.outputs["init"].stdout
    assert out.startswith("appended entry 1: ledger.initialise authority\n")
    pinned = json.loads((site.instance / "config.json").read_text())["root_key_id"]
    assert f"root key pinned: {pinned}" in out
    assert json.loads((site.cwd / "root.key").read_text())["key_id"] == pinned
    assert (site.cwd / "root.key").read_bytes().count(b"\n") == 1  # one line, no private key in clear


def test_keys_new_prints_the_key_id_and_writes_a_protected_key_file(site: Site) -> None:
    saved = json.loads((site.cwd / "officer.key").read_text())
    assert saved["key_id"] == site.officer_key_id
    assert (saved["format"], saved["kdf"]["name"]) == ("par-ledger-key/v2", "PBKDF2-HMAC-SHA256")
    assert site.officer_key_id.startswith("ed25519:")


def test_statements_are_appended_in_order_with_receipts(site: Site) -> None:
    expected = [
        ("unit", 2, "unit.register unit/323"),
        ("officer", 3, "officer.register officer/hy.chuyen-vien"),
        ("key", 4, f"key.register key/{site.officer_key_id}"),
        ("cycle", 5, "cycle.open cycle/2024"),
        ("report", 6, f"submission.document {DOCUMENT_SUBJECT}"),
    ]
    for name, seq, what in expected:
        first, second = site.outputs[name].stdout.splitlines()[:2]
        assert first == f"appended entry {seq}: {what}"
        assert second.startswith("  event ")
        assert ", leaf " in second


def test_an_attached_pdf_with_a_vietnamese_name_is_stored_by_its_hash(site: Site) -> None:
    digest = hashlib.sha256(PDF).hexdigest()
    stored = site.instance / "documents" / "sha256" / digest[:2] / digest[2:4] / digest
    assert stored.read_bytes() == PDF
    assert list((site.instance / "documents" / "quarantine").glob("*/*")) == []  # signed at once: moved in

    shown = site.ok("show", DOCUMENT_SUBJECT).stdout

    assert shown.startswith(f"{DOCUMENT_SUBJECT}  (Submission, version 1)\n")
    assert unicodedata.normalize("NFC", DOCUMENT_NAME) in shown
    assert digest in shown
    assert "Báo cáo kết quả thực hiện cải cách hành chính năm 2024" in shown
    history = shown.split("history:\n", 1)[1].splitlines()
    assert len(history) == 1
    assert history[0].split()[0] == "#6"
    assert "submission.document" in history[0]
    assert f"323/hy.chuyen-vien ({site.officer_key_id[:16]}…)" in history[0]


def test_the_document_of_a_refused_submit_waits_in_quarantine_until_documents_sweep_removes_it(
    site: Site, tmp_path: Path
) -> None:
    copy = site.copy(tmp_path / "copy")
    appendix = demo_pdf("Phu luc bao cao CCHC 2024")
    (copy.cwd / "Phụ lục.pdf").write_bytes(appendix)
    body = {"title": "Phụ lục", "issued_on": "2024-13-45", "document": {"file": "Phụ lục.pdf"}}
    statement = copy.statement("appendix", "submission.document", "submission/document/323/2024/phu-luc", body)

    refused = copy.run("submit", statement, "--key", "officer.key")

    assert refused.returncode == 1
    digest = hashlib.sha256(appendix).hexdigest()
    held = copy.instance / "documents" / "quarantine" / "hy.chuyen-vien" / digest
    assert held.read_bytes() == appendix
    assert not (copy.instance / "documents" / "sha256" / digest[:2] / digest[2:4] / digest).exists()
    assert copy.ok("documents", "sweep").stdout == "removed 0 unsigned upload(s) older than 24 hours\n"
    day_ago = held.stat().st_mtime - 24 * 3600
    os.utime(held, (day_ago, day_ago))
    assert copy.ok("documents", "sweep").stdout == "removed 1 unsigned upload(s) older than 24 hours\n"
    assert not held.exists()


def test_show_lists_a_unit_with_its_history(site: Site) -> None:
    shown = site.ok("show", "unit/323").stdout
    assert "unit/323  (Unit, version 1)" in shown
    assert "Thành phố Hưng Yên" in shown
    assert "#2" in shown.split("history:\n", 1)[1]
    assert "authority/root" in shown


def test_log_lists_every_entry_oldest_first_with_its_signer(site: Site) -> None:
    lines = site.ok("log").stdout.splitlines()

    assert [line.split()[0] for line in lines] == [f"#{seq}" for seq in range(1, 7)]
    assert "ledger.initialise" in lines[0]
    assert "authority/root" in lines[1]
    assert DOCUMENT_SUBJECT in lines[5]
    assert f"323/hy.chuyen-vien ({site.officer_key_id[:16]}…)" in lines[5]
    assert site.ok("log", "--limit", "2").stdout.splitlines() == lines[-2:]


def test_keys_list_shows_the_registered_key_as_valid(site: Site) -> None:
    (line,) = site.ok("keys", "list").stdout.splitlines()
    assert line.split() == [site.officer_key_id, "hy.chuyen-vien", "valid"]


def test_verify_exits_0_on_an_untouched_ledger(site: Site) -> None:
    result = site.ok("verify")
    assert result.stdout == "OK: 6 entries verified\n"


def test_verify_exits_1_naming_the_entry_whose_stored_bytes_changed(site: Site, tmp_path: Path) -> None:
    copy = site.copy(tmp_path / "copy")
    connection = sqlite3.connect(copy.database)
    with connection:
        ((originator_id, version),) = connection.execute(
            "SELECT originator_id, originator_version FROM ledger_log WHERE seq = 6"
        ).fetchall()
        ((state,),) = connection.execute(
            "SELECT state FROM stored_events WHERE originator_id = ? AND originator_version = ?",
            (originator_id, version),
        ).fetchall()
        changed = bytearray(state)
        at = changed.index(b'"payload":"') + 40
        changed[at] = ord("B") if changed[at] != ord("B") else ord("C")
        connection.execute(
            "UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = ?",
            (bytes(changed), originator_id, version),
        )
    connection.close()

    result = copy.run("verify")

    assert result.returncode == 1
    faults = [line for line in result.stdout.splitlines() if line.startswith("FAULT ")]
    assert faults
    assert all(line.startswith("FAULT entry 6: ") for line in faults)
    assert any("does not verify" in line for line in faults)
    assert result.stdout.splitlines()[-1] == f"{len(faults)} fault(s) in 6 entries"
    assert "Traceback" not in result.stderr
    assert site.ok("verify").returncode == 0  # the original is untouched


# Errors: one line on stderr, exit status 1, nothing stored -----------------------------------


def _bad_json(site: Site) -> tuple[list[str], dict[str, str | None]]:
    (site.cwd / "broken.json").write_text('{"type": "unit.register", "subject": ', encoding="utf-8")
    return ["submit", "broken.json", "--key", "root.key"], {}


def _wrong_passphrase(site: Site) -> tuple[list[str], dict[str, str | None]]:
    return ["submit", "unit.json", "--key", "root.key"], {"PARLEDGER_PASSPHRASE": "mật khẩu sai"}


def _no_passphrase(site: Site) -> tuple[list[str], dict[str, str | None]]:
    return ["submit", "unit.json", "--key", "root.key"], {"PARLEDGER_PASSPHRASE": None}


def _unknown_subject(site: Site) -> tuple[list[str], dict[str, str | None]]:
    return ["show", "unit/KHONG-CO"], {}


def _refused_field(site: Site) -> tuple[list[str], dict[str, str | None]]:
    name = site.statement("galaxy", "unit.register", "unit/999", {"name": "Đơn vị lạ", "class": "galaxy"})
    return ["submit", name, "--key", "root.key"], {}


def _duplicate(site: Site) -> tuple[list[str], dict[str, str | None]]:
    return ["submit", "unit.json", "--key", "root.key"], {}


def _not_a_pdf(site: Site) -> tuple[list[str], dict[str, str | None]]:
    (site.cwd / "Giả mạo.pdf").write_text("đây không phải là PDF", encoding="utf-8")
    body = {"title": "Tài liệu giả", "issued_on": "2024-12-16", "document": {"file": "Giả mạo.pdf"}}
    name = site.statement("fake", "submission.document", "submission/document/323/2024/gia-mao", body)
    return ["submit", name, "--key", "officer.key"], {}


def _missing_file(site: Site) -> tuple[list[str], dict[str, str | None]]:
    body = {"title": "Tài liệu", "issued_on": "2024-12-16", "document": {"file": "không có.pdf"}}
    name = site.statement("missing", "submission.document", "submission/document/323/2024/khong-co", body)
    return ["submit", name, "--key", "officer.key"], {}


def _not_authorised(site: Site) -> tuple[list[str], dict[str, str | None]]:
    name = site.statement("usurp", "unit.register", "unit/998", {"name": "Đơn vị mới", "class": "department"})
    return ["submit", name, "--key", "officer.key"], {}


@pytest.mark.parametrize(
    ("make", "says"),
    [
        pytest.param(_bad_json, "broken.json is not valid JSON", id="bad-json"),
        pytest.param(_wrong_passphrase, "wrong passphrase", id="wrong-passphrase"),
        pytest.param(_no_passphrase, "set PARLEDGER_PASSPHRASE", id="no-passphrase-no-terminal"),
        pytest.param(_unknown_subject, "the ledger holds nothing about unit/KHONG-CO", id="unknown-subject"),
        pytest.param(_refused_field, "body.class: must be one of", id="refused-field"),
        pytest.param(_duplicate, "subject: unit/323 already exists", id="duplicate"),
        pytest.param(_not_a_pdf, "body.document: is not a PDF", id="not-a-pdf"),
        pytest.param(_missing_file, "body.document: cannot read", id="missing-file"),
        pytest.param(
            _not_authorised, "only the ledger authority or an administrator registers units", id="not-authorised"
        ),
    ],
)
def test_an_error_is_one_line_on_stderr_with_exit_status_1_and_stores_nothing(site: Site, make: Any, says: str) -> None:
    args, env = make(site)
    before = site.log_rows()

    result = site.run(*args, **env)

    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("parledger: error: ")
    assert says in line
    assert site.log_rows() == before


def test_a_usage_error_exits_2(site: Site) -> None:
    result = site.run("submit")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


# The demo --------------------------------------------------------------------------------


def test_demo_loads_a_province_that_verifies(tmp_path: Path) -> None:
    demo = Site(tmp_path, tmp_path / "instance", tmp_path / "instance" / "ledger.sqlite3")

    loaded = demo.run("demo", "--no-serve")

    assert loaded.returncode == 0, loaded.stderr
    assert "Traceback" not in loaded.stderr
    assert "loaded " in loaded.stdout
    entries = int(loaded.stdout.split("loaded ", 1)[1].split()[0])
    assert entries == demo.log_rows() > 0
    assert json.loads((demo.instance / "config.json").read_text())["root_key_id"].startswith("ed25519:")
    assert any((demo.instance / "keys").iterdir())
    assert demo.ok("verify").stdout == f"OK: {entries} entries verified\n"
    again = demo.ok("demo", "--no-serve")
    assert f"already holds {entries} entries" in again.stdout
    assert demo.log_rows() == entries
