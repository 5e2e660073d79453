"""The database URL names the backend by its scheme; the library's environment follows from it."""

from __future__ import annotations

import pytest

from ledger.application import Ledger
from ledger.storage.config import MEMORY_URL, Backend, persistence_env
from ledger.storage.errors import ConfigurationError


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("sqlite:///instance/ledger.sqlite3", Backend.SQLITE),
        ("sqlite:////var/lib/par-ledger/ledger.sqlite3", Backend.SQLITE),
        ("postgresql://ledger@db:5432/par", Backend.POSTGRESQL),
        ("postgres://ledger@db/par", Backend.POSTGRESQL),
        (MEMORY_URL, Backend.MEMORY),
    ],
)
def test_the_scheme_names_the_backend(url: str, backend: Backend) -> None:
    assert Backend.of_url(url) is backend
    assert persistence_env(url)["PERSISTENCE_MODULE"] == backend.persistence_module


def test_a_sqlite_url_gives_the_path_relative_or_absolute() -> None:
    assert persistence_env("sqlite:///instance/ledger.sqlite3")["SQLITE_DBNAME"] == "instance/ledger.sqlite3"
    assert persistence_env("sqlite:////var/lib/ledger.sqlite3")["SQLITE_DBNAME"] == "/var/lib/ledger.sqlite3"


def test_a_postgresql_url_gives_host_port_database_user_and_schema() -> None:
    env = persistence_env("postgresql://le%40dger:s%3Acret@db:6543/par?schema=hy")
    assert {key: env[key] for key in env if key.startswith("POSTGRES_") and key != "POSTGRES_LOCK_TIMEOUT"} == {
        "POSTGRES_HOST": "db",
        "POSTGRES_PORT": "6543",
        "POSTGRES_DBNAME": "par",
        "POSTGRES_USER": "le@dger",
        "POSTGRES_PASSWORD": "s:cret",
        "POSTGRES_SCHEMA": "hy",
    }


@pytest.mark.parametrize(
    ("url", "code", "says"),
    [
        ("mysql://db/par", "unknown_scheme", "the scheme must be sqlite or postgresql"),
        ("sqlite://", "sqlite_url", "write sqlite:///relative/path or sqlite:////absolute/path"),
        ("sqlite:///a.sqlite3?mode=ro", "sqlite_url", "write sqlite:///relative/path"),
        ("postgresql:///par", "postgresql_url", "write postgresql://user@host:port/database"),
        ("postgresql://db/par?sslmode=off", "unknown_url_parameter", "unknown parameter 'sslmode'"),
    ],
)
def test_a_url_that_cannot_be_used_is_refused_with_what_to_write(url: str, code: str, says: str) -> None:
    with pytest.raises(ConfigurationError, match=says) as refused:
        persistence_env(url)
    assert refused.value.code == code


def test_a_ledger_on_the_memory_url_is_in_memory() -> None:
    ledger = Ledger(env=persistence_env(MEMORY_URL))
    assert ledger.backend is Backend.MEMORY
    assert ledger.datastore is None
