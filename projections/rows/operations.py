"""Row operations, the registry of handlers by statement type, the history rows every entry
adds, and the `Batch` that applies the operations of many facts in memory."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ledger.domain.registry import AUTHORITY_UNIT
from projections.errors import NotLoadedError, ProjectionError
from projections.rows.facts import Fact
from projections.schema import (
    HISTORY,
    UNITS,
    Row,
    Table,
    table_of,
)

# Operations ------------------------------------------------------------------------------
# Not frozen: a frozen dataclass sets each field through object.__setattr__, and a rebuild
# makes a few hundred thousand operations (2% of its instructions).


@dataclass(slots=True)
class Put:
    """Insert or replace the row of a subject."""

    table: Table
    row: Row


@dataclass(slots=True)
class Add:
    """Append a row (its key is new)."""

    table: Table
    row: Row


@dataclass(slots=True)
class Keep:
    """Insert a row unless one with its key exists: the first one recorded wins."""

    table: Table
    row: Row


@dataclass(slots=True)
class Replace:
    """Replace every row of `group` (the value of the table's `subject` column)."""

    table: Table
    group: str
    rows: tuple[Row, ...]


Op = Put | Add | Keep | Replace
Get = Callable[[Table, str], Row | None]
Handler = Callable[[Fact, Get], list[Op]]
HANDLERS: dict[str, Handler] = {}


def handles(*statement_types: str) -> Callable[[Handler], Handler]:
    """Register a handler for statement types."""

    def register(handler: Handler) -> Handler:
        for statement_type in statement_types:
            HANDLERS[statement_type] = handler
        return handler

    return register


def need(get: Get, table: Table, subject: str) -> Row:
    """The row of `subject`, which the ledger guarantees exists."""
    row = get(table, subject)
    if row is None:
        raise ProjectionError("not_in_views", subject=subject, table=table.name)
    return row


def ops_for(fact: Fact, get: Get) -> list[Op]:
    """Every row operation of one fact: its history rows, then its statement type's."""
    handler = HANDLERS.get(fact.type)
    if handler is None:
        raise ProjectionError("unprojected_statement_type", seq=fact.seq, type=fact.type)
    return [*history_ops(fact), *handler(fact, get)]


def reads(fact: Fact) -> Iterator[tuple[Table, str]]:
    """The subjects whose rows the handler of `fact` may read (prefetched per batch)."""
    table = table_of(fact.subject)
    if table is not None:
        yield table, fact.subject
    body = fact.body
    if fact.type == "submission.index-results":
        rows = body["results"]
    elif fact.type == "submission.correct" and isinstance(body.get("replacement"), dict):
        rows = body["replacement"].get("results", ())
    else:
        return
    for row in rows:
        yield UNITS, f"unit/{row['unit']}"


# History ---------------------------------------------------------------------------------


def actor_of(unit: str) -> str:
    """The subject an entry is filed under as its actor's: ``unit/<code>``, or ``authority``."""
    return AUTHORITY_UNIT if unit == AUTHORITY_UNIT else f"unit/{unit}"


def history_ops(fact: Fact) -> list[Op]:
    """The entry in the history: under its subject, and under the acting unit (`actor_of`)."""
    row = {
        "seq": fact.seq,
        "subject": fact.subject,
        "actor": actor_of(fact.unit),
        "statement_type": fact.type,
        "event_type": fact.event_type,
        "signer_unit": fact.unit,
        "signer_officer": fact.officer,
        "key_id": fact.key_id,
        "recorded_at": fact.at,
        "leaf_hash": fact.leaf_hash,
    }
    return [Add(HISTORY, row)]


@handles("ledger.initialise", "key.register", "key.revoke")
def history_only(fact: Fact, get: Get) -> list[Op]:
    """Entries that only the history shows."""
    return []


# A batch ---------------------------------------------------------------------------------


@dataclass
class Batch:
    """The row operations of consecutive facts, applied in memory, ready to be written.

    Rows of subjects are read through `get` from what was `load`ed (what the views held
    before the batch) and what earlier facts of the batch put; reading a subject that was
    not loaded is a bug and raises, rather than quietly reading nothing.
    """

    rows: dict[Table, dict[str, Row | None]] = field(default_factory=lambda: defaultdict(dict))
    puts: dict[Table, dict[str, Row]] = field(default_factory=lambda: defaultdict(dict))
    stored: dict[Table, set[str]] = field(default_factory=lambda: defaultdict(set))
    adds: dict[Table, list[Row]] = field(default_factory=lambda: defaultdict(list))
    keeps: dict[Table, dict[tuple[Any, ...], Row]] = field(default_factory=lambda: defaultdict(dict))
    replaced: dict[Table, dict[str, tuple[Row, ...]]] = field(default_factory=lambda: defaultdict(dict))

    @staticmethod
    def reads(facts: Iterable[Fact]) -> dict[Table, set[str]]:
        """The subjects to load before `facts` are applied, by table."""
        wanted: dict[Table, set[str]] = defaultdict(set)
        for fact in facts:
            for table, subject in reads(fact):
                wanted[table].add(subject)
        return wanted

    def load(self, table: Table, subjects: Iterable[str], rows: Iterable[Row]) -> None:
        """What the views hold for `subjects` (those without a row do not exist yet)."""
        known = self.rows[table]
        for subject in subjects:
            known.setdefault(subject, None)
        for row in rows:
            known[row["subject"]] = row
        self.stored[table].update(subject for subject, row in known.items() if row is not None)

    def new_and_changed(self, table: Table) -> tuple[list[Row], list[Row]]:
        """The rows `table` is to hold: of subjects it has no row for yet, and of the others."""
        stored = self.stored[table]
        new: list[Row] = []
        changed: list[Row] = []
        for subject, row in self.puts[table].items():
            (changed if subject in stored else new).append(row)
        return new, changed

    def get(self, table: Table, subject: str) -> Row | None:
        """The row of `subject` as of the facts applied so far."""
        known = self.rows[table]
        if subject not in known:
            raise NotLoadedError("not_loaded", subject=subject, table=table.name)
        return known[subject]

    def apply(self, fact: Fact) -> None:
        """Apply every operation of `fact`."""
        for op in ops_for(fact, self.get):
            if type(op) is Put:
                subject = op.row["subject"]
                self.rows[op.table][subject] = op.row
                self.puts[op.table][subject] = op.row
            elif type(op) is Add:
                self.adds[op.table].append(op.row)
            elif type(op) is Keep:
                key = tuple(op.row[column] for column in op.table.key)
                self.keeps[op.table].setdefault(key, op.row)
            elif type(op) is Replace:
                self.replaced[op.table][op.group] = op.rows
