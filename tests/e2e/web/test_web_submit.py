"""Submitting and correcting through the forms (Flask's test client): every bad input is a
Vietnamese error next to its field, and nothing is stored or appended; a unit files only
for itself."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webtest import csrf_of, log_in, sign_review
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from demo.loader import COMMUNE_OFFICER, HEADS, SKHDT_OFFICER, SNV_OFFICER, demo_pdf

PDF = demo_pdf("Bao cao CCHC quy 3", ["Phuong Lam Son"])
NAME = "Báo cáo CCHC quý 3.pdf"


def head(app: Flask) -> int:
    return app.extensions["ledger"].head  # type: ignore[no-any-return]


def stored_files(app: Flask) -> set[str]:
    root = app.extensions["documents"].root
    return {p.name for p in root.rglob("*") if p.is_file()}


def document_form(csrf: str, **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "csrf_token": csrf,
        "year": "2024",
        "title": "Báo cáo kết quả CCHC quý 3 năm 2024",
        "issued_on": "30/09/2024",
        "ref": "",
        "file": (io.BytesIO(PDF), NAME),
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def error_of(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', html)
    assert found, f"no error shown next to {field}"
    return found.group(1)


# Documents --------------------------------------------------------------------------------


def test_a_commune_files_a_document_with_a_vietnamese_file_name_and_gets_a_receipt(
    demo_app: Flask, demo_client: FlaskClient
) -> None:
    csrf = log_in(demo_client, COMMUNE_OFFICER)
    review = demo_client.post("/nop/van-ban", data=document_form(csrf), content_type="multipart/form-data")
    assert review.status_code == 200
    assert "Bạn sắp ký" in review.text
    assert NAME in review.text
    assert "submission/document/11950/2024/bao-cao-ket-qua-cchc-quy-3-nam-2024" in review.text

    before = head(demo_app)
    done = sign_review(demo_client, review.text, COMMUNE_OFFICER)

    assert done.status_code == 200, done.text
    seq = int(re.search(r'id="receipt-seq">(\d+)<', done.text).group(1))  # type: ignore[union-attr]
    assert seq == before + 1 == head(demo_app)
    entry = demo_app.extensions["ledger"].get("submission/document/11950/2024/bao-cao-ket-qua-cchc-quy-3-nam-2024")
    ref = entry.current.document
    assert ref.name == NAME
    assert ref.sha256 == hashlib.sha256(PDF).hexdigest()
    assert ref.media_type == "application/pdf"
    assert demo_app.extensions["documents"].read(ref.sha256) == PDF
    dashboard = demo_client.get("/don-vi/?nam=2024").text
    assert "Báo cáo kết quả CCHC quý 3 năm 2024" in dashboard
    assert f"/bien-nhan/{seq}" in dashboard
    receipt = demo_client.get(f"/bien-nhan/{seq}")
    assert receipt.status_code == 200
    assert receipt.data.startswith(b"c2sp.org/tlog-proof@v1")


def test_an_nfd_file_name_and_title_are_stored_in_nfc(demo_app: Flask, demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, COMMUNE_OFFICER)
    nfd_name = unicodedata.normalize("NFD", NAME)
    form = document_form(csrf, file=(io.BytesIO(PDF), nfd_name), title=unicodedata.normalize("NFD", "Báo cáo quý"))
    review = demo_client.post("/nop/van-ban", data=form, content_type="multipart/form-data")
    assert review.status_code == 200
    sign_review(demo_client, review.text, COMMUNE_OFFICER)
    entry = demo_app.extensions["ledger"].get("submission/document/11950/2024/bao-cao-quy")
    assert entry.current.document.name == NAME
    assert entry.current.title == "Báo cáo quý"


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (5 * 1024 * 1024))
    return out.getvalue()


BAD_DOCUMENTS = [
    pytest.param({"file": (io.BytesIO(b""), NAME)}, "file", "rỗng", id="empty-file"),
    pytest.param({"file": None}, "file", "Chưa chọn tệp", id="no-file"),
    pytest.param({"file": (io.BytesIO(b"<html><script>x</script>"), "bao-cao.pdf")}, "file", "không phải tệp PDF",
                 id="html-named-pdf"),
    pytest.param({"file": (io.BytesIO(b"MZ\x90\x00" * 100), "bao-cao.pdf.exe")}, "file", "không phải tệp PDF",
                 id="executable"),
    pytest.param({"file": (io.BytesIO(_zip_bomb()), "bom.docx")}, "file", "bom zip", id="zip-bomb"),
    pytest.param({"file": (io.BytesIO(b"PK\x03\x04broken"), "hong.docx")}, "file", "bị hỏng", id="damaged-zip"),
    pytest.param({"file": (io.BytesIO(PDF), "bao_cao\u202efdp.exe")}, "file", "ký tự điều khiển", id="bidi-name"),
    pytest.param({"file": (io.BytesIO(PDF), "a" * 300 + ".pdf")}, "file", "255", id="long-name"),
    pytest.param({"title": ""}, "title", "bắt buộc", id="no-title"),
    pytest.param({"title": "x" * 501}, "title", "500", id="long-title"),
    pytest.param({"title": "Báo cáo\u200b"}, "title", "ký tự ẩn", id="zero-width-title"),
    pytest.param({"issued_on": "30/09/2023"}, "issued_on", "không thuộc năm đánh giá 2024", id="date-outside-year"),
    pytest.param({"issued_on": "29/02/2023"}, "issued_on", "không phải là một ngày có thật", id="no-such-day"),
    pytest.param({"issued_on": "2024-13-01"}, "issued_on", "không phải là một ngày có thật", id="month-13"),
    pytest.param({"issued_on": "hôm qua"}, "issued_on", "dd/mm/yyyy", id="not-a-date"),
    pytest.param({"year": "2026"}, "year", "chưa mở chu kỳ", id="year-without-cycle"),
    pytest.param({"year": "9999"}, "year", "chưa mở chu kỳ", id="year-9999"),
    pytest.param({"ref": "../../etc"}, "ref", "chữ thường không dấu", id="ref-path"),
    pytest.param({"ref": "bao-cao-cchc-2024"}, "ref", "đã nộp hồ sơ mã", id="duplicate-ref"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "field", "message"), BAD_DOCUMENTS)
def test_a_bad_document_form_shows_a_vietnamese_error_next_to_the_field_and_stores_nothing(
    demo_app: Flask, demo_client: FlaskClient, changes: dict[str, Any], field: str, message: str
) -> None:
    csrf = log_in(demo_client, COMMUNE_OFFICER)
    before, files = head(demo_app), stored_files(demo_app)

    response = demo_client.post("/nop/van-ban", data=document_form(csrf, **changes), content_type="multipart/form-data")

    assert response.status_code == 422
    assert message in error_of(response.text, field)
    assert "Bạn sắp ký" not in response.text
    assert head(demo_app) == before
    assert stored_files(demo_app) == files


def test_a_file_over_the_limit_is_refused_without_being_stored(demo_app: Flask, demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, COMMUNE_OFFICER)
    files = stored_files(demo_app)
    huge = PDF + b"0" * (20 * 1024 * 1024)
    # Encoded in memory: the test client would spool a big body to a file it never closes.
    boundary, body = encode_multipart(document_form(csrf, file=FileStorage(io.BytesIO(huge), NAME)))
    response = demo_client.post("/nop/van-ban", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 422
    assert "lớn hơn giới hạn 20 MiB" in error_of(response.text, "file")
    assert stored_files(demo_app) == files


def test_two_files_for_one_document_are_refused(demo_app: Flask, demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, COMMUNE_OFFICER)
    form = document_form(csrf, file=[(io.BytesIO(PDF), NAME), (io.BytesIO(PDF), "khac.pdf")])
    response = demo_client.post("/nop/van-ban", data=form, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "đúng một tệp" in error_of(response.text, "file")


def test_a_unit_files_only_for_itself_whatever_the_form_says(demo_app: Flask, demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, COMMUNE_OFFICER)
    form = document_form(csrf, unit="SNV", subject="submission/document/SNV/2024/x", ref="gia-mao")
    review = demo_client.post("/nop/van-ban", data=form, content_type="multipart/form-data")
    assert "submission/document/11950/2024/gia-mao" in review.text
    assert "submission/document/SNV" not in review.text


def test_an_officer_who_leads_no_index_cannot_reach_the_lead_department_forms(demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, COMMUNE_OFFICER)
    assert demo_client.get("/nop/ket-qua").status_code == 403
    assert demo_client.post("/nop/ket-qua", data={"csrf_token": csrf, "index": "PAPI_UNIT"}).status_code == 403
    assert demo_client.get("/nop/danh-muc-quyet-dinh").status_code == 403


# Index results ------------------------------------------------------------------------------


def results_form(csrf: str, rows: list[tuple[str, str, str]], **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "csrf_token": csrf,
        "index": "PAPI_UNIT",
        "year": "2024",
        "measured_year": "2024",
        "decision": "Quyết định số 3001/QĐ-UBND ngày 20/11/2024",
        "published_on": "20/11/2024",
        "action": "sign",
        "r_unit": [r[0] for r in rows],
        "r_score": [r[1] for r in rows],
        "r_rank": [r[2] for r in rows],
        "r_band": ["" for _ in rows],
    }
    form.update(changes)
    return form


GOOD_ROWS = [("323", "41.50", ""), ("325", "39.20", ""), ("11950", "40.10", ""), ("11953", "40.10", "")]


def test_a_lead_department_publishes_results_typed_in_the_table_ranks_computed(
    demo_app: Flask, demo_client: FlaskClient
) -> None:
    csrf = log_in(demo_client, SNV_OFFICER)
    review = demo_client.post("/nop/ket-qua", data=results_form(csrf, GOOD_ROWS))
    assert review.status_code == 200, review.text
    assert "điểm 40.10 · hạng 1" in review.text  # the two communes tie: both first
    done = sign_review(demo_client, review.text, SNV_OFFICER)
    assert done.status_code == 200, done.text
    rows = demo_app.extensions["views"].index_results("PAPI_UNIT", 2024)
    assert {(r["unit"], r["rank"]) for r in rows} == {("323", 1), ("325", 2), ("11950", 1), ("11953", 1)}


BAD_RESULTS = [
    pytest.param([("323", "100.5", "")], "Điểm", "vượt quá điểm tối đa 100", id="above-maximum"),
    pytest.param([("323", "-1", "")], "Điểm", "không được âm", id="negative"),
    pytest.param([("323", "8,5", "")], "Điểm", "dấu chấm", id="decimal-comma"),
    pytest.param([("323", "NaN", "")], "Điểm", "không phải là số", id="nan"),
    pytest.param([("323", "abc", "")], "Điểm", "không phải là số", id="text-score"),
    pytest.param([("323", "1.123456", "")], "Điểm", "4 chữ số thập phân", id="too-many-places"),
    pytest.param([("323", "", "")], "Điểm", "Thiếu điểm", id="no-score"),
    pytest.param([("XYZ", "40", "")], "Mã đơn vị", "Không có đơn vị mã", id="unknown-unit"),
    pytest.param([("SYT", "40", "")], "Mã đơn vị", "không đo", id="class-not-measured"),
    pytest.param([("323", "40", ""), ("323", "41", "")], "Mã đơn vị", "đã có ở dòng 1", id="duplicate-unit"),
    pytest.param([("323", "40", "2")], "Xếp hạng", "Phải là 1", id="wrong-rank"),
    pytest.param([("323", "40", "1.5")], "Xếp hạng", "số nguyên", id="fractional-rank"),
]


@pytest.mark.parametrize(("rows", "column", "message"), BAD_RESULTS)
def test_bad_result_rows_are_listed_by_row_and_column_and_nothing_is_appended(
    demo_app: Flask, demo_client: FlaskClient, rows: list[tuple[str, str, str]], column: str, message: str
) -> None:
    csrf = log_in(demo_client, SNV_OFFICER)
    before = head(demo_app)
    response = demo_client.post("/nop/ket-qua", data=results_form(csrf, rows))
    assert response.status_code == 422
    errors = re.search(r'<table id="row-errors">.*?</table>', response.text, re.S)
    assert errors, "no row-level errors shown"
    assert column in errors.group(0)
    assert message in errors.group(0)
    assert "Bạn sắp ký" not in response.text
    assert head(demo_app) == before


BAD_HEADERS = [
    pytest.param({"index": "DDCI_UNIT"}, "index", "do đơn vị chủ trì", id="index-led-by-another-unit"),
    pytest.param({"index": "PAR_UNIT"}, "index", "đã được công bố", id="already-published"),
    pytest.param({"year": "2022"}, "year", "chưa mở chu kỳ", id="year-without-cycle"),
    pytest.param({"measured_year": "2020"}, "measured_year", "2023 hoặc 2024", id="measured-year"),
    pytest.param({"published_on": "01/01/2025"}, "published_on", "không thuộc năm", id="published-outside-year"),
    pytest.param({"decision": ""}, "decision", "bắt buộc", id="no-decision"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_HEADERS)
def test_bad_results_headers_show_an_error_next_to_the_field(
    demo_app: Flask, demo_client: FlaskClient, changes: dict[str, str], field: str, message: str
) -> None:
    csrf = log_in(demo_client, SNV_OFFICER)
    before = head(demo_app)
    response = demo_client.post("/nop/ket-qua", data=results_form(csrf, GOOD_ROWS, **changes))
    assert response.status_code == 422
    assert message in error_of(response.text, field)
    assert head(demo_app) == before


def xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Kết quả PAPI cấp huyện, cấp xã năm 2024"])
    sheet.append(["Mã đơn vị", "Tên đơn vị", "Điểm", "Xếp hạng"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_uploaded_workbook_is_previewed_with_the_errors_of_each_sheet_row(
    demo_app: Flask, demo_client: FlaskClient
) -> None:
    csrf = log_in(demo_client, SNV_OFFICER)
    data = xlsx([["323", "Thành phố Hưng Yên", 41.5, None], ["325", "Huyện Văn Lâm", 101, None]])
    form = {**results_form(csrf, []), "action": "preview", "table_file": (io.BytesIO(data), "ket-qua.xlsx")}
    before = head(demo_app)
    response = demo_client.post("/nop/ket-qua", data=form, content_type="multipart/form-data")
    assert response.status_code == 422
    errors = re.search(r'<table id="row-errors">.*?</table>', response.text, re.S).group(0)  # type: ignore[union-attr]
    assert "<td>4</td><td>Điểm</td>" in errors  # sheet row 4: the second data row
    assert 'value="41.5"' in response.text  # the table is filled from the file
    assert head(demo_app) == before


def test_a_csv_with_semicolons_and_a_bom_is_read(demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, SNV_OFFICER)
    data = "\ufeffMã đơn vị;Điểm\n323;41.5\n325;39.2\n".encode()
    form = {**results_form(csrf, []), "action": "preview", "table_file": (io.BytesIO(data), "ket-qua.csv")}
    response = demo_client.post("/nop/ket-qua", data=form, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Đã đọc 2 dòng từ tệp, không có lỗi" in response.text


BAD_TABLES = [
    pytest.param(b"", "rỗng", id="empty"),
    pytest.param(PDF, "bảng tính .xlsx hoặc CSV", id="pdf"),
    pytest.param("Mã đơn vị;Điểm\n".encode("utf-16"), "UTF-8", id="utf16"),
    pytest.param(b"ten,gia tri\na,1\n", "Không tìm thấy dòng tiêu đề", id="no-heading"),
    pytest.param("Mã đơn vị,Điểm\n".encode(), "không có dòng kết quả", id="heading-only"),
    pytest.param(b"PK\x03\x04broken", "bị hỏng", id="damaged-xlsx"),
    pytest.param(('Mã đơn vị,Điểm\n323,"' + "x" * 200_000 + '"\n').encode(), "Không đọc được tệp CSV", id="huge-cell"),
]


@pytest.mark.parametrize(("data", "message"), BAD_TABLES)
def test_an_unreadable_table_file_is_an_error_next_to_the_upload(
    demo_app: Flask, demo_client: FlaskClient, data: bytes, message: str
) -> None:
    csrf = log_in(demo_client, SNV_OFFICER)
    form = {**results_form(csrf, []), "action": "preview", "table_file": (io.BytesIO(data), "bang.xlsx")}
    response = demo_client.post("/nop/ket-qua", data=form, content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in error_of(response.text, "table_file")


def test_the_template_workbook_lists_the_units_the_index_measures(demo_client: FlaskClient) -> None:
    from openpyxl import load_workbook

    log_in(demo_client, SKHDT_OFFICER)
    response = demo_client.get("/nop/ket-qua/mau.xlsx?index=DDCI_UNIT")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    codes = {row[0] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert {"SNV", "323"} <= codes
    assert "11950" not in codes
    assert demo_client.get("/nop/ket-qua/mau.xlsx?index=PAR_UNIT").status_code == 404  # led by SNV


# Governing decisions -----------------------------------------------------------------------


def test_a_duplicate_decision_in_the_list_is_shown_on_its_row(demo_app: Flask, demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, SKHDT_OFFICER)
    row = {"d_index": "DDCI_UNIT", "d_number": "12/QĐ-UBND", "d_decided_on": "10/01/2024", "d_title": "Quy định"}
    form = {"csrf_token": csrf, "year": "2024", **{k: [v, v] for k, v in row.items()}}
    before = head(demo_app)
    response = demo_client.post("/nop/danh-muc-quyet-dinh", data=form)
    assert response.status_code == 422
    assert "Trùng với dòng 1" in response.text
    assert head(demo_app) == before


def test_a_governing_decisions_list_is_signed_for_the_officers_own_unit(
    demo_app: Flask, demo_client: FlaskClient
) -> None:
    csrf = log_in(demo_client, SKHDT_OFFICER)
    form = {
        "csrf_token": csrf,
        "year": "2024",
        "d_index": ["DDCI_UNIT", "PCI_PROV"],
        "d_number": ["12/QĐ-UBND", ""],
        "d_decided_on": ["10/01/2024", ""],
        "d_title": ["Kế hoạch nâng cao DDCI năm 2024", ""],
    }
    review = demo_client.post("/nop/danh-muc-quyet-dinh", data=form)
    assert review.status_code == 200, review.text
    done = sign_review(demo_client, review.text, SKHDT_OFFICER)
    assert done.status_code == 200, done.text
    assert demo_app.extensions["ledger"].get("submission/governing-decisions/SKHDT/2024") is not None


# Corrections ---------------------------------------------------------------------------------


COMMUNE_DOCUMENT = "submission/document/11950/2024/bao-cao-cchc-2024"


def test_a_unit_corrects_its_own_document_with_a_reason(demo_app: Flask, demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, COMMUNE_OFFICER)
    listing = demo_client.get("/nop/sua/").text
    assert f"/nop/sua/{COMMUNE_DOCUMENT}" in listing
    page = demo_client.get(f"/nop/sua/{COMMUNE_DOCUMENT}").text
    assert 'value="10/12/2024"' in page
    assert "Báo cáo kết quả CCHC năm 2024.pdf" in page
    form = {
        "csrf_token": csrf,
        "reason": "Sửa ngày ban hành ghi nhầm",
        "decision": "",
        "title": "Báo cáo kết quả cải cách hành chính năm 2024 của UBND phường Lam Sơn",
        "issued_on": "11/12/2024",
        "action": "sign",
    }
    review = demo_client.post(f"/nop/sua/{COMMUNE_DOCUMENT}", data=form)
    assert review.status_code == 200, review.text
    assert "Sửa ngày ban hành ghi nhầm" in review.text
    done = sign_review(demo_client, review.text, COMMUNE_OFFICER)
    assert done.status_code == 200, done.text
    record = demo_app.extensions["ledger"].get(COMMUNE_DOCUMENT)
    assert str(record.current.issued_on) == "2024-12-11"
    assert len(record.versions) == 2


BAD_CORRECTIONS = [
    pytest.param({"reason": ""}, "reason", "bắt buộc", id="no-reason"),
    pytest.param({"issued_on": "11/12/2023"}, "issued_on", "không thuộc năm", id="date-outside-year"),
    pytest.param({}, "form", "giống hệt", id="identical-replacement"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_CORRECTIONS)
def test_a_bad_correction_is_refused_next_to_the_field(
    demo_app: Flask, demo_client: FlaskClient, changes: dict[str, str], field: str, message: str
) -> None:
    csrf = log_in(demo_client, COMMUNE_OFFICER)
    form = {
        "csrf_token": csrf,
        "reason": "Lý do",
        "title": "Báo cáo kết quả cải cách hành chính năm 2024 của UBND phường Lam Sơn",
        "issued_on": "10/12/2024",
        **changes,
    }
    before = head(demo_app)
    response = demo_client.post(f"/nop/sua/{COMMUNE_DOCUMENT}", data=form)
    assert response.status_code == 422
    shown = (
        re.search(r'id="e-form">([^<]*)<', response.text).group(1)  # type: ignore[union-attr]
        if field == "form"
        else error_of(response.text, field)
    )
    assert message in shown
    assert head(demo_app) == before


@pytest.mark.parametrize(
    "subject",
    [
        "submission/document/SYT/2024/kien-nghi-sipas-2024",  # another unit's
        "submission/document/11950/2024/khong-co",  # none such
        "rating/2024/SYT",  # not a submission
    ],
)
def test_a_unit_cannot_open_or_correct_another_units_submission(
    demo_app: Flask, demo_client: FlaskClient, subject: str
) -> None:
    csrf = log_in(demo_client, COMMUNE_OFFICER)
    before = head(demo_app)
    assert demo_client.get(f"/nop/sua/{subject}").status_code == 404
    response = demo_client.post(f"/nop/sua/{subject}", data={"csrf_token": csrf, "reason": "x", "title": "y"})
    assert response.status_code == 404
    assert head(demo_app) == before


def test_published_results_are_corrected_only_with_a_decision(demo_app: Flask, demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, SNV_OFFICER)
    subject = "submission/index-results/PAR_UNIT/2024"
    page = demo_client.get(f"/nop/sua/{subject}")
    assert page.status_code == 200
    form: dict[str, Any] = {"csrf_token": csrf, "reason": "Sửa điểm", "decision": "", "action": "sign"}
    for name in ("measured_year", "result_decision", "published_on"):
        form[name] = re.search(rf'name="{name}" type="text" value="([^"]*)"', page.text).group(1)  # type: ignore[union-attr]
    for column in ("r_unit", "r_score", "r_rank", "r_band"):
        form[column] = re.findall(rf'name="{column}" value="([^"]*)"', page.text)
    before = head(demo_app)
    response = demo_client.post(f"/nop/sua/{subject}", data=form)
    assert response.status_code == 422
    assert "theo một quyết định" in error_of(response.text, "decision")
    assert head(demo_app) == before


# The dashboard ------------------------------------------------------------------------------


def test_the_dashboard_shows_the_units_obligations_with_countdown_and_status(demo_client: FlaskClient) -> None:
    log_in(demo_client, SNV_OFFICER)
    page = demo_client.get("/don-vi/?nam=2024").text
    assert "Xin chào" in page
    assert "Cán bộ Sở Nội vụ" in page
    table = re.search(r'<table id="obligations">.*?</table>', page, re.S).group(0)  # type: ignore[union-attr]
    assert "PAPI_UNIT" in table
    assert "Chưa nộp, đã quá hạn" in table
    assert "Quá hạn" in table
    assert "Muộn 2 ngày" in table  # PAR_UNIT 2024 sent to SNV on 07/11, due by 05/11
    assert "Trước 01/11/2024" in table
    assert "Đúng hạn" in table


def test_the_dashboard_shows_only_the_officers_own_unit(demo_client: FlaskClient) -> None:
    log_in(demo_client, COMMUNE_OFFICER)
    page = demo_client.get("/don-vi/?nam=2024&unit=SNV").text
    assert "Phường Lam Sơn" in page
    assert "bao-cao-cchc-2024" in page
    assert "PAPI_UNIT" not in page
    assert "submission/document/SYT" not in page


def test_the_dashboard_falls_back_to_the_latest_cycle_and_says_so(demo_client: FlaskClient) -> None:
    log_in(demo_client, HEADS["323"].officer_id)
    page = demo_client.get("/don-vi/").text
    assert "Hôm nay:" in page
    # The demo holds the cycles of 2023 and 2024 only; today is later.
    assert "đang hiển thị năm 2024" in page
    assert "Thành phố Hưng Yên" in page


def test_the_csrf_token_is_required_to_submit(demo_app: Flask, demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, COMMUNE_OFFICER)
    form = document_form(csrf)
    del form["csrf_token"]
    before = head(demo_app)
    response = demo_client.post("/nop/van-ban", data=form, content_type="multipart/form-data")
    assert response.status_code in (400, 403)
    assert head(demo_app) == before
    assert csrf_of(demo_client.get("/nop/van-ban").text)


def test_published_results_are_corrected_with_a_decision_ranks_recomputed(
    demo_app: Flask, demo_client: FlaskClient
) -> None:
    csrf = log_in(demo_client, SNV_OFFICER)
    subject = "submission/index-results/PAR_UNIT/2024"
    page = demo_client.get(f"/nop/sua/{subject}").text
    form: dict[str, Any] = {
        "csrf_token": csrf,
        "reason": "Cộng sai điểm của Thành phố Hưng Yên",
        "decision": "Quyết định số 3002/QĐ-UBND ngày 26/11/2024",
        "action": "sign",
    }
    for name in ("measured_year", "result_decision", "published_on"):
        form[name] = re.search(rf'name="{name}" type="text" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
    units = re.findall(r'name="r_unit" value="([^"]*)"', page)
    scores = re.findall(r'name="r_score" value="([^"]*)"', page)
    scores[units.index("323")] = "99.9"
    form.update(r_unit=units, r_score=scores, r_rank=["" for _ in units], r_band=["" for _ in units])

    review = demo_client.post(f"/nop/sua/{subject}", data=form)
    assert review.status_code == 200, review.text
    assert "Quyết định số 3002/QĐ-UBND" in review.text
    done = sign_review(demo_client, review.text, SNV_OFFICER)
    assert done.status_code == 200, done.text

    rows = {r["unit"]: r for r in demo_app.extensions["views"].index_results("PAR_UNIT", 2024)}
    assert rows["323"]["score"] == "99.9"
    assert rows["323"]["rank"] == 1
    assert rows["323"]["corrections"] == 1


def test_a_governing_decisions_list_is_corrected_from_its_prefilled_rows(
    demo_app: Flask, demo_client: FlaskClient
) -> None:
    csrf = log_in(demo_client, SNV_OFFICER)
    subject = "submission/governing-decisions/SNV/2023"
    page = demo_client.get(f"/nop/sua/{subject}").text
    numbers = re.findall(r'name="d_number" value="([^"]*)"', page)
    assert "808/QĐ-UBND" in numbers  # the list in force is the corrected one
    form: dict[str, Any] = {"csrf_token": csrf, "reason": "Bỏ chỉ thị không còn hiệu lực", "decision": ""}
    for column in ("d_number", "d_decided_on", "d_title"):
        form[column] = re.findall(rf'name="{column}" value="([^"]*)"', page)
    form["d_index"] = re.findall(r'<option value="([A-Z_]+)" selected>', page)
    keep = [i for i, number in enumerate(form["d_number"]) if number and number != "06/CT-CTUBND"]
    for column in ("d_index", "d_number", "d_decided_on", "d_title"):
        form[column] = [form[column][i] for i in keep]
    review = demo_client.post(f"/nop/sua/{subject}", data=form)
    assert review.status_code == 200, review.text
    done = sign_review(demo_client, review.text, SNV_OFFICER)
    assert done.status_code == 200, done.text
    record = demo_app.extensions["ledger"].get(subject)
    assert "06/CT-CTUBND" not in {d.number for d in record.current.decisions}
    assert len(record.current.decisions) == len(keep)


def test_a_lead_department_sends_its_published_results_to_snv_once(demo_app: Flask, demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, SNV_OFFICER)
    review = demo_client.post("/nop/ket-qua", data=results_form(csrf, GOOD_ROWS))
    assert sign_review(demo_client, review.text, SNV_OFFICER).status_code == 200
    subject = "submission/index-results/PAPI_UNIT/2024"
    dashboard = demo_client.get("/don-vi/?nam=2024").text
    assert f"/nop/gui-so-noi-vu/{subject}" in dashboard

    form = demo_client.post(f"/nop/gui-so-noi-vu/{subject}", data={"csrf_token": csrf, "note": "Gửi kèm công văn"})
    assert "Gửi kết quả chỉ số cho Sở Nội vụ" in form.text
    assert sign_review(demo_client, form.text, SNV_OFFICER).status_code == 200

    rows = [s for s in demo_app.extensions["views"].submissions(2024) if s["subject"] == subject]
    assert rows[0]["transmitted_seq"] is not None
    assert "Đã gửi SNV" in demo_client.get("/don-vi/?nam=2024").text
    ledger = demo_app.extensions["ledger"]
    head = ledger.refresh()
    again = demo_client.post(f"/nop/gui-so-noi-vu/{subject}", data={"csrf_token": csrf})
    assert again.status_code == 422
    assert "đã được gửi Sở Nội vụ" in again.text
    assert ledger.refresh() == head


def test_results_of_another_department_cannot_be_sent(demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, SNV_OFFICER)

    response = demo_client.post("/nop/gui-so-noi-vu/submission/index-results/PCI_PROV/2024", data={"csrf_token": csrf})

    assert response.status_code == 404
