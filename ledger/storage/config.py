"""One setting chooses the database: ``LEDGER_DATABASE_URL``; its scheme names the `Backend`.

``sqlite:///instance/ledger.sqlite3`` (a path relative to the working directory),
``sqlite:////var/lib/par-ledger/ledger.sqlite3`` (absolute),
``postgresql://user[:password]@host[:port]/database[?schema=name]``, or ``memory:`` (a
throwaway ledger in this process: tests and replays).

The `eventsourcing` library finds its recorders through ``PERSISTENCE_MODULE``; that
string is derived from the backend here and nowhere else.
"""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import parse_qs, unquote, urlsplit

from ledger.storage.errors import ConfigurationError

DEFAULT_DATABASE_URL = "sqlite:///instance/ledger.sqlite3"
MEMORY_URL = "memory:"

__all__ = ["DEFAULT_DATABASE_URL", "MEMORY_URL", "Backend", "ConfigurationError", "persistence_env"]


class Backend(StrEnum):
    """Where a ledger is stored, named by its database URL's scheme."""

    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"
    MEMORY = "memory"

    @classmethod
    def of_url(cls, database_url: str) -> Backend:
        """The backend `database_url` names (``postgres://`` is PostgreSQL too)."""
        scheme = urlsplit(database_url).scheme
        if scheme == "postgres":
            return cls.POSTGRESQL
        try:
            return cls(scheme)
        except ValueError:
            raise ConfigurationError("unknown_scheme", url=database_url) from None

    @property
    def persistence_module(self) -> str:
        """The ``PERSISTENCE_MODULE`` that gives the library this backend's factory."""
        module = {Backend.SQLITE: "sqlite", Backend.POSTGRESQL: "postgres", Backend.MEMORY: "popo"}[self]
        return f"ledger.storage.{module}:Factory"


def persistence_env(database_url: str) -> dict[str, str]:
    """The `eventsourcing` environment for the database named by `database_url`."""
    backend = Backend.of_url(database_url)
    env = {"PERSISTENCE_MODULE": backend.persistence_module}
    if backend is Backend.SQLITE:
        env.update(_sqlite_settings(database_url))
    elif backend is Backend.POSTGRESQL:
        env.update(_postgres_settings(database_url))
    return env


def _sqlite_settings(database_url: str) -> dict[str, str]:
    path = database_url.removeprefix("sqlite://").removeprefix("/")
    if not path or urlsplit(database_url).query:
        raise ConfigurationError("sqlite_url", url=database_url)
    return {"SQLITE_DBNAME": path, "SQLITE_LOCK_TIMEOUT": "10"}


def _postgres_settings(database_url: str) -> dict[str, str]:
    parts = urlsplit(database_url)
    database = parts.path.lstrip("/")
    if not parts.hostname or not database:
        raise ConfigurationError("postgresql_url", url=database_url)
    env = {
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_DBNAME": database,
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        # Wait a few seconds for the table lock, never forever (the library's default).
        "POSTGRES_LOCK_TIMEOUT": "5",
    }
    query = parse_qs(parts.query)
    unknown = sorted(set(query) - {"schema"})
    if unknown:
        raise ConfigurationError("unknown_url_parameter", parameter=unknown[0])
    if "schema" in query:
        env["POSTGRES_SCHEMA"] = query["schema"][0]
    return env
