"""Ed25519 key pairs and key ids, in memory."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keys import (
    BadSignatureError,
    KeyFormatError,
    SigningKey,
    VerifyingKey,
    key_id_of,
    short_key_id,
)

SEED = bytes(range(32))
KEY = SigningKey.from_seed(SEED)
OTHER = SigningKey.from_seed(bytes(32))
DATA = b"assessment 2024: score 87.5"
SIGNATURE = KEY.sign(DATA)


def flip_bit(data: bytes, bit: int) -> bytes:
    flipped = bytearray(data)
    flipped[bit // 8] ^= 1 << (bit % 8)
    return bytes(flipped)


def test_key_id_is_the_prefixed_sha256_of_the_raw_public_key() -> None:
    raw = KEY.verifying_key.raw
    assert raw.hex() == "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
    assert KEY.key_id == "ed25519:" + hashlib.sha256(raw).hexdigest()
    assert KEY.key_id == ("ed25519:56475aa75463474c0285df5dbf2bcab73da651358839e9b77481b2eab107708c")
    assert key_id_of(raw) == KEY.key_id == KEY.verifying_key.key_id


def test_short_key_id_keeps_the_prefix_and_16_hex_digits() -> None:
    assert short_key_id(KEY.key_id) == "ed25519:56475aa75463474c"


def test_key_id_of_refuses_a_public_key_that_is_not_32_bytes() -> None:
    with pytest.raises(KeyFormatError, match="32 bytes, not 31"):
        key_id_of(bytes(31))


def test_the_same_seed_always_gives_the_same_key() -> None:
    assert SigningKey.from_seed(SEED).seed == SEED
    assert SigningKey.from_seed(SEED).verifying_key == KEY.verifying_key


@pytest.mark.parametrize("size", [31, 33])
def test_from_seed_refuses_a_seed_that_is_not_32_bytes(size: int) -> None:
    with pytest.raises(KeyFormatError, match=f"seed is 32 bytes, not {size}"):
        SigningKey.from_seed(bytes(size))


def test_generated_keys_differ() -> None:
    assert SigningKey.generate().key_id != SigningKey.generate().key_id


def test_a_signature_verifies_under_the_signers_verifying_key() -> None:
    assert len(SIGNATURE) == 64
    KEY.verifying_key.verify(SIGNATURE, DATA)


def test_a_signature_does_not_verify_under_another_key() -> None:
    with pytest.raises(BadSignatureError, match="does not verify") as caught:
        OTHER.verifying_key.verify(SIGNATURE, DATA)
    assert caught.value.key_id == OTHER.key_id


@given(bit=st.integers(0, 64 * 8 - 1))
def test_flipping_any_bit_of_the_signature_breaks_it(bit: int) -> None:
    with pytest.raises(BadSignatureError, match="does not verify"):
        KEY.verifying_key.verify(flip_bit(SIGNATURE, bit), DATA)


@given(data=st.binary(min_size=1, max_size=100), choice=st.data())
def test_flipping_any_bit_of_the_data_breaks_the_signature(data: bytes, choice: st.DataObject) -> None:
    signature = KEY.sign(data)
    bit = choice.draw(st.integers(0, len(data) * 8 - 1), label="bit")
    with pytest.raises(BadSignatureError, match="does not verify"):
        KEY.verifying_key.verify(signature, flip_bit(data, bit))


@pytest.mark.parametrize("signature", [SIGNATURE[:63], SIGNATURE + b"\0"], ids=["63 bytes", "65 bytes"])
def test_a_signature_that_is_not_64_bytes_is_refused(signature: bytes) -> None:
    with pytest.raises(BadSignatureError, match=f"signature is {len(signature)} bytes, not 64"):
        KEY.verifying_key.verify(signature, DATA)


@pytest.mark.parametrize("size", [31, 33])
def test_from_raw_refuses_a_public_key_that_is_not_32_bytes(size: int) -> None:
    with pytest.raises(KeyFormatError, match=f"32 bytes, not {size}"):
        VerifyingKey.from_raw(bytes(size))


def test_a_verifying_key_round_trips_through_raw_and_base64() -> None:
    key = KEY.verifying_key
    assert VerifyingKey.from_raw(key.raw) == key
    assert VerifyingKey.from_base64(key.base64) == key
    assert key.base64 == base64.b64encode(key.raw).decode()


@pytest.mark.parametrize("text", ["not base64!", "AAAA" * 10 + "A", "ÄÄÄÄ"])
def test_from_base64_refuses_text_that_is_not_base64(text: str) -> None:
    with pytest.raises(KeyFormatError, match="not valid base64"):
        VerifyingKey.from_base64(text)


def test_from_base64_refuses_base64_of_a_wrong_length_key() -> None:
    with pytest.raises(KeyFormatError, match="32 bytes, not 31"):
        VerifyingKey.from_base64(base64.b64encode(bytes(31)).decode())


def test_verifying_keys_are_equal_and_hash_alike_by_raw_bytes() -> None:
    copy = VerifyingKey.from_raw(KEY.verifying_key.raw)
    assert copy == KEY.verifying_key
    assert len({copy, KEY.verifying_key, OTHER.verifying_key}) == 2
    assert copy != OTHER.verifying_key


def test_repr_of_a_signing_key_shows_the_key_id_but_not_the_seed() -> None:
    shown = repr(KEY) + str(KEY)
    assert KEY.key_id in shown
    for secret in (SEED.hex(), base64.b64encode(SEED).decode(), repr(SEED)):
        assert secret not in shown


def test_a_refusal_names_its_code_and_the_values_it_is_about() -> None:
    with pytest.raises(KeyFormatError) as caught:
        VerifyingKey.from_raw(bytes(31))
    assert (caught.value.code, caught.value.params) == ("public_key_size", {"expected": 32, "size": 31})
    assert caught.value.reason == "an Ed25519 public key is 32 bytes, not 31"
