"""The Flask application factory: configuration, the ledger, blueprints, security headers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from projections import catch_up, open_views
from web.instance import Instance

#: Sent with every response (issue: Content-Security-Policy without inline script).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(test_config: Mapping[str, Any] | None = None, *, instance: Instance | None = None) -> Flask:
    """Build the web application on `instance` (default: from the environment)."""
    instance = instance or Instance.from_environment()
    app = Flask(__name__)
    app.config.from_mapping(MAX_CONTENT_LENGTH=25 * 1024 * 1024, JSON_AS_ASCII=False)
    if test_config is not None:
        app.config.from_mapping(test_config)
    ledger = instance.open_ledger()
    views = open_views(ledger)
    catch_up(ledger, views)
    app.extensions["ledger"] = ledger
    app.extensions["views"] = views

    from web import public, text

    app.register_blueprint(public.bp)
    app.add_template_filter(text.local_time)
    app.add_template_filter(text.signer_label)

    @app.after_request
    def add_security_headers(response: Any) -> Any:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app
