"""A keyring: the verifying keys a reader trusts, looked up by key id."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .errors import UnknownKeyError
from .pairs import VerifyingKey


class Keyring:
    """Verifying keys by key id; with_key returns a new keyring instead of changing this one."""

    __slots__ = ("_keys",)

    def __init__(self, keys: Iterable[VerifyingKey] = ()) -> None:
        self._keys: dict[str, VerifyingKey] = {key.key_id: key for key in keys}

    def with_key(self, key: VerifyingKey) -> Keyring:
        """Return a new keyring holding these keys and key."""
        return Keyring([*self, key])

    def get(self, key_id: str) -> VerifyingKey:
        """Return the key named key_id, or raise UnknownKeyError."""
        try:
            return self._keys[key_id]
        except KeyError:
            raise UnknownKeyError(key_id) from None

    def verify(self, *, key_id: str, signature: bytes, data: bytes) -> None:
        """Return if key key_id signed data; else raise UnknownKeyError or BadSignatureError."""
        self.get(key_id).verify(signature, data)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[VerifyingKey]:
        return iter(self._keys.values())

    def __repr__(self) -> str:
        return f"Keyring({sorted(self._keys)})"
