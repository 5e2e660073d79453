"""The refusals of the append pipeline and of serving the log, by code (see `ledger.errors`).

The codes of the kinds the pipeline shares with every caller (a replay, a busy ledger, a
log that fails its integrity, a signature or signer key refused) are declared on the kinds
in `ledger.errors`; these subclasses declare the rest: a statement the pipeline cannot
route (`BadStatementError`), a signer who may not sign as it says (`SignerError`), what
exists already (`ExistsError`), a ledger not initialised yet (`NotInitialisedError`), and,
for `ledger.serving`, what the log does not hold (`NotInLogError`) and a cosignature line
that cannot be read (`CosignatureLineError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from ledger.errors import DuplicateError, NotAuthorizedError, NotFoundError, PayloadError


class BadStatementError(PayloadError):
    """A statement the append pipeline cannot route: an unknown type, or a malformed founding one."""

    messages: ClassVar[Mapping[str, str]] = {
        "unknown_statement_type": "unknown statement type {type!r}",
        "founding_statement": "ledger.initialise is about {subject!r}, by {unit}/{officer}",
        "malformed_root_key": "{detail}",
    }


class SignerError(NotAuthorizedError):
    """The signer's key, officer or unit may not sign as the statement says."""

    messages: ClassVar[Mapping[str, str]] = {
        "root_signs_as_authority": "the root key signs as {unit}/{officer} only",
        "key_of_another_officer": "key {key_prefix}… belongs to officer {owner}, not {officer}",
        "unit_acts_for_itself": "{officer} belongs to {unit}; a unit acts only for itself, not for {other}",
    }


class ExistsError(DuplicateError):
    """The statement would create what the ledger already holds."""

    messages: ClassVar[Mapping[str, str]] = {
        "already_initialised": "the ledger is already initialised",
        "subject_exists": "{subject} already exists; correct or change it instead",
    }


class NotInitialisedError(NotFoundError):
    """A statement before the ledger was initialised."""

    messages: ClassVar[Mapping[str, str]] = {
        "not_initialised": "the ledger is not initialised yet: the first entry must be ledger.initialise"
    }


class NotInLogError(NotFoundError):
    """A checkpoint, entry or tree size the log does not hold."""

    messages: ClassVar[Mapping[str, str]] = {
        "no_checkpoint": "no checkpoint was signed yet",
        "no_checkpoint_of_size": "no checkpoint of size {size} was signed",
        "entry_outside_tree": "entry {seq} is not in the tree of {size} entries",
        "entry_not_stored": "entry {seq} is not stored",
        "sizes_out_of_order": "sizes must satisfy 0 < {size1} ≤ {size2} ≤ {head} (the log's size)",
    }


class CosignatureLineError(PayloadError):
    """A witness's cosignature line that cannot be read."""

    messages: ClassVar[Mapping[str, str]] = {"not_a_cosignature": "not a cosignature line: {detail}"}
