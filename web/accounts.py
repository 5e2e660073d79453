"""Accounts, sessions and key enrolments: the web's own state, kept beside the ledger.

None of this is evidence. A password only opens a session; what the ledger records is
signed in the officer's browser with a key the server never sees. So these tables are
ordinary mutable rows (``web_*``) in the ledger's database, SQLite or PostgreSQL, written
through the ledger's own connection pool.

Passwords are hashed with Argon2id. Sessions are random tokens of which only the SHA-256
is stored, so a copy of the table opens nothing; they end on logout, on revocation, after
`IDLE_TIMEOUT` without use and `ABSOLUTE_TIMEOUT` after login.

Guessing is throttled as OWASP's authentication guidance asks (README, "Logins"). Every
attempt is counted, before its password is checked, in two buckets: the login typed (known
or unknown alike, so the answers and the timing tell nobody which logins exist) and the
client's address. Past `FREE_ATTEMPTS` a bucket admits one attempt per back-off (30 s,
doubling, at most 15 minutes) and refuses the others without checking their password; an
attempt admitted after the delay is checked, so a correct password gets through. The count
is claimed by one atomic UPDATE, so parallel guesses cannot all slip past it. A browser in
which the account logged in before carries a device token; its attempts count in a bucket
of that device instead of the login's, so a stranger's guesses at a login never stop its
owner from logging in from their own device.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.sqlite import SQLiteDatastore

from ledger.errors import ParLedgerError
from web import i18n

IDLE_TIMEOUT = 30 * 60
ABSOLUTE_TIMEOUT = 12 * 60 * 60
#: Attempts a bucket admits before the back-off starts; then 30 s, doubling, at most 15 minutes.
FREE_ATTEMPTS = 3
#: A client address is shared by an office behind one NAT: it admits more before backing off.
FREE_ATTEMPTS_PER_CLIENT = 30
FIRST_BACKOFF = 30
LONGEST_BACKOFF = 15 * 60
#: How long a device token (the cookie of a browser that logged in) is honoured.
DEVICE_LIFETIME = 180 * 24 * 60 * 60
MIN_PASSWORD_LENGTH = 8

_HASHER = PasswordHasher()  # Argon2id, the library's RFC 9106 low-memory profile
#: Checked against when the login is unknown, so an unknown login costs as much as a known one.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")

_TABLES = (
    "CREATE TABLE IF NOT EXISTS {accounts} ("
    "login TEXT PRIMARY KEY, officer TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {throttle} ("
    "bucket TEXT PRIMARY KEY, attempts INTEGER NOT NULL DEFAULT 0, "
    "blocked_until DOUBLE PRECISION NOT NULL DEFAULT 0, backoff DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {devices} ("
    "token_sha256 TEXT PRIMARY KEY, login TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {sessions} ("
    "token_sha256 TEXT PRIMARY KEY, login TEXT NOT NULL, csrf TEXT NOT NULL, "
    "created_at DOUBLE PRECISION NOT NULL, last_seen DOUBLE PRECISION NOT NULL, "
    "revoked INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS {enrolments} ("
    "key_id TEXT PRIMARY KEY, officer TEXT NOT NULL, public_key TEXT NOT NULL, "
    "requested_at DOUBLE PRECISION NOT NULL, status TEXT NOT NULL)",
)


class AccountError(ParLedgerError):
    """A refusal of a login, a password or an enrolment; `retry_after` seconds when throttled."""

    kind = "account"
    messages: ClassVar[Mapping[str, str]] = {
        "wrong_credentials": "wrong login or password",
        "too_many_attempts": "too many attempts; try again in {seconds} seconds",
        "account_taken": "the login {login} or the officer {officer} already has an account",
        "password_too_short": "a password must have at least {minimum} characters",
        "key_already_enrolled": "this key is already enrolled",
    }

    def __init__(self, code: str, /, *, field: str | None = None, retry_after: int = 0, **params: Any) -> None:
        super().__init__(code, field=field, **params)
        self.retry_after = retry_after

    @property
    def message(self) -> str:
        """The refusal in Vietnamese, as the login and key pages show it."""
        return i18n.reason(self)


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
        self._names = {
            name: f"{schema}web_{name}" for name in ("accounts", "sessions", "enrolments", "throttle", "devices")
        }

    def create_tables(self) -> None:
        with self._cursor(commit=True) as cursor:
            for statement in _TABLES:
                cursor.execute(statement.format(**self._names))

    # Accounts ----------------------------------------------------------------------------

    def add_account(self, login: str, officer: str, password: str) -> Account:
        """A new login for `officer`; refuse a taken login or officer, or a short password."""
        _check_password(password)
        if self._one("SELECT login FROM {accounts} WHERE login = ? OR officer = ?", (login, officer)):
            raise AccountError("account_taken", field="login", login=login, officer=officer)
        self._run(
            "INSERT INTO {accounts} (login, officer, password_hash) VALUES (?, ?, ?)",
            (login, officer, _HASHER.hash(password)),
        )
        return Account(login, officer)

    def set_password(self, login: str, password: str) -> None:
        """Replace a password; every session of the account ends, and its throttling with it."""
        _check_password(password)
        self._run("UPDATE {accounts} SET password_hash = ? WHERE login = ?", (_HASHER.hash(password), login))
        self._run("DELETE FROM {throttle} WHERE bucket = ?", (_login_bucket(login),))
        self.revoke_sessions_of(login)

    def accounts(self) -> list[Account]:
        return [Account(row["login"], row["officer"]) for row in self._all("SELECT * FROM {accounts} ORDER BY login")]

    def authenticate(self, login: str, password: str, *, client: str = "", device: str | None = None) -> Account:
        """The account if the password is right; raise AccountError otherwise.

        `client` is the address the attempt came from, `device` the device token of the
        browser (`remember_device`), if it has one. A throttled attempt is refused before its
        password is checked, with the seconds to wait.
        """
        buckets = [self._device_bucket(login, device) or _login_bucket(login)]
        if client:
            buckets.append(f"client:{client}")
        now = self._clock()
        claimed = [bucket for bucket in buckets if self._claim(bucket, now)]
        if len(claimed) < len(buckets):
            self._release(claimed)
            wait = max(self._blocked_for(bucket, now) for bucket in buckets)
            raise AccountError("too_many_attempts", field="password", retry_after=wait, seconds=wait)
        row = self._one("SELECT * FROM {accounts} WHERE login = ?", (login,))
        try:
            _HASHER.verify(row["password_hash"] if row else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            raise AccountError("wrong_credentials", field="password") from None
        if row is None:
            raise AccountError("wrong_credentials", field="password")
        self._run("DELETE FROM {throttle} WHERE bucket = ?", (buckets[0],))
        self._release(claimed[1:])  # a right password is no guess: the client's count gives it back
        return Account(row["login"], row["officer"])

    def remember_device(self, account: Account, current: str | None = None) -> str:
        """The device token of the browser that just logged in: `current` if still valid for it, else a new one.

        The token is the cookie's value; only its digest is kept.
        """
        if current and self._device_bucket(account.login, current):
            return current
        token = secrets.token_urlsafe(32)
        self._run(
            "INSERT INTO {devices} (token_sha256, login, created_at) VALUES (?, ?, ?)",
            (_digest(token), account.login, self._clock()),
        )
        return token

    def _device_bucket(self, login: str, device: str | None) -> str | None:
        if not device:
            return None
        row = self._one("SELECT * FROM {devices} WHERE token_sha256 = ?", (_digest(device),))
        if row is None or row["login"] != login or self._clock() - row["created_at"] > DEVICE_LIFETIME:
            return None
        return f"device:{row['token_sha256']}"

    def _claim(self, bucket: str, now: float) -> bool:
        """Count one attempt in `bucket` if it admits one now (one atomic statement); False if throttled."""
        free = FREE_ATTEMPTS_PER_CLIENT if bucket.startswith("client:") else FREE_ATTEMPTS
        self._run(
            "INSERT INTO {throttle} (bucket, backoff) VALUES (?, ?) ON CONFLICT (bucket) DO NOTHING",
            (bucket, FIRST_BACKOFF),
        )
        claimed = self._all(
            "UPDATE {throttle} SET attempts = attempts + 1, "
            "blocked_until = CASE WHEN attempts + 1 >= ? THEN ? + backoff ELSE blocked_until END, "
            "backoff = CASE WHEN attempts + 1 < ? THEN backoff WHEN backoff * 2 > ? THEN ? ELSE backoff * 2 END "
            "WHERE bucket = ? AND blocked_until <= ? RETURNING attempts",
            (free, now, free, LONGEST_BACKOFF, LONGEST_BACKOFF, bucket, now),
            commit=True,
        )
        return bool(claimed)

    def _release(self, buckets: list[str]) -> None:
        for bucket in buckets:
            self._run("UPDATE {throttle} SET attempts = attempts - 1 WHERE bucket = ? AND attempts > 0", (bucket,))

    def _blocked_for(self, bucket: str, now: float) -> int:
        row = self._one("SELECT blocked_until FROM {throttle} WHERE bucket = ?", (bucket,))
        return max(1, int(row["blocked_until"] - now) + 1) if row else 1

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
            raise AccountError("key_already_enrolled", field="public_key")
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

    def _all(self, statement: str, params: tuple[Any, ...] = (), *, commit: bool = False) -> list[dict[str, Any]]:
        with self._cursor(commit=commit) as cursor:
            cursor.execute(self._sql(statement), params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row.values() if isinstance(row, dict) else row, strict=True)) for row in cursor]

    def _one(self, statement: str, params: tuple[Any, ...] = ()) -> dict[str, Any] | None:
        rows = self._all(statement, params)
        return rows[0] if rows else None


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password_too_short", field="password", minimum=MIN_PASSWORD_LENGTH)


def _login_bucket(login: str) -> str:
    """The bucket of a login as typed, whether or not an account has it."""
    return f"login:{login.strip().casefold()}"
