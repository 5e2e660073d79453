"""The views on SQLite: in the ledger's own file (the embedded default), or in memory.

`SQLiteViews` is the library's `SQLiteTrackingRecorder` with the view tables added to
what it creates, and its tracking kept in ``view_tracking`` (the library's default
``tracking`` table is left to whatever else may track the ledger in the same file).
`ScratchViews` are the throwaway store a rebuild fills before the live views take it over.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from eventsourcing.sqlite import SQLiteConnection, SQLiteDatastore, SQLiteTrackingRecorder

from projections.errors import ReplayFileExistsError
from projections.schema import TABLES, TRACKING_TABLE, Row, Statements
from projections.views import Views

CREATE_TRACKING = (
    f"CREATE TABLE IF NOT EXISTS {TRACKING_TABLE} (application_name TEXT, notification_id INTEGER, "
    "PRIMARY KEY (application_name)) WITHOUT ROWID"
)


def _bind_none_as_null() -> None:
    """Bind None as NULL without the sqlite3 module's search for an adapter.

    Without an adapter registered for None, the module looks for one on its protocol
    class each time it binds a None, and builds and discards an AttributeError doing so,
    some 3,000 instructions a time: a view row holds up to ten NULLs, and this adapter
    saves a rebuild about 5% of its instructions. It gives None back, which is bound as
    NULL as before. It is registered for the whole process, where it changes nothing else.
    """
    sqlite3.register_adapter(type(None), _none)


def _none(value: None) -> None:
    return value


class SQLiteViews(Views, SQLiteTrackingRecorder):
    """The read models in an SQLite database, written through `datastore`."""

    #: How a commit of the views waits for the disk (see `_synchronous`).
    SYNCHRONOUS = "NORMAL"

    def __init__(
        self,
        datastore: SQLiteDatastore,
        *,
        application_name: str = "ledger",
        owns_datastore: bool = False,
    ) -> None:
        # Tables are clustered on their primary key (WITHOUT ROWID): a row is found by key in one b-tree.
        self.statements = Statements(qualify=lambda name: name, placeholder="?", table_options=" WITHOUT ROWID")
        _bind_none_as_null()
        self._init_views(application_name)
        self._owns_datastore = owns_datastore
        super().__init__(datastore)
        self.insert_tracking_statement = (
            f"INSERT INTO {TRACKING_TABLE} VALUES (:application_name, :notification_id) "
            "ON CONFLICT (application_name) DO UPDATE SET notification_id = :notification_id "
            f"WHERE {TRACKING_TABLE}.notification_id < :notification_id RETURNING notification_id"
        )
        self.select_max_tracking_id_statement = (
            f"SELECT MAX(notification_id) FROM {TRACKING_TABLE} WHERE application_name=?"
        )

    @classmethod
    def in_memory(cls, name: str, *, application_name: str = "ledger") -> SQLiteViews:
        """Views in a private in-memory database named `name` (gone when closed)."""
        datastore = SQLiteDatastore(f"file:{name}?mode=memory&cache=shared")
        views = cls(datastore, application_name=application_name, owns_datastore=True)
        views.prepare()
        return views

    @classmethod
    def in_file(cls, path: Path, *, application_name: str = "ledger") -> Self:
        """Views in a new SQLite file of their own at `path` (which must not exist yet)."""
        if path.exists():
            raise ReplayFileExistsError("replay_file_exists", path=str(path))
        views = cls(SQLiteDatastore(str(path)), application_name=application_name, owns_datastore=True)
        views.prepare()
        return views

    def construct_create_table_statements(self) -> list[str]:
        return [CREATE_TRACKING, *(statement for table in TABLES for statement in self.statements.create(table))]

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=False) as cursor:
            yield cursor.sqlite_cursor

    @contextmanager
    def _writing(self) -> Iterator[Any]:
        with (
            self.datastore.get_connection(commit=True) as connection,
            self._synchronous(connection),
            connection.transaction(commit=True) as cursor,
        ):
            yield cursor.sqlite_cursor

    @contextmanager
    def _synchronous(self, connection: SQLiteConnection) -> Iterator[None]:
        # The ledger's connections sync every commit (synchronous=FULL). Views can be
        # rebuilt from the ledger, so their commits skip that wait (NORMAL: in WAL mode,
        # consistent, and durable from the next synced commit or checkpoint on); as on
        # PostgreSQL, a crash may lose the last batches, rows and position together. The
        # setting cannot change inside a transaction, and the connection goes back to the
        # ledger's pool with its own setting restored.
        sqlite = connection.cursor().sqlite_cursor
        setting = sqlite.execute("PRAGMA synchronous").fetchone()[0]
        sqlite.execute(f"PRAGMA synchronous={self.SYNCHRONOUS}")
        try:
            yield
        finally:
            sqlite.execute(f"PRAGMA synchronous={int(setting)}")

    @contextmanager
    def rebuilding(self) -> Iterator[Views]:
        """A scratch store (`ScratchViews`, a new file in the system's temporary folder) that
        these views take over in one transaction once it is filled. Until then they stay as
        they were, and stay so if the rebuild dies."""
        with (
            tempfile.TemporaryDirectory(prefix="parledger-rebuild-") as folder,
            ScratchViews.in_file(Path(folder) / "views.sqlite3", application_name=self.application_name) as scratch,
        ):
            yield scratch
            self.take_over(scratch)

    def take_over(self, scratch: ScratchViews) -> int:
        """Replace every view table and the position with those of `scratch`, in one transaction;
        return the new position.

        A rebuild fills a scratch store, then the views take it over whole: a reader sees
        the old views or the new ones, never a half-built store, and a rebuild that dies
        leaves the views as they were. The secondary indexes are built once, after the rows
        are in, rather than kept up row by row.
        """
        position = scratch.position()
        with self._apply_lock, self._taking_over(scratch) as cursor:
            self._cache.clear()
            for table in TABLES:
                cursor.execute(self.statements.drop(table))
                cursor.execute(self.statements.create_table(table))
                # In SQLite's C, in the scratch table's key order: each row is appended to the empty table.
                columns = ", ".join(table.column_names)
                cursor.execute(f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM scratch.{table.name}")
                for statement in self.statements.create_indexes(table):
                    cursor.execute(statement)
            cursor.execute(self._sql("DELETE FROM {tracking} WHERE application_name = ?"), (self.application_name,))
            cursor.execute(self._sql("INSERT INTO {tracking} VALUES (?, ?)"), (self.application_name, position))
        return position

    @contextmanager
    def _taking_over(self, scratch: ScratchViews) -> Iterator[Any]:
        """A write transaction that reads the tables of `scratch` as ``scratch.<table>``."""
        with self.datastore.get_connection(commit=True) as connection, self._synchronous(connection):
            sqlite = connection.cursor().sqlite_cursor
            sqlite.execute("ATTACH DATABASE ? AS scratch", (scratch.datastore.pool.db_name,))
            try:
                with connection.transaction(commit=True) as cursor:
                    yield cursor.sqlite_cursor
            finally:
                sqlite.execute("DETACH DATABASE scratch")

    def _fetch_rows(self, cursor: Any) -> list[Row]:
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def close(self) -> None:
        if self._owns_datastore:
            self.datastore.close()


class ScratchViews(SQLiteViews):
    """Views in a throwaway SQLite file that a rebuild fills and the live views then take over.

    Nothing in it needs to survive a crash (a rebuild that dies starts again), so its
    commits never wait for the disk; and it is read only by key, so its tables have no
    secondary indexes: the live views build those once, after taking the rows over.
    """

    SYNCHRONOUS = "OFF"

    def construct_create_table_statements(self) -> list[str]:
        return [CREATE_TRACKING, *(self.statements.create_table(table) for table in TABLES)]
