"""Check a stored ledger from its first entry: every entry must be what its envelope makes.

Verification replays every stored envelope, in sequence, through a fresh in-memory
`Ledger` — the same code that decided on append — and checks that:

1. the log's sequence numbers run 1, 2, 3, … with no gap, and each points at a stored event;
2. each stored event decodes, and its leaf (seq, id, version, type, time, envelope)
   hashes to the leaf hash recorded beside it;
3. the envelope's signature verifies with a key registered, and not revoked, before
   that position; the signer may sign it; the schema and the domain rules hold;
4. replaying it yields the same aggregate, version and event type as stored;
5. no stored event lacks a position in the log;
6. the Merkle tree of the recomputed leaves matches every checkpoint the log key signed
   (the offline inspector's checks, run on the database): an insider who rewrites an
   event together with its leaf hash is caught here, located by the checkpoints.

Each fault names the entry by sequence number (or the smallest range the checkpoints
allow) and says what is wrong.

The leaves that step 2 frames are kept (O(n) bytes) and given to the inspector for step 6,
rather than decoding every stored event a second time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ledger.application import Ledger, leaf_of
from ledger.errors import LedgerError
from ledger.serving import LogServer
from ledger.storage.config import MEMORY_URL, persistence_env
from ledger.tlog.inspection import Fault, Inspector
from ledger.tlog.log import leaf_hash
from ledger.tlog.notes import NoteVerifier

if TYPE_CHECKING:
    from ledger.storage.persistence import LoggedEvent


Progress = Callable[[int, int], None]


def verify_ledger(
    ledger: Ledger,
    *,
    log_vkey: str | None = None,
    progress: Progress | None = None,
    batch: int = 1000,
    inspector: Inspector | None = None,
) -> list[Fault]:
    """Every fault in `ledger`'s storage (an empty list when all holds).

    The checkpoints are checked with `log_vkey`, or the ledger's own log key; a ledger
    with neither has no checkpoints to check. A caller that verifies the same ledger
    again may pass its `inspector` (made for that log key) for step 6, which then
    checks each checkpoint note and entry signature it has already seen valid only once.
    """
    replica = Ledger(
        env={**persistence_env(MEMORY_URL), "ROOT_KEY_ID": ledger.pinned_root_key_id or ""},
        documents=ledger.documents,
    )
    recorder = ledger.ledger_recorder
    total = recorder.max_seq()
    faults: list[Fault] = []
    leaves: list[tuple[int, bytes]] = []
    expected = 1
    while True:
        rows = recorder.select_logged(expected, batch)
        for row in rows:
            if row.seq != expected:
                faults.append(Fault(expected, f"entries {expected}–{row.seq - 1} are missing from the log"))
            faults.extend(_check_entry(ledger, replica, row, leaves))
            expected = row.seq + 1
            if progress is not None:
                progress(row.seq, total)
        if len(rows) < batch:
            break
    for stored in recorder.select_unlogged():
        faults.append(
            Fault(
                None,
                f"stored event {stored.originator_id} v{stored.originator_version} "
                "has no position in the log (inserted?)",
            )
        )
    replica.close()
    if log_vkey is None and ledger.log_signer is not None:
        log_vkey = ledger.log_signer.vkey
    if log_vkey is not None:
        seen = {fault.seq for fault in faults}
        if inspector is None:
            inspector = Inspector(
                log_vkey=log_vkey, origin=NoteVerifier(log_vkey).name, root_key_id=ledger.pinned_root_key_id
            )
        # The leaves framed above are what LogServer.leaves() yields: every decodable stored event.
        report = inspector.inspect(leaves, (note for _, note in LogServer(ledger).checkpoints()))
        # The replay above already named what it found; add what only the tree and checkpoints show.
        faults.extend(fault for fault in report.faults if fault.seq is None or fault.seq not in seen)
    return faults


def _check_entry(ledger: Ledger, replica: Ledger, row: LoggedEvent, leaves: list[tuple[int, bytes]]) -> list[Fault]:
    """The faults of one log row; append its leaf to `leaves` if its stored event decodes."""
    if row.stored is None:
        return [
            Fault(
                row.seq,
                f"its stored event ({row.originator_id} v{row.originator_version}) is missing (deleted?)",
            )
        ]
    try:
        event = ledger.decoded(row.stored)
        # A changed byte can decode into the wrong types (the envelope as a plain dict,
        # the timestamp as text): only framing the leaf shows it.
        leaf = leaf_of(row.seq, event, row.stored.topic)
        data = leaf.to_bytes()
    except Exception as exc:
        return [Fault(row.seq, f"the stored event cannot be decoded (changed bytes?): {exc}")]
    leaves.append((row.seq, data))
    faults = []
    if leaf_hash(data) != row.leaf_hash:
        faults.append(
            Fault(
                row.seq,
                "the stored event does not match its leaf hash (changed after it was appended)",
            )
        )
    try:
        receipt = replica.append(event.envelope, recorded_at=event.timestamp)
    except LedgerError as exc:
        faults.append(Fault(row.seq, f"{_kind_of(exc)}: {exc}"))
        return faults
    stored = (row.stored.originator_id, row.stored.originator_version, row.stored.topic)
    replayed = (receipt.aggregate_id, receipt.version, receipt.event_type)
    if stored != replayed:
        faults.append(
            Fault(
                row.seq,
                f"stored as {stored[2]} v{stored[1]} of {stored[0]}, "
                f"but its envelope makes {replayed[2]} v{replayed[1]} of {replayed[0]}",
            )
        )
    return faults


def _kind_of(error: LedgerError) -> str:
    """The kind of refusal a fault names (`ledger.errors`), whichever subclass declared its code."""
    return next(klass.__name__ for klass in type(error).__mro__ if klass.__module__ == LedgerError.__module__)
