"""The transparency log through the real ``parledger`` console script: receipts, proofs, bundles, state, witness.

Every command runs as a user runs it: a subprocess in its own working folder, settings in
the environment (``LEDGER_INSTANCE``, ``LEDGER_DATABASE_URL``, ``PARLEDGER_PASSPHRASE``),
no stdin, on a SQLite instance. What the commands print is then checked with the
project's stdlib-only verifiers (``ledger.tlog.notes``, ``ledger.tlog.merkle``), as a third party
would check it. A module-scoped instance is built once (init, an officer's key, the
registry and a filed PDF); every test that appends or tampers works on a copy of it.

Trusting a witness: ``parledger witness new`` prints the witness's verifier key; the
ledger trusts its cosignatures once that key is listed in ``instance/config.json``
under ``"witnesses"`` (a JSON list of vkeys), e.g.::

    {"root_key_id": "ed25519:…", "witnesses": ["thanhtra.hungyen.gov.vn/witness+1a2b3c4d+BK…"]}

(``Instance.add_witness`` writes exactly that; there is no command for it, on purpose:
choosing whom to trust is a configuration decision.) The witness's operator then runs
``parledger witness cosign`` on what ``parledger log witness-request`` wrote, and the
ledger's operator stores the cosigned note with ``parledger log cosign``.
"""

from __future__ import annotations

import base64
import json
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import main as parledger_main
from ledger.tlog.log import Leaf, leaf_hash
from ledger.tlog.merkle import verify_consistency, verify_inclusion
from ledger.tlog.notes import Checkpoint, CosignatureVerifier, Note, NoteVerifier, TlogProof, open_checkpoint

PARLEDGER = Path(sys.executable).with_name("parledger")
PASSPHRASE = "Mật khẩu thử nghiệm 2024"
ORIGIN = "hungyen.gov.vn/par-ledger"
WITNESS = "thanhtra.hungyen.gov.vn/witness"
CYCLE_2024 = {
    "deadlines": {
        "results_published": "2024-11-01",
        "results_transmitted": "2024-11-05",
        "ratings_published": "2024-11-15",
    }
}
PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"

# Makes importing any package named in BLOCKED_IMPORTS fail, for the commands that must run without them.
BLOCKER = """\
import importlib.abc
import os
import sys

BLOCKED = set(os.environ["BLOCKED_IMPORTS"].split())


class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in BLOCKED:
            raise ImportError(f"{fullname} is blocked: this command must run without it")
        return None


sys.meta_path.insert(0, Blocker())
"""


@dataclass
class Site:
    """A working folder with an instance, and what the setup commands printed."""

    cwd: Path
    outputs: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)

    @property
    def instance(self) -> Path:
        return self.cwd / "instance"

    def env(self, **overrides: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "PARLEDGER_", "PYTHON"))}
        env.update(
            LEDGER_INSTANCE=str(self.instance),
            LEDGER_DATABASE_URL=f"sqlite:///{self.instance / 'ledger.sqlite3'}",
            PARLEDGER_PASSPHRASE=PASSPHRASE,
        )
        env.update(overrides)
        return env

    def run(self, *args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
        """``parledger ARGS`` with no stdin, as a script or a cron job runs it."""
        return subprocess.run(
            [str(PARLEDGER), *map(str, args)],
            cwd=self.cwd,
            env=self.env(**env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )

    def ok(self, *args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
        result = self.run(*args, **env)
        assert result.returncode == 0, (result.stdout, result.stderr)
        assert result.stderr == ""
        return result

    def refused(self, *args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
        """A refusal: exit status 1, no traceback."""
        result = self.run(*args, **env)
        assert result.returncode == 1, (result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        return result

    def raw(self, *args: str | Path) -> bytes:
        """The exact bytes a command writes to stdout (notes and requests are byte-exact)."""
        result = subprocess.run(
            [str(PARLEDGER), *map(str, args)],
            cwd=self.cwd,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr.decode()
        return result.stdout

    def statement(self, name: str, statement_type: str, subject: str, body: dict[str, Any]) -> Path:
        path = self.cwd / f"{name}.json"
        path.write_text(json.dumps({"type": statement_type, "subject": subject, "body": body}, ensure_ascii=False))
        return path

    def submit(self, name: str, statement_type: str, subject: str, body: dict[str, Any], key: str) -> int:
        """Sign and append a statement; return its sequence number."""
        result = self.ok("submit", self.statement(name, statement_type, subject, body), "--key", key)
        first = result.stdout.splitlines()[0]
        assert first.startswith("appended entry "), first
        return int(first.split()[2].rstrip(":"))

    def rename(self, name: str, number: int) -> int:
        """The root renames unit 323: a cheap statement to grow the log."""
        body = {"name": f"Thành phố Hưng Yên ({number})", "decision": f"QĐ {number}/QĐ-UBND"}
        return self.submit(name, "unit.rename", "unit/323", body, "root.key")

    @property
    def vkey(self) -> str:
        return (self.instance / "log.vkey").read_text().strip()

    def checkpoint(self, size: int | None = None) -> tuple[bytes, Checkpoint]:
        """``parledger log checkpoint [--size N]``, verified with the log's vkey."""
        note = self.raw("log", "checkpoint", *(["--size", str(size)] if size else []))
        verifier = NoteVerifier(self.vkey)
        return note, open_checkpoint(note, verifier, origin=verifier.name)

    def copy(self, target: Path) -> Site:
        """The same instance, copied: what is done to the copy leaves the original alone."""
        shutil.copytree(self.cwd, target)
        return Site(target)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """init → keys new → the root registers 323, an officer, their key and cycle 2024 → the officer files a PDF."""
    site = Site(tmp_path_factory.mktemp("transparency"))
    site.outputs["init"] = site.ok("init", "--root-key", "root.key")
    keys = site.ok("keys", "new", "officer.key")
    lines = dict(line.split(":", 1) for line in keys.stdout.splitlines())
    key_id, public_key = lines["key id"].strip(), lines["public key"].strip()
    site.submit("unit", "unit.register", "unit/323", {"name": "Thành phố Hưng Yên", "class": "district"}, "root.key")
    officer = {"name": "Nguyễn Thị Hương", "unit": "323", "roles": ["officer"]}
    site.submit("officer", "officer.register", "officer/hy.chuyen-vien", officer, "root.key")
    key = {"public_key": public_key, "officer": "hy.chuyen-vien"}
    site.submit("key", "key.register", f"key/{key_id}", key, "root.key")
    site.submit("cycle", "cycle.open", "cycle/2024", CYCLE_2024, "root.key")
    (site.cwd / "bao-cao.pdf").write_bytes(PDF)
    report = {"title": "Báo cáo kết quả CCHC năm 2024", "issued_on": "2024-12-15", "document": {"file": "bao-cao.pdf"}}
    statement = site.statement("report", "submission.document", "submission/document/323/2024/bao-cao", report)
    site.outputs["report"] = site.ok("submit", statement, "--key", "officer.key")
    return site


HEAD = 6  # entries in the module's instance


# init, submit, receipts ------------------------------------------------------------------


def test_init_prints_the_log_verifier_key(site: Site) -> None:
    out = site.outputs["init"].stdout.splitlines()
    assert out[-1] == f"log verifier key: {site.vkey}"
    assert site.ok("log", "vkey").stdout == site.vkey + "\n"
    name, key_id, key = site.vkey.split("+", 2)
    assert name == ORIGIN
    assert len(bytes.fromhex(key_id)) == 4
    assert base64.b64decode(key)[0] == 1  # C2SP vkey, Ed25519
    assert NoteVerifier(site.vkey).name == ORIGIN


def test_submit_writes_a_receipt_next_to_the_statement_that_verifies_offline(site: Site) -> None:
    receipt = site.cwd / f"report.entry-{HEAD}.tlog-proof"
    assert f"  receipt: {receipt}" in site.outputs["report"].stdout.splitlines()
    proof = TlogProof.parse(receipt.read_bytes())
    assert proof.index == HEAD - 1

    for vkey in (site.vkey, str(site.instance / "log.vkey")):  # inline or as a file
        result = site.ok("verify-receipt", receipt, "--vkey", vkey)
        lines = result.stdout.splitlines()
        assert lines[0] == f"OK: entry {HEAD} is in the log {ORIGIN} of {HEAD} entries"
        assert lines[1] == "  submission.document submission/document/323/2024/bao-cao by 323/hy.chuyen-vien"
        assert lines[2].startswith("  recorded ")


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _change_base64(line: bytes, at: int) -> bytes:
    """One character of a base64 line changed into another base64 character."""
    changed = bytearray(line)
    changed[at] = ord("A") if changed[at] != ord("A") else ord("B")
    return bytes(changed)


@pytest.mark.parametrize(
    ("line", "offset", "says"),
    [
        pytest.param(1, 200, None, id="extra-line"),
        pytest.param(1, -30, None, id="extra-line-signature"),
        pytest.param(3, 10, "the entry is not in the signed log", id="proof-hash"),
        pytest.param(-2, -20, "does not verify", id="checkpoint-signature"),
    ],
)
def test_a_receipt_with_one_changed_byte_is_refused(
    site: Site, tmp_path: Path, line: int, offset: int, says: str | None
) -> None:
    original = (site.cwd / f"report.entry-{HEAD}.tlog-proof").read_bytes()
    lines = _lines(original)
    prefix = len(b"extra ") if line == 1 else 0
    lines[line] = _change_base64(lines[line], offset % (len(lines[line]) - prefix) + prefix)
    changed = tmp_path / "changed.tlog-proof"
    changed.write_bytes(b"\n".join(lines))
    assert sum(a != b for a, b in zip(original, changed.read_bytes(), strict=True)) == 1

    result = site.refused("verify-receipt", changed, "--vkey", site.vkey)

    assert result.stdout == ""
    (message,) = result.stderr.splitlines()
    assert message.startswith("parledger: error: ")
    if says is not None:
        assert says in message


def test_every_single_byte_change_of_a_receipt_is_refused(site: Site, tmp_path: Path) -> None:
    """All ~1,500 one-byte changes, through the same command in-process (a subprocess each would take minutes)."""
    original = (site.cwd / f"report.entry-{HEAD}.tlog-proof").read_bytes()
    changed = tmp_path / "changed.tlog-proof"
    runner = CliRunner()
    accepted = []
    for at in range(len(original)):
        data = bytearray(original)
        data[at] = ord("A") if data[at] != ord("A") else ord("B")
        changed.write_bytes(bytes(data))
        result = runner.invoke(parledger_main, ["verify-receipt", str(changed), "--vkey", site.vkey])
        if result.exit_code != 1 or (result.exception and not isinstance(result.exception, SystemExit)):
            accepted.append((at, result.exit_code, result.output[:200]))
    assert accepted == []


# The log: checkpoints and proofs -------------------------------------------------------------


def test_log_checkpoint_prints_a_note_that_verifies_with_the_log_vkey(site: Site) -> None:
    text = site.ok("log", "checkpoint").stdout
    vkey = site.ok("log", "vkey").stdout.strip()
    checkpoint = open_checkpoint(text, NoteVerifier(vkey), origin=NoteVerifier(vkey).name)
    note, same = site.checkpoint()
    assert (text.encode(), same) == (note, checkpoint)
    assert (checkpoint.origin, checkpoint.size) == (ORIGIN, HEAD)
    assert Note.parse(note).signatures[0].name == ORIGIN
    _, fourth = site.checkpoint(4)
    assert fourth.size == 4
    assert fourth.root != checkpoint.root


@pytest.mark.parametrize(("index", "size"), [(0, None), (2, None), (5, None), (2, 4), (3, 4), (0, 1)])
def test_log_proof_verifies_with_ledger_merkle(site: Site, index: int, size: int | None) -> None:
    proof = TlogProof.parse(site.raw("log", "proof", "--index", str(index), *(["--size", str(size)] if size else [])))
    verifier = NoteVerifier(site.vkey)
    checkpoint = open_checkpoint(proof.checkpoint_note, verifier, origin=ORIGIN)
    assert proof.index == index
    assert checkpoint.size == (size or HEAD)
    assert proof.extra is not None
    assert Leaf.from_bytes(proof.extra).seq == index + 1

    verify_inclusion(leaf_hash(proof.extra), index, checkpoint.size, list(proof.proof), checkpoint.root)


@pytest.mark.parametrize(("size1", "size2"), [(1, 6), (3, 6), (4, 6), (5, 6), (2, 5), (4, 4)])
def test_log_consistency_verifies_with_ledger_merkle(site: Site, size1: int, size2: int) -> None:
    result = site.ok("log", "consistency", "--from", str(size1), "--to", str(size2))
    proof = [base64.b64decode(line, validate=True) for line in result.stdout.splitlines()]
    _, old = site.checkpoint(size1)
    _, new = site.checkpoint(size2)

    verify_consistency(size1, size2, proof, old.root, new.root)


def test_log_proof_and_consistency_refuse_sizes_the_log_does_not_have(site: Site) -> None:
    assert "not in the tree" in site.refused("log", "proof", "--index", "6").stderr
    assert "sizes must satisfy" in site.refused("log", "consistency", "--from", "3", "--to", "7").stderr


def test_receipt_seq_prints_a_receipt_that_verifies(site: Site, tmp_path: Path) -> None:
    printed = site.raw("receipt", "3")
    proof = TlogProof.parse(printed)
    assert proof.index == 2
    out = tmp_path / "entry-3.tlog-proof"
    assert site.ok("receipt", "3", "--out", out).stdout == f"receipt of entry 3 written to {out}\n"
    assert out.read_bytes() == printed

    lines = site.ok("verify-receipt", out, "--vkey", site.vkey).stdout.splitlines()

    assert lines[0] == f"OK: entry 3 is in the log {ORIGIN} of {HEAD} entries"
    assert lines[1] == "  officer.register officer/hy.chuyen-vien by authority/root"
    older = TlogProof.parse(site.raw("receipt", "3", "--size", "4"))
    assert Checkpoint.from_text(Note.parse(older.checkpoint_note).text).size == 4


# The inspector bundle and its state ------------------------------------------------------------


def test_export_then_verify_bundle_keeps_a_state_that_moves_on(site: Site, tmp_path: Path) -> None:
    here = site.copy(tmp_path / "site")
    state = tmp_path / "inspector" / "last.note"
    first = tmp_path / "bundle-1"
    exported = here.ok("export", "--out", first).stdout
    assert exported == f"exported {HEAD} entries, {HEAD} checkpoints and 1 documents to {first}\n"

    result = here.ok("verify", "--bundle", first, "--state", state)

    assert result.stdout == f"OK: {HEAD} entries verified against checkpoint {HEAD} of {ORIGIN}\n"
    assert state.read_bytes() == here.checkpoint()[0]

    here.rename("more-1", 1)
    here.rename("more-2", 2)
    second = tmp_path / "bundle-2"
    here.ok("export", "--out", second)

    result = here.ok("verify", "--bundle", second, "--state", state)

    assert result.stdout == f"OK: {HEAD + 2} entries verified against checkpoint {HEAD + 2} of {ORIGIN}\n"
    note, checkpoint = here.checkpoint()
    assert checkpoint.size == HEAD + 2
    assert state.read_bytes() == note

    # The old bundle is now behind the state: a rollback, refused with both notes, state kept.
    result = here.refused("verify", "--bundle", first, "--state", state)
    assert "SECURITY ERROR: rollback" in result.stdout
    assert _indented(note) in result.stdout
    assert state.read_bytes() == note


def _indented(note: bytes) -> str:
    """A note as the evidence in a fault message shows it."""
    return "\n".join("    " + line for line in note.decode().rstrip("\n").split("\n"))


def _bundle(site: Site, tmp_path: Path) -> Path:
    out = tmp_path / "bundle"
    site.ok("export", "--out", out)
    return out


def _faults(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("FAULT ")]


def test_a_bundle_with_its_last_entries_cut_off_is_refused_naming_them(site: Site, tmp_path: Path) -> None:
    bundle = _bundle(site, tmp_path)
    entries = bundle / "entries.jsonl"
    entries.write_text("".join(entries.read_text().splitlines(keepends=True)[:-2]))

    result = site.refused("verify", "--bundle", bundle)

    assert _faults(result) == [
        f"FAULT entries {HEAD - 1}–{HEAD}: missing: checkpoint {HEAD} signed them (truncated tail?)"
    ]
    assert result.stdout.splitlines()[-1] == f"1 fault(s); {HEAD - 2} entries read"


def _change_leaf(bundle: Path, seq: int, change: Any) -> None:
    entries = bundle / "entries.jsonl"
    records = [json.loads(line) for line in entries.read_text().splitlines()]
    leaf = bytearray(base64.b64decode(records[seq - 1]["leaf"]))
    change(leaf)
    records[seq - 1]["leaf"] = base64.b64encode(bytes(leaf)).decode()
    entries.write_text("".join(json.dumps(record) + "\n" for record in records))


def _in_line(name: bytes, offset: int, one: bytes = b"B", other: bytes = b"C") -> Any:
    """Change the byte at `offset` in the value of the leaf's line `name`."""

    def change(leaf: bytearray) -> None:
        at = leaf.index(b"\n" + name + b" ") + len(name) + 2 + offset
        leaf[at] = one[0] if leaf[at] != one[0] else other[0]

    return change


def _next_digit_in_time(leaf: bytearray) -> None:
    at = leaf.index(b"\ntime ") + len(b"\ntime ") + 18  # a digit of the seconds
    leaf[at] = ord(str((int(chr(leaf[at])) + 1) % 10))


@pytest.mark.parametrize(
    ("seq", "change", "says"),
    [
        pytest.param(3, _in_line(b"payload", 20), "does not verify", id="payload"),
        pytest.param(HEAD, _in_line(b"payload", 40), "does not verify", id="payload-of-the-last"),
        pytest.param(2, _in_line(b"signature", 80), "does not verify", id="signature"),
        pytest.param(4, _next_digit_in_time, "differ from what checkpoint 4 signed", id="time"),
        pytest.param(5, _in_line(b"aggregate", 3, b"b", b"c"), "differ from what checkpoint 5 signed", id="aggregate"),
    ],
)
def test_a_bundle_with_one_changed_leaf_byte_is_refused_naming_the_entry(
    site: Site, tmp_path: Path, seq: int, change: Any, says: str
) -> None:
    bundle = _bundle(site, tmp_path)
    _change_leaf(bundle, seq, change)

    result = site.refused("verify", "--bundle", bundle)

    faults = _faults(result)
    assert faults
    assert all(line.startswith(f"FAULT entry {seq}: ") for line in faults), faults
    assert any(says in line for line in faults), faults


def test_a_state_from_a_forked_ledger_is_refused_with_both_notes(site: Site, tmp_path: Path) -> None:
    # Two copies of one instance (same log key) that then record different entries: a fork.
    ours, theirs = site.copy(tmp_path / "ours"), site.copy(tmp_path / "theirs")
    ours.rename("ours", 100)
    theirs.rename("theirs", 200)
    state = tmp_path / "state.note"
    theirs.ok("verify", "--bundle", _bundle(theirs, tmp_path / "theirs-bundle"), "--state", state)
    their_note = state.read_bytes()
    our_note, checkpoint = ours.checkpoint()
    assert checkpoint.size == HEAD + 1 == Checkpoint.from_text(Note.parse(their_note).text).size
    assert our_note != their_note

    result = ours.refused("verify", "--bundle", _bundle(ours, tmp_path / "ours-bundle"), "--state", state)

    out = result.stdout
    assert "SECURITY ERROR" in out
    assert "history was rewritten and re-signed" in out
    assert "verified before (state):\n" + _indented(their_note) in out
    assert f"latest ({HEAD + 1}):\n" + _indented(our_note) in out
    assert state.read_bytes() == their_note  # not moved on


# The witness -------------------------------------------------------------------------------


def test_the_witness_cosigns_checkpoints_that_extend_the_last_one_and_refuses_others(
    site: Site, tmp_path: Path
) -> None:
    here = site.copy(tmp_path / "site")
    vkey = here.ok("witness", "new", "--name", WITNESS, "--out", "witness.key").stdout.strip()
    assert vkey.startswith(WITNESS + "+")
    assert oct((here.cwd / "witness.key").stat().st_mode & 0o777) == "0o600"
    config = json.loads((here.instance / "config.json").read_text())
    (here.instance / "config.json").write_text(json.dumps({**config, "witnesses": [vkey]}, indent=2) + "\n")
    witness = CosignatureVerifier(vkey)

    def round_trip(old: int, name: str) -> bytes:
        """witness-request → witness cosign → log cosign; return the checkpoint as the ledger now shows it."""
        request = here.cwd / f"{name}.request"
        request.write_bytes(here.raw("log", "witness-request", "--old", str(old)))
        cosigned = here.cwd / f"{name}.note"
        result = here.ok(
            "witness", "cosign", "--key", "witness.key", "--log-vkey", here.vkey,
            "--state", "witness.state", "--request", request, "--out", cosigned,
        )  # fmt: skip
        assert result.stdout == f"cosigned checkpoint written to {cosigned}\n"
        size = Checkpoint.from_text(Note.parse(cosigned.read_bytes()).text).size
        stored = here.ok("log", "cosign", cosigned).stdout
        assert stored == f"stored cosignature(s) of checkpoint {size} by {WITNESS}\n"
        note, _ = here.checkpoint()
        return note

    # First round: the witness holds nothing, so the request is from size 0.
    note = round_trip(0, "first")
    parsed = Note.parse(note)
    assert [signature.name for signature in parsed.signatures] == [ORIGIN, WITNESS]
    assert f"\n— {WITNESS} " in note.decode()
    witness.verify(parsed.text, parsed.signatures[1])
    assert (here.cwd / "witness.state").read_bytes() == Note(parsed.text, parsed.signatures[:1]).serialize()

    # The bundle carries the witness and its cosignature: a quorum of 1 holds.
    bundle = _bundle(here, tmp_path / "cosigned")
    assert (bundle / "witnesses.vkeys").read_text() == vkey + "\n"
    here.ok("verify", "--bundle", bundle, "--quorum", "1")

    # Second round, from the size the witness holds.
    here.rename("second", 1)
    note = round_trip(HEAD, "second")
    assert Checkpoint.from_text(Note.parse(note).text).size == HEAD + 1
    assert Note.parse(note).signatures[-1].name == WITNESS
    held = (here.cwd / "witness.state").read_bytes()

    # A request whose consistency proof does not match: refused, both notes printed, nothing stored.
    here.rename("third", 2)
    request = bytearray(here.raw("log", "witness-request", "--old", str(HEAD + 1)))
    proof_line = request.split(b"\n")[1]
    start = request.index(proof_line)
    request[start : start + len(proof_line)] = base64.b64encode(bytes(32 * [7]))
    (here.cwd / "forged.request").write_bytes(bytes(request))

    result = here.refused(
        "witness", "cosign", "--key", "witness.key", "--log-vkey", here.vkey,
        "--state", "witness.state", "--request", "forged.request",
    )  # fmt: skip

    message = result.stderr
    assert message.startswith(f"parledger: witness refuses: 422 {WITNESS} refuses: ")
    assert f"is not consistent with the one held ({HEAD + 1})" in message
    offered = request.split(b"\n\n", 1)[1]
    assert "  held by the witness:\n" + _indented(held) in message
    assert "  offered:\n" + _indented(offered) in message
    assert (here.cwd / "witness.state").read_bytes() == held

    # A request from a size the witness does not hold is refused too (409), saying its size.
    (here.cwd / "stale.request").write_bytes(here.raw("log", "witness-request", "--old", "0"))
    result = here.refused(
        "witness", "cosign", "--key", "witness.key", "--log-vkey", here.vkey,
        "--state", "witness.state", "--request", "stale.request",
    )  # fmt: skip
    assert f"409 {WITNESS} refuses: old size 0 is not the size this witness holds: {HEAD + 1}" in result.stderr


# Offline means offline ------------------------------------------------------------------------


#: What the offline commands run without, and what no command of the log imports.
DATABASE_AND_WEB = "flask werkzeug eventsourcing psycopg psycopg_binary psycopg_pool"
WEB = "flask werkzeug"


def _blocking(tmp_path: Path, blocked: str) -> dict[str, str]:
    """The environment under which importing any of `blocked` fails."""
    blocker = tmp_path / "blocker"
    blocker.mkdir(exist_ok=True)
    (blocker / "sitecustomize.py").write_text(BLOCKER)
    return {"PYTHONPATH": str(blocker), "BLOCKED_IMPORTS": blocked}


def test_the_offline_commands_import_neither_flask_nor_eventsourcing_nor_psycopg(site: Site, tmp_path: Path) -> None:
    bundle = _bundle(site, tmp_path)
    offline = _blocking(tmp_path, DATABASE_AND_WEB)

    # The blocker works: a command that needs the database fails under it.
    blocked = site.run("log", "checkpoint", **offline)
    assert blocked.returncode != 0
    assert "is blocked: this command must run without it" in blocked.stderr

    result = site.ok("verify", "--bundle", bundle, "--state", tmp_path / "state.note", **offline)
    assert result.stdout == f"OK: {HEAD} entries verified against checkpoint {HEAD} of {ORIGIN}\n"
    receipt = site.cwd / f"report.entry-{HEAD}.tlog-proof"
    assert site.ok("verify-receipt", receipt, "--vkey", site.vkey, **offline).stdout.startswith("OK: entry 6 ")
    request = tmp_path / "request"
    request.write_bytes(site.raw("log", "witness-request", "--old", "0"))
    site.ok("witness", "new", "--name", WITNESS, "--out", tmp_path / "witness.key", **offline)
    site.ok(
        "witness", "cosign", "--key", tmp_path / "witness.key", "--log-vkey", site.vkey,
        "--state", tmp_path / "witness.state", "--request", request, "--out", tmp_path / "cosigned.note", **offline,
    )  # fmt: skip


def test_the_log_commands_read_the_database_without_importing_flask(site: Site, tmp_path: Path) -> None:
    no_web = _blocking(tmp_path, WEB)

    # The blocker works: the command that serves the web UI fails under it.
    blocked = site.run("serve", "--port", "1", **no_web)
    assert blocked.returncode != 0
    assert "flask is blocked: this command must run without it" in blocked.stderr

    recent = site.ok("log", **no_web).stdout.splitlines()
    assert len(recent) == HEAD
    assert recent[0].startswith("#1 ")
    assert site.ok("log", "vkey", **no_web).stdout == site.vkey + "\n"
    assert site.ok("log", "checkpoint", **no_web).stdout.startswith(f"{ORIGIN}\n{HEAD}\n")
    assert len(site.ok("log", "entries", **no_web).stdout.splitlines()) == HEAD
    assert TlogProof.parse(site.raw("log", "proof", "--index", "0")).index == 0
    site.ok("log", "proof", "--index", "0", **no_web)
    site.ok("log", "consistency", "--from", "1", "--to", str(HEAD), **no_web)


# A bundle that does not play fair: links, special files, huge or deeply nested files -------------

#: What the inspector may use: a MemoryError path would fail inside it, not swap the machine.
MEMORY_LIMIT = 1024 * 1024 * 1024
HUGE = 2_500_000_000  # sparse: no disk is used


def _document(bundle: Path) -> Path:
    (document,) = (bundle / "documents" / "sha256").glob("*/*/*")
    return document


def _replace(path: Path, by: Any) -> Path:
    path.unlink()
    by(path)
    return path


def _document_linked_to_dev_zero(bundle: Path) -> tuple[Path, str]:
    path = _replace(_document(bundle), lambda path: path.symlink_to("/dev/zero"))
    return path, f"FAULT document {path.name} refused: {path} is a symbolic link"


def _document_as_a_fifo(bundle: Path) -> tuple[Path, str]:
    path = _replace(_document(bundle), os.mkfifo)
    return path, f"FAULT document {path.name} refused: {path} is a FIFO (named pipe), not a regular file"


def _document_linked_outside(bundle: Path) -> tuple[Path, str]:
    path = _replace(_document(bundle), lambda path: path.symlink_to("/etc/passwd"))
    return path, f"FAULT document {path.name} refused: {path} is a symbolic link"


def _documents_folder_linked_outside(bundle: Path) -> tuple[Path, str]:
    folder = _document(bundle).parent
    outside = bundle.parent / "elsewhere"
    shutil.copytree(folder, outside)
    shutil.rmtree(folder)
    folder.symlink_to(outside, target_is_directory=True)
    return folder, f"FAULT document {folder.name} refused: {folder} is a symbolic link"


def _document_as_a_folder(bundle: Path) -> tuple[Path, str]:
    path = _replace(_document(bundle), Path.mkdir)
    return path, f"FAULT document {path.name} refused: {path} is a folder, not a file"


def _sparse(path: Path) -> None:
    with path.open("wb") as handle:
        handle.truncate(HUGE)


def _huge_entries(bundle: Path) -> tuple[Path, str]:
    path = _replace(bundle / "entries.jsonl", _sparse)
    return path, "entries.jsonl line 1 is longer than the limit of 4194304 bytes"


def _huge_log_vkey(bundle: Path) -> tuple[Path, str]:
    path = _replace(bundle / "log.vkey", _sparse)
    return path, f"{path} is larger than the limit of 1024 bytes for this file"


def _log_vkey_linked_outside(bundle: Path) -> tuple[Path, str]:
    path = _replace(bundle / "log.vkey", lambda path: path.symlink_to("/etc/passwd"))
    return path, f"{path} is a symbolic link"


def _entries_as_a_fifo(bundle: Path) -> tuple[Path, str]:
    path = _replace(bundle / "entries.jsonl", os.mkfifo)
    return path, f"{path} is a FIFO (named pipe), not a regular file"


def _nested(name: str, depth: int, fault: str) -> Any:
    def spoil(bundle: Path) -> tuple[Path, str]:
        path = bundle / name
        path.write_text("[" * depth + "\n")
        return path, f"{name} line 1 {fault}"

    return spoil


HOSTILE = [
    pytest.param(_document_linked_to_dev_zero, id="document-linked-to-dev-zero"),
    pytest.param(_document_as_a_fifo, id="document-as-a-fifo"),
    pytest.param(_document_linked_outside, id="document-linked-to-etc-passwd"),
    pytest.param(_documents_folder_linked_outside, id="documents-folder-linked-outside"),
    pytest.param(_document_as_a_folder, id="folder-in-place-of-a-document"),
    pytest.param(_huge_entries, id="sparse-2.5GB-entries"),
    pytest.param(_huge_log_vkey, id="sparse-2.5GB-log-vkey"),
    pytest.param(_log_vkey_linked_outside, id="log-vkey-linked-to-etc-passwd"),
    pytest.param(_entries_as_a_fifo, id="entries-as-a-fifo"),
    pytest.param(
        _nested("checkpoints.jsonl", 200_000, "is longer than the limit of 65536 bytes"),
        id="200000-nested-brackets-in-checkpoints",
    ),
    pytest.param(
        _nested("checkpoints.jsonl", 60_000, "nests JSON deeper than the limit of 32 levels"),
        id="60000-nested-brackets-in-checkpoints",
    ),
    pytest.param(
        _nested("entries.jsonl", 200_000, "nests JSON deeper than the limit of 32 levels"),
        id="200000-nested-brackets-in-entries",
    ),
]

#: The two programs that verify a bundle: the console script and the standalone inspector.
VERIFIERS = {
    "parledger-verify": [str(PARLEDGER), "verify", "--bundle"],
    "python-m-ledger-inspect": [sys.executable, "-m", "ledger.inspect"],
}


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.parametrize("verifier", VERIFIERS)
@pytest.mark.parametrize("spoil", HOSTILE)
def test_a_hostile_bundle_file_is_refused_as_a_named_fault_in_bounded_time_and_memory(
    site: Site, tmp_path: Path, spoil: Any, verifier: str
) -> None:
    bundle = _bundle(site, tmp_path)
    path, fault = spoil(bundle)

    result = subprocess.run(
        [*VERIFIERS[verifier], str(bundle)],
        cwd=site.cwd,
        env=site.env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        encoding="utf-8",
        timeout=60,
        preexec_fn=_limit_memory,
        check=False,
    )

    said = result.stdout + result.stderr
    assert result.returncode == 1, said
    assert "Traceback" not in said
    assert "root:x:0:0" not in said  # /etc/passwd was not read
    assert any(fault in line and str(path.name) in line for line in said.splitlines()), said
