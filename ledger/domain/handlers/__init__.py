"""One handler per statement type: check the subject, who may sign it, and the domain rules.

`base` holds what every handler uses (the signer as `Actor`, the `Context`, the registry
`HANDLERS`); the handlers themselves sit by area: `registry` (the authority, units,
officers, keys), `cycles` (indices and cycles), `submissions`, and `ratings` (rule sets,
ratings, appeals). Importing this package registers them all.
"""

from __future__ import annotations

from ledger.domain.handlers import cycles, ratings, registry, submissions  # noqa: F401  (registers the handlers)
from ledger.domain.handlers.base import HANDLERS, Actor, Context, DocumentChecker, Handler, Lookup, statement_types
from ledger.domain.handlers.ratings import computation_body, gather_inputs
from ledger.domain.registry import AUTHORITY_UNIT, ROOT_OFFICER

__all__ = [
    "AUTHORITY_UNIT",
    "HANDLERS",
    "ROOT_OFFICER",
    "Actor",
    "Context",
    "DocumentChecker",
    "Handler",
    "Lookup",
    "computation_body",
    "gather_inputs",
    "statement_types",
]
