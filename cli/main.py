"""``parledger``: the command line of PAR Ledger.

Thin by design: each command reads its input, calls the ledger, and prints. Errors are
one line on stderr (``parledger: error: …``) and exit status 1; usage errors exit 2.
The transparency-log and inspector commands live in `cli.log`; the read models'
commands (rebuild, replay, ratings, report exports) in `cli.views`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli import accounts as cli_accounts
from cli import log as cli_log
from cli import views as cli_views
from cli.support import Failure, append, instance, load_key, one_line_errors, open_ledger, passphrase, progress
from keys import SigningKey
from web.text import local_time, signer_label

if TYPE_CHECKING:
    from ledger.application import Ledger, Receipt
    from web.instance import Instance


def print_receipt(receipt: Receipt, *, statement_file: Path | None = None) -> None:
    """What an accepted command prints; the receipt file goes next to the statement file."""
    click.echo(f"appended entry {receipt.seq}: {receipt.statement_type} {receipt.subject}")
    click.echo(f"  event {receipt.event_id} ({receipt.event_type}), leaf {receipt.leaf_hash.hex()}")
    for note in receipt.notes:
        kind, obligation, days = [*note.split(":"), "", ""][:3]
        if kind == "late":
            click.echo(f"  flagged: {obligation} late by {days} day(s) — recorded, not refused")
    if receipt.proof is not None and statement_file is not None:
        path = statement_file.with_name(f"{statement_file.stem}.entry-{receipt.seq}.tlog-proof")
        path.write_bytes(receipt.proof.serialize())
        click.echo(f"  receipt: {path}")


@click.group()
def main() -> None:
    """PAR Ledger (Sổ cái CCHC): the signed ledger of Hưng Yên's PAR assessment."""


@main.command()
@click.option("--name", default="Ủy ban nhân dân tỉnh Hưng Yên", show_default=True, help="The ledger authority.")
@click.option(
    "--root-key",
    "root_key_path",
    type=click.Path(path_type=Path),
    required=True,
    help="Root key file (created if absent).",
)
def init(name: str, root_key_path: Path) -> None:
    """Create the ledger: make the log key, pin the authority's root key, record it as entry 1."""
    from keys.files import save_signing_key
    from ledger.signing.envelope import Author

    here = instance()
    with open_ledger() as ledger:
        if ledger.head:
            raise Failure("the ledger is already initialised")
    if root_key_path.exists():
        key = load_key(root_key_path)
    else:
        key = SigningKey.generate()
        with one_line_errors():
            save_signing_key(root_key_path, key, passphrase(f"for the new root key {root_key_path}"))
    with one_line_errors():
        log_key = here.ensure_log_key()
        here.pin_root_key(key.key_id)
    with open_ledger() as ledger, one_line_errors():
        body = {"name": name, "root_public_key": key.verifying_key.base64}
        print_receipt(append(ledger, Author(key, "authority", "root").sign("ledger.initialise", "authority", body)))
    click.echo(f"root key pinned: {key.key_id}")
    click.echo(f"log verifier key: {log_key.vkey}")


@main.group()
def keys() -> None:
    """Officers' signing keys."""


@keys.command("new")
@click.argument("out", type=click.Path(path_type=Path))
def keys_new(out: Path) -> None:
    """Generate a key pair; write the private key, passphrase-protected, to OUT."""
    from keys.files import save_signing_key

    key = SigningKey.generate()
    with one_line_errors():
        save_signing_key(out, key, passphrase(f"for {out}"))
    click.echo(f"key id:     {key.key_id}")
    click.echo(f"public key: {key.verifying_key.base64}")


@keys.command("list")
def keys_list() -> None:
    """Keys registered in the ledger, with their officer and state."""
    from ledger.domain.registry import Key

    with open_ledger() as ledger:
        for subject in _subjects(ledger, "par:Key.Registered.v1"):
            key = ledger.get(subject)
            assert isinstance(key, Key)
            state = f"revoked ({key.revocation})" if key.revocation else "valid"
            click.echo(f"{key.key_id}  {key.officer:<24} {state}")


@keys.command("revoke")
@click.argument("key_id")
@click.option(
    "--key",
    "signer_path",
    type=click.Path(path_type=Path, exists=True),
    required=True,
    help="Signer's key file.",
)
@click.option("--reason", required=True)
def keys_revoke(key_id: str, signer_path: Path, reason: str) -> None:
    """Revoke KEY_ID (signed by its holder, their unit's head or an administrator)."""
    key = load_key(signer_path)
    with open_ledger() as ledger:
        author = ledger.author(key)
        print_receipt(append(ledger, author.sign("key.revoke", f"key/{key_id}", {"reason": reason})))


@main.command()
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--key",
    "key_path",
    type=click.Path(path_type=Path, exists=True),
    required=True,
    help="Your key file.",
)
def submit(file: Path, key_path: Path) -> None:
    """Sign the statement in FILE locally, append it, and write its receipt next to FILE.

    FILE is JSON: {"type": ..., "subject": ..., "body": {...}}. The unit and officer come
    from the key's registration. Anywhere in the body, {"file": "path"} attaches that
    document (stored by SHA-256) and is replaced by its reference.
    """
    key = load_key(key_path)
    with open_ledger() as ledger:
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Failure(f"{file} is not valid JSON: {exc}") from None
        if not isinstance(document, dict) or not {"type", "subject", "body"} <= set(document):
            raise Failure(f'{file} must be a JSON object with "type", "subject" and "body"')
        unknown = sorted(set(document) - {"type", "subject", "body"})
        if unknown:
            raise Failure(f"{file}: unknown field {unknown[0]!r} (unit and officer come from the key)")
        body = _attach_documents(document["body"], file.parent, "body")
        author = ledger.author(key)
        print_receipt(append(ledger, author.sign(document["type"], document["subject"], body)), statement_file=file)


def _attach_documents(value: Any, base: Path, field: str) -> Any:
    if isinstance(value, dict) and set(value) == {"file"}:
        path = base / str(value["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise Failure(f"{field}: cannot read {path}: {exc.strerror}") from None
        with one_line_errors():
            return instance().documents().put(data, path.name, field=field).to_json()
    if isinstance(value, dict):
        return {k: _attach_documents(v, base, f"{field}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_attach_documents(v, base, f"{field}[{i}]") for i, v in enumerate(value)]
    return value


@main.command()
@click.argument("subject")
def show(subject: str) -> None:
    """Show SUBJECT (e.g. unit/SNV, rating/2024/SYT) and every event about it."""
    with open_ledger() as ledger:
        record = ledger.get(subject)
        if record is None:
            raise Failure(f"the ledger holds nothing about {subject}")
        click.echo(f"{subject}  ({type(record).__name__}, version {record.version})")
        for name, value in sorted(vars(record).items()):
            if not name.startswith("_") and name != "subject":
                click.echo(f"  {name}: {value}")
        positions = ledger.ledger_recorder.positions(record.id)
        click.echo("history:")
        for event in ledger.history(subject):
            statement = event.statement
            click.echo(
                f"  #{positions.get(event.originator_version, '?'):<6} {local_time(event.timestamp)}  "
                f"{statement.type:<28} {signer_label(event.envelope)}"
            )


@main.group(invoke_without_command=True)
@click.option("--limit", default=20, show_default=True, help="How many recent entries.")
@click.pass_context
def log(context: click.Context, limit: int) -> None:
    """The most recent entries, newest last; subcommands read the transparency log."""
    if context.invoked_subcommand is not None:
        return
    with open_ledger() as ledger:
        for entry in ledger.entries(start=max(1, ledger.head - limit + 1)):
            statement = entry.envelope.statement
            click.echo(
                f"#{entry.seq:<6} {local_time(entry.event.timestamp)}  {statement.type:<30} "
                f"{statement.subject:<48} {signer_label(entry.envelope)}"
            )


for command in cli_log.LOG_COMMANDS:
    log.add_command(command)


@main.command()
@click.option(
    "--bundle",
    type=click.Path(path_type=Path, file_okay=False),
    help="Verify an inspector bundle offline instead of this instance's database.",
)
@click.option(
    "--state",
    type=click.Path(path_type=Path, dir_okay=False),
    help="With --bundle: your last verified checkpoint; the log must extend it. Updated when all holds.",
)
@click.option("--workers", default=1, show_default=True, help="With --bundle: threads verifying signatures.")
@click.option(
    "--quorum", default=0, show_default=True, help="With --bundle: witnesses that must cosign the latest checkpoint."
)
def verify(bundle: Path | None, state: Path | None, workers: int, quorum: int) -> None:
    """Check every entry: signature, key validity, authorization, order, tree and checkpoints. Exit 1 on any fault."""
    if bundle is not None:
        cli_log.verify_bundle(bundle, state, workers, quorum)
        return
    if state is not None:
        raise click.UsageError("--state goes with --bundle")
    from ledger.verify import verify_ledger

    with open_ledger() as ledger:
        faults = verify_ledger(ledger, progress=progress("verified"))
        head = ledger.head
    if faults:
        for fault in faults:
            click.echo(f"FAULT {fault}")
        click.echo(f"{len(faults)} fault(s) in {head} entries")
        sys.exit(1)
    click.echo(f"OK: {head} entries verified")


for command in cli_log.TOP_COMMANDS:
    main.add_command(command)

for command in cli_views.COMMANDS:
    main.add_command(command)
main.add_command(cli_accounts.accounts)


@main.command()
@click.option("--no-serve", is_flag=True, help="Load the demo data and stop.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def demo(no_serve: bool, host: str, port: int) -> None:
    """Load the demo data (if the ledger is empty) and serve the web UI."""
    from demo.loader import DEMO_PASSPHRASE, DEMO_PASSWORD, add_demo_accounts, load_demo
    from web.accounts import AccountStore

    here = instance()
    with one_line_errors():
        here.ensure_log_key()
    with open_ledger() as ledger:
        if ledger.head == 0:
            click.echo("loading the Hưng Yên demo data …")
            with one_line_errors():
                summary = load_demo(
                    ledger,
                    here.documents(),
                    keys_dir=here.keys_path,
                    progress=progress("appended"),
                )
            here.pin_root_key(summary.root_key_id)
            _project(ledger)
            click.echo(
                f"loaded {summary.entries} entries; demo key files in {here.keys_path} (passphrase {DEMO_PASSPHRASE!r})"
            )
        else:
            click.echo(f"the ledger already holds {ledger.head} entries; not loading the demo")
        if here.is_demo():
            accounts = AccountStore(ledger.datastore)
            accounts.create_tables()
            if add_demo_accounts(accounts):
                click.echo(f"demo web logins: each officer's id, password {DEMO_PASSWORD!r} (see the README)")
    if not no_serve:
        _serve(here, host, port)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the web UI (development server; see the README for production)."""
    _serve(instance(), host, port)


def _serve(here: Instance, host: str, port: int) -> None:
    from web import create_app

    with one_line_errors():
        app = create_app(instance=here)
    click.echo(f"serving on http://{host}:{port}/")
    app.run(host=host, port=port)


def _project(ledger: Ledger) -> None:
    """Bring the read models up to date (after loading many entries)."""
    from projections import catch_up, open_views

    views = open_views(ledger)
    try:
        catch_up(ledger, views)
    finally:
        views.close()


def _subjects(ledger: Ledger, topic: str) -> list[str]:
    """Subjects of every record created with `topic`, in ledger order."""
    subjects = []
    for notification in ledger.recorder.select_notifications(start=1, limit=1_000_000, topics=[topic]):
        event = ledger.mapper.to_domain_event(notification)
        subjects.append(event.envelope.statement.subject)  # type: ignore[attr-defined]
    return subjects
