"""What the ``parledger`` commands share: one-line errors, the instance and its views, passphrases, receipts.

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
from ledger.errors import ParLedgerError
from services.errors import REFUSALS

if TYPE_CHECKING:
    from ledger.application import Ledger, Receipt
    from ledger.signing.envelope import Envelope
    from projections import Views
    from web.instance import Instance

PASSPHRASE_VARIABLE = "PARLEDGER_PASSPHRASE"


class Failure(click.ClickException):
    """A refused command: printed as one line, exit status 1."""

    def format_message(self) -> str:
        return self.message

    def show(self, file: Any = None) -> None:
        click.echo(f"parledger: error: {self.message}", err=True)


#: How a service's refusal is worded where the default ("--<option>: <reason>") reads wrong, by code.
OPTION_WORDING = {"no_usual_ruleset": "give --{option}: {reason}"}


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn the errors a user can act on into one line, without a traceback.

    The product's refusals (`ParLedgerError`), the key files' (`KeysError`), and the
    system's when a file cannot be read or written (`OSError`).
    """
    try:
        yield
    except (ParLedgerError, KeysError, OSError) as exc:
        raise Failure(str(exc)) from None


@contextmanager
def options_named() -> Iterator[None]:
    """A service's refusal as one line naming the option it is about (field ``unit_class``: --unit-class)."""
    try:
        yield
    except REFUSALS as exc:
        option = (exc.field or "").replace("_", "-")
        wording = OPTION_WORDING.get(exc.code, "--{option}: {reason}")
        raise Failure(wording.format(option=option, reason=exc.reason)) from None


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


@contextmanager
def live_views(ledger: Ledger) -> Iterator[Views]:
    """The instance's views, caught up with the ledger (closed afterwards)."""
    from projections import catch_up, open_views

    with one_line_errors():
        views = open_views(ledger)
    try:
        with one_line_errors():
            catch_up(ledger, views)
        yield views
    finally:
        views.close()


def append(ledger: Ledger, envelope: Envelope) -> Receipt:
    """Append one envelope and bring the read models up to date with it."""
    with one_line_errors():
        receipt = ledger.append(envelope)
    project(ledger)
    return receipt


def project(ledger: Ledger) -> None:
    """Bring the read models up to date with the ledger."""
    with live_views(ledger):
        pass  # opening the views live catches them up


def print_receipt(receipt: Receipt, *, statement_file: Path | None = None) -> None:
    """What an accepted command prints; the receipt file goes next to the statement file."""
    click.echo(f"appended entry {receipt.seq}: {receipt.statement_type} {receipt.subject}")
    click.echo(f"  event {receipt.event_id} ({receipt.event_type}), leaf {receipt.leaf_hash.hex()}")
    for lateness in receipt.notes:
        click.echo(f"  flagged: {lateness.obligation} late by {lateness.days} day(s) — recorded, not refused")
    if receipt.proof is not None and statement_file is not None:
        path = statement_file.with_name(f"{statement_file.stem}.entry-{receipt.seq}.tlog-proof")
        path.write_bytes(receipt.proof.serialize())
        click.echo(f"  receipt: {path}")


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
