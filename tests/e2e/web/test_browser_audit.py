"""In a real browser: an auditor looks back at an earlier date and compares; an inspector verifies receipts."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from webtest import browser_log_in, screenshot

AUDITOR = "snv.le.thanh.tuan"
INSPECTOR = "ttt.pham.van.giang"


def _row(page: Any, subject: str) -> str:
    return str(page.inner_text(f'tr[data-subject="{subject}"]'))


def test_an_auditor_sees_the_ratings_before_the_2024_decisions_and_what_changed_since(
    page: Any, live_server: str
) -> None:
    browser_log_in(page, live_server, AUDITOR)
    page.click("header nav >> text=Kiểm toán")
    page.click("main >> text=Xếp loại và thời hạn tại một ngày")

    page.fill("#f-ngay", "2024-11-15")
    page.select_option("#f-nam", "2024")
    page.click("main form button[type=submit]")

    page.wait_for_selector("#as-of-source")
    assert "15/11/2024" in page.inner_text("#as-of-source")
    then = _row(page, "rating/2024/SYT")
    assert "Hoàn thành nhiệm vụ" in then
    assert "Đã tính, chờ UBND tỉnh quyết định" in then
    assert "Hoàn thành tốt nhiệm vụ" not in then
    screenshot(page, "kiem-toan-theo-ngay")

    page.click("main nav >> text=So sánh hai ngày")
    page.fill("#f-tu_ngay", "2024-11-15")
    page.fill("#f-den_ngay", "2024-12-31")
    page.select_option("#f-nam", "2024")
    page.click("main form button[type=submit]")

    page.wait_for_selector("#rating-changes")
    change = page.locator('#rating-changes tr[data-subject="rating/2024/SYT"]')
    assert change.locator("td.before").inner_text() == "Hoàn thành nhiệm vụ"
    assert change.locator("td.after").inner_text() == "Hoàn thành tốt nhiệm vụ"
    assert "Đã điều chỉnh sau kiến nghị" in change.inner_text()
    screenshot(page, "kiem-toan-so-sanh")


def test_an_auditor_downloads_a_receipt_from_a_history_and_the_inspector_page_verifies_it(
    page: Any, live_server: str, tmp_path: Path
) -> None:
    browser_log_in(page, live_server, AUDITOR)
    page.goto(f"{live_server}/kiem-toan/lich-su")
    page.fill("#f-doi_tuong", "rating/2024/SYT")
    page.click("main form button[type=submit]")
    page.wait_for_selector('tr[data-seq="411"]')
    assert "Giải quyết kiến nghị" in page.inner_text('tr[data-seq="411"]')
    screenshot(page, "kiem-toan-lich-su")

    with page.expect_download() as download:
        page.click('tr[data-seq="411"] >> text=Tải biên nhận')
    receipt = tmp_path / download.value.suggested_filename
    download.value.save_as(receipt)
    assert receipt.name == "bien-nhan-411.tlog-proof"

    page.click("header nav >> text=Thanh tra")
    page.set_input_files("#f-bien_nhan", str(receipt))
    page.click("#receipt-form button[type=submit]")
    verdict = page.inner_text("#verdict")
    assert "Biên nhận hợp lệ: đã xác minh" in verdict
    assert "rating.resolve-appeal — rating/2024/SYT" in verdict


def test_an_inspector_verifies_a_receipt_and_refuses_a_tampered_one(page: Any, live_server: str) -> None:
    browser_log_in(page, live_server, INSPECTOR)
    page.click("header nav >> text=Thanh tra")
    assert page.inner_text("#checkpoint-size") == "412"
    assert "chưa có chữ ký xác nhận" in page.inner_text("main")
    screenshot(page, "thanh-tra")

    # The receipt as /bien-nhan/<seq> serves it, in this browser's session.
    receipt = page.request.get(f"{live_server}/bien-nhan/362").body()
    page.set_input_files(
        "#f-bien_nhan", {"name": "bien-nhan-362.tlog-proof", "mimeType": "text/plain", "buffer": receipt}
    )
    page.click("#receipt-form button[type=submit]")
    verdict = page.locator("#verdict")
    assert verdict.get_attribute("data-verdict") == "verified"
    assert verdict.locator("tr", has_text="Mục số").locator("td").inner_text() == "362"
    assert "Mốc kiểm tra" in verdict.inner_text()
    screenshot(page, "thanh-tra-bien-nhan-hop-le")

    lines = receipt.split(b"\n")
    leaf = base64.b64decode(lines[1][len(b"extra ") :])
    lines[1] = b"extra " + base64.b64encode(leaf.replace(b"time 2024-11-12T01:05:20", b"time 2024-11-12T01:05:21"))
    page.set_input_files(
        "#f-bien_nhan", {"name": "bien-nhan-362.tlog-proof", "mimeType": "text/plain", "buffer": b"\n".join(lines)}
    )
    page.click("#receipt-form button[type=submit]")
    verdict = page.locator("#verdict")
    assert verdict.get_attribute("data-verdict") == "refused"
    assert "Biên nhận bị từ chối" in verdict.inner_text()
    assert "không nằm trong sổ cái đã ký" in page.inner_text("#verdict-reason")
    screenshot(page, "thanh-tra-bien-nhan-bi-tu-choi")


def test_an_inspector_downloads_the_bundle_and_verifies_it_on_the_page(
    page: Any, live_server: str, tmp_path: Path
) -> None:
    browser_log_in(page, live_server, INSPECTOR)
    page.goto(f"{live_server}/thanh-tra/")
    with page.expect_download() as download:
        page.click("#bundle-download")
    bundle = tmp_path / download.value.suggested_filename
    download.value.save_as(bundle)
    assert bundle.name == "par-ledger-bundle-412.zip"

    page.set_input_files("#f-goi", str(bundle))
    page.click("#bundle-form button[type=submit]")
    verdict = page.inner_text("#verdict")
    assert "Gói kiểm tra hợp lệ: đã xác minh" in verdict
    assert "412" in verdict
    screenshot(page, "thanh-tra-goi-kiem-tra")
