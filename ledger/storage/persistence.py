"""Recorders that store each event together with its log row, in one transaction.

The `eventsourcing` recorders store events; these subclasses also write the event's
`LogEntry` in the same transaction: one log row with its sequence number, nonce, leaf
hash and the hashes of the Merkle subtrees the leaf completes, and the checkpoint signed
over the tree that ends with it. So an event never exists without its position and its
checkpoint, and a second envelope with the same nonce (so also the same payload, which
carries the nonce) or the same sequence number fails the whole save. One row per entry
keeps an append's writes few: the log rows hold the whole Merkle tree
(`ledger.tlog.log.completing_seq`). One interface, three backends: in memory (tests, replays),
SQLite, PostgreSQL.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.persistence import ApplicationRecorder, IntegrityError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder

from ledger.storage.config import Backend
from ledger.tlog.log import completing_seq, subtree_in_row, subtrees_completed
from ledger.tlog.merkle import HASH_SIZE

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence
    from uuid import UUID

    from ledger.tlog.log import LogEntry


@dataclass(frozen=True)
class LoggedEvent:
    """A log row and the stored event it points at (None if that event is gone)."""

    seq: int
    originator_id: UUID
    originator_version: int
    leaf_hash: bytes
    stored: StoredEvent | None


class LedgerRecorder(ApplicationRecorder):
    """What the ledger needs from storage beyond the library's application recorder.

    Listed before the library's recorder in a backend's bases, so that what it adds
    (`create_table`) wraps the library's.
    """

    #: Where this recorder stores the ledger.
    backend: ClassVar[Backend]

    def create_table(self) -> None:
        """Create the tables, taking turns with other processes: those that start together
        (gunicorn's workers) would otherwise run the library's DDL at once, which PostgreSQL
        refuses ("tuple concurrently updated")."""
        with self.append_lock():
            super().create_table()  # type: ignore[misc]  # the library's SQL recorder, next in line

    @contextmanager
    def append_lock(self) -> Iterator[None]:
        """Held while one append is decided and saved (or the tables are created), across
        processes where the backend can.

        Correctness never depends on it (the log's primary key refuses a stale append);
        it makes writers in different processes take turns, where retrying alone lets a
        busy process starve the others. In memory the ledger's own lock suffices.
        """
        yield

    @contextmanager
    def first_attempt_lock(self) -> Iterator[None]:
        """Held while an append is first decided and saved, on the process's own view.

        The append lock, where holding it costs nothing worth saving. A backend whose lock
        costs round trips may hold nothing here, if its save then defers to any writer that
        holds the append lock: a stale first attempt is refused and tried again under the
        lock (`Ledger.append`), so writers still take turns once one of them has lost.
        """
        with self.append_lock():
            yield

    @abstractmethod
    def max_seq(self) -> int:
        """The last sequence number (0 for an empty ledger)."""

    @abstractmethod
    def changed_since(self, seq: int) -> list[tuple[int, UUID]]:
        """(seq, aggregate id) of every entry after `seq`, in order."""

    @abstractmethod
    def positions(self, originator_id: UUID) -> dict[int, int]:
        """Sequence number of each version of one aggregate."""

    @abstractmethod
    def seq_of_nonce(self, nonce: str) -> int | None:
        """The entry that used this nonce, if any."""

    @abstractmethod
    def select_logged(self, start: int, limit: int) -> list[LoggedEvent]:
        """Log rows with seq ≥ `start`, in order, each with its stored event."""

    @abstractmethod
    def select_unlogged(self) -> list[StoredEvent]:
        """Stored events that no log row points at (there should be none)."""

    def tree_nodes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Stored Merkle nodes by (level, index); absent keys are left out."""
        rows = self.subtree_rows({completing_seq(*key) for key in keys})
        found = {}
        for level, index in keys:
            row = rows.get(completing_seq(level, index))
            digest = None if row is None else subtree_in_row(level, *row)
            if digest is not None:
                found[(level, index)] = digest
        return found

    @abstractmethod
    def subtree_rows(self, seqs: Collection[int]) -> Mapping[int, tuple[bytes, bytes]]:
        """(leaf hash, subtrees) of the log rows at `seqs`; absent rows are left out."""

    @abstractmethod
    def checkpoints(self, start: int, stop: int) -> list[tuple[int, bytes]]:
        """(tree size, signed note) of the checkpoints with start ≤ size ≤ stop, in order."""

    @abstractmethod
    def latest_checkpoint(self) -> tuple[int, bytes] | None:
        """The checkpoint of the largest tree."""

    @abstractmethod
    def add_cosignature(self, size: int, witness: str, line: str) -> None:
        """Store a witness's cosignature line for the checkpoint of `size` (idempotent)."""

    @abstractmethod
    def cosignatures(self, size: int) -> list[str]:
        """The cosignature lines stored for the checkpoint of `size`, by witness name."""


def log_entry_of(kwargs: dict[str, Any], stored_events: Sequence[StoredEvent]) -> LogEntry | None:
    """The log entry passed to `save()`, checked against what is being stored."""
    entry: LogEntry | None = kwargs.get("log_entry")
    if entry is None:
        return None
    if len(stored_events) != 1:
        msg = "one envelope is one stored event: a logged save stores exactly one event"
        raise IntegrityError(msg)
    stored = stored_events[0]
    if (stored.originator_id, stored.originator_version) != (
        entry.originator_id,
        entry.originator_version,
    ):
        msg = "log entry does not describe the stored event"
        raise IntegrityError(msg)
    if len(entry.subtrees) != HASH_SIZE * subtrees_completed(entry.seq):
        msg = f"entry {entry.seq} completes {subtrees_completed(entry.seq)} Merkle subtrees above its leaf"
        raise IntegrityError(msg)
    return entry


class POPOLedgerRecorder(POPOApplicationRecorder, LedgerRecorder):
    """In-memory ledger storage, for unit tests and throwaway replays."""

    backend = Backend.MEMORY

    def __init__(self) -> None:
        super().__init__()
        self._log: list[LogEntry] = []
        self._seq_by_nonce: dict[str, int] = {}
        self._checkpoints: dict[int, bytes] = {}
        self._cosignatures: dict[tuple[int, str], str] = {}

    def _insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self._database_lock:
            entry = log_entry_of(kwargs, stored_events)
            if entry is not None:
                if entry.seq != len(self._log) + 1:
                    msg = f"sequence number {entry.seq} is taken or out of order"
                    raise IntegrityError(msg)
                if entry.nonce in self._seq_by_nonce:
                    msg = "nonce already recorded"
                    raise IntegrityError(msg)
            ids = super()._insert_events(stored_events, **kwargs)
            if entry is not None:
                self._log.append(entry)
                self._seq_by_nonce[entry.nonce] = entry.seq
                if entry.checkpoint is not None:
                    self._checkpoints[entry.seq] = entry.checkpoint
            return ids

    def max_seq(self) -> int:
        with self._database_lock:
            return len(self._log)

    def changed_since(self, seq: int) -> list[tuple[int, UUID]]:
        with self._database_lock:
            return [(e.seq, e.originator_id) for e in self._log[seq:]]

    def positions(self, originator_id: UUID) -> dict[int, int]:
        with self._database_lock:
            return {e.originator_version: e.seq for e in self._log if e.originator_id == originator_id}

    def seq_of_nonce(self, nonce: str) -> int | None:
        with self._database_lock:
            return self._seq_by_nonce.get(nonce)

    def select_logged(self, start: int, limit: int) -> list[LoggedEvent]:
        with self._database_lock:
            rows = self._log[max(start, 1) - 1 : max(start, 1) - 1 + limit]
            return [
                LoggedEvent(
                    e.seq,
                    e.originator_id,
                    e.originator_version,
                    e.leaf_hash,
                    next(
                        iter(
                            self.select_events(
                                e.originator_id,
                                gt=e.originator_version - 1,
                                lte=e.originator_version,
                            )
                        ),
                        None,
                    ),
                )
                for e in rows
            ]

    def select_unlogged(self) -> list[StoredEvent]:
        with self._database_lock:
            logged = {(e.originator_id, e.originator_version) for e in self._log}
            return [s for s in self._stored_events if (s.originator_id, s.originator_version) not in logged]

    def subtree_rows(self, seqs: Collection[int]) -> Mapping[int, tuple[bytes, bytes]]:
        with self._database_lock:
            entries = [self._log[seq - 1] for seq in seqs if 1 <= seq <= len(self._log)]
            return {entry.seq: (entry.leaf_hash, entry.subtrees) for entry in entries}

    def checkpoints(self, start: int, stop: int) -> list[tuple[int, bytes]]:
        with self._database_lock:
            return [(size, note) for size, note in sorted(self._checkpoints.items()) if start <= size <= stop]

    def latest_checkpoint(self) -> tuple[int, bytes] | None:
        with self._database_lock:
            if not self._checkpoints:
                return None
            size = max(self._checkpoints)
            return size, self._checkpoints[size]

    def add_cosignature(self, size: int, witness: str, line: str) -> None:
        with self._database_lock:
            self._cosignatures[(size, witness)] = line

    def cosignatures(self, size: int) -> list[str]:
        with self._database_lock:
            return [line for (at, _), line in sorted(self._cosignatures.items()) if at == size]
