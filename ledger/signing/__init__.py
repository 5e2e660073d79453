"""ledger.signing."""
