"""Shared fixtures: one integration suite, run on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import LOG_SIGNER, POSTGRES_URL, postgres_schema
from hypothesis import settings

from ledger.application import Ledger
from ledger.storage.config import persistence_env
from ledger.storage.documents import DocumentStore

settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty ledger on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    else:
        for schema in postgres_schema():
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
