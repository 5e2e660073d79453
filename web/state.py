"""What a request reaches through the application: the ledger, its log, read models, accounts, documents.

The factory (`web.app.create_app`) attaches them as extensions; views reach them only here.
"""

from __future__ import annotations

from flask import current_app

from ledger.application import Ledger
from ledger.serving import LogServer
from ledger.storage.documents import DocumentStore
from projections import Views, catch_up
from web.accounts import AccountStore
from web.instance import Instance


def get_ledger() -> Ledger:
    """The application's ledger."""
    ledger: Ledger = current_app.extensions["ledger"]
    return ledger


def get_log() -> LogServer:
    """The ledger's transparency log, served with this instance's trusted witnesses."""
    log: LogServer = current_app.extensions["log"]
    return log


def get_views() -> Views:
    """The read models, caught up with the ledger (so a page reads its own writes)."""
    views: Views = current_app.extensions["views"]
    catch_up(get_ledger(), views)
    return views


def get_accounts() -> AccountStore:
    """Logins, sessions and key enrolments."""
    accounts: AccountStore = current_app.extensions["accounts"]
    return accounts


def get_documents() -> DocumentStore:
    """The content-addressed evidence files."""
    documents: DocumentStore = current_app.extensions["documents"]
    return documents


def get_instance() -> Instance:
    """The instance folder and its settings."""
    instance: Instance = current_app.extensions["instance"]
    return instance
