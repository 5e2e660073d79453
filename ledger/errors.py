"""The ledger's errors: one root, and one class per reason a command is refused.

Every error names what is wrong in words a person can act on; `field` names the
offending part of the payload where there is one (``body.results[3].score``).
"""

from __future__ import annotations


class LedgerError(Exception):
    """Root of every error the ledger raises on purpose."""

    def __init__(self, reason: str, *, field: str | None = None) -> None:
        self.reason = reason
        self.field = field
        super().__init__(f"{field}: {reason}" if field else reason)


class PayloadError(LedgerError):
    """The envelope or its payload is malformed, or the body breaks the schema."""


class SignatureError(LedgerError):
    """The signature does not verify, or the signer's key is unknown or revoked."""


class NotAuthorizedError(LedgerError):
    """The signer may not sign this command (wrong unit, role or department)."""


class RuleError(LedgerError):
    """The command is well-formed and authorised but breaks a rule of the domain."""


class NotFoundError(LedgerError):
    """The command names something the ledger does not hold."""


class DuplicateError(LedgerError):
    """The command would create something that already exists."""


class ReplayError(LedgerError):
    """The envelope (same nonce or same payload bytes) was appended before."""


class ConflictError(LedgerError):
    """Concurrent appends kept conflicting; nothing was appended, try again."""


class LogIntegrityError(LedgerError):
    """The stored log does not extend what the log key signed before; nothing is appended."""
