"""Every error status of a page is a Vietnamese page inside the site's layout; /api/ keeps JSON.

A form refused for its CSRF token (the session ended while the officer typed) gets a page
with a link to log in and return to the form; an upload over the request limit gets a 413
page, not the server's English one.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient
from webtest import log_in
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from demo.loader import COMMUNE_OFFICER
from web.security import SESSION_COOKIE

#: Every status a page may answer with when something is refused or breaks.
STATUSES = (400, 403, 404, 405, 409, 413, 415, 429, 500, 503)

#: Words of the server's English pages (and of English sentences in general).
ENGLISH = re.compile(
    r"\b(bad|request|requests|not|found|forbidden|method|allowed|conflict|entity|too|large|unsupported|media|"
    r"type|many|internal|server|error|service|unavailable|csrf|token|session|expired|missing|invalid|the|is|"
    r"was|were|and|or|of|to|please|try|again|you|your|page|back|home|log|login|in)\b",
    re.IGNORECASE,
)


class _Text(HTMLParser):
    """The text a person reads on a page (no script, no style)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def assert_vietnamese_in_layout(html: str, title: str) -> None:
    """The site's layout (its stylesheet, header and menu), `title` as the heading, no English word."""
    assert "site.css" in html
    assert "Sổ cái CCHC · Tỉnh Hưng Yên" in html
    assert re.search(rf"<h1>{re.escape(title)}</h1>", html), f"no heading {title!r}"
    text = page_text(html)
    english = ENGLISH.findall(text)
    assert not english, f"English on the page: {english} in {text!r}"


@pytest.fixture
def failing_app(demo_app: Flask) -> Flask:
    """The demo app with a route that answers each status, and one that breaks (as a bug would)."""

    @demo_app.get("/thu-loi/<int:status>")
    def refuse(status: int) -> None:
        abort(status)

    @demo_app.get("/thu-loi/hong")
    def broken() -> None:
        raise RuntimeError("a bug")

    demo_app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a bug gives the 500 page
    return demo_app


TITLES = {
    400: "Yêu cầu không hợp lệ",
    403: "Không có quyền truy cập",
    404: "Không tìm thấy trang",
    405: "Thao tác không được hỗ trợ",
    409: "Xung đột dữ liệu",
    413: "Nội dung gửi lên quá lớn",
    415: "Định dạng không được hỗ trợ",
    429: "Quá nhiều yêu cầu",
    500: "Lỗi hệ thống",
    503: "Hệ thống tạm ngừng phục vụ",
}


@pytest.mark.parametrize("status", STATUSES)
def test_every_error_status_is_a_vietnamese_page_in_the_sites_layout(failing_app: Flask, status: int) -> None:
    client = failing_app.test_client()
    log_in(client, COMMUNE_OFFICER)
    response = client.get(f"/thu-loi/{status}")
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert_vietnamese_in_layout(response.text, TITLES[status])
    assert f"Mã lỗi {status}" in response.text


def test_a_bug_is_the_vietnamese_500_page(failing_app: Flask) -> None:
    response = failing_app.test_client().get("/thu-loi/hong")
    assert response.status_code == 500
    assert_vietnamese_in_layout(response.text, "Lỗi hệ thống")


def test_real_refusals_have_their_vietnamese_pages(demo_client: FlaskClient) -> None:
    assert_vietnamese_in_layout(demo_client.get("/khong-co-trang-nay").text, "Không tìm thấy trang")
    wrong_method = demo_client.get("/dang-xuat")
    assert wrong_method.status_code == 405
    assert "POST" in wrong_method.headers["Allow"]
    assert_vietnamese_in_layout(wrong_method.text, "Thao tác không được hỗ trợ")
    log_in(demo_client, COMMUNE_OFFICER)
    forbidden = demo_client.get("/kiem-toan/")
    assert forbidden.status_code == 403
    assert_vietnamese_in_layout(forbidden.text, "Không có quyền truy cập")


def test_the_api_keeps_its_json_errors(demo_client: FlaskClient) -> None:
    response = demo_client.get("/api/v1/khong-co")
    assert response.status_code == 404
    assert response.is_json
    assert response.json is not None
    assert response.json["code"] == "not_found"


def test_a_form_sent_after_the_session_ended_offers_to_log_in_and_return(demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, COMMUNE_OFFICER)
    demo_client.delete_cookie(SESSION_COOKIE)
    response = demo_client.post("/nop/van-ban", data={"csrf_token": csrf, "title": "Báo cáo quý 3"})
    assert response.status_code == 400
    assert_vietnamese_in_layout(response.text, "Phiên làm việc đã hết hạn")
    assert 'href="/dang-nhap?next=/nop/van-ban"' in response.text
    assert "data-keep-form" in response.text  # the browser keeps what was typed (static/forms.js)


def test_a_form_without_its_token_while_logged_in_returns_to_the_form(demo_client: FlaskClient) -> None:
    log_in(demo_client, COMMUNE_OFFICER)
    response = demo_client.post("/nop/van-ban", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert_vietnamese_in_layout(response.text, "Phiên làm việc đã hết hạn")
    assert 'href="/nop/van-ban"' in response.text


def test_an_upload_over_the_request_limit_is_a_vietnamese_413_page(demo_client: FlaskClient) -> None:
    csrf = log_in(demo_client, COMMUNE_OFFICER)
    limit = demo_client.application.config["MAX_CONTENT_LENGTH"]
    # Encoded in memory: the test client would spool a large body to a file of its own.
    upload = FileStorage(io.BytesIO(bytes(limit + 1)), filename="bao-cao.pdf")
    boundary, body = encode_multipart({"csrf_token": csrf, "title": "Báo cáo", "file": upload})
    response = demo_client.post("/nop/van-ban", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert_vietnamese_in_layout(response.text, "Nội dung gửi lên quá lớn")
    assert f"{limit // (1024 * 1024)} MiB" in response.text
    assert 'href="/nop/van-ban"' in response.text
    assert "data-keep-form" in response.text


def test_file_inputs_carry_their_size_limit_for_the_browser(demo_client: FlaskClient) -> None:
    log_in(demo_client, COMMUNE_OFFICER)
    page = demo_client.get("/nop/van-ban").text
    assert re.search(r'name="file" type="file"[^>]*data-max-bytes="20971520"', page)
