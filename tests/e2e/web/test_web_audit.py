"""The auditor's and the inspector's pages through the test client: who may look, what they see, bad input."""

from __future__ import annotations

import base64
import io
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webtest import log_in
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from demo.loader import HEADS
from ledger.tlog.notes import CosignatureSigner, Note, NoteSigner, TlogProof
from web import create_app
from web.instance import Instance

AUDITOR = "snv.le.thanh.tuan"  # Sở Nội vụ's internal auditor
INSPECTOR = "ttt.pham.van.giang"
SNV_OFFICER = "snv.tran.duc.phuong"
COMMITTEE = HEADS["UBND-TINH"].officer_id
UNIT_OFFICER = "11950.bui.ngoc.cuong"  # a commune officer

AUDIT_PAGES = (
    "/kiem-toan/",
    "/kiem-toan/lich-su?doi_tuong=rating/2024/SYT",
    "/kiem-toan/theo-ngay?ngay=2024-11-15",
    "/kiem-toan/so-sanh?tu_ngay=2024-11-15&den_ngay=2024-12-31",
)
INSPECT_PAGES = ("/thanh-tra/", "/thanh-tra/goi-kiem-tra.zip")


def text_of(html: str) -> str:
    """What a person reads: the page without tags, blanks collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def error_of(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', html)
    assert found, f"no error shown next to {field}"
    return found.group(1)


def row_of(html: str, subject: str) -> str:
    found = re.search(rf'<tr data-subject="{re.escape(subject)}"[^>]*>(.*?)</tr>', html, re.S)
    assert found, f"no row for {subject}"
    return text_of(found.group(1))


def upload(client: FlaskClient, csrf: str, url: str, field: str, data: bytes, name: str) -> Any:
    """Post a file as the page's form does (encoded in memory: the test client would spool large ones)."""
    boundary, body = encode_multipart({"csrf_token": csrf, field: FileStorage(io.BytesIO(data), filename=name)})
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def verdict_of(html: str) -> tuple[str, str]:
    found = re.search(r'id="verdict" data-verdict="(\w+)"[^>]*>(.*?)</section>', html, re.S)
    assert found, "the page gives no verdict"
    return found.group(1), text_of(found.group(2))


def head_of(app: Flask) -> int:
    return int(app.extensions["ledger"].refresh())


# Who may look ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [*AUDIT_PAGES, *INSPECT_PAGES])
def test_a_unit_officer_is_refused_the_auditor_and_inspector_pages(demo_client: FlaskClient, url: str) -> None:
    log_in(demo_client, UNIT_OFFICER)
    assert demo_client.get(url).status_code == 403


@pytest.mark.parametrize(("url", "field"), [("/thanh-tra/bien-nhan", "bien_nhan"), ("/thanh-tra/goi-kiem-tra", "goi")])
def test_a_unit_officer_cannot_upload_to_the_inspector(demo_app: Flask, url: str, field: str) -> None:
    client = demo_app.test_client()
    csrf = log_in(client, UNIT_OFFICER)
    before = head_of(demo_app)
    assert upload(client, csrf, url, field, b"anything", "x.tlog-proof").status_code == 403
    assert head_of(demo_app) == before


@pytest.mark.parametrize("url", [*AUDIT_PAGES, *INSPECT_PAGES])
def test_an_anonymous_visitor_is_sent_to_the_login_page(demo_client: FlaskClient, url: str) -> None:
    response = demo_client.get(url)
    assert response.status_code == 302
    assert "/dang-nhap" in response.headers["Location"]


@pytest.mark.parametrize("login", [AUDITOR, SNV_OFFICER, COMMITTEE])
def test_auditors_snv_and_the_committee_may_audit(demo_client: FlaskClient, login: str) -> None:
    log_in(demo_client, login)
    for url in AUDIT_PAGES:
        assert demo_client.get(url).status_code == 200, url
    assert "Kiểm toán" in text_of(demo_client.get("/kiem-toan/").text)


@pytest.mark.parametrize(("login", "status"), [(INSPECTOR, 200), (AUDITOR, 200), (SNV_OFFICER, 403), (COMMITTEE, 403)])
def test_only_inspectors_and_auditors_may_inspect(demo_client: FlaskClient, login: str, status: int) -> None:
    log_in(demo_client, login)
    assert demo_client.get("/thanh-tra/").status_code == status


def test_the_inspector_is_not_an_auditor(demo_client: FlaskClient) -> None:
    log_in(demo_client, INSPECTOR)
    assert demo_client.get("/kiem-toan/").status_code == 403
    menu = demo_client.get("/thanh-tra/").text
    assert 'href="/thanh-tra/"' in menu
    assert 'href="/kiem-toan/"' not in menu


# History -----------------------------------------------------------------------------------


def test_the_history_of_a_rating_lists_every_event_in_order_with_signer_key_time_and_receipt(
    demo_client: FlaskClient,
) -> None:
    log_in(demo_client, AUDITOR)
    html = demo_client.get("/kiem-toan/lich-su?doi_tuong=rating/2024/SYT").text

    assert re.findall(r'<tr data-seq="(\d+)"', html) == ["362", "404", "410", "411"]
    page = text_of(html)
    assert "(4 mục)" in page
    for words in ("Tính xếp loại", "Quyết định xếp loại", "Kiến nghị", "Giải quyết kiến nghị"):
        assert words in page
    assert "SNV/snv.tran.duc.phuong" in page
    assert "ed25519:4bc41c75ee7d3d02931d1b7f0e0713e0" in html
    assert "12/11/2024 08:05" in page  # 01:05:20 UTC, in Hưng Yên's time
    assert 'href="/bien-nhan/411"' in html


def test_the_history_of_a_unit_includes_what_it_signed(demo_client: FlaskClient) -> None:
    log_in(demo_client, AUDITOR)
    html = demo_client.get("/kiem-toan/lich-su?doi_tuong=unit/SYT").text
    assert "(đơn vị ký)" in html
    assert 'data-seq="410"' in html  # SYT's appeal, signed by SYT, about rating/2024/SYT


def test_a_subject_the_ledger_does_not_know_is_said_so(demo_client: FlaskClient) -> None:
    log_in(demo_client, AUDITOR)
    response = demo_client.get("/kiem-toan/lich-su?doi_tuong=rating/2024/KHONG-CO")
    assert response.status_code == 200
    assert "Sổ cái không có mục nào về" in text_of(response.text)


@pytest.mark.parametrize(
    "subject",
    ["", "   ", "rating/2024/SYT<script>", "xếp loại", "a" * 201, "rating\x00/2024", "' OR 1=1 --"],
)
def test_a_bad_subject_gets_a_vietnamese_error_next_to_the_field(demo_app: Flask, subject: str) -> None:
    client = demo_app.test_client()
    log_in(client, AUDITOR)
    before = head_of(demo_app)
    response = client.get("/kiem-toan/lich-su", query_string={"doi_tuong": subject})
    assert response.status_code == 422
    assert error_of(response.text, "doi_tuong").startswith(("Hãy nhập", "Đối tượng không hợp lệ"))
    assert "<script>" not in response.text.split("</datalist>")[0].split('id="f-doi_tuong"')[1]
    assert head_of(demo_app) == before


# As of a date ------------------------------------------------------------------------------


def test_ratings_before_the_2024_decision_differ_from_todays(demo_app: Flask) -> None:
    client = demo_app.test_client()
    log_in(client, AUDITOR)
    views = demo_app.extensions["views"]
    position = views.position()

    then = client.get("/kiem-toan/theo-ngay?ngay=2024-11-15&nam=2024").text

    assert re.search(r"Sổ cái tính đến hết ngày 15/11/2024 : đến mục số 3\d\d", text_of(then))
    syt_then = row_of(then, "rating/2024/SYT")
    assert "Hoàn thành nhiệm vụ" in syt_then
    assert "Đã tính, chờ UBND tỉnh quyết định" in syt_then
    assert "Đã quyết định" not in text_of(then)  # nothing of 2024 was decided yet
    today = views.rating("rating/2024/SYT")
    assert today["level"] == "HTT"
    assert "Hoàn thành tốt nhiệm vụ" not in syt_then
    assert views.position() == position  # the live views were not touched


def test_a_date_before_any_2024_entry_shows_only_2023(demo_client: FlaskClient) -> None:
    log_in(demo_client, AUDITOR)
    html = demo_client.get("/kiem-toan/theo-ngay?ngay=2023-12-31").text
    assert "Xếp loại năm 2023" in html
    assert "Xếp loại năm 2024" not in html


def test_deadlines_are_judged_on_the_chosen_date(demo_client: FlaskClient) -> None:
    log_in(demo_client, AUDITOR)
    html = demo_client.get("/kiem-toan/theo-ngay?ngay=2024-11-01&nam=2024").text
    assert "Thời hạn năm 2024, tình trạng ngày 01/11/2024" in html
    assert "Chưa đến hạn" in html  # the 2024 ratings were not due yet on 1 November
    later = demo_client.get("/kiem-toan/theo-ngay?ngay=2024-12-31&nam=2024").text
    assert later.count("Chưa đến hạn") < html.count("Chưa đến hạn")


def test_a_date_typed_as_dd_mm_yyyy_is_understood(demo_client: FlaskClient) -> None:
    log_in(demo_client, AUDITOR)
    response = demo_client.get("/kiem-toan/theo-ngay", query_string={"ngay": "15/11/2024"})
    assert response.status_code == 200
    assert "đến hết ngày 15/11/2024" in text_of(response.text)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("", "Hãy chọn một ngày"),
        ("2024-13-45", "Ngày không hợp lệ"),
        ("31/02/2024", "Ngày không hợp lệ"),
        ("hôm qua", "Ngày không hợp lệ"),
        ("2024-11-15T00:00", "Ngày không hợp lệ"),
        ("9" * 60, "Ngày không hợp lệ"),
        ("0001-01-01", "Sổ cái bắt đầu từ ngày 12/01/2023"),
        ("2023-01-11", "Sổ cái bắt đầu từ ngày 12/01/2023"),
        ("9999-12-31", "Không thể xem trước tương lai"),
    ],
)
def test_a_bad_date_gets_a_vietnamese_error_and_nothing_changes(demo_app: Flask, day: str, message: str) -> None:
    client = demo_app.test_client()
    log_in(client, AUDITOR)
    before = head_of(demo_app)
    response = client.get("/kiem-toan/theo-ngay", query_string={"ngay": day})
    assert response.status_code == 422
    assert error_of(response.text, "ngay").startswith(message)
    assert head_of(demo_app) == before


def test_a_year_the_ledger_does_not_hold_is_refused(demo_client: FlaskClient) -> None:
    log_in(demo_client, AUDITOR)
    response = demo_client.get("/kiem-toan/theo-ngay?ngay=2024-11-15&nam=1999")
    assert response.status_code == 422
    assert error_of(response.text, "nam") == "Năm không có trong sổ cái"


# The difference between two dates -----------------------------------------------------------


def test_the_difference_shows_the_appeal_that_raised_a_level_and_the_moved_deadline(demo_client: FlaskClient) -> None:
    log_in(demo_client, AUDITOR)
    html = demo_client.get("/kiem-toan/so-sanh?tu_ngay=2024-11-25&den_ngay=2024-12-31&nam=2024").text

    syt = row_of(html, "rating/2024/SYT")
    assert "Hoàn thành nhiệm vụ Hoàn thành tốt nhiệm vụ" in syt  # before, after
    assert "Đang giải quyết kiến nghị" in syt
    assert "Đã điều chỉnh sau kiến nghị" in syt
    assert "rating/2024/BQLKCN" not in html  # decided on 20/11 and unchanged since


def test_the_difference_from_before_the_computation_lists_every_new_rating(demo_client: FlaskClient) -> None:
    log_in(demo_client, AUDITOR)
    html = demo_client.get("/kiem-toan/so-sanh?tu_ngay=2024-11-01&den_ngay=2024-12-31&nam=2024").text
    assert html.count('class="change-new"') >= 40
    assert "Chưa có" in row_of(html, "rating/2024/SYT")


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"tu_ngay": "2024-12-31", "den_ngay": "2024-11-01"}, "den_ngay", "Ngày sau phải muộn hơn ngày trước"),
        ({"tu_ngay": "2024-11-01", "den_ngay": "2024-11-01"}, "den_ngay", "Ngày sau phải muộn hơn ngày trước"),
        ({"tu_ngay": "", "den_ngay": "2024-11-01"}, "tu_ngay", "Hãy chọn một ngày"),
        ({"tu_ngay": "2024-11-01"}, "den_ngay", "Hãy chọn một ngày"),
        ({"tu_ngay": "2024-11-01", "den_ngay": "1/1/1"}, "den_ngay", "Ngày không hợp lệ"),
        ({"tu_ngay": "2022-01-01", "den_ngay": "2024-11-01"}, "tu_ngay", "Sổ cái bắt đầu từ ngày"),
    ],
)
def test_a_bad_pair_of_dates_gets_a_vietnamese_error(
    demo_client: FlaskClient, query: dict[str, str], field: str, message: str
) -> None:
    log_in(demo_client, AUDITOR)
    response = demo_client.get("/kiem-toan/so-sanh", query_string=query)
    assert response.status_code == 422
    assert error_of(response.text, field).startswith(message)


# The inspector: checkpoint -------------------------------------------------------------------


def test_the_inspector_sees_the_latest_checkpoint_and_that_no_witness_cosigned_it(demo_client: FlaskClient) -> None:
    log_in(demo_client, INSPECTOR)
    page = text_of(demo_client.get("/thanh-tra/").text)
    assert "Số mục 412" in page
    assert "hungyen.gov.vn/par-ledger" in page
    assert "chưa có chữ ký xác nhận của bên chứng kiến nào" in page


def test_a_witness_cosignature_is_shown_checked(demo_instance: Instance) -> None:
    witness = CosignatureSigner.generate("thanhtra.hungyen.gov.vn/witness")
    demo_instance.add_witness(witness.vkey)
    app = create_app({"TESTING": True}, instance=demo_instance)
    try:
        log = app.extensions["log"]
        size, note = log.checkpoint()
        log.add_cosignature(size, witness.cosign(Note.parse(note).text, 1_733_900_000).line())
        client = app.test_client()
        log_in(client, INSPECTOR)
        html = client.get("/thanh-tra/").text
    finally:
        app.extensions["ledger"].close()
    cosignatures = text_of(html.split('id="cosignatures"')[1].split("</table>")[0])
    assert "thanhtra.hungyen.gov.vn/witness" in cosignatures
    assert "Hợp lệ" in cosignatures
    assert "11/12/2024 13:53" in cosignatures  # 1733900000 in Hưng Yên's time


# The inspector: receipts --------------------------------------------------------------------


def _receipt(client: FlaskClient, seq: int) -> bytes:
    response = client.get(f"/bien-nhan/{seq}")
    assert response.status_code == 200
    return response.data


def test_a_receipt_downloaded_from_the_ledger_is_verified(demo_app: Flask) -> None:
    client = demo_app.test_client()
    csrf = log_in(client, INSPECTOR)
    before = head_of(demo_app)
    response = upload(
        client, csrf, "/thanh-tra/bien-nhan", "bien_nhan", _receipt(client, 362), "bien-nhan-362.tlog-proof"
    )
    assert response.status_code == 200
    verdict, text = verdict_of(response.text)
    assert verdict == "verified"
    assert "Biên nhận hợp lệ: đã xác minh" in text
    assert "Mục số 362" in text
    assert "rating.compute — rating/2024/SYT" in text
    assert "Mốc kiểm tra 412 mục, hungyen.gov.vn/par-ledger" in text
    assert head_of(demo_app) == before


def _tamper(receipt: bytes, old: bytes, new: bytes) -> bytes:
    lines = receipt.split(b"\n")
    assert lines[1].startswith(b"extra ")
    leaf = base64.b64decode(lines[1][len(b"extra ") :])
    assert old in leaf
    lines[1] = b"extra " + base64.b64encode(leaf.replace(old, new, 1))
    return b"\n".join(lines)


def _resigned(receipt: bytes) -> bytes:
    """The same receipt, its checkpoint signed by another key of the same name (a forged log key)."""
    proof = TlogProof.parse(receipt)
    note = Note.parse(proof.checkpoint_note)
    forger = NoteSigner.generate(note.signatures[0].name)
    forged = Note(note.text, (forger.sign(note.text),)).serialize()
    return TlogProof(proof.index, proof.proof, forged, proof.extra).serialize()


def _nested_payload(receipt: bytes) -> bytes:
    """The receipt whose entry's payload is 100,000 nested JSON arrays (Python's parser would recurse)."""
    leaf = base64.b64decode(receipt.split(b"\n")[1][len(b"extra ") :])
    payload = re.search(rb"\npayload ([A-Za-z0-9+/=]+)\n", leaf)
    assert payload is not None
    return _tamper(receipt, payload.group(1), base64.b64encode(b"[" * 100_000))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_nested_payload, "Nội dung mục trong biên nhận bị hỏng"),
        (
            lambda r: _tamper(r, b"time 2024-11-12T01:05:20", b"time 2024-11-12T01:05:21"),
            "không nằm trong sổ cái đã ký",
        ),
        (lambda r: _tamper(r, b"seq 362", b"seq 363"), "Mục ghi là số 363, nhưng bằng chứng lại dành cho mục số 362"),
        (lambda r: r.replace(b"\nindex 361\n", b"\nindex 360\n"), "Mục ghi là số 362"),
        (_resigned, "không khớp với khoá nhật ký"),
        (lambda r: r.replace(b"hungyen.gov.vn/par-ledger\n412\n", b"hungyen.gov.vn/par-ledger\n413\n"), "không khớp"),
    ],
)
def test_a_tampered_receipt_is_refused_with_the_reason(demo_app: Flask, change: Any, reason: str) -> None:
    client = demo_app.test_client()
    csrf = log_in(client, INSPECTOR)
    tampered = change(_receipt(client, 362))
    response = upload(client, csrf, "/thanh-tra/bien-nhan", "bien_nhan", tampered, "bien-nhan-362.tlog-proof")
    assert response.status_code == 422
    verdict, text = verdict_of(response.text)
    assert verdict == "refused"
    assert "Biên nhận bị từ chối" in text
    assert reason in text


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"", "rong.tlog-proof", "Tệp rỗng"),
        (b"x" * (256 * 1024 + 1), "lon.tlog-proof", "Tệp quá lớn"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "anh.png", "không phải biên nhận"),
        ("Biên nhận của tôi\n\nchữ ký\n".encode(), "biên-nhận.txt", "không phải biên nhận"),
        (b"c2sp.org/tlog-proof@v1\nindex 1\n\nnot a note", "nua.tlog-proof", "không phải biên nhận"),
        (b"\xff\xfe" * 100, "utf16.tlog-proof", "không phải biên nhận"),
    ],
)
def test_a_bad_receipt_upload_is_refused_in_vietnamese_never_a_500(
    demo_app: Flask, data: bytes, name: str, reason: str
) -> None:
    client = demo_app.test_client()
    csrf = log_in(client, INSPECTOR)
    before = head_of(demo_app)
    response = upload(client, csrf, "/thanh-tra/bien-nhan", "bien_nhan", data, name)
    assert response.status_code == 422
    assert reason in verdict_of(response.text)[1]
    assert head_of(demo_app) == before


def test_no_file_at_all_is_asked_for(demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, INSPECTOR)
    response = demo_client.post("/thanh-tra/bien-nhan", data={"csrf_token": csrf})
    assert response.status_code == 422
    assert "Hãy chọn một tệp để tải lên" in verdict_of(response.text)[1]


def test_an_upload_without_the_csrf_token_is_refused(demo_client: FlaskClient) -> None:
    log_in(demo_client, INSPECTOR)
    response = demo_client.post(
        "/thanh-tra/bien-nhan",
        data={"bien_nhan": (io.BytesIO(b"x"), "x.tlog-proof")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


# The inspector: bundles ---------------------------------------------------------------------


def _bundle_zip(client: FlaskClient) -> bytes:
    response = client.get("/thanh-tra/goi-kiem-tra.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "par-ledger-bundle-412.zip" in response.headers["Content-Disposition"]
    return response.data


def _rezip(data: bytes, change: Any) -> bytes:
    """The archive with each member passed through change(name, bytes) -> (name, bytes) or None."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            changed = change(info.filename, source.read(info))
            if changed is not None:
                target.writestr(changed[0], changed[1])
    return out.getvalue()


def _as_tar_gz(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, tarfile.open(fileobj=out, mode="w:gz") as target:
        for info in source.infolist():
            content = source.read(info)
            member = tarfile.TarInfo(info.filename)
            member.size = len(content)
            target.addfile(member, io.BytesIO(content))
    return out.getvalue()


def test_the_downloaded_bundle_verifies_offline_as_parledger_verify_does(
    demo_client: FlaskClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.log import verify_bundle

    log_in(demo_client, INSPECTOR)
    with zipfile.ZipFile(io.BytesIO(_bundle_zip(demo_client))) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path)
    folder = tmp_path / "par-ledger-bundle-412"
    assert {"README.md", "entries.jsonl", "checkpoints.jsonl", "log.vkey", "root-key-id"} <= {
        Path(n).name for n in names
    }
    assert len((folder / "entries.jsonl").read_text().splitlines()) == 412
    verify_bundle(folder, None, 1)
    assert "OK: 412 entries verified against checkpoint 412" in capsys.readouterr().out


@pytest.mark.parametrize("packing", ["zip", "tar.gz", "zip at the top"])
def test_an_uploaded_bundle_is_verified(demo_app: Flask, packing: str) -> None:
    client = demo_app.test_client()
    csrf = log_in(client, INSPECTOR)
    data = _bundle_zip(client)
    if packing == "tar.gz":
        data = _as_tar_gz(data)
    elif packing == "zip at the top":
        data = _rezip(data, lambda name, content: (name.split("/", 1)[1], content))
    before = head_of(demo_app)
    response = upload(client, csrf, "/thanh-tra/goi-kiem-tra", "goi", data, f"goi.{packing.split()[0]}")
    assert response.status_code == 200
    verdict, text = verdict_of(response.text)
    assert verdict == "verified"
    assert "Số mục đã kiểm tra 412" in text
    assert "Mốc kiểm tra mới nhất 412 mục" in text
    assert head_of(demo_app) == before


def _change_entry(name: str, content: bytes) -> tuple[str, bytes]:
    if name.endswith("entries.jsonl"):
        lines = content.split(b"\n")
        lines[99], lines[100] = lines[100], lines[99]  # entries 100 and 101 swapped
        content = b"\n".join(lines)
    return name, content


def _change_document(name: str, content: bytes) -> tuple[str, bytes]:
    return name, (content + b"!" if "/documents/" in name else content)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_change_entry, "lỗi trong 412 mục"),
        (_change_document, "lỗi trong 412 mục"),
        (lambda n, c: None if n.endswith("checkpoints.jsonl") else (n, c), "Gói thiếu tệp bắt buộc"),
        (lambda n, c: (n, b"other.log+12345678+AAAA\n") if n.endswith("log.vkey") else (n, c), "khoá nhật ký khác"),
        (lambda n, c: (n, c[:-200]) if n.endswith("entries.jsonl") else (n, c), "Gói bị hỏng"),
        (lambda n, c: ("../" + n, c), "không an toàn"),
        (lambda n, c: ("/tmp/" + n, c), "không an toàn"),
    ],
)
def test_a_tampered_bundle_is_refused_with_the_reason(demo_app: Flask, change: Any, reason: str) -> None:
    client = demo_app.test_client()
    csrf = log_in(client, INSPECTOR)
    data = _rezip(_bundle_zip(client), change)
    response = upload(client, csrf, "/thanh-tra/goi-kiem-tra", "goi", data, "goi.zip")
    assert response.status_code == 422
    verdict, text = verdict_of(response.text)
    assert verdict == "refused"
    assert "Gói kiểm tra bị từ chối" in text
    assert reason in text


def _nested(file: str, depth: int) -> Any:
    return lambda name, content: (name, b"[" * depth + b"\n") if name.endswith(file) else (name, content)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        pytest.param(
            _nested("checkpoints.jsonl", 200_000),
            "dòng 1 của checkpoints.jsonl dài hơn giới hạn 65536 byte",
            id="200000-nested-brackets-in-checkpoints",
        ),
        pytest.param(
            _nested("checkpoints.jsonl", 60_000),
            "dòng 1 của checkpoints.jsonl lồng JSON sâu hơn giới hạn 32 cấp",
            id="60000-nested-brackets-in-checkpoints",
        ),
        pytest.param(
            _nested("entries.jsonl", 200_000),
            "dòng 1 của entries.jsonl lồng JSON sâu hơn giới hạn 32 cấp",
            id="200000-nested-brackets-in-entries",
        ),
    ],
)
def test_a_deeply_nested_bundle_line_is_refused_in_vietnamese_never_a_500(
    demo_app: Flask, change: Any, reason: str
) -> None:
    client = demo_app.test_client()
    csrf = log_in(client, INSPECTOR)
    data = _rezip(_bundle_zip(client), change)
    response = upload(client, csrf, "/thanh-tra/goi-kiem-tra", "goi", data, "goi.zip")
    assert response.status_code == 422
    verdict, text = verdict_of(response.text)
    assert verdict == "refused"
    assert f"Gói bị hỏng, không đọc được: {reason}" in text
    assert "par-inspect-" not in text  # the server's temporary folder is not shown


def test_a_bundle_archive_with_a_link_is_refused(demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, INSPECTOR)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        link = tarfile.TarInfo("entries.jsonl")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        archive.addfile(link)
    response = upload(demo_client, csrf, "/thanh-tra/goi-kiem-tra", "goi", out.getvalue(), "goi.tar")
    assert response.status_code == 422
    assert "không an toàn" in verdict_of(response.text)[1]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "Tệp rỗng"),
        (b"PK\x03\x04 not really a zip" * 10, "không phải gói kiểm tra"),
        ("Gói kiểm tra của tôi".encode() * 50, "không phải gói kiểm tra"),
    ],
)
def test_a_bad_bundle_upload_is_refused_in_vietnamese(demo_client: FlaskClient, data: bytes, reason: str) -> None:
    csrf = log_in(demo_client, INSPECTOR)
    response = upload(demo_client, csrf, "/thanh-tra/goi-kiem-tra", "goi", data, "goi.zip")
    assert response.status_code == 422
    assert reason in verdict_of(response.text)[1]


def test_an_empty_zip_is_not_a_bundle(demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, INSPECTOR)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w"):
        pass
    response = upload(demo_client, csrf, "/thanh-tra/goi-kiem-tra", "goi", out.getvalue(), "goi.zip")
    assert response.status_code == 422
    assert "Không tìm thấy entries.jsonl" in verdict_of(response.text)[1]


def test_an_upload_over_the_size_limit_gets_413_in_vietnamese(demo_app: Flask) -> None:
    demo_app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    client = demo_app.test_client()
    csrf = log_in(client, INSPECTOR)
    before = head_of(demo_app)
    response = upload(client, csrf, "/thanh-tra/goi-kiem-tra", "goi", bytes(2 * 1024 * 1024), "goi.zip")
    assert response.status_code == 413
    assert "Tệp quá lớn: tối đa 1 MB" in text_of(response.text)
    assert head_of(demo_app) == before
