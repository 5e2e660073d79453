"""The backends of the append benchmark: fresh, empty databases for the ledger and the plain app."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from eventsourcing.application import Application

from ledger.application import Ledger
from ledger.storage.config import persistence_env
from ledger.storage.transcodings import EnvelopeAsDSSE


class PlainApplication(Application[uuid.UUID]):
    """Plain eventsourcing; it knows how to store the ledger's Envelope values (DSSE JSON)."""

    name = "plain"

    def register_transcodings(self, transcoder: Any) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(EnvelopeAsDSSE())


class Backend:
    """Fresh, empty databases on demand, and the env for the ledger and the plain app."""

    name: str
    plain_module: str

    def fresh_url(self) -> str:
        raise NotImplementedError

    def drop(self, url: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass

    @contextlib.contextmanager
    def database(self) -> Iterator[str]:
        url = self.fresh_url()
        try:
            yield url
        finally:
            self.drop(url)

    def ledger_env(self, url: str) -> dict[str, str]:
        return persistence_env(url)

    def plain_env(self, url: str) -> dict[str, str]:
        # Same settings as the ledger's (lock timeouts, schema...), only the library's module.
        return {**persistence_env(url), "PERSISTENCE_MODULE": self.plain_module}

    def prepare_plain(self, app: Application[Any]) -> None:
        """Give the plain app the ledger's durability if the library default is weaker."""

    def durability(self, ledger: Ledger, plain: Application[Any]) -> str:
        raise NotImplementedError


class SQLiteBackend(Backend):
    name = "SQLite"
    plain_module = "eventsourcing.sqlite"

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="bench-append-"))
        self.force_full = False  # set if the library's default synchronous is below FULL

    def fresh_url(self) -> str:
        return f"sqlite:///{self.directory}/{uuid.uuid4().hex}.sqlite3"

    def drop(self, url: str) -> None:
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(path + suffix).unlink()

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def prepare_plain(self, app: Application[Any]) -> None:
        if self.force_full:
            # The same swap as ledger.storage.sqlite.Factory: a pool that sets synchronous=FULL.
            from ledger.storage.sqlite import LedgerConnectionPool

            datastore = app.recorder.datastore  # type: ignore[attr-defined]
            original = datastore.pool
            datastore.pool = LedgerConnectionPool(db_name=original.db_name, lock_timeout=original.lock_timeout)
            original.close()

    def durability(self, ledger: Ledger, plain: Application[Any]) -> str:
        def pragmas(app: Application[Any]) -> tuple[int, str]:
            with app.recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
                c.execute("PRAGMA synchronous")
                sync = c.fetchone()[0]
                c.execute("PRAGMA journal_mode")
                return sync, c.fetchone()[0]

        names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
        (ls, lj), (ps, pj) = pragmas(ledger), pragmas(plain)
        note = "the library's default, same as the ledger's"
        if ps < ls:
            self.force_full = True
            note = f"the library's default; timed runs of the plain app use {names.get(ls, ls)} like the ledger"
        return (
            f"PRAGMA synchronous: ledger {names.get(ls, ls)}, plain {names.get(ps, ps)} ({note}); "
            f"journal_mode: ledger {lj}, plain {pj}; SQLite {sqlite3.sqlite_version}; "
            f"files in {self.directory} ({filesystem(self.directory)})"
        )


class PostgresBackend(Backend):
    name = "PostgreSQL"
    plain_module = "eventsourcing.postgres"

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self.admin = psycopg.connect(url, autocommit=True, connect_timeout=5)

    def fresh_url(self) -> str:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        self.admin.execute(f'CREATE SCHEMA "{schema}"')
        return f"{self.url}?schema={schema}"

    def drop(self, url: str) -> None:
        schema = url.rsplit("?schema=", 1)[1]
        self.admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    def close(self) -> None:
        self.admin.close()

    def durability(self, ledger: Ledger, plain: Application[Any]) -> str:
        settings = {
            name: self.admin.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
            for name in ("server_version", "fsync", "synchronous_commit", "wal_sync_method")
        }
        host = self.url.split("@")[-1]
        return (
            f"server {settings['server_version']} at {host}: fsync={settings['fsync']}, "
            f"synchronous_commit={settings['synchronous_commit']}, wal_sync_method={settings['wal_sync_method']} "
            "(one server, same settings for both)"
        )


def filesystem(path: Path) -> str:
    """The mount holding `path` and its type (a tmpfs would make SQLite's fsync free)."""
    best = ("?", "?")
    with contextlib.suppress(OSError):
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3 and str(path).startswith(parts[1]) and len(parts[1]) >= len(best[0]):
                best = (parts[1], parts[2])
    return f"{best[1]} at {best[0]}"
