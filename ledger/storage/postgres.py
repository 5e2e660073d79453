"""The ledger on PostgreSQL (production), selected by a ``postgresql://`` database URL.

The library serialises inserts with ``LOCK TABLE … IN EXCLUSIVE MODE``; the log row is
written after that lock, in the same statement as the event, so sequence numbers follow
commit order and can be checked against the previous one without a race.

The append lock is a session advisory lock: taking and releasing it are two round trips,
which would cost an append as much as a quarter of its time. So a first attempt takes no
lock; instead its statement defers to a writer that holds the lock (it takes the same
advisory lock for its transaction, or fails). A writer that lost a race takes the lock
and tries again, and from then on the others wait for it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresFactory
from psycopg.sql import SQL, Identifier

from ledger.storage.config import Backend
from ledger.storage.persistence import (
    LedgerRecorder,
    LoggedEvent,
    log_entry_of,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence
    from uuid import UUID

    from psycopg import Cursor
    from psycopg.rows import DictRow


#: The ledger's tables beside the library's events table, by their names' placeholders.
CREATE_TABLES = (
    "CREATE TABLE IF NOT EXISTS {schema}.{log} ("
    "seq bigint PRIMARY KEY, "
    "originator_id uuid NOT NULL, "
    "originator_version bigint NOT NULL, "
    "nonce text NOT NULL UNIQUE, "
    "leaf_hash bytea NOT NULL, "
    "subtrees bytea NOT NULL, "
    "UNIQUE (originator_id, originator_version))",
    "CREATE TABLE IF NOT EXISTS {schema}.{checkpoints} (size bigint PRIMARY KEY, note bytea NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.{cosignatures} ("
    "size bigint NOT NULL, witness text NOT NULL, line text NOT NULL, PRIMARY KEY (size, witness))",
)


class _Holding(threading.local):
    """Whether this thread holds the append lock (its inserts then need not give way)."""

    lock = False


class PostgresLedgerRecorder(LedgerRecorder, PostgresApplicationRecorder):
    """Stores events in ``<name>_events`` and their log rows in ``<name>_log``."""

    backend = Backend.POSTGRESQL

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        prefix = events_table_name.removesuffix("_events")
        self.log_table = prefix + "_log"
        name = f"par-ledger append {datastore.schema}.{self.log_table}".encode()
        self._append_lock_key = int.from_bytes(hashlib.sha256(name).digest()[:8], "big", signed=True)
        self._holding = _Holding()
        names = {
            "schema": Identifier(datastore.schema),
            "log": Identifier(self.log_table),
            "events": Identifier(events_table_name),
            "checkpoints": Identifier(prefix + "_checkpoints"),
            "cosignatures": Identifier(prefix + "_cosignatures"),
        }
        self.sql_create_statements += [SQL(statement).format(**names) for statement in CREATE_TABLES]
        self._prepare_statements(names)

    def _prepare_statements(self, names: dict[str, Identifier]) -> None:
        """Compose, once, every statement this recorder sends."""
        self._select_subtrees = SQL(
            "SELECT seq, leaf_hash, subtrees FROM {schema}.{log} WHERE seq = ANY(%s::bigint[])"
        ).format(**names)
        self._select_checkpoints = SQL(
            "SELECT size, note FROM {schema}.{checkpoints} WHERE size BETWEEN %s AND %s ORDER BY size"
        ).format(**names)
        self._latest_checkpoint = SQL(
            "SELECT size, note FROM {schema}.{checkpoints} ORDER BY size DESC LIMIT 1"
        ).format(**names)
        self._upsert_cosignature = SQL(
            "INSERT INTO {schema}.{cosignatures} VALUES (%s, %s, %s) "
            "ON CONFLICT (size, witness) DO UPDATE SET line = EXCLUDED.line"
        ).format(**names)
        self._select_cosignatures = SQL(
            "SELECT line FROM {schema}.{cosignatures} WHERE size = %s ORDER BY witness"
        ).format(**names)
        # One statement stores the event, its log row and its checkpoint (if signed), so an
        # append costs the library's transaction nothing more than a longer insert. The log
        # row is inserted only if it extends the log by one, and, unless this writer holds
        # the append lock, only if no other writer holds it; otherwise its seq is NULL and
        # the whole statement fails in the database (seq is the primary key), storing nothing.
        # Raising in Python would not do: the library catches errors inside its transaction
        # block, commits what was sent, then re-raises.
        log_row = SQL(
            "INSERT INTO {schema}.{log} VALUES ("
            "CASE WHEN (SELECT COALESCE(MAX(seq), 0) FROM {schema}.{log}) = %s "
            "AND (%s OR pg_try_advisory_xact_lock(%s::bigint)) THEN %s END, "
            "%s, %s, %s, %s, %s) RETURNING seq"
        ).format(**names)
        checkpoint_row = SQL("INSERT INTO {schema}.{checkpoints} SELECT seq, %s FROM logged").format(**names)
        self._insert_logged_event = SQL("WITH logged AS ({}) {}").format(log_row, self.insert_events_statement)
        self._insert_logged_event_and_checkpoint = SQL("WITH logged AS ({}), checkpointed AS ({}) {}").format(
            log_row, checkpoint_row, self.insert_events_statement
        )
        self._max_seq = SQL("SELECT COALESCE(MAX(seq), 0) AS seq FROM {schema}.{log}").format(**names)
        self._changed_since = SQL("SELECT seq, originator_id FROM {schema}.{log} WHERE seq > %s ORDER BY seq").format(
            **names
        )
        self._positions = SQL("SELECT originator_version, seq FROM {schema}.{log} WHERE originator_id = %s").format(
            **names
        )
        self._seq_of_nonce = SQL("SELECT seq FROM {schema}.{log} WHERE nonce = %s").format(**names)
        self._select_logged = SQL(
            "SELECT l.seq, l.originator_id, l.originator_version, l.leaf_hash, e.topic, e.state "
            "FROM {schema}.{log} l LEFT JOIN {schema}.{events} e "
            "ON e.originator_id = l.originator_id AND e.originator_version = l.originator_version "
            "WHERE l.seq >= %s ORDER BY l.seq LIMIT %s"
        ).format(**names)
        self._select_unlogged = SQL(
            "SELECT e.originator_id, e.originator_version, e.topic, e.state FROM {schema}.{events} e "
            "LEFT JOIN {schema}.{log} l "
            "ON e.originator_id = l.originator_id AND e.originator_version = l.originator_version "
            "WHERE l.seq IS NULL ORDER BY e.notification_id"
        ).format(**names)

    @contextmanager
    def append_lock(self) -> Iterator[None]:
        """A session advisory lock named after this log, on a connection of its own."""
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (self._append_lock_key,))
            held, self._holding.lock = self._holding.lock, True
            try:
                yield
            finally:
                self._holding.lock = held
                conn.execute("SELECT pg_advisory_unlock(%s)", (self._append_lock_key,))

    @contextmanager
    def first_attempt_lock(self) -> Iterator[None]:
        """No lock: the insert defers to a writer that holds the append lock (see the module)."""
        yield

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        # Checked before anything is sent: the library commits what was sent before an error.
        entry = log_entry_of(kwargs, stored_events)
        if entry is None:
            super()._insert_stored_events(curs, stored_events, **kwargs)
            return
        # What the library's method does (lock the events table, notify), then one statement
        # instead of its insert. A seq that is taken or out of order leaves the log row's
        # seq NULL, so the statement fails in the database and stores nothing: the library
        # syncs right after it and raises the IntegrityError the ledger retries on.
        self._lock_table(curs)
        self._notify_channel(curs)
        (stored,) = stored_events
        event = self.construct_pg_stored_event(
            stored.originator_id, stored.originator_version, stored.topic, stored.state
        )
        row = (
            entry.seq - 1,
            self._holding.lock,
            self._append_lock_key,
            entry.seq,
            entry.originator_id,
            entry.originator_version,
            entry.nonce,
            entry.leaf_hash,
            entry.subtrees,
        )
        if entry.checkpoint is None:
            curs.execute(self._insert_logged_event, (*row, [event]), prepare=True)
        else:
            curs.execute(self._insert_logged_event_and_checkpoint, (*row, entry.checkpoint, [event]), prepare=True)

    def _query(self, statement: SQL | Any, params: tuple[Any, ...] = ()) -> list[DictRow]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params, prepare=True)
            return curs.fetchall()

    def max_seq(self) -> int:
        return int(self._query(self._max_seq)[0]["seq"])

    def changed_since(self, seq: int) -> list[tuple[int, UUID]]:
        return [(row["seq"], row["originator_id"]) for row in self._query(self._changed_since, (seq,))]

    def positions(self, originator_id: UUID) -> dict[int, int]:
        return {row["originator_version"]: row["seq"] for row in self._query(self._positions, (originator_id,))}

    def seq_of_nonce(self, nonce: str) -> int | None:
        rows = self._query(self._seq_of_nonce, (nonce,))
        return int(rows[0]["seq"]) if rows else None

    def select_logged(self, start: int, limit: int) -> list[LoggedEvent]:
        return [
            LoggedEvent(
                row["seq"],
                row["originator_id"],
                row["originator_version"],
                bytes(row["leaf_hash"]),
                None
                if row["topic"] is None
                else StoredEvent(
                    row["originator_id"],
                    row["originator_version"],
                    row["topic"],
                    bytes(row["state"]),
                ),
            )
            for row in self._query(self._select_logged, (start, limit))
        ]

    def select_unlogged(self) -> list[StoredEvent]:
        return [
            StoredEvent(row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"]))
            for row in self._query(self._select_unlogged)
        ]

    def subtree_rows(self, seqs: Collection[int]) -> dict[int, tuple[bytes, bytes]]:
        if not seqs:
            return {}
        rows = self._query(self._select_subtrees, (list(seqs),))
        return {row["seq"]: (bytes(row["leaf_hash"]), bytes(row["subtrees"])) for row in rows}

    def checkpoints(self, start: int, stop: int) -> list[tuple[int, bytes]]:
        return [(row["size"], bytes(row["note"])) for row in self._query(self._select_checkpoints, (start, stop))]

    def latest_checkpoint(self) -> tuple[int, bytes] | None:
        rows = self._query(self._latest_checkpoint)
        return (rows[0]["size"], bytes(rows[0]["note"])) if rows else None

    def add_cosignature(self, size: int, witness: str, line: str) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._upsert_cosignature, (size, witness, line))

    def cosignatures(self, size: int) -> list[str]:
        return [row["line"] for row in self._query(self._select_cosignatures, (size,))]


class Factory(PostgresFactory):
    """The library's PostgreSQL factory, with the ledger's recorder."""

    application_recorder_class = PostgresLedgerRecorder
