"""Receipts: c2sp.org/tlog-proof@v1, an inclusion proof with the checkpoint it proves against.

Standard library only, beside the rest of `ledger.tlog`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ledger.tlog.checkpoints import Checkpoint
from ledger.tlog.errors import ReceiptError
from ledger.tlog.note_format import HASH_SIZE, b64decode, b64encode, check_int, parse_decimal
from ledger.tlog.signed_notes import Note

TLOG_PROOF_HEADER: Final[str] = "c2sp.org/tlog-proof@v1"


@dataclass(frozen=True)
class TlogProof:
    """An offline inclusion proof bundle: index, inclusion path, signed checkpoint.

    ``extra`` is application data that is NOT authenticated: re-verify anything taken
    from it. ``checkpoint_note`` is kept as the exact bytes of the signed checkpoint,
    cosignatures included; construction checks it is a well-formed note whose text is a
    checkpoint, but verifying its signatures is the caller's job (:func:`open_checkpoint`).
    """

    index: int
    proof: tuple[bytes, ...]
    checkpoint_note: bytes
    extra: bytes | None = None

    def __post_init__(self) -> None:
        """Validate fields; accept any iterable for ``proof``."""
        check_int(self.index, "proof index")
        proof = tuple(self.proof)
        object.__setattr__(self, "proof", proof)
        for position, element in enumerate(proof):
            if not isinstance(element, bytes) or len(element) != HASH_SIZE:
                raise ReceiptError("receipt_hash_type", position=position, size=HASH_SIZE)
        if self.extra is not None and not isinstance(self.extra, bytes):
            raise ReceiptError("receipt_extra_type")
        if not isinstance(self.checkpoint_note, bytes):
            raise ReceiptError("receipt_note_type")
        Checkpoint.from_text(Note.parse(self.checkpoint_note).text)

    @classmethod
    def parse(cls, data: bytes | str) -> TlogProof:
        """Parse a ``.tlog-proof`` file strictly."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        if not isinstance(raw, bytes):
            raise ReceiptError("receipt_data_type", kind=type(data).__name__)
        # Header lines are never empty, so the first blank line ends them.
        head, blank, checkpoint_note = raw.partition(b"\n\n")
        if not blank:
            raise ReceiptError("receipt_no_blank_line")
        try:
            lines = head.decode("ascii").split("\n")
        except UnicodeDecodeError:
            raise ReceiptError("receipt_header_not_ascii") from None
        if lines[0] != TLOG_PROOF_HEADER:
            raise ReceiptError("receipt_header", header=TLOG_PROOF_HEADER)
        position = 1
        extra = None
        if position < len(lines) and lines[position].startswith("extra "):
            extra = b64decode(lines[position][len("extra ") :], "proof extra data")
            position += 1
        if position >= len(lines) or not lines[position].startswith("index "):
            raise ReceiptError("receipt_no_index")
        index = parse_decimal(lines[position][len("index ") :], "proof index")
        hashes = []
        for number, line in enumerate(lines[position + 1 :]):
            element = b64decode(line, f"proof hash {number}")
            if len(element) != HASH_SIZE:
                raise ReceiptError("receipt_hash_size", number=number, got=len(element), size=HASH_SIZE)
            hashes.append(element)
        return cls(index, tuple(hashes), checkpoint_note, extra)

    def serialize(self) -> bytes:
        """Return the ``.tlog-proof`` file bytes."""
        lines = [TLOG_PROOF_HEADER]
        if self.extra is not None:
            lines.append(f"extra {b64encode(self.extra)}")
        lines.append(f"index {self.index}")
        lines.extend(b64encode(element) for element in self.proof)
        return ("\n".join(lines) + "\n\n").encode("ascii") + self.checkpoint_note
