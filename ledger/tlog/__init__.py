"""The transparency log, and its offline inspector: standard library and ``cryptography`` only.

Besides itself, this package imports only ``ledger.errors`` (the error root) and
``ledger.signing.dsse`` (the bytes a signature covers), both standard library, so that an
inspector can run it from a copy of those files (``python -m ledger.inspect``).

The log:
    log           leaf framing (docs/formats.md §4), the log rows, EVENT_TYPES
    merkle        RFC 9162 Merkle tree: hashes, stored-node proofs, proof verification
    transparency  the frontier an append needs, checkpoint signing, DEFAULT_ORIGIN
    notes         C2SP signed notes, checkpoints, cosignatures, receipts (the names of:
                  note_format, signed_notes, checkpoints, receipts)
    witness       the inspectorate's witness (c2sp.org/tlog-witness, offline)
    bundle        the inspector bundle: writing and reading its files
    errors        the package's errors, under ``ledger.errors.ParLedgerError``, with codes
    files         writing a state file whole or not at all

The offline inspector:
    inspection    the Inspector; checkpoints, state and witnesses
    entries       the state of its pass over the entries, the rebuilt tree
    entry_loop    the hand-tuned pass, and the plain reference it must agree with
    report        faults (data, not errors), the report, the state file
    audit         verifying a bundle on disk: the report of ``parledger verify --bundle``
                  and ``python -m ledger.inspect``
"""
