"""In a real browser: log in, make a signing key that never leaves the browser, sign, keep the receipt."""

from __future__ import annotations

import json
from typing import Any

from conftest import browser_enrol_key, browser_log_in, screenshot

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
