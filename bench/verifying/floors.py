"""The floors of the verify benchmark: every signature the inspector checks, pre-parsed, and bare loops over them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.signing.dsse import pae
from ledger.tlog.bundle import Bundle
from ledger.tlog.log import Leaf
from ledger.tlog.notes import Checkpoint, Note, NoteVerifier

from .export import Export
from .statements import LOG, OFFICERS, ROOT_KEY, officer_key


@dataclass
class Floors:
    """What the bare loops and the Merkle section work on, read once from the bundle."""

    leaves: list[bytes]
    entry_checks: list[tuple[Callable[[bytes, bytes], None], bytes, bytes]]
    checkpoint_checks: list[tuple[Callable[[bytes, bytes], None], bytes, bytes]]
    latest_root: bytes


def prepare_floors(exp: Export) -> Floors:
    """Every signature the inspector must check, parsed with the reference parsers (untimed)."""
    keys = {ROOT_KEY.key_id: Ed25519PublicKey.from_public_bytes(ROOT_KEY.verifying_key.raw).verify}
    for officer, _ in OFFICERS:
        key = officer_key(officer)
        keys[key.key_id] = Ed25519PublicKey.from_public_bytes(key.verifying_key.raw).verify
    bundle = Bundle.open(exp.all_checkpoints)
    leaves: list[bytes] = []
    entry_checks = []
    for seq, data in bundle.entries():
        leaf = Leaf.from_bytes(data)
        if leaf.seq != seq:
            raise RuntimeError(f"entry {seq}: its leaf says seq {leaf.seq}")
        leaves.append(data)
        entry_checks.append((keys[leaf.key_id], leaf.signature, pae(leaf.payload_type, leaf.payload)))
    log = Ed25519PublicKey.from_public_bytes(NoteVerifier(bundle.log_vkey).public_key).verify
    checkpoint_checks = []
    last: Checkpoint | None = None
    for data in bundle.checkpoints():
        note = Note.parse(data)
        if len(note.signatures) != 1 or note.signatures[0].name != LOG.name:
            raise RuntimeError("a checkpoint note is not signed by the log key alone")
        checkpoint_checks.append((log, note.signatures[0].signature, note.text.encode()))
        last = Checkpoint.from_text(note.text)
    if last is None or last.size != len(leaves):
        raise RuntimeError("the latest checkpoint does not cover every entry")
    for verify, signature, message in (entry_checks[0], entry_checks[-1], checkpoint_checks[-1]):
        verify(signature, message)  # raises if the floor would verify something else
    return Floors(leaves, entry_checks, checkpoint_checks, last.root)


def bare_loop(checks: list[tuple[Callable[[bytes, bytes], None], bytes, bytes]]) -> None:
    for verify, signature, message in checks:
        verify(signature, message)


def bare_threads(checks: list[tuple[Callable[[bytes, bytes], None], bytes, bytes]], threads: int) -> None:
    step = -(-len(checks) // threads)
    workers = [threading.Thread(target=bare_loop, args=(checks[i : i + step],)) for i in range(0, len(checks), step)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
