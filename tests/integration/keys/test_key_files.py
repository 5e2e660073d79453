"""Key files on disk: scrypt-wrapped private keys and one-line public keys.

Each scrypt derivation takes about 0.4 s and 128 MiB by design, so the tests share saved files
and a derived wrapping key through module-scoped fixtures; tests that refuse a file before
its key is derived run fast.
"""

from __future__ import annotations

import base64
import json
import random
import re
import stat
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    PrivateFormat,
    pkcs12,
)

import keys.files
from keys import (
    SCRYPT_N,
    SCRYPT_P,
    SCRYPT_R,
    KeyFileError,
    KeyFormatError,
    SigningKey,
    load_signing_key,
    load_verifying_key,
    save_signing_key,
    save_verifying_key,
)

PASSPHRASE = "correct horse battery staple"
KEY = SigningKey.from_seed(bytes(range(32)))
OTHER = SigningKey.from_seed(bytes(32))
AAD_PREFIX = b"par-ledger-key/v1\n"


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """KEY saved under PASSPHRASE; tests must not change it (copy it to edit it)."""
    path = tmp_path_factory.mktemp("keys") / "not" / "yet" / "there" / "signer.key"
    save_signing_key(path, KEY, PASSPHRASE)
    return path


@pytest.fixture(scope="module")
def second_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """KEY saved again under PASSPHRASE, to compare with key_file."""
    path = tmp_path_factory.mktemp("keys") / "signer-again.key"
    save_signing_key(path, KEY, PASSPHRASE)
    return path


@pytest.fixture(scope="module")
def wrapping() -> tuple[bytes, bytes]:
    """A salt and the scrypt key it gives PASSPHRASE, to craft files as another writer would."""
    salt = bytes(range(16))
    kdf = Scrypt(salt=salt, length=32, n=2**17, r=8, p=1)
    return salt, kdf.derive(PASSPHRASE.encode())


def names(path: Path) -> str:
    return re.escape(str(path))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def read_document(path: Path) -> dict[str, Any]:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def write_document(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    return path


def craft(path: Path, wrapping: tuple[bytes, bytes], plaintext: bytes, key_id: str = KEY.key_id) -> Path:
    """Write a correctly encrypted file holding any plaintext under any key id."""
    salt, wrapping_key = wrapping
    nonce = bytes(12)
    ciphertext = AESGCM(wrapping_key).encrypt(nonce, plaintext, AAD_PREFIX + key_id.encode())
    return write_document(
        path,
        {
            "format": "par-ledger-key/v1",
            "key_id": key_id,
            "kdf": {"name": "scrypt", "n": 2**17, "r": 8, "p": 1, "salt": b64(salt)},
            "cipher": {"name": "AES-256-GCM", "nonce": b64(nonce)},
            "ciphertext": b64(ciphertext),
        },
    )


def edited(tmp_path: Path, key_file: Path, edit: Any) -> Path:
    """Write a copy of key_file's JSON changed by edit(document) and return its path."""
    document = read_document(key_file)
    edit(document)
    return write_document(tmp_path / "edited.key", document)


# Saving and loading


def test_a_saved_key_loads_back_with_its_passphrase(key_file: Path) -> None:
    assert load_signing_key(key_file, PASSPHRASE).seed == KEY.seed


def test_saving_creates_parent_directories_and_leaves_no_temporary_file(key_file: Path) -> None:
    assert list(key_file.parent.iterdir()) == [key_file]


def test_a_key_file_is_readable_and_writable_by_its_owner_only(key_file: Path) -> None:
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_key_file_does_not_hold_the_seed_in_clear(key_file: Path) -> None:
    data = key_file.read_bytes()
    assert KEY.seed not in data
    assert b64(KEY.seed).encode() not in data
    assert KEY.seed.hex().encode() not in data


def test_a_key_file_is_one_line_of_compact_json_in_the_documented_layout(key_file: Path) -> None:
    text = key_file.read_text(encoding="utf-8")
    assert text.endswith("\n")
    assert text.count("\n") == 1
    assert " " not in text
    document = read_document(key_file)
    assert list(document) == ["format", "key_id", "kdf", "cipher", "ciphertext"]
    assert document["format"] == "par-ledger-key/v1"
    assert document["key_id"] == KEY.key_id
    assert list(document["kdf"]) == ["name", "n", "r", "p", "salt"]
    assert list(document["cipher"]) == ["name", "nonce"]
    assert document["cipher"]["name"] == "AES-256-GCM"
    assert len(base64.b64decode(document["kdf"]["salt"], validate=True)) == 16
    assert len(base64.b64decode(document["cipher"]["nonce"], validate=True)) == 12
    # The 32-byte seed and the 16-byte GCM tag.
    assert len(base64.b64decode(document["ciphertext"], validate=True)) == 48


def test_the_kdf_is_scrypt_at_owasps_minimum_cost(key_file: Path) -> None:
    assert (SCRYPT_N, SCRYPT_R, SCRYPT_P) == (2**17, 8, 1)
    kdf = read_document(key_file)["kdf"]
    assert (kdf["name"], kdf["n"], kdf["r"], kdf["p"]) == ("scrypt", SCRYPT_N, SCRYPT_R, SCRYPT_P)


def test_each_save_draws_a_fresh_salt_and_nonce(key_file: Path, second_key_file: Path) -> None:
    first, second = read_document(key_file), read_document(second_key_file)
    assert first["key_id"] == second["key_id"]
    assert first["kdf"]["salt"] != second["kdf"]["salt"]
    assert first["cipher"]["nonce"] != second["cipher"]["nonce"]
    assert first["ciphertext"] != second["ciphertext"]


def test_the_documented_format_can_be_read_without_our_code(key_file: Path) -> None:
    """Follow the module docstring with bare cryptography primitives."""
    document = read_document(key_file)
    kdf, cipher = document["kdf"], document["cipher"]
    wrapping_key = Scrypt(salt=base64.b64decode(kdf["salt"]), length=32, n=kdf["n"], r=kdf["r"], p=kdf["p"]).derive(
        unicodedata.normalize("NFC", PASSPHRASE).encode("utf-8")
    )
    seed = AESGCM(wrapping_key).decrypt(
        base64.b64decode(cipher["nonce"]),
        base64.b64decode(document["ciphertext"]),
        AAD_PREFIX + document["key_id"].encode(),
    )
    assert seed == KEY.seed


def test_a_passphrase_loads_the_key_whichever_unicode_form_it_is_typed_in(
    tmp_path: Path,
) -> None:
    composed = unicodedata.normalize("NFC", "mật khẩu")
    decomposed = unicodedata.normalize("NFD", "mật khẩu")
    assert composed != decomposed
    assert composed.encode() != decomposed.encode()
    path = tmp_path / "signer.key"
    save_signing_key(path, KEY, decomposed)
    assert load_signing_key(path, composed).seed == KEY.seed
    assert load_signing_key(path, decomposed).seed == KEY.seed


def test_saving_refuses_to_overwrite_an_existing_file(key_file: Path) -> None:
    before = key_file.read_bytes()
    with pytest.raises(KeyFileError, match=f"{names(key_file)} already exists"):
        save_signing_key(key_file, SigningKey.generate(), PASSPHRASE)
    assert key_file.read_bytes() == before


def test_saving_refuses_an_empty_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "signer.key"
    with pytest.raises(KeyFileError, match="without a passphrase"):
        save_signing_key(path, KEY, "")
    assert not path.exists()


# Refusing files that decrypt wrongly


def test_loading_with_a_wrong_passphrase_names_the_file(key_file: Path) -> None:
    with pytest.raises(KeyFileError, match=names(key_file)) as caught:
        load_signing_key(key_file, "wrong horse")
    message = str(caught.value)
    assert "wrong passphrase, or the file is damaged" in message
    assert "wrong horse" not in message
    assert PASSPHRASE not in message
    assert caught.value.code == "key_file_wrong_passphrase"
    assert "wrong horse" not in repr(caught.value.params)  # the passphrase is no parameter either


def test_a_file_whose_key_id_was_swapped_does_not_open(tmp_path: Path, key_file: Path) -> None:
    path = edited(tmp_path, key_file, lambda document: document.update(key_id=OTHER.key_id))
    with pytest.raises(KeyFileError, match="wrong passphrase, or the file is damaged"):
        load_signing_key(path, PASSPHRASE)


def test_a_file_holding_something_other_than_a_seed_is_not_an_ed25519_key_file(
    tmp_path: Path, wrapping: tuple[bytes, bytes]
) -> None:
    path = craft(tmp_path / "short.key", wrapping, KEY.seed[:31])
    with pytest.raises(KeyFileError, match=f"{names(path)} is not an Ed25519 key file"):
        load_signing_key(path, PASSPHRASE)


def test_a_file_whose_key_id_names_another_key_is_refused(tmp_path: Path, wrapping: tuple[bytes, bytes]) -> None:
    # Encrypted with the claimed id as associated data, so only the final check catches it.
    path = craft(tmp_path / "mislabelled.key", wrapping, OTHER.seed, key_id=KEY.key_id)
    with pytest.raises(KeyFileError, match=f"{names(path)}: key id does not match the key"):
        load_signing_key(path, PASSPHRASE)


# Refusing a file's cost parameters before deriving a key


@pytest.mark.parametrize(
    ("kdf", "problem"),
    [
        ({"n": 1024}, "weak scrypt parameters n=1024, r=8, p=1"),
        ({"n": 2**16}, "weak scrypt parameters n=65536"),
        ({"r": 4}, "weak scrypt parameters n=131072, r=4"),
        ({"p": 0}, "weak scrypt parameters n=131072, r=8, p=0"),
        ({"n": 2**17 + 1}, "scrypt n=131073, which is not a power of two"),
        ({"n": 2**21}, "absurd scrypt parameters n=2097152"),
        ({"n": 2**20, "r": 16}, "absurd scrypt parameters n=1048576, r=16"),
        ({"r": 2**20}, "absurd scrypt parameters n=131072, r=1048576"),
        ({"p": 2**10}, "absurd scrypt parameters n=131072, r=8, p=1024"),
    ],
    ids=[
        "n=1024",
        "n=2^16",
        "r=4",
        "p=0",
        "n not a power of two",
        "n=2^21",
        "1 GiB at r=16",
        "r=2^20",
        "p=2^10",
    ],
)
def test_weak_or_absurd_scrypt_parameters_are_refused(
    tmp_path: Path, key_file: Path, kdf: dict[str, int], problem: str
) -> None:
    path = edited(tmp_path, key_file, lambda document: document["kdf"].update(kdf))
    with pytest.raises(KeyFileError, match=f"{names(path)} has {re.escape(problem)}"):
        load_signing_key(path, PASSPHRASE)


@pytest.mark.parametrize(
    "kdf",
    [{"n": 2**20}, {"r": 64}, {"p": 8}],
    ids=["n=2^20", "r=64", "p=8"],
)
def test_the_costliest_accepted_parameters_go_on_to_the_key_derivation(
    tmp_path: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch, kdf: dict[str, int]
) -> None:
    # Stand in for scrypt: these would take up to 1 GiB and seconds each.
    derived: list[tuple[int, int, int]] = []

    def fake_derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        derived.append((n, r, p))
        return bytes(32)

    monkeypatch.setattr(keys.files, "_derive", fake_derive)
    path = edited(tmp_path, key_file, lambda document: document["kdf"].update(kdf))
    with pytest.raises(KeyFileError, match="wrong passphrase, or the file is damaged"):
        load_signing_key(path, PASSPHRASE)
    expected = {"n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, **kdf}
    assert derived == [(expected["n"], expected["r"], expected["p"])]


# Refusing malformed par-ledger-key/v1 files


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda d: d.pop("ciphertext"), "it has no ciphertext"),
        (lambda d: d["kdf"].pop("salt"), "it has no kdf.salt"),
        (lambda d: d.update(comment="hi"), "unexpected member comment"),
        (lambda d: d["cipher"].update(tag="x"), "unexpected member cipher.tag"),
        (lambda d: d["kdf"].update(n="131072"), "kdf.n is not a JSON integer"),
        (lambda d: d["kdf"].update(r=True), "kdf.r is not a JSON integer"),
        (lambda d: d["kdf"].update(n=131072.0), "kdf.n is not a JSON integer"),
        (lambda d: d.update(kdf="scrypt"), "kdf is not a JSON object"),
        (lambda d: d.update(key_id="ed25519:xyz"), "key_id 'ed25519:xyz' is not"),
        (lambda d: d["kdf"].update(salt=b64(bytes(8))), "kdf.salt is 8 bytes, not 16"),
        (lambda d: d["cipher"].update(nonce=b64(bytes(16))), "cipher.nonce is 16 bytes, not 12"),
        (lambda d: d.update(ciphertext="not base64!"), "ciphertext is not valid base64"),
    ],
    ids=[
        "no ciphertext",
        "no salt",
        "extra member",
        "extra cipher member",
        "n is a string",
        "r is a boolean",
        "n is a float",
        "kdf is a string",
        "bad key id",
        "short salt",
        "long nonce",
        "bad base64",
    ],
)
def test_a_malformed_key_file_is_refused_saying_what_is_wrong(
    tmp_path: Path, key_file: Path, edit: Any, problem: str
) -> None:
    path = edited(tmp_path, key_file, edit)
    with pytest.raises(KeyFileError, match=f"{names(path)} is a malformed par-ledger-key/v1 file: {problem}"):
        load_signing_key(path, PASSPHRASE)


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda d: d["kdf"].update(name="argon2id"), "uses kdf 'argon2id'; only 'scrypt'"),
        (
            lambda d: d["cipher"].update(name="ChaCha20-Poly1305"),
            "uses cipher 'ChaCha20-Poly1305'; only 'AES-256-GCM'",
        ),
    ],
    ids=["kdf", "cipher"],
)
def test_another_kdf_or_cipher_is_refused(tmp_path: Path, key_file: Path, edit: Any, problem: str) -> None:
    path = edited(tmp_path, key_file, edit)
    with pytest.raises(KeyFileError, match=f"{names(path)} {re.escape(problem)}"):
        load_signing_key(path, PASSPHRASE)


def test_a_duplicated_json_member_is_refused(tmp_path: Path, key_file: Path) -> None:
    # Readers disagree on which copy wins, so a file must not have two.
    text = key_file.read_text(encoding="utf-8")
    path = tmp_path / "duplicate.key"
    path.write_text(text.replace('"kdf":{"name":"scrypt",', '"kdf":{"name":"scrypt","n":1024,'))
    with pytest.raises(KeyFileError, match=f"{names(path)} is not a PAR Ledger key file"):
        load_signing_key(path, PASSPHRASE)


def test_an_unknown_format_version_is_refused(tmp_path: Path, key_file: Path) -> None:
    path = edited(tmp_path, key_file, lambda d: d.update(format="par-ledger-key/v2"))
    with pytest.raises(
        KeyFileError,
        match=f"{names(path)} has unknown format version 'par-ledger-key/v2'; only par-ledger-key/v1 is accepted",
    ):
        load_signing_key(path, PASSPHRASE)


# Refusing files that are not par-ledger-key/v1 at all


def test_a_truncated_key_file_is_not_a_par_ledger_key_file(tmp_path: Path, key_file: Path) -> None:
    path = tmp_path / "truncated.key"
    data = key_file.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(KeyFileError, match=f"{names(path)} is not a PAR Ledger key file$"):
        load_signing_key(path, PASSPHRASE)


@pytest.mark.parametrize(
    "data",
    [
        random.Random(0).randbytes(512),
        b'{"hello": "world"}\n',
        b'["par-ledger-key/v1"]\n',
        b'{"format": "something-else/v1"}\n',
        b'{"format": NaN}\n',
        b"[" * 60_000,
        "mật khẩu".encode("utf-16"),
    ],
    ids=["random bytes", "other JSON", "JSON array", "other format", "NaN", "deep", "UTF-16"],
)
def test_a_file_that_is_not_ours_is_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "other.key"
    path.write_bytes(data)
    with pytest.raises(KeyFileError, match=f"{names(path)} is not a PAR Ledger key file$"):
        load_signing_key(path, PASSPHRASE)


def test_an_oversized_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.key"
    path.write_bytes(b" " * (1024 * 1024))
    with pytest.raises(KeyFileError, match=f"{names(path)} is not a PAR Ledger key file: .*over"):
        load_signing_key(path, PASSPHRASE)


def test_a_pem_private_key_file_is_refused_as_pem(tmp_path: Path) -> None:
    path = tmp_path / "rsa.pem"
    path.write_bytes(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(PASSPHRASE.encode())
        )
    )
    assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with pytest.raises(
        KeyFileError,
        match=f"{names(path)} is not a PAR Ledger key file: it looks like a PEM file;"
        " only par-ledger-key/v1 files are accepted",
    ):
        load_signing_key(path, PASSPHRASE)


def test_a_pkcs12_file_even_of_our_own_key_is_refused_as_binary_der(tmp_path: Path) -> None:
    path = tmp_path / "signer.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name=KEY.key_id.encode(),
            key=Ed25519PrivateKey.from_private_bytes(KEY.seed),
            cert=None,
            cas=None,
            encryption_algorithm=BestAvailableEncryption(PASSPHRASE.encode()),
        )
    )
    with pytest.raises(
        KeyFileError,
        match=f"{names(path)} is not a PAR Ledger key file: it looks like a binary DER file"
        r" \(such as PKCS#12 or PKCS#8\); only par-ledger-key/v1 files are accepted",
    ):
        load_signing_key(path, PASSPHRASE)


def test_loading_an_empty_file_says_it_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.key"
    path.touch()
    with pytest.raises(KeyFileError, match=f"{names(path)} is empty"):
        load_signing_key(path, PASSPHRASE)


def test_loading_a_missing_file_says_it_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "missing.key"
    with pytest.raises(KeyFileError, match=f"{names(path)} does not exist"):
        load_signing_key(path, PASSPHRASE)


# Verifying keys


def test_a_verifying_key_file_is_one_line_of_key_id_and_base64(tmp_path: Path) -> None:
    path = tmp_path / "pub" / "signer.pub"
    save_verifying_key(path, KEY.verifying_key)
    assert path.read_text() == f"{KEY.key_id} {KEY.verifying_key.base64}\n"
    assert load_verifying_key(path) == KEY.verifying_key


def test_saving_a_verifying_key_refuses_to_overwrite_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "signer.pub"
    path.write_text("keep me\n")
    with pytest.raises(KeyFileError, match="already exists"):
        save_verifying_key(path, KEY.verifying_key)
    assert path.read_text() == "keep me\n"


def test_loading_a_verifying_key_file_whose_id_does_not_match_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "signer.pub"
    other_id = SigningKey.from_seed(bytes(32)).key_id
    path.write_text(f"{other_id} {KEY.verifying_key.base64}\n")
    with pytest.raises(KeyFormatError, match=f"{names(path)}: key id .* does not match"):
        load_verifying_key(path)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (f"rsa:{'0' * 64} {KEY.verifying_key.base64}\n", "does not start with 'ed25519:'"),
        (f"{KEY.key_id} not-base64\n", "not valid base64"),
        (f"{KEY.verifying_key.base64}\n", "is not a '<key id> <base64 public key>' line"),
        ("", "is not a '<key id> <base64 public key>' line"),
    ],
    ids=["wrong prefix", "bad base64", "no key id", "empty"],
)
def test_loading_a_malformed_verifying_key_file_is_refused(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / "signer.pub"
    path.write_text(line)
    with pytest.raises(KeyFormatError, match=f"{names(path)}.*{re.escape(problem)}"):
        load_verifying_key(path)


def test_loading_a_missing_verifying_key_file_says_it_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "missing.pub"
    with pytest.raises(KeyFileError, match=f"{names(path)} does not exist"):
        load_verifying_key(path)
