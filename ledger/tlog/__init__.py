"""ledger.tlog."""
