"""The Flask application factory: configuration, the ledger and its read models, blueprints.

Configuration comes from the instance folder and ``LEDGER_*`` environment variables
(`web.instance.Instance`); tests pass `test_config`. Every side effect of the web
application (opening the database, creating its tables) happens here.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from ledger.domain.submissions import MAX_DOCUMENT_BYTES
from ledger.serving import LogServer
from projections import catch_up, open_views
from web import api, errors, security, text
from web.accounts import AccountStore
from web.areas import audit, auth, dashboard, enrol, inspect, public, ratings, signing, submit
from web.areas.submit.table import MAX_TABLE_BYTES
from web.instance import Instance

#: One module per area, each with a blueprint `bp` and, for the menu, `NAV` entries
#: (endpoint, label, roles that see it; none: every officer). Order is the menu's order.
AREAS = (auth, public, dashboard, signing, enrol, submit, ratings, audit, inspect, api)


def create_app(test_config: Mapping[str, Any] | None = None, *, instance: Instance | None = None) -> Flask:
    """Build the web application on `instance` (default: from the environment)."""
    instance = instance or Instance.from_environment()
    app = Flask(__name__)
    app.config.from_mapping(
        MAX_CONTENT_LENGTH=25 * 1024 * 1024,
        JSON_AS_ASCII=False,
        SESSION_COOKIE_SECURE=True,
    )
    app.config.from_prefixed_env("LEDGER")
    if test_config is not None:
        app.config.from_mapping(test_config)

    ledger = instance.open_ledger()
    views = open_views(ledger)
    catch_up(ledger, views)
    accounts = AccountStore(ledger.datastore)
    accounts.create_tables()
    log = LogServer(ledger, witnesses=instance.witnesses())
    app.extensions.update(ledger=ledger, log=log, views=views, accounts=accounts, instance=instance)
    app.extensions["documents"] = instance.documents()
    if instance.is_demo():
        # The demo authority approves at once the keys made in the browser (web.areas.enrol);
        # its key file is decrypted at the first approval, not at each start.
        app.extensions["demo_authority"] = functools.cache(instance.demo_authority)

    nav: list[tuple[str, str, tuple[str, ...]]] = []
    for area in AREAS:
        app.register_blueprint(area.bp)
        nav += getattr(area, "NAV", ())
    security.init_app(app)  # after auth's before_request: the CSRF check needs the session
    errors.init_app(app)

    app.jinja_env.globals["nav_items"] = lambda: nav
    #: What a file input accepts, checked in the browser before sending (static/forms.js).
    app.jinja_env.globals["upload_limits"] = {"document": MAX_DOCUMENT_BYTES, "table": MAX_TABLE_BYTES}
    app.add_template_filter(text.local_time)
    app.add_template_filter(text.signer_label)
    app.add_template_filter(lambda seconds: text.local_time(datetime.fromtimestamp(seconds, UTC)), "epoch_time")
    return app
