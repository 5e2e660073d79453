"""Serving a ledger's transparency log to others: leaves, checkpoints, receipts, proofs, cosignatures.

`ledger.application` appends; this module only reads what it stored (and stores the
cosignatures witnesses send back). Everything here is what an auditor, a witness or an
inspector asks of the log, over the API, the CLI or an export:

    log = LogServer(ledger, witnesses=instance.witnesses())
    log.checkpoint()                 # (size, signed note with its cosignatures)
    log.receipt(seq)                 # a tlog-proof of entry `seq`
    log.consistency_proof(4, 9)      # RFC 9162
    log.add_cosignature(size, line)  # a trusted witness's cosignature
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from ledger.application import leaf_of
from ledger.errors import LogIntegrityError, SignatureError
from ledger.refusals import CosignatureLineError, NotInLogError
from ledger.tlog.merkle import consistency_proof, inclusion_proof
from ledger.tlog.notes import CosignatureVerifier, Note, NoteError, Signature, TlogProof

if TYPE_CHECKING:
    from ledger.application import Ledger
    from ledger.storage.persistence import LedgerRecorder


class LogServer:
    """The transparency log of one `Ledger`, read for others; `witnesses` are the C2SP vkeys
    of the witnesses whose cosignatures this log stores."""

    def __init__(self, ledger: Ledger, *, witnesses: Sequence[str] = ()) -> None:
        self.ledger = ledger
        self.witnesses = {verifier.name: verifier for verifier in map(CosignatureVerifier, witnesses)}

    @property
    def _recorder(self) -> LedgerRecorder:
        return self.ledger.ledger_recorder

    def leaves(self, start: int = 1, stop: int | None = None) -> Iterator[tuple[int, bytes]]:
        """(seq, leaf bytes) of stored entries, recomputed from the stored events.

        An entry whose stored event is gone or cannot be decoded has no leaf and is left
        out: whoever checks the leaves sees the gap and names it.
        """
        for row in self.ledger.logged(start, stop):
            if row.stored is None:
                continue
            try:
                event = self.ledger.decoded(row.stored)
                # Inside the try too: a changed byte can decode into the wrong types (the
                # envelope as a plain dict, the timestamp as text), which fail only here.
                leaf = leaf_of(row.seq, event, row.stored.topic).to_bytes()
            except Exception:  # a damaged event has no leaf; verification names it
                continue
            yield row.seq, leaf

    def checkpoint(self, size: int | None = None) -> tuple[int, bytes] | None:
        """(size, signed note with its stored cosignatures) of the checkpoint of `size` (latest by default)."""
        found = self._recorder.latest_checkpoint() if size is None else self._checkpoint_of(size)
        if found is None:
            return None
        size, note = found
        lines = self._recorder.cosignatures(size)
        if lines:
            parsed = Note.parse(note)
            note = parsed.with_signatures(*(Signature.from_line(line) for line in lines)).serialize()
        return size, note

    def _checkpoint_of(self, size: int) -> tuple[int, bytes] | None:
        found = self._recorder.checkpoints(size, size)
        return found[0] if found else None

    def checkpoints(self, start: int = 1, stop: int | None = None) -> Iterator[tuple[int, bytes]]:
        """Every stored checkpoint note from `start` to `stop`, oldest first (without cosignatures).

        By default up to the largest checkpoint stored, even past the last entry: a checkpoint
        beyond the entries is how a deleted latest entry shows.
        """
        if stop is None:
            latest = self._recorder.latest_checkpoint()
            stop = max(self.ledger.refresh(), latest[0] if latest else 0)
        section = self.ledger.log_section_size
        position = start
        while position <= stop:
            yield from self._recorder.checkpoints(position, min(stop, position + section - 1))
            position += section

    def cosigned_checkpoints(self) -> Iterator[tuple[int, bytes]]:
        """Every stored checkpoint, each with its stored cosignatures (what an export holds)."""
        for size, note in self.checkpoints():
            found = self.checkpoint(size)
            yield (size, note) if found is None else found

    def receipt(self, seq: int, size: int | None = None) -> TlogProof:
        """Entry `seq` with its inclusion proof against the checkpoint of `size` (latest by default)."""
        found = self.checkpoint(size)
        if found is None:
            raise NotInLogError("no_checkpoint_of_size", size=size) if size else NotInLogError("no_checkpoint")
        size, note = found
        if not 1 <= seq <= size:
            raise NotInLogError("entry_outside_tree", seq=seq, size=size)
        leaves = list(self.leaves(seq, seq))
        if not leaves:
            raise NotInLogError("entry_not_stored", seq=seq)
        proof = inclusion_proof(seq - 1, size, StoredNodes(self._recorder))
        return TlogProof(seq - 1, tuple(proof), note, extra=leaves[0][1])

    def consistency_proof(self, size1: int, size2: int) -> list[bytes]:
        """RFC 9162 consistency proof between the trees of `size1` and `size2` entries."""
        head = self.ledger.refresh()
        if not 0 < size1 <= size2 <= head:
            raise NotInLogError("sizes_out_of_order", size1=size1, size2=size2, head=head)
        return consistency_proof(size1, size2, StoredNodes(self._recorder))

    def add_cosignature(self, size: int, line: str) -> str:
        """Store a witness's cosignature of the checkpoint of `size`; return the witness's name."""
        try:
            signature = Signature.from_line(line.strip())
        except NoteError as exc:
            raise CosignatureLineError("not_a_cosignature", field="cosignature", detail=str(exc)) from None
        witness = self.witnesses.get(signature.name)
        if witness is None or witness.key_id != signature.key_id:
            raise SignatureError("untrusted_witness", witness=signature.name)
        found = self._checkpoint_of(size)
        if found is None:
            raise NotInLogError("no_checkpoint_of_size", size=size)
        try:
            witness.verify(Note.parse(found[1]).text, signature)
        except NoteError as exc:
            raise SignatureError("bad_cosignature", witness=signature.name, detail=str(exc)) from None
        self._recorder.add_cosignature(size, signature.name, signature.line().rstrip("\n"))
        return signature.name


class StoredNodes:
    """A NodeReader over the Merkle nodes in storage (one query per node)."""

    def __init__(self, recorder: LedgerRecorder) -> None:
        self._recorder = recorder

    def node(self, level: int, index: int) -> bytes:
        found = self._recorder.tree_nodes([(level, index)])
        if (level, index) not in found:
            raise LogIntegrityError("missing_node", level=level, index=index)
        return found[(level, index)]
