"""The web application: its factory (`web.app`), its pages (`web.areas`), the JSON API (`web.api`).

Importing the package imports nothing heavy: ``web:create_app()`` is what a WSGI server is
given, and the factory is where every side effect happens (opening the ledger, its views,
the account tables).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(*args: Any, **kwargs: Any) -> Flask:
    """Build the web application (see `web.app.create_app`)."""
    from web.app import create_app as factory

    return factory(*args, **kwargs)
