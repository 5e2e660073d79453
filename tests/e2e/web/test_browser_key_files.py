"""In a real browser: PAR Ledger key files (par-ledger-key/v2) open with WebCrypto alone, both ways.

keyfile.js derives with WebCrypto's PBKDF2 and opens with its AES-GCM; the tests check that
derivation against RFC 7914's published PBKDF2-HMAC-SHA256 vectors, open in the browser a
file written by `parledger keys new`, open in Python a file written in the browser, and
see the browser refuse what keys/files.py refuses before it derives anything.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from webtest import browser_log_in

from keys import PBKDF2_ITERATIONS, SigningKey, load_signing_key

COMMUNE_OFFICER = "11950.bui.ngoc.cuong"
PARLEDGER = Path(sys.executable).with_name("parledger")
#: Typed with combining accents on the command line, precomposed in the browser: NFC makes them one.
PASSPHRASE = "Mật khẩu của tệp khoá 2024"

#: (P, S, c, 64-byte answer) of PBKDF2-HMAC-SHA256, from RFC 7914 section 11.
RFC_7914_VECTORS = [
    (
        "passwd",
        "salt",
        1,
        "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
    ),
    (
        "Password",
        "NaCl",
        80_000,
        "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
        "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d",
    ),
]

#: Opens a key file's text with keyfile.js; gives the seed's hex, or the refusal's text.
OPEN_IN_THE_BROWSER = """async ([text, passphrase]) => {
    try {
      const opened = await openKeyFile(text, passphrase);
      return { seed: Array.from(opened.seed, (b) => b.toString(16).padStart(2, "0")).join(""), keyId: opened.keyId };
    } catch (error) {
      return { refused: error instanceof KeyFileError, message: error.message };
    }
}"""

#: Writes a key file in the browser as keys/files.py documents it: keyfile.js's derivation
#: and format name, WebCrypto for the rest, a fresh seed; gives the file's text and the seed.
WRITE_IN_THE_BROWSER = """async ([passphrase, iterations]) => {
    const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
    const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
    const seed = crypto.getRandomValues(new Uint8Array(32));
    const key = await crypto.subtle.importKey("pkcs8", pkcs8OfSeed(seed), { name: "Ed25519" }, true, ["sign"]);
    const x = (await crypto.subtle.exportKey("jwk", key)).x.replace(/-/g, "+").replace(/_/g, "/") + "=";
    const publicKey = Uint8Array.from(atob(x), (c) => c.charCodeAt(0));
    const keyId = "ed25519:" + hex(await crypto.subtle.digest("SHA-256", publicKey));
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    const wrapping = await derivePassphraseBytes(passphrase, salt, iterations, 32);
    const aesKey = await crypto.subtle.importKey("raw", wrapping, "AES-GCM", false, ["encrypt"]);
    const aad = new TextEncoder().encode(`${KEY_FILE_FORMAT}\\n${keyId}`);
    const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: aad }, aesKey, seed);
    const text = JSON.stringify({
      format: KEY_FILE_FORMAT, key_id: keyId,
      kdf: { name: "PBKDF2-HMAC-SHA256", iterations, salt: b64(salt) },
      cipher: { name: "AES-256-GCM", nonce: b64(nonce) }, ciphertext: b64(ciphertext),
    }) + "\\n";
    return { text, seed: hex(seed) };
}"""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def sealed(key: SigningKey, passphrase: str, iterations: int, *, format_: str = "par-ledger-key/v2") -> str:
    """A key file's text written with bare cryptography, at any iteration count."""
    salt, nonce = os.urandom(16), os.urandom(12)
    wrapping = PBKDF2HMAC(SHA256(), 32, salt, iterations).derive(unicodedata.normalize("NFC", passphrase).encode())
    ciphertext = AESGCM(wrapping).encrypt(nonce, key.seed, f"{format_}\n{key.key_id}".encode())
    document = {
        "format": format_,
        "key_id": key.key_id,
        "kdf": {"name": "PBKDF2-HMAC-SHA256", "iterations": iterations, "salt": b64(salt)},
        "cipher": {"name": "AES-256-GCM", "nonce": b64(nonce)},
        "ciphertext": b64(ciphertext),
    }
    return json.dumps(document, separators=(",", ":")) + "\n"


@pytest.fixture
def key_page(page: Any, live_server: str) -> Any:
    """The key page (which loads keyfile.js) of a logged-in commune officer."""
    browser_log_in(page, live_server, COMMUNE_OFFICER)
    page.goto(f"{live_server}/khoa-ky/")
    return page


def test_the_browsers_key_derivation_gives_rfc_7914s_pbkdf2_hmac_sha256_answers(key_page: Any) -> None:
    for password, salt, iterations, expected in RFC_7914_VECTORS:
        derived = key_page.evaluate(
            """async ([password, salt, iterations]) => Array.from(
                await derivePassphraseBytes(password, new TextEncoder().encode(salt), iterations, 64),
                (b) => b.toString(16).padStart(2, "0")).join("")""",
            [password, salt, iterations],
        )
        assert derived == expected, (password, iterations)


def test_the_browser_has_no_hand_written_key_derivation_left(key_page: Any) -> None:
    present = key_page.evaluate(
        "() => ['scrypt', 'roMix', 'blockMix', 'salsa208'].filter((name) => typeof globalThis[name] !== 'undefined')"
    )
    assert present == []


def test_a_key_file_made_by_parledger_keys_new_is_imported_in_the_browser(
    key_page: Any, live_server: str, tmp_path: Path
) -> None:
    out = tmp_path / "officer.key"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "PARLEDGER_"))}
    made = subprocess.run(
        [str(PARLEDGER), "keys", "new", str(out)],
        env={**env, "PARLEDGER_PASSPHRASE": unicodedata.normalize("NFD", PASSPHRASE)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
        check=True,
    )
    key_id = made.stdout.split("key id:", 1)[1].split()[0]
    assert json.loads(out.read_text())["format"] == "par-ledger-key/v2"

    key_page.set_input_files("#key-file", str(out))
    key_page.fill("#key-passphrase", unicodedata.normalize("NFC", PASSPHRASE))
    key_page.click("button[data-import-button]")
    key_page.wait_for_selector("td.status-approved", timeout=60_000)

    assert key_page.locator("td code").first.inner_text() == key_id
    assert load_signing_key(out, PASSPHRASE).key_id == key_id


def test_a_key_file_made_in_the_browser_opens_in_python(key_page: Any, tmp_path: Path) -> None:
    made = key_page.evaluate(WRITE_IN_THE_BROWSER, [unicodedata.normalize("NFD", PASSPHRASE), PBKDF2_ITERATIONS])
    path = tmp_path / "browser.key"
    path.write_text(made["text"], encoding="utf-8")

    key = load_signing_key(path, unicodedata.normalize("NFC", PASSPHRASE))

    assert key.seed.hex() == made["seed"]
    assert json.loads(made["text"])["key_id"] == key.key_id


KEY = SigningKey.from_seed(bytes(range(32)))


def edited(edit: Any) -> str:
    """A well-made key file of KEY, changed by edit(document)."""
    document = json.loads(sealed(KEY, PASSPHRASE, PBKDF2_ITERATIONS))
    edit(document)
    return json.dumps(document)


def test_the_browser_refuses_what_keys_files_refuses(key_page: Any) -> None:
    refusals = {
        # Correctly encrypted under too few iterations: only the check stops it.
        "1000 iterations": (
            sealed(KEY, PASSPHRASE, 1_000),
            "số vòng lặp PBKDF2 không được chấp nhận; chỉ nhận từ 600000 đến 10000000",
        ),
        "one too few": (sealed(KEY, PASSPHRASE, 599_999), "số vòng lặp PBKDF2 không được chấp nhận"),
        "2^40 iterations": (
            edited(lambda d: d["kdf"].update(iterations=2**40)),
            "số vòng lặp PBKDF2 không được chấp nhận",
        ),
        "fractional": (edited(lambda d: d["kdf"].update(iterations=600_000.5)), "số vòng lặp PBKDF2"),
        "as text": (edited(lambda d: d["kdf"].update(iterations="600000")), "số vòng lặp PBKDF2"),
        "scrypt": (edited(lambda d: d["kdf"].update(name="scrypt")), "chỉ nhận PBKDF2-HMAC-SHA256"),
        "AES-128": (edited(lambda d: d["cipher"].update(name="AES-128-GCM")), "chỉ nhận AES-256-GCM"),
        "short salt": (edited(lambda d: d["kdf"].update(salt=b64(bytes(8)))), "trường kdf.salt không hợp lệ"),
        "long nonce": (
            edited(lambda d: d["cipher"].update(nonce=b64(bytes(16)))),
            "trường cipher.nonce không hợp lệ",
        ),
        "bad base64": (edited(lambda d: d.update(ciphertext="not base64!")), "trường ciphertext không hợp lệ"),
        "bad key id": (edited(lambda d: d.update(key_id="ed25519:xyz")), "trường key_id không hợp lệ"),
        "v1": (
            edited(lambda d: d.update(format="par-ledger-key/v1")),
            "phiên bản định dạng par-ledger-key/v1 không được hỗ trợ; chỉ nhận par-ledger-key/v2",
        ),
        "other format": ('{"format": "something-else"}', "Tệp không phải tệp khoá của Sổ cái."),
        "not JSON": ("not JSON", "Tệp không phải tệp khoá của Sổ cái."),
    }
    wrong = {}
    for case, (text, message) in refusals.items():
        opened = key_page.evaluate(OPEN_IN_THE_BROWSER, [text, PASSPHRASE])
        if not (opened.get("refused") is True and message in opened.get("message", "")):
            wrong[case] = opened
    assert wrong == {}
