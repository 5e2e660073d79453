"""C2SP checkpoints (c2sp.org/tlog-checkpoint) and Ed25519 witness cosignatures
(c2sp.org/tlog-cosignature, type 0x04, ``cosignature/v1``).

Standard library and ``cryptography`` only (and deliberately not :mod:`ledger.tlog.merkle`:
a caller combines the two).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.tlog.errors import NoteError
from ledger.tlog.note_format import (
    ED25519_SIG_SIZE,
    FORBIDDEN_CONTROL,
    HASH_SIZE,
    MAX_TREE_SIZE,
    SIGNATURE_TYPE_COSIGNATURE_V1,
    SIGNATURE_TYPE_ED25519,
    TIMESTAMP_SIZE,
    b64decode,
    b64encode,
    check_int,
    parse_decimal,
    parse_vkey,
    text_bytes,
)
from ledger.tlog.signed_notes import Ed25519Key, Ed25519Verifier, NoteVerifier, Signature, open_note


def check_line(value: str, what: str) -> None:
    if not isinstance(value, str) or not value:
        raise NoteError("note_line_empty", what=what)
    if "\n" in value or FORBIDDEN_CONTROL.search(value):
        raise NoteError("note_line_control", what=what)


@dataclass(frozen=True)
class Checkpoint:
    """A c2sp.org/tlog-checkpoint body: origin, tree size, root hash, extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Validate every field so that :meth:`text` always yields a parseable body."""
        check_line(self.origin, "checkpoint origin")
        check_int(self.size, "tree size")
        if not isinstance(self.root, bytes) or len(self.root) != HASH_SIZE:
            raise NoteError("checkpoint_root_type", size=HASH_SIZE)
        extensions = tuple(self.extensions)
        object.__setattr__(self, "extensions", extensions)
        for line in extensions:
            check_line(line, "checkpoint extension line")

    def text(self) -> str:
        """Return the note text: ``origin\\nsize\\nbase64(root)\\n`` plus extension lines."""
        lines = [self.origin, str(self.size), b64encode(self.root), *self.extensions]
        return "\n".join(lines) + "\n"

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        """Parse a checkpoint note text strictly.

        Raises:
            NoteError: on a missing final newline, fewer than three lines, an empty line,
                a size with leading zeros or beyond 2**63-1, or a root that is not
                canonical base64 of 32 bytes.
        """
        text_bytes(text)
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError("checkpoint_lines")
        origin, size_text, root_text, *extensions = lines
        size = parse_decimal(size_text, "tree size")
        root = b64decode(root_text, "checkpoint root")
        if len(root) != HASH_SIZE:
            raise NoteError("checkpoint_root_size", got=len(root), size=HASH_SIZE)
        return cls(origin, size, root, tuple(extensions))


def open_checkpoint(data: bytes | str, log_verifier: NoteVerifier, *, origin: str) -> Checkpoint:
    """Verify a signed checkpoint from the log and return its body.

    Checks, in order: the note carries a valid signature by ``log_verifier`` (other
    signatures, e.g. witness cosignatures, are ignored here: check them separately with
    :class:`CosignatureVerifier`), the text is a checkpoint, and its origin line equals
    ``origin``. The key name need not equal the origin (the spec only says SHOULD), so the
    expected origin is a separate argument rather than derived from the key.

    Raises:
        NoteError: with the reason.
    """
    note = open_note(data, [log_verifier])
    checkpoint = Checkpoint.from_text(note.text)
    if checkpoint.origin != origin:
        raise NoteError("checkpoint_origin", origin=checkpoint.origin, expected=origin)
    return checkpoint


def cosigned_message(checkpoint_text: str, timestamp: int) -> bytes:
    # The header line gives domain separation from plain note signatures by the same key.
    return f"cosignature/v1\ntime {timestamp}\n".encode("ascii") + text_bytes(checkpoint_text)


class CosignatureSigner(Ed25519Key):
    """A witness key producing ``cosignature/v1`` signatures (type 0x04).

    Create with ``CosignatureSigner(name, seed)``, :meth:`from_skey` or :meth:`generate`.
    """

    _signature_type = SIGNATURE_TYPE_COSIGNATURE_V1

    @classmethod
    def from_skey(cls, skey: str) -> CosignatureSigner:
        """Load from ``PRIVATE+KEY+name+keyid+base64(0x04||seed)`` (checks the key ID)."""
        return cls(*cls._from_skey_parts(skey))

    @classmethod
    def generate(cls, name: str) -> CosignatureSigner:
        """Create a cosigner with a fresh random key."""
        return cls(name, Ed25519PrivateKey.generate().private_bytes_raw())

    def cosign(self, checkpoint_text: str, timestamp: int) -> Signature:
        """Cosign a checkpoint body as of ``timestamp`` (POSIX seconds).

        The text must parse as a checkpoint: a cosignature is a statement about one.
        Deciding whether to cosign (consistency with what was seen before) is the
        witness's job, not this method's.
        """
        check_int(timestamp, "cosignature timestamp")
        Checkpoint.from_text(checkpoint_text)
        signature = self._private.sign(cosigned_message(checkpoint_text, timestamp))
        return Signature(self._name, self._key_id, timestamp.to_bytes(TIMESTAMP_SIZE, "big") + signature)


class CosignatureVerifier(Ed25519Verifier):
    """Verifies ``cosignature/v1`` signatures against a type-0x04 vkey."""

    _signature_type = SIGNATURE_TYPE_COSIGNATURE_V1

    def verify(self, checkpoint_text: str, signature: Signature) -> int:
        """Verify a cosignature over the checkpoint note text and return its timestamp.

        Unlike the other verify functions this returns a value, because the time the
        witness vouches for is the result; failure still raises.

        Raises:
            NoteError: if the signature is by another key, is not 8 + 64 bytes, has a
                timestamp beyond 2**63-1, or does not verify.
        """
        self._check_signer(signature)
        raw = signature.signature
        if len(raw) != TIMESTAMP_SIZE + ED25519_SIG_SIZE:
            raise NoteError("cosignature_size", name=self._name, got=len(raw), size=TIMESTAMP_SIZE + ED25519_SIG_SIZE)
        timestamp = int.from_bytes(raw[:TIMESTAMP_SIZE], "big")
        if timestamp > MAX_TREE_SIZE:
            raise NoteError("cosignature_timestamp", timestamp=timestamp)
        self._verify_ed25519(cosigned_message(checkpoint_text, timestamp), raw[TIMESTAMP_SIZE:])
        return timestamp


def verifier_from_vkey(vkey: str) -> NoteVerifier | CosignatureVerifier:
    """Return the verifier for a vkey according to its signature type (0x01 or 0x04)."""
    signature_type = parse_vkey(vkey)[2]
    if signature_type == SIGNATURE_TYPE_ED25519:
        return NoteVerifier(vkey)
    if signature_type == SIGNATURE_TYPE_COSIGNATURE_V1:
        return CosignatureVerifier(vkey)
    raise NoteError("vkey_unsupported", got=signature_type)
