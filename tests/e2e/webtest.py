"""What the end-to-end tests do as a person would: log in, read a form's CSRF token, sign, look.

Plain functions (the fixtures are in conftest.py): import them with ``from webtest import …``.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from demo.loader import DEMO_PASSWORD, demo_key
from ledger.signing.dsse import PAYLOAD_TYPE, pae

#: Screenshots of the main pages, kept as test artefacts (git-ignored).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


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
