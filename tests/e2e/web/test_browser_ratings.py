"""In a real browser: SNV computes heads' ratings and signs them on one page, the committee decides;
a unit head files an appeal and the committee resolves it; overriding an appeal's level is warned of."""

from __future__ import annotations

from typing import Any

from flask import Flask
from test_web_appeal_story import NEW_DECISION, RESOLUTION, correct_ddci, recompute
from test_web_ratings import CHAIRMAN, SYT_HEAD, issue_stricter_ruleset
from webtest import browser_enrol_key, browser_log_in, screenshot, sign_and_send

from demo.loader import SNV_OFFICER
from ledger.domain.rules import LEVEL_NAMES, LEVELS


def log_out(page: Any) -> None:
    page.click("header button.link")
    page.wait_for_selector("#f-login")


def test_snv_computes_the_heads_ratings_and_the_chairman_decides_them(
    page: Any, live_server: str, demo_app: Flask
) -> None:
    issue_stricter_ruleset(demo_app)
    browser_log_in(page, live_server, SNV_OFFICER)
    browser_enrol_key(page, live_server)

    page.goto(f"{live_server}/xep-loai/tinh?year=2024&ruleset=v2")
    assert "Tính lại (số liệu đã thay đổi)" in page.inner_text("table.plan")
    screenshot(page, "xep-loai-tinh")
    page.click("#compute-sign")
    page.wait_for_selector("form[data-sign-batch] button[type=submit]:not([disabled])")
    count = int(page.inner_text("#batch-count"))
    assert page.locator("li.batch-item").count() == count
    assert '"type": "rating.compute"' in page.locator("pre.batch-payload").first.text_content()
    screenshot(page, "xep-loai-ky-lo")
    page.click("form[data-sign-batch] button[type=submit]")
    page.wait_for_selector("#batch-written")

    assert int(page.inner_text("#batch-written")) == count
    assert page.locator("strong.receipt-seq").count() == count
    assert page.locator("#batch-refused").count() == 0
    screenshot(page, "xep-loai-bien-nhan-lo")

    log_out(page)
    browser_log_in(page, live_server, CHAIRMAN)
    browser_enrol_key(page, live_server)
    computed = demo_app.extensions["views"].rating("rating/2024/SNV")["computed_level"]
    differing = next(level for level in LEVELS if level != computed)
    page.goto(f"{live_server}/xep-loai/quyet-dinh/2024")
    page.fill("#f-decision", "Quyết định số 77/QĐ-UBND ngày 01/12/2024")
    page.select_option("#f-level-SNV", differing)
    page.click("#decide-review")

    assert "phải nêu lý do" in page.inner_text("#e-reason-SNV")
    screenshot(page, "xep-loai-quyet-dinh-loi")
    page.fill("#f-reason-SNV", "Sở dẫn đầu Chỉ số CCHC của tỉnh; UBND tỉnh ghi nhận kết quả vượt trội")
    page.click("#decide-review")
    page.wait_for_selector("form[data-sign-batch] button[type=submit]:not([disabled])")
    decided = int(page.inner_text("#batch-count"))
    page.click("form[data-sign-batch] button[type=submit]")
    page.wait_for_selector("#batch-written")
    assert int(page.inner_text("#batch-written")) == decided

    page.goto(f"{live_server}/xep-loai/chi-tiet/2024/SNV")
    assert LEVEL_NAMES[differing] in page.inner_text("#level-in-force")
    assert "Đã quyết định" in page.inner_text("#rating-status")
    assert "vượt trội" in page.inner_text("#level-chain")
    page.goto(f"{live_server}/xep-loai/?nam=2024")
    assert page.locator("#chart-distribution").is_visible()
    screenshot(page, "xep-loai")


def test_a_unit_head_files_an_appeal_and_the_committee_resolves_it(page: Any, live_server: str) -> None:
    browser_log_in(page, live_server, SYT_HEAD)
    browser_enrol_key(page, live_server)
    page.goto(f"{live_server}/xep-loai/chi-tiet/2023/SYT")
    before = page.inner_text("#level-in-force")
    page.click("#appeal-link")
    page.click("main form button[type=submit]")  # empty grounds first
    assert "Trường này là bắt buộc" in page.inner_text("#e-grounds")
    page.fill("#f-grounds", "Kết quả SIPAS năm 2023 tính cả phiếu khảo sát ngoài phạm vi; đề nghị xem xét lại")
    page.click("main form button[type=submit]")
    assert "ngoài phạm vi" in page.inner_text("table.summary")
    seq = sign_and_send(page)
    assert seq > 0

    page.goto(f"{live_server}/xep-loai/chi-tiet/2023/SYT")
    assert "Đang giải quyết kiến nghị" in page.inner_text("#rating-status")
    assert "Đang chờ giải quyết" in page.inner_text("#appeal-1")
    screenshot(page, "xep-loai-kien-nghi")

    log_out(page)
    browser_log_in(page, live_server, CHAIRMAN)
    browser_enrol_key(page, live_server)
    page.goto(f"{live_server}/xep-loai/chi-tiet/2023/SYT")
    page.click("#resolve-link")
    assert "ngoài phạm vi" in page.inner_text("#appeal-grounds")
    new_level = next(code for code in LEVELS if LEVEL_NAMES[code] not in before)
    page.check("#f-outcome-revised")
    page.select_option("#f-level", new_level)
    page.fill("#f-reason", "Loại các phiếu ngoài phạm vi, kết quả đạt mức cao hơn")
    page.fill("#f-decision", "Quyết định số 99/QĐ-UBND ngày 20/12/2023")
    page.click("main form button[type=submit]")
    sign_and_send(page)

    page.goto(f"{live_server}/xep-loai/chi-tiet/2023/SYT")
    assert LEVEL_NAMES[new_level] in page.inner_text("#level-in-force")
    assert "Đã điều chỉnh sau kiến nghị" in page.inner_text("#rating-status")
    assert page.locator("#level-chain li.superseded").count() >= 2
    assert "Điều chỉnh mức xếp loại" in page.inner_text("#appeal-1")
    screenshot(page, "xep-loai-giai-quyet")


def test_after_a_recomputation_the_chairman_is_warned_before_overriding_the_appeal(
    page: Any, live_server: str, demo_app: Flask
) -> None:
    correct_ddci(demo_app)
    recompute(demo_app)
    browser_log_in(page, live_server, CHAIRMAN)
    browser_enrol_key(page, live_server)

    page.goto(f"{live_server}/xep-loai/quyet-dinh/2024")
    assert page.locator("#f-level-SYT").input_value() == "HTT"
    assert RESOLUTION in page.inner_text("#appeal-warning-SYT")
    screenshot(page, "xep-loai-quyet-dinh-sau-kien-nghi")
    page.fill("#f-decision", NEW_DECISION)
    page.select_option("#f-level-SYT", "HT")
    page.click("#decide-review")
    assert "xác nhận thay đổi kết quả giải quyết kiến nghị" in page.inner_text("#e-override-SYT")

    page.check("#f-override-SYT")
    page.fill("#f-reason-SYT", "Kết quả DDCI đã được đính chính; giữ mức theo quy tắc")
    page.click("#decide-review")
    page.wait_for_selector("form[data-sign-batch] button[type=submit]:not([disabled])")
    assert RESOLUTION in page.inner_text("li.batch-item")
    assert '"overrides_appeal": true' in page.locator("pre.batch-payload").first.text_content()
    page.click("form[data-sign-batch] button[type=submit]")
    page.wait_for_selector("#batch-written")
    assert page.inner_text("#batch-written") == "1"

    page.goto(f"{live_server}/xep-loai/chi-tiet/2024/SYT")
    assert LEVEL_NAMES["HT"] in page.inner_text("#level-in-force")
    assert NEW_DECISION in page.inner_text("#decided-level")
