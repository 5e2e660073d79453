"""From one ledger entry to row operations: pure functions, no IO, no clock.

An entry becomes a `Fact`: its position, server time, event type, signer and leaf hash,
and the fields of its signed statement. A handler per statement type turns a fact and
what the views hold (read through `get`, by subject) into operations on rows:

- `Put`: the whole new row of a subject (insert or replace);
- `Add`: an append-only row (history, a level given to a rating);
- `Keep`: a row kept only if none with its key exists (the first fulfilment of a deadline);
- `Replace`: every row of a group replaced by new ones (the index results in force).

A `Batch` applies the operations of many facts in memory, each seeing the rows the
earlier ones changed, and hands the final rows to a backend to write in one transaction.

Statements are read straight from the payload bytes: the ledger verified each one
(signature, canonical form, schema, who may sign it, domain rules) before appending it,
so the projection parses the JSON once and does not validate it again.

The rows are built in `projections.rows.facts` (entries as facts), `.operations` (the
operations, the handler registry, the history, the batch), and one module of handlers per
area: `.registry` (units, officers, indices, cycles, rule sets) and `.assessment`
(submissions, index results, ratings, appeals). Importing this package registers them all.
"""

from projections.errors import ProjectionError
from projections.rows import assessment, registry
from projections.rows.facts import Fact, fact_of, fact_of_state
from projections.rows.operations import Add, Batch, Keep, Op, Put, Replace, history_ops, ops_for

__all__ = [
    "Add",
    "Batch",
    "Fact",
    "Keep",
    "Op",
    "ProjectionError",
    "Put",
    "Replace",
    "assessment",
    "fact_of",
    "fact_of_state",
    "history_ops",
    "ops_for",
    "registry",
]
