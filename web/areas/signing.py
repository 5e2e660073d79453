"""Signing in the browser: the server prepares the bytes, the officer reads and signs, the ledger appends.

A page that changes the ledger validates its form, then calls `ask_to_sign`: the server
composes the statement in the officer's name and unit (from the session), encodes it
canonically and shows a review page. There `static/sign.js` renders the very payload
bytes it is about to sign, signs DSSE's PAE of them with the officer's non-extractable
key from IndexedDB, and posts back only the payload, the key id and the signature. The
private key never leaves the browser; the server cannot sign in the officer's name.

A page that prepares many statements at once (Sở Nội vụ computing every head's rating,
the committee deciding a year's ratings) calls `ask_to_sign_batch`: one review page shows
every payload, one click signs each of them in the browser, and `/ky/lo` appends them in
order and shows every receipt, naming any statement the ledger refused.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for

from ledger.application import Receipt
from ledger.domain.local_time import LOCAL_TIME
from ledger.errors import LedgerError
from ledger.signing.dsse import PAYLOAD_TYPE
from ledger.signing.envelope import Envelope, Signature, canonical_json, compose
from services.visibility import may_read_leaf
from web.areas.auth import current_user, login_required
from web.i18n import http_status, vietnamese
from web.redirects import local_path
from web.state import get_ledger, get_log, get_views

bp = Blueprint("signing", __name__)

#: Readable lines of a review page: (label, value).
Summary = Sequence[tuple[str, str]]
#: The most statements one review page signs at once.
MAX_BATCH = 300


@dataclass(frozen=True)
class Item:
    """One statement of a batch: what it is about and its readable summary."""

    statement_type: str
    subject: str
    body: dict[str, Any]
    summary: Summary = ()


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


def safe_back(target: str | None) -> str:
    """A path on this site to go back to (never another site, never a script URL)."""
    return local_path(target) or url_for("dashboard.index")


def ask_to_sign_batch(items: Sequence[Item], *, title: str, back: str, intro: str = "") -> Any:
    """One review page for many statements: every payload shown, one click signs them all."""
    if not items:
        raise ValueError("a batch needs at least one statement")
    if len(items) > MAX_BATCH:
        raise ValueError(f"at most {MAX_BATCH} statements are signed at once")
    prepared = [
        (item, base64.b64encode(prepare(item.statement_type, item.subject, item.body)).decode()) for item in items
    ]
    return render_template(
        "signing/batch_review.html",
        items=prepared,
        payload_type=PAYLOAD_TYPE,
        title=title,
        intro=intro,
        back=back,
        error="",
    )


@dataclass(frozen=True)
class Outcome:
    """What became of one statement of a batch: its receipt, or the refusal."""

    position: int
    subject: str
    statement_type: str
    receipt: Receipt | None = None
    refusal: str = ""


@bp.post("/ky/lo")
@login_required
def submit_batch() -> Any:
    """Append each signed statement in order; show every receipt and name each refusal."""
    user = current_user()
    assert user is not None
    title = request.form.get("title", "Ký và gửi")[:200]
    back = safe_back(request.form.get("back"))
    payloads = request.form.getlist("payload")
    signatures = request.form.getlist("signature")
    key_id = request.form.get("key_id", "")
    if not payloads or len(payloads) > MAX_BATCH or len(signatures) != len(payloads):
        abort(400, description="Lô ký không hợp lệ: số nội dung và số chữ ký không khớp")
    envelopes: list[Envelope] = []
    for payload_text, signature_text in zip(payloads, signatures, strict=True):
        try:
            payload = base64.b64decode(payload_text, validate=True)
            signature = base64.b64decode(signature_text, validate=True)
        except (binascii.Error, ValueError):
            abort(400, description="Dữ liệu ký không hợp lệ (base64)")
        if not payload or not signature or not key_id:
            abort(422, description="Chưa có chữ ký: trình duyệt này chưa có khoá ký của bạn, hoặc JavaScript bị tắt.")
        envelopes.append(Envelope(PAYLOAD_TYPE, payload, (Signature(key_id, signature),)))
    statements = []
    for envelope in envelopes:  # every statement is checked before any is appended
        try:
            statement = envelope.statement
        except LedgerError as exc:
            abort(422, description=vietnamese(exc))
        if statement.officer != user.officer or statement.unit != user.unit:
            abort(403, description="Chỉ được ký nhân danh chính mình và đơn vị của mình")
        statements.append(statement)
    outcomes: list[Outcome] = []
    ledger = get_ledger()
    for position, (envelope, statement) in enumerate(zip(envelopes, statements, strict=True), start=1):
        try:
            receipt = ledger.append(envelope)
        except LedgerError as exc:
            outcomes.append(Outcome(position, statement.subject, statement.type, refusal=vietnamese(exc)))
            continue
        outcomes.append(Outcome(position, statement.subject, statement.type, receipt=receipt))
    get_views()  # catch up: the next page reads these writes
    refused = [outcome for outcome in outcomes if outcome.receipt is None]
    page = render_template("signing/batch_done.html", outcomes=outcomes, refused=refused, title=title, back=back)
    return page if len(refused) < len(outcomes) else (page, 422)


@bp.post("/ky")
@login_required
def submit() -> Any:
    """Append what the officer signed; show the receipt, or the refusal in Vietnamese."""
    user = current_user()
    assert user is not None
    title = request.form.get("title", "Ký và gửi")
    back = safe_back(request.form.get("back"))
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
    """Entry `seq`'s receipt (a C2SP tlog-proof), verifiable offline with the log's vkey.

    The receipt carries the whole entry, so only those who may read the entry have it
    (`services.visibility`): 403 for the others, as the API answers.
    """
    try:
        proof = get_log().receipt(seq)
    except LedgerError:
        abort(404)
    assert proof.extra is not None  # a receipt of the log's own entry always has its leaf
    if not may_read_leaf(current_user(), proof.extra):
        abort(403, description="Mục này không do đơn vị của bạn ký và không nói về đơn vị của bạn")
    return Response(
        proof.serialize(),
        mimetype="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="bien-nhan-{seq}.tlog-proof"'},
    )
