"""In a real browser: what an officer typed survives a session that ended mid-form, and a file
too large for the server is refused next to its field before anything is sent."""

from __future__ import annotations

from typing import Any

from webtest import browser_log_in

from demo.loader import COMMUNE_OFFICER, DEMO_PASSWORD
from ledger.domain.submissions import MAX_DOCUMENT_BYTES
from web.security import SESSION_COOKIE

TITLE = "Báo cáo kết quả cải cách hành chính quý 3 năm 2024"


def fill_document_form(page: Any, base: str) -> None:
    page.goto(f"{base}/nop/van-ban")
    page.select_option("#f-year", "2024")
    page.fill("#f-title", TITLE)
    page.fill("#f-issued_on", "30/09/2024")
    page.fill("#f-ref", "bao-cao-quy-3")


def test_a_form_sent_after_the_session_ended_is_filled_again_after_logging_in(page: Any, live_server: str) -> None:
    browser_log_in(page, live_server, COMMUNE_OFFICER)
    fill_document_form(page, live_server)
    page.context.clear_cookies(name=SESSION_COOKIE)  # the session ends while the officer types
    page.click("form.form button[type=submit]")

    assert page.inner_text("h1") == "Phiên làm việc đã hết hạn"
    assert page.locator("header .brand").count() == 1  # inside the site's layout
    page.click("#back-to-form")
    page.fill("#f-login", COMMUNE_OFFICER)
    page.fill("#f-password", DEMO_PASSWORD)
    page.click("button[type=submit]")

    page.wait_for_url(f"{live_server}/nop/van-ban")
    assert page.input_value("#f-year") == "2024"
    assert page.input_value("#f-title") == TITLE
    assert page.input_value("#f-issued_on") == "30/09/2024"
    assert page.input_value("#f-ref") == "bao-cao-quy-3"
    assert "chọn lại tệp" in page.inner_text("#kept-notice")

    page.reload()  # filled once: the kept values are gone
    assert page.input_value("#f-title") == ""


def test_a_file_over_the_limit_is_refused_in_the_browser_before_sending(page: Any, live_server: str) -> None:
    browser_log_in(page, live_server, COMMUNE_OFFICER)
    fill_document_form(page, live_server)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    big = {"name": "Báo cáo lớn.pdf", "mimeType": "application/pdf", "buffer": b"%PDF" + bytes(MAX_DOCUMENT_BYTES)}
    page.set_input_files("#f-file", files=[big])

    message = page.inner_text("#size-f-file")
    assert "Báo cáo lớn.pdf" in message
    assert "lớn hơn giới hạn 20,0 MiB" in message
    page.click("form.form button[type=submit]")
    assert page.input_value("#f-title") == TITLE  # still the form, as typed
    assert sent == []
