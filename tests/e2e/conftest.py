"""Fixtures of the end-to-end tests: a demo instance, the web app on it, a live server, a real browser.

The demo instance (412 entries, a web login for every demo officer) is built once per
test session and copied for each test that changes it, so every test starts from the
same province. The browser is Debian's chromium driven by Playwright (never Playwright's
own download); in CI a missing chromium fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from demo.loader import add_demo_accounts, load_demo_instance
from ledger.application import Ledger
from web import create_app
from web.accounts import AccountStore
from web.instance import Instance

CHROMIUM = os.environ.get("LEDGER_TEST_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An instance folder holding the demo, built once; copy it, never change it."""
    path = tmp_path_factory.mktemp("demo-template")
    instance = Instance(path, f"sqlite:///{path / 'ledger.sqlite3'}")
    instance.ensure_log_key()
    ledger: Ledger = instance.open_ledger()
    try:
        load_demo_instance(instance, ledger)
        accounts = AccountStore(ledger.datastore)
        accounts.create_tables()
        add_demo_accounts(accounts)
    finally:
        ledger.close()
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
    page.set_default_timeout(30_000)  # a loaded CI machine: slow, not wrong
    yield page
    context.close()
