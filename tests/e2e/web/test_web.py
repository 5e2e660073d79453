"""The public web page, through Flask's test client, on an instance holding a small province.

What a visitor sees: Vietnamese headings with their diacritics, every unit by class, the
latest signed entries newest first with who signed them; and what a browser is told:
security headers on every response, a policy that forbids inline script.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from world import World, key_for

from web import create_app
from web.instance import Instance

UNIT_NAMES = [
    "Ủy ban nhân dân tỉnh Hưng Yên",
    "Sở Nội vụ",
    "Sở Thông tin và Truyền thông",
    "Sở Tài chính",
    "Thành phố Hưng Yên",
    "Huyện Văn Lâm",
]
HOSTILE_NAME = '<script>alert("xss")</script> Sở thử'


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on an instance where a province was built and its 2024 results published."""
    path = Path(tmp_path_factory.mktemp("web"))
    instance = Instance(path, f"sqlite:///{path / 'ledger.sqlite3'}")
    ledger = instance.open_ledger()
    try:
        world = World.build(ledger)
        world.append(
            "root", "unit.register", "unit/XSS", {"name": HOSTILE_NAME, "class": "department", "functions": []}
        )
        world.publish_par_2024()
    finally:
        ledger.close()
    app = create_app({"TESTING": True}, instance=instance)
    yield app
    app.extensions["ledger"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Page(HTMLParser):
    """Headings and table rows (cell texts) of a page, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.inline_scripts = 0
        self.inline_styles = 0
        self._heading: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if "style" in names or tag == "style":
            self.inline_styles += 1
        if tag == "script" and "src" not in names:
            self.inline_scripts += 1
        if tag in {"h1", "h2"}:
            self._heading = []
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"h1", "h2"} and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None
        elif tag in {"td", "th"} and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        for part in (self._heading, self._cell):
            if part is not None:
                part.append(data)


def rows_of(page: Page, first_header: str) -> list[list[str]]:
    """Body rows of every table whose first column is headed `first_header`."""
    return [row for table in page.tables if table[0][0] == first_header for row in table[1:]]


def test_the_front_page_speaks_vietnamese_with_correct_diacritics(client: FlaskClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    html = response.get_data(as_text=True)
    assert unicodedata.is_normalized("NFC", html)
    assert '<html lang="vi">' in html
    page = Page(html)
    assert "Đơn vị" in page.headings
    assert any(heading.startswith("Bản ghi mới nhất") for heading in page.headings)
    assert "UBND huyện, thị xã, thành phố (2)" in page.headings
    assert "Sở, ban, ngành tỉnh (4)" in page.headings


def test_the_front_page_lists_every_unit_with_its_head_and_status(client: FlaskClient) -> None:
    page = Page(client.get("/").get_data(as_text=True))

    units = {row[0]: row[1:] for row in rows_of(page, "Mã")}

    assert [units[code][0] for code in ("UBND-TINH", "SNV", "STTTT", "STC", "323", "325")] == UNIT_NAMES
    assert units["SNV"] == ["Sở Nội vụ", "Snv.Giam-Doc", "Đang hoạt động"]
    assert units["325"] == ["Huyện Văn Lâm", "Vl.Chu-Tich", "Đang hoạt động"]
    assert units["XSS"][1] == "—"


def test_the_front_page_shows_the_latest_entries_newest_first_with_their_signers(client: FlaskClient) -> None:
    page = Page(client.get("/").get_data(as_text=True))

    entries = rows_of(page, "Số thứ tự")

    assert "Bản ghi mới nhất (tổng số 34)" in page.headings
    assert [int(row[0]) for row in entries] == list(range(34, 4, -1))  # the 30 most recent
    _, recorded, statement_type, subject, signer = entries[0]
    assert (statement_type, subject) == ("submission.index-results", "submission/index-results/PAR_UNIT/2024")
    assert recorded == "01/10/2024 09:00"  # 02:00 UTC in Hưng Yên's time
    assert signer == f"SNV/snv.giam-doc ({key_for('snv.giam-doc').key_id[:16]}…)"
    assert entries[1][2:4] == ["unit.register", "unit/XSS"]
    assert entries[1][4].startswith("authority/root (ed25519:")


def test_text_from_the_ledger_is_escaped_not_executed(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    page = Page(html)

    assert '<script>alert("xss")</script>' not in html
    assert "&lt;script&gt;" in html
    assert page.inline_scripts == 0
    assert [row[1] for row in rows_of(page, "Mã") if row[0] == "XSS"] == [HOSTILE_NAME]


def test_the_page_needs_no_inline_style_or_script_the_policy_would_block(client: FlaskClient) -> None:
    page = Page(client.get("/").get_data(as_text=True))
    assert page.inline_scripts == 0
    assert page.inline_styles == 0
    with client.get("/static/site.css") as stylesheet:
        assert stylesheet.status_code == 200


def _plain_get_routes(app: Flask) -> list[str]:
    return sorted(
        rule.rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or set()) and not rule.arguments
    )


def test_every_response_carries_the_security_headers(app: Flask, client: FlaskClient) -> None:
    """Every GET route without arguments, a static file and a page that does not exist."""
    routes = _plain_get_routes(app)
    assert "/" in routes
    paths = [*routes, "/static/site.css", "/khong-co-trang-nay"]
    for url in paths:
        with client.get(url) as response:
            headers = response.headers
        policy = headers.get("Content-Security-Policy", "")
        directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
        assert "'unsafe-inline'" not in policy, url
        assert "'unsafe-eval'" not in policy, url
        assert directives.get("frame-ancestors") == ["'none'"], url
        assert directives.get("default-src") == ["'self'"], url
        assert directives.get("object-src") == ["'none'"], url
        assert headers.get("X-Content-Type-Options") == "nosniff", url
        assert headers.get("Referrer-Policy") in {"no-referrer", "same-origin", "strict-origin-when-cross-origin"}, url
        assert headers.get("X-Frame-Options") == "DENY", url
