"""``parledger`` commands of the ledger itself: init, keys, submit, show, documents.

parledger init --root-key FILE [--name NAME]
parledger keys new OUT | keys list | keys revoke KEY_ID --key FILE --reason TEXT
parledger submit FILE --key FILE
parledger show SUBJECT
parledger documents sweep
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.support import Failure, append, instance, load_key, one_line_errors, open_ledger, passphrase, print_receipt
from keys import SigningKey
from web.text import local_time, signer_label

if TYPE_CHECKING:
    from ledger.application import Ledger


@click.command()
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


@click.group()
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


def _subjects(ledger: Ledger, topic: str) -> list[str]:
    """Subjects of every record created with `topic`, in ledger order."""
    subjects = []
    for notification in ledger.recorder.select_notifications(start=1, limit=1_000_000, topics=[topic]):
        event = ledger.mapper.to_domain_event(notification)
        subjects.append(event.envelope.statement.subject)  # type: ignore[attr-defined]
    return subjects


@click.command()
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
    document and is replaced by its reference (the document enters the store, by SHA-256,
    when the statement is appended; until then it waits in the signer's quarantine).
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
        with one_line_errors():
            author = ledger.author(key)
        body = _attach_documents(document["body"], file.parent, "body", author.officer)
        print_receipt(append(ledger, author.sign(document["type"], document["subject"], body)), statement_file=file)


def _attach_documents(value: Any, base: Path, field: str, officer: str) -> Any:
    """`value` with each {"file": path} replaced by the reference of that file, held for `officer` until
    the statement is appended (`DocumentStore.hold`: the append moves it into the store)."""
    if isinstance(value, dict) and set(value) == {"file"}:
        path = base / str(value["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise Failure(f"{field}: cannot read {path}: {exc.strerror}") from None
        with one_line_errors():
            return instance().documents().hold(data, path.name, officer, field=field).to_json()
    if isinstance(value, dict):
        return {k: _attach_documents(v, base, f"{field}.{k}", officer) for k, v in value.items()}
    if isinstance(value, list):
        return [_attach_documents(v, base, f"{field}[{i}]", officer) for i, v in enumerate(value)]
    return value


@click.command()
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


@click.group()
def documents() -> None:
    """The evidence files: the quarantine of unsigned uploads."""


@documents.command("sweep")
def documents_sweep() -> None:
    """Remove the uploads that waited in quarantine longer than the time limit without being signed."""
    from ledger.storage.documents import QUARANTINE_HOURS

    with one_line_errors():
        removed = instance().documents().sweep()
    click.echo(f"removed {removed} unsigned upload(s) older than {QUARANTINE_HOURS} hours")


COMMANDS = (init, keys, submit, show, documents)
