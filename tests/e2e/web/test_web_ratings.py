"""Ratings through the web (test client): who sees, computes, decides, appeals; batches; errors in Vietnamese."""

from __future__ import annotations

import base64
import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from webtest import csrf_of, log_in, sign_review

from demo.loader import COMMITTEE, HEADS, RULESET_INDICES, SNV_OFFICER, demo_key
from ledger.domain.rules import ILLUSTRATIVE_PARAMETERS
from ledger.signing.dsse import PAYLOAD_TYPE, pae

CHAIRMAN = HEADS[COMMITTEE].officer_id
SYT_HEAD = HEADS["SYT"].officer_id
SNV_HEAD = HEADS["SNV"].officer_id


def head_of(app: Flask) -> int:
    return int(app.extensions["ledger"].head)


def issue_stricter_ruleset(app: Flask, version: str = "v2") -> None:
    """The committee issues a second rule set (HTT from 85 %), so SNV has heads to recompute."""
    ledger = app.extensions["ledger"]
    body = {
        "legal_basis": "Bộ quy tắc thử nghiệm v2 (minh hoạ)",
        "illustrative": True,
        "description": "Như v1, nhưng HTT từ 85% điểm tối đa.",
        "parameters": {**ILLUSTRATIVE_PARAMETERS, "htt_min_percent": "85"},
        "indices": {unit_class: list(codes) for unit_class, codes in RULESET_INDICES.items()},
    }
    ledger.append(ledger.author(demo_key(CHAIRMAN)).sign("ruleset.issue", f"ruleset/{version}", body))


def sign_batch(client: FlaskClient, review_html: str, officer: str, *, forge: int | None = None) -> Any:
    """Sign every payload of a batch review page with `officer`'s demo key (statement `forge`, 0-based,
    with a wrong signature) and post them to /ky/lo, as sign.js does."""
    payloads = re.findall(r'name="payload" value="([^"]+)"', review_html)
    assert payloads, "not a batch review page"
    key = demo_key(officer)
    signatures = []
    for i, payload in enumerate(payloads):
        signature = key.sign(pae(PAYLOAD_TYPE, base64.b64decode(payload)))
        if i == forge:
            signature = bytes([signature[0] ^ 1]) + signature[1:]
        signatures.append(base64.b64encode(signature).decode())
    return client.post(
        "/ky/lo",
        data={
            "csrf_token": csrf_of(review_html),
            "payload": payloads,
            "signature": signatures,
            "key_id": key.key_id,
            "title": "Lô thử",
            "back": "/xep-loai/",
        },
    )


# Who sees what ------------------------------------------------------------------------------


def test_a_unit_sees_only_its_own_ratings(demo_client: FlaskClient) -> None:
    log_in(demo_client, SYT_HEAD)

    page = demo_client.get("/xep-loai/?nam=2024").text

    assert 'id="rating-SYT"' in page
    assert "Hoàn thành tốt nhiệm vụ" in demo_client.get("/xep-loai/chi-tiet/2024/SYT").text
    assert 'id="rating-SNV"' not in page
    assert "Ban Quản lý các khu công nghiệp" not in page
    assert demo_client.get("/xep-loai/chi-tiet/2024/SNV").status_code == 404
    assert demo_client.get("/xep-loai/chi-tiet/2023/SNV/nguyen.van.a").status_code == 404
    assert demo_client.get("/xep-loai/don-vi/SNV").status_code == 404
    assert demo_client.get("/xep-loai/tong-hop").status_code == 403


def test_snv_sees_every_unit_with_inputs_on_click_and_the_distribution_chart(demo_client: FlaskClient) -> None:
    log_in(demo_client, SNV_OFFICER)

    page = demo_client.get("/xep-loai/?nam=2024").text

    assert 'id="rating-SYT"' in page
    assert 'id="rating-SNV"' in page
    assert '<details class="inputs">' in page
    assert "Bộ quy tắc v1" in page
    assert '<svg role="img"' in page
    assert 'id="chart-distribution"' in page
    assert "style=" not in page
    assert "<script>" not in page


def test_a_rating_shows_its_chain_with_the_superseded_levels_and_the_appeal(demo_client: FlaskClient) -> None:
    log_in(demo_client, SYT_HEAD)

    page = demo_client.get("/xep-loai/chi-tiet/2024/SYT").text

    chain = page.split('id="level-chain"')[1].split("</ol>")[0]
    assert chain.count('class="superseded"') == 2
    assert chain.count('class="in-force"') == 1
    assert "Sở Nội vụ tính" in chain
    assert "Điều chỉnh sau kiến nghị" in chain
    assert "Quyết định số 3120/QĐ-UBND ngày 10/12/2024" in page
    assert "112 phiếu khảo sát" in page  # the grounds of the appeal
    assert "SIPAS_UNIT" in page
    assert "78.90" in page


def test_a_unit_sees_its_index_results_over_the_years_as_a_chart(demo_client: FlaskClient) -> None:
    log_in(demo_client, SYT_HEAD)

    page = demo_client.get("/xep-loai/don-vi/SYT").text

    assert 'id="chart-results"' in page
    assert "<polyline" in page
    assert "PAR_UNIT" in page
    assert "2023" in page
    assert "2024" in page


# Appeals ------------------------------------------------------------------------------------


def test_a_unit_appeals_its_own_rating_and_the_committee_resolves_it(demo_app: Flask, demo_client: FlaskClient) -> None:
    log_in(demo_client, SYT_HEAD)
    review = demo_client.post(
        "/xep-loai/kien-nghi/2023/SYT",
        data={
            "csrf_token": csrf_of(demo_client.get("/xep-loai/kien-nghi/2023/SYT").text),
            "grounds": "Đề nghị xem xét lại điểm SIPAS",
        },
    )
    assert review.status_code == 200
    assert "Đề nghị xem xét lại điểm SIPAS" in review.text

    done = sign_review(demo_client, review.text, SYT_HEAD)

    assert 'id="receipt-seq"' in done.text
    assert "Đang giải quyết kiến nghị" in demo_client.get("/xep-loai/chi-tiet/2023/SYT").text

    committee = demo_app.test_client()
    log_in(committee, CHAIRMAN)
    form = committee.get("/xep-loai/giai-quyet/2023/SYT").text
    assert "Đề nghị xem xét lại điểm SIPAS" in form
    review = committee.post(
        "/xep-loai/giai-quyet/2023/SYT",
        data={"csrf_token": csrf_of(form), "outcome": "upheld", "reason": "Điểm đúng", "decision": "QĐ 9/QĐ-UBND"},
    )
    done = sign_review(committee, review.text, CHAIRMAN)

    assert 'id="receipt-seq"' in done.text
    rating = demo_app.extensions["views"].rating("rating/2023/SYT")
    assert rating["status"] == "decided"
    assert rating["appeals"][-1]["outcome"] == "upheld"


def test_a_unit_cannot_appeal_another_units_rating(demo_app: Flask, demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, SYT_HEAD)
    before = head_of(demo_app)

    response = demo_client.post("/xep-loai/kien-nghi/2023/SNV", data={"csrf_token": csrf, "grounds": "Không phục"})

    assert response.status_code == 404
    assert head_of(demo_app) == before


def test_an_appeal_without_grounds_is_refused_next_to_the_field(demo_app: Flask, demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, SYT_HEAD)
    before = head_of(demo_app)

    response = demo_client.post("/xep-loai/kien-nghi/2023/SYT", data={"csrf_token": csrf, "grounds": "   "})

    assert response.status_code == 422
    assert 'id="e-grounds">Trường này là bắt buộc' in response.text
    assert head_of(demo_app) == before


def test_resolving_by_revision_needs_a_new_level(demo_app: Flask, demo_client: FlaskClient) -> None:
    log_in(demo_client, SYT_HEAD)
    review = demo_client.post(
        "/xep-loai/kien-nghi/2023/SYT",
        data={"csrf_token": csrf_of(demo_client.get("/xep-loai/kien-nghi/2023/SYT").text), "grounds": "Xem lại"},
    )
    sign_review(demo_client, review.text, SYT_HEAD)
    committee = demo_app.test_client()
    csrf = log_in(committee, CHAIRMAN)
    before = head_of(demo_app)

    response = committee.post(
        "/xep-loai/giai-quyet/2023/SYT",
        data={"csrf_token": csrf, "outcome": "revised", "level": "", "reason": "", "decision": "QĐ 1"},
    )

    assert response.status_code == 422
    assert 'id="e-level">Điều chỉnh thì phải chọn mức mới' in response.text
    assert 'id="e-reason">Trường này là bắt buộc' in response.text
    assert head_of(demo_app) == before


def test_only_the_committee_resolves_appeals_on_heads_ratings(demo_app: Flask, demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, SNV_OFFICER)
    before = head_of(demo_app)

    response = demo_client.post(
        "/xep-loai/giai-quyet/2024/SYT",
        data={"csrf_token": csrf, "outcome": "upheld", "reason": "x", "decision": "y"},
    )

    assert response.status_code == 403
    assert head_of(demo_app) == before


# The committee decides -------------------------------------------------------------------------


def test_an_officer_outside_the_committee_cannot_decide(demo_app: Flask, demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, SNV_OFFICER)
    before = head_of(demo_app)

    assert demo_client.get("/xep-loai/quyet-dinh/2024").status_code == 403
    response = demo_client.post(
        "/xep-loai/quyet-dinh/2024", data={"csrf_token": csrf, "decision": "QĐ 1", "chon-SYT": "1", "level-SYT": "HTXS"}
    )

    assert response.status_code == 403
    assert head_of(demo_app) == before
    assert "Quyết định xếp loại" not in demo_client.get("/xep-loai/?nam=2024").text


def test_a_differing_decision_without_reason_and_a_missing_number_are_refused_in_vietnamese(
    demo_app: Flask, demo_client: FlaskClient
) -> None:
    issue_stricter_ruleset(demo_app)
    snv = demo_app.test_client()
    log_in(snv, SNV_OFFICER)
    review = snv.post(
        "/xep-loai/tinh", data={"csrf_token": csrf_of(snv.get("/xep-loai/tinh").text), "year": "2024", "ruleset": "v2"}
    )
    sign_batch(snv, review.text, SNV_OFFICER)
    csrf = log_in(demo_client, CHAIRMAN)
    computed = demo_app.extensions["views"].rating("rating/2024/SNV")["computed_level"]
    other = next(level for level in ("HTXS", "KHT") if level != computed)
    before = head_of(demo_app)

    response = demo_client.post(
        "/xep-loai/quyet-dinh/2024",
        data={"csrf_token": csrf, "decision": "", "chon-SNV": "1", "level-SNV": other, "reason-SNV": ""},
    )

    assert response.status_code == 422
    assert 'id="e-decision">Trường này là bắt buộc' in response.text
    assert 'id="e-reason-SNV">Mức quyết định khác mức Sở Nội vụ tính' in response.text
    assert head_of(demo_app) == before


# SNV computes in a batch; the committee decides in a batch ---------------------------------------


def test_snv_computes_the_heads_ratings_and_signs_them_on_one_page_then_the_committee_decides(
    demo_app: Flask, demo_client: FlaskClient
) -> None:
    issue_stricter_ruleset(demo_app)
    log_in(demo_client, SNV_OFFICER)
    preview = demo_client.get("/xep-loai/tinh?year=2024&ruleset=v2").text
    assert "Tính lại (số liệu đã thay đổi)" in preview

    review = demo_client.post("/xep-loai/tinh", data={"csrf_token": csrf_of(preview), "year": "2024", "ruleset": "v2"})
    count = int(re.search(r'id="batch-count">(\d+)<', review.text).group(1))
    assert count > 10
    assert review.text.count('class="batch-item"') == count

    before = head_of(demo_app)
    done = sign_batch(demo_client, review.text, SNV_OFFICER)

    assert done.status_code == 200
    assert f'id="batch-written">{count}<' in done.text
    assert done.text.count('class="receipt-seq"') == count
    assert head_of(demo_app) == before + count
    assert demo_app.extensions["views"].rating("rating/2024/SNV")["ruleset"] == "v2"
    assert "0</strong> xếp loại cần ký" in demo_client.get("/xep-loai/tinh?year=2024&ruleset=v2").text

    committee = demo_app.test_client()
    log_in(committee, CHAIRMAN)
    form = committee.get("/xep-loai/quyet-dinh/2024").text
    chosen = re.findall(r'name="chon-([^"]+)" value="1" checked', form)
    data: dict[str, Any] = {"csrf_token": csrf_of(form), "decision": "Quyết định số 77/QĐ-UBND ngày 01/12/2024"}
    for unit in chosen:
        data[f"chon-{unit}"] = "1"
        data[f"level-{unit}"] = re.search(rf'name="level-{re.escape(unit)}".*?selected>(\w+) ', form, re.S).group(1)
    review = committee.post("/xep-loai/quyet-dinh/2024", data=data)
    done = sign_batch(committee, review.text, CHAIRMAN)

    assert done.text.count('class="receipt-seq"') == len(chosen)
    assert demo_app.extensions["views"].rating("rating/2024/SNV")["status"] == "decided"


def test_a_refused_statement_in_a_batch_is_named_and_the_others_are_appended(
    demo_app: Flask, demo_client: FlaskClient
) -> None:
    issue_stricter_ruleset(demo_app)
    log_in(demo_client, SNV_OFFICER)
    review = demo_client.post(
        "/xep-loai/tinh",
        data={"csrf_token": csrf_of(demo_client.get("/xep-loai/tinh").text), "year": "2024", "ruleset": "v2"},
    )
    subjects = re.findall(r'class="batch-item" data-subject="([^"]+)"', review.text)
    before = head_of(demo_app)

    done = sign_batch(demo_client, review.text, SNV_OFFICER, forge=1)

    assert done.status_code == 200
    refused = done.text.split('id="batch-refused"')[1].split("</div>")[0]
    assert f"Bản ghi số 2 — <code>{subjects[1]}</code>: Chữ ký không hợp lệ" in refused
    assert head_of(demo_app) == before + len(subjects) - 1


def test_a_batch_from_another_officer_is_refused_whole(demo_app: Flask, demo_client: FlaskClient) -> None:
    issue_stricter_ruleset(demo_app)
    log_in(demo_client, SNV_OFFICER)
    review = demo_client.post(
        "/xep-loai/tinh",
        data={"csrf_token": csrf_of(demo_client.get("/xep-loai/tinh").text), "year": "2024", "ruleset": "v2"},
    )
    other = demo_app.test_client()
    log_in(other, SNV_HEAD)  # the same unit, another officer: may not post what SNV_OFFICER composed
    page = other.get("/xep-loai/").text
    before = head_of(demo_app)

    response = sign_batch(other, review.text.replace(csrf_of(review.text), csrf_of(page)), SNV_OFFICER)

    assert response.status_code == 403
    assert head_of(demo_app) == before


def test_a_head_rates_staff_under_the_units_rule(demo_app: Flask, demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, SNV_HEAD)
    before = head_of(demo_app)

    missing_rule = demo_client.post(
        "/xep-loai/ca-nhan",
        data={"csrf_token": csrf, "year": "2099", "name": "Lê Thị Hoà", "position": "Chuyên viên", "level": "HTT"},
    )
    assert missing_rule.status_code == 422
    assert 'id="e-year">Đơn vị chưa gửi quy chế' in missing_rule.text
    assert head_of(demo_app) == before

    review = demo_client.post(
        "/xep-loai/ca-nhan",
        data={"csrf_token": csrf, "year": "2024", "name": "Lê Thị Hoà", "position": "Chuyên viên", "level": "HTT"},
    )
    done = sign_review(demo_client, review.text, SNV_HEAD)

    assert 'id="receipt-seq"' in done.text
    assert demo_app.extensions["views"].rating("rating/2024/SNV/le.thi.hoa")["name"] == "Lê Thị Hoà"


def test_snv_exports_the_compilation_as_xlsx(demo_client: FlaskClient) -> None:
    log_in(demo_client, SNV_OFFICER)
    page = demo_client.get("/xep-loai/tong-hop?nam=2024").text
    assert 'id="compiled-SYT"' in page

    response = demo_client.get("/xep-loai/tong-hop/2024.xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    text = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None)
    assert "Sở Y tế" in text
    assert "Hoàn thành tốt nhiệm vụ" in text
