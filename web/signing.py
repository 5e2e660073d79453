"""Signing in the browser: the server prepares the bytes, the officer reads and signs, the ledger appends.

A page that changes the ledger validates its form, then calls `ask_to_sign`: the server
composes the statement in the officer's name and unit (from the session), encodes it
canonically and shows a review page. There `static/sign.js` renders the very payload
bytes it is about to sign, signs DSSE's PAE of them with the officer's non-extractable
key from IndexedDB, and posts back only the payload, the key id and the signature. The
private key never leaves the browser; the server cannot sign in the officer's name.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for

from ledger.application import Receipt
from ledger.dsse import PAYLOAD_TYPE
from ledger.envelope import Envelope, Signature, canonical_json, compose
from ledger.errors import LedgerError
from web.auth import current_user, login_required
from web.messages import http_status, vietnamese
from web.state import get_ledger, get_views
from web.text import LOCAL_TIME

bp = Blueprint("signing", __name__)

#: Readable lines of a review page: (label, value).
Summary = Sequence[tuple[str, str]]


def prepare(statement_type: str, subject: str, body: dict[str, Any]) -> bytes:
    """The canonical payload of a statement by the logged-in officer, for their unit."""
    user = current_user()
    if user is None:  # every caller is behind login_required
        abort(401)
    statement = compose(
        statement_type,
        unit=user.unit,
        officer=user.officer,
        subject=subject,
        body=body,
        client_time=datetime.now(LOCAL_TIME),
    )
    return canonical_json(statement)


def ask_to_sign(
    statement_type: str,
    subject: str,
    body: dict[str, Any],
    *,
    title: str,
    summary: Summary,
    back: str,
) -> str:
    """The review page of one statement, ready for the officer to sign."""
    payload = prepare(statement_type, subject, body)
    return _review(payload, title=title, summary=summary, back=back)


def _review(payload: bytes, *, title: str, summary: Summary, back: str, error: str = "", status: int = 200) -> Any:
    page = render_template(
        "signing/review.html",
        payload=base64.b64encode(payload).decode(),
        payload_type=PAYLOAD_TYPE,
        title=title,
        summary=summary,
        back=back,
        error=error,
    )
    return page if status == 200 else (page, status)


@bp.post("/ky")
@login_required
def submit() -> Any:
    """Append what the officer signed; show the receipt, or the refusal in Vietnamese."""
    user = current_user()
    assert user is not None
    title = request.form.get("title", "Ký và gửi")
    back = request.form.get("back", url_for("dashboard.index"))
    try:
        payload = base64.b64decode(request.form.get("payload", ""), validate=True)
        signature = base64.b64decode(request.form.get("signature", ""), validate=True)
    except (binascii.Error, ValueError):
        abort(400, description="Dữ liệu ký không hợp lệ (base64)")
    key_id = request.form.get("key_id", "")
    if not payload or not signature or not key_id:
        return _review(
            payload, title=title, summary=(), back=back, status=422,
            error="Chưa có chữ ký: trình duyệt này chưa có khoá ký của bạn, hoặc JavaScript bị tắt.",
        )  # fmt: skip
    envelope = Envelope(PAYLOAD_TYPE, payload, (Signature(key_id, signature),))
    try:
        statement = envelope.statement
        if statement.officer != user.officer or statement.unit != user.unit:
            abort(403, description="Chỉ được ký nhân danh chính mình và đơn vị của mình")
        receipt = get_ledger().append(envelope)
    except LedgerError as exc:
        return _review(payload, title=title, summary=(), back=back, error=vietnamese(exc), status=http_status(exc))
    get_views()  # catch up: the next page reads this write
    return render_template("signing/done.html", receipt=receipt, title=title, back=back)


@bp.get("/bien-nhan/<int:seq>")
@login_required
def receipt(seq: int) -> Response:
    """Entry `seq`'s receipt (a C2SP tlog-proof), verifiable offline with the log's vkey."""
    try:
        data = get_ledger().receipt(seq).serialize()
    except LedgerError:
        abort(404)
    return Response(
        data,
        mimetype="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="bien-nhan-{seq}.tlog-proof"'},
    )


def receipt_link(receipt: Receipt) -> str:
    return url_for("signing.receipt", seq=receipt.seq)
