"""Key enrolment through the pages: the unit's head approves by signing, or refuses; others cannot."""

from __future__ import annotations

import base64

from flask import Flask
from webtest import csrf_of, log_in, sign_review

from keys import SigningKey
from ledger.domain.registry import Key

OFFICER = "11950.bui.ngoc.cuong"  # Phường Lam Sơn
HEAD = "11950.luong.thu.nam"  # its chairman
OTHER_HEAD = "syt.cao.duc.cuong"  # Sở Y tế's director


def _enrol(app: Flask, seed: int) -> str:
    """An officer's browser asks for a key (as on an instance that does not auto-approve)."""
    key = SigningKey.from_seed(bytes([seed]) * 32)
    raw = base64.b64encode(key.verifying_key.raw).decode()
    app.extensions["accounts"].request_enrolment(OFFICER, key.key_id, raw)
    return key.key_id


def test_the_units_head_approves_a_key_by_signing_its_registration(demo_app: Flask) -> None:
    key_id = _enrol(demo_app, 1)
    client = demo_app.test_client()
    log_in(client, HEAD)

    page = client.get("/khoa-ky/phe-duyet")
    assert key_id in page.text
    review = client.post(f"/khoa-ky/phe-duyet/{key_id}", data={"csrf_token": csrf_of(page.text)})
    assert "Phê duyệt khoá ký" in review.text
    assert "Bùi Ngọc Cường" in review.text
    done = sign_review(client, review.text, HEAD)

    assert done.status_code == 200
    key = demo_app.extensions["ledger"].get(f"key/{key_id}")
    assert isinstance(key, Key)
    assert key.officer == OFFICER
    assert key_id not in client.get("/khoa-ky/phe-duyet").text


def test_the_units_head_refuses_a_key_and_the_officer_sees_it_refused(demo_app: Flask) -> None:
    key_id = _enrol(demo_app, 2)
    head = demo_app.test_client()
    csrf = log_in(head, HEAD)
    ledger = demo_app.extensions["ledger"]
    before = ledger.refresh()

    head.post(f"/khoa-ky/tu-choi/{key_id}", data={"csrf_token": csrf})

    assert ledger.refresh() == before
    officer = demo_app.test_client()
    log_in(officer, OFFICER)
    assert "Bị từ chối" in officer.get("/khoa-ky/").text


def test_another_units_head_can_neither_see_approve_nor_refuse_the_key(demo_app: Flask) -> None:
    key_id = _enrol(demo_app, 3)
    client = demo_app.test_client()
    csrf = log_in(client, OTHER_HEAD)

    assert key_id not in client.get("/khoa-ky/phe-duyet").text
    assert client.post(f"/khoa-ky/phe-duyet/{key_id}", data={"csrf_token": csrf}).status_code == 404
    assert client.post(f"/khoa-ky/tu-choi/{key_id}", data={"csrf_token": csrf}).status_code == 404


def test_an_officer_who_heads_nothing_cannot_open_the_approvals(demo_app: Flask) -> None:
    client = demo_app.test_client()
    log_in(client, OFFICER)

    assert client.get("/khoa-ky/phe-duyet").status_code == 403
