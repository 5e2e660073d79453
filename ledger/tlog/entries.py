"""The inspector's pass over the entries: order, leaves, keys and signatures, and the tree.

An `EntryPass` is the state of one streaming pass in ledger order (see
`ledger.tlog.inspection` for what is checked): it learns the keys by replaying the key
statements, queues every other entry's Ed25519 check (on worker threads, if any), and
rebuilds the Merkle tree over the leaf bytes as given (`RebuiltTree`), keeping O(n) hashes,
never the leaves. The loop that drives it, and its plain reference, are in
`ledger.tlog.entry_loop`; this module holds what both call.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.signing.dsse import PAYLOAD_TYPE, pae
from ledger.tlog.errors import PublicKeyError
from ledger.tlog.log import EVENT_TYPES, INITIALISED, KEY_REGISTERED, KEY_REVOKED, Leaf, LeafError
from ledger.tlog.merkle import EMPTY_ROOT
from ledger.tlog.report import Fault, span

_INITIALISED = INITIALISED.encode()
_REGISTERED = KEY_REGISTERED.encode()

# The statement type each key event type must carry.
KEY_STATEMENTS = {
    INITIALISED.encode(): "ledger.initialise",
    KEY_REGISTERED.encode(): "key.register",
    KEY_REVOKED.encode(): "key.revoke",
}
EVENT_TYPE_BYTES = frozenset(t.encode() for t in EVENT_TYPES)
PAYLOAD_TYPE_BYTES = PAYLOAD_TYPE.encode()
# PAE(PAYLOAD_TYPE, payload) = this prefix + b"<len> " + payload.
PAE_PREFIX = pae(PAYLOAD_TYPE, b"")[: -len(b"0 ")]
_AUTHORITY_SUBJECT = "authority"
_KEY_ID_PREFIX = "ed25519:"
_PUBLIC_KEY_SIZE = 32
_KEY_SUBJECT = re.compile(r"key/(ed25519:[0-9a-f]{64})")


def pae_message(payload: bytes) -> bytes:
    """PAE(PAYLOAD_TYPE, payload): what an entry's signature covers."""
    return PAE_PREFIX + b"%d " % len(payload) + payload


# In canonical JSON a top-level or nested member "type" whose value starts like a key
# statement's type; a cheap screen before parsing a payload that claims another event type.
KEY_STATEMENT_HINTS = (b'"type":"key.', b'"type":"ledger.initialise"')

# A stand-in leaf hash for a missing entry: never the hash of any leaf (it is not a
# SHA-256 output anyone can aim for), so every root over it mismatches.
MISSING = b"\xff" * 32
# A gap wider than this is a corrupted sequence number, not deleted entries: the entry
# is reported and skipped rather than padding the tree with millions of stand-ins.
_MAX_GAP = 1 << 22

# Entries per batch of signature checks handed to a worker thread.
BATCH = 256
# With worker threads, the calling thread lets go of the GIL once every YIELD + 1
# entries (a power of two minus one), so that a worker returning from a verify gets it.
YIELD = 3


def read_public_key(text: object) -> tuple[str, Ed25519PublicKey]:
    """A key statement's public key, as its key id (``ed25519:`` + SHA-256 hex) and the key.

    The ledger's key ids (``keys.pairs.key_id_of``), computed here so that the inspector
    needs nothing but ``cryptography``.
    """
    try:
        raw = base64.b64decode(text, validate=True)  # type: ignore[arg-type]
    except (TypeError, ValueError):  # None, a number, not ASCII, not base64
        raise PublicKeyError("bundle_public_key_not_base64") from None
    if len(raw) != _PUBLIC_KEY_SIZE:
        raise PublicKeyError("bundle_public_key_size", size=_PUBLIC_KEY_SIZE, got=len(raw))
    try:
        key = Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise PublicKeyError("bundle_public_key_unloadable", detail=str(exc)) from None
    return _KEY_ID_PREFIX + hashlib.sha256(raw).hexdigest(), key


Verify = Callable[[bytes, bytes], None]  # Ed25519PublicKey.verify(signature, message)
# A signature that verified, as (key id, signature, SHA-256 of the payload). The key id is
# the SHA-256 of the public key (checked when the key is learnt) and the message is
# PAE(payload type, payload), so the triple decides the outcome of the check.
Verified = tuple[bytes, bytes, bytes]
_Check = tuple[Verify, bytes, bytes, int, bytes, Verified]


def verify_batch(batch: list[_Check], verified: set[Verified]) -> list[Fault]:
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


class RebuiltTree:
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


@dataclass
class EntryPass:
    """One pass over the entries, and what it found."""

    pool: ThreadPoolExecutor | None
    #: Signatures found valid, across runs of one inspector (see `Inspector`).
    verified: set[Verified]
    #: How many threads verify signatures (bounds the batches in flight).
    workers: int = 1
    #: If set, entry 1 must name this root key.
    root_key_id: str | None = None
    faults: list[Fault] = field(default_factory=list)
    tree: RebuiltTree = field(default_factory=RebuiltTree)
    size: int = 0
    active: dict[bytes, Verify] = field(default_factory=dict)  # key id -> verify, while valid
    registered: dict[str, int] = field(default_factory=dict)
    revoked: dict[bytes, int] = field(default_factory=dict)
    invalid_registrations: dict[bytes, int] = field(default_factory=dict)
    gaps: list[list[int]] = field(default_factory=list)
    # A run of leaves whose seq lines are shifted by the same amount: [first, last, shift].
    shifted: list[int] | None = None
    #: The first entry of each payload digest seen (a second one is a replayed envelope).
    seen: dict[bytes, int] = field(default_factory=dict)
    batch: list[_Check] = field(default_factory=list)
    futures: list[Future[list[Fault]]] = field(default_factory=list)

    # Driving -----------------------------------------------------------------------------

    def check_payload(
        self, seq: int, event_type: bytes, payload_type: bytes, payload: bytes, key_id: bytes, signature: bytes
    ) -> None:
        """Check a readable leaf's payload: a replay, its types, then its key statement or its signer.

        Key statements are applied at once; any other entry's signature check is queued.
        (`ledger.tlog.entry_loop.stream` does the same, inlined.)
        """
        faults = self.faults
        digest = hashlib.sha256(payload).digest()
        first = self.seen.setdefault(digest, seq)
        if first != seq:
            faults.append(Fault(seq, f"duplicates the envelope of entry {first} (same payload bytes)"))
        if event_type not in EVENT_TYPE_BYTES:
            faults.append(Fault(seq, f"unknown event type {event_type.decode()!r}"))
        elif payload_type != PAYLOAD_TYPE_BYTES:
            faults.append(Fault(seq, f"unknown payload type {payload_type.decode()!r}"))
        elif event_type in KEY_STATEMENTS:
            self.key_statement(seq, event_type, payload, key_id, signature)
        else:
            if any(hint in payload for hint in KEY_STATEMENT_HINTS):
                self.disguised(seq, event_type, payload)
            key = self.active.get(key_id)
            if key is None:
                self.unknown_key(seq, key_id)
            elif (key_id, signature, digest) not in self.verified:
                self.batch.append((key, signature, pae_message(payload), seq, key_id, (key_id, signature, digest)))
                if len(self.batch) >= BATCH:
                    self.flush()

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        verified = self.verified
        if self.pool is None:
            self.faults.extend(verify_batch(batch, verified))
            return
        self.futures.append(self.pool.submit(verify_batch, batch, verified))
        # Keep a bounded number of batches in flight: the messages hold payload copies.
        while len(self.futures) > 4 * self.workers:
            self.faults.extend(self.futures.pop(0).result())

    def collect(self) -> None:
        """Verify what is still queued and gather every batch's faults."""
        if self.batch:
            self.flush()
        for future in self.futures:
            self.faults.extend(future.result())
        self.futures.clear()

    # Order -------------------------------------------------------------------------------

    def reposition(self, seq: int, data: bytes, expected: int) -> bool:
        """Handle an entry that is not the next one; True if it takes the next position."""
        if self.shifted is not None:
            self.flush_shifted()
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
                self.tree.append(MISSING)
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

    def shift(self, seq: int, line: int) -> None:
        shift = line - seq
        run = self.shifted
        if run is not None and run[1] == seq - 1 and run[2] == shift:
            run[1] = seq
            return
        if run is not None:
            self.flush_shifted()
        self.shifted = [seq, seq, shift]

    def flush_shifted(self) -> None:
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
        self.faults.append(span(first, last, reason))

    # Leaves and keys ---------------------------------------------------------------------

    def malformed(self, seq: int, data: bytes) -> None:
        """A leaf the fast pattern refused: ask the reference parser why."""
        try:
            leaf = Leaf.from_bytes(data)
        except LeafError as exc:
            self.faults.append(Fault(seq, f"leaf cannot be parsed (changed bytes?): {exc}"))
            return
        self.faults.append(
            Fault(seq, f"leaf has an impossible field (seq {leaf.seq}, version {leaf.version}): changed bytes?")
        )

    def unknown_key(self, seq: int, key_id: bytes) -> None:
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

    def disguised(self, seq: int, event_type: bytes, payload: bytes) -> None:
        """Fault a payload of another event type that is a key statement in disguise."""
        try:
            statement = json.loads(payload)
        except (ValueError, RecursionError):
            return
        kind = statement.get("type") if isinstance(statement, dict) else None
        if kind in KEY_STATEMENTS.values():
            self.faults.append(
                Fault(seq, f"its event type {event_type.decode()} does not match its statement type {kind}")
            )

    def _statement(self, seq: int, event_type: bytes, payload: bytes) -> dict[str, Any] | None:
        """Parse a key statement's payload; fault and return None unless it is one."""
        expected = KEY_STATEMENTS[event_type]
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

    def key_statement(self, seq: int, event_type: bytes, payload: bytes, key_id: bytes, signature: bytes) -> None:
        """Verify a key statement now, in ledger order, and apply it only if it is valid."""
        faults = self.faults
        message = pae_message(payload)
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
            self.unknown_key(seq, key_id)
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
        pinned = self.root_key_id
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
