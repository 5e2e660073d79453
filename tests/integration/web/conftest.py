"""The web's own tables on the ledger's database: an account store with one login, and a clock moved by hand."""

from __future__ import annotations

import pytest
from world import ACCOUNT, ACCOUNT_PASSWORD, ManualClock

from ledger.application import Ledger
from web.accounts import AccountStore


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def store(ledger: Ledger, clock: ManualClock) -> AccountStore:
    accounts = AccountStore(ledger.datastore, clock=clock)
    accounts.create_tables()
    accounts.create_tables()  # idempotent: every start of the app runs it
    accounts.add_account(ACCOUNT, ACCOUNT, ACCOUNT_PASSWORD)
    return accounts
