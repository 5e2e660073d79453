"""The strict spellings the C2SP formats share: canonical base64, decimals, key names, keys.

Parsing is strict on purpose (canonical base64, no leading zeros, no control characters),
so that any accepted input serialises back to the same bytes. Used by the signed notes,
checkpoints, cosignatures and receipts (`ledger.tlog.notes` gathers them); standard
library and ``cryptography`` only.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.tlog.errors import NoteError

SIGNATURE_TYPE_ED25519: Final[int] = 0x01
"""signed-note signature type of a plain Ed25519 note signature."""
SIGNATURE_TYPE_COSIGNATURE_V1: Final[int] = 0x04
"""signed-note signature type of a timestamped Ed25519 witness cosignature."""

MAX_SIGNATURES: Final[int] = 100
"""Most signature lines a note may carry (the spec requires accepting 16; Go allows 100)."""
MAX_TREE_SIZE: Final[int] = 2**63 - 1
"""Largest tree size, index or timestamp accepted: Go parses them as int64/u63."""

SIG_PREFIX: Final[str] = "\u2014 "  # EM DASH, space
ED25519_SIZE: Final[int] = 32
ED25519_SIG_SIZE: Final[int] = 64
TIMESTAMP_SIZE: Final[int] = 8
HASH_SIZE: Final[int] = 32
KEY_ID_SIZE: Final[int] = 4

# Control characters other than newline are forbidden anywhere in a signed note.
FORBIDDEN_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
#: What a key name may not hold: '+', a control character, or Unicode space (in a str
#: pattern, \s is exactly what str.isspace() accepts; one C-level scan per name).
FORBIDDEN_IN_NAME = re.compile(r"[+\s\x00-\x1f]")
# [0-9] rather than \d: \d also matches non-ASCII digits, which int() would accept.
DECIMAL = re.compile(r"0|[1-9][0-9]*")
HEX_KEY_ID = re.compile(r"[0-9a-fA-F]{8}")


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str, what: str) -> bytes:
    """Decode standard, padded, canonical base64, or raise NoteError naming ``what``."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):  # binascii.Error is a ValueError
        raise NoteError("note_base64_invalid", what=what) from None
    # b64decode tolerates non-zero padding bits; requiring the canonical form makes
    # parse -> serialise byte-exact and removes signature-line malleability.
    if b64encode(raw) != text:
        raise NoteError("note_base64_not_canonical", what=what)
    return raw


def parse_decimal(text: str, what: str) -> int:
    """Parse an ASCII decimal without leading zeros, at most MAX_TREE_SIZE."""
    if not DECIMAL.fullmatch(text):
        raise NoteError("note_decimal_invalid", what=what, text=text)
    value = int(text)
    if value > MAX_TREE_SIZE:
        raise NoteError("note_decimal_too_large", what=what, value=value)
    return value


def check_int(value: int, what: str) -> None:
    # bool is an int subclass; True as a tree size is always a bug.
    if not isinstance(value, int) or isinstance(value, bool):
        raise NoteError("note_int_type", what=what, kind=type(value).__name__)
    if not 0 <= value <= MAX_TREE_SIZE:
        raise NoteError("note_int_range", what=what, value=value)


def check_name(name: str) -> None:
    """Key names: non-empty, no Unicode space, no '+', no control character."""
    if not isinstance(name, str) or not name:
        raise NoteError("key_name_empty")
    if FORBIDDEN_IN_NAME.search(name):
        raise NoteError("key_name_forbidden", name=name)


def text_bytes(text: str) -> bytes:
    """Validate note text and return its UTF-8 bytes (what signatures cover)."""
    if not isinstance(text, str):
        raise NoteError("note_text_type", kind=type(text).__name__)
    if not text.endswith("\n"):
        raise NoteError("note_text_no_newline")
    if FORBIDDEN_CONTROL.search(text):
        raise NoteError("note_text_control")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        raise NoteError("note_text_not_unicode") from None


def compute_key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    """Return ``SHA-256(name || 0x0A || signature_type || public_key)[:4]``."""
    material = name.encode("utf-8") + b"\n" + bytes([signature_type]) + public_key
    return hashlib.sha256(material).digest()[:KEY_ID_SIZE]


def parse_vkey(vkey: str) -> tuple[str, bytes, int, bytes]:
    """Split ``name+hex(keyID)+base64(type||key)``; return (name, key_id, type, key)."""
    if not isinstance(vkey, str):
        raise NoteError("vkey_type")
    # The base64 part may itself contain '+', so split at most twice.
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise NoteError("vkey_form")
    name, hex_id, key64 = parts
    check_name(name)
    if not HEX_KEY_ID.fullmatch(hex_id):
        raise NoteError("vkey_id_not_hex", key_id=hex_id)
    raw = b64decode(key64, "verifier key")
    if len(raw) < 2:
        raise NoteError("vkey_empty")
    signature_type, public_key = raw[0], raw[1:]
    key_id = bytes.fromhex(hex_id)
    if compute_key_id(name, signature_type, public_key) != key_id:
        raise NoteError("vkey_id_mismatch", key_id=hex_id)
    return name, key_id, signature_type, public_key


def parse_skey(skey: str) -> tuple[str, bytes, int, bytes]:
    """Split ``PRIVATE+KEY+name+hex(keyID)+base64(type||seed)``; return (name, id, type, seed).

    The key ID is checked later, once the public key has been derived.
    """
    if not isinstance(skey, str):
        raise NoteError("skey_type")
    parts = skey.split("+", 4)
    if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
        raise NoteError("skey_form")
    name, hex_id, key64 = parts[2:]
    check_name(name)
    if not HEX_KEY_ID.fullmatch(hex_id):
        raise NoteError("skey_id_not_hex", key_id=hex_id)
    raw = b64decode(key64, "signer key")
    if len(raw) < 2:
        raise NoteError("skey_empty")
    return name, bytes.fromhex(hex_id), raw[0], raw[1:]


def ed25519_public_key(raw: bytes) -> Ed25519PublicKey:
    if len(raw) != ED25519_SIZE:
        raise NoteError("note_public_key_size", size=ED25519_SIZE, got=len(raw))
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise NoteError("note_public_key_invalid", detail=str(exc)) from None
