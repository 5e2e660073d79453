"""C2SP signed notes, checkpoints, Ed25519 cosignatures and tlog-proof bundles.

Implements, with Ed25519 only:

* c2sp.org/signed-note: :class:`Note`, :class:`Signature`, :class:`NoteSigner`,
  :class:`NoteVerifier`, :func:`sign_note`, :func:`open_note`;
* c2sp.org/tlog-checkpoint: :class:`Checkpoint`, :func:`open_checkpoint`;
* c2sp.org/tlog-cosignature (type 0x04, ``cosignature/v1``): :class:`CosignatureSigner`,
  :class:`CosignatureVerifier`;
* c2sp.org/tlog-proof@v1: :class:`TlogProof`.

Byte-compatible with Go's ``golang.org/x/mod/sumdb/note`` and transparency-dev/formats.
Used by the offline verifier, so it imports only the standard library and ``cryptography``
(and deliberately not :mod:`ledger.tlog.merkle`: a caller combines the two).

Parsing is strict on purpose (canonical base64, no leading zeros, no control characters),
so that any accepted input serialises back to the same bytes. Every error is a
:class:`NoteError` whose code says what was wrong.

This module gathers the formats' public names; they live by concern in
`ledger.tlog.note_format` (the strict spellings), `ledger.tlog.signed_notes`,
`ledger.tlog.checkpoints` (checkpoints and cosignatures) and `ledger.tlog.receipts`.
"""

from __future__ import annotations

from ledger.tlog.checkpoints import (
    Checkpoint,
    CosignatureSigner,
    CosignatureVerifier,
    open_checkpoint,
    verifier_from_vkey,
)
from ledger.tlog.errors import NoteError
from ledger.tlog.note_format import (
    MAX_SIGNATURES,
    MAX_TREE_SIZE,
    SIGNATURE_TYPE_COSIGNATURE_V1,
    SIGNATURE_TYPE_ED25519,
    compute_key_id,
)
from ledger.tlog.receipts import TLOG_PROOF_HEADER, TlogProof
from ledger.tlog.signed_notes import (
    Note,
    NoteSigner,
    NoteVerifier,
    Signature,
    SignatureVerifier,
    open_note,
    sign_note,
)

__all__ = [
    "MAX_SIGNATURES",
    "MAX_TREE_SIZE",
    "SIGNATURE_TYPE_COSIGNATURE_V1",
    "SIGNATURE_TYPE_ED25519",
    "TLOG_PROOF_HEADER",
    "Checkpoint",
    "CosignatureSigner",
    "CosignatureVerifier",
    "Note",
    "NoteError",
    "NoteSigner",
    "NoteVerifier",
    "Signature",
    "SignatureVerifier",
    "TlogProof",
    "compute_key_id",
    "open_checkpoint",
    "open_note",
    "sign_note",
    "verifier_from_vkey",
]
