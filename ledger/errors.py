"""The ledger's errors: one root, one class per kind of refusal, one stable code per reason.

Every refusal the product gives is a `ParLedgerError`. It carries

- ``code``: a stable machine name of the reason (``unknown_key``, ``replay``, ``out_of_cycle``),
  what the API returns and what the web translates, by code, into Vietnamese;
- ``field``: the offending part of the payload, where there is one (``body.results[3].score``);
- ``params``: the values the reason names (a key id, a date, a limit), for the translations.

Each class declares the codes it raises in ``messages``, each with its English text, a
`str.format` template over the parameters (for logs, the CLI and the API's ``message``). A
code is declared once in the whole tree (tests walk every class and check it, and that the
web has a Vietnamese text for each). ``kind`` names the class of refusal (its HTTP status
follows from it).

This module is standard library only: the offline inspector (`ledger.tlog`) raises under
the same root.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar


class ParLedgerError(Exception):
    """Root of every error the product raises on purpose."""

    kind: ClassVar[str] = "error"
    messages: ClassVar[Mapping[str, str]] = {}

    def __init__(self, code: str, /, *, field: str | None = None, **params: Any) -> None:
        template = self.template(code)
        self.code = code
        self.field = field
        self.params = params
        self.reason = template.format(**params)
        super().__init__(f"{field}: {self.reason}" if field else self.reason)

    @classmethod
    def template(cls, code: str) -> str:
        """The English text of `code`, declared by this class or a class it derives from."""
        for klass in cls.__mro__:
            messages = klass.__dict__.get("messages", {})
            if code in messages:
                return messages[code]
        raise TypeError(f"{cls.__name__} declares no error code {code!r}")

    @classmethod
    def declared(cls) -> Iterator[tuple[type[ParLedgerError], str, str]]:
        """Every (class, code, English template) declared by this class and its subclasses."""
        for code, template in cls.__dict__.get("messages", {}).items():
            yield cls, code, template
        for subclass in cls.__subclasses__():
            yield from subclass.declared()


class LedgerError(ParLedgerError):
    """A statement the ledger refuses to append (the envelope, its signer, or the rules)."""


class PayloadError(LedgerError):
    """The envelope or its payload is malformed, or the body breaks the schema."""

    kind = "invalid"


class SignatureError(LedgerError):
    """The signature does not verify, or the signer's key is unknown or revoked."""

    kind = "bad_signature"
    messages: ClassVar[Mapping[str, str]] = {
        "unknown_key": "signed by {key_id}, a key the ledger never registered",
        "revoked_key": "signed by {key_id}, which was revoked before this entry ({revocation})",
        "founder_not_root": "ledger.initialise must be signed by the root key it names",
        "root_not_pinned": "the root key {key_id} is not the pinned {pinned}",
        "unregistered_author": "key {key_id} is not registered in this ledger",
        "revoked_author": "key {key_id} was revoked ({revocation})",
        "untrusted_witness": "{witness} is not a witness this ledger trusts",
        "bad_cosignature": "the cosignature by {witness} does not verify: {detail}",
    }


class NotAuthorizedError(LedgerError):
    """The signer may not sign this command (wrong unit, role or department)."""

    kind = "not_authorized"


class RuleError(LedgerError):
    """The command is well-formed and authorised but breaks a rule of the domain."""

    kind = "rule_violation"


class NotFoundError(LedgerError):
    """The command names something the ledger does not hold."""

    kind = "not_found"


class DuplicateError(LedgerError):
    """The command would create something that already exists."""

    kind = "duplicate"


class ReplayError(LedgerError):
    """The envelope (same nonce or same payload bytes) was appended before."""

    kind = "replay"
    messages: ClassVar[Mapping[str, str]] = {
        "replay": "this envelope (nonce {nonce}) was already appended as entry {seq}"
    }


class ConflictError(LedgerError):
    """Concurrent appends kept conflicting; nothing was appended, try again."""

    kind = "busy"
    messages: ClassVar[Mapping[str, str]] = {
        "busy": "the ledger kept changing under this command; nothing was appended, try again"
    }


class LogIntegrityError(LedgerError):
    """The stored log does not extend what the log key signed before; nothing is appended."""

    kind = "log_integrity"
    messages: ClassVar[Mapping[str, str]] = {
        "tree_unreadable": "refusing to append: {detail}",
        "no_checkpoint_signed": "refusing to append: no checkpoint was signed for the {size} entries",
        "checkpoint_unverified": "refusing to append: the latest checkpoint does not verify ({detail})",
        "tree_does_not_extend": (
            "refusing to sign: the stored tree of {size} entries does not extend "
            "the checkpoint signed for {signed} entries"
        ),
        "missing_node": "the stored Merkle tree lacks node ({level}, {index})",
        "log_gap": "the ledger skips from entry {last} to entry {seq}",
        "event_missing": "entry {seq} is in the log but its stored event is missing",
    }
