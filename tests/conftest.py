"""Shared fixtures: one integration suite, run on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings

from ledger.application import Ledger
from ledger.config import persistence_env
from ledger.documents import DocumentStore
from ledger.notes import NoteSigner
from ledger.transparency import DEFAULT_ORIGIN

settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

#: The log key of every test ledger on a real database (a test key, fixed so runs compare).
LOG_SIGNER = NoteSigner(DEFAULT_ORIGIN, bytes(range(32)))
POSTGRES_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_schema() -> Iterator[str]:
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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty ledger on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    else:
        for schema in _postgres_schema():
            yield f"{POSTGRES_URL}?schema={schema}"


@pytest.fixture
def documents(tmp_path: Path) -> DocumentStore:
    """An empty document store."""
    return DocumentStore(tmp_path / "documents")


@pytest.fixture
def open_ledger(database_url: str, documents: DocumentStore) -> Iterator[object]:
    """A factory of Ledger applications on the test database (each a new 'process')."""
    opened: list[Ledger] = []

    def open_() -> Ledger:
        ledger = Ledger(env=persistence_env(database_url), documents=documents, log_signer=LOG_SIGNER)
        opened.append(ledger)
        return ledger

    yield open_
    for ledger in opened:
        ledger.close()


@pytest.fixture
def ledger(open_ledger) -> Ledger:  # type: ignore[no-untyped-def]
    """An empty ledger on the test database."""
    return open_ledger()


@pytest.fixture
def memory_ledger(documents: DocumentStore) -> Ledger:
    """An empty in-memory ledger (unit tests)."""
    return Ledger(documents=documents)
