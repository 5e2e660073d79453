"""ledger.domain."""
