"""Ed25519 signing and verifying keys, and the key ids that name them."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import NewType

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from .errors import BadSignatureError, KeyFormatError

KeyId = NewType("KeyId", str)

KEY_ID_PREFIX = "ed25519:"
_KEY_SIZE = 32
_SIGNATURE_SIZE = 64


def key_id_of(raw_public_key: bytes) -> KeyId:
    """Return "ed25519:" + the SHA-256 hex digest of a raw 32-byte public key."""
    if len(raw_public_key) != _KEY_SIZE:
        raise KeyFormatError("public_key_size", expected=_KEY_SIZE, size=len(raw_public_key))
    return KeyId(KEY_ID_PREFIX + hashlib.sha256(raw_public_key).hexdigest())


def short_key_id(key_id: str) -> str:
    """Shorten a key id for display: the prefix and the first 16 hex digits."""
    return key_id[: len(KEY_ID_PREFIX) + 16]


@dataclass(frozen=True, eq=False, repr=False)
class VerifyingKey:
    """An Ed25519 public key; equal to another when the raw bytes are equal."""

    _key: Ed25519PublicKey

    @classmethod
    def from_raw(cls, raw: bytes) -> VerifyingKey:
        """Load a raw 32-byte public key."""
        if len(raw) != _KEY_SIZE:
            raise KeyFormatError("public_key_size", expected=_KEY_SIZE, size=len(raw))
        try:
            return cls(Ed25519PublicKey.from_public_bytes(raw))
        except ValueError as exc:
            raise KeyFormatError("public_key_unloadable", detail=str(exc)) from exc

    @classmethod
    def from_base64(cls, text: str) -> VerifyingKey:
        """Load a public key from the standard base64 of its raw 32 bytes."""
        try:
            raw = base64.b64decode(text, validate=True)
        except ValueError as exc:  # binascii.Error, or text that is not ASCII
            raise KeyFormatError("public_key_not_base64") from exc
        return cls.from_raw(raw)

    @property
    def raw(self) -> bytes:
        """The raw 32-byte public key."""
        return self._key.public_bytes_raw()

    @property
    def base64(self) -> str:
        """The standard base64 of the raw public key."""
        return base64.b64encode(self.raw).decode("ascii")

    @property
    def key_id(self) -> KeyId:
        """The key id naming this key."""
        return key_id_of(self.raw)

    def verify(self, signature: bytes, data: bytes) -> None:
        """Return if signature is this key's signature of data; else raise BadSignatureError."""
        if len(signature) != _SIGNATURE_SIZE:
            raise BadSignatureError("signature_size", key_id=self.key_id, size=len(signature), expected=_SIGNATURE_SIZE)
        try:
            self._key.verify(signature, data)
        except InvalidSignature:
            raise BadSignatureError("signature_invalid", key_id=self.key_id) from None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VerifyingKey):
            return NotImplemented
        return self.raw == other.raw

    def __hash__(self) -> int:
        return hash(self.raw)

    def __repr__(self) -> str:
        return f"VerifyingKey({self.key_id})"


class SigningKey:
    """An Ed25519 private key. Its repr shows the key id, never key material."""

    __slots__ = ("_key",)

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key

    @classmethod
    def generate(cls) -> SigningKey:
        """Make a new random key."""
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> SigningKey:
        """Derive the key for a 32-byte seed; the same seed always gives the same key."""
        if len(seed) != _KEY_SIZE:
            # The length only: the seed itself is secret.
            raise KeyFormatError("seed_size", expected=_KEY_SIZE, size=len(seed))
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    def sign(self, data: bytes) -> bytes:
        """Return the 64-byte signature of data."""
        return self._key.sign(data)

    @property
    def verifying_key(self) -> VerifyingKey:
        """The matching public key."""
        return VerifyingKey(self._key.public_key())

    @property
    def key_id(self) -> KeyId:
        """The key id of the matching public key."""
        return self.verifying_key.key_id

    @property
    def seed(self) -> bytes:
        """The raw 32-byte private key (secret)."""
        return self._key.private_bytes_raw()

    def __repr__(self) -> str:
        return f"SigningKey({self.key_id})"
