"""ledger.storage."""
