"""The views on PostgreSQL: in the ledger's database and schema, through its connection pool.

`PostgresViews` is the library's `PostgresTrackingRecorder` (tracking table
``view_tracking``) with the view tables added to what it creates. Rows are written with
COPY (upserts through a temporary staging table), several times faster than INSERT
statements with psycopg. Queries run in a read-only REPEATABLE READ transaction, so one
answer never mixes two positions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.sql import SQL, Composed

from projections.schema import TABLES, TRACKING_TABLE, Row, Statements, Table, fingerprint
from projections.views import Views

#: Up to this many rows of a table per batch are inserted by statements; more, by COPY.
FEW_ROWS = 50


class PostgresViews(Views, PostgresTrackingRecorder):
    """The read models in a PostgreSQL schema, written through `datastore`."""

    def __init__(
        self,
        datastore: PostgresDatastore,
        *,
        application_name: str = "ledger",
        owns_datastore: bool = False,
    ) -> None:
        super().__init__(datastore, tracking_table_name=TRACKING_TABLE)
        schema = '"' + datastore.schema.replace('"', '""') + '"'
        self.statements = Statements(qualify=lambda name: f"{schema}.{name}", placeholder="%s")
        self._init_views(application_name)
        self._owns_datastore = owns_datastore
        for table in TABLES:
            self.sql_create_statements += [Composed([SQL(statement)]) for statement in self.statements.create(table)]

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        with self.datastore.get_connection() as connection, connection.transaction(force_rollback=True):
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            with connection.cursor() as cursor:
                yield cursor

    @contextmanager
    def _writing(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=True) as cursor:
            # Views can be rebuilt from the ledger: a commit need not wait for its WAL to
            # reach the disk. A crash may lose the last batches, rows and position together,
            # and the next catch-up applies them again.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            yield cursor

    def position(self) -> int:
        with self.datastore.get_connection() as connection:
            found = connection.execute(
                self._sql("SELECT notification_id FROM {tracking} WHERE application_name = ?"), (self.application_name,)
            ).fetchone()
        return int(found["notification_id"]) if found else 0

    def _write(self, cursor: Any, table: Table, mode: str, rows: list[Row]) -> None:
        """A few rows go as pipelined INSERTs; more travel by COPY, into the table itself or, for
        upserts and keeps, through a staging table (psycopg's COPY is several times faster)."""
        if len(rows) <= FEW_ROWS:
            if rows:
                cursor.executemany(getattr(self.statements, mode)(table), list(map(table.values, rows)))
            return
        values = table.values
        columns = ", ".join(table.column_names)
        target = self.statements.qualify(table.name) if mode == "insert" else self._stage(cursor, table)
        with cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(values(row))
        if mode != "insert":
            insert = getattr(self.statements, mode)(table)
            head, _, rest = insert.partition(" VALUES (")
            cursor.execute(f"{head} SELECT {columns} FROM {target}{rest.partition(')')[2]}")
            cursor.execute(f"DELETE FROM {target}")

    def _stage(self, cursor: Any, table: Table) -> str:
        """A temporary table shaped like `table`, private to the connection, emptied at each commit."""
        name = f"stage_{fingerprint():08x}_{table.name}"
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} "
            f"(LIKE {self.statements.qualify(table.name)}) ON COMMIT DELETE ROWS"
        )
        return name

    def _rows_of(self, cursor: Any, table: Table, subjects: list[str]) -> Iterator[Row]:
        # One array instead of IN lists of 500 markers: a short statement that psycopg
        # parses once (it parsed each long one anew), and one round trip per table.
        cursor.execute(f"SELECT * FROM {self.statements.qualify(table.name)} WHERE subject = ANY(%s)", (subjects,))
        yield from self._fetch_rows(cursor)

    def _delete_groups(self, cursor: Any, table: Table, groups: list[str]) -> None:
        cursor.execute(f"DELETE FROM {self.statements.qualify(table.name)} WHERE subject = ANY(%s)", (groups,))

    def close(self) -> None:
        if self._owns_datastore:
            self.datastore.close()
