"""The demo's appeal story on every page that shows Sở Y tế's 2024 rating, and what a later recomputation may do to it.

In the demo the committee decided HT for Sở Y tế's head (Quyết định số 2890/QĐ-UBND) and, on appeal,
revised it to HTT (Quyết định số 3120/QĐ-UBND). Then SKHĐT corrects DDCI 2024 and Sở Nội vụ recomputes:
the level in force stays the appeal's HTT, and the committee can set HT again only by saying it
overrides that resolution, with a reason.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from test_web_ratings import CHAIRMAN, SNV_OFFICER, SYT_HEAD, head_of, sign_batch
from webtest import csrf_of, log_in

from demo.province import SKHDT_OFFICER, demo_author
from ledger.errors import PayloadError

RATING = "rating/2024/SYT"
DDCI = "submission/index-results/DDCI_UNIT/2024"
DECIDED = "Quyết định số 2890/QĐ-UBND ngày 20/11/2024"
RESOLUTION = "Quyết định số 3120/QĐ-UBND ngày 10/12/2024"
NEW_DECISION = "Quyết định số 3300/QĐ-UBND ngày 20/12/2024"


def correct_ddci(app: Flask) -> None:
    """SKHĐT corrects DDCI 2024: Sở Y tế's score is 0.01 higher (its rank unchanged)."""
    ledger = app.extensions["ledger"]
    published = ledger.history(DDCI)[0].statement.body
    results = []
    for row in published["results"]:
        if row["unit"] == "SYT":
            row = {**row, "score": str(Decimal(row["score"]) + Decimal("0.01"))}
        results.append(row)
    body = {
        "reason": "Sai sót khi nhập điểm của Sở Y tế",
        "decision": "Quyết định số 3200/QĐ-UBND ngày 15/12/2024",
        "replacement": {**published, "results": results},
    }
    ledger.append(demo_author(SKHDT_OFFICER).sign("submission.correct", DDCI, body))


def recompute(app: Flask) -> str:
    """Sở Nội vụ recomputes 2024 through the compute page; the page as it showed the plan."""
    snv = app.test_client()
    log_in(snv, SNV_OFFICER)
    preview = snv.get("/xep-loai/tinh?year=2024").text
    review = snv.post("/xep-loai/tinh", data={"csrf_token": csrf_of(preview), "year": "2024"})
    assert re.findall(r'class="batch-item" data-subject="([^"]+)"', review.text) == [RATING]
    sign_batch(snv, review.text, SNV_OFFICER)
    return preview


def cell(page: str, element_id: str) -> str:
    """The text of the element with `element_id`, tags removed."""
    match = re.search(rf'id="{re.escape(element_id)}"[^>]*>(.*?)</(td|tr|p|span)>', page, re.S)
    assert match, f"no element {element_id}"
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip()


def decide_form(client: FlaskClient, level: str, **extra: str) -> Any:
    form = client.get("/xep-loai/quyet-dinh/2024").text
    data = {"csrf_token": csrf_of(form), "decision": NEW_DECISION, "chon-SYT": "1", "level-SYT": level, **extra}
    return client.post("/xep-loai/quyet-dinh/2024", data=data)


@pytest.fixture
def recomputed(demo_app: Flask) -> dict[str, Any]:
    correct_ddci(demo_app)
    return {"preview": recompute(demo_app)}


# Item 12: each level names the decision that set it ----------------------------------------------


def test_the_detail_cites_the_decision_beside_ht_and_the_resolution_beside_htt(demo_client: FlaskClient) -> None:
    log_in(demo_client, SYT_HEAD)

    page = demo_client.get("/xep-loai/chi-tiet/2024/SYT").text

    assert cell(page, "decided-level") == f"Hoàn thành nhiệm vụ — {DECIDED}"
    assert "Hoàn thành tốt nhiệm vụ" in cell(page, "level-in-force")
    assert RESOLUTION in cell(page, "level-in-force-source")
    assert DECIDED not in cell(page, "level-in-force-source")
    revised = page.split('class="revised-level">')[1].split("</td>")[0]
    assert revised == f"Hoàn thành tốt nhiệm vụ — {RESOLUTION}"


def test_the_appeal_story_reads_correctly_on_every_page_that_shows_the_rating(demo_client: FlaskClient) -> None:
    log_in(demo_client, SNV_OFFICER)

    listed = demo_client.get("/xep-loai/?nam=2024").text.split('id="rating-SYT"')[1].split("</tr>\n  <tr")[0]
    compiled = demo_client.get("/xep-loai/tong-hop?nam=2024").text.split('id="compiled-SYT"')[1].split("</tr>")[0]
    as_of = demo_client.get("/kiem-toan/theo-ngay?ngay=2024-12-31").text
    audited = as_of.split(f'data-subject="{RATING}"')[1].split("</tr>")[0]
    before_appeal = demo_client.get("/kiem-toan/theo-ngay?ngay=2024-11-30").text
    audited_before = before_appeal.split(f'data-subject="{RATING}"')[1].split("</tr>")[0]

    assert f'HTT <span class="muted level-source">(sau kiến nghị — {RESOLUTION})' in listed
    assert f"UBND tỉnh quyết định HT: {DECIDED}" in listed
    assert f'HT <span class="muted">({DECIDED})</span>' in compiled
    assert f'HTT <span class="muted">(sau kiến nghị — {RESOLUTION})</span>' in compiled
    assert '<td class="level">Hoàn thành tốt nhiệm vụ</td>' in audited
    assert f"<td>{DECIDED}</td>" in audited  # beside the decided HT, not the resolution's number
    assert '<td class="level">Hoàn thành nhiệm vụ</td>' in audited_before


# Item 11: a recomputation does not undo an appeal ---------------------------------------------------


def test_the_compute_page_shows_the_appeals_level_as_the_level_in_force(demo_app: Flask) -> None:
    correct_ddci(demo_app)
    snv = demo_app.test_client()
    log_in(snv, SNV_OFFICER)

    plan = snv.get("/xep-loai/tinh?year=2024").text.split('id="plan-SYT"')[1].split("</tr>")[0]

    assert f"Hoàn thành tốt nhiệm vụ (Điều chỉnh sau kiến nghị — {RESOLUTION})" in plan
    assert "Tính lại không thay thế mức do giải quyết kiến nghị" in plan
    assert "Tính lại (số liệu đã thay đổi)" in plan


def test_a_recomputation_after_the_appeal_keeps_htt_in_force(demo_app: Flask, recomputed: dict[str, Any]) -> None:
    rating = demo_app.extensions["views"].rating(RATING)

    assert (rating["level"], rating["computed_level"], rating["status"]) == ("HTT", "HT", "computed")
    assert rating["level_source"] == {"how": "revised", "seq": rating["appeals"][-1]["resolved_seq"],
                                      "decision": RESOLUTION}  # fmt: skip
    assert demo_app.extensions["ledger"].get(RATING).level == "HTT"


def test_the_decision_form_preselects_the_appeals_level_and_warns(demo_app: Flask, recomputed: dict[str, Any]) -> None:
    committee = demo_app.test_client()
    log_in(committee, CHAIRMAN)

    form = committee.get("/xep-loai/quyet-dinh/2024").text
    row = form.split('id="decide-SYT"')[1].split("</tr>")[0]

    assert re.search(r'<option value="HTT" selected>', row)
    assert f"Điều chỉnh sau kiến nghị — {RESOLUTION}" in cell(row, "in-force-SYT")
    assert "Chọn mức khác là thay đổi kết quả giải quyết kiến nghị" in cell(row, "appeal-warning-SYT")


def test_keeping_the_appeals_level_is_decided_without_a_reason(demo_app: Flask, recomputed: dict[str, Any]) -> None:
    committee = demo_app.test_client()
    log_in(committee, CHAIRMAN)

    review = decide_form(committee, "HTT")
    sign_batch(committee, review.text, CHAIRMAN)

    rating = demo_app.extensions["views"].rating(RATING)
    assert (rating["level"], rating["status"], rating["decision"]) == ("HTT", "decided", NEW_DECISION)


def test_the_form_refuses_ht_without_the_override_confirmed_and_a_reason(
    demo_app: Flask, recomputed: dict[str, Any]
) -> None:
    committee = demo_app.test_client()
    log_in(committee, CHAIRMAN)
    before = head_of(demo_app)

    response = decide_form(committee, "HT")

    assert response.status_code == 422
    assert "đánh dấu ô này để xác nhận thay đổi kết quả giải quyết kiến nghị" in cell(response.text, "e-override-SYT")
    assert "Thay đổi kết quả giải quyết kiến nghị: phải nêu lý do" in cell(response.text, "e-reason-SYT")
    assert head_of(demo_app) == before


def test_the_ledger_refuses_a_decision_back_to_ht_that_does_not_say_it_overrides_the_appeal(
    demo_app: Flask, recomputed: dict[str, Any]
) -> None:
    ledger = demo_app.extensions["ledger"]
    before = head_of(demo_app)
    envelope = demo_author(CHAIRMAN).sign("rating.decide", RATING, {"level": "HT", "decision": NEW_DECISION})

    with pytest.raises(PayloadError) as refused:
        ledger.append(envelope)

    assert (refused.value.code, refused.value.field) == ("overrides_appeal_unstated", "body.overrides_appeal")
    assert head_of(demo_app) == before
    assert ledger.get(RATING).level == "HTT"


def test_an_override_with_its_reason_is_flagged_signed_and_shown_in_the_history(
    demo_app: Flask, recomputed: dict[str, Any]
) -> None:
    committee = demo_app.test_client()
    log_in(committee, CHAIRMAN)
    reason = "Kết quả DDCI đã được đính chính; giữ mức theo quy tắc"

    review = decide_form(committee, "HT", **{"override-SYT": "1", "reason-SYT": reason})
    item = review.text.split(f'data-subject="{RATING}"')[1]
    assert f"<th>Thay đổi kết quả giải quyết kiến nghị</th><td>{RESOLUTION}</td>" in item
    assert f"Điều chỉnh sau kiến nghị — {RESOLUTION}" in item
    done = sign_batch(committee, review.text, CHAIRMAN)
    assert done.text.count('class="receipt-seq"') == 1

    rating = demo_app.extensions["views"].rating(RATING)
    assert (rating["level"], rating["status"], rating["decision"], rating["reason"]) == (
        "HT", "decided", NEW_DECISION, reason
    )  # fmt: skip
    page = committee.get("/xep-loai/chi-tiet/2024/SYT").text
    assert f"Hoàn thành nhiệm vụ — {NEW_DECISION}" == cell(page, "decided-level")
    assert f"đã được thay đổi bởi {NEW_DECISION}" in page
    chain = page.split('id="level-chain"')[1].split("</ol>")[0]
    assert chain.count('class="in-force"') == 1
    assert chain.split('class="in-force"')[1].count(NEW_DECISION) == 1
