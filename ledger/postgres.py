"""The ledger on PostgreSQL (production): ``PERSISTENCE_MODULE=ledger.postgres:Factory``.

The library serialises inserts with ``LOCK TABLE … IN EXCLUSIVE MODE``; the log row is
written after that lock, in the same transaction, so sequence numbers follow commit
order and can be checked against the previous one without a race.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresFactory
from psycopg.sql import SQL, Identifier

from ledger.persistence import LedgerRecorder, LoggedEvent, log_entry_of

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from psycopg import Cursor
    from psycopg.rows import DictRow


class PostgresLedgerRecorder(PostgresApplicationRecorder, LedgerRecorder):
    """Stores events in ``<name>_events`` and their log rows in ``<name>_log``."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        prefix = events_table_name.removesuffix("_events")
        self.log_table = prefix + "_log"
        names = {
            "schema": Identifier(datastore.schema),
            "log": Identifier(self.log_table),
            "events": Identifier(events_table_name),
            "tree": Identifier(prefix + "_tree"),
            "checkpoints": Identifier(prefix + "_checkpoints"),
            "cosignatures": Identifier(prefix + "_cosignatures"),
        }
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{log} ("
                "seq bigint PRIMARY KEY, "
                "originator_id uuid NOT NULL, "
                "originator_version bigint NOT NULL, "
                "nonce text NOT NULL UNIQUE, "
                "payload_sha256 text NOT NULL UNIQUE, "
                "leaf_hash bytea NOT NULL, "
                "UNIQUE (originator_id, originator_version))"
            ).format(**names)
        )
        self.sql_create_statements += [
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{tree} ("
                "level integer NOT NULL, idx bigint NOT NULL, hash bytea NOT NULL, PRIMARY KEY (level, idx))"
            ).format(**names),
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{checkpoints} (size bigint PRIMARY KEY, note bytea NOT NULL)"
            ).format(**names),
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{cosignatures} ("
                "size bigint NOT NULL, witness text NOT NULL, line text NOT NULL, PRIMARY KEY (size, witness))"
            ).format(**names),
        ]
        self._insert_node = SQL("INSERT INTO {schema}.{tree} VALUES (%s, %s, %s)").format(**names)
        self._insert_checkpoint = SQL("INSERT INTO {schema}.{checkpoints} VALUES (%s, %s)").format(**names)
        self._select_nodes = SQL(
            "SELECT level, idx, hash FROM {schema}.{tree} "
            "WHERE (level, idx) IN (SELECT * FROM unnest(%s::int[], %s::bigint[]))"
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
        # Insert only if it extends the log by one. Otherwise seq is NULL and the insert
        # fails in the database (seq is the primary key): that aborts the transaction, so the
        # event inserted before it is rolled back too. Raising in Python would not: the
        # library catches errors inside its transaction block, commits, then re-raises.
        self._insert_log = SQL(
            "INSERT INTO {schema}.{log} VALUES ("
            "CASE WHEN (SELECT COALESCE(MAX(seq), 0) FROM {schema}.{log}) = %s THEN %s END, "
            "%s, %s, %s, %s, %s)"
        ).format(**names)
        self._max_seq = SQL("SELECT COALESCE(MAX(seq), 0) AS seq FROM {schema}.{log}").format(**names)
        self._changed_since = SQL("SELECT seq, originator_id FROM {schema}.{log} WHERE seq > %s ORDER BY seq").format(
            **names
        )
        self._positions = SQL("SELECT originator_version, seq FROM {schema}.{log} WHERE originator_id = %s").format(
            **names
        )
        self._seq_of_nonce = SQL("SELECT seq FROM {schema}.{log} WHERE nonce = %s OR payload_sha256 = %s").format(
            **names
        )
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
        name = f"par-ledger append {self.datastore.schema}.{self.log_table}".encode()
        key = int.from_bytes(hashlib.sha256(name).digest()[:8], "big", signed=True)
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (key,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (key,))

    def _insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        # Runs before anything is written, outside the library's catch-and-commit block, so
        # a log entry that does not describe the events refuses the save with nothing stored.
        super()._insert_events(curs, stored_events, **kwargs)
        log_entry_of(kwargs, stored_events)

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        entry = log_entry_of(kwargs, stored_events)
        if entry is not None:
            # A seq that is taken or out of order fails the insert (see `_insert_log`).
            curs.execute(
                self._insert_log,
                (
                    entry.seq - 1,
                    entry.seq,
                    entry.originator_id,
                    entry.originator_version,
                    entry.nonce,
                    entry.payload_sha256,
                    entry.leaf_hash,
                ),
                prepare=True,
            )
            # Sync right after it, as the library does after its own insert: a refused log row
            # then raises its own IntegrityError here. Were other statements queued behind it,
            # their "pipeline aborted" results could surface at the commit instead.
            with curs.connection.pipeline() as pipeline:
                pipeline.sync()
            curs.executemany(self._insert_node, entry.nodes)
            if entry.checkpoint is not None:
                curs.execute(self._insert_checkpoint, (entry.seq, entry.checkpoint), prepare=True)
        return ids

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

    def seq_of_nonce(self, nonce: str, payload_sha256: str) -> int | None:
        rows = self._query(self._seq_of_nonce, (nonce, payload_sha256))
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

    def tree_nodes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        if not keys:
            return {}
        levels, indices = [level for level, _ in keys], [index for _, index in keys]
        rows = self._query(self._select_nodes, (levels, indices))
        return {(row["level"], row["idx"]): bytes(row["hash"]) for row in rows}

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
