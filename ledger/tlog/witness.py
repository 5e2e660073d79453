"""The inspectorate's witness: cosign a checkpoint only if it extends the last one cosigned.

c2sp.org/tlog-witness semantics, offline: a request (:func:`request_body`) carries the
size of the checkpoint the log believes the witness holds, an RFC 9162 consistency proof
from that checkpoint to a new one, and the new signed checkpoint. :meth:`Witness.cosign`

1. verifies the new checkpoint's log signature and origin (HTTP 403 / 404 in the spec);
2. requires the request's old size to be the size of the checkpoint it holds, else
   refuses saying its own size (409) — the log then retries with the right proof;
3. refuses a checkpoint smaller than the one it holds (a rollback) and one of the same
   size with another root (a fork) (409);
4. verifies the consistency proof from its checkpoint to the new one (422); a witness
   with no state accepts a first checkpoint with old size 0 and an empty proof;
5. cosigns (c2sp.org/tlog-cosignature, type 0x04, ``cosignature/v1``) and stores the new
   checkpoint, atomically, before returning the cosignature.

Every refusal is a :class:`WitnessError` (``ledger.tlog.errors``) whose message carries both signed notes — the
one held and the one offered — so that a refused request is evidence, as Go's sumdb
client prints both trees on a "SECURITY ERROR".

The state file holds the raw signed note of the last checkpoint cosigned, the same format
as the inspector's state (ledger.tlog.report.read_state / write_state). One process should
own a state file; within it, a lock serialises requests.

Imports only the standard library, ``cryptography`` and the rest of ``ledger.tlog``.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path

from ledger.tlog.errors import WitnessError
from ledger.tlog.files import write_atomically
from ledger.tlog.merkle import HASH_SIZE, ProofError, verify_consistency
from ledger.tlog.notes import (
    Checkpoint,
    CosignatureSigner,
    Note,
    NoteError,
    NoteVerifier,
    Signature,
    open_checkpoint,
)

__all__ = ["MAX_PROOF_LINES", "Witness", "WitnessError", "parse_request", "request_body"]

MAX_PROOF_LINES = 63
"""Most consistency-proof lines a request may carry (a proof in a tree of 2**63 leaves)."""

_OLD = re.compile(rb"old (0|[1-9][0-9]{0,18})")


def request_body(old_size: int, proof: Sequence[bytes], checkpoint_note: bytes) -> bytes:
    """An add-checkpoint request: ``old <size>``, base64 proof lines, a blank line, the note."""
    if not isinstance(old_size, int) or isinstance(old_size, bool) or not 0 <= old_size < 2**63:
        raise ValueError(f"old size must be an int in 0..2**63-1, got {old_size!r}")
    if len(proof) > MAX_PROOF_LINES:
        raise ValueError(f"a consistency proof has at most {MAX_PROOF_LINES} hashes, got {len(proof)}")
    lines = [f"old {old_size}"]
    for element in proof:
        if not isinstance(element, bytes) or len(element) != HASH_SIZE:
            raise ValueError(f"every proof hash must be {HASH_SIZE} bytes")
        lines.append(base64.b64encode(element).decode("ascii"))
    return ("\n".join(lines) + "\n\n").encode("ascii") + checkpoint_note


def parse_request(body: bytes) -> tuple[int, list[bytes], bytes]:
    """Split an add-checkpoint request into (old size, proof hashes, checkpoint note).

    Raises:
        WitnessError: 400 if the request is malformed.
    """

    def refuse(reason: str) -> WitnessError:
        return WitnessError("witness_request_malformed", status=400, held=None, offered=None, detail=reason)

    if not isinstance(body, bytes):
        raise refuse("the body must be bytes")
    head, blank, note = body.partition(b"\n\n")
    if not blank:
        raise refuse("no blank line before the checkpoint")
    lines = head.split(b"\n")
    old = _OLD.fullmatch(lines[0])
    if old is None:
        raise refuse("the first line must be 'old <size>'")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise refuse(f"more than {MAX_PROOF_LINES} proof lines")
    proof = []
    for number, line in enumerate(lines[1:]):
        try:
            element = binascii.a2b_base64(line, strict_mode=True)
        except binascii.Error:
            raise refuse(f"proof line {number} is not base64") from None
        if len(element) != HASH_SIZE or base64.b64encode(element) != line:
            raise refuse(f"proof line {number} is not the canonical base64 of a {HASH_SIZE}-byte hash")
        proof.append(element)
    if not note:
        raise refuse("no checkpoint after the blank line")
    return int(old[1]), proof, note


class Witness:
    """A witness for one log: it cosigns checkpoints that extend the last one it cosigned.

    Args:
        name: the witness's name, for messages (its key name is the signer's).
        signer: the witness's cosignature key.
        log_vkey: the log's verifier key (type 0x01).
        origin: the log's origin line.
        state_path: where the last cosigned checkpoint's signed note is kept.
    """

    def __init__(
        self, *, name: str, signer: CosignatureSigner, log_vkey: str, origin: str, state_path: str | os.PathLike[str]
    ) -> None:
        self.name = name
        self._signer = signer
        self._log = NoteVerifier(log_vkey)
        self._origin = origin
        self._path = Path(state_path)
        self._lock = threading.Lock()

    @property
    def held(self) -> bytes | None:
        """The signed note of the last checkpoint cosigned (None before the first)."""
        try:
            return self._path.read_bytes()
        except FileNotFoundError:
            return None

    def cosign(self, request_body: bytes, *, now: int) -> Signature:
        """Cosign the request's checkpoint as of ``now`` (POSIX seconds) if it extends the state.

        Returns:
            The cosignature line to add to the checkpoint note.

        Raises:
            WitnessError: with both notes in its message, if the witness refuses.
        """
        with self._lock:
            return self._cosign(request_body, now)

    def _cosign(self, body: bytes, now: int) -> Signature:
        old_size, proof, offered = parse_request(body)
        held = self.held

        def refuse(code: str, status: int, size: int | None = None, **params: object) -> WitnessError:
            return WitnessError(code, status=status, held=held, offered=offered, size=size, witness=self.name, **params)

        try:
            new = open_checkpoint(offered, self._log, origin=self._origin)
        except NoteError as exc:
            status = 404 if exc.code == "checkpoint_origin" else 403
            raise refuse("witness_checkpoint_unverified", status, detail=str(exc)) from None
        current: Checkpoint | None = None
        if held is not None:
            try:
                current = open_checkpoint(held, self._log, origin=self._origin)
            except NoteError as exc:
                raise refuse("witness_state_damaged", 500, detail=str(exc)) from None
        size = current.size if current is not None else 0
        if new.size < size:
            raise refuse("witness_rollback", 409, size, offered_size=new.size)
        if old_size != size:
            raise refuse("witness_old_size", 409, size, old_size=old_size)
        if current is None or size == 0:
            if proof:
                raise refuse("witness_proof_from_empty", 422, count=len(proof))
        elif new.size == size:
            if proof:
                raise refuse("witness_proof_equal_sizes", 422, count=len(proof))
            if new.root != current.root:
                raise refuse("witness_fork", 409, size)
        else:
            try:
                verify_consistency(size, new.size, proof, current.root, new.root)
            except ProofError as exc:
                raise refuse(
                    "witness_inconsistent", 422, offered_size=new.size, held_size=size, detail=str(exc)
                ) from None
        signature = self._signer.cosign(new.text(), now)
        write_atomically(self._path, offered)
        return signature

    def cosigned(self, request_body: bytes, *, now: int) -> bytes:
        """Like :meth:`cosign`, but return the checkpoint note with the cosignature added."""
        _, _, note = parse_request(request_body)
        signature = self.cosign(request_body, now=now)
        return Note.parse(note).with_signatures(signature).serialize()
