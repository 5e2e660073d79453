"""Every route of the application, walked from `app.url_map`: headers, cookies, CSRF, sessions.

New pages are covered as soon as they are registered: nothing here lists routes by hand.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webtest import csrf_of, log_in
from werkzeug.routing import Rule

from web.security import CSRF_COOKIE, DEVICE_COOKIE, SECURITY_HEADERS, SESSION_COOKIE

COMMUNE_OFFICER = "11950.bui.ngoc.cuong"
SAMPLE_ARGUMENTS = {"IntegerConverter": 1}


def _rules(app: Flask, method: str) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if method in (r.methods or ())), key=lambda r: r.rule)


def _url(rule: Rule) -> str:
    converters = rule._converters
    arguments = {name: SAMPLE_ARGUMENTS.get(type(converters[name]).__name__, "x") for name in rule.arguments}
    return rule.build(arguments, append_unknown=False)[1]  # type: ignore[index]


@pytest.fixture
def officer(demo_app: Flask) -> FlaskClient:
    client = demo_app.test_client()
    log_in(client, COMMUNE_OFFICER)
    return client


def _assert_secure(response: Any, url: str) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, f"{url}: {name} missing or different"
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.status_code < 500, f"{url}: {response.status_code}"


def test_every_get_route_sends_the_security_headers_to_visitors_and_officers(
    demo_app: Flask, officer: FlaskClient
) -> None:
    anonymous = demo_app.test_client()
    rules = _rules(demo_app, "GET")
    assert len(rules) > 5
    for rule in rules:
        url = _url(rule)
        for client in (anonymous, officer):
            _assert_secure(client.get(url), url)


def test_every_post_route_refuses_a_request_without_its_csrf_token_and_appends_nothing(
    demo_app: Flask, officer: FlaskClient
) -> None:
    ledger = demo_app.extensions["ledger"]
    head = ledger.head
    rules = [r for r in _rules(demo_app, "POST") if not r.rule.startswith("/api/")]
    assert rules
    for rule in rules:
        url = _url(rule)
        for data in ({}, {"csrf_token": "forged"}):
            response = officer.post(url, data=data)
            assert response.status_code == 400, f"{url} accepted a POST without a valid CSRF token"
            _assert_secure(response, url)
    assert ledger.refresh() == head


def test_the_session_device_and_csrf_cookies_are_secure_httponly_and_strict(demo_app: Flask) -> None:
    client = demo_app.test_client()
    page = client.get("/dang-nhap")
    response = client.post(
        "/dang-nhap", data={"login": COMMUNE_OFFICER, "password": "demo-cchc", "csrf_token": csrf_of(page.text)}
    )
    cookies = page.headers.getlist("Set-Cookie") + response.headers.getlist("Set-Cookie")
    names = {cookie.split("=", 1)[0] for cookie in cookies}
    assert names == {CSRF_COOKIE, SESSION_COOKIE, DEVICE_COOKIE}
    for cookie in cookies:
        flags = {part.strip().lower() for part in cookie.split(";")[1:]}
        assert {"secure", "httponly", "samesite=strict", "path=/"} <= flags, cookie


def test_logging_out_ends_the_session_on_the_server_so_a_copied_cookie_opens_nothing(demo_app: Flask) -> None:
    client = demo_app.test_client()
    csrf = log_in(client, COMMUNE_OFFICER)
    stolen = client.get_cookie(SESSION_COOKIE)
    assert stolen is not None

    client.post("/dang-xuat", data={"csrf_token": csrf})

    thief = demo_app.test_client()
    thief.set_cookie(SESSION_COOKIE, stolen.value)
    response = thief.get("/don-vi/")
    assert response.status_code == 302
    assert "/dang-nhap" in response.headers["Location"]


def test_login_never_redirects_off_the_site(demo_app: Flask) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "/%5Cevil.example"):
        client = demo_app.test_client()
        token = csrf_of(client.get("/dang-nhap").text)
        response = client.post(
            f"/dang-nhap?next={target}",
            data={"login": COMMUNE_OFFICER, "password": "demo-cchc", "csrf_token": token},
        )
        assert response.status_code == 302
        location = response.headers["Location"]
        assert "evil.example" not in location, location


def test_a_wrong_password_is_answered_in_vietnamese_next_to_the_field(demo_app: Flask) -> None:
    client = demo_app.test_client()
    token = csrf_of(client.get("/dang-nhap").text)
    response = client.post("/dang-nhap", data={"login": COMMUNE_OFFICER, "password": "sai", "csrf_token": token})

    assert response.status_code == 200
    assert 'id="e-password"' in response.text
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.text
    assert client.get_cookie(SESSION_COOKIE) is None
