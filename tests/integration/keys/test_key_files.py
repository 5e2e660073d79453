"""Key files on disk: passphrase-wrapped private keys (PBKDF2 and AES-GCM) and one-line public keys.

Each key derivation takes 600,000 PBKDF2 iterations by design, so the tests share saved files
and a derived wrapping key through module-scoped fixtures; tests that refuse a file before
its key is derived run fast. Every refusal is checked by its code and by its message.
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
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    PrivateFormat,
    pkcs12,
)

from keys import (
    PBKDF2_ITERATIONS,
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
AAD_PREFIX = b"par-ledger-key/v2\n"
#: What keys/files.py accepts at most, in iterations.
MAX_ITERATIONS = 10_000_000


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
    """A salt and the PBKDF2 key it gives PASSPHRASE, to craft files as another writer would."""
    salt = bytes(range(16))
    return salt, pbkdf2(PASSPHRASE, salt, PBKDF2_ITERATIONS)


def pbkdf2(passphrase: str, salt: bytes, iterations: int) -> bytes:
    """The wrapping key, derived as the module docstring says, with bare cryptography."""
    password = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return PBKDF2HMAC(SHA256(), 32, salt, iterations).derive(password)


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


def craft(
    path: Path,
    wrapping: tuple[bytes, bytes],
    plaintext: bytes,
    key_id: str = KEY.key_id,
    iterations: int = PBKDF2_ITERATIONS,
) -> Path:
    """Write a correctly encrypted file holding any plaintext under any key id."""
    salt, wrapping_key = wrapping
    nonce = bytes(12)
    ciphertext = AESGCM(wrapping_key).encrypt(nonce, plaintext, AAD_PREFIX + key_id.encode())
    return write_document(
        path,
        {
            "format": "par-ledger-key/v2",
            "key_id": key_id,
            "kdf": {"name": "PBKDF2-HMAC-SHA256", "iterations": iterations, "salt": b64(salt)},
            "cipher": {"name": "AES-256-GCM", "nonce": b64(nonce)},
            "ciphertext": b64(ciphertext),
        },
    )


def edited(tmp_path: Path, key_file: Path, edit: Any) -> Path:
    """Write a copy of key_file's JSON changed by edit(document) and return its path."""
    document = read_document(key_file)
    edit(document)
    return write_document(tmp_path / "edited.key", document)


def refusal(path: Path, passphrase: str = PASSPHRASE) -> KeyFileError:
    """The KeyFileError that loading path raises."""
    with pytest.raises(KeyFileError) as caught:
        load_signing_key(path, passphrase)
    return caught.value


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
    assert document["format"] == "par-ledger-key/v2"
    assert document["key_id"] == KEY.key_id
    assert list(document["kdf"]) == ["name", "iterations", "salt"]
    assert list(document["cipher"]) == ["name", "nonce"]
    assert document["cipher"]["name"] == "AES-256-GCM"
    assert len(base64.b64decode(document["kdf"]["salt"], validate=True)) == 16
    assert len(base64.b64decode(document["cipher"]["nonce"], validate=True)) == 12
    # The 32-byte seed and the 16-byte GCM tag.
    assert len(base64.b64decode(document["ciphertext"], validate=True)) == 48


def test_the_kdf_is_pbkdf2_hmac_sha256_at_owasps_600000_iterations(key_file: Path) -> None:
    assert PBKDF2_ITERATIONS == 600_000
    kdf = read_document(key_file)["kdf"]
    assert (kdf["name"], kdf["iterations"]) == ("PBKDF2-HMAC-SHA256", 600_000)


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
    wrapping_key = PBKDF2HMAC(SHA256(), 32, base64.b64decode(kdf["salt"]), kdf["iterations"]).derive(
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
    with pytest.raises(KeyFileError, match=f"{names(key_file)} already exists") as caught:
        save_signing_key(key_file, SigningKey.generate(), PASSPHRASE)
    assert caught.value.code == "key_file_exists"
    assert key_file.read_bytes() == before


def test_saving_refuses_an_empty_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "signer.key"
    with pytest.raises(KeyFileError, match="without a passphrase") as caught:
        save_signing_key(path, KEY, "")
    assert caught.value.code == "key_file_without_passphrase"
    assert not path.exists()


# Refusing files that decrypt wrongly


def test_loading_with_a_wrong_passphrase_names_the_file(key_file: Path) -> None:
    error = refusal(key_file, "wrong horse")
    message = str(error)
    assert error.code == "key_file_wrong_passphrase"
    assert message == f"cannot open key file {key_file}: wrong passphrase, or the file is damaged"
    assert "wrong horse" not in message
    assert PASSPHRASE not in message
    assert "wrong horse" not in repr(error.params)  # the passphrase is no parameter either


def test_a_file_whose_key_id_was_swapped_does_not_open(tmp_path: Path, key_file: Path) -> None:
    path = edited(tmp_path, key_file, lambda document: document.update(key_id=OTHER.key_id))
    assert refusal(path).code == "key_file_wrong_passphrase"


def test_a_file_whose_iteration_count_was_raised_does_not_open(tmp_path: Path, key_file: Path) -> None:
    path = edited(tmp_path, key_file, lambda document: document["kdf"].update(iterations=PBKDF2_ITERATIONS + 1))
    assert refusal(path).code == "key_file_wrong_passphrase"


def test_a_file_holding_something_other_than_a_seed_is_not_an_ed25519_key_file(
    tmp_path: Path, wrapping: tuple[bytes, bytes]
) -> None:
    path = craft(tmp_path / "short.key", wrapping, KEY.seed[:31])
    error = refusal(path)
    assert (error.code, error.params["size"]) == ("key_file_seed_size", 31)
    assert re.match(f"key file {names(path)} is not an Ed25519 key file", str(error))


def test_a_file_whose_key_id_names_another_key_is_refused(tmp_path: Path, wrapping: tuple[bytes, bytes]) -> None:
    # Encrypted with the claimed id as associated data, so only the final check catches it.
    path = craft(tmp_path / "mislabelled.key", wrapping, OTHER.seed, key_id=KEY.key_id)
    error = refusal(path)
    assert error.code == "key_file_key_id_mismatch"
    assert re.match(f"key file {names(path)}: key id does not match the key", str(error))


# The iteration count: refused before any key is derived when too low or absurdly high


@pytest.mark.parametrize(
    ("iterations", "code", "problem"),
    [
        (1, "key_file_few_iterations", "too few PBKDF2 iterations (1); at least 600000 are required"),
        (0, "key_file_few_iterations", "too few PBKDF2 iterations (0); at least 600000"),
        (-600_000, "key_file_few_iterations", "too few PBKDF2 iterations (-600000)"),
        (100_000, "key_file_few_iterations", "too few PBKDF2 iterations (100000)"),
        (599_999, "key_file_few_iterations", "too few PBKDF2 iterations (599999)"),
        (
            MAX_ITERATIONS + 1,
            "key_file_absurd_iterations",
            "an absurd number of PBKDF2 iterations (10000001); at most 10000000 are accepted",
        ),
        (2**63, "key_file_absurd_iterations", f"an absurd number of PBKDF2 iterations ({2**63})"),
    ],
    ids=["1", "0", "negative", "100000", "one too few", "one too many", "2^63"],
)
def test_too_few_or_absurdly_many_iterations_are_refused(
    tmp_path: Path, key_file: Path, iterations: int, code: str, problem: str
) -> None:
    path = edited(tmp_path, key_file, lambda document: document["kdf"].update(iterations=iterations))
    error = refusal(path)
    assert (error.code, error.params["iterations"]) == (code, iterations)
    assert re.match(f"key file {names(path)} has {re.escape(problem)}", str(error))


def test_a_file_at_the_most_iterations_accepted_opens(tmp_path: Path) -> None:
    # Derived for real: 10,000,000 iterations take a second or two, which is why there is a cap.
    salt = bytes(range(16, 32))
    path = craft(
        tmp_path / "costly.key",
        (salt, pbkdf2(PASSPHRASE, salt, MAX_ITERATIONS)),
        KEY.seed,
        iterations=MAX_ITERATIONS,
    )
    assert load_signing_key(path, PASSPHRASE).seed == KEY.seed


# Refusing malformed par-ledger-key/v2 files


@pytest.mark.parametrize(
    ("edit", "code", "problem"),
    [
        (lambda d: d.pop("ciphertext"), "key_file_missing_member", "it has no ciphertext"),
        (lambda d: d["kdf"].pop("salt"), "key_file_missing_member", "it has no kdf.salt"),
        (lambda d: d["kdf"].pop("iterations"), "key_file_missing_member", "it has no kdf.iterations"),
        (lambda d: d.update(comment="hi"), "key_file_unexpected_member", "unexpected member comment"),
        (lambda d: d["cipher"].update(tag="x"), "key_file_unexpected_member", "unexpected member cipher.tag"),
        (lambda d: d["kdf"].update(n=131072), "key_file_unexpected_member", "unexpected member kdf.n"),
        (
            lambda d: d["kdf"].update(iterations="600000"),
            "key_file_member_type",
            "kdf.iterations is not a JSON integer",
        ),
        (lambda d: d["kdf"].update(iterations=True), "key_file_member_type", "kdf.iterations is not a JSON integer"),
        (
            lambda d: d["kdf"].update(iterations=600000.0),
            "key_file_member_type",
            "kdf.iterations is not a JSON integer",
        ),
        (lambda d: d.update(kdf="PBKDF2-HMAC-SHA256"), "key_file_member_type", "kdf is not a JSON object"),
        (lambda d: d.update(key_id="ed25519:xyz"), "key_file_bad_key_id", "key_id 'ed25519:xyz' is not"),
        (lambda d: d["kdf"].update(salt=b64(bytes(8))), "key_file_member_size", "kdf.salt is 8 bytes, not 16"),
        (lambda d: d["kdf"].update(salt=b64(bytes(32))), "key_file_member_size", "kdf.salt is 32 bytes, not 16"),
        (
            lambda d: d["cipher"].update(nonce=b64(bytes(16))),
            "key_file_member_size",
            "cipher.nonce is 16 bytes, not 12",
        ),
        (lambda d: d["cipher"].update(nonce=""), "key_file_member_size", "cipher.nonce is 0 bytes, not 12"),
        (lambda d: d.update(ciphertext="not base64!"), "key_file_member_not_base64", "ciphertext is not valid base64"),
    ],
    ids=[
        "no ciphertext",
        "no salt",
        "no iterations",
        "extra member",
        "extra cipher member",
        "scrypt's n",
        "iterations is a string",
        "iterations is a boolean",
        "iterations is a float",
        "kdf is a string",
        "bad key id",
        "short salt",
        "long salt",
        "long nonce",
        "empty nonce",
        "bad base64",
    ],
)
def test_a_malformed_key_file_is_refused_saying_what_is_wrong(
    tmp_path: Path, key_file: Path, edit: Any, code: str, problem: str
) -> None:
    path = edited(tmp_path, key_file, edit)
    error = refusal(path)
    assert error.code == code
    assert re.match(f"key file {names(path)} is a malformed par-ledger-key/v2 file: {re.escape(problem)}", str(error))


@pytest.mark.parametrize(
    ("edit", "code", "problem"),
    [
        (lambda d: d["kdf"].update(name="scrypt"), "key_file_kdf", "uses kdf 'scrypt'; only 'PBKDF2-HMAC-SHA256'"),
        (
            lambda d: d["kdf"].update(name="PBKDF2-HMAC-SHA1"),
            "key_file_kdf",
            "uses kdf 'PBKDF2-HMAC-SHA1'; only 'PBKDF2-HMAC-SHA256'",
        ),
        (
            lambda d: d["cipher"].update(name="ChaCha20-Poly1305"),
            "key_file_cipher",
            "uses cipher 'ChaCha20-Poly1305'; only 'AES-256-GCM'",
        ),
        (lambda d: d["cipher"].update(name="AES-128-GCM"), "key_file_cipher", "uses cipher 'AES-128-GCM'"),
    ],
    ids=["scrypt", "PBKDF2 with SHA-1", "ChaCha20", "AES-128"],
)
def test_another_kdf_or_cipher_is_refused(tmp_path: Path, key_file: Path, edit: Any, code: str, problem: str) -> None:
    path = edited(tmp_path, key_file, edit)
    error = refusal(path)
    assert error.code == code
    assert re.match(f"key file {names(path)} {re.escape(problem)}", str(error))


def test_a_duplicated_json_member_is_refused(tmp_path: Path, key_file: Path) -> None:
    # Readers disagree on which copy wins, so a file must not have two.
    text = key_file.read_text(encoding="utf-8")
    path = tmp_path / "duplicate.key"
    path.write_text(text.replace('"kdf":{', '"kdf":{"iterations":1,'))
    error = refusal(path)
    assert (error.code, str(error)) == ("not_a_key_file", f"{path} is not a PAR Ledger key file")


@pytest.mark.parametrize("version", ["par-ledger-key/v3", "par-ledger-key/v2.1", "par-ledger-key/"])
def test_an_unknown_format_version_is_refused(tmp_path: Path, key_file: Path, version: str) -> None:
    path = edited(tmp_path, key_file, lambda d: d.update(format=version))
    error = refusal(path)
    assert (error.code, error.params["version"]) == ("key_file_version", version)
    assert str(error) == (
        f"key file {path} has unsupported format version {version!r}; only par-ledger-key/v2 is accepted"
    )


def test_a_file_of_the_scrypt_format_v1_is_no_longer_read(tmp_path: Path) -> None:
    """A par-ledger-key/v1 file as the earlier release wrote it (scrypt, N=2^17): refused by version."""
    path = write_document(
        tmp_path / "v1.key",
        {
            "format": "par-ledger-key/v1",
            "key_id": KEY.key_id,
            "kdf": {"name": "scrypt", "n": 2**17, "r": 8, "p": 1, "salt": b64(bytes(16))},
            "cipher": {"name": "AES-256-GCM", "nonce": b64(bytes(12))},
            "ciphertext": b64(bytes(48)),
        },
    )
    error = refusal(path)
    assert (error.code, error.params["version"]) == ("key_file_version", "par-ledger-key/v1")


# Refusing files that are not par-ledger-key/v2 at all


def test_a_truncated_key_file_is_not_a_par_ledger_key_file(tmp_path: Path, key_file: Path) -> None:
    path = tmp_path / "truncated.key"
    data = key_file.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    error = refusal(path)
    assert (error.code, str(error)) == ("not_a_key_file", f"{path} is not a PAR Ledger key file")


@pytest.mark.parametrize(
    "data",
    [
        random.Random(0).randbytes(512),
        b'{"hello": "world"}\n',
        b'["par-ledger-key/v2"]\n',
        b'{"format": "something-else/v2"}\n',
        b'{"format": NaN}\n',
        b"[" * 60_000,
        "mật khẩu".encode("utf-16"),
    ],
    ids=["random bytes", "other JSON", "JSON array", "other format", "NaN", "deep", "UTF-16"],
)
def test_a_file_that_is_not_ours_is_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "other.key"
    path.write_bytes(data)
    error = refusal(path)
    assert (error.code, str(error)) == ("not_a_key_file", f"{path} is not a PAR Ledger key file")


def test_an_oversized_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.key"
    path.write_bytes(b" " * (1024 * 1024))
    error = refusal(path)
    assert error.code == "key_file_too_large"
    assert re.match(f"{names(path)} is not a PAR Ledger key file: .*over", str(error))


def test_a_pem_private_key_file_is_refused_as_pem(tmp_path: Path) -> None:
    path = tmp_path / "rsa.pem"
    path.write_bytes(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(PASSPHRASE.encode())
        )
    )
    assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    error = refusal(path)
    assert error.code == "key_file_is_pem"
    assert str(error) == (
        f"{path} is not a PAR Ledger key file: it looks like a PEM file; only par-ledger-key/v2 files are accepted"
    )


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
    error = refusal(path)
    assert error.code == "key_file_is_der"
    assert str(error) == (
        f"{path} is not a PAR Ledger key file: it looks like a binary DER file"
        " (such as PKCS#12 or PKCS#8); only par-ledger-key/v2 files are accepted"
    )


def test_loading_an_empty_file_says_it_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.key"
    path.touch()
    error = refusal(path)
    assert (error.code, str(error)) == ("key_file_empty", f"key file {path} is empty")


def test_loading_a_missing_file_says_it_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "missing.key"
    error = refusal(path)
    assert (error.code, str(error)) == ("key_file_missing", f"key file {path} does not exist")


def test_loading_a_folder_says_it_cannot_be_read(tmp_path: Path) -> None:
    error = refusal(tmp_path)
    assert error.code == "key_file_unreadable"
    assert str(error).startswith(f"cannot read key file {tmp_path}: ")


def test_saving_where_a_folder_cannot_be_made_says_it_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    with pytest.raises(KeyFileError) as caught:
        save_signing_key(blocker / "signer.key", KEY, PASSPHRASE)
    assert caught.value.code == "key_file_unwritable"
    assert str(caught.value).startswith(f"cannot write key file {blocker / 'signer.key'}: ")


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
