"""The inspector's hot loop over the entries, and the plain reference it must agree with.

`stream` reads every entry once, in ledger order, into an `EntryPass`: it is hand-tuned
(the leaf framing read by one strict pattern instead of `Leaf.from_bytes`, the payload
checks and the Merkle append inlined, names bound to locals), because it runs once per
entry of a log of millions. `reference_stream` is the same pass written plainly, from
`Leaf.from_bytes`, `EntryPass.check_payload` and `RebuiltTree.append`. They find faults at
the same entries, learn the same keys and rebuild the same tree; on leaves in canonical
framing their faults are the same word for word (tests/unit/ledger/tlog/test_entry_loop.py
checks it with generated logs). Where a leaf is not, the fast loop's reasons name the field
that failed, the reference's the parser's first complaint.
"""

from __future__ import annotations

import binascii
import hashlib
import re
import time
from collections.abc import Iterable
from datetime import datetime

from ledger.tlog.entries import (
    BATCH,
    EVENT_TYPE_BYTES,
    KEY_STATEMENT_HINTS,
    KEY_STATEMENTS,
    PAE_PREFIX,
    PAYLOAD_TYPE_BYTES,
    YIELD,
    EntryPass,
)
from ledger.tlog.errors import LeafError
from ledger.tlog.log import Leaf, leaf_hash
from ledger.tlog.report import Fault

__all__ = ["LEAF", "reference_stream", "stream"]

# docs/formats.md §4, as one strict pattern. Anything it accepts Leaf.from_bytes accepts
# too (the unit tests check that); it is only faster. Groups: seq, type, time, payload
# type, payload, key id, signature.
LEAF = re.compile(
    rb"par-ledger/leaf/v1\n"
    rb"seq ([1-9][0-9]*)\n"
    rb"aggregate [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n"
    rb"version [1-9][0-9]*\n"
    rb"type ([\x21-\x7e]+)\n"
    rb"time ([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6})Z\n"
    rb"payload-type ([\x21-\x7e]+)\n"
    rb"payload ([A-Za-z0-9+/]*={0,2})\n"
    rb"signature ([\x21-\x7e]+) ([A-Za-z0-9+/]*={0,2})\n"
)


def stream(run: EntryPass, entries: Iterable[tuple[int, bytes]]) -> None:
    """The hot loop: one pass over the entries, in order.

    Longer than a function should be, on purpose: every call and attribute lookup saved
    here is saved once per entry. `reference_stream` is what it means.
    """
    sha = hashlib.sha256
    match = LEAF.fullmatch
    a2b = binascii.a2b_base64
    b2a = binascii.b2a_base64
    fromisoformat = datetime.fromisoformat
    event_types = EVENT_TYPE_BYTES
    key_statements = KEY_STATEMENTS
    hints = KEY_STATEMENT_HINTS
    payload_type = PAYLOAD_TYPE_BYTES
    pae_prefix = PAE_PREFIX
    active = run.active
    verified = run.verified
    seen = run.seen
    levels = run.tree.levels
    leaves = levels[0]
    batch = run.batch
    faults = run.faults
    threaded = run.pool is not None
    every = YIELD
    expected = run.size + 1
    for seq, data in entries:
        if seq != expected and not run.reposition(seq, data, expected):
            continue
        m = match(data)
        if m is None:
            run.malformed(seq, data)
        else:
            seq_line, event_type, moment, leaf_payload_type, payload64, key_id, signature64 = m.groups()
            if int(seq_line) != seq:
                run.shift(seq, int(seq_line))
            elif run.shifted is not None:
                run.flush_shifted()
            payload: bytes | None
            try:
                fromisoformat(moment.decode())
                payload = a2b(payload64, strict_mode=True)
                signature = a2b(signature64, strict_mode=True)
            except ValueError as exc:
                faults.append(Fault(seq, f"leaf field cannot be read (changed bytes?): {exc}"))
                payload = None
            if payload is not None and (
                b2a(payload, newline=False) != payload64 or b2a(signature, newline=False) != signature64
            ):
                faults.append(Fault(seq, "leaf is not in canonical framing: non-canonical base64 (changed bytes?)"))
                payload = None
            if payload is not None:
                digest = sha(payload).digest()
                first = seen.setdefault(digest, seq)
                if first != seq:
                    faults.append(Fault(seq, f"duplicates the envelope of entry {first} (same payload bytes)"))
                if event_type not in event_types:
                    faults.append(Fault(seq, f"unknown event type {event_type.decode()!r}"))
                elif leaf_payload_type != payload_type:
                    faults.append(Fault(seq, f"unknown payload type {leaf_payload_type.decode()!r}"))
                elif event_type in key_statements:
                    run.key_statement(seq, event_type, payload, key_id, signature)
                else:
                    if hints[0] in payload or hints[1] in payload:
                        run.disguised(seq, event_type, payload)
                    key = active.get(key_id)
                    if key is None:
                        run.unknown_key(seq, key_id)
                    else:
                        check = (key_id, signature, digest)
                        if check not in verified:
                            message = pae_prefix + b"%d " % len(payload) + payload
                            batch.append((key, signature, message, seq, key_id, check))
                            if len(batch) >= BATCH:
                                run.flush()
                                batch = run.batch
        # The tree is over the bytes as given, whatever they hold (RebuiltTree.append, inlined).
        carry = sha(b"\x00" + data).digest()
        index = len(leaves)
        leaves.append(carry)
        level = 0
        while index & 1:
            carry = sha(b"\x01" + levels[level][index - 1] + carry).digest()
            index >>= 1
            level += 1
            if level == len(levels):
                levels.append([])
            levels[level].append(carry)
        expected = seq + 1
        if threaded and not len(leaves) & every:
            # Let a verifying thread that is waiting for the GIL take it now, rather
            # than after the interpreter's 5 ms switch interval.
            time.sleep(0)
    run.size = expected - 1
    if run.shifted is not None:
        run.flush_shifted()


def reference_stream(run: EntryPass, entries: Iterable[tuple[int, bytes]]) -> None:
    """What `stream` does, written plainly (slower, and the specification of the fast one)."""
    expected = run.size + 1
    for seq, data in entries:
        if seq != expected and not run.reposition(seq, data, expected):
            continue
        leaf = _readable(data)
        if leaf is None:
            run.malformed(seq, data)
        else:
            if leaf.seq != seq:
                run.shift(seq, leaf.seq)
            elif run.shifted is not None:
                run.flush_shifted()
            run.check_payload(
                seq,
                leaf.event_type.encode(),
                leaf.payload_type.encode(),
                leaf.payload,
                leaf.key_id.encode(),
                leaf.signature,
            )
        run.tree.append(leaf_hash(data))
        expected = seq + 1
    run.size = expected - 1
    if run.shifted is not None:
        run.flush_shifted()


def _readable(data: bytes) -> Leaf | None:
    """The leaf, if it is in canonical framing with possible numbers (seq and version from 1)."""
    try:
        leaf = Leaf.from_bytes(data)
    except LeafError:
        return None
    return leaf if leaf.seq >= 1 and leaf.version >= 1 else None
