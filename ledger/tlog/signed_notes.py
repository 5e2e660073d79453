"""C2SP signed notes (c2sp.org/signed-note) with Ed25519: signatures, notes, signers, verifiers.

Byte-compatible with Go's ``golang.org/x/mod/sumdb/note``. Every error is a
:class:`NoteError` whose code says what was wrong. Standard library and ``cryptography`` only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.tlog.errors import NoteError
from ledger.tlog.note_format import (
    ED25519_SIG_SIZE,
    ED25519_SIZE,
    FORBIDDEN_CONTROL,
    KEY_ID_SIZE,
    MAX_SIGNATURES,
    SIG_PREFIX,
    SIGNATURE_TYPE_ED25519,
    b64decode,
    b64encode,
    check_name,
    compute_key_id,
    ed25519_public_key,
    parse_skey,
    parse_vkey,
    text_bytes,
)


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
        check_name(self.name)
        if not isinstance(self.key_id, bytes) or len(self.key_id) != KEY_ID_SIZE:
            raise NoteError("signature_key_id_size", size=KEY_ID_SIZE)
        if not isinstance(self.signature, bytes) or not self.signature:
            raise NoteError("signature_empty")

    def line(self) -> str:
        """Return the signature line, including its final newline."""
        return f"{SIG_PREFIX}{self.name} {b64encode(self.key_id + self.signature)}\n"

    @classmethod
    def from_line(cls, line: str) -> Signature:
        """Parse one signature line (without its final newline)."""
        if not line.startswith(SIG_PREFIX):
            raise NoteError("signature_line_prefix")
        name, space, encoded = line[len(SIG_PREFIX) :].partition(" ")
        if not space:
            raise NoteError("signature_line_form")
        check_name(name)
        raw = b64decode(encoded, f"signature by {name!r}")
        # A key ID plus at least one byte of signature, as Go requires.
        if len(raw) <= KEY_ID_SIZE:
            raise NoteError("signature_too_short", name=name)
        return cls(name, raw[:KEY_ID_SIZE], raw[KEY_ID_SIZE:])


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
        text_bytes(self.text)
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
        if FORBIDDEN_CONTROL.search(message):
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


class Ed25519Key:
    """Shared state of the two signer kinds: a name, a seed and a signature type."""

    _signature_type: int = SIGNATURE_TYPE_ED25519

    def __init__(self, name: str, seed: bytes) -> None:
        check_name(name)
        if not isinstance(seed, bytes) or len(seed) != ED25519_SIZE:
            raise NoteError("note_seed_size", size=ED25519_SIZE)
        self._name = name
        self._seed = seed
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self._public = self._private.public_key().public_bytes_raw()
        self._key_id = compute_key_id(name, self._signature_type, self._public)

    @classmethod
    def _from_skey_parts(cls, skey: str) -> tuple[str, bytes]:
        name, key_id, signature_type, seed = parse_skey(skey)
        if signature_type != cls._signature_type:
            raise NoteError("skey_signature_type", got=signature_type, want=cls._signature_type)
        if len(seed) != ED25519_SIZE:
            raise NoteError("skey_seed_size", size=ED25519_SIZE, got=len(seed))
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
        material = b64encode(bytes([self._signature_type]) + self._public)
        return f"{self._name}+{self._key_id.hex()}+{material}"

    @property
    def skey(self) -> str:
        """The SECRET signer key text ``PRIVATE+KEY+name+hex(keyID)+base64(type||seed)``."""
        material = b64encode(bytes([self._signature_type]) + self._seed)
        return f"PRIVATE+KEY+{self._name}+{self._key_id.hex()}+{material}"

    def __repr__(self) -> str:
        # Never show the seed.
        return f"{type(self).__name__}({self.vkey!r})"


class NoteSigner(Ed25519Key):
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
        return Signature(self._name, self._key_id, self._private.sign(text_bytes(text)))


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


class Ed25519Verifier:
    """Shared parsing for the two verifier kinds."""

    _signature_type: int = SIGNATURE_TYPE_ED25519

    def __init__(self, vkey: str) -> None:
        name, key_id, signature_type, public = parse_vkey(vkey)
        if signature_type != self._signature_type:
            raise NoteError("vkey_signature_type", got=signature_type, want=self._signature_type)
        self._key = ed25519_public_key(public)
        self._name = name
        self._key_id = key_id
        self._public = public
        # Keep the canonical spelling (lower-case hex) so equal keys compare equal.
        self._vkey = f"{name}+{key_id.hex()}+{b64encode(bytes([signature_type]) + public)}"

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
        if len(raw) != ED25519_SIG_SIZE:
            raise NoteError("note_signature_size", name=self._name, size=ED25519_SIG_SIZE)
        try:
            self._key.verify(raw, message)
        except InvalidSignature:
            raise NoteError("note_signature_invalid", name=self._name) from None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._vkey!r})"


class NoteVerifier(Ed25519Verifier):
    """Verifies Ed25519 note signatures (type 0x01) against one vkey."""

    _signature_type = SIGNATURE_TYPE_ED25519

    def verify(self, text: str, signature: Signature) -> None:
        """Return None if ``signature`` is this key's valid signature over ``text``.

        Raises:
            NoteError: if the signature is by another key or does not verify.
        """
        self._check_signer(signature)
        self._verify_ed25519(text_bytes(text), signature.signature)


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
