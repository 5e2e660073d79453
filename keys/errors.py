"""Errors raised by the keys package; all derive from KeysError and carry a stable code.

The shape is the ledger's (`ledger.errors`), without importing it (keys sits below the
ledger): ``code`` names the reason, ``params`` are the values it names, and each class
declares the codes it raises in ``messages``, each with its English `str.format`
template. A code is declared once; the web has a Vietnamese text for each.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar


class KeysError(Exception):
    """Root of every error raised by the keys package."""

    messages: ClassVar[Mapping[str, str]] = {}

    def __init__(self, code: str, /, **params: Any) -> None:
        self.code = code
        self.params = params
        self.reason = self.template(code).format(**params)
        super().__init__(self.reason)

    @classmethod
    def template(cls, code: str) -> str:
        """The English text of `code`, declared by this class or a class it derives from."""
        for klass in cls.__mro__:
            messages = klass.__dict__.get("messages", {})
            if code in messages:
                return messages[code]
        raise TypeError(f"{cls.__name__} declares no error code {code!r}")

    @classmethod
    def declared(cls) -> Iterator[tuple[type[KeysError], str, str]]:
        """Every (class, code, English template) declared by this class and its subclasses."""
        for code, template in cls.__dict__.get("messages", {}).items():
            yield cls, code, template
        for subclass in cls.__subclasses__():
            yield from subclass.declared()


_MALFORMED = "key file {path} is a malformed par-ledger-key/v2 file: "


class KeyFileError(KeysError):
    """A key file is missing, unreadable, undecryptable or holds the wrong kind of key."""

    messages: ClassVar[Mapping[str, str]] = {
        "key_file_without_passphrase": "refusing to save {path} without a passphrase",
        "key_file_exists": "{path} already exists; refusing to overwrite it",
        "key_file_missing": "key file {path} does not exist",
        "key_file_unreadable": "cannot read key file {path}: {detail}",
        "key_file_unwritable": "cannot write key file {path}: {detail}",
        "key_file_empty": "key file {path} is empty",
        "key_file_too_large": "{path} is not a PAR Ledger key file: it is over {limit} bytes",
        "key_file_is_pem": (
            "{path} is not a PAR Ledger key file: it looks like a PEM file; only par-ledger-key/v2 files are accepted"
        ),
        "key_file_is_der": (
            "{path} is not a PAR Ledger key file: it looks like a binary DER file"
            " (such as PKCS#12 or PKCS#8); only par-ledger-key/v2 files are accepted"
        ),
        "not_a_key_file": "{path} is not a PAR Ledger key file",
        "key_file_version": (
            "key file {path} has unsupported format version {version!r}; only par-ledger-key/v2 is accepted"
        ),
        "key_file_bad_key_id": _MALFORMED + "key_id {key_id!r} is not 'ed25519:' and 64 hex digits",
        "key_file_missing_member": _MALFORMED + "it has no {member}",
        "key_file_member_type": _MALFORMED + "{member} is not a JSON {json_type}",
        "key_file_member_not_base64": _MALFORMED + "{member} is not valid base64",
        "key_file_member_size": _MALFORMED + "{member} is {size} bytes, not {expected}",
        "key_file_unexpected_member": _MALFORMED + "unexpected member {member}",
        "key_file_kdf": "key file {path} uses kdf {name!r}; only 'PBKDF2-HMAC-SHA256' is accepted",
        "key_file_cipher": "key file {path} uses cipher {name!r}; only 'AES-256-GCM' is accepted",
        "key_file_few_iterations": (
            "key file {path} has too few PBKDF2 iterations ({iterations}); at least {least} are required"
        ),
        "key_file_absurd_iterations": (
            "key file {path} has an absurd number of PBKDF2 iterations ({iterations}); at most {most} are accepted"
        ),
        "key_file_wrong_passphrase": "cannot open key file {path}: wrong passphrase, or the file is damaged",
        "key_file_seed_size": (
            "key file {path} is not an Ed25519 key file: it holds {size} bytes, not a {expected}-byte Ed25519 seed"
        ),
        "key_file_key_id_mismatch": (
            "key file {path}: key id does not match the key (the file says {stated}, the key is {actual})"
        ),
    }


class KeyFormatError(KeysError):
    """A public key, seed or key id is malformed."""

    messages: ClassVar[Mapping[str, str]] = {
        "public_key_size": "an Ed25519 public key is {expected} bytes, not {size}",
        "public_key_unloadable": "not a loadable Ed25519 public key: {detail}",
        "public_key_not_base64": "public key is not valid base64",
        "seed_size": "an Ed25519 seed is {expected} bytes, not {size}",
        "public_key_line": "{path} is not a '<key id> <base64 public key>' line",
        "public_key_line_prefix": "{path}: key id {key_id!r} does not start with {prefix!r}",
        "public_key_line_key": "{path}: {detail}",
        "public_key_line_mismatch": "{path}: key id {key_id} does not match the key ({actual})",
    }


class BadSignatureError(KeysError):
    """A signature does not verify under the key it claims."""

    messages: ClassVar[Mapping[str, str]] = {
        "signature_size": "signature is {size} bytes, not {expected} (key {key_id})",
        "signature_invalid": "signature does not verify (key {key_id})",
    }

    @property
    def key_id(self) -> str:
        """The key the signature was checked against."""
        return str(self.params["key_id"])
