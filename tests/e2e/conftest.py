"""Fixtures of the end-to-end tests: a demo instance, the web app on it, a live server, a real browser.

The demo instance (412 entries, a web login for every demo officer) is built once per
test session and copied for each test that changes it, so every test starts from the
same province. The browser is Debian's chromium driven by Playwright (never Playwright's
own download); in CI a missing chromium fails the run instead of skipping it.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from ledger.application import Ledger
from ledger.dsse import PAYLOAD_TYPE, pae
from web import create_app
from web.accounts import AccountStore
from web.demo import DEMO_PASSWORD, add_demo_accounts, demo_key, load_demo
from web.instance import Instance

CHROMIUM = os.environ.get("LEDGER_TEST_CHROMIUM", "/usr/bin/chromium")
#: Screenshots of the main pages, kept as test artefacts (git-ignored).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An instance folder holding the demo, built once; copy it, never change it."""
    path = tmp_path_factory.mktemp("demo-template")
    instance = Instance(path, f"sqlite:///{path / 'ledger.sqlite3'}")
    instance.ensure_log_key()
    ledger: Ledger = instance.open_ledger()
    try:
        summary = load_demo(ledger, instance.documents(), keys_dir=instance.keys_path)
        accounts = AccountStore(ledger.recorder.datastore)  # type: ignore[attr-defined]
        accounts.create_tables()
        add_demo_accounts(accounts)
    finally:
        ledger.close()
    instance.pin_root_key(summary.root_key_id)
    return path


@pytest.fixture
def demo_instance(demo_template: Path, tmp_path: Path) -> Instance:
    """A fresh copy of the demo instance for one test."""
    path = tmp_path / "instance"
    shutil.copytree(demo_template, path)
    return Instance(path, f"sqlite:///{path / 'ledger.sqlite3'}")


@pytest.fixture
def demo_app(demo_instance: Instance) -> Iterator[Flask]:
    """The web application on a fresh copy of the demo."""
    app = create_app({"TESTING": True}, instance=demo_instance)
    yield app
    app.extensions["ledger"].close()


@pytest.fixture
def demo_client(demo_app: Flask) -> FlaskClient:
    return demo_app.test_client()


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def log_in(client: FlaskClient, login: str, password: str = DEMO_PASSWORD) -> str:
    """Log `login` in through the form; return the session's CSRF token."""
    token = csrf_of(client.get("/dang-nhap").text)
    response = client.post("/dang-nhap", data={"login": login, "password": password, "csrf_token": token})
    assert response.status_code == 302, f"login of {login} failed: {response.status_code}"
    return csrf_of(client.get(response.headers["Location"]).text)


def sign_review(client: FlaskClient, review_html: str, officer: str) -> Any:
    """Sign a review page's payload as the browser would, with `officer`'s demo key; post it to /ky.

    Test-client tests use this in place of a browser: the demo key is the one the ledger
    registered for the demo officer (a browser test signs with a key made in the browser).
    """
    found = re.search(r'data-payload="([^"]+)"', review_html)
    assert found, "not a review page: no payload to sign"
    payload = base64.b64decode(found.group(1))
    key = demo_key(officer)
    signature = key.sign(pae(PAYLOAD_TYPE, payload))
    return client.post(
        "/ky",
        data={
            "csrf_token": csrf_of(review_html),
            "payload": found.group(1),
            "signature": base64.b64encode(signature).decode(),
            "key_id": key.key_id,
        },
    )


# A live server and a browser -------------------------------------------------------------


@pytest.fixture
def live_server(demo_app: Flask) -> Iterator[str]:
    """The demo app served over HTTP on a free local port, for the browser."""
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        message = f"chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context (its own cookies and IndexedDB) and page, in Vietnamese."""
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page: Any, name: str) -> None:
    """Keep a picture of the page as a test artefact (test-artifacts/, not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def browser_log_in(page: Any, base: str, login: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login page as a person would."""
    page.goto(f"{base}/dang-nhap")
    page.fill("#f-login", login)
    page.fill("#f-password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/don-vi/.*|.*/(?!dang-nhap).*"))


def browser_enrol_key(page: Any, base: str) -> str:
    """Make a signing key in this browser (demo: approved at once); return its key id."""
    page.goto(f"{base}/khoa-ky/")
    page.click("button[data-generate]")
    page.wait_for_selector("td.status-approved")
    return str(page.locator("td code").first.inner_text())


def sign_and_send(page: Any) -> int:
    """On a review page: sign in the browser and send; return the sequence number appended."""
    page.wait_for_selector("form[data-sign] button[type=submit]:not([disabled])")
    page.click("form[data-sign] button[type=submit]")
    page.wait_for_selector("#receipt-seq")
    return int(page.inner_text("#receipt-seq"))
