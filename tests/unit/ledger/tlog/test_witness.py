"""The inspectorate's witness (ledger/tlog/witness.py): tlog-witness add-checkpoint, offline.

Checkpoints here are signed over in-memory trees of made-up leaves; the last tests put
the witness's cosignatures in front of the inspector, on a small real ledger.
"""

from __future__ import annotations

import base64
import hashlib
import json
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from uuid import NAMESPACE_URL, uuid5

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keys import SigningKey
from ledger.signing.dsse import PAYLOAD_TYPE, pae
from ledger.tlog.inspection import Inspector
from ledger.tlog.log import Leaf, leaf_hash
from ledger.tlog.merkle import MemoryNodes, consistency_proof, root_at
from ledger.tlog.notes import (
    Checkpoint,
    CosignatureSigner,
    CosignatureVerifier,
    Note,
    NoteSigner,
    sign_note,
)
from ledger.tlog.witness import MAX_PROOF_LINES, Witness, WitnessError, parse_request, request_body

ORIGIN = "hungyen.gov.vn/par-ledger"


def _seed(name: str) -> bytes:
    return hashlib.sha256(f"test_witness {name}".encode()).digest()


LOG = NoteSigner(ORIGIN, _seed("log"))
STRANGER = NoteSigner(ORIGIN, _seed("stranger"))  # same name as the log, another key
WITNESS = CosignatureSigner("inspectorate.hungyen.gov.vn", _seed("witness"))
NOW = 1_730_000_000


class Tree:
    """A log of made-up leaves with a signed checkpoint for any size."""

    def __init__(self, tag: str, size: int = 40, *, same_prefix: int = 0, base: Tree | None = None) -> None:
        leaves = [f"{tag} leaf {i}".encode() for i in range(size)]
        if base is not None:
            leaves[:same_prefix] = base.leaves[:same_prefix]
        self.leaves = leaves
        self.nodes = MemoryNodes(leaf_hash(leaf) for leaf in leaves)

    def root(self, size: int) -> bytes:
        return root_at(size, self.nodes)

    def note(self, size: int, *, signer: NoteSigner = LOG, origin: str = ORIGIN) -> bytes:
        return sign_note(Checkpoint(origin, size, self.root(size)).text(), signer).serialize()

    def proof(self, old: int, new: int) -> list[bytes]:
        return consistency_proof(old, new, self.nodes) if old else []

    def request(self, old: int, new: int) -> bytes:
        return request_body(old, self.proof(old, new), self.note(new))


TREE = Tree("honest")


def witness(path: Path) -> Witness:
    return Witness(name="Thanh tra tỉnh", signer=WITNESS, log_vkey=LOG.vkey, origin=ORIGIN, state_path=path / "w.state")


@pytest.fixture
def fresh(tmp_path: Path) -> Witness:
    return witness(tmp_path)


@pytest.fixture
def at10(tmp_path: Path) -> Witness:
    w = witness(tmp_path)
    w.cosign(TREE.request(0, 10), now=NOW)
    return w


def refusal(w: Witness, body: bytes) -> WitnessError:
    held = w.held
    with pytest.raises(WitnessError) as caught:
        w.cosign(body, now=NOW + 1)
    assert w.held == held  # a refusal never changes the state
    return caught.value


def assert_both_notes(error: WitnessError, held: bytes | None, offered: bytes) -> None:
    message = str(error)
    for note in (held, offered):
        if note is not None:
            for line in note.decode().rstrip("\n").split("\n"):
                if line:
                    assert line in message
    assert error.held == held
    assert error.offered == offered


# Request format ----------------------------------------------------------------------------


def test_the_request_is_old_size_proof_lines_a_blank_line_and_the_checkpoint() -> None:
    proof = TREE.proof(3, 7)
    note = TREE.note(7)
    body = request_body(3, proof, note)
    lines = "".join(base64.b64encode(h).decode() + "\n" for h in proof)
    assert body == f"old 3\n{lines}\n".encode() + note
    assert parse_request(body) == (3, proof, note)


def test_a_first_request_has_no_proof_lines() -> None:
    assert request_body(0, [], TREE.note(1)) == b"old 0\n\n" + TREE.note(1)


@given(
    old=st.integers(min_value=0, max_value=2**63 - 1), hashes=st.lists(st.binary(min_size=32, max_size=32), max_size=8)
)
def test_requests_round_trip(old: int, hashes: list[bytes]) -> None:
    body = request_body(old, hashes, TREE.note(5))
    assert parse_request(body) == (old, hashes, TREE.note(5))


@pytest.mark.parametrize(
    "body",
    [
        b"old 3\n",
        b"old 03\n\n" + TREE.note(3),
        b"old -1\n\n" + TREE.note(3),
        b"new 3\n\n" + TREE.note(3),
        b"old 3 \n\n" + TREE.note(3),
        b"old 3\nnot base64!\n\n" + TREE.note(3),
        b"old 3\n" + base64.b64encode(b"\x01" * 31) + b"\n\n" + TREE.note(3),
        b"old 3\nAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQF=\n\n" + TREE.note(3),  # non-canonical
        b"old 3\n" + (base64.b64encode(b"\x01" * 32) + b"\n") * (MAX_PROOF_LINES + 1) + b"\n" + TREE.note(3),
        b"old 3\n\n",
    ],
)
def test_malformed_requests_are_refused(fresh: Witness, body: bytes) -> None:
    error = refusal(fresh, body)
    assert error.status == 400
    assert "malformed request" in str(error)


def test_a_request_needs_a_sane_old_size_and_proof() -> None:
    with pytest.raises(ValueError, match="old size"):
        request_body(-1, [], TREE.note(1))
    with pytest.raises(ValueError, match="32 bytes"):
        request_body(1, [b"short"], TREE.note(2))


# Cosigning -------------------------------------------------------------------------------------


def test_a_first_checkpoint_is_cosigned_and_kept(fresh: Witness) -> None:
    assert fresh.held is None
    signature = fresh.cosign(TREE.request(0, 10), now=NOW)
    note = TREE.note(10)
    assert CosignatureVerifier(WITNESS.vkey).verify(Note.parse(note).text, signature) == NOW
    assert fresh.held == note


def test_the_cosigned_note_carries_the_cosignature(fresh: Witness) -> None:
    note = fresh.cosigned(TREE.request(0, 4), now=NOW)
    parsed = Note.parse(note)
    assert parsed.signatures[0] == Note.parse(TREE.note(4)).signatures[0]
    assert CosignatureVerifier(WITNESS.vkey).verify(parsed.text, parsed.signatures[1]) == NOW


def test_the_witness_follows_a_growing_log_across_restarts(tmp_path: Path) -> None:
    sizes = [1, 2, 3, 8, 9, 16, 17, 31, 40]
    old = 0
    for size in sizes:
        w = witness(tmp_path)  # a new process each time: the state file is all it remembers
        w.cosign(TREE.request(old, size), now=NOW + size)
        assert w.held == TREE.note(size)
        old = size


def test_the_same_checkpoint_again_is_cosigned_again(at10: Witness) -> None:
    signature = at10.cosign(TREE.request(10, 10), now=NOW + 5)
    assert CosignatureVerifier(WITNESS.vkey).verify(Note.parse(TREE.note(10)).text, signature) == NOW + 5
    assert at10.held == TREE.note(10)


def test_a_wrong_old_size_is_refused_with_the_witness_size(at10: Witness) -> None:
    body = request_body(8, TREE.proof(8, 12), TREE.note(12))
    error = refusal(at10, body)
    assert error.status == 409
    assert error.size == 10
    assert "old size 8 is not the size this witness holds: 10" in str(error)
    assert_both_notes(error, TREE.note(10), TREE.note(12))


def test_a_fresh_witness_refuses_a_nonzero_old_size(fresh: Witness) -> None:
    error = refusal(fresh, TREE.request(5, 10))
    assert (error.status, error.size) == (409, 0)
    assert "this witness has cosigned nothing yet" in str(error)


def test_a_first_checkpoint_with_a_proof_is_refused(fresh: Witness) -> None:
    error = refusal(fresh, request_body(0, TREE.proof(3, 10), TREE.note(10)))
    assert error.status == 422


def test_a_bad_proof_is_refused_with_both_notes(at10: Witness) -> None:
    proof = TREE.proof(10, 20)
    proof[0] = bytes([proof[0][0] ^ 1]) + proof[0][1:]
    error = refusal(at10, request_body(10, proof, TREE.note(20)))
    assert error.status == 422
    assert "is not consistent with the one held (10)" in str(error)
    assert_both_notes(error, TREE.note(10), TREE.note(20))


def test_a_missing_proof_is_refused(at10: Witness) -> None:
    assert refusal(at10, request_body(10, [], TREE.note(20))).status == 422


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_honest_step_is_cosigned_and_any_altered_proof_refused(data: st.DataObject) -> None:
    old = data.draw(st.integers(min_value=1, max_value=39), label="old")
    new = data.draw(st.integers(min_value=old + 1, max_value=40), label="new")
    with tempfile.TemporaryDirectory() as directory:
        w = witness(Path(directory))
        w.cosign(TREE.request(0, old), now=NOW)
        proof = TREE.proof(old, new)
        index = data.draw(st.integers(min_value=0, max_value=len(proof) - 1), label="hash")
        bit = data.draw(st.integers(min_value=0, max_value=255), label="bit")
        altered = list(proof)
        altered[index] = (
            altered[index][: bit // 8]
            + bytes([altered[index][bit // 8] ^ (1 << bit % 8)])
            + altered[index][bit // 8 + 1 :]
        )
        assert refusal(w, request_body(old, altered, TREE.note(new))).status == 422
        assert refusal(w, request_body(old, proof[:-1], TREE.note(new))).status == 422
        w.cosign(request_body(old, proof, TREE.note(new)), now=NOW)
        assert w.held == TREE.note(new)


# The malicious-log suite ---------------------------------------------------------------------


def test_a_forked_checkpoint_is_refused_with_both_notes(at10: Witness) -> None:
    fork = Tree("fork")
    error = refusal(at10, request_body(10, [], fork.note(10)))
    assert error.status == 409
    assert "fork" in str(error)
    assert_both_notes(error, TREE.note(10), fork.note(10))


def test_rewritten_history_re_signed_by_the_log_key_is_refused_with_both_notes(at10: Witness) -> None:
    rewritten = Tree("rewritten", same_prefix=6, base=TREE)  # entries 7.. differ
    error = refusal(at10, request_body(10, rewritten.proof(10, 30), rewritten.note(30)))
    assert error.status == 422
    assert_both_notes(error, TREE.note(10), rewritten.note(30))


def test_a_stale_checkpoint_is_refused_with_both_notes(at10: Witness) -> None:
    error = refusal(at10, request_body(10, [], TREE.note(7)))
    assert error.status == 409
    assert "rollback: the checkpoint (7) is smaller than the one held (10)" in str(error)
    assert_both_notes(error, TREE.note(10), TREE.note(7))


def test_a_mismatched_origin_is_refused(at10: Witness) -> None:
    error = refusal(at10, request_body(10, TREE.proof(10, 12), TREE.note(12, origin="example.com/other")))
    assert error.status == 404
    assert "origin" in str(error)
    assert_both_notes(error, TREE.note(10), TREE.note(12, origin="example.com/other"))


def test_a_valid_signature_by_an_unknown_key_is_refused(at10: Witness) -> None:
    note = TREE.note(12, signer=STRANGER)
    error = refusal(at10, request_body(10, TREE.proof(10, 12), note))
    assert error.status == 403
    assert "not signed by any known key" in str(error)
    assert_both_notes(error, TREE.note(10), note)


def test_a_bad_signature_by_the_log_key_is_refused(at10: Witness) -> None:
    honest = Note.parse(TREE.note(12))
    lie = Note(Checkpoint(ORIGIN, 12, b"\x05" * 32).text(), honest.signatures).serialize()
    error = refusal(at10, request_body(10, TREE.proof(10, 12), lie))
    assert error.status == 403
    assert "does not verify" in str(error)
    assert_both_notes(error, TREE.note(10), lie)


def test_a_damaged_state_is_refused(at10: Witness, tmp_path: Path) -> None:
    (tmp_path / "w.state").write_bytes(TREE.note(10).replace(b"\n10\n", b"\n11\n"))
    error = refusal(at10, TREE.request(10, 12))
    assert error.status == 500


def test_concurrent_requests_cosign_once(fresh: Witness) -> None:
    outcomes: list[object] = []
    body = TREE.request(0, 10)
    other = Tree("other").request(0, 10)

    def send(request: bytes) -> None:
        try:
            outcomes.append(fresh.cosign(request, now=NOW))
        except WitnessError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=send, args=(b,)) for b in (body, other) * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cosigned = [o for o in outcomes if not isinstance(o, WitnessError)]
    held = fresh.held
    assert held in (TREE.note(10), Tree("other").note(10))
    assert len(cosigned) == 1  # the others now hold the wrong old size (0, not 10)
    refused = [o for o in outcomes if isinstance(o, WitnessError)]
    assert [(e.status, e.size) for e in refused] == [(409, 10)] * 7


def test_no_temporary_file_is_left_behind(at10: Witness, tmp_path: Path) -> None:
    at10.cosign(TREE.request(10, 11), now=NOW)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.state"]


# Witness cosignatures before the inspector --------------------------------------------------------

SUBJECTS = uuid5(NAMESPACE_URL, "https://hungyen.gov.vn/par-ledger/subjects")
ROOT = SigningKey.from_seed(_seed("root"))


def small_ledger(n: int) -> list[bytes]:
    """Entry 1 initialises; the root key signs n - 1 more statements."""
    leaves = []
    for seq in range(1, n + 1):
        if seq == 1:
            kind, subject, event = "ledger.initialise", "authority", "par:Authority.Initialised.v1"
            body: dict[str, object] = {"name": "UBND", "root_public_key": ROOT.verifying_key.base64}
        else:
            kind, subject, event = "unit.register", f"unit/U{seq}", "par:Unit.Registered.v1"
            body = {"name": f"Đơn vị {seq}"}
        statement = {
            "body": body,
            "client_time": "2024-03-01T09:00:00+07:00",
            "nonce": f"{seq:032x}",
            "officer": "root",
            "subject": subject,
            "type": kind,
            "unit": "authority",
        }
        payload = json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()
        leaves.append(
            Leaf(
                seq,
                uuid5(SUBJECTS, subject),
                1,
                event,
                datetime(2024, 3, 1, 2, 0, seq, tzinfo=UTC),
                PAYLOAD_TYPE,
                payload,
                ROOT.key_id,
                ROOT.sign(pae(PAYLOAD_TYPE, payload)),
            ).to_bytes()
        )
    return leaves


def test_witness_cosignatures_satisfy_the_inspectors_quorum(tmp_path: Path) -> None:
    leaves = small_ledger(9)
    nodes = MemoryNodes(leaf_hash(leaf) for leaf in leaves)
    note = sign_note(Checkpoint(ORIGIN, 9, nodes.root()).text(), LOG).serialize()
    w = witness(tmp_path)
    cosigned = w.cosigned(request_body(0, [], note), now=NOW)
    inspector = Inspector(log_vkey=LOG.vkey, origin=ORIGIN, witness_vkeys=[WITNESS.vkey], witness_quorum=1)
    entries = list(enumerate(leaves, start=1))
    assert inspector.inspect(entries, [cosigned]).ok
    report = inspector.inspect(entries, [note])
    assert [str(f) for f in report.faults] == [
        "log: checkpoint 9 is cosigned by 0 of the 1 witnesses required (valid cosignatures from: none)"
    ]


def test_the_inspector_and_the_witness_share_a_state_format(tmp_path: Path) -> None:
    leaves = small_ledger(6)
    nodes = MemoryNodes(leaf_hash(leaf) for leaf in leaves)
    note = sign_note(Checkpoint(ORIGIN, 6, nodes.root()).text(), LOG).serialize()
    w = witness(tmp_path)
    w.cosign(request_body(0, [], note), now=NOW)
    inspector = Inspector(log_vkey=LOG.vkey, origin=ORIGIN, known=w.held)
    assert inspector.inspect(list(enumerate(leaves, start=1)), [note]).ok
