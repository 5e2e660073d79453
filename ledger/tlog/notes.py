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
:class:`NoteError` whose message says what was wrong.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledger.tlog.errors import NoteError, ReceiptError

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

SIGNATURE_TYPE_ED25519: Final[int] = 0x01
"""signed-note signature type of a plain Ed25519 note signature."""
SIGNATURE_TYPE_COSIGNATURE_V1: Final[int] = 0x04
"""signed-note signature type of a timestamped Ed25519 witness cosignature."""

MAX_SIGNATURES: Final[int] = 100
"""Most signature lines a note may carry (the spec requires accepting 16; Go allows 100)."""
MAX_TREE_SIZE: Final[int] = 2**63 - 1
"""Largest tree size, index or timestamp accepted: Go parses them as int64/u63."""
TLOG_PROOF_HEADER: Final[str] = "c2sp.org/tlog-proof@v1"

_SIG_PREFIX: Final[str] = "\u2014 "  # EM DASH, space
_ED25519_SIZE: Final[int] = 32
_ED25519_SIG_SIZE: Final[int] = 64
_TIMESTAMP_SIZE: Final[int] = 8
_HASH_SIZE: Final[int] = 32
_KEY_ID_SIZE: Final[int] = 4

# Control characters other than newline are forbidden anywhere in a signed note.
_FORBIDDEN_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
#: What a key name may not hold: '+', a control character, or Unicode space (in a str
#: pattern, \s is exactly what str.isspace() accepts; one C-level scan per name).
_FORBIDDEN_IN_NAME = re.compile(r"[+\s\x00-\x1f]")
# [0-9] rather than \d: \d also matches non-ASCII digits, which int() would accept.
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_HEX_KEY_ID = re.compile(r"[0-9a-fA-F]{8}")


# --------------------------------------------------------------------------------------
# Small strict helpers
# --------------------------------------------------------------------------------------


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str, what: str) -> bytes:
    """Decode standard, padded, canonical base64, or raise NoteError naming ``what``."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):  # binascii.Error is a ValueError
        raise NoteError("note_base64_invalid", what=what) from None
    # b64decode tolerates non-zero padding bits; requiring the canonical form makes
    # parse -> serialise byte-exact and removes signature-line malleability.
    if _b64encode(raw) != text:
        raise NoteError("note_base64_not_canonical", what=what)
    return raw


def _parse_decimal(text: str, what: str) -> int:
    """Parse an ASCII decimal without leading zeros, at most MAX_TREE_SIZE."""
    if not _DECIMAL.fullmatch(text):
        raise NoteError("note_decimal_invalid", what=what, text=text)
    value = int(text)
    if value > MAX_TREE_SIZE:
        raise NoteError("note_decimal_too_large", what=what, value=value)
    return value


def _check_int(value: int, what: str) -> None:
    # bool is an int subclass; True as a tree size is always a bug.
    if not isinstance(value, int) or isinstance(value, bool):
        raise NoteError("note_int_type", what=what, kind=type(value).__name__)
    if not 0 <= value <= MAX_TREE_SIZE:
        raise NoteError("note_int_range", what=what, value=value)


def _check_name(name: str) -> None:
    """Key names: non-empty, no Unicode space, no '+', no control character."""
    if not isinstance(name, str) or not name:
        raise NoteError("key_name_empty")
    if _FORBIDDEN_IN_NAME.search(name):
        raise NoteError("key_name_forbidden", name=name)


def _text_bytes(text: str) -> bytes:
    """Validate note text and return its UTF-8 bytes (what signatures cover)."""
    if not isinstance(text, str):
        raise NoteError("note_text_type", kind=type(text).__name__)
    if not text.endswith("\n"):
        raise NoteError("note_text_no_newline")
    if _FORBIDDEN_CONTROL.search(text):
        raise NoteError("note_text_control")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        raise NoteError("note_text_not_unicode") from None


def compute_key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    """Return ``SHA-256(name || 0x0A || signature_type || public_key)[:4]``."""
    material = name.encode("utf-8") + b"\n" + bytes([signature_type]) + public_key
    return hashlib.sha256(material).digest()[:_KEY_ID_SIZE]


def _parse_vkey(vkey: str) -> tuple[str, bytes, int, bytes]:
    """Split ``name+hex(keyID)+base64(type||key)``; return (name, key_id, type, key)."""
    if not isinstance(vkey, str):
        raise NoteError("vkey_type")
    # The base64 part may itself contain '+', so split at most twice.
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise NoteError("vkey_form")
    name, hex_id, key64 = parts
    _check_name(name)
    if not _HEX_KEY_ID.fullmatch(hex_id):
        raise NoteError("vkey_id_not_hex", key_id=hex_id)
    raw = _b64decode(key64, "verifier key")
    if len(raw) < 2:
        raise NoteError("vkey_empty")
    signature_type, public_key = raw[0], raw[1:]
    key_id = bytes.fromhex(hex_id)
    if compute_key_id(name, signature_type, public_key) != key_id:
        raise NoteError("vkey_id_mismatch", key_id=hex_id)
    return name, key_id, signature_type, public_key


def _parse_skey(skey: str) -> tuple[str, bytes, int, bytes]:
    """Split ``PRIVATE+KEY+name+hex(keyID)+base64(type||seed)``; return (name, id, type, seed).

    The key ID is checked later, once the public key has been derived.
    """
    if not isinstance(skey, str):
        raise NoteError("skey_type")
    parts = skey.split("+", 4)
    if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
        raise NoteError("skey_form")
    name, hex_id, key64 = parts[2:]
    _check_name(name)
    if not _HEX_KEY_ID.fullmatch(hex_id):
        raise NoteError("skey_id_not_hex", key_id=hex_id)
    raw = _b64decode(key64, "signer key")
    if len(raw) < 2:
        raise NoteError("skey_empty")
    return name, bytes.fromhex(hex_id), raw[0], raw[1:]


def _ed25519_public_key(raw: bytes) -> Ed25519PublicKey:
    if len(raw) != _ED25519_SIZE:
        raise NoteError("note_public_key_size", size=_ED25519_SIZE, got=len(raw))
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise NoteError("note_public_key_invalid", detail=str(exc)) from None


# --------------------------------------------------------------------------------------
# Signed notes
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """One signature line: ``— <name> base64(key_id || signature)``.

    For a cosignature, ``signature`` is ``u64be(timestamp) || Ed25519 signature``.
    """

    name: str
    key_id: bytes
    signature: bytes

    def __post_init__(self) -> None:
        """Reject values that could not be written as a valid signature line."""
        _check_name(self.name)
        if not isinstance(self.key_id, bytes) or len(self.key_id) != _KEY_ID_SIZE:
            raise NoteError("signature_key_id_size", size=_KEY_ID_SIZE)
        if not isinstance(self.signature, bytes) or not self.signature:
            raise NoteError("signature_empty")

    def line(self) -> str:
        """Return the signature line, including its final newline."""
        return f"{_SIG_PREFIX}{self.name} {_b64encode(self.key_id + self.signature)}\n"

    @classmethod
    def from_line(cls, line: str) -> Signature:
        """Parse one signature line (without its final newline)."""
        if not line.startswith(_SIG_PREFIX):
            raise NoteError("signature_line_prefix")
        name, space, encoded = line[len(_SIG_PREFIX) :].partition(" ")
        if not space:
            raise NoteError("signature_line_form")
        _check_name(name)
        raw = _b64decode(encoded, f"signature by {name!r}")
        # A key ID plus at least one byte of signature, as Go requires.
        if len(raw) <= _KEY_ID_SIZE:
            raise NoteError("signature_too_short", name=name)
        return cls(name, raw[:_KEY_ID_SIZE], raw[_KEY_ID_SIZE:])


@dataclass(frozen=True)
class Note:
    """A signed note: text (ending in a newline) plus 1..MAX_SIGNATURES signatures.

    Constructing or parsing a Note checks its format only. Use :func:`open_note` to
    verify signatures.
    """

    text: str
    signatures: tuple[Signature, ...]

    def __post_init__(self) -> None:
        """Validate the text and the signature count; accept any iterable of signatures."""
        _text_bytes(self.text)
        signatures = tuple(self.signatures)
        object.__setattr__(self, "signatures", signatures)  # frozen: coerce lists once
        if not signatures:
            raise NoteError("note_unsigned")
        if len(signatures) > MAX_SIGNATURES:
            raise NoteError("note_too_many_signatures", count=len(signatures), limit=MAX_SIGNATURES)
        for signature in signatures:
            if not isinstance(signature, Signature):
                raise NoteError("note_signature_objects")

    @classmethod
    def parse(cls, data: bytes | str) -> Note:
        """Parse a signed note strictly, without verifying any signature.

        The text is everything up to and including the newline before the LAST blank
        line; each following line is a signature line, and the note ends with a newline.
        """
        if isinstance(data, bytes):
            try:
                message = data.decode("utf-8")
            except UnicodeDecodeError:
                raise NoteError("note_not_utf8") from None
        elif isinstance(data, str):
            message = data
        else:
            raise NoteError("note_data_type", kind=type(data).__name__)
        if _FORBIDDEN_CONTROL.search(message):
            raise NoteError("note_control")
        split = message.rfind("\n\n")
        if split < 0:
            raise NoteError("note_no_blank_line")
        text, block = message[: split + 1], message[split + 2 :]
        if not block:
            raise NoteError("note_no_signatures")
        if not block.endswith("\n"):
            raise NoteError("note_no_final_newline")
        lines = block[:-1].split("\n")
        if len(lines) > MAX_SIGNATURES:
            raise NoteError("note_too_many_signatures", count=len(lines), limit=MAX_SIGNATURES)
        return cls(text, tuple(Signature.from_line(line) for line in lines))

    def serialize(self) -> bytes:
        """Return the note as bytes: text, a blank line, then the signature lines."""
        lines = "".join(signature.line() for signature in self.signatures)
        return (self.text + "\n" + lines).encode("utf-8")

    def with_signatures(self, *signatures: Signature) -> Note:
        """Return a copy with ``signatures`` appended (e.g. adding a witness cosignature)."""
        return Note(self.text, (*self.signatures, *signatures))


class _Ed25519Key:
    """Shared state of the two signer kinds: a name, a seed and a signature type."""

    _signature_type: int = SIGNATURE_TYPE_ED25519

    def __init__(self, name: str, seed: bytes) -> None:
        _check_name(name)
        if not isinstance(seed, bytes) or len(seed) != _ED25519_SIZE:
            raise NoteError("seed_size", size=_ED25519_SIZE)
        self._name = name
        self._seed = seed
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self._public = self._private.public_key().public_bytes_raw()
        self._key_id = compute_key_id(name, self._signature_type, self._public)

    @classmethod
    def _from_skey_parts(cls, skey: str) -> tuple[str, bytes]:
        name, key_id, signature_type, seed = _parse_skey(skey)
        if signature_type != cls._signature_type:
            raise NoteError("skey_signature_type", got=signature_type, want=cls._signature_type)
        if len(seed) != _ED25519_SIZE:
            raise NoteError("skey_seed_size", size=_ED25519_SIZE, got=len(seed))
        public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
        if compute_key_id(name, signature_type, public) != key_id:
            raise NoteError("skey_id_mismatch")
        return name, seed

    @property
    def name(self) -> str:
        """The key name written in signature lines."""
        return self._name

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID."""
        return self._key_id

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key."""
        return self._public

    @property
    def vkey(self) -> str:
        """The verifier key text ``name+hex(keyID)+base64(type||public key)``."""
        material = _b64encode(bytes([self._signature_type]) + self._public)
        return f"{self._name}+{self._key_id.hex()}+{material}"

    @property
    def skey(self) -> str:
        """The SECRET signer key text ``PRIVATE+KEY+name+hex(keyID)+base64(type||seed)``."""
        material = _b64encode(bytes([self._signature_type]) + self._seed)
        return f"PRIVATE+KEY+{self._name}+{self._key_id.hex()}+{material}"

    def __repr__(self) -> str:
        # Never show the seed.
        return f"{type(self).__name__}({self.vkey!r})"


class NoteSigner(_Ed25519Key):
    """Signs note text with an Ed25519 key (signature type 0x01).

    Create with ``NoteSigner(name, seed)``, :meth:`from_skey` or :meth:`generate`.
    """

    _signature_type = SIGNATURE_TYPE_ED25519

    @classmethod
    def from_skey(cls, skey: str) -> NoteSigner:
        """Load a signer from its ``PRIVATE+KEY+...`` text (checks the key ID)."""
        return cls(*cls._from_skey_parts(skey))

    @classmethod
    def generate(cls, name: str) -> NoteSigner:
        """Create a signer with a fresh random key."""
        seed = Ed25519PrivateKey.generate().private_bytes_raw()
        return cls(name, seed)

    def sign(self, text: str) -> Signature:
        """Sign the note text and return the signature."""
        return Signature(self._name, self._key_id, self._private.sign(_text_bytes(text)))


class SignatureVerifier(Protocol):
    """What :func:`open_note` needs from a verifier."""

    @property
    def name(self) -> str:
        """The key name."""
        ...

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID."""
        ...

    @property
    def vkey(self) -> str:
        """The verifier key text."""
        ...

    def verify(self, text: str, signature: Signature) -> object:
        """Raise NoteError unless ``signature`` is valid over ``text``."""
        ...


class _Ed25519Verifier:
    """Shared parsing for the two verifier kinds."""

    _signature_type: int = SIGNATURE_TYPE_ED25519

    def __init__(self, vkey: str) -> None:
        name, key_id, signature_type, public = _parse_vkey(vkey)
        if signature_type != self._signature_type:
            raise NoteError("vkey_signature_type", got=signature_type, want=self._signature_type)
        self._key = _ed25519_public_key(public)
        self._name = name
        self._key_id = key_id
        self._public = public
        # Keep the canonical spelling (lower-case hex) so equal keys compare equal.
        self._vkey = f"{name}+{key_id.hex()}+{_b64encode(bytes([signature_type]) + public)}"

    @property
    def name(self) -> str:
        """The key name signatures must carry."""
        return self._name

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID signatures must carry."""
        return self._key_id

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key."""
        return self._public

    @property
    def vkey(self) -> str:
        """The verifier key text."""
        return self._vkey

    def _check_signer(self, signature: Signature) -> None:
        if signature.name != self._name or signature.key_id != self._key_id:
            raise NoteError(
                "signature_other_key",
                name=signature.name,
                key_id=signature.key_id.hex(),
                expected=self._name,
                expected_id=self._key_id.hex(),
            )

    def _verify_ed25519(self, message: bytes, raw: bytes) -> None:
        if len(raw) != _ED25519_SIG_SIZE:
            raise NoteError("signature_size", name=self._name, size=_ED25519_SIG_SIZE)
        try:
            self._key.verify(raw, message)
        except InvalidSignature:
            raise NoteError("signature_invalid", name=self._name) from None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._vkey!r})"


class NoteVerifier(_Ed25519Verifier):
    """Verifies Ed25519 note signatures (type 0x01) against one vkey."""

    _signature_type = SIGNATURE_TYPE_ED25519

    def verify(self, text: str, signature: Signature) -> None:
        """Return None if ``signature`` is this key's valid signature over ``text``.

        Raises:
            NoteError: if the signature is by another key or does not verify.
        """
        self._check_signer(signature)
        self._verify_ed25519(_text_bytes(text), signature.signature)


def sign_note(text: str, *signers: NoteSigner) -> Note:
    """Sign ``text`` with every signer and return the note."""
    if not signers:
        raise NoteError("sign_note_no_signer")
    return Note(text, tuple(signer.sign(text) for signer in signers))


def open_note(data: bytes | str, verifiers: Iterable[SignatureVerifier]) -> Note:
    """Parse a signed note and verify it against known keys.

    Signatures whose (name, key ID) match no verifier are ignored, as the spec requires
    (this is how key rotation and witness cosigning coexist). Every signature from a
    known key is verified.

    Returns:
        The note with only the signatures that verified, in their original order
        (exact duplicates dropped), like Go's ``Note.Sigs``.

    Raises:
        NoteError: if the note is malformed, if a known key's signature does not verify,
            if no known key signed it, or if two different verifiers share a name and ID.
    """
    note = Note.parse(data)
    known: dict[tuple[str, bytes], SignatureVerifier] = {}
    for verifier in verifiers:
        handle = (verifier.name, verifier.key_id)
        previous = known.setdefault(handle, verifier)
        if previous.vkey != verifier.vkey:
            raise NoteError("verifiers_clash", name=handle[0], key_id=handle[1].hex())
    verified: list[Signature] = []
    for signature in note.signatures:
        known_verifier = known.get((signature.name, signature.key_id))
        if known_verifier is None:
            continue
        known_verifier.verify(note.text, signature)
        if signature not in verified:
            verified.append(signature)
    if not verified:
        names = ", ".join(sorted({s.name for s in note.signatures}))
        raise NoteError("note_unknown_signers", names=names)
    return Note(note.text, tuple(verified))


# --------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------


def _check_line(value: str, what: str) -> None:
    if not isinstance(value, str) or not value:
        raise NoteError("note_line_empty", what=what)
    if "\n" in value or _FORBIDDEN_CONTROL.search(value):
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
        _check_line(self.origin, "checkpoint origin")
        _check_int(self.size, "tree size")
        if not isinstance(self.root, bytes) or len(self.root) != _HASH_SIZE:
            raise NoteError("checkpoint_root_type", size=_HASH_SIZE)
        extensions = tuple(self.extensions)
        object.__setattr__(self, "extensions", extensions)
        for line in extensions:
            _check_line(line, "checkpoint extension line")

    def text(self) -> str:
        """Return the note text: ``origin\\nsize\\nbase64(root)\\n`` plus extension lines."""
        lines = [self.origin, str(self.size), _b64encode(self.root), *self.extensions]
        return "\n".join(lines) + "\n"

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        """Parse a checkpoint note text strictly.

        Raises:
            NoteError: on a missing final newline, fewer than three lines, an empty line,
                a size with leading zeros or beyond 2**63-1, or a root that is not
                canonical base64 of 32 bytes.
        """
        _text_bytes(text)
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError("checkpoint_lines")
        origin, size_text, root_text, *extensions = lines
        size = _parse_decimal(size_text, "tree size")
        root = _b64decode(root_text, "checkpoint root")
        if len(root) != _HASH_SIZE:
            raise NoteError("checkpoint_root_size", got=len(root), size=_HASH_SIZE)
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


# --------------------------------------------------------------------------------------
# Cosignatures (c2sp.org/tlog-cosignature, Ed25519, type 0x04)
# --------------------------------------------------------------------------------------


def _cosigned_message(checkpoint_text: str, timestamp: int) -> bytes:
    # The header line gives domain separation from plain note signatures by the same key.
    return f"cosignature/v1\ntime {timestamp}\n".encode("ascii") + _text_bytes(checkpoint_text)


class CosignatureSigner(_Ed25519Key):
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
        _check_int(timestamp, "cosignature timestamp")
        Checkpoint.from_text(checkpoint_text)
        signature = self._private.sign(_cosigned_message(checkpoint_text, timestamp))
        return Signature(self._name, self._key_id, timestamp.to_bytes(_TIMESTAMP_SIZE, "big") + signature)


class CosignatureVerifier(_Ed25519Verifier):
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
        if len(raw) != _TIMESTAMP_SIZE + _ED25519_SIG_SIZE:
            raise NoteError("cosignature_size", name=self._name, got=len(raw), size=_TIMESTAMP_SIZE + _ED25519_SIG_SIZE)
        timestamp = int.from_bytes(raw[:_TIMESTAMP_SIZE], "big")
        if timestamp > MAX_TREE_SIZE:
            raise NoteError("cosignature_timestamp", timestamp=timestamp)
        self._verify_ed25519(_cosigned_message(checkpoint_text, timestamp), raw[_TIMESTAMP_SIZE:])
        return timestamp


def verifier_from_vkey(vkey: str) -> NoteVerifier | CosignatureVerifier:
    """Return the verifier for a vkey according to its signature type (0x01 or 0x04)."""
    signature_type = _parse_vkey(vkey)[2]
    if signature_type == SIGNATURE_TYPE_ED25519:
        return NoteVerifier(vkey)
    if signature_type == SIGNATURE_TYPE_COSIGNATURE_V1:
        return CosignatureVerifier(vkey)
    raise NoteError("vkey_unsupported", got=signature_type)


# --------------------------------------------------------------------------------------
# tlog-proof bundles (c2sp.org/tlog-proof@v1)
# --------------------------------------------------------------------------------------


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
        _check_int(self.index, "proof index")
        proof = tuple(self.proof)
        object.__setattr__(self, "proof", proof)
        for position, element in enumerate(proof):
            if not isinstance(element, bytes) or len(element) != _HASH_SIZE:
                raise ReceiptError("receipt_hash_type", position=position, size=_HASH_SIZE)
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
            extra = _b64decode(lines[position][len("extra ") :], "proof extra data")
            position += 1
        if position >= len(lines) or not lines[position].startswith("index "):
            raise ReceiptError("receipt_no_index")
        index = _parse_decimal(lines[position][len("index ") :], "proof index")
        hashes = []
        for number, line in enumerate(lines[position + 1 :]):
            element = _b64decode(line, f"proof hash {number}")
            if len(element) != _HASH_SIZE:
                raise ReceiptError("receipt_hash_size", number=number, got=len(element), size=_HASH_SIZE)
            hashes.append(element)
        return cls(index, tuple(hashes), checkpoint_note, extra)

    def serialize(self) -> bytes:
        """Return the ``.tlog-proof`` file bytes."""
        lines = [TLOG_PROOF_HEADER]
        if self.extra is not None:
            lines.append(f"extra {_b64encode(self.extra)}")
        lines.append(f"index {self.index}")
        lines.extend(_b64encode(element) for element in self.proof)
        return ("\n".join(lines) + "\n\n").encode("ascii") + self.checkpoint_note
