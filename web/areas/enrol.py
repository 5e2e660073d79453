"""Signing keys: an officer makes one in the browser and asks for it; a head or administrator approves.

Approval is a ``key.register`` statement signed by the approver in their own browser. On
a demo instance the ledger authority's demo key approves at once, and the page says so: the
factory (`web.app.create_app`) hands this area the demo authority when the instance's
configuration marks it a demo.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from ledger.domain.registry import Key, Officer, Unit
from ledger.errors import LedgerError
from ledger.signing.envelope import Author
from web.accounts import AccountError, Enrolment
from web.areas.auth import User, current_user, login_required
from web.areas.signing import ask_to_sign
from web.i18n import vietnamese
from web.state import get_accounts, get_ledger, get_views

bp = Blueprint("keys", __name__, url_prefix="/khoa-ky")

NAV = (("keys.index", "Khoá ký", ()), ("keys.approvals", "Phê duyệt khoá", ("unit_head", "admin")))

STATUS_NAMES = {
    "pending": "Chờ phê duyệt",
    "approved": "Đã đăng ký",
    "revoked": "Đã thu hồi",
    "refused": "Bị từ chối",
}


def status_of(enrolment: Enrolment) -> str:
    """Pending until the ledger holds the key (registered, later perhaps revoked) or an approver refuses it."""
    key = get_ledger().get(f"key/{enrolment.key_id}")
    if not isinstance(key, Key):
        return "refused" if enrolment.status == "refused" else "pending"
    return "revoked" if key.revocation is not None else "approved"


@bp.get("/")
@login_required
def index() -> str:
    """This officer's keys, and the form that makes one in this browser."""
    user = current_user()
    assert user is not None
    mine = get_accounts().enrolments(officers=[user.officer])
    return render_template(
        "keys/index.html",
        enrolments=[(e, status_of(e)) for e in mine],
        status_names=STATUS_NAMES,
        demo=_demo_authority() is not None,
        errors={},
    )


@bp.post("/")
@login_required
def request_enrolment() -> Any:
    """Remember the public key made in the browser; on a demo instance, register it at once."""
    user = current_user()
    assert user is not None
    public_key = request.form.get("public_key", "")
    try:
        raw = base64.b64decode(public_key, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    errors: dict[str, str] = {}
    if len(raw) != 32:
        errors["public_key"] = "Khoá công khai phải là 32 byte Ed25519 (base64)"
    key_id = "ed25519:" + hashlib.sha256(raw).hexdigest()
    registered = get_ledger().get(f"key/{key_id}") if not errors else None
    if isinstance(registered, Key) and registered.officer != user.officer:
        errors["public_key"] = "Khoá này đã được đăng ký cho một cán bộ khác"
    known = get_accounts().enrolment(key_id) if not errors else None
    if known is not None and known.officer == user.officer:
        return redirect(url_for("keys.index"))  # the same key, imported into another browser
    if not errors:
        try:
            get_accounts().request_enrolment(user.officer, key_id, public_key)
            # A key imported from its file may be registered already: nothing to approve.
            demo_authority = _demo_authority()
            if registered is None and demo_authority is not None:
                _approve(demo_authority(), user, key_id, public_key)
        except AccountError as exc:
            errors["public_key"] = exc.message
        except LedgerError as exc:  # e.g. the officer's unit was dissolved: the key stays pending
            errors["public_key"] = vietnamese(exc)
    if errors:
        mine = get_accounts().enrolments(officers=[user.officer])
        page = render_template(
            "keys/index.html",
            enrolments=[(e, status_of(e)) for e in mine],
            status_names=STATUS_NAMES,
            demo=_demo_authority() is not None,
            errors=errors,
        )
        return page, 422
    return redirect(url_for("keys.index"))


def _demo_authority() -> Callable[[], Author] | None:
    """On a demo instance, the authority that approves new keys at once (None elsewhere)."""
    demo_authority: Callable[[], Author] | None = current_app.extensions.get("demo_authority")
    return demo_authority


def _approve(approver: Author, user: User, key_id: str, public_key: str) -> None:
    """Demo only: the authority's well-known demo key registers the key."""
    envelope = approver.sign("key.register", f"key/{key_id}", {"public_key": public_key, "officer": user.officer})
    get_ledger().append(envelope)
    get_views()


def _approvable(user: User) -> list[Enrolment]:
    """Pending keys this officer may approve: any (admin), or their own unit's officers (head)."""
    pending = [e for e in get_accounts().enrolments() if status_of(e) == "pending"]
    if user.has("admin"):
        return pending
    if not user.has("unit_head"):
        return []
    ledger = get_ledger()
    mine = []
    for enrolment in pending:
        officer = ledger.get(f"officer/{enrolment.officer}")
        if isinstance(officer, Officer) and officer.unit == user.unit:
            mine.append(enrolment)
    return mine


@bp.get("/phe-duyet")
@login_required
def approvals() -> str:
    """Keys waiting for this head's (or administrator's) approval."""
    user = current_user()
    assert user is not None
    if not user.has("unit_head", "admin"):
        abort(403)
    names = {unit["code"]: unit["name"] for unit in get_views().units()}
    return render_template("keys/approvals.html", pending=_approvable(user), unit_names=names)


@bp.post("/phe-duyet/<key_id>")
@login_required
def approve(key_id: str) -> Any:
    """The review page of the ``key.register`` statement that approves `key_id`."""
    user = current_user()
    assert user is not None
    found = [e for e in _approvable(user) if e.key_id == key_id]
    if not found:
        abort(404)
    enrolment = found[0]
    officer = get_ledger().get(f"officer/{enrolment.officer}")
    unit = get_ledger().get(f"unit/{officer.unit}") if isinstance(officer, Officer) else None
    return ask_to_sign(
        "key.register",
        f"key/{key_id}",
        {"public_key": enrolment.public_key, "officer": enrolment.officer},
        title="Phê duyệt khoá ký",
        summary=(
            ("Cán bộ", officer.name if isinstance(officer, Officer) else enrolment.officer),
            ("Đơn vị", unit.name if isinstance(unit, Unit) else "—"),
            ("Mã khoá", key_id),
        ),
        back=url_for("keys.approvals"),
    )


@bp.post("/tu-choi/<key_id>")
@login_required
def refuse(key_id: str) -> Any:
    """An approver turns a key down (nothing to sign: the ledger never held it)."""
    user = current_user()
    assert user is not None
    if not any(e.key_id == key_id for e in _approvable(user)):
        abort(404)
    get_accounts().settle_enrolment(key_id, "refused")
    return redirect(url_for("keys.approvals"))
