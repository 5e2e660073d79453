"""Ed25519 keys: generate, identify, store encrypted, and verify."""

from __future__ import annotations

from .errors import BadSignatureError, KeyFileError, KeyFormatError, KeysError
from .files import (
    PBKDF2_ITERATIONS,
    load_signing_key,
    load_verifying_key,
    save_signing_key,
    save_verifying_key,
)
from .pairs import KeyId, SigningKey, VerifyingKey, key_id_of, short_key_id

__all__ = [
    "PBKDF2_ITERATIONS",
    "BadSignatureError",
    "KeyFileError",
    "KeyFormatError",
    "KeyId",
    "KeysError",
    "SigningKey",
    "VerifyingKey",
    "key_id_of",
    "load_signing_key",
    "load_verifying_key",
    "save_signing_key",
    "save_verifying_key",
    "short_key_id",
]
