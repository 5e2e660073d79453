"""In a real browser: log in, make a signing key that never leaves the browser, sign, keep the receipt."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs

from webtest import browser_enrol_key, browser_log_in, screenshot, sign_and_send

from demo.loader import DEMO_PASSPHRASE, demo_key, demo_pdf
from keys import VerifyingKey
from ledger.signing.dsse import PAYLOAD_TYPE, pae
from web.instance import Instance

COMMUNE_OFFICER = "11950.bui.ngoc.cuong"


def test_an_officer_logs_in_and_makes_a_key_that_is_approved_on_the_demo(page: Any, live_server: str) -> None:
    browser_log_in(page, live_server, COMMUNE_OFFICER)
    assert "Phường Lam Sơn" in page.inner_text("header")

    key_id = browser_enrol_key(page, live_server)

    assert key_id.startswith("ed25519:")
    assert "Đã đăng ký" in page.inner_text("table")
    assert "phê duyệt tự động" in page.inner_text("main")
    screenshot(page, "khoa-ky")


def test_the_private_key_never_reaches_the_server(page: Any, live_server: str) -> None:
    """Everything the key page posts is the public key and its id: 32 bytes, nothing more."""
    posted: list[dict[str, Any]] = []
    page.on("request", lambda r: posted.append({"url": r.url, "body": r.post_data}) if r.method == "POST" else None)
    browser_log_in(page, live_server, COMMUNE_OFFICER)
    browser_enrol_key(page, live_server)

    enrolment = [p for p in posted if p["url"].endswith("/khoa-ky/")]
    assert len(enrolment) == 1
    fields = dict(pair.split("=", 1) for pair in enrolment[0]["body"].split("&"))
    assert set(fields) == {"csrf_token", "public_key", "key_id"}
    stored = page.evaluate(
        """async () => new Promise((resolve) => {
            const open = indexedDB.open("parledger-keys", 1);
            open.onsuccess = () => {
              const get = open.result.transaction("keys").objectStore("keys").getAll();
              get.onsuccess = () => resolve(get.result.map((r) => ({
                extractable: r.privateKey.extractable, type: r.privateKey.type })));
            };
        })"""
    )
    assert stored == [{"extractable": False, "type": "private"}]
    assert json.dumps(posted).count("PRIVATE") == 0


def test_an_officer_imports_their_key_file_and_its_passphrase_stays_in_the_browser(
    page: Any, live_server: str, demo_instance: Instance
) -> None:
    """The demo key file of Lam Sơn's officer (par-ledger-key/v2, passphrase 'demo') is already registered."""
    browser_log_in(page, live_server, COMMUNE_OFFICER)
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.post_data or "") if r.method == "POST" else None)
    page.goto(f"{live_server}/khoa-ky/")
    key_file = demo_instance.keys_path / f"{COMMUNE_OFFICER}.key"
    page.set_input_files("#key-file", str(key_file))

    page.fill("#key-passphrase", "not the passphrase")
    page.click("button[data-import-button]")
    page.wait_for_selector("#key-status:has-text('Sai cụm mật khẩu')", timeout=60_000)

    page.fill("#key-passphrase", DEMO_PASSPHRASE)
    page.click("button[data-import-button]")
    page.wait_for_selector("td.status-approved", timeout=60_000)

    assert page.inner_text("td code") == demo_key(COMMUNE_OFFICER).key_id
    assert len(posted) == 1
    fields = dict(pair.split("=", 1) for pair in posted[0].split("&"))
    assert set(fields) == {"csrf_token", "public_key", "key_id"}
    assert "passphrase" not in posted[0]
    assert "ciphertext" not in posted[0]


def test_signing_posts_the_payload_the_signature_and_the_key_id_and_no_key_material(
    page: Any, live_server: str
) -> None:
    """What the review page sends: the payload it was given, unchanged, and a signature that verifies."""
    browser_log_in(page, live_server, COMMUNE_OFFICER)
    key_id = browser_enrol_key(page, live_server)
    page.goto(f"{live_server}/nop/van-ban")
    page.select_option("#f-year", "2024")
    page.fill("#f-title", "Báo cáo thử ký số")
    page.fill("#f-issued_on", "01/10/2024")
    pdf = demo_pdf("Bao cao thu", ["UBND phuong Lam Son"])
    page.set_input_files("#f-file", files=[{"name": "Báo cáo.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    page.click("form.form button[type=submit]")
    prepared = page.get_attribute("form[data-sign]", "data-payload")
    public_key = page.evaluate(
        """async (officer) => new Promise((resolve) => {
            const open = indexedDB.open("parledger-keys", 1);
            open.onsuccess = () => {
              const get = open.result.transaction("keys").objectStore("keys").get(officer);
              get.onsuccess = () => resolve(get.result.publicKey);
            };
        })""",
        COMMUNE_OFFICER,
    )
    with page.expect_request(lambda r: r.url.endswith("/ky") and r.method == "POST") as sent:
        sign_and_send(page)

    fields = parse_qs(sent.value.post_data or "")
    assert set(fields) == {"csrf_token", "payload", "signature", "key_id", "title", "back"}
    assert fields["payload"] == [prepared]
    assert fields["key_id"] == [key_id]
    VerifyingKey.from_base64(public_key).verify(
        base64.b64decode(fields["signature"][0]), pae(PAYLOAD_TYPE, base64.b64decode(prepared))
    )
    assert "Đã ghi vào sổ cái" in page.inner_text("main")
