"""The offline inspector: check a ledger's leaves against its signed checkpoints.

An inspector (the inspectorate, an auditor, a court) receives the ledger's entries as
``(seq, leaf bytes)`` pairs (docs/formats.md §4) and the log's signed checkpoints
(C2SP notes), and needs nothing else: not the database, not the application, only the
log's verifier key, optionally the pinned root key id, the witnesses' verifier keys
and its own last verified checkpoint (the *state*, :func:`read_state` /
:func:`write_state`). It checks, and names every fault by sequence number:

* **Order.** Sequence numbers run 1, 2, 3, … A gap is a deleted entry, a number given
  twice an inserted (or copied) entry, a number given late a swapped or moved entry, and
  a leaf whose ``seq`` line differs from its position a moved one (runs of leaves shifted
  by the same amount are reported as one range).
* **Leaves.** Each leaf must be in the exact framing of docs/formats.md §4, with a known
  event type and the statement payload type.
* **Signatures and keys.** Keys are learnt by replaying the ledger: entry 1 is
  ``ledger.initialise``, signed by the root key it names (and, if pinned, that key);
  ``key.register`` adds a key from the next entry on, ``key.revoke`` removes it from the
  next entry on. Every entry's Ed25519 signature over ``PAE(payload type, payload)`` must
  verify with a key valid at its position. Only the key statements' payloads are parsed
  (stdlib :mod:`json`); no other statement is interpreted, so schemas and who may sign
  what remain the online verifier's job (``ledger/verify.py``).
* **Duplicates.** The same payload bytes twice (by SHA-256) is a replayed envelope.
* **Checkpoints.** Every checkpoint must carry a valid signature by the log key and the
  expected origin; its size must not exceed the entries given (else the tail was
  truncated) and its root must equal the root rebuilt from the leaves at that size. Two
  validly signed checkpoints of one size with different roots are a fork.
  Where only the checkpoints show an alteration (every leaf verifies but a root differs),
  the fault names the smallest range they allow: from the entry after the last matching
  checkpoint to the first mismatching one. Once the leaves differ from a checkpoint they
  differ from every later one too, so only that **first** transition is reported; a
  second, independent alteration further on is not told apart from it. That range fault
  is left out when an entry fault inside the range already explains it (a signature
  that fails, a missing entry, …). A mismatching checkpoint followed by a matching one
  is the log's fault (it signed two inconsistent trees) and is reported as such.
* **State.** If the inspector verified a checkpoint before, the log must still contain
  it (same root at its size) and the latest checkpoint must be consistent with it: an
  RFC 9162 consistency proof, computed from the rebuilt tree, must verify from the old
  checkpoint to the new one. As in Go's sumdb client, failing that is a security error
  whose message prints both signed notes as evidence. A latest checkpoint smaller than
  the state is a rollback.
* **Witnesses.** The latest checkpoint must carry valid cosignatures (c2sp.org/
  tlog-cosignature) from at least ``witness_quorum`` distinct witnesses of
  ``witness_vkeys``; a cosignature by a known witness that does not verify is a fault.

The signature covers the payload only: a change to a leaf's ``seq``, ``aggregate``,
``version``, ``type`` or ``time`` line is seen through the checkpoints alone (or as a
malformed leaf), which is why the ledger signs a checkpoint after every append.

Entries are streamed: the inspector keeps O(n) hashes (the Merkle tree's nodes, one
digest per payload and, across runs, the signatures found valid), never the leaves.
Entry ``seq`` is leaf ``seq − 1`` of the rebuilt tree; a missing entry is a stand-in hash
that matches no checkpoint. Signature checks can run on worker threads (``workers``): the
key each entry needs is decided in ledger order on the calling thread before its check is
queued, and key statements, whose effect depends on their own validity, are verified at
once on the calling thread.

This module imports only the standard library, ``cryptography``, ``keys`` and the
stdlib-only ledger modules (log, merkle, notes, dsse), so that it runs without the
ledger's application stack (tests/unit/ledger/tlog/test_inspection.py checks this).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.signing.dsse import PAYLOAD_TYPE, pae
from ledger.tlog.errors import InspectionError, PublicKeyError
from ledger.tlog.files import write_atomically
from ledger.tlog.log import EVENT_TYPES, INITIALISED, KEY_REGISTERED, KEY_REVOKED, Leaf, LeafError
from ledger.tlog.merkle import EMPTY_ROOT, ProofError, consistency_proof, verify_consistency
from ledger.tlog.notes import (
    Checkpoint,
    CosignatureVerifier,
    Note,
    NoteError,
    NoteVerifier,
    open_checkpoint,
)
from ledger.tlog.transparency import DEFAULT_ORIGIN

__all__ = [
    "DEFAULT_ORIGIN",
    "EVENT_TYPES",
    "Fault",
    "Inspector",
    "RangeFault",
    "Report",
    "read_state",
    "write_state",
]

_INITIALISED = INITIALISED.encode()
_REGISTERED = KEY_REGISTERED.encode()

# The statement type each key event type must carry.
_KEY_STATEMENTS = {
    INITIALISED.encode(): "ledger.initialise",
    KEY_REGISTERED.encode(): "key.register",
    KEY_REVOKED.encode(): "key.revoke",
}
_EVENT_TYPES = frozenset(t.encode() for t in EVENT_TYPES)
_PAYLOAD_TYPE = PAYLOAD_TYPE.encode()
# PAE(PAYLOAD_TYPE, payload) = this prefix + b"<len> " + payload.
_PAE_PREFIX = pae(PAYLOAD_TYPE, b"")[: -len(b"0 ")]
_AUTHORITY_SUBJECT = "authority"
_KEY_ID_PREFIX = "ed25519:"
_PUBLIC_KEY_SIZE = 32
_KEY_SUBJECT = re.compile(r"key/(ed25519:[0-9a-f]{64})")
# In canonical JSON a top-level or nested member "type" whose value starts like a key
# statement's type; a cheap screen before parsing a payload that claims another event type.
_KEY_STATEMENT_HINT = (b'"type":"key.', b'"type":"ledger.initialise"')

# docs/formats.md §4, as one strict pattern. Anything it accepts Leaf.from_bytes accepts
# too (the unit tests check that); it is only faster. Groups: seq, type, time, payload
# type, payload, key id, signature.
_LEAF = re.compile(
    rb"par-ledger/leaf/v1\n"
    rb"seq ([1-9][0-9]*)\n"
    rb"aggregate [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n"
    rb"version [1-9][0-9]*\n"
    rb"type ([\x21-\x7e]+)\n"
    rb"time ([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6})Z\n"
    rb"payload-type ([\x21-\x7e]+)\n"
    rb"payload ([A-Za-z0-9+/]*={0,2})\n"
    rb"signature ([\x21-\x7e]+) ([A-Za-z0-9+/]*={0,2})\n"
)

# A stand-in leaf hash for a missing entry: never the hash of any leaf (it is not a
# SHA-256 output anyone can aim for), so every root over it mismatches.
_MISSING = b"\xff" * 32
# A gap wider than this is a corrupted sequence number, not deleted entries: the entry
# is reported and skipped rather than padding the tree with millions of stand-ins.
_MAX_GAP = 1 << 22

# Entries per batch of signature checks handed to a worker thread.
_BATCH = 256
# With worker threads, the calling thread lets go of the GIL once every _YIELD + 1
# entries (a power of two minus one), so that a worker returning from a verify gets it.
_YIELD = 3


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One thing wrong: at entry ``seq``, or with the log itself when ``seq`` is None."""

    seq: int | None
    reason: str

    def __str__(self) -> str:
        where = "log" if self.seq is None else f"entry {self.seq}"
        return f"{where}: {self.reason}"

    @property
    def first(self) -> int | None:
        """The first entry the fault concerns (``seq``)."""
        return self.seq

    @property
    def last(self) -> int | None:
        """The last entry the fault concerns (``seq`` for a single entry)."""
        return self.seq


@dataclass(frozen=True)
class RangeFault(Fault):
    """A fault that concerns entries ``seq``..``end``, which the evidence cannot narrow."""

    end: int = 0

    def __str__(self) -> str:
        return f"entries {self.seq}–{self.end}: {self.reason}"

    @property
    def last(self) -> int | None:
        """The last entry of the range."""
        return self.end


def _span(first: int, last: int, reason: str) -> Fault:
    return Fault(first, reason) if first == last else RangeFault(first, reason, last)


@dataclass
class Report:
    """What :meth:`Inspector.inspect` found.

    ``entries`` is the size of the rebuilt tree: the highest position the given entries
    reached (missing entries inside count as positions). ``checkpoint`` is the latest
    checkpoint that verified — log signature and origin, root equal to the rebuilt root at
    its size, consistent with the state checkpoint — and ``checkpoint_note`` its signed
    note; both are None if there is none. Persist it as the new state only if ``ok``.
    """

    entries: int
    checkpoint: Checkpoint | None
    faults: list[Fault]
    checkpoint_note: bytes | None = None

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.faults

    def __str__(self) -> str:
        head = f"{self.entries} entries"
        if self.checkpoint is not None:
            head += f", checkpoint {self.checkpoint.size}"
        if self.ok:
            return f"{head}: OK"
        return "\n".join([f"{head}: {len(self.faults)} fault(s)", *map(str, self.faults)])


# --------------------------------------------------------------------------------------
# State file
# --------------------------------------------------------------------------------------


def write_state(path: str | os.PathLike[str], checkpoint_note: bytes) -> None:
    """Atomically replace the state file with the raw signed note of a verified checkpoint."""
    write_atomically(Path(path), checkpoint_note)


def read_state(path: str | os.PathLike[str]) -> bytes | None:
    """The raw signed note in the state file, or None if there is no state yet."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        return None


def read_public_key(text: object) -> tuple[str, Ed25519PublicKey]:
    """A key statement's public key, as its key id (``ed25519:`` + SHA-256 hex) and the key.

    The ledger's key ids (``keys.pairs.key_id_of``), computed here so that the inspector
    needs nothing but ``cryptography``.
    """
    try:
        raw = base64.b64decode(text, validate=True)  # type: ignore[arg-type]
    except (TypeError, ValueError):  # None, a number, not ASCII, not base64
        raise PublicKeyError("public_key_not_base64") from None
    if len(raw) != _PUBLIC_KEY_SIZE:
        raise PublicKeyError("public_key_size", size=_PUBLIC_KEY_SIZE, got=len(raw))
    try:
        key = Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise PublicKeyError("public_key_unloadable", detail=str(exc)) from None
    return _KEY_ID_PREFIX + hashlib.sha256(raw).hexdigest(), key


def _note_text(note: bytes) -> str:
    """A note for evidence in a message, indented so that it stands out."""
    text = note.decode("utf-8", errors="replace").rstrip("\n")
    return "\n".join("    " + line for line in text.split("\n"))


def _evidence(*notes: tuple[str, bytes]) -> str:
    return "".join(f"\n  {label}:\n{_note_text(note)}" for label, note in notes)


def _peek_size(note: bytes) -> str:
    """The size line of a checkpoint note, for messages about a note that did not verify."""
    text = note[: note.rfind(b"\n\n") + 1].split(b"\n", 2)
    if len(text) >= 2 and text[1].isdigit() and len(text[1]) < 20:
        return f" of size {int(text[1])}"
    return ""


def _places(notes: list[bytes], cache: dict[bytes, Checkpoint | str]) -> list[str]:
    """For each note, where it was given among the notes that verified, for messages."""
    after: list[int | None] = []
    last = None
    for note in notes:
        after.append(last)
        result = cache[note]
        last = result.size if isinstance(result, Checkpoint) else last
    places = [""] * len(notes)
    following = None
    for position in range(len(notes) - 1, -1, -1):
        where = [f"after checkpoint {after[position]}"] if after[position] is not None else []
        where += [f"before checkpoint {following}"] if following is not None else []
        places[position] = f" given {' and '.join(where)}" if where else ""
        result = cache[notes[position]]
        following = result.size if isinstance(result, Checkpoint) else following
    return places


_Verify = Callable[[bytes, bytes], None]  # Ed25519PublicKey.verify(signature, message)
# A signature that verified, as (key id, signature, SHA-256 of the payload). The key id is
# the SHA-256 of the public key (checked when the key is learnt) and the message is
# PAE(payload type, payload), so the triple decides the outcome of the check.
_Verified = tuple[bytes, bytes, bytes]
_Check = tuple[_Verify, bytes, bytes, int, bytes, _Verified]


def _verify_batch(batch: list[_Check], verified: set[_Verified]) -> list[Fault]:
    """Verify (verify, signature, message, seq, key id, cache key) checks; return the faults.

    Every signature that verifies is added to ``verified`` (set.add is atomic under the GIL,
    so worker threads share it safely).
    """
    faults = []
    remember = verified.add
    for verify, signature, message, seq, key_id, check in batch:
        try:
            verify(signature, message)
        except InvalidSignature:
            faults.append(Fault(seq, f"the signature by {key_id.decode()} does not verify (forged or changed)"))
        else:
            remember(check)
    return faults


def _open_checkpoints(notes: list[bytes], log: NoteVerifier, origin: str) -> list[tuple[bytes, Checkpoint | str]]:
    results: list[tuple[bytes, Checkpoint | str]] = []
    for note in notes:
        try:
            results.append((note, open_checkpoint(note, log, origin=origin)))
        except NoteError as exc:
            results.append((note, str(exc)))
    return results


class _Levels:
    """The rebuilt tree as a merkle.NodeReader: ``levels[level][index]``."""

    __slots__ = ("levels",)

    def __init__(self) -> None:
        self.levels: list[list[bytes]] = [[]]

    def node(self, level: int, index: int) -> bytes:
        try:
            return self.levels[level][index]
        except IndexError:
            raise LookupError(f"node (level {level}, index {index}) is not in the rebuilt tree") from None

    def append(self, leaf_hash: bytes) -> None:
        """Append a leaf hash and every complete subtree it completes."""
        levels = self.levels
        carry = leaf_hash
        index = len(levels[0])
        levels[0].append(carry)
        level = 0
        while index & 1:
            carry = hashlib.sha256(b"\x01" + levels[level][index - 1] + carry).digest()
            index >>= 1
            level += 1
            if level == len(levels):
                levels.append([])
            levels[level].append(carry)

    def root(self, size: int) -> bytes:
        """MTH of the first ``size`` leaves: fold the complete subtrees, rightmost first."""
        if size == 0:
            return EMPTY_ROOT
        sha = hashlib.sha256
        levels = self.levels
        result = None
        level = 0
        rest = size
        while rest:
            if rest & 1:
                node = levels[level][rest - 1]
                result = node if result is None else sha(b"\x01" + node + result).digest()
            rest >>= 1
            level += 1
        assert result is not None
        return result


# --------------------------------------------------------------------------------------
# The inspector
# --------------------------------------------------------------------------------------


class Inspector:
    """Checks entries and checkpoints offline; see the module docstring for what it checks.

    Args:
        log_vkey: the log's verifier key (``name+id+base64``, type 0x01).
        origin: the checkpoints' origin line.
        root_key_id: if set, entry 1 must name this root key.
        witness_vkeys: the witnesses' cosignature verifier keys (type 0x04).
        witness_quorum: how many distinct witnesses must cosign the latest checkpoint.
        known: the signed note of the checkpoint this inspector verified last (the state).
        workers: threads verifying entry signatures; 1 verifies on the calling thread.

    Checkpoint notes that verified (or failed) are remembered by their bytes, and entry
    signatures that verified by (key id, signature, payload digest), so an inspector that
    runs again over a grown (or partly changed) log checks each signature once. Whether a
    key is valid at an entry's position is still decided on every run; only the Ed25519
    arithmetic for a triple already found valid is not repeated.

    Raises:
        NoteError: if a verifier key cannot be read.
        ValueError: if the quorum or the number of workers is impossible.
    """

    def __init__(
        self,
        *,
        log_vkey: str,
        origin: str = DEFAULT_ORIGIN,
        root_key_id: str | None = None,
        witness_vkeys: Sequence[str] = (),
        witness_quorum: int = 0,
        known: bytes | None = None,
        workers: int = 1,
    ) -> None:
        self._log = NoteVerifier(log_vkey)
        self._origin = origin
        self._root_key_id = root_key_id
        witnesses: dict[str, CosignatureVerifier] = {}
        for vkey in witness_vkeys:
            verifier = CosignatureVerifier(vkey)
            witnesses.setdefault(verifier.vkey, verifier)
        self._witnesses = list(witnesses.values())
        if not 0 <= witness_quorum <= len(self._witnesses):
            raise InspectionError("witness_quorum_impossible", quorum=witness_quorum, witnesses=len(self._witnesses))
        self._quorum = witness_quorum
        if workers < 1:
            raise InspectionError("inspector_workers", workers=workers)
        self._workers = workers
        self.known = known
        self._checkpoints: dict[bytes, Checkpoint | str] = {}
        self._verified: set[_Verified] = set()

    def inspect(self, entries: Iterable[tuple[int, bytes]], checkpoints: Iterable[bytes]) -> Report:
        """Check ``(seq, leaf bytes)`` entries, in ledger order, against signed checkpoints."""
        notes = list(dict.fromkeys(checkpoints))
        pending = [note for note in notes if note not in self._checkpoints]
        if self._workers == 1:
            self._checkpoints.update(_open_checkpoints(pending, self._log, self._origin))
            return _Run(self, None).finish(entries, notes)
        with ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="inspector") as pool:
            step = max(1, len(pending) // (4 * self._workers) + 1)
            opening = [
                pool.submit(_open_checkpoints, pending[i : i + step], self._log, self._origin)
                for i in range(0, len(pending), step)
            ]
            run = _Run(self, pool)
            run.stream(entries)
            for future in opening:
                self._checkpoints.update(future.result())
            run.collect()
        return run.conclude(notes)


@dataclass
class _Run:
    """The state of one inspection."""

    inspector: Inspector
    pool: ThreadPoolExecutor | None
    faults: list[Fault] = field(default_factory=list)
    tree: _Levels = field(default_factory=_Levels)
    matches: dict[int, bool] = field(default_factory=dict)
    size: int = 0
    active: dict[bytes, _Verify] = field(default_factory=dict)  # key id -> verify, while valid
    registered: dict[str, int] = field(default_factory=dict)
    revoked: dict[bytes, int] = field(default_factory=dict)
    invalid_registrations: dict[bytes, int] = field(default_factory=dict)
    gaps: list[list[int]] = field(default_factory=list)
    # A run of leaves whose seq lines are shifted by the same amount: [first, last, shift].
    shifted: list[int] | None = None
    batch: list[_Check] = field(default_factory=list)
    futures: list[Future[list[Fault]]] = field(default_factory=list)

    # Driving -----------------------------------------------------------------------------

    def finish(self, entries: Iterable[tuple[int, bytes]], notes: list[bytes]) -> Report:
        self.stream(entries)
        self.collect()
        return self.conclude(notes)

    def stream(self, entries: Iterable[tuple[int, bytes]]) -> None:
        """The hot loop: one pass over the entries, in order."""
        sha = hashlib.sha256
        match = _LEAF.fullmatch
        a2b = binascii.a2b_base64
        b2a = binascii.b2a_base64
        fromisoformat = datetime.fromisoformat
        event_types = _EVENT_TYPES
        key_statements = _KEY_STATEMENTS
        hints = _KEY_STATEMENT_HINT
        payload_type = _PAYLOAD_TYPE
        pae_prefix = _PAE_PREFIX
        active = self.active
        verified = self.inspector._verified
        seen: dict[bytes, int] = {}
        levels = self.tree.levels
        leaves = levels[0]
        batch = self.batch
        faults = self.faults
        threaded = self.pool is not None
        every = _YIELD
        expected = self.size + 1
        for seq, data in entries:
            if seq != expected and not self._reposition(seq, data, expected):
                continue
            m = match(data)
            if m is None:
                self._malformed(seq, data)
            else:
                seq_line, event_type, moment, leaf_payload_type, payload64, key_id, signature64 = m.groups()
                if int(seq_line) != seq:
                    self._shifted(seq, int(seq_line))
                elif self.shifted is not None:
                    self._flush_shifted()
                try:
                    fromisoformat(moment.decode())
                    payload = a2b(payload64, strict_mode=True)
                    signature = a2b(signature64, strict_mode=True)
                except ValueError as exc:
                    faults.append(Fault(seq, f"leaf field cannot be read (changed bytes?): {exc}"))
                    payload = signature = None
                if payload is not None and (
                    b2a(payload, newline=False) != payload64 or b2a(signature, newline=False) != signature64
                ):
                    faults.append(Fault(seq, "leaf is not in canonical framing: non-canonical base64 (changed bytes?)"))
                    payload = None
                if payload is not None:
                    digest = sha(payload).digest()
                    first = seen.setdefault(digest, seq)
                    if first != seq:
                        faults.append(Fault(seq, f"duplicates the envelope of entry {first} (same payload bytes)"))
                    if event_type not in event_types:
                        faults.append(Fault(seq, f"unknown event type {event_type.decode()!r}"))
                    elif leaf_payload_type != payload_type:
                        faults.append(Fault(seq, f"unknown payload type {leaf_payload_type.decode()!r}"))
                    elif event_type in key_statements:
                        self._key_statement(seq, event_type, payload, key_id, signature)
                    else:
                        if hints[0] in payload or hints[1] in payload:
                            self._disguised(seq, event_type, payload)
                        key = active.get(key_id)
                        if key is None:
                            self._unknown_key(seq, key_id)
                        else:
                            check = (key_id, signature, digest)
                            if check not in verified:
                                message = pae_prefix + b"%d " % len(payload) + payload
                                batch.append((key, signature, message, seq, key_id, check))
                                if len(batch) >= _BATCH:
                                    self._flush()
                                    batch = self.batch
            # The tree is over the bytes as given, whatever they hold (_Levels.append, inlined).
            carry = sha(b"\x00" + data).digest()
            index = len(leaves)
            leaves.append(carry)
            level = 0
            while index & 1:
                carry = sha(b"\x01" + levels[level][index - 1] + carry).digest()
                index >>= 1
                level += 1
                if level == len(levels):
                    levels.append([])
                levels[level].append(carry)
            expected = seq + 1
            if threaded and not len(leaves) & every:
                # Let a verifying thread that is waiting for the GIL take it now, rather
                # than after the interpreter's 5 ms switch interval.
                time.sleep(0)
        self.size = expected - 1
        if self.shifted is not None:
            self._flush_shifted()

    def _flush(self) -> None:
        batch, self.batch = self.batch, []
        verified = self.inspector._verified
        if self.pool is None:
            self.faults.extend(_verify_batch(batch, verified))
            return
        self.futures.append(self.pool.submit(_verify_batch, batch, verified))
        # Keep a bounded number of batches in flight: the messages hold payload copies.
        while len(self.futures) > 4 * self.inspector._workers:
            self.faults.extend(self.futures.pop(0).result())

    def collect(self) -> None:
        """Verify what is still queued and gather every batch's faults."""
        if self.batch:
            self._flush()
        for future in self.futures:
            self.faults.extend(future.result())
        self.futures.clear()

    # Order -------------------------------------------------------------------------------

    def _reposition(self, seq: int, data: bytes, expected: int) -> bool:
        """Handle an entry that is not the next one; True if it takes the next position."""
        if self.shifted is not None:
            self._flush_shifted()
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            self.faults.append(
                Fault(expected, f"an entry with the sequence number {seq!r} follows entry {expected - 1}")
            )
            return False
        if seq > expected:
            if seq - expected > _MAX_GAP:
                self.faults.append(
                    Fault(
                        expected, f"an entry numbered {seq} follows entry {expected - 1}: skipped (corrupted number?)"
                    )
                )
                return False
            self.gaps.append([expected, seq - 1])
            for _ in range(seq - expected):
                self.tree.append(_MISSING)
            return True
        # seq < expected: either it belongs in a gap (it came late) or it is a second copy.
        for gap in self.gaps:
            if gap[0] <= seq <= gap[1]:
                self.faults.append(
                    Fault(seq, f"comes after entry {expected - 1}, out of order (swapped or moved?); not replayed")
                )
                self.gaps.remove(gap)
                if gap[0] < seq:
                    self.gaps.append([gap[0], seq - 1])
                if seq < gap[1]:
                    self.gaps.append([seq + 1, gap[1]])
                return False
        copy = hashlib.sha256(b"\x00" + data).digest() == self.tree.levels[0][seq - 1]
        what = "an identical copy" if copy else "different bytes"
        self.faults.append(Fault(seq, f"appears twice: after entry {expected - 1} again, with {what} (inserted?)"))
        return False

    def _shifted(self, seq: int, line: int) -> None:
        shift = line - seq
        run = self.shifted
        if run is not None and run[1] == seq - 1 and run[2] == shift:
            run[1] = seq
            return
        if run is not None:
            self._flush_shifted()
        self.shifted = [seq, seq, shift]

    def _flush_shifted(self) -> None:
        assert self.shifted is not None
        first, last, shift = self.shifted
        self.shifted = None
        if first == last:
            reason = (
                f"its leaf says seq {first + shift}: the leaf was moved here (inserted, deleted or swapped entries?)"
            )
        else:
            reason = (
                f"their leaves say seq {first + shift}–{last + shift}: shifted by {shift:+d} "
                "(an entry inserted or deleted before them?)"
            )
        self.faults.append(_span(first, last, reason))

    # Leaves and keys ---------------------------------------------------------------------

    def _malformed(self, seq: int, data: bytes) -> None:
        """A leaf the fast pattern refused: ask the reference parser why."""
        try:
            leaf = Leaf.from_bytes(data)
        except LeafError as exc:
            self.faults.append(Fault(seq, f"leaf cannot be parsed (changed bytes?): {exc}"))
            return
        self.faults.append(
            Fault(seq, f"leaf has an impossible field (seq {leaf.seq}, version {leaf.version}): changed bytes?")
        )

    def _unknown_key(self, seq: int, key_id: bytes) -> None:
        name = key_id.decode()
        if key_id in self.revoked:
            reason = f"signed by {name}, which was revoked at entry {self.revoked[key_id]}"
        elif key_id in self.invalid_registrations:
            reason = f"signed by {name}, whose registration at entry {self.invalid_registrations[key_id]} is not valid"
        elif seq == 1:
            reason = f"signed by {name}, but entry 1 must be ledger.initialise signed by the root key it names"
        else:
            reason = f"signed by {name}, a key not registered before this entry (unknown key)"
        self.faults.append(Fault(seq, reason))

    def _disguised(self, seq: int, event_type: bytes, payload: bytes) -> None:
        """Fault a payload of another event type that is a key statement in disguise."""
        try:
            statement = json.loads(payload)
        except (ValueError, RecursionError):
            return
        kind = statement.get("type") if isinstance(statement, dict) else None
        if kind in _KEY_STATEMENTS.values():
            self.faults.append(
                Fault(seq, f"its event type {event_type.decode()} does not match its statement type {kind}")
            )

    def _statement(self, seq: int, event_type: bytes, payload: bytes) -> dict[str, Any] | None:
        """Parse a key statement's payload; fault and return None unless it is one."""
        expected = _KEY_STATEMENTS[event_type]
        try:
            statement = json.loads(payload)
        except (ValueError, RecursionError) as exc:
            self.faults.append(Fault(seq, f"the {expected} payload is not JSON (changed bytes?): {exc}"))
            return None
        if not isinstance(statement, dict) or not isinstance(statement.get("body"), dict):
            self.faults.append(Fault(seq, f"the {expected} payload is not a statement with a body"))
            return None
        if statement.get("type") != expected:
            kind = statement.get("type")
            self.faults.append(
                Fault(seq, f"its event type {event_type.decode()} does not match its statement type {kind!r}")
            )
            return None
        return statement

    def _key_statement(self, seq: int, event_type: bytes, payload: bytes, key_id: bytes, signature: bytes) -> None:
        """Verify a key statement now, in ledger order, and apply it only if it is valid."""
        faults = self.faults
        message = _PAE_PREFIX + b"%d " % len(payload) + payload
        if event_type == _INITIALISED:
            # The root key is in the payload itself: it must be read before it can verify.
            if seq != 1:
                faults.append(Fault(seq, "a second ledger.initialise: the ledger is initialised by entry 1 only"))
                return
            statement = self._statement(seq, event_type, payload)
            if statement is not None:
                self._initialise(statement, key_id, signature, message)
            return
        # As docs/formats.md §2 asks: verify first, only then read the statement.
        key = self.active.get(key_id)
        if key is None:
            self._unknown_key(seq, key_id)
        else:
            try:
                key(signature, message)
            except InvalidSignature:
                faults.append(Fault(seq, f"the signature by {key_id.decode()} does not verify (forged or changed)"))
                key = None
        if key is None:
            if event_type == _REGISTERED:
                self._name_invalid_registration(payload, seq)
            return
        statement = self._statement(seq, event_type, payload)
        if statement is None:
            return
        subject = statement.get("subject")
        found = _KEY_SUBJECT.fullmatch(subject) if isinstance(subject, str) else None
        kind = statement["type"]
        if found is None:
            faults.append(Fault(seq, f"the {kind} subject {subject!r} is not key/<key id>"))
            return
        target = found[1]
        target_bytes = target.encode()
        if event_type == _REGISTERED:
            self._register(seq, target, statement["body"])
        elif target not in self.registered:
            faults.append(Fault(seq, f"key.revoke of {target}, a key that was never registered"))
        elif target_bytes in self.revoked:
            faults.append(Fault(seq, f"key.revoke of {target}, already revoked at entry {self.revoked[target_bytes]}"))
        else:
            del self.active[target_bytes]
            self.revoked[target_bytes] = seq

    def _register(self, seq: int, target: str, body: dict[str, Any]) -> None:
        """Apply a validly signed key.register of ``target`` if its key is that key."""
        target_bytes = target.encode()
        if target in self.registered:
            self.faults.append(Fault(seq, f"key {target} was already registered at entry {self.registered[target]}"))
            return
        try:
            public_key_id, public = read_public_key(body.get("public_key"))
        except PublicKeyError as exc:
            self.faults.append(Fault(seq, f"key.register of {target}: the public key cannot be read: {exc}"))
            self.invalid_registrations.setdefault(target_bytes, seq)
            return
        if public_key_id != target:
            self.faults.append(
                Fault(seq, f"key.register of {target}: the public key's id is {public_key_id}, not the subject's")
            )
            self.invalid_registrations.setdefault(target_bytes, seq)
            return
        self.active[target_bytes] = public.verify
        self.registered[target] = seq
        self.invalid_registrations.pop(target_bytes, None)

    def _name_invalid_registration(self, payload: bytes, seq: int) -> None:
        """Remember which key a registration that did not verify names: for messages only."""
        try:
            statement = json.loads(payload)
        except (ValueError, RecursionError):
            return
        subject = statement.get("subject") if isinstance(statement, dict) else None
        found = _KEY_SUBJECT.fullmatch(subject) if isinstance(subject, str) else None
        if found is not None and found[1] not in self.registered:
            self.invalid_registrations.setdefault(found[1].encode(), seq)

    def _initialise(self, statement: dict[str, Any], key_id: bytes, signature: bytes, message: bytes) -> None:
        """Learn the root key from entry 1, if that entry is signed by the root key it names."""
        faults = self.faults
        name = key_id.decode()
        seq = 1
        if statement.get("subject") != _AUTHORITY_SUBJECT:
            faults.append(Fault(seq, f"ledger.initialise must be about {_AUTHORITY_SUBJECT!r}"))
            return
        try:
            root_key_id, root = read_public_key(statement["body"].get("root_public_key"))
        except PublicKeyError as exc:
            faults.append(Fault(seq, f"the root public key cannot be read: {exc}"))
            return
        pinned = self.inspector._root_key_id
        if pinned is not None and root_key_id != pinned:
            faults.append(Fault(seq, f"the root key {root_key_id} is not the pinned root key {pinned}"))
            return
        if root_key_id != name:
            faults.append(
                Fault(seq, f"ledger.initialise is signed by {name}, not by the root key {root_key_id} it names")
            )
            return
        verify = root.verify
        try:
            verify(signature, message)
        except InvalidSignature:
            faults.append(Fault(seq, f"the signature by the root key {name} does not verify (forged or changed)"))
            return
        self.active[key_id] = verify

    # Checkpoints -------------------------------------------------------------------------

    def conclude(self, notes: list[bytes]) -> Report:
        """Everything that needs all entries: gaps, checkpoints, state and witnesses."""
        faults = self.faults
        n = self.size
        for first, last in sorted(self.gaps):
            faults.append(_span(first, last, "missing: " + ("deleted?" if first == last else "deleted entries?")))
        log_faults: list[Fault] = []
        cache = self.inspector._checkpoints
        valid: list[tuple[Checkpoint, bytes]] = []
        places: list[str] | None = None
        for position, note in enumerate(notes):
            result = cache[note]
            if isinstance(result, str):
                size = _peek_size(note)
                if not size:  # the size line itself was changed: say where the note was given
                    places = _places(notes, cache) if places is None else places
                    size = places[position]
                log_faults.append(Fault(None, f"checkpoint{size} rejected: {result}"))
            else:
                valid.append((result, note))
        # One checkpoint per size; where the log signed several roots for a size (a fork),
        # keep the one the entries match, so that the outcome does not depend on note order.
        tree = self.tree
        by_size: dict[int, tuple[Checkpoint, bytes]] = {}
        matches: dict[int, bool] = {}
        forks: list[tuple[Checkpoint, bytes]] = []
        for checkpoint, note in sorted(valid, key=lambda item: item[0].size):
            size = checkpoint.size
            match = size <= n and tree.root(size) == checkpoint.root
            held = by_size.get(size)
            if held is None:
                by_size[size] = (checkpoint, note)
                matches[size] = match
            elif held[0].root != checkpoint.root:
                if match:
                    forks.append(held)
                    by_size[size] = (checkpoint, note)
                    matches[size] = True
                else:
                    forks.append((checkpoint, note))
        for checkpoint, note in forks:
            log_faults.append(
                Fault(
                    None,
                    f"SECURITY ERROR: the log key signed two different checkpoints of size {checkpoint.size} "
                    "(a fork)" + _evidence(("one", by_size[checkpoint.size][1]), ("the other", note)),
                )
            )
        self.matches = {size: ok for size, ok in matches.items() if size <= n}
        latest = max(by_size.values(), key=lambda item: item[0].size) if by_size else None
        if latest is None:
            if n or notes:
                log_faults.append(Fault(None, "no checkpoint signed by the log key: nothing anchors the entries"))
        else:
            top = latest[0].size
            if top > n:
                faults.append(_span(n + 1, top, f"missing: checkpoint {top} signed them (truncated tail?)"))
            elif top < n:
                faults.append(
                    _span(
                        top + 1,
                        n,
                        f"not covered by any checkpoint: the latest is {top} (appended after it, or inserted?)",
                    )
                )
        self._compare_roots(by_size, log_faults)
        checkpoint, note = self._check_state(latest, log_faults)
        self._check_witnesses(latest, valid, log_faults)
        faults.sort(key=lambda fault: fault.seq or 0)
        faults.extend(log_faults)
        return Report(n, checkpoint, faults, note)

    def _compare_roots(self, by_size: dict[int, tuple[Checkpoint, bytes]], log_faults: list[Fault]) -> None:
        matches = self.matches
        checked = [(size, by_size[size]) for size in sorted(matches)]
        last_match = max((size for size, ok in matches.items() if ok), default=0)
        for size, item in checked:
            if matches[size]:
                continue
            if size < last_match:
                log_faults.append(
                    Fault(
                        None,
                        f"SECURITY ERROR: checkpoint {size} does not match the entries, but the later checkpoint "
                        f"{last_match} does: the log signed inconsistent checkpoints"
                        + _evidence(
                            (f"checkpoint {size}", item[1]), (f"checkpoint {last_match}", by_size[last_match][1])
                        ),
                    )
                )
                continue
            # The first mismatch after the last match: the entries between them were altered.
            first = last_match + 1
            faulted = [f for f in self.faults if f.seq is not None and f.first <= size and (f.last or 0) >= first]
            if not faulted:
                self.faults.append(
                    _span(
                        first,
                        size,
                        f"differ from what checkpoint {size} signed"
                        + (f" (checkpoint {last_match} matches)" if last_match else ""),
                    )
                )
            break

    def _check_state(
        self, latest: tuple[Checkpoint, bytes] | None, log_faults: list[Fault]
    ) -> tuple[Checkpoint | None, bytes | None]:
        """Return the latest checkpoint and its note if it matches the entries and extends the state."""
        if latest is None:
            return None, None
        checkpoint, note = latest
        n = self.size
        verified = checkpoint.size <= n and self.matches.get(checkpoint.size, False)
        known_note = self.inspector.known
        if known_note is None:
            return (checkpoint, note) if verified else (None, None)
        try:
            known = open_checkpoint(known_note, self.inspector._log, origin=self.inspector._origin)
        except NoteError as exc:
            log_faults.append(
                Fault(None, f"the state checkpoint does not verify: {exc}" + _evidence(("state", known_note)))
            )
            return None, None
        evidence = _evidence(("verified before (state)", known_note), (f"latest ({checkpoint.size})", note))
        if known.size > checkpoint.size:
            log_faults.append(
                Fault(
                    None,
                    f"SECURITY ERROR: rollback: the latest checkpoint ({checkpoint.size}) is older than the "
                    f"checkpoint verified before ({known.size})" + evidence,
                )
            )
            return None, None
        if known.size > n:
            log_faults.append(
                Fault(
                    None,
                    f"SECURITY ERROR: the {n} entries do not reach the checkpoint verified before "
                    f"({known.size})" + evidence,
                )
            )
            return None, None
        if self.tree.root(known.size) != known.root:
            if verified:
                reason = (
                    f"SECURITY ERROR: log misbehaviour: the latest checkpoint ({checkpoint.size}) matches the "
                    f"entries, but they no longer contain the checkpoint verified before ({known.size}): "
                    "history was rewritten and re-signed"
                )
            else:
                reason = (
                    f"SECURITY ERROR: entries 1–{known.size} no longer match the checkpoint verified before "
                    f"({known.size})"
                )
            log_faults.append(Fault(None, reason + evidence))
            return None, None
        if not verified:
            # The entries differ from the latest checkpoint (reported above): nothing to move on to.
            return None, None
        if known.size:
            proof = consistency_proof(known.size, checkpoint.size, self.tree)
            try:
                verify_consistency(known.size, checkpoint.size, proof, known.root, checkpoint.root)
            except ProofError as exc:
                hashes = "".join(f"\n    {base64.b64encode(h).decode()}" for h in proof)
                log_faults.append(
                    Fault(
                        None,
                        f"SECURITY ERROR: log misbehaviour: checkpoint {checkpoint.size} is not consistent with "
                        f"the checkpoint verified before ({known.size}): {exc}" + evidence + "\n  proof:" + hashes,
                    )
                )
                return None, None
        return checkpoint, note

    def _check_witnesses(
        self,
        latest: tuple[Checkpoint, bytes] | None,
        valid: list[tuple[Checkpoint, bytes]],
        log_faults: list[Fault],
    ) -> None:
        inspector = self.inspector
        if not inspector._witnesses:
            return
        if latest is None:
            if inspector._quorum:
                log_faults.append(Fault(None, f"no checkpoint to check the witness quorum ({inspector._quorum}) on"))
            return
        top = latest[0]
        cosigned: set[str] = set()
        for checkpoint, note in valid:
            if checkpoint.size != top.size or checkpoint.root != top.root:
                continue
            parsed = Note.parse(note)
            for witness in inspector._witnesses:
                for signature in parsed.signatures:
                    if (signature.name, signature.key_id) != (witness.name, witness.key_id):
                        continue
                    try:
                        witness.verify(parsed.text, signature)
                    except NoteError as exc:
                        log_faults.append(
                            Fault(None, f"checkpoint {top.size}: bad cosignature by witness {witness.name}: {exc}")
                        )
                    else:
                        cosigned.add(witness.vkey)
        if len(cosigned) < inspector._quorum:
            names = ", ".join(sorted(w.name for w in inspector._witnesses if w.vkey in cosigned)) or "none"
            log_faults.append(
                Fault(
                    None,
                    f"checkpoint {top.size} is cosigned by {len(cosigned)} of the {inspector._quorum} witnesses "
                    f"required (valid cosignatures from: {names})",
                )
            )
