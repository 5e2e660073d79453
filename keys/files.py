r"""Key files: private keys wrapped under a passphrase in a JSON file, public keys as one text line.

A private key file (format "par-ledger-key/v2") is one line of UTF-8 JSON plus "\n":

    {"format":"par-ledger-key/v2","key_id":"ed25519:<hex>",
     "kdf":{"name":"PBKDF2-HMAC-SHA256","iterations":600000,"salt":"<base64>"},
     "cipher":{"name":"AES-256-GCM","nonce":"<base64>"},"ciphertext":"<base64>"}

(wrapped here; we write it on one line, in this member order, with no spaces; readers should
accept any JSON whitespace and member order).

- key_id: "ed25519:" followed by the 64 lowercase hex digits of the SHA-256 of the raw
  32-byte Ed25519 public key.
- iterations: a JSON integer, PBKDF2's iteration count c.
- salt: 16 random bytes; nonce: 12 random bytes; both fresh for every file written.
- ciphertext: the AES-256-GCM encryption of the 32-byte Ed25519 private key (the RFC 8032
  seed) followed by the 16-byte GCM tag: 48 bytes.
- salt, nonce and ciphertext are standard base64 (RFC 4648 section 4: "+/", "=" padding).

To read the key with passphrase P:

    k    = PBKDF2-HMAC-SHA256(password = UTF-8(NFC(P)), salt, c = iterations, dkLen = 32)
                                                               (RFC 8018 section 5.2)
    aad  = b"par-ledger-key/v2\n" + key_id as ASCII bytes
    seed = AES-256-GCM-Decrypt(key = k, nonce, ciphertext with its trailing tag, aad)
                                                               (NIST SP 800-38D)

Both steps are in WebCrypto (`deriveBits` with "PBKDF2", `decrypt` with "AES-GCM") and in
`cryptography` (PBKDF2HMAC, AESGCM), so neither the browser nor Python runs cryptography
of our own. NFC is Unicode normalization form C, so a passphrase typed with precomposed or
with combining accents gives the same key. The aad binds key_id to the key: a file whose
key_id was changed fails to decrypt. The seed must be 32 bytes, and the key id of its
public key must equal key_id.

We write iterations = 600,000 (PBKDF2_ITERATIONS: OWASP's figure for PBKDF2-HMAC-SHA256;
about 0.1 s in Python, under a second in a browser). A key file is untrusted input, so
loading refuses: fewer iterations than that; more than 10,000,000 (a planted file must
not make a reader spin for minutes); any name other than "PBKDF2-HMAC-SHA256" and
"AES-256-GCM"; a salt of other than 16 bytes or a nonce of other than 12; missing,
unexpected or duplicate JSON members. Files of the earlier format "par-ledger-key/v1"
(scrypt, which WebCrypto lacks) are not read: make a new key and register it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from .errors import KeyFileError, KeyFormatError
from .pairs import KEY_ID_PREFIX, SigningKey, VerifyingKey

FORMAT = "par-ledger-key/v2"

# PBKDF2 iterations for new files, and the least a file may ask for (OWASP's figure for
# PBKDF2-HMAC-SHA256).
PBKDF2_ITERATIONS = 600_000
# The most a file may ask for: more would let a planted file keep a reader busy for minutes.
_MAX_PBKDF2_ITERATIONS = 10_000_000

_SALT_SIZE = 16
_NONCE_SIZE = 12
_DERIVED_KEY_SIZE = 32
_SEED_SIZE = 32
_KDF_NAME = "PBKDF2-HMAC-SHA256"
_CIPHER_NAME = "AES-256-GCM"
_AAD_PREFIX = FORMAT.encode("ascii") + b"\n"
_JSON_TYPES = {str: "string", int: "integer", dict: "object"}
_KEY_ID = re.compile(re.escape(KEY_ID_PREFIX) + "[0-9a-f]{64}")
# Our files are ~300 bytes; read no more than this from a file we are told is a key.
_MAX_FILE_SIZE = 64 * 1024


def save_signing_key(path: Path, key: SigningKey, passphrase: str) -> None:
    """Write key to a new file at path, encrypted under passphrase, readable by the owner only."""
    if not passphrase:
        raise KeyFileError("key_file_without_passphrase", path=str(path))
    # Check before the slow key derivation; _write_new_file can still lose a race to another
    # writer.
    _refuse_to_overwrite(path)
    key_id = key.key_id
    salt = os.urandom(_SALT_SIZE)
    nonce = os.urandom(_NONCE_SIZE)
    wrapping_key = _derive(passphrase, salt, PBKDF2_ITERATIONS)
    ciphertext = AESGCM(wrapping_key).encrypt(nonce, key.seed, _aad(key_id))
    document = {
        "format": FORMAT,
        "key_id": key_id,
        "kdf": {"name": _KDF_NAME, "iterations": PBKDF2_ITERATIONS, "salt": _b64(salt)},
        "cipher": {"name": _CIPHER_NAME, "nonce": _b64(nonce)},
        "ciphertext": _b64(ciphertext),
    }
    data = json.dumps(document, separators=(",", ":")).encode("utf-8") + b"\n"
    _write_new_file(path, data, mode=0o600)


def load_signing_key(path: Path, passphrase: str) -> SigningKey:
    """Read the key saved at path with save_signing_key."""
    data = _read(path, limit=_MAX_FILE_SIZE)
    if not data:
        raise KeyFileError("key_file_empty", path=str(path))
    if len(data) > _MAX_FILE_SIZE:
        raise KeyFileError("key_file_too_large", path=str(path), limit=_MAX_FILE_SIZE)
    document = _parse(path, data)
    key_id = _field(path, document, "key_id", str)
    if not _KEY_ID.fullmatch(key_id):
        raise KeyFileError("key_file_bad_key_id", path=str(path), key_id=key_id)
    salt, iterations = _kdf_parameters(path, _field(path, document, "kdf", dict))
    nonce = _cipher_parameters(path, _field(path, document, "cipher", dict))
    ciphertext = _bytes_field(path, document, "ciphertext")
    wrapping_key = _derive(passphrase, salt, iterations)
    try:
        seed = AESGCM(wrapping_key).decrypt(nonce, ciphertext, _aad(key_id))
    except InvalidTag:
        raise KeyFileError("key_file_wrong_passphrase", path=str(path)) from None
    if len(seed) != _SEED_SIZE:
        raise KeyFileError("key_file_seed_size", path=str(path), size=len(seed), expected=_SEED_SIZE)
    key = SigningKey.from_seed(seed)
    if key.key_id != key_id:
        raise KeyFileError("key_file_key_id_mismatch", path=str(path), stated=key_id, actual=key.key_id)
    return key


def save_verifying_key(path: Path, key: VerifyingKey) -> None:
    """Write key to a new file at path as the line "<key id> <base64 public key>"."""
    _refuse_to_overwrite(path)
    _write_new_file(path, f"{key.key_id} {key.base64}\n".encode("ascii"), mode=0o644)


def load_verifying_key(path: Path) -> VerifyingKey:
    """Read a key saved with save_verifying_key, checking that its key id matches it."""
    data = _read(path)
    try:
        key_id, encoded = data.decode("ascii").split()
    except ValueError:  # not ASCII, or not exactly two fields
        raise KeyFormatError("public_key_line", path=str(path)) from None
    if not key_id.startswith(KEY_ID_PREFIX):
        raise KeyFormatError("public_key_line_prefix", path=str(path), key_id=key_id, prefix=KEY_ID_PREFIX)
    try:
        key = VerifyingKey.from_base64(encoded)
    except KeyFormatError as exc:
        raise KeyFormatError("public_key_line_key", path=str(path), detail=exc.reason) from exc
    if key.key_id != key_id:
        raise KeyFormatError("public_key_line_mismatch", path=str(path), key_id=key_id, actual=key.key_id)
    return key


def _derive(passphrase: str, salt: bytes, iterations: int) -> bytes:
    password = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return PBKDF2HMAC(SHA256(), _DERIVED_KEY_SIZE, salt, iterations).derive(password)


def _aad(key_id: str) -> bytes:
    return _AAD_PREFIX + key_id.encode("ascii")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _parse(path: Path, data: bytes) -> dict[str, Any]:
    """Return the file's JSON object, or say what the file seems to be instead."""
    if data.lstrip().startswith(b"-----BEGIN"):
        raise KeyFileError("key_file_is_pem", path=str(path))
    if _is_der(data):
        raise KeyFileError("key_file_is_der", path=str(path))
    try:
        document = json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_refuse_duplicates,
            parse_constant=_refuse_constant,
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        # ValueError covers JSONDecodeError, duplicate members, NaN and over-long integers.
        document = None
    format_ = document.get("format") if isinstance(document, dict) else None
    if not isinstance(format_, str) or not format_.startswith("par-ledger-key/"):
        raise KeyFileError("not_a_key_file", path=str(path))
    if format_ != FORMAT:
        raise KeyFileError("key_file_version", path=str(path), version=format_)
    _refuse_unexpected(path, document, {"format", "key_id", "kdf", "cipher", "ciphertext"})
    return document


def _kdf_parameters(path: Path, kdf: dict[str, Any]) -> tuple[bytes, int]:
    _refuse_unexpected(path, kdf, {"name", "iterations", "salt"}, where="kdf.")
    name = _field(path, kdf, "name", str, where="kdf.")
    if name != _KDF_NAME:
        raise KeyFileError("key_file_kdf", path=str(path), name=name)
    iterations = _field(path, kdf, "iterations", int, where="kdf.")
    if iterations < PBKDF2_ITERATIONS:
        raise KeyFileError("key_file_few_iterations", path=str(path), iterations=iterations, least=PBKDF2_ITERATIONS)
    if iterations > _MAX_PBKDF2_ITERATIONS:
        raise KeyFileError(
            "key_file_absurd_iterations", path=str(path), iterations=iterations, most=_MAX_PBKDF2_ITERATIONS
        )
    salt = _bytes_field(path, kdf, "salt", size=_SALT_SIZE, where="kdf.")
    return salt, iterations


def _cipher_parameters(path: Path, cipher: dict[str, Any]) -> bytes:
    _refuse_unexpected(path, cipher, {"name", "nonce"}, where="cipher.")
    name = _field(path, cipher, "name", str, where="cipher.")
    if name != _CIPHER_NAME:
        raise KeyFileError("key_file_cipher", path=str(path), name=name)
    return _bytes_field(path, cipher, "nonce", size=_NONCE_SIZE, where="cipher.")


def _field(path: Path, obj: dict[str, Any], name: str, kind: type, *, where: str = "") -> Any:
    if name not in obj:
        raise KeyFileError("key_file_missing_member", path=str(path), member=where + name)
    value = obj[name]
    # bool is a subclass of int, but true is not an iteration count.
    if not isinstance(value, kind) or isinstance(value, bool):
        raise KeyFileError("key_file_member_type", path=str(path), member=where + name, json_type=_JSON_TYPES[kind])
    return value


def _bytes_field(path: Path, obj: dict[str, Any], name: str, *, size: int | None = None, where: str = "") -> bytes:
    text = _field(path, obj, name, str, where=where)
    try:
        value = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):  # ValueError: text that is not ASCII
        raise KeyFileError("key_file_member_not_base64", path=str(path), member=where + name) from None
    if size is not None and len(value) != size:
        raise KeyFileError("key_file_member_size", path=str(path), member=where + name, size=len(value), expected=size)
    return value


def _refuse_unexpected(path: Path, obj: dict[str, Any], expected: set[str], *, where: str = "") -> None:
    unexpected = sorted(set(obj) - expected)
    if unexpected:
        raise KeyFileError("key_file_unexpected_member", path=str(path), member=where + unexpected[0])


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Readers disagree on which of two same-named members wins, so allow neither.
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("duplicate member")
    return obj


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _is_der(data: bytes) -> bool:
    """Tell whether data is one whole DER SEQUENCE, as PKCS#12 and PKCS#8 files are."""
    if len(data) < 2 or data[0] != 0x30:
        return False
    if data[1] < 0x80:
        return 2 + data[1] == len(data)
    count = data[1] & 0x7F
    if not 1 <= count <= 4 or len(data) < 2 + count:
        return False
    return 2 + count + int.from_bytes(data[2 : 2 + count], "big") == len(data)


def _read(path: Path, *, limit: int | None = None) -> bytes:
    """Read path; with limit, read at most limit + 1 bytes, so a caller can tell it was over."""
    try:
        if limit is None:
            return path.read_bytes()
        with path.open("rb") as file:
            return file.read(limit + 1)
    except FileNotFoundError:
        raise KeyFileError("key_file_missing", path=str(path)) from None
    except OSError as exc:
        raise KeyFileError("key_file_unreadable", path=str(path), detail=exc.strerror) from exc


def _refuse_to_overwrite(path: Path) -> None:
    if path.exists():
        raise KeyFileError("key_file_exists", path=str(path))


def _write_new_file(path: Path, data: bytes, *, mode: int) -> None:
    try:
        write_atomically(path, data, mode=mode)
    except OSError as exc:
        raise KeyFileError("key_file_unwritable", path=str(path), detail=exc.strerror) from exc


def write_atomically(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write `data` to `path` so that readers see no file or the whole file, never part.

    A temporary file beside it is written, fsynced and renamed over `path`; the folder is
    synced too, or a crash could lose the rename. Shared by everything that writes
    files whose loss or tearing matters (keys, the inspector's and the witness's state).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            os.fchmod(file.fileno(), mode)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
