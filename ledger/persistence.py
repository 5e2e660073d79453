"""Recorders that store each event together with its log row, in one transaction.

The `eventsourcing` recorders store events; these subclasses also write the event's
`LogEntry` in the same transaction: its sequence number, nonce, payload digest and leaf
hash, the Merkle tree nodes the leaf completes, and the checkpoint signed over the tree
that ends with it. So an event never exists without its position and its checkpoint,
and a second envelope with the same nonce, payload or sequence number fails the whole
save. One interface, three backends: in memory (tests, replays), SQLite, PostgreSQL.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import ApplicationRecorder, IntegrityError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from ledger.log import LogEntry


@dataclass(frozen=True)
class LoggedEvent:
    """A log row and the stored event it points at (None if that event is gone)."""

    seq: int
    originator_id: UUID
    originator_version: int
    leaf_hash: bytes
    stored: StoredEvent | None


class LedgerRecorder(ApplicationRecorder):
    """What the ledger needs from storage beyond the library's application recorder."""

    @contextmanager
    def append_lock(self) -> Iterator[None]:
        """Held while one append is decided and saved, across processes where the backend can.

        Correctness never depends on it (the log's primary key refuses a stale append);
        it makes writers in different processes take turns, where retrying alone lets a
        busy process starve the others. In memory the ledger's own lock suffices.
        """
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
    def seq_of_nonce(self, nonce: str, payload_sha256: str) -> int | None:
        """The entry that used this nonce or these payload bytes, if any."""

    @abstractmethod
    def select_logged(self, start: int, limit: int) -> list[LoggedEvent]:
        """Log rows with seq ≥ `start`, in order, each with its stored event."""

    @abstractmethod
    def select_unlogged(self) -> list[StoredEvent]:
        """Stored events that no log row points at (there should be none)."""

    @abstractmethod
    def tree_nodes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Stored Merkle nodes by (level, index); absent keys are left out."""

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
    return entry


class POPOLedgerRecorder(POPOApplicationRecorder, LedgerRecorder):
    """In-memory ledger storage, for unit tests and throwaway replays."""

    def __init__(self) -> None:
        super().__init__()
        self._log: list[LogEntry] = []
        self._seq_by_nonce: dict[str, int] = {}
        self._seq_by_digest: dict[str, int] = {}
        self._tree: dict[tuple[int, int], bytes] = {}
        self._checkpoints: dict[int, bytes] = {}
        self._cosignatures: dict[tuple[int, str], str] = {}

    def _insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self._database_lock:
            entry = log_entry_of(kwargs, stored_events)
            if entry is not None:
                if entry.seq != len(self._log) + 1:
                    msg = f"sequence number {entry.seq} is taken or out of order"
                    raise IntegrityError(msg)
                if entry.nonce in self._seq_by_nonce or entry.payload_sha256 in self._seq_by_digest:
                    msg = "nonce or payload already recorded"
                    raise IntegrityError(msg)
            ids = super()._insert_events(stored_events, **kwargs)
            if entry is not None:
                self._log.append(entry)
                self._seq_by_nonce[entry.nonce] = entry.seq
                self._seq_by_digest[entry.payload_sha256] = entry.seq
                self._tree.update({(level, index): digest for level, index, digest in entry.nodes})
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

    def seq_of_nonce(self, nonce: str, payload_sha256: str) -> int | None:
        with self._database_lock:
            return self._seq_by_nonce.get(nonce) or self._seq_by_digest.get(payload_sha256)

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

    def tree_nodes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        with self._database_lock:
            return {key: self._tree[key] for key in keys if key in self._tree}

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
