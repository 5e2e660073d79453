"""The key derivation of key files is PBKDF2-HMAC-SHA256 as published, from `cryptography`.

RFC 7914 section 11 gives PBKDF2-HMAC-SHA256 test vectors (scrypt builds on it); the
browser test checks keyfile.js's derivation against the same vectors.
"""

from __future__ import annotations

import unicodedata

import pytest
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from keys.files import _derive

#: (P, S, c, dkLen = 64 bytes) and the derived key, from RFC 7914 section 11.
RFC_7914_VECTORS = [
    (
        "passwd",
        b"salt",
        1,
        "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
    ),
    (
        "Password",
        b"NaCl",
        80_000,
        "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
        "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d",
    ),
]


@pytest.mark.parametrize(("password", "salt", "iterations", "derived"), RFC_7914_VECTORS, ids=["c=1", "c=80000"])
def test_cryptographys_pbkdf2_hmac_sha256_gives_rfc_7914s_answer(
    password: str, salt: bytes, iterations: int, derived: str
) -> None:
    assert PBKDF2HMAC(SHA256(), 64, salt, iterations).derive(password.encode()).hex() == derived


@pytest.mark.parametrize(("password", "salt", "iterations", "derived"), RFC_7914_VECTORS, ids=["c=1", "c=80000"])
def test_a_key_files_wrapping_key_is_the_first_32_bytes_of_that_answer(
    password: str, salt: bytes, iterations: int, derived: str
) -> None:
    # PBKDF2's output is its blocks T1 || T2 || …, so the first 32 of 64 bytes are dkLen = 32's answer.
    assert _derive(password, salt, iterations).hex() == derived[:64]


def test_the_passphrase_is_derived_from_in_its_nfc_form() -> None:
    decomposed = unicodedata.normalize("NFD", "mật khẩu")
    composed = unicodedata.normalize("NFC", "mật khẩu")
    expected = PBKDF2HMAC(SHA256(), 32, b"salt", 1).derive(composed.encode("utf-8"))
    assert _derive(decomposed, b"salt", 1) == _derive(composed, b"salt", 1) == expected
