"""The ledger on SQLite: the embedded default, one file in the instance folder.

Selected by a ``sqlite://`` database URL (`ledger.storage.config.Backend`). Every connection runs with
``PRAGMA synchronous=FULL``: in WAL mode, NORMAL survives a crash but may lose the last
commits on power loss, and a receipt must never outlive its entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, BinaryIO
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
)

from ledger.storage.config import Backend
from ledger.storage.errors import ConfigurationError
from ledger.storage.persistence import (
    LedgerRecorder,
    LoggedEvent,
    log_entry_of,
)

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: appends fall back to retrying alone
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

LOG_TABLE = "ledger_log"
CHECKPOINT_TABLE = "ledger_checkpoints"
COSIGNATURE_TABLE = "ledger_cosignatures"
CREATE_LOG = (
    f"CREATE TABLE IF NOT EXISTS {LOG_TABLE} ("
    "seq INTEGER PRIMARY KEY, "
    "originator_id TEXT NOT NULL, "
    "originator_version INTEGER NOT NULL, "
    "nonce TEXT NOT NULL UNIQUE, "
    "leaf_hash BLOB NOT NULL, "
    "subtrees BLOB NOT NULL, "
    "UNIQUE (originator_id, originator_version))"
)


class SQLiteLedgerRecorder(LedgerRecorder, SQLiteApplicationRecorder):
    """Stores events in ``stored_events`` and their log rows in ``ledger_log``."""

    backend = Backend.SQLITE

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        self._check_synchronous_full()

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            CREATE_LOG,
            f"CREATE TABLE IF NOT EXISTS {CHECKPOINT_TABLE} (size INTEGER PRIMARY KEY, note BLOB NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {COSIGNATURE_TABLE} ("
            "size INTEGER NOT NULL, witness TEXT NOT NULL, line TEXT NOT NULL, "
            "PRIMARY KEY (size, witness)) WITHOUT ROWID",
        ]

    @contextmanager
    def append_lock(self) -> Iterator[None]:
        """An exclusive ``flock`` on ``<database>-append.lock``, released on exit (or when the process ends)."""
        pool = self.datastore.pool
        if fcntl is None or not isinstance(pool, LedgerConnectionPool) or pool.is_sqlite_memory_mode:
            yield
            return
        lock = pool.append_lock_file().fileno()
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)

    def _check_synchronous_full(self) -> None:
        with self.datastore.transaction(commit=False) as c:
            c.execute("PRAGMA synchronous")
            level = c.fetchone()[0]
        if level < 2:
            raise ConfigurationError("sqlite_not_durable", level=level)

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        entry = log_entry_of(kwargs, stored_events)
        if entry is not None:
            # Inserted only if it extends the log by one. The events insert above took the
            # write lock, so the condition reads the latest log.
            c.execute(
                f"INSERT INTO {LOG_TABLE} SELECT ?,?,?,?,?,? WHERE (SELECT COALESCE(MAX(seq), 0) FROM {LOG_TABLE}) = ?",
                (
                    entry.seq,
                    entry.originator_id.hex,
                    entry.originator_version,
                    entry.nonce,
                    entry.leaf_hash,
                    entry.subtrees,
                    entry.seq - 1,
                ),
            )
            if c.sqlite_cursor.rowcount != 1:
                msg = f"sequence number {entry.seq} is taken or out of order"
                raise IntegrityError(msg)
            if entry.checkpoint is not None:
                c.execute(f"INSERT INTO {CHECKPOINT_TABLE} VALUES (?,?)", (entry.seq, entry.checkpoint))
        return ids

    def subtree_rows(self, seqs: Collection[int]) -> dict[int, tuple[bytes, bytes]]:
        if not seqs:
            return {}
        marks = ",".join("?" * len(seqs))
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT seq, leaf_hash, subtrees FROM {LOG_TABLE} WHERE seq IN ({marks})", list(seqs))
            return {row[0]: (bytes(row[1]), bytes(row[2])) for row in c.fetchall()}

    def checkpoints(self, start: int, stop: int) -> list[tuple[int, bytes]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT size, note FROM {CHECKPOINT_TABLE} WHERE size BETWEEN ? AND ? ORDER BY size", (start, stop)
            )
            return [(row[0], bytes(row[1])) for row in c.fetchall()]

    def latest_checkpoint(self) -> tuple[int, bytes] | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT size, note FROM {CHECKPOINT_TABLE} ORDER BY size DESC LIMIT 1")
            row = c.fetchone()
            return None if row is None else (row[0], bytes(row[1]))

    def add_cosignature(self, size: int, witness: str, line: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"INSERT OR REPLACE INTO {COSIGNATURE_TABLE} VALUES (?,?,?)", (size, witness, line))

    def cosignatures(self, size: int) -> list[str]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT line FROM {COSIGNATURE_TABLE} WHERE size = ? ORDER BY witness", (size,))
            return [row[0] for row in c.fetchall()]

    def max_seq(self) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT COALESCE(MAX(seq), 0) FROM {LOG_TABLE}")
            return int(c.fetchone()[0])

    def changed_since(self, seq: int) -> list[tuple[int, UUID]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT seq, originator_id FROM {LOG_TABLE} WHERE seq > ? ORDER BY seq", (seq,))
            return [(row[0], UUID(row[1])) for row in c.fetchall()]

    def positions(self, originator_id: UUID) -> dict[int, int]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT originator_version, seq FROM {LOG_TABLE} WHERE originator_id = ?",
                (originator_id.hex,),
            )
            return {row[0]: row[1] for row in c.fetchall()}

    def seq_of_nonce(self, nonce: str) -> int | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT seq FROM {LOG_TABLE} WHERE nonce = ?", (nonce,))
            row = c.fetchone()
            return None if row is None else int(row[0])

    def select_logged(self, start: int, limit: int) -> list[LoggedEvent]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT l.seq, l.originator_id, l.originator_version, l.leaf_hash, e.topic, e.state "
                f"FROM {LOG_TABLE} l LEFT JOIN {self.events_table_name} e "
                "ON e.originator_id = l.originator_id AND e.originator_version = l.originator_version "
                "WHERE l.seq >= ? ORDER BY l.seq LIMIT ?",
                (start, limit),
            )
            return [_logged(row) for row in c.fetchall()]

    def select_unlogged(self) -> list[StoredEvent]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT e.originator_id, e.originator_version, e.topic, e.state FROM {self.events_table_name} e "
                f"LEFT JOIN {LOG_TABLE} l "
                "ON e.originator_id = l.originator_id AND e.originator_version = l.originator_version "
                "WHERE l.seq IS NULL ORDER BY e.rowid"
            )
            return [StoredEvent(UUID(row[0]), row[1], row[2], bytes(row[3])) for row in c.fetchall()]


def _logged(row: Any) -> LoggedEvent:
    originator_id = UUID(row[1])
    stored = None if row[4] is None else StoredEvent(originator_id, row[2], row[4], bytes(row[5]))
    return LoggedEvent(row[0], originator_id, row[2], bytes(row[3]), stored)


class LedgerConnectionPool(SQLiteConnectionPool):
    """The library's pool, with ``synchronous=FULL`` set on every new connection, and the
    append lock's file, opened once and closed with the pool (the lock is per open file)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._append_lock_file: BinaryIO | None = None

    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        connection.cursor().execute("PRAGMA synchronous=FULL")
        return connection

    def append_lock_file(self) -> BinaryIO:
        if self._append_lock_file is None:
            self._append_lock_file = open(f"{self.db_name}-append.lock", "a+b")  # noqa: SIM115 - closed in close()
        return self._append_lock_file

    def close(self) -> None:
        super().close()
        if self._append_lock_file is not None:
            self._append_lock_file.close()
            self._append_lock_file = None


class Factory(SQLiteFactory):
    """The library's SQLite factory, with the ledger's recorder and durable connections."""

    application_recorder_class = SQLiteLedgerRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        # The library offers no setting for `synchronous`, so swap in a pool that sets it;
        # the pool connects lazily, so nothing was opened yet.
        original = self.datastore.pool
        self.datastore.pool = LedgerConnectionPool(db_name=original.db_name, lock_timeout=original.lock_timeout)
        original.close()
