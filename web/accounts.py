"""Accounts, sessions and key enrolments: the web's own state, kept beside the ledger.

None of this is evidence. A password only opens a session; what the ledger records is
signed in the officer's browser with a key the server never sees. So these tables are
ordinary mutable rows (``web_*``) in the ledger's database, SQLite or PostgreSQL, written
through the ledger's own connection pool.

Passwords are hashed with Argon2id. Sessions are random tokens of which only the SHA-256
is stored, so a copy of the table opens nothing; they end on logout, on revocation, after
`IDLE_TIMEOUT` without use and `ABSOLUTE_TIMEOUT` after login. Failed logins back off
exponentially per account.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.sqlite import SQLiteDatastore

IDLE_TIMEOUT = 30 * 60
ABSOLUTE_TIMEOUT = 12 * 60 * 60
#: Failures allowed before the back-off starts; then 30 s, doubling, at most 15 minutes.
FREE_FAILURES = 3
FIRST_BACKOFF = 30
LONGEST_BACKOFF = 15 * 60
MIN_PASSWORD_LENGTH = 8

_HASHER = PasswordHasher()  # Argon2id, the library's RFC 9106 low-memory profile
#: Checked against when the login is unknown, so an unknown login costs as much as a known one.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")

_TABLES = (
    "CREATE TABLE IF NOT EXISTS {accounts} ("
    "login TEXT PRIMARY KEY, officer TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, "
    "failures INTEGER NOT NULL DEFAULT 0, locked_until DOUBLE PRECISION NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS {sessions} ("
    "token_sha256 TEXT PRIMARY KEY, login TEXT NOT NULL, csrf TEXT NOT NULL, "
    "created_at DOUBLE PRECISION NOT NULL, last_seen DOUBLE PRECISION NOT NULL, "
    "revoked INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS {enrolments} ("
    "key_id TEXT PRIMARY KEY, officer TEXT NOT NULL, public_key TEXT NOT NULL, "
    "requested_at DOUBLE PRECISION NOT NULL, status TEXT NOT NULL)",
)


class AccountError(Exception):
    """A refusal to show the user: `message` in Vietnamese, naming `field` when there is one."""

    def __init__(self, message: str, *, field: str | None = None, retry_after: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.retry_after = retry_after


@dataclass(frozen=True)
class Account:
    """A login and the ledger officer it acts as."""

    login: str
    officer: str


@dataclass(frozen=True)
class Session:
    """A live session: who, and the token its forms must carry."""

    token_sha256: str
    login: str
    officer: str
    csrf: str
    created_at: float


@dataclass(frozen=True)
class Enrolment:
    """A public key an officer asked to sign with, and what became of the request."""

    key_id: str
    officer: str
    public_key: str
    requested_at: float
    status: str  # pending, approved, refused


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccountStore:
    """The ``web_*`` tables in the ledger's database."""

    def __init__(self, datastore: Any, *, clock: Callable[[], float] = time.time) -> None:
        self._datastore = datastore
        self._clock = clock
        self._sqlite = isinstance(datastore, SQLiteDatastore)
        schema = "" if self._sqlite else '"' + datastore.schema.replace('"', '""') + '".'
        self._names = {name: f"{schema}web_{name}" for name in ("accounts", "sessions", "enrolments")}

    def create_tables(self) -> None:
        with self._cursor(commit=True) as cursor:
            for statement in _TABLES:
                cursor.execute(statement.format(**self._names))

    # Accounts ----------------------------------------------------------------------------

    def add_account(self, login: str, officer: str, password: str) -> Account:
        """A new login for `officer`; refuse a taken login or officer, or a short password."""
        _check_password(password)
        if self._one("SELECT login FROM {accounts} WHERE login = ? OR officer = ?", (login, officer)):
            raise AccountError(f"Tài khoản {login} hoặc cán bộ {officer} đã có tài khoản", field="login")
        self._run(
            "INSERT INTO {accounts} (login, officer, password_hash) VALUES (?, ?, ?)",
            (login, officer, _HASHER.hash(password)),
        )
        return Account(login, officer)

    def set_password(self, login: str, password: str) -> None:
        """Replace a password; every session of the account ends."""
        _check_password(password)
        self._run(
            "UPDATE {accounts} SET password_hash = ?, failures = 0, locked_until = 0 WHERE login = ?",
            (_HASHER.hash(password), login),
        )
        self.revoke_sessions_of(login)

    def accounts(self) -> list[Account]:
        return [Account(row["login"], row["officer"]) for row in self._all("SELECT * FROM {accounts} ORDER BY login")]

    def authenticate(self, login: str, password: str) -> Account:
        """The account if the password is right; raise AccountError otherwise (backing off)."""
        row = self._one("SELECT * FROM {accounts} WHERE login = ?", (login,))
        now = self._clock()
        if row is not None and row["locked_until"] > now:
            wait = int(row["locked_until"] - now) + 1
            raise AccountError(f"Đăng nhập sai quá nhiều lần; thử lại sau {wait} giây", retry_after=wait)
        try:
            _HASHER.verify(row["password_hash"] if row else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            if row is not None:
                self._record_failure(row, now)
            raise AccountError("Tên đăng nhập hoặc mật khẩu không đúng", field="password") from None
        if row is None:
            raise AccountError("Tên đăng nhập hoặc mật khẩu không đúng", field="password")
        self._run("UPDATE {accounts} SET failures = 0, locked_until = 0 WHERE login = ?", (login,))
        return Account(row["login"], row["officer"])

    def _record_failure(self, row: dict[str, Any], now: float) -> None:
        failures = row["failures"] + 1
        over = failures - FREE_FAILURES
        locked_until = now + min(LONGEST_BACKOFF, FIRST_BACKOFF * 2 ** (over - 1)) if over > 0 else 0
        self._run(
            "UPDATE {accounts} SET failures = ?, locked_until = ? WHERE login = ?",
            (failures, locked_until, row["login"]),
        )

    # Sessions ----------------------------------------------------------------------------

    def open_session(self, account: Account) -> str:
        """A new session token for `account` (the cookie's value; only its digest is kept)."""
        token = secrets.token_urlsafe(32)
        now = self._clock()
        self._run(
            "INSERT INTO {sessions} (token_sha256, login, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
            (_digest(token), account.login, secrets.token_urlsafe(32), now, now),
        )
        return token

    def session(self, token: str) -> Session | None:
        """The live session of `token`, touched; None if unknown, revoked or timed out."""
        row = self._one(
            "SELECT s.*, a.officer FROM {sessions} s JOIN {accounts} a ON a.login = s.login WHERE s.token_sha256 = ?",
            (_digest(token),),
        )
        now = self._clock()
        if row is None or row["revoked"]:
            return None
        if now - row["last_seen"] > IDLE_TIMEOUT or now - row["created_at"] > ABSOLUTE_TIMEOUT:
            self.revoke_session(token)
            return None
        self._run("UPDATE {sessions} SET last_seen = ? WHERE token_sha256 = ?", (now, row["token_sha256"]))
        return Session(row["token_sha256"], row["login"], row["officer"], row["csrf"], row["created_at"])

    def revoke_session(self, token: str) -> None:
        self._run("UPDATE {sessions} SET revoked = 1 WHERE token_sha256 = ?", (_digest(token),))

    def revoke_sessions_of(self, login: str) -> int:
        """End every session of `login` (an administrator's action, or a new password)."""
        return self._run("UPDATE {sessions} SET revoked = 1 WHERE login = ? AND revoked = 0", (login,))

    # Enrolments --------------------------------------------------------------------------

    def request_enrolment(self, officer: str, key_id: str, public_key: str) -> Enrolment:
        """Remember a key an officer made in their browser, until it is approved or refused."""
        if self._one("SELECT key_id FROM {enrolments} WHERE key_id = ?", (key_id,)):
            raise AccountError("Khoá này đã được đăng ký", field="public_key")
        now = self._clock()
        self._run(
            "INSERT INTO {enrolments} VALUES (?, ?, ?, ?, 'pending')",
            (key_id, officer, public_key, now),
        )
        return Enrolment(key_id, officer, public_key, now, "pending")

    def enrolments(self, *, officers: list[str] | None = None, status: str | None = None) -> list[Enrolment]:
        """Enrolments, newest first, of `officers` (default all) with `status` (default any)."""
        rows = self._all("SELECT * FROM {enrolments} ORDER BY requested_at DESC, key_id")
        return [
            Enrolment(row["key_id"], row["officer"], row["public_key"], row["requested_at"], row["status"])
            for row in rows
            if (officers is None or row["officer"] in officers) and (status is None or row["status"] == status)
        ]

    def enrolment(self, key_id: str) -> Enrolment | None:
        found = [e for e in self.enrolments() if e.key_id == key_id]
        return found[0] if found else None

    def settle_enrolment(self, key_id: str, status: str) -> None:
        self._run("UPDATE {enrolments} SET status = ? WHERE key_id = ?", (status, key_id))

    # SQL on either database --------------------------------------------------------------

    @contextmanager
    def _cursor(self, *, commit: bool) -> Iterator[Any]:
        with self._datastore.transaction(commit=commit) as cursor:
            yield cursor.sqlite_cursor if self._sqlite else cursor

    def _sql(self, statement: str) -> str:
        text = statement.format(**self._names)
        return text if self._sqlite else text.replace("?", "%s")

    def _run(self, statement: str, params: tuple[Any, ...]) -> int:
        with self._cursor(commit=True) as cursor:
            cursor.execute(self._sql(statement), params)
            return int(cursor.rowcount)

    def _all(self, statement: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self._cursor(commit=False) as cursor:
            cursor.execute(self._sql(statement), params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row.values() if isinstance(row, dict) else row, strict=True)) for row in cursor]

    def _one(self, statement: str, params: tuple[Any, ...] = ()) -> dict[str, Any] | None:
        rows = self._all(statement, params)
        return rows[0] if rows else None


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự", field="password")
