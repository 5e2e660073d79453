"""The views on SQLite: in the ledger's own file (the embedded default), or in memory.

`SQLiteViews` is the library's `SQLiteTrackingRecorder` with the view tables added to
what it creates, and its tracking kept in ``view_tracking`` (the library's default
``tracking`` table is left to whatever else may track the ledger in the same file).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

from projections.schema import TABLES, TRACKING_TABLE, Row, Statements
from projections.views import Views


class SQLiteViews(Views, SQLiteTrackingRecorder):
    """The read models in an SQLite database, written through `datastore`."""

    def __init__(
        self,
        datastore: SQLiteDatastore,
        *,
        application_name: str = "ledger",
        owns_datastore: bool = False,
    ) -> None:
        # Tables are clustered on their primary key (WITHOUT ROWID): a row is found by key in one b-tree.
        self.statements = Statements(qualify=lambda name: name, placeholder="?", table_options=" WITHOUT ROWID")
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
    def in_file(cls, path: Path, *, application_name: str = "ledger") -> SQLiteViews:
        """Views in a new SQLite file of their own at `path` (which must not exist yet)."""
        if path.exists():
            msg = f"{path} exists already; replays go into a new file"
            raise FileExistsError(msg)
        views = cls(SQLiteDatastore(str(path)), application_name=application_name, owns_datastore=True)
        views.prepare()
        return views

    def construct_create_table_statements(self) -> list[str]:
        statements = [
            f"CREATE TABLE IF NOT EXISTS {TRACKING_TABLE} (application_name TEXT, notification_id INTEGER, "
            "PRIMARY KEY (application_name)) WITHOUT ROWID"
        ]
        for table in TABLES:
            statements += self.statements.create(table)
        return statements

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=False) as cursor:
            yield cursor.sqlite_cursor

    @contextmanager
    def _writing(self) -> Iterator[Any]:
        # The ledger's connections sync every commit (synchronous=FULL). Views can be
        # rebuilt from the ledger, so their commits skip that wait (NORMAL: in WAL mode,
        # consistent, and durable from the next synced commit or checkpoint on); as on
        # PostgreSQL, a crash may lose the last batches, rows and position together. The
        # setting cannot change inside a transaction, and the connection goes back to the
        # ledger's pool with its own setting restored.
        with self.datastore.get_connection(commit=True) as connection:
            setting = connection.cursor().sqlite_cursor.execute("PRAGMA synchronous").fetchone()[0]
            connection.cursor().sqlite_cursor.execute("PRAGMA synchronous=NORMAL")
            try:
                with connection.transaction(commit=True) as cursor:
                    yield cursor.sqlite_cursor
            finally:
                connection.cursor().sqlite_cursor.execute(f"PRAGMA synchronous={int(setting)}")

    def _fetch_rows(self, cursor: Any) -> list[Row]:
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def close(self) -> None:
        if self._owns_datastore:
            self.datastore.close()
