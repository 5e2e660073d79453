"""``parledger`` commands of the transparency log: entries, checkpoints, proofs, receipts, witness, verification.

The ledger-side commands read this instance's database (none imports Flask). The offline
ones — ``verify --bundle``, ``verify-receipt`` and ``witness`` — import only the standard
library, `cryptography` and the stdlib-only ledger modules: an inspector runs them on a
machine with no database, no Flask and no eventsourcing.
"""

from __future__ import annotations

import base64
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from cli.support import (
    Failure,
    instance,
    one_line_errors,
    open_ledger,
    progress,
    read_text_argument,
    write_secret,
)
from web.text import local_time, signer_label

if TYPE_CHECKING:
    from ledger.application import Ledger
    from ledger.serving import LogServer


def _served(ledger: Ledger, witnesses: Sequence[str] = ()) -> LogServer:
    """The ledger's log, imported here: the offline commands must not load the ledger's storage."""
    from ledger.serving import LogServer

    return LogServer(ledger, witnesses=witnesses)


def _log_vkey() -> str:
    signer = instance().log_signer()
    if signer is None:
        raise Failure("this instance has no log key yet (run parledger init or parledger demo)")
    return signer.vkey


# parledger log … ------------------------------------------------------------------------


@click.group("log", invoke_without_command=True)
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


@log.command("checkpoint")
@click.option("--size", type=int, help="The checkpoint of this tree size (default: the latest).")
def log_checkpoint(size: int | None) -> None:
    """Print the latest signed checkpoint, with the witnesses' cosignatures."""
    with open_ledger() as ledger:
        found = _served(ledger).checkpoint(size)
    if found is None:
        raise Failure("no checkpoint was signed yet")
    click.echo(found[1].decode(), nl=False)


@log.command("vkey")
def log_vkey() -> None:
    """Print the log's verifier key (C2SP vkey)."""
    click.echo(_log_vkey())


@log.command("entries")
@click.option("--start", default=1, show_default=True, help="First sequence number.")
@click.option("--end", type=int, help="Last sequence number (default: the head).")
def log_entries(start: int, end: int | None) -> None:
    """Entries as JSON lines: sequence number and base64 leaf bytes."""
    with open_ledger() as ledger:
        for seq, leaf in _served(ledger).leaves(start, end):
            click.echo(json.dumps({"seq": seq, "leaf": base64.b64encode(leaf).decode()}))


@log.command("proof")
@click.option("--index", type=int, required=True, help="Leaf index (0-based: entry N is index N-1).")
@click.option("--size", type=int, help="Tree size of the checkpoint to prove against (default: the latest).")
def log_proof(index: int, size: int | None) -> None:
    """A tlog-proof: the leaf, its inclusion proof and the signed checkpoint."""
    with open_ledger() as ledger, one_line_errors():
        click.echo(_served(ledger).receipt(index + 1, size).serialize().decode(), nl=False)


@log.command("consistency")
@click.option("--from", "size1", type=int, required=True, help="The older tree size.")
@click.option("--to", "size2", type=int, required=True, help="The newer tree size.")
def log_consistency(size1: int, size2: int) -> None:
    """The RFC 9162 consistency proof between two tree sizes, one base64 hash per line."""
    with open_ledger() as ledger, one_line_errors():
        for digest in _served(ledger).consistency_proof(size1, size2):
            click.echo(base64.b64encode(digest).decode())


@log.command("witness-request")
@click.option("--old", "old_size", type=int, required=True, help="The size the witness cosigned last (0 at first).")
def log_witness_request(old_size: int) -> None:
    """The tlog-witness add-checkpoint request for the latest checkpoint: old size, proof, note."""
    from ledger.tlog.witness import request_body

    with open_ledger() as ledger, one_line_errors():
        log = _served(ledger)
        found = log.checkpoint()
        if found is None:
            raise Failure("no checkpoint was signed yet")
        size, note = found
        proof = log.consistency_proof(old_size, size) if 0 < old_size < size else []
        sys.stdout.buffer.write(request_body(old_size, proof, note))


@log.command("cosign")
@click.argument("note_file", type=click.File("rb"))
def log_cosign(note_file: IO[bytes]) -> None:
    """Store the cosignatures in NOTE_FILE (a checkpoint cosigned by a trusted witness)."""
    from ledger.tlog.notes import Checkpoint, Note

    with one_line_errors():
        note = Note.parse(note_file.read())
        checkpoint = Checkpoint.from_text(note.text)
    stored = []
    with open_ledger() as ledger, one_line_errors():
        log = _served(ledger, witnesses=instance().witnesses())
        for signature in note.signatures:
            if signature.name in log.witnesses:
                stored.append(log.add_cosignature(checkpoint.size, signature.line()))
    if not stored:
        raise Failure("the note carries no cosignature by a witness this ledger trusts (add it to config.json)")
    click.echo(f"stored cosignature(s) of checkpoint {checkpoint.size} by {', '.join(stored)}")


# parledger receipt / export / verify / verify-receipt / witness -------------------------


@click.command("receipt")
@click.argument("seq", type=int)
@click.option("--size", type=int, help="Prove against the checkpoint of this size (default: the latest).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write the receipt here.")
def receipt(seq: int, size: int | None, out: Path | None) -> None:
    """The receipt of entry SEQ: a tlog-proof verifiable offline with the log's vkey."""
    with open_ledger() as ledger, one_line_errors():
        data = _served(ledger).receipt(seq, size).serialize()
    if out is None:
        click.echo(data.decode(), nl=False)
    else:
        out.write_bytes(data)
        click.echo(f"receipt of entry {seq} written to {out}")


@click.command("export")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True, help="A new folder.")
def export(out: Path) -> None:
    """Write the inspector bundle: entries, keys, checkpoints, cosignatures, documents, README."""
    from ledger.storage.documents import documents_of_leaves
    from ledger.tlog.bundle import write_bundle

    here = instance()
    with open_ledger() as ledger, one_line_errors():
        root_key_id = here.pinned_root_key_id() or ""
        head = ledger.refresh()
        log = _served(ledger)
        counts = write_bundle(
            out,
            entries=log.leaves(1, head),
            checkpoints=log.cosigned_checkpoints(),
            log_vkey=_log_vkey(),
            root_key_id=root_key_id,
            witnesses=here.witnesses(),
            documents=documents_of_leaves(log.leaves(1, head), here.documents()),
        )
    click.echo(f"exported {counts[0]} entries, {counts[1]} checkpoints and {counts[2]} documents to {out}")


@click.command()
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
        verify_bundle(bundle, state, workers, quorum)
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


def verify_bundle(path: Path, state: Path | None, workers: int, quorum: int = 0) -> None:
    """``parledger verify --bundle``: the offline inspector (the report of ``python -m ledger.inspect``)."""
    from ledger.tlog.audit import audit_bundle

    with one_line_errors():
        audit = audit_bundle(path, state=state, workers=workers, quorum=quorum)
    for line in audit.lines():
        click.echo(line)
    if not audit.ok:
        sys.exit(1)


@click.command("verify-receipt")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--vkey", required=True, help="The log's verifier key, or a file holding it.")
def verify_receipt(file: Path, vkey: str) -> None:
    """Check a receipt offline: the checkpoint's signature and the entry's inclusion in it."""
    from ledger.tlog.log import Leaf, leaf_hash
    from ledger.tlog.merkle import ProofError, verify_inclusion
    from ledger.tlog.notes import NoteVerifier, TlogProof, open_checkpoint

    with one_line_errors():
        verifier = NoteVerifier(read_text_argument(vkey))
        proof = TlogProof.parse(file.read_bytes())
        checkpoint = open_checkpoint(proof.checkpoint_note, verifier, origin=verifier.name)
        if proof.extra is None:
            raise Failure("the receipt carries no entry (its extra line is missing)")
        leaf = Leaf.from_bytes(proof.extra)
        if leaf.seq != proof.index + 1:
            raise Failure(f"the entry says it is number {leaf.seq}, the proof is for index {proof.index}")
        try:
            verify_inclusion(leaf_hash(proof.extra), proof.index, checkpoint.size, proof.proof, checkpoint.root)
        except ProofError as exc:
            raise Failure(f"the entry is not in the signed log: {exc}") from None
        statement = json.loads(leaf.payload)
    click.echo(f"OK: entry {leaf.seq} is in the log {checkpoint.origin} of {checkpoint.size} entries")
    click.echo(f"  {statement['type']} {statement['subject']} by {statement['unit']}/{statement['officer']}")
    click.echo(f"  recorded {leaf.recorded_at.isoformat()}, signed by {leaf.key_id}")


@click.group("witness")
def witness() -> None:
    """The inspectorate's witness: cosign checkpoints that extend what it saw before."""


@witness.command("new")
@click.option("--name", required=True, help="The witness's name, e.g. thanhtra.hungyen.gov.vn/witness.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="Its key file.")
def witness_new(name: str, out: Path) -> None:
    """Make a witness key; print the verifier key to give the ledger (config.json "witnesses")."""
    from ledger.tlog.notes import CosignatureSigner

    with one_line_errors():
        signer = CosignatureSigner.generate(name)
    write_secret(out, signer.skey + "\n")
    click.echo(signer.vkey)


@witness.command("cosign")
@click.option("--key", "key_file", type=click.Path(path_type=Path, exists=True), required=True)
@click.option("--log-vkey", required=True, help="The log's verifier key, or a file holding it.")
@click.option("--state", type=click.Path(path_type=Path, dir_okay=False), required=True, help="The witness's state.")
@click.option(
    "--request", "request_file", type=click.File("rb"), required=True, help="From `parledger log witness-request`."
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write the cosigned checkpoint here.")
def witness_cosign(key_file: Path, log_vkey: str, state: Path, request_file: IO[bytes], out: Path | None) -> None:
    """Verify a checkpoint and its consistency with the last one cosigned; cosign it."""
    from ledger.tlog.notes import CosignatureSigner, Note, NoteVerifier
    from ledger.tlog.witness import Witness, WitnessError, parse_request

    with one_line_errors():
        signer = CosignatureSigner.from_skey(key_file.read_text().strip())
        verifier = NoteVerifier(read_text_argument(log_vkey))
        body = request_file.read()
        guard = Witness(name=signer.name, signer=signer, log_vkey=verifier.vkey, origin=verifier.name, state_path=state)
        try:
            signature = guard.cosign(body, now=int(time.time()))
        except WitnessError as exc:
            click.echo(f"parledger: witness refuses: {exc}", err=True)
            sys.exit(1)
        note = Note.parse(parse_request(body)[2]).with_signatures(signature).serialize()
    if out is None:
        sys.stdout.buffer.write(note)
    else:
        out.write_bytes(note)
        click.echo(f"cosigned checkpoint written to {out}")


COMMANDS = (log, receipt, export, verify, verify_receipt, witness)
