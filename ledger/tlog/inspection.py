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

Where it lives: this module holds the `Inspector` and what needs all the entries
(checkpoints, state, witnesses); `ledger.tlog.entries` and `ledger.tlog.entry_loop` the
pass over the entries; `ledger.tlog.report` the faults and the report. Like all of
`ledger.tlog` it imports only the standard library, ``cryptography``, ``ledger.errors`` and
``ledger.signing.dsse``, so that it runs without the ledger's application stack
(tests/unit/ledger/tlog/test_inspection.py checks this; ``python -m ledger.inspect`` runs it
on a bundle).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ledger.tlog.entries import EntryPass, RebuiltTree, Verified
from ledger.tlog.entry_loop import stream
from ledger.tlog.errors import InspectionError
from ledger.tlog.log import EVENT_TYPES
from ledger.tlog.merkle import ProofError, consistency_proof, verify_consistency
from ledger.tlog.notes import (
    Checkpoint,
    CosignatureVerifier,
    Note,
    NoteError,
    NoteVerifier,
    open_checkpoint,
)
from ledger.tlog.report import (
    Fault,
    RangeFault,
    Report,
    evidence,
    peek_size,
    places_given,
    read_state,
    span,
    write_state,
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


def _open_checkpoints(notes: list[bytes], log: NoteVerifier, origin: str) -> list[tuple[bytes, Checkpoint | str]]:
    results: list[tuple[bytes, Checkpoint | str]] = []
    for note in notes:
        try:
            results.append((note, open_checkpoint(note, log, origin=origin)))
        except NoteError as exc:
            results.append((note, str(exc)))
    return results


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
        self._verified: set[Verified] = set()

    def inspect(self, entries: Iterable[tuple[int, bytes]], checkpoints: Iterable[bytes]) -> Report:
        """Check ``(seq, leaf bytes)`` entries, in ledger order, against signed checkpoints."""
        notes = list(dict.fromkeys(checkpoints))
        pending = [note for note in notes if note not in self._checkpoints]
        if self._workers == 1:
            self._checkpoints.update(_open_checkpoints(pending, self._log, self._origin))
            run = self._entry_pass(None)
            stream(run, entries)
            run.collect()
            return _Conclusion(self, run).conclude(notes)
        with ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="inspector") as pool:
            step = max(1, len(pending) // (4 * self._workers) + 1)
            opening = [
                pool.submit(_open_checkpoints, pending[i : i + step], self._log, self._origin)
                for i in range(0, len(pending), step)
            ]
            run = self._entry_pass(pool)
            stream(run, entries)
            for future in opening:
                self._checkpoints.update(future.result())
            run.collect()
        return _Conclusion(self, run).conclude(notes)

    def _entry_pass(self, pool: ThreadPoolExecutor | None) -> EntryPass:
        return EntryPass(pool, self._verified, self._workers, self._root_key_id)


@dataclass
class _Conclusion:
    """Everything that needs all entries: gaps, checkpoints, state and witnesses."""

    inspector: Inspector
    entries: EntryPass
    matches: dict[int, bool] = field(default_factory=dict)

    @property
    def faults(self) -> list[Fault]:
        return self.entries.faults

    @property
    def size(self) -> int:
        return self.entries.size

    @property
    def tree(self) -> RebuiltTree:
        return self.entries.tree

    @property
    def gaps(self) -> list[list[int]]:
        return self.entries.gaps

    def conclude(self, notes: list[bytes]) -> Report:
        """Everything that needs all entries: gaps, checkpoints, state and witnesses."""
        faults = self.faults
        n = self.size
        for first, last in sorted(self.gaps):
            faults.append(span(first, last, "missing: " + ("deleted?" if first == last else "deleted entries?")))
        log_faults: list[Fault] = []
        cache = self.inspector._checkpoints
        valid: list[tuple[Checkpoint, bytes]] = []
        places: list[str] | None = None
        for position, note in enumerate(notes):
            result = cache[note]
            if isinstance(result, str):
                size_text = peek_size(note)
                if not size_text:  # the size line itself was changed: say where the note was given
                    places = places_given(notes, cache) if places is None else places
                    size_text = places[position]
                log_faults.append(Fault(None, f"checkpoint{size_text} rejected: {result}"))
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
                    "(a fork)" + evidence(("one", by_size[checkpoint.size][1]), ("the other", note)),
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
                faults.append(span(n + 1, top, f"missing: checkpoint {top} signed them (truncated tail?)"))
            elif top < n:
                faults.append(
                    span(
                        top + 1,
                        n,
                        f"not covered by any checkpoint: the latest is {top} (appended after it, or inserted?)",
                    )
                )
        self._compare_roots(by_size, log_faults)
        verified, verified_note = self._check_state(latest, log_faults)
        self._check_witnesses(latest, valid, log_faults)
        faults.sort(key=lambda fault: fault.seq or 0)
        faults.extend(log_faults)
        return Report(n, verified, faults, verified_note)

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
                        + evidence(
                            (f"checkpoint {size}", item[1]), (f"checkpoint {last_match}", by_size[last_match][1])
                        ),
                    )
                )
                continue
            # The first mismatch after the last match: the entries between them were altered.
            first = last_match + 1
            faulted = [
                f for f in self.faults if f.seq is not None and (f.first or 0) <= size and (f.last or 0) >= first
            ]
            if not faulted:
                self.faults.append(
                    span(
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
                Fault(None, f"the state checkpoint does not verify: {exc}" + evidence(("state", known_note)))
            )
            return None, None
        shown = evidence(("verified before (state)", known_note), (f"latest ({checkpoint.size})", note))
        if known.size > checkpoint.size:
            log_faults.append(
                Fault(
                    None,
                    f"SECURITY ERROR: rollback: the latest checkpoint ({checkpoint.size}) is older than the "
                    f"checkpoint verified before ({known.size})" + shown,
                )
            )
            return None, None
        if known.size > n:
            log_faults.append(
                Fault(
                    None,
                    f"SECURITY ERROR: the {n} entries do not reach the checkpoint verified before "
                    f"({known.size})" + shown,
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
            log_faults.append(Fault(None, reason + shown))
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
                        f"the checkpoint verified before ({known.size}): {exc}" + shown + "\n  proof:" + hashes,
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
