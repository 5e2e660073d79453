"""The composition root: the Flask application factory, its blueprints, and the CLI.

Importing the package imports nothing heavy: the offline commands of the CLI (verifying a
bundle or a receipt, witnessing) must run without Flask, eventsourcing or a database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(*args: Any, **kwargs: Any) -> Flask:
    """Build the web application (see `web.app.create_app`)."""
    from web.app import create_app as factory

    return factory(*args, **kwargs)
