"""The offline inspector (ledger/tlog/inspection.py) on synthetic ledgers built in memory.

Every ledger here is made by :func:`standard`: entry 1 initialises the ledger with the
root key, entries 2 and 3 register Alice's and Bob's keys, then come ordinary statements
signed by Bob and Alice in turn, Bob's key is revoked half-way, and Alice signs the rest.
:func:`checkpoints` signs one checkpoint per tree size with the log key, as the ledger
does after every append. A test tampers with the leaves (and, to play a log that signs
whatever it is given, re-signs the checkpoints) and checks that the inspector names the
fault and the entry.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keys import SigningKey
from ledger.signing.dsse import PAYLOAD_TYPE, pae
from ledger.tlog.inspection import (
    DEFAULT_ORIGIN,
    Fault,
    Inspector,
    RangeFault,
    Report,
    read_state,
    write_state,
)
from ledger.tlog.log import Leaf, LeafError, leaf_hash
from ledger.tlog.merkle import MemoryNodes
from ledger.tlog.notes import Checkpoint, CosignatureSigner, Note, NoteSigner, sign_note

ROOT_DIR = Path(__file__).resolve().parents[4]
ORIGIN = DEFAULT_ORIGIN


def _seed(name: str) -> bytes:
    return hashlib.sha256(f"test_inspection {name}".encode()).digest()


ROOT = SigningKey.from_seed(_seed("root"))
ALICE = SigningKey.from_seed(_seed("alice"))
BOB = SigningKey.from_seed(_seed("bob"))
MALLORY = SigningKey.from_seed(_seed("mallory"))
LOG = NoteSigner(ORIGIN, _seed("log"))
OTHER_LOG = NoteSigner(ORIGIN, _seed("other log"))  # same name, another key
WITNESS_A = CosignatureSigner("inspectorate.hungyen.gov.vn", _seed("witness a"))
WITNESS_B = CosignatureSigner("stp.hungyen.gov.vn", _seed("witness b"))

SUBJECTS = uuid5(NAMESPACE_URL, "https://hungyen.gov.vn/par-ledger/subjects")
START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


# Synthetic ledgers -----------------------------------------------------------------------


def payload_of(statement_type: str, subject: str, body: dict[str, Any], seq: int, *, by: str = "snv") -> bytes:
    """Canonical JSON of a statement (sorted keys, no spaces: JCS for this ASCII content)."""
    unit, officer = ("authority", "root") if by == "root" else ("SNV", by)
    statement = {
        "type": statement_type,
        "unit": unit,
        "officer": officer,
        "subject": subject,
        "body": body,
        "client_time": (START + timedelta(seconds=seq)).isoformat(),
        "nonce": hashlib.sha256(f"nonce {seq} {subject}".encode()).hexdigest()[:32],
    }
    return json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()


def make_leaf(
    seq: int,
    event_type: str,
    subject: str,
    payload: bytes,
    signer: SigningKey,
    *,
    key_id: str | None = None,
    signature: bytes | None = None,
    version: int = 1,
) -> bytes:
    """Leaf bytes of one entry: the payload signed over its PAE by ``signer``."""
    return Leaf(
        seq=seq,
        aggregate_id=uuid5(SUBJECTS, subject),
        version=version,
        event_type=event_type,
        recorded_at=START + timedelta(seconds=seq, microseconds=seq),
        payload_type=PAYLOAD_TYPE,
        payload=payload,
        key_id=key_id or signer.key_id,
        signature=signature if signature is not None else signer.sign(pae(PAYLOAD_TYPE, payload)),
    ).to_bytes()


def initialise(seq: int = 1, root: SigningKey = ROOT) -> bytes:
    body = {"name": "UBND tỉnh Hưng Yên", "root_public_key": root.verifying_key.base64}
    return make_leaf(
        seq,
        "par:Authority.Initialised.v1",
        "authority",
        payload_of("ledger.initialise", "authority", body, seq, by="root"),
        root,
    )


def register(seq: int, key: SigningKey, officer: str, signer: SigningKey = ROOT, *, public: str | None = None) -> bytes:
    subject = f"key/{key.key_id}"
    body = {"public_key": public or key.verifying_key.base64, "officer": officer}
    return make_leaf(
        seq, "par:Key.Registered.v1", subject, payload_of("key.register", subject, body, seq, by="root"), signer
    )


def revoke(seq: int, key: SigningKey, signer: SigningKey = ROOT) -> bytes:
    subject = f"key/{key.key_id}"
    payload = payload_of("key.revoke", subject, {"reason": "lost laptop"}, seq, by="root")
    return make_leaf(seq, "par:Key.Revoked.v1", subject, payload, signer, version=2)


def ordinary(seq: int, signer: SigningKey, **changes: Any) -> bytes:
    subject = f"officer/can-bo-{seq}"
    body = {"name": f"Cán bộ {seq}", "unit": "SNV", "roles": []}
    payload = payload_of("officer.register", subject, body, seq)
    return make_leaf(seq, "par:Officer.Registered.v1", subject, payload, signer, **changes)


def revocation_point(n: int) -> int:
    return 5 + (n - 5) // 2


@cache
def standard(n: int) -> tuple[bytes, ...]:
    """A clean ledger of n >= 5 entries (see the module docstring)."""
    assert n >= 5
    leaves = [initialise(), register(2, ALICE, "alice"), register(3, BOB, "bob")]
    r = revocation_point(n)
    for seq in range(4, n + 1):
        if seq == r:
            leaves.append(revoke(seq, BOB))
        elif seq < r:
            leaves.append(ordinary(seq, BOB if seq % 2 == 0 else ALICE))
        else:
            leaves.append(ordinary(seq, ALICE))
    return tuple(leaves)


def checkpoint_note(size: int, root: bytes, *, signer: NoteSigner = LOG, origin: str = ORIGIN) -> bytes:
    return sign_note(Checkpoint(origin, size, root).text(), signer).serialize()


def checkpoints(leaves: Sequence[bytes], *, signer: NoteSigner = LOG) -> list[bytes]:
    """One signed checkpoint per tree size, as the ledger signs after every append."""
    nodes = MemoryNodes()
    notes = []
    for leaf in leaves:
        nodes.append(leaf_hash(leaf))
        notes.append(checkpoint_note(nodes.size, nodes.root(), signer=signer))
    return notes


@cache
def standard_checkpoints(n: int) -> tuple[bytes, ...]:
    return tuple(checkpoints(standard(n)))


def entries(leaves: Sequence[bytes]) -> list[tuple[int, bytes]]:
    return [(seq, leaf) for seq, leaf in enumerate(leaves, start=1)]


def inspector(**options: Any) -> Inspector:
    return Inspector(log_vkey=LOG.vkey, origin=ORIGIN, **options)


def inspect(
    leaves: Sequence[bytes], notes: Sequence[bytes] | None = None, *, resign: bool = False, **options: Any
) -> Report:
    """Inspect ``leaves`` numbered 1..n against ``notes`` (re-signed over the leaves if ``resign``)."""
    if resign:
        notes = checkpoints(leaves)
    assert notes is not None
    return inspector(**options).inspect(entries(leaves), notes)


def located(report: Report) -> list[tuple[int, int]]:
    """The (first, last) entries each located fault names."""
    return [(f.first, f.last) for f in report.faults if f.first is not None and f.last is not None]


def only_fault(report: Report) -> Fault:
    assert len(report.faults) == 1, report
    return report.faults[0]


def changed(leaf: bytes, old: bytes, new: bytes) -> bytes:
    assert leaf.count(old) == 1, (leaf, old)
    return leaf.replace(old, new)


def flip(data: bytes, position: int, value: int | None = None) -> bytes:
    mutated = bytearray(data)
    mutated[position] = value if value is not None else mutated[position] ^ 0x01
    return bytes(mutated)


N = 12
LEAVES = standard(N)
NOTES = standard_checkpoints(N)
R = revocation_point(N)  # Bob's key is revoked here


def extended(more: int) -> list[bytes]:
    """LEAVES and ``more`` entries signed by Alice: the same log, grown."""
    return [*LEAVES, *(ordinary(seq, ALICE) for seq in range(N + 1, N + more + 1))]


# The import boundary -------------------------------------------------------------------


def test_the_inspector_and_the_witness_import_no_application_stack() -> None:
    code = (
        "import importlib, pathlib, sys, ledger.inspect\n"
        "for path in pathlib.Path('ledger/tlog').glob('*.py'):\n"
        "    importlib.import_module(f'ledger.tlog.{path.stem}')\n"
        "heavy = [m for m in ('eventsourcing', 'flask', 'psycopg', 'rfc8785', 'click', 'marshmallow', 'keys')"
        " if m in sys.modules]\n"
        "ours = sorted(m for m in sys.modules if m.startswith('ledger.'))\n"
        "print(heavy, ours)\n"
        "sys.exit(1 if heavy else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT_DIR, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    heavy, ours = result.stdout.strip().split("] [")
    assert heavy == "["
    # ledger.tlog (and the inspector program) import only ledger.tlog, the error root and DSSE's PAE.
    allowed = {"ledger.errors", "ledger.inspect", "ledger.signing", "ledger.signing.dsse", "ledger.tlog"}
    allowed |= {f"ledger.tlog.{path.stem}" for path in (Path(ROOT_DIR) / "ledger" / "tlog").glob("*.py")}
    assert set(re.findall(r"'([\w.]+)'", ours)) <= allowed


# A clean log ---------------------------------------------------------------------------


def test_a_clean_log_passes() -> None:
    report = inspect(LEAVES, NOTES)
    assert report.ok, report
    assert report.entries == N
    assert report.checkpoint is not None
    assert report.checkpoint.size == N
    assert report.checkpoint_note == NOTES[-1]
    assert str(report) == f"{N} entries, checkpoint {N}: OK"


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_a_clean_log_passes_with_any_number_of_workers(workers: int) -> None:
    leaves = standard(700)  # several signature batches
    report = inspect(leaves, standard_checkpoints(700), workers=workers)
    assert report.ok, report
    assert report.entries == 700


def test_the_latest_checkpoint_alone_is_enough() -> None:
    report = inspect(LEAVES, NOTES[-1:])
    assert report.ok, report


def test_entries_can_be_a_generator() -> None:
    report = inspector().inspect(((seq, leaf) for seq, leaf in entries(LEAVES)), iter(NOTES))
    assert report.ok, report


def test_an_empty_log_with_no_checkpoint_passes() -> None:
    assert inspect([], []).ok


def test_a_pinned_root_key_is_accepted() -> None:
    assert inspect(LEAVES, NOTES, root_key_id=ROOT.key_id).ok


def test_checkpoint_notes_are_verified_once_per_inspector() -> None:
    checker = inspector()
    assert checker.inspect(entries(LEAVES), NOTES).ok
    tampered = flip(NOTES[3], NOTES[3].rindex(b" ") + 40)  # in the signature, after the key id
    second = checker.inspect(entries(LEAVES), [*NOTES, tampered])
    assert [str(f) for f in second.faults] == [
        f"log: checkpoint of size 4 rejected: signature by {ORIGIN!r} does not verify"
    ]


# Every fault kind, located --------------------------------------------------------------


def test_a_changed_payload_byte_is_a_signature_that_fails() -> None:
    leaves = list(LEAVES)
    leaf = Leaf.from_bytes(LEAVES[5])
    payload = changed(leaf.payload, b"can-bo-6", b"can-bo-7")
    leaves[5] = make_leaf(
        6, leaf.event_type, "officer/can-bo-6", payload, BOB, key_id=leaf.key_id, signature=leaf.signature
    )
    report = inspect(leaves, NOTES)
    assert [str(f) for f in report.faults] == [
        f"entry 6: the signature by {BOB.key_id} does not verify (forged or changed)"
    ]


def test_a_changed_time_is_found_by_the_checkpoints_alone() -> None:
    leaves = list(LEAVES)
    leaves[6] = changed(leaves[6], b"time 2024-03-01T09:00:07", b"time 2024-03-01T09:00:08")
    fault = only_fault(inspect(leaves, NOTES))
    assert str(fault) == "entry 7: differ from what checkpoint 7 signed (checkpoint 6 matches)"
    assert (fault.first, fault.last) == (7, 7)


def test_without_a_checkpoint_per_entry_the_range_is_as_narrow_as_the_checkpoints_allow() -> None:
    leaves = list(LEAVES)
    leaves[6] = changed(leaves[6], b"time 2024-03-01T09:00:07", b"time 2024-03-01T09:00:08")
    sparse = [NOTES[3], NOTES[8], NOTES[-1]]  # sizes 4, 9 and 12
    fault = only_fault(inspect(leaves, sparse))
    assert isinstance(fault, RangeFault)
    assert str(fault) == "entries 5–9: differ from what checkpoint 9 signed (checkpoint 4 matches)"


def test_a_changed_signature_byte_is_a_forged_signature() -> None:
    leaves = list(LEAVES)
    leaf = Leaf.from_bytes(leaves[4])
    leaves[4] = make_leaf(
        5, leaf.event_type, "officer/can-bo-5", leaf.payload, ALICE, signature=flip(leaf.signature, 10)
    )
    assert located(inspect(leaves, NOTES)) == [(5, 5)]
    assert "does not verify" in str(inspect(leaves, NOTES).faults[0])


def test_a_deleted_entry_is_named() -> None:
    given_entries = [e for e in entries(LEAVES) if e[0] != 8]
    report = inspector().inspect(given_entries, NOTES)
    assert [str(f) for f in report.faults] == ["entry 8: missing: deleted?"]
    assert report.entries == N


def test_deleted_entries_are_named_as_a_range() -> None:
    given_entries = [e for e in entries(LEAVES) if not 6 <= e[0] <= 8]
    report = inspector().inspect(given_entries, NOTES)
    assert [str(f) for f in report.faults] == ["entries 6–8: missing: deleted entries?"]


def test_an_inserted_entry_with_a_repeated_number_is_named() -> None:
    forged = ordinary(6, ALICE)  # validly signed by a registered officer, but never in the log
    given_entries = entries(LEAVES)
    given_entries.insert(5, (6, forged))  # before the real entry 6
    report = inspector().inspect(given_entries, NOTES)
    assert located(report) == [(6, 6)]
    assert "appears twice" in str(report.faults[0])


def test_an_inserted_entry_that_renumbers_the_rest_is_named() -> None:
    leaves = list(LEAVES)
    leaves.insert(5, ordinary(6, ALICE, key_id=None))  # a new entry 6; the old 6..12 become 7..13
    report = inspector().inspect(entries(leaves), NOTES)
    spans = located(report)
    assert (6, 6) in spans  # the inserted leaf differs from what checkpoint 6 signed
    assert (7, 13) in spans  # and every later leaf sits one place too far
    assert "shifted by -1" in str(report)


def test_swapped_leaves_are_named() -> None:
    leaves = list(LEAVES)
    leaves[5], leaves[6] = leaves[6], leaves[5]
    report = inspect(leaves, NOTES)
    assert located(report) == [(6, 6), (7, 7)]
    assert str(report.faults[0]).startswith("entry 6: its leaf says seq 7")


def test_swapped_rows_are_named() -> None:
    given_entries = entries(LEAVES)
    given_entries[5], given_entries[6] = given_entries[6], given_entries[5]
    report = inspector().inspect(given_entries, NOTES)
    assert [str(f) for f in report.faults] == [
        "entry 6: comes after entry 7, out of order (swapped or moved?); not replayed"
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_sequence_numbers_of_the_wrong_type_are_faults_not_crashes(workers: int) -> None:
    given_entries: list[tuple[Any, bytes]] = entries(LEAVES)
    given_entries[3] = ("4", LEAVES[3])
    given_entries[5] = (6.0, LEAVES[5])  # equal to 6: accepted as 6
    report = inspector(workers=workers).inspect(given_entries, NOTES)
    assert [str(f) for f in report.faults] == [
        "entry 4: an entry with the sequence number '4' follows entry 3",
        "entry 4: missing: deleted?",
    ]


def test_a_truncated_tail_is_named() -> None:
    report = inspect(LEAVES[:9], NOTES)
    assert [str(f) for f in report.faults] == [f"entries 10–{N}: missing: checkpoint {N} signed them (truncated tail?)"]
    assert report.checkpoint is None


def test_entries_beyond_the_latest_checkpoint_are_named() -> None:
    report = inspect(LEAVES, NOTES[:10])
    assert [str(f) for f in report.faults] == [
        f"entries 11–{N}: not covered by any checkpoint: the latest is 10 (appended after it, or inserted?)"
    ]


def test_a_signature_by_another_key_is_forged() -> None:
    leaves = list(LEAVES)
    leaves[8] = ordinary(9, MALLORY, key_id=ALICE.key_id)  # claims Alice's key
    report = inspect(leaves, resign=True)
    assert [str(f) for f in report.faults] == [
        f"entry 9: the signature by {ALICE.key_id} does not verify (forged or changed)"
    ]


def test_an_unknown_key_is_named() -> None:
    leaves = list(LEAVES)
    leaves[8] = ordinary(9, MALLORY)
    report = inspect(leaves, resign=True)
    assert [str(f) for f in report.faults] == [
        f"entry 9: signed by {MALLORY.key_id}, a key not registered before this entry (unknown key)"
    ]


def test_a_key_used_before_its_registration_is_unknown() -> None:
    leaves = [initialise(), ordinary(2, ALICE), register(3, ALICE, "alice"), ordinary(4, ALICE), ordinary(5, ALICE)]
    report = inspect(leaves, resign=True)
    assert located(report) == [(2, 2)]


def test_a_revoked_key_used_after_its_revocation_is_named() -> None:
    leaves = list(LEAVES)
    leaves[R] = ordinary(R + 1, BOB)  # Bob signs right after his key was revoked
    report = inspect(leaves, resign=True)
    assert [str(f) for f in report.faults] == [f"entry {R + 1}: signed by {BOB.key_id}, which was revoked at entry {R}"]


def test_a_key_signs_until_the_entry_that_revokes_it() -> None:
    leaves = list(LEAVES)
    leaves[R - 2] = ordinary(R - 1, BOB)
    assert inspect(leaves, resign=True).ok


def test_a_duplicated_envelope_is_named() -> None:
    leaves = list(LEAVES)
    original = Leaf.from_bytes(leaves[8])
    leaves[10] = make_leaf(
        11, original.event_type, "officer/can-bo-9", original.payload, ALICE, signature=original.signature
    )
    report = inspect(leaves, resign=True)
    assert [str(f) for f in report.faults] == ["entry 11: duplicates the envelope of entry 9 (same payload bytes)"]


def test_a_malformed_leaf_is_named() -> None:
    leaves = list(LEAVES)
    leaves[3] = b"par-ledger/leaf/v1\nthis is not a leaf\n"
    report = inspect(leaves, resign=True)
    assert located(report) == [(4, 4)]
    assert str(report.faults[0]).startswith("entry 4: leaf cannot be parsed")


def test_an_unknown_event_type_is_named() -> None:
    leaves = list(LEAVES)
    leaves[3] = changed(leaves[3], b"type par:Officer.Registered.v1", b"type par:Officer.Promoted.v1")
    report = inspect(leaves, resign=True)
    assert [str(f) for f in report.faults] == ["entry 4: unknown event type 'par:Officer.Promoted.v1'"]


def test_an_unknown_payload_type_is_named() -> None:
    leaves = list(LEAVES)
    leaves[3] = changed(leaves[3], b"payload-type application/vnd.par", b"payload-type application/vnd.xyz")
    report = inspect(leaves, resign=True)
    assert located(report) == [(4, 4)]
    assert "unknown payload type" in str(report.faults[0])


def test_a_key_statement_under_another_event_type_is_named() -> None:
    leaves = list(LEAVES)
    leaves[3] = changed(register(4, MALLORY, "mallory"), b"type par:Key.Registered.v1", b"type par:Unit.Registered.v1")
    leaves[4] = ordinary(5, MALLORY)
    report = inspect(leaves, resign=True)
    assert located(report) == [(4, 4), (5, 5)]
    assert "does not match its statement type key.register" in str(report.faults[0])


def test_a_registration_whose_key_is_not_its_subject_is_named() -> None:
    leaves = list(LEAVES)
    leaves[3] = register(4, MALLORY, "mallory", public=ALICE.verifying_key.base64)
    leaves[4] = ordinary(5, MALLORY)
    report = inspect(leaves, resign=True)
    assert located(report) == [(4, 4), (5, 5)]
    assert "not the subject's" in str(report.faults[0])
    assert "registration at entry 4 is not valid" in str(report.faults[1])


def test_a_registration_signed_by_an_unknown_key_registers_nothing() -> None:
    leaves = list(LEAVES)
    leaves[3] = register(4, MALLORY, "mallory", signer=MALLORY)
    leaves[4] = ordinary(5, MALLORY)
    report = inspect(leaves, resign=True)
    assert located(report) == [(4, 4), (5, 5)]


def test_a_second_registration_of_a_key_is_named() -> None:
    leaves = list(LEAVES)
    leaves[3] = register(4, ALICE, "alice")
    report = inspect(leaves, resign=True)
    assert [str(f) for f in report.faults] == [f"entry 4: key {ALICE.key_id} was already registered at entry 2"]


def test_revoking_an_unregistered_key_is_named() -> None:
    leaves = list(LEAVES)
    leaves[3] = revoke(4, MALLORY)
    report = inspect(leaves, resign=True)
    assert [str(f) for f in report.faults] == [
        f"entry 4: key.revoke of {MALLORY.key_id}, a key that was never registered"
    ]


def test_entry_one_must_initialise_the_ledger() -> None:
    leaves = list(LEAVES)
    leaves[0] = ordinary(1, ROOT)
    report = inspect(leaves, resign=True)
    assert report.faults[0].seq == 1
    assert all(f.seq is not None and f.seq >= 1 for f in report.faults)


def test_a_second_initialise_is_named() -> None:
    leaves = list(LEAVES)
    leaves[3] = initialise(4)
    report = inspect(leaves, resign=True)
    assert [str(f) for f in report.faults] == [
        "entry 4: a second ledger.initialise: the ledger is initialised by entry 1 only"
    ]


def test_another_root_key_than_the_pinned_one_is_refused() -> None:
    report = inspect(LEAVES, NOTES, root_key_id=MALLORY.key_id)
    assert str(report.faults[0]) == f"entry 1: the root key {ROOT.key_id} is not the pinned root key {MALLORY.key_id}"


def test_an_initialise_signed_by_another_key_than_the_root_it_names_is_refused() -> None:
    leaves = list(LEAVES)
    body = {"name": "UBND tỉnh Hưng Yên", "root_public_key": ROOT.verifying_key.base64}
    payload = payload_of("ledger.initialise", "authority", body, 1, by="root")
    leaves[0] = make_leaf(1, "par:Authority.Initialised.v1", "authority", payload, MALLORY)
    report = inspect(leaves, resign=True)
    assert str(report.faults[0]) == (
        f"entry 1: ledger.initialise is signed by {MALLORY.key_id}, not by the root key {ROOT.key_id} it names"
    )


def test_a_hostile_payload_does_not_crash_the_inspector() -> None:
    deep = b'{"type":"key.register","body":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    leaves = list(LEAVES)
    leaves[0] = make_leaf(1, "par:Authority.Initialised.v1", "authority", deep, ROOT)
    leaves[3] = make_leaf(4, "par:Officer.Registered.v1", "officer/x", deep, ALICE)
    report = inspect(leaves, resign=True)
    assert report.faults[0].seq == 1
    assert "not JSON" in report.faults[0].reason


def test_several_faults_are_all_named_in_order() -> None:
    leaves = list(LEAVES)
    leaves[3] = ordinary(4, MALLORY)
    leaves[R] = ordinary(R + 1, BOB)
    leaves[10] = b"garbage"
    report = inspect(leaves, resign=True, workers=2)
    assert located(report) == [(4, 4), (R + 1, R + 1), (11, 11)]


# A random single-byte change is always found and located --------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_single_byte_change_is_detected_and_located(data: st.DataObject) -> None:
    n = data.draw(st.integers(min_value=5, max_value=60), label="size")
    seq = data.draw(st.integers(min_value=1, max_value=n), label="entry")
    leaves = list(standard(n))
    leaf = leaves[seq - 1]
    position = data.draw(st.integers(min_value=0, max_value=len(leaf) - 1), label="position")
    value = data.draw(st.integers(min_value=0, max_value=255).filter(lambda v: v != leaf[position]), label="value")
    leaves[seq - 1] = flip(leaf, position, value)
    workers = data.draw(st.sampled_from([1, 2]), label="workers")
    report = inspect(leaves, standard_checkpoints(n), workers=workers)
    assert not report.ok
    spans = located(report)
    assert len(spans) == len(report.faults), report  # every fault names entries
    assert any(first <= seq <= last for first, last in spans), report
    assert min(first for first, _ in spans) == seq, report  # nothing before the change is blamed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(position=st.integers(min_value=0, max_value=10_000), value=st.integers(min_value=0, max_value=255))
def test_a_leaf_the_reference_parser_refuses_is_a_fault_even_if_the_log_signed_it(position: int, value: int) -> None:
    leaves = list(LEAVES)
    leaf = leaves[5]
    position %= len(leaf)
    leaves[5] = flip(leaf, position, value)
    try:
        Leaf.from_bytes(leaves[5])
    except LeafError:
        report = inspect(leaves, resign=True)  # checkpoints cannot help here
        assert 6 in [f.seq for f in report.faults], report


# Checkpoints: the malicious-log suite ----------------------------------------------------


def test_a_forked_checkpoint_is_refused() -> None:
    other = list(LEAVES)
    other[7] = ordinary(8, ALICE, version=2)
    fork = checkpoints(other)[7]
    report = inspect(LEAVES, [*NOTES, fork])
    text = str(report)
    assert "log: SECURITY ERROR: the log key signed two different checkpoints of size 8 (a fork)" in text
    assert fork.decode().split("\n")[2] in text
    assert NOTES[7].decode().split("\n")[2] in text
    assert len(report.faults) == 1
    assert str(inspect(LEAVES, [fork, *NOTES])) == text  # whichever note comes first


def test_a_forked_state_checkpoint_is_refused_with_both_notes() -> None:
    other = list(LEAVES)
    other[7] = ordinary(8, ALICE, version=2)
    known = checkpoints(other)[9]  # size 10 of the other history
    report = inspect(LEAVES, NOTES, known=known)
    fault = only_fault(report)
    assert fault.seq is None
    assert "SECURITY ERROR" in fault.reason
    assert "history was rewritten and re-signed" in fault.reason
    assert known.decode().split("\n")[2] in fault.reason
    assert NOTES[-1].decode().split("\n")[2] in fault.reason
    assert report.checkpoint is None


def test_rewritten_history_re_signed_by_the_log_key_is_refused_with_both_notes() -> None:
    known = NOTES[9]  # the inspector verified size 10 last time
    rewritten = extended(3)
    rewritten[4] = ordinary(5, ALICE, version=3)  # history changed at entry 5 ...
    notes = checkpoints(rewritten)  # ... and every checkpoint re-signed with the real key
    report = inspect(rewritten, notes, known=known)
    assert report.checkpoint is None
    fault = only_fault(report)
    assert str(fault).startswith("log: SECURITY ERROR: log misbehaviour: the latest checkpoint (15) matches")
    for note in (known, notes[-1]):
        assert all(line in fault.reason for line in note.decode().strip().split("\n") if line)


def test_a_consistent_state_moves_forward() -> None:
    longer = extended(3)
    report = inspect(longer, checkpoints(longer), known=NOTES[9])
    assert report.ok, report
    assert report.checkpoint is not None
    assert report.checkpoint.size == N + 3


def test_a_stale_checkpoint_is_a_rollback() -> None:
    known = NOTES[-1]  # verified at 12 ...
    report = inspect(LEAVES[:7], NOTES[:7], known=known)  # ... now offered 7
    fault = only_fault(report)
    assert str(fault).startswith("log: SECURITY ERROR: rollback: the latest checkpoint (7) is older than")
    assert known.decode().split("\n")[2] in fault.reason
    assert NOTES[6].decode().split("\n")[2] in fault.reason


def test_a_state_beyond_the_entries_is_refused() -> None:
    report = inspect(LEAVES[:10], NOTES, known=NOTES[-1])
    assert [f.seq for f in report.faults] == [11, None]
    assert "do not reach the checkpoint verified before (12)" in str(report.faults[1])


def test_a_state_that_does_not_verify_is_refused() -> None:
    report = inspect(LEAVES, NOTES, known=checkpoint_note(3, b"\x00" * 32, signer=OTHER_LOG))
    assert "the state checkpoint does not verify" in str(only_fault(report))


def test_a_mismatched_origin_is_refused() -> None:
    nodes = MemoryNodes(leaf_hash(leaf) for leaf in LEAVES)
    wrong = checkpoint_note(N, nodes.root(), origin="example.com/another-log")
    report = inspect(LEAVES, [*NOTES, wrong])
    assert str(only_fault(report)) == (
        f"log: checkpoint of size {N} rejected: checkpoint origin 'example.com/another-log' "
        f"is not the expected origin {ORIGIN!r}"
    )


def test_a_checkpoint_signed_only_by_an_unknown_key_is_refused() -> None:
    nodes = MemoryNodes(leaf_hash(leaf) for leaf in LEAVES)
    stranger = checkpoint_note(N, nodes.root(), signer=OTHER_LOG)
    report = inspect(LEAVES, [*NOTES, stranger])
    assert str(only_fault(report)).startswith(
        f"log: checkpoint of size {N} rejected: note is not signed by any known key"
    )


@pytest.mark.parametrize("other", [OTHER_LOG, NoteSigner("someone.example", _seed("someone"))])
def test_a_valid_signature_by_an_unknown_key_beside_the_log_signature_is_ignored(other: NoteSigner) -> None:
    note = Note.parse(NOTES[-1])
    both = note.with_signatures(other.sign(note.text)).serialize()
    assert inspect(LEAVES, [*NOTES[:-1], both]).ok


def test_a_bad_signature_by_the_log_key_is_refused() -> None:
    note = Note.parse(NOTES[4])
    lie = Note(Checkpoint(ORIGIN, 5, b"\x07" * 32).text(), note.signatures).serialize()  # another root
    report = inspect(LEAVES, [*NOTES, lie])
    assert [str(f) for f in report.faults] == [
        f"log: checkpoint of size 5 rejected: signature by {ORIGIN!r} does not verify"
    ]


def test_a_checkpoint_that_signs_more_than_the_entries_is_a_truncation() -> None:
    report = inspect(LEAVES[:-1], NOTES)
    assert located(report) == [(N, N)]


# Witnesses ---------------------------------------------------------------------------------


def cosigned(note: bytes, *signers: CosignatureSigner, at: int = 1_700_000_000) -> bytes:
    parsed = Note.parse(note)
    return parsed.with_signatures(*(s.cosign(parsed.text, at) for s in signers)).serialize()


WITNESSES = (WITNESS_A.vkey, WITNESS_B.vkey)


def test_a_quorum_of_witnesses_is_accepted() -> None:
    notes = [*NOTES[:-1], cosigned(NOTES[-1], WITNESS_A, WITNESS_B)]
    assert inspect(LEAVES, notes, witness_vkeys=WITNESSES, witness_quorum=2).ok


def test_too_few_witnesses_is_a_fault() -> None:
    notes = [*NOTES[:-1], cosigned(NOTES[-1], WITNESS_A)]
    report = inspect(LEAVES, notes, witness_vkeys=WITNESSES, witness_quorum=2)
    assert [str(f) for f in report.faults] == [
        f"log: checkpoint {N} is cosigned by 1 of the 2 witnesses required "
        "(valid cosignatures from: inspectorate.hungyen.gov.vn)"
    ]
    assert inspect(LEAVES, notes, witness_vkeys=WITNESSES, witness_quorum=1).ok


def test_cosignatures_on_an_older_checkpoint_do_not_count() -> None:
    notes = [*NOTES[:-2], cosigned(NOTES[-2], WITNESS_A), NOTES[-1]]
    report = inspect(LEAVES, notes, witness_vkeys=WITNESSES, witness_quorum=1)
    assert "cosigned by 0 of the 1 witnesses" in str(only_fault(report))


def test_the_same_witness_twice_counts_once() -> None:
    twice = cosigned(cosigned(NOTES[-1], WITNESS_A, at=1), WITNESS_A, at=2)
    report = inspect(LEAVES, [*NOTES[:-1], twice], witness_vkeys=WITNESSES, witness_quorum=2)
    assert "cosigned by 1 of the 2" in str(only_fault(report))


def test_a_bad_cosignature_by_a_known_witness_is_a_fault() -> None:
    parsed = Note.parse(NOTES[-1])
    wrong = WITNESS_A.cosign(Note.parse(NOTES[-2]).text, 1_700_000_000)  # cosigns another checkpoint
    notes = [*NOTES[:-1], parsed.with_signatures(wrong, WITNESS_B.cosign(parsed.text, 5)).serialize()]
    report = inspect(LEAVES, notes, witness_vkeys=WITNESSES, witness_quorum=1)
    assert [str(f) for f in report.faults] == [
        f"log: checkpoint {N}: bad cosignature by witness inspectorate.hungyen.gov.vn: "
        "signature by 'inspectorate.hungyen.gov.vn' does not verify"
    ]


def test_an_unknown_witness_is_ignored() -> None:
    stranger = CosignatureSigner("stranger.example", _seed("stranger"))
    notes = [*NOTES[:-1], cosigned(NOTES[-1], stranger)]
    report = inspect(LEAVES, notes, witness_vkeys=WITNESSES, witness_quorum=1)
    assert "cosigned by 0 of the 1" in str(only_fault(report))


def test_an_impossible_quorum_is_refused() -> None:
    with pytest.raises(ValueError, match="quorum 3"):
        inspector(witness_vkeys=WITNESSES, witness_quorum=3)


def test_a_witness_key_must_be_a_cosignature_key() -> None:
    with pytest.raises(Exception, match="signature type"):
        inspector(witness_vkeys=[LOG.vkey], witness_quorum=1)


# State file ----------------------------------------------------------------------------------


def test_state_round_trips_and_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "state" / "checkpoint"
    assert read_state(path) is None
    write_state(path, NOTES[-1])
    assert read_state(path) == NOTES[-1]
    write_state(path, NOTES[-2])
    assert read_state(path) == NOTES[-2]
    assert [p.name for p in path.parent.iterdir()] == ["checkpoint"]


def test_an_inspector_keeps_its_timeline_through_the_state_file(tmp_path: Path) -> None:
    path = tmp_path / "inspector.state"
    first = inspect(LEAVES, NOTES, known=read_state(path))
    assert first.ok
    assert first.checkpoint_note is not None
    write_state(path, first.checkpoint_note)
    rewritten = extended(2)
    rewritten[2] = register(3, BOB, "bob-2")
    second = inspect(rewritten, checkpoints(rewritten), known=read_state(path))
    assert "SECURITY ERROR" in str(second)
    assert second.checkpoint is None


# Fault objects --------------------------------------------------------------------------------


def test_fault_strings() -> None:
    assert str(Fault(3, "x")) == "entry 3: x"
    assert str(Fault(None, "x")) == "log: x"
    assert str(RangeFault(3, "x", 5)) == "entries 3–5: x"
    assert (Fault(3, "x").first, Fault(3, "x").last) == (3, 3)
    assert (RangeFault(3, "x", 5).first, RangeFault(3, "x", 5).last) == (3, 5)


def test_the_signed_message_is_the_dsse_pae() -> None:
    leaf = Leaf.from_bytes(LEAVES[4])
    ALICE.verifying_key.verify(leaf.signature, pae(PAYLOAD_TYPE, leaf.payload))
    assert base64.b64encode(leaf.payload).decode() in LEAVES[4].decode()
    assert UUID(str(leaf.aggregate_id)) == uuid5(SUBJECTS, "officer/can-bo-5")
