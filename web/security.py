"""What every response and every form carries: security headers, cookie flags, CSRF tokens.

Over HTTPS every response also carries HSTS (`HSTS_HEADER`; ``LEDGER_HSTS=false`` turns it
off). Behind the reverse proxy of the README's production section, ``LEDGER_PROXY_COUNT=1``
makes the app believe that proxy's ``X-Forwarded-For`` and ``X-Forwarded-Proto`` (and no
one else's), so HTTPS is seen as HTTPS and the login throttle sees the client's address.

Forms are protected by a synchronizer token: the logged-in session's own token, or, before
login, a random token in a cookie of its own that the form must repeat (double submit).
`/api/` writes carry a signed envelope and no cookie is read for them, so they need none.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from flask import Flask, current_app, g, request
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from web.accounts import DEVICE_LIFETIME

SESSION_COOKIE = "parledger_session"
#: The device token of a browser in which its officer logged in (`web.accounts.AccountStore.remember_device`).
DEVICE_COOKIE = "parledger_device"
CSRF_COOKIE = "parledger_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
CSRF_REFUSED = "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ (thiếu mã CSRF); hãy tải lại trang."
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: Sent with every response: no inline script anywhere, no framing, no sniffing.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
#: Sent over HTTPS: browsers keep to HTTPS for this site for a year.
HSTS_HEADER = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def _cookie_flags() -> dict[str, Any]:
    return {
        "secure": current_app.config["SESSION_COOKIE_SECURE"],
        "httponly": True,
        "samesite": "Strict",
        "path": "/",
    }


def set_session_cookie(response: Response, token: str) -> None:
    """The session token: never readable by script, never sent cross-site, https only."""
    response.set_cookie(SESSION_COOKIE, token, **_cookie_flags())


def set_device_cookie(response: Response, token: str) -> None:
    """The device token: kept by the browser for `DEVICE_LIFETIME`, sent only to this site."""
    response.set_cookie(DEVICE_COOKIE, token, max_age=DEVICE_LIFETIME, **_cookie_flags())


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, **_cookie_flags())


def csrf_token() -> str:
    """The token this request's forms must carry (templates call it)."""
    user = g.get("user")
    if user is not None:
        return str(user.session.csrf)
    if "csrf_cookie" not in g:
        g.csrf_cookie = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    return str(g.csrf_cookie)


class CsrfRefused(BadRequest):
    """A form whose token is missing or wrong, most often because the session ended meanwhile (400).

    Its page (`web.errors`) offers to log in and return to the form.
    """

    description = CSRF_REFUSED


def check_csrf() -> None:
    """Refuse an unsafe request to a page whose token is missing or wrong (400)."""
    if request.method not in UNSAFE_METHODS or request.path.startswith("/api/"):
        return
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    user = g.get("user")
    expected = user.session.csrf if user is not None else request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused()


def finish_response(response: Response) -> Response:
    """Add the security headers, and the pre-login CSRF cookie when a form was given one."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure and current_app.config["HSTS"]:
        response.headers.setdefault(*HSTS_HEADER)
    if request.path.startswith(("/api/", "/static/")):
        return response
    response.headers.setdefault("Cache-Control", "no-store")
    if "csrf_cookie" in g and request.cookies.get(CSRF_COOKIE) != g.csrf_cookie:
        response.set_cookie(CSRF_COOKIE, g.csrf_cookie, **_cookie_flags())
    return response


def init_app(app: Flask) -> None:
    """Wire the checks into `app` (after the session is loaded, so the token can be checked)."""
    app.config.setdefault("SESSION_COOKIE_SECURE", True)
    app.config.setdefault("HSTS", True)
    proxies = int(app.config.get("PROXY_COUNT", 0))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.before_request(check_csrf)
    app.after_request(finish_response)
    app.jinja_env.globals["csrf_token"] = csrf_token
