"""Errors raised by the keys package; all derive from KeysError."""

from __future__ import annotations


class KeysError(Exception):
    """Root of every error raised by the keys package."""


class KeyFileError(KeysError):
    """A key file is missing, unreadable, undecryptable or holds the wrong kind of key."""


class KeyFormatError(KeysError):
    """A public key, seed or key id is malformed."""


class UnknownKeyError(KeysError):
    """A key id is not in the keyring."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"no key {key_id} in the keyring")
        self.key_id = key_id


class BadSignatureError(KeysError):
    """A signature does not verify under the key it claims."""

    def __init__(self, key_id: str, reason: str) -> None:
        super().__init__(f"{reason} (key {key_id})")
        self.key_id = key_id
