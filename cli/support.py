"""What every ``parledger`` command shares: one-line errors, the instance, passphrases.

Heavy modules (the ledger application, Flask) are imported inside the functions that
need them, so the offline commands stay free of them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from keys import KeysError, SigningKey
from ledger.errors import LedgerError
from ledger.storage.config import ConfigurationError

if TYPE_CHECKING:
    from ledger.application import Ledger, Receipt
    from ledger.signing.envelope import Envelope
    from web.instance import Instance

PASSPHRASE_VARIABLE = "PARLEDGER_PASSPHRASE"


class Failure(click.ClickException):
    """A refused command: printed as one line, exit status 1."""

    def format_message(self) -> str:
        return self.message

    def show(self, file: Any = None) -> None:
        click.echo(f"parledger: error: {self.message}", err=True)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn the errors a user can act on into one line, without a traceback."""
    from ledger.tlog.bundle import BundleError
    from ledger.tlog.notes import NoteError

    try:
        yield
    except (LedgerError, KeysError, ConfigurationError, BundleError, NoteError, OSError, ValueError) as exc:
        raise Failure(str(exc)) from None


def instance() -> Instance:
    """The instance named by the environment."""
    from web.instance import Instance

    return Instance.from_environment()


@contextmanager
def open_ledger() -> Iterator[Ledger]:
    """The instance's ledger, closed afterwards."""
    with one_line_errors():
        ledger = instance().open_ledger()
        try:
            yield ledger
        finally:
            ledger.close()


def append(ledger: Ledger, envelope: Envelope) -> Receipt:
    """Append one envelope and bring the read models up to date with it."""
    from projections import catch_up, open_views

    with one_line_errors():
        receipt = ledger.append(envelope)
        views = open_views(ledger)
        try:
            catch_up(ledger, views)
        finally:
            views.close()
    return receipt


def passphrase(purpose: str) -> str:
    """From PARLEDGER_PASSPHRASE, or asked on a terminal."""
    value = os.environ.get(PASSPHRASE_VARIABLE)
    if value:
        return value
    if sys.stdin.isatty():
        return str(click.prompt(f"Passphrase {purpose}", hide_input=True))
    raise Failure(f"set {PASSPHRASE_VARIABLE} (no terminal to ask for the passphrase {purpose})")


def load_key(path: Path) -> SigningKey:
    """An officer's key file, unlocked."""
    from keys.files import load_signing_key

    with one_line_errors():
        return load_signing_key(path, passphrase(f"for {path}"))


def progress(label: str) -> Callable[[int, int], None]:
    """A progress line on a terminal's stderr (silent otherwise)."""

    def show(done: int, total: int) -> None:
        if sys.stderr.isatty() and (done == total or done % 100 == 0):
            click.echo(f"\r{label} {done}/{total}", err=True, nl=done == total)

    return show


def read_text_argument(value: str) -> str:
    """A key given inline or as a file path (C2SP vkeys are one line)."""
    path = Path(value)
    try:
        if path.is_file():
            return path.read_text().strip()
    except OSError:
        pass
    return value.strip()


def write_secret(path: Path, text: str) -> None:
    """Create `path` with mode 0600 and write `text`; refuse to overwrite."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise Failure(f"{path} already exists; choose another file") from None
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
