"""Bad input over HTTP (../shared/research/reliability-security.md §4): a 4xx or a form error, never a 500,
never an appended event.

Each case is a statement a Phường Lam Sơn officer signs in the browser and posts in their
session — the page's validation can be bypassed by anyone with a browser console, so the
server must hold on its own. File uploads and the API's envelope parsing have their own
parametrised tests (test_web_submit.py, test_api.py); this file covers what every signed
statement shares: Unicode, types, dates, references, keys and replays.
"""

from __future__ import annotations

import base64
import html
import json
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webtest import log_in

from demo.loader import demo_key, demo_pdf
from keys import SigningKey
from ledger.domain.local_time import LOCAL_TIME
from ledger.signing.dsse import PAYLOAD_TYPE, pae
from ledger.signing.envelope import canonical_json, compose

OFFICER = "11950.bui.ngoc.cuong"  # Phường Lam Sơn
OTHER_OFFICER = "syt.cao.duc.cuong"  # Sở Y tế
LAM_SON_DOCUMENT = "submission/document/11950/2024/bao-cao-cchc-2024"  # in the demo
HEALTH_DOCUMENT = "submission/document/SYT/2024/kien-nghi-sipas-2024"  # in the demo, of another unit


def _document(app: Flask) -> dict[str, Any]:
    ref = app.extensions["documents"].put(demo_pdf("Báo cáo", ["01/12/2024"]), "Báo cáo.pdf")
    return dict(ref.to_json())


def _body(app: Flask, **changes: Any) -> dict[str, Any]:
    return {"title": "Báo cáo thử nghiệm", "issued_on": "2024-12-01", "document": _document(app), **changes}


def _payload(body: dict[str, Any], *, subject: str = "submission/document/11950/2024/thu", kind: str = "") -> bytes:
    statement = compose(
        kind or "submission.document",
        unit="11950",
        officer=OFFICER,
        subject=subject,
        body=body,
        client_time=datetime.now(LOCAL_TIME),
    )
    return canonical_json(statement)


def _raw(document: dict[str, Any]) -> bytes:
    """Payload bytes as a careless or hostile client writes them (not canonical)."""
    return json.dumps(document, ensure_ascii=False).encode()


Case = Callable[[Flask], tuple[bytes, SigningKey, str]]


def _signed_by_officer(make: Callable[[Flask], bytes]) -> Case:
    return lambda app: (make(app), demo_key(OFFICER), demo_key(OFFICER).key_id)


CASES: dict[str, Case] = {
    # 1. Unicode
    "NFD title (not canonical bytes)": _signed_by_officer(
        lambda app: _raw(json.loads(_payload(_body(app, title=unicodedata.normalize("NFD", "Nguyễn Thị Hoà")))))
    ),
    "zero-width space in the title": _signed_by_officer(lambda app: _payload(_body(app, title="Báo\u200bcáo"))),
    "bidi override in the title": _signed_by_officer(lambda app: _payload(_body(app, title="bao_cao\u202efdp.exe"))),
    "NUL in the title": _signed_by_officer(lambda app: _payload(_body(app, title="Báo\x00cáo"))),
    "a 1 MB title": _signed_by_officer(lambda app: _payload(_body(app, title="Ạ" * 400_000))),
    "a lone surrogate": _signed_by_officer(
        lambda app: _payload(_body(app, title="X")).replace(b'"title":"X"', b'"title":"\\ud800"')
    ),
    # 4. JSON and types
    "the title as a number": _signed_by_officer(lambda app: _payload(_body(app, title=12))),
    "the document as a string": _signed_by_officer(lambda app: _payload(_body(app, document="tệp.pdf"))),
    "an unknown field": _signed_by_officer(lambda app: _payload(_body(app, score="9"))),
    "duplicate keys": _signed_by_officer(
        lambda app: _payload(_body(app)).replace(b'"title":', b'"title":"A","title":', 1)
    ),
    "NaN": _signed_by_officer(lambda app: _payload(_body(app, title="X")).replace(b'"X"', b"NaN")),
    "a 5,000-digit number": _signed_by_officer(
        lambda app: _payload(_body(app, title="X")).replace(b'"X"', b"9" * 5000)
    ),
    "a body nested 100,000 deep": _signed_by_officer(
        lambda app: _payload(_body(app, title="X")).replace(b'"X"', b"[" * 100_000 + b"]" * 100_000)
    ),
    "not JSON at all": _signed_by_officer(lambda app: b"\xff\xfe not json"),
    # 5. Dates and periods
    "a date outside the cycle year": _signed_by_officer(lambda app: _payload(_body(app, issued_on="2026-01-05"))),
    "29 February 2025": _signed_by_officer(lambda app: _payload(_body(app, issued_on="2025-02-29"))),
    "a dd/mm/yyyy date": _signed_by_officer(lambda app: _payload(_body(app, issued_on="31/12/2024"))),
    "the year 9999": _signed_by_officer(
        lambda app: _payload(_body(app), subject="submission/document/11950/9999/thu")
    ),
    "a client time without its UTC offset": _signed_by_officer(
        lambda app: _raw({**json.loads(_payload(_body(app))), "client_time": "2024-12-01T10:00:00"})
    ),
    # 7. References
    "a correction of a submission that does not exist": _signed_by_officer(
        lambda app: _payload(
            {"reason": "Sửa", "replacement": _body(app)}, subject="submission/document/11950/2024/khong-co",
            kind="submission.correct",
        )
    ),
    "a correction of another unit's submission": _signed_by_officer(
        lambda app: _payload({"reason": "Sửa", "replacement": _body(app)}, subject=HEALTH_DOCUMENT,
                             kind="submission.correct")
    ),
    "a document that was never uploaded": _signed_by_officer(
        lambda app: _payload(_body(app, document={**_document(app), "sha256": "ab" * 32}))
    ),
    "a submission for another unit": _signed_by_officer(
        lambda app: _payload(_body(app), subject="submission/document/SYT/2024/thu")
    ),
    # 8. Signatures and keys
    "a key the ledger never registered": lambda app: (
        _payload(_body(app)), SigningKey.from_seed(b"\x07" * 32), SigningKey.from_seed(b"\x07" * 32).key_id
    ),
    "the right key under another officer's key id": lambda app: (
        _payload(_body(app)), demo_key(OFFICER), demo_key(OTHER_OFFICER).key_id
    ),
    "a signature over other bytes (key order changed)": lambda app: (
        _payload(_body(app)), demo_key(OFFICER), demo_key(OFFICER).key_id
    ),
}  # fmt: skip


#: What the officer is told, in part: the field and the reason.
TOLD = {
    "NFD title (not canonical bytes)": "dạng chuẩn tắc",
    "zero-width space in the title": "tiêu đề: chứa ký tự điều khiển hoặc ký tự ẩn",
    "bidi override in the title": "tiêu đề: chứa ký tự điều khiển hoặc ký tự ẩn",
    "NUL in the title": "tiêu đề: chứa ký tự điều khiển hoặc ký tự ẩn",
    "a 1 MB title": "tiêu đề: dài quá 500 ký tự",
    "a lone surrogate": "surrogate",
    "the title as a number": "tiêu đề: phải là văn bản",
    "the document as a string": "tài liệu: phải là một đối tượng JSON",
    "an unknown field": "trường không được phép",
    "duplicate keys": "xuất hiện hai lần",
    "NaN": "NaN không được phép",
    "a 5,000-digit number": "không phải JSON hợp lệ",
    "a body nested 100,000 deep": "lồng nhau quá sâu",
    "not JSON at all": "không phải văn bản UTF-8 hợp lệ",
    "a date outside the cycle year": "nằm ngoài năm của kỳ đánh giá 2024",
    "29 February 2025": "29/02/2025 không có trên lịch",
    "a dd/mm/yyyy date": "YYYY-MM-DD",
    "the year 9999": "chưa mở kỳ đánh giá năm 9999",
    "a client time without its UTC offset": "múi giờ",
    "a correction of a submission that does not exist": "không có trong sổ cái",
    "a correction of another unit's submission": "Không có thẩm quyền",
    "a document that was never uploaded": "chưa được tải lên",
    "a submission for another unit": "Không có thẩm quyền",
    "a key the ledger never registered": "chưa từng được đăng ký",
    "the right key under another officer's key id": "không khớp với nội dung",
    "a signature over other bytes (key order changed)": "không khớp với nội dung",
}


def _post(client: FlaskClient, csrf: str, payload: bytes, key: SigningKey, key_id: str, *, sign_other: bool) -> Any:
    signed = payload
    if sign_other:  # the signature covers a re-serialisation, not the bytes sent
        signed = json.dumps(json.loads(payload), sort_keys=False, separators=(", ", ": ")).encode()
    signature = key.sign(pae(PAYLOAD_TYPE, signed))
    return client.post(
        "/ky",
        data={
            "csrf_token": csrf,
            "payload": base64.b64encode(payload).decode(),
            "signature": base64.b64encode(signature).decode(),
            "key_id": key_id,
        },
    )


@pytest.fixture
def officer(demo_app: Flask) -> tuple[FlaskClient, str]:
    client = demo_app.test_client()
    return client, log_in(client, OFFICER)


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_statement_gets_a_clear_refusal_and_appends_nothing(
    demo_app: Flask, officer: tuple[FlaskClient, str], case: str
) -> None:
    client, csrf = officer
    ledger = demo_app.extensions["ledger"]
    head = ledger.refresh()
    payload, key, key_id = CASES[case](demo_app)

    response = _post(client, csrf, payload, key, key_id, sign_other="other bytes" in case)

    assert 400 <= response.status_code < 500, f"{case}: {response.status_code}"
    assert 'role="alert"' in response.text
    assert TOLD[case] in html.unescape(response.text)
    assert ledger.refresh() == head


def test_a_replayed_statement_is_appended_once_and_named_as_a_replay(
    demo_app: Flask, officer: tuple[FlaskClient, str]
) -> None:
    client, csrf = officer
    ledger = demo_app.extensions["ledger"]
    head = ledger.refresh()
    payload = _payload(_body(demo_app))

    first = _post(client, csrf, payload, demo_key(OFFICER), demo_key(OFFICER).key_id, sign_other=False)
    again = _post(client, csrf, payload, demo_key(OFFICER), demo_key(OFFICER).key_id, sign_other=False)

    assert first.status_code == 200
    assert again.status_code == 409
    assert "đã được ghi" in again.text
    assert ledger.refresh() == head + 1


def test_a_csrf_token_of_another_session_is_refused(demo_app: Flask, officer: tuple[FlaskClient, str]) -> None:
    client, _ = officer
    other = demo_app.test_client()
    other_csrf = log_in(other, OTHER_OFFICER)
    ledger = demo_app.extensions["ledger"]
    head = ledger.refresh()

    response = _post(client, other_csrf, _payload(_body(demo_app)), demo_key(OFFICER), demo_key(OFFICER).key_id,
                     sign_other=False)  # fmt: skip

    assert response.status_code == 400
    assert ledger.refresh() == head


def test_a_session_ends_when_the_password_changes(demo_app: Flask, officer: tuple[FlaskClient, str]) -> None:
    client, _ = officer
    demo_app.extensions["accounts"].set_password(OFFICER, "một mật khẩu mới")

    response = client.get("/don-vi/")

    assert response.status_code == 302
    assert "/dang-nhap" in response.headers["Location"]
