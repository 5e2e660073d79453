"""One setting chooses the database: ``LEDGER_DATABASE_URL``.

``sqlite:///instance/ledger.sqlite3`` (a path relative to the working directory),
``sqlite:////var/lib/par-ledger/ledger.sqlite3`` (absolute), or
``postgresql://user[:password]@host[:port]/database[?schema=name]``.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_DATABASE_URL = "sqlite:///instance/ledger.sqlite3"


class ConfigurationError(ValueError):
    """A setting that cannot be used, with what to write instead."""


def persistence_env(database_url: str) -> dict[str, str]:
    """The `eventsourcing` environment for the database named by `database_url`."""
    parts = urlsplit(database_url)
    if parts.scheme == "sqlite":
        path = database_url.removeprefix("sqlite://").removeprefix("/")
        if not path or parts.query:
            msg = f"LEDGER_DATABASE_URL {database_url!r}: write sqlite:///relative/path or sqlite:////absolute/path"
            raise ConfigurationError(msg)
        return {
            "PERSISTENCE_MODULE": "ledger.storage.sqlite:Factory",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    if parts.scheme in {"postgresql", "postgres"}:
        database = parts.path.lstrip("/")
        if not parts.hostname or not database:
            msg = f"LEDGER_DATABASE_URL {database_url!r}: write postgresql://user@host:port/database"
            raise ConfigurationError(msg)
        env = {
            "PERSISTENCE_MODULE": "ledger.storage.postgres:Factory",
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
            msg = f"LEDGER_DATABASE_URL: unknown parameter {unknown[0]!r} (only 'schema' is understood)"
            raise ConfigurationError(msg)
        if "schema" in query:
            env["POSTGRES_SCHEMA"] = query["schema"][0]
        return env
    msg = f"LEDGER_DATABASE_URL {database_url!r}: the scheme must be sqlite or postgresql"
    raise ConfigurationError(msg)
