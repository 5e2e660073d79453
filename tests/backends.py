"""The databases of the tests: the log key of every test ledger, and a fresh PostgreSQL schema per test.

A plain module (not a conftest), so tests can import it: two conftest modules by the same
name shadow each other once both are collected.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from ledger.notes import NoteSigner
from ledger.transparency import DEFAULT_ORIGIN

#: The log key of every test ledger on a real database (a test key, fixed so runs compare).
LOG_SIGNER = NoteSigner(DEFAULT_ORIGIN, bytes(range(32)))
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
