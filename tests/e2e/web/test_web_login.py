"""Logging in over HTTP: where the browser goes next, throttled guesses, HSTS behind the proxy."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
from bypasses import BYPASSES
from flask import Flask
from flask.testing import FlaskClient
from webtest import csrf_of

from demo.loader import DEMO_PASSWORD
from web.accounts import FREE_ATTEMPTS
from web.security import DEVICE_COOKIE, HSTS_HEADER

OFFICER = "11950.bui.ngoc.cuong"


def post_login(client: FlaskClient, password: str, *, next_target: str | None = None, **environ: str) -> object:
    token = csrf_of(client.get("/dang-nhap").text)
    query = "" if next_target is None else "?next=" + quote(next_target, safe="")
    return client.post(
        "/dang-nhap" + query,
        data={"login": OFFICER, "password": password, "csrf_token": token},
        environ_overrides=environ,
    )


@pytest.mark.parametrize("target", [t for t in BYPASSES if t])
def test_after_logging_in_a_next_that_leaves_the_site_goes_to_the_dashboard(demo_app: Flask, target: str) -> None:
    response = post_login(demo_app.test_client(), DEMO_PASSWORD, next_target=target)

    assert response.status_code == 302  # never a 500, even for a CR or LF
    assert response.headers["Location"] == "/don-vi/"


def test_after_logging_in_a_path_on_this_site_is_where_the_browser_goes(demo_app: Flask) -> None:
    response = post_login(demo_app.test_client(), DEMO_PASSWORD, next_target="/xep-loai/?nam=2024")

    assert response.headers["Location"] == "/xep-loai/?nam=2024"


def test_a_login_gives_the_browser_a_device_token_that_outlasts_the_session(demo_app: Flask) -> None:
    response = post_login(demo_app.test_client(), DEMO_PASSWORD)

    device = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(DEVICE_COOKIE + "="))
    assert "HttpOnly" in device
    assert "Secure" in device
    assert "Max-Age=" in device


def test_the_owner_on_their_own_browser_logs_in_while_a_stranger_is_throttled(demo_app: Flask) -> None:
    owner = demo_app.test_client()
    post_login(owner, DEMO_PASSWORD)  # the owner's browser now holds a device token
    owner.post("/dang-xuat", data={"csrf_token": csrf_of(owner.get("/don-vi/").text)})
    stranger = demo_app.test_client()
    answers = [post_login(stranger, "sai mật khẩu", REMOTE_ADDR="203.0.113.9") for _ in range(FREE_ATTEMPTS + 2)]

    assert [a.status_code for a in answers][-1] == 429
    assert "thử lại sau" in answers[-1].text
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert post_login(stranger, DEMO_PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert post_login(owner, DEMO_PASSWORD).status_code == 302


def test_parallel_wrong_passwords_are_checked_no_more_than_the_free_attempts(demo_app: Flask) -> None:
    def guess(_: int) -> int:
        client = demo_app.test_client()
        return post_login(client, "sai mật khẩu").status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(guess, range(64)))

    assert statuses.count(200) == FREE_ATTEMPTS  # the form again, with "wrong login or password"
    assert statuses.count(429) == 64 - FREE_ATTEMPTS


def test_over_https_every_page_carries_hsts(demo_app: Flask) -> None:
    response = demo_app.test_client().get("/dang-nhap", base_url="https://localhost")

    assert response.headers[HSTS_HEADER[0]] == HSTS_HEADER[1]
    assert HSTS_HEADER[0] not in demo_app.test_client().get("/dang-nhap").headers  # plain http: never


def test_hsts_can_be_switched_off(demo_app: Flask) -> None:
    demo_app.config["HSTS"] = False

    assert HSTS_HEADER[0] not in demo_app.test_client().get("/dang-nhap", base_url="https://localhost").headers
