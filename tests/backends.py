"""The databases of the tests: the log key of every test ledger, a fresh PostgreSQL schema per test,
and plain SQL on a ledger's own tables.

A plain module (not a conftest), so tests can import it: two conftest modules by the same
name shadow each other once both are collected.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit, urlunsplit

import psycopg
import pytest

from ledger.tlog.notes import NoteSigner
from ledger.tlog.transparency import DEFAULT_ORIGIN

#: The log key of every test ledger on a real database (a test key, fixed so runs compare).
LOG_SIGNER = NoteSigner(DEFAULT_ORIGIN, bytes(range(32)))
T = TypeVar("T")

POSTGRES_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_schema() -> Iterator[str]:
    """A fresh schema for one test, dropped afterwards; fail in CI if PostgreSQL is down."""
    try:
        connection = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and did not answer at {POSTGRES_URL}: {exc}")
        pytest.skip(f"PostgreSQL is not running at {POSTGRES_URL} (set LEDGER_TEST_POSTGRES_URL)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield schema
        finally:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


class SQLPrompt:
    """A ledger's own tables, as an operator or an insider with a SQL prompt has them.

    For a test database URL (an SQLite file or a PostgreSQL schema). In a statement,
    ``{events}``, ``{log}``, ``{checkpoints}`` and ``{cosignatures}`` stand for the tables and
    ``?`` marks a parameter, on both backends.
    """

    def __init__(self, database_url: str) -> None:
        parts = urlsplit(database_url)
        self.sqlite_path: str | None = None
        self.schema: str | None = None
        if parts.scheme == "sqlite":
            self.sqlite_path = database_url.removeprefix("sqlite:///")
        else:
            self.schema = parse_qs(parts.query)["schema"][0]
            self.postgres_url = urlunsplit(parts._replace(query=""))
        events = "stored_events" if self.sqlite_path is not None else "ledger_events"
        self.tables = {"events": self.qualified(events)} | {
            name: self.qualified(f"ledger_{name}") for name in ("log", "checkpoints", "cosignatures")
        }

    def qualified(self, table: str) -> str:
        """`table` as a statement names it (in its schema on PostgreSQL)."""
        return table if self.schema is None else f'"{self.schema}".{table}'

    def sql(self, statement: str) -> str:
        """`statement` with the tables named and the backend's parameter marks."""
        statement = statement.format(**self.tables)
        return statement if self.sqlite_path is not None else statement.replace("?", "%s")

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        """A cursor in one transaction of its own: committed on exit, rolled back on an exception."""
        if self.sqlite_path is not None:
            connection = sqlite3.connect(self.sqlite_path, timeout=30)
            try:
                with connection:
                    yield connection.cursor()
            finally:
                connection.close()
        else:
            with psycopg.connect(self.postgres_url) as connection, connection.cursor() as cursor:
                yield cursor

    def run(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        """One statement in a transaction of its own; its rows, if it returns any."""
        with self.cursor() as cursor:
            cursor.execute(self.sql(statement), params)
            return cursor.fetchall() if cursor.description else []

    def oid(self, value: uuid.UUID) -> Any:
        """An aggregate id as the backend stores it (SQLite: hex text; PostgreSQL: uuid)."""
        return value.hex if self.sqlite_path is not None else value


def at_once(start: Callable[[], T], times: int) -> tuple[list[T], list[BaseException]]:
    """`start` run on `times` threads at once, as processes that start together: what they
    returned, and what they raised."""
    results: list[T] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            results.append(start())
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, failures
