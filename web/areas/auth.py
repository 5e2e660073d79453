"""Who is asking: log in and out, the session cookie, and what the officer may see and do.

The officer's unit and roles come from the ledger (the officer's record, the unit's
appointed head, the indices a unit leads), never from the request. A page states what it
needs with `login_required` or `role_required`; the roles are:

``unit_officer`` every officer, for their own unit · ``unit_head`` the unit's appointed head ·
``lead_department`` an officer of a unit that leads an index · ``snv`` an officer of Sở Nội vụ
(home affairs) · ``committee`` an officer of the Provincial People's Committee ·
``auditor`` · ``inspector`` · ``admin`` (roles given by the ledger's officer records).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for

from ledger.domain.registry import Officer, Unit
from web.accounts import AccountError, AccountStore, Session
from web.forms import form_errors
from web.redirects import local_path
from web.security import DEVICE_COOKIE, SESSION_COOKIE, clear_session_cookie, set_device_cookie, set_session_cookie
from web.state import get_accounts, get_ledger, get_views

bp = Blueprint("auth", __name__)

ROLE_NAMES = {
    "unit_officer": "Cán bộ đơn vị",
    "unit_head": "Thủ trưởng đơn vị",
    "lead_department": "Cán bộ cơ quan chủ trì chỉ số",
    "snv": "Cán bộ Sở Nội vụ",
    "committee": "Cán bộ UBND tỉnh",
    "auditor": "Kiểm toán viên",
    "inspector": "Thanh tra viên",
    "admin": "Quản trị viên",
}

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class User:
    """The logged-in officer as the ledger knows them now."""

    login: str
    officer: str
    name: str
    unit: str
    unit_name: str
    roles: frozenset[str]
    led_indices: tuple[str, ...]
    session: Session

    def has(self, *roles: str) -> bool:
        """Whether the officer holds any of `roles`."""
        return bool(self.roles.intersection(roles))


def load_user(session: Session) -> User | None:
    """The officer behind `session`, or None if the ledger no longer knows them."""
    ledger = get_ledger()
    officer = ledger.get(f"officer/{session.officer}")
    if not isinstance(officer, Officer):
        return None
    unit = ledger.get(f"unit/{officer.unit}")
    roles = {"unit_officer", *(role for role in officer.roles if role in ("auditor", "inspector", "admin"))}
    unit_name = officer.unit
    if isinstance(unit, Unit):
        unit_name = unit.name
        if unit.head == officer.officer_id:
            roles.add("unit_head")
        if "home_affairs" in unit.functions:
            roles.add("snv")
        if "committee" in unit.functions:
            roles.add("committee")
    led = tuple(index["code"] for index in get_views().indices() if index.get("lead") == officer.unit)
    if led:
        roles.add("lead_department")
    return User(
        session.login, officer.officer_id, officer.name, officer.unit, unit_name, frozenset(roles), led, session
    )


def current_user() -> User | None:
    """The logged-in officer of this request (None when anonymous)."""
    return g.get("user")


def login_required(view: F) -> F:
    """Send an anonymous visitor to the login page, then back."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            if request.path.startswith("/api/"):
                abort(401)
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def role_required(*roles: str) -> Callable[[F], F]:
    """Only officers holding one of `roles` (403 for the others)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return login_required(view)(*args, **kwargs)
            if not user.has(*roles):
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorate


@bp.before_app_request
def load_logged_in_user() -> None:
    token = request.cookies.get(SESSION_COOKIE)
    g.user = None
    if token:
        session = get_accounts().session(token)
        if session is not None:
            g.user = load_user(session)


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login() -> Any:
    """The login form; on success a new session, and back to where the officer was going."""
    errors: dict[str, str] = {}
    login_name = request.form.get("login", "").strip()
    if request.method == "POST":
        errors = form_errors(request.form, required=("login", "password"))
        if not errors:
            try:
                account = get_accounts().authenticate(
                    login_name,
                    request.form["password"],
                    client=request.remote_addr or "",
                    device=request.cookies.get(DEVICE_COOKIE),
                )
            except AccountError as exc:
                errors[exc.field or "login"] = exc.message
                status = 429 if exc.retry_after else 200
                response = current_app.make_response(
                    (render_template("auth/login.html", errors=errors, login=login_name), status)
                )
                if exc.retry_after:
                    response.headers["Retry-After"] = str(exc.retry_after)
                return response
            accounts: AccountStore = get_accounts()
            moved = redirect(local_path(request.args.get("next")) or url_for("dashboard.index"))
            set_session_cookie(moved, accounts.open_session(account))
            set_device_cookie(moved, accounts.remember_device(account, request.cookies.get(DEVICE_COOKIE)))
            return moved
    return render_template("auth/login.html", errors=errors, login=login_name)


@bp.post("/dang-xuat")
@login_required
def logout() -> Any:
    """End this session on the server, not only in the browser."""
    get_accounts().revoke_session(request.cookies[SESSION_COOKIE])
    response = redirect(url_for("auth.login"))
    clear_session_cookie(response)
    return response
