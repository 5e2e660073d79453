"""``parledger accounts``: the web logins of officers (an administrator's commands).

A login opens a session; it never signs. Passwords come from ``PARLEDGER_PASSWORD`` or
are asked on the terminal, never from the command line (where `ps` would show them).
Imports of the ledger wait until a command runs: `parledger verify --bundle` must start
without eventsourcing (see cli/log.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from cli.support import Failure, open_ledger

if TYPE_CHECKING:
    from ledger.application import Ledger
    from web.accounts import AccountStore

PASSWORD_VARIABLE = "PARLEDGER_PASSWORD"


def account_store(ledger: Ledger) -> AccountStore:
    """The web logins kept in the ledger's database (their tables made if absent)."""
    from web.accounts import AccountStore

    store = AccountStore(ledger.datastore)
    store.create_tables()
    return store


@contextmanager
def _accounts() -> Iterator[tuple[AccountStore, Any]]:
    from web.accounts import AccountError

    with open_ledger() as ledger:
        store = account_store(ledger)
        try:
            yield store, ledger
        except AccountError as exc:
            raise Failure(f"{exc.field or 'account'}: {exc.message}") from None


def _password() -> str:
    value = os.environ.get(PASSWORD_VARIABLE)
    if value:
        return value
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    raise Failure(f"password: set {PASSWORD_VARIABLE} or run on a terminal")


@click.group("accounts")
def accounts() -> None:
    """Web logins of officers."""


@accounts.command("add")
@click.argument("officer")
@click.option("--login", help="The login name (default: the officer id).")
def add(officer: str, login: str | None) -> None:
    """Give OFFICER (an officer id the ledger holds) a web login."""
    from ledger.domain.registry import Officer

    with _accounts() as (store, ledger):
        if not isinstance(ledger.get(f"officer/{officer}"), Officer):
            raise Failure(f"officer: the ledger holds no officer {officer!r}")
        account = store.add_account(login or officer, officer, _password())
    click.echo(f"login {account.login} added for officer {account.officer}")


@accounts.command("list")
def list_accounts() -> None:
    """Every login and its officer."""
    with _accounts() as (store, _):
        for account in store.accounts():
            click.echo(f"{account.login}\t{account.officer}")


@accounts.command("password")
@click.argument("login")
def password(login: str) -> None:
    """Set LOGIN's password; its sessions end."""
    with _accounts() as (store, _):
        if login not in {account.login for account in store.accounts()}:
            raise Failure(f"login: no login {login!r}")
        store.set_password(login, _password())
    click.echo(f"password of {login} changed; its sessions ended")


@accounts.command("end-sessions")
@click.argument("login")
def end_sessions(login: str) -> None:
    """End every session of LOGIN now (a lost laptop, a leaver)."""
    with _accounts() as (store, _):
        ended = store.revoke_sessions_of(login)
    click.echo(f"{ended} session(s) of {login} ended")


COMMANDS = (accounts,)
