"""Edge values of the pages' integers (years, sequence numbers): a 4xx or the page itself, never a 500.

A year far beyond any a database stores used to end in an OverflowError on the compilation's
download, and a year written with a superscript digit ("²", which `str.isdigit` calls a digit
and `int` refuses) in a ValueError on the dashboard and the ratings pages. The test client
raises what a view raises, so a 500 fails the test with its traceback.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from webtest import log_in

#: Sở Nội vụ's officer, an auditor too: sees every page below.
OFFICER = "snv.le.thanh.tuan"
HUGE = "9" * 30
OVERFLOW = str(2**63)

PAGES = [
    f"/bien-nhan/{OVERFLOW}",
    f"/bien-nhan/{HUGE}",
    f"/don-vi/?nam={HUGE}",
    "/don-vi/?nam=²",
    f"/xep-loai/?nam={HUGE}",
    "/xep-loai/?nam=²²²²",
    "/xep-loai/?nam=2024²",
    f"/xep-loai/chi-tiet/{HUGE}/SNV",
    f"/xep-loai/tong-hop/{HUGE}.xlsx",
    f"/xep-loai/tong-hop/{OVERFLOW}.xlsx",
    f"/xep-loai/kien-nghi/{HUGE}/SNV",
    f"/xep-loai/giai-quyet/{HUGE}/SNV",
    f"/xep-loai/quyet-dinh/{HUGE}",
    f"/xep-loai/tinh?year={HUGE}",
    "/xep-loai/tinh?year=²",
    f"/kiem-toan/theo-ngay?nam={HUGE}",
    "/kiem-toan/theo-ngay?nam=²",
    f"/kiem-toan/so-sanh?nam={HUGE}",
    "/kiem-toan/so-sanh?nam=²",
]


@pytest.fixture
def officer(demo_client: FlaskClient) -> FlaskClient:
    log_in(demo_client, OFFICER)
    return demo_client


def test_a_huge_or_non_ascii_integer_on_any_page_is_refused_or_ignored_never_a_server_error(
    officer: FlaskClient,
) -> None:
    answers = {url: officer.get(url).status_code for url in PAGES}

    assert {url: status for url, status in answers.items() if not 200 <= status < 500} == {}
    assert answers[f"/xep-loai/tong-hop/{HUGE}.xlsx"] == 404
    assert answers["/xep-loai/?nam=²²²²"] == 400


def test_a_year_written_with_a_superscript_digit_is_refused_in_vietnamese(officer: FlaskClient) -> None:
    response = officer.get("/xep-loai/?nam=²²²²")

    assert response.status_code == 400
    assert "Năm không hợp lệ" in response.get_data(as_text=True)
