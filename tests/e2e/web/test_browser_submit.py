"""In a real browser: a commune files a report with a Vietnamese file name, keeps the receipt and
corrects the report; a lead department publishes index results from a workbook after a preview."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from webtest import browser_enrol_key, browser_log_in, screenshot, sign_and_send

from demo.loader import COMMUNE_OFFICER, SNV_OFFICER, demo_pdf
from ledger.tlog.log import Leaf
from ledger.tlog.notes import TlogProof

NAME = "Báo cáo CCHC quý 3.pdf"
SUBJECT = "submission/document/11950/2024/bao-cao-cchc-quy-3-2024"


def test_a_commune_files_a_report_keeps_the_receipt_and_corrects_the_report(
    page: Any, live_server: str, tmp_path: Path
) -> None:
    browser_log_in(page, live_server, COMMUNE_OFFICER)
    browser_enrol_key(page, live_server)

    page.goto(f"{live_server}/nop/van-ban")
    page.select_option("#f-year", "2024")
    page.fill("#f-title", "Báo cáo kết quả cải cách hành chính quý 3 năm 2024")
    page.fill("#f-issued_on", "30/09/2024")
    page.fill("#f-ref", "bao-cao-cchc-quy-3-2024")
    pdf = demo_pdf("Bao cao CCHC quy 3 nam 2024", ["UBND phuong Lam Son"])
    page.set_input_files("#f-file", files=[{"name": NAME, "mimeType": "application/pdf", "buffer": pdf}])
    screenshot(page, "nop-van-ban")
    page.click("form.form button[type=submit]")

    summary = page.inner_text("table.summary")
    assert NAME in summary
    assert SUBJECT in summary
    assert "30/09/2024" in summary
    screenshot(page, "nop-van-ban-xem-lai")
    seq = sign_and_send(page)
    assert SUBJECT in page.inner_text("main")
    screenshot(page, "nop-van-ban-bien-nhan")

    with page.expect_download() as download_info:
        page.click(f"a[href='/bien-nhan/{seq}']")
    download = download_info.value
    assert download.suggested_filename == f"bien-nhan-{seq}.tlog-proof"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"c2sp.org/tlog-proof@v1\n")
    proof = TlogProof.parse(data)
    assert proof.index == seq - 1
    assert proof.extra is not None
    assert json.loads(Leaf.from_bytes(proof.extra).payload)["subject"] == SUBJECT

    # The dashboard lists the report with its receipt; correct it from there.
    page.goto(f"{live_server}/don-vi/?nam=2024")
    row = page.locator("#submissions tr", has_text="bao-cao-cchc-quy-3-2024")
    assert "Bản gốc" in row.inner_text()
    assert row.locator(f"a[href='/bien-nhan/{seq}']").count() == 1
    screenshot(page, "bang-dieu-khien")
    row.locator("a.correct-link").click()

    assert page.input_value("#f-issued_on") == "30/09/2024"
    assert NAME in page.inner_text("#current-file")
    page.click("form.form button[type=submit]")  # no reason: refused next to the field
    assert "bắt buộc" in page.inner_text("#e-reason")
    page.fill("#f-reason", "Ghi nhầm ngày ban hành: đúng là ngày 02/10/2024")
    page.fill("#f-issued_on", "02/10/2024")
    screenshot(page, "dinh-chinh")
    page.click("form.form button[type=submit]")
    assert "Ghi nhầm ngày ban hành" in page.inner_text("table.summary")
    correction = sign_and_send(page)
    assert correction > seq

    page.goto(f"{live_server}/don-vi/?nam=2024")
    row = page.locator("#submissions tr", has_text="bao-cao-cchc-quy-3-2024")
    assert "Đã đính chính 1 lần: Ghi nhầm ngày ban hành" in row.inner_text()
    assert row.locator(f"a[href='/bien-nhan/{correction}']").count() == 1


def _workbook(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Kết quả Chỉ số PAPI cấp huyện, cấp xã năm 2024"])
    sheet.append([])
    sheet.append(["Mã đơn vị", "Tên đơn vị", "Điểm", "Xếp hạng", "Xếp loại"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_lead_department_publishes_index_results_from_a_workbook_after_a_preview(page: Any, live_server: str) -> None:
    browser_log_in(page, live_server, SNV_OFFICER)
    browser_enrol_key(page, live_server)

    page.goto(f"{live_server}/don-vi/?nam=2024")
    papi = page.locator("#obligations tr", has_text="PAPI_UNIT").first
    assert "Chưa nộp, đã quá hạn" in papi.inner_text()

    page.goto(f"{live_server}/nop/ket-qua")
    page.select_option("#f-index", "PAPI_UNIT")
    page.select_option("#f-year", "2024")
    page.fill("#f-measured_year", "2024")
    page.fill("#f-decision", "Quyết định số 3001/QĐ-UBND ngày 25/11/2024")
    page.fill("#f-published_on", "25/11/2024")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    wrong = _workbook([["323", "Thành phố Hưng Yên", 41.5, None, None], ["325", "Huyện Văn Lâm", "39,2", None, None]])
    page.set_input_files("#f-table_file", files=[{"name": "Kết quả PAPI 2024.xlsx", "mimeType": xlsx, "buffer": wrong}])
    page.click("#preview")

    errors = page.inner_text("#row-errors")
    assert re.search(r"5\s+Điểm\s+“39,2”: dùng dấu chấm", errors), errors  # sheet row 5
    screenshot(page, "ket-qua-xem-truoc-loi")

    good = _workbook(
        [
            ["323", "Thành phố Hưng Yên", 41.5, None, None],
            ["325", "Huyện Văn Lâm", 39.2, None, None],
            ["11950", "Phường Lam Sơn", 40.1, None, None],
            ["11953", "Phường Hiến Nam", 38.75, None, None],
        ]
    )
    page.set_input_files("#f-table_file", files=[{"name": "Kết quả PAPI 2024.xlsx", "mimeType": xlsx, "buffer": good}])
    page.click("#preview")
    assert "Đã đọc 4 dòng từ tệp, không có lỗi" in page.inner_text("#preview-ok")
    assert page.locator("#row-errors").count() == 0
    assert page.input_value("#f-decision") == "Quyết định số 3001/QĐ-UBND ngày 25/11/2024"
    screenshot(page, "ket-qua-xem-truoc")
    page.click("button[name=action][value=sign]")

    summary = page.inner_text("table.summary")
    assert "submission/index-results/PAPI_UNIT/2024" in summary
    assert "điểm 40.1 · hạng 1" in summary  # ranked within the communes
    assert "điểm 39.2 · hạng 2" in summary  # ranked within the districts
    seq = sign_and_send(page)

    page.goto(f"{live_server}/don-vi/?nam=2024")
    papi = page.locator("#obligations tr", has_text="Công bố kết quả chỉ số").filter(has_text="PAPI_UNIT")
    assert "Nộp muộn" in papi.inner_text()
    assert papi.locator(f"a[href='/bien-nhan/{seq}']").count() == 1
    screenshot(page, "bang-dieu-khien-co-quan-chu-tri")
