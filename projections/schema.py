"""The tables of the read models, defined once and written the same way on both backends.

Every value is stored as an integer, text or NULL: decimals stay the strings they were
published as, dates are ISO ``YYYY-MM-DD``, times are ISO UTC, lists and mappings are
canonical JSON text, flags are 0/1. So the same events give byte-identical dumps on
SQLite and PostgreSQL, and the SQL below (``TEXT``, ``BIGINT``, ``INTEGER``, ``ON
CONFLICT``) runs unchanged on both; a backend only qualifies the table names and, for
PostgreSQL, writes ``%s`` for ``?``.

Most tables hold one row per ledger subject (``unit/SNV``, ``rating/2024/SYT`` …), keyed
by that subject; the rest are append-only (the history, one row per entry; the levels
given to a rating), rows recorded once (deadline fulfilments) or a set replaced whole
(the rows of the index results in force).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from typing import Any

#: The tracking table of the views: one row per application name, as in the library.
TRACKING_TABLE = "view_tracking"
#: The row of the tracking table that holds the fingerprint of this schema.
SCHEMA_ROW = "__view_schema__"

Row = dict[str, Any]


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: each table is defined once
class Table:
    """A view table: its columns in order, its key, and its secondary indexes."""

    name: str
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = ()

    @cached_property
    def column_names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(name for name, _ in self.columns)

    @cached_property
    def values(self) -> Callable[[Row], tuple[Any, ...]]:
        """The values of a row, in column order (KeyError if the row lacks one)."""
        return itemgetter(*self.column_names)

    def __repr__(self) -> str:
        return f"Table({self.name})"


def _columns(spec: str) -> tuple[tuple[str, str], ...]:
    """``"a TEXT, b BIGINT"`` → ``(("a", "TEXT"), ("b", "BIGINT"))``."""
    pairs = (item.split() for item in spec.split(","))
    return tuple((name, kind) for name, kind in pairs)


UNITS = Table(
    "view_units",
    _columns(
        "subject TEXT, code TEXT, name TEXT, former_names TEXT, unit_class TEXT, parent TEXT, "
        "functions TEXT, status TEXT, merged_into TEXT, status_decision TEXT, status_on TEXT, "
        "head TEXT, head_decision TEXT, registered_seq BIGINT, registered_at TEXT, registered_on TEXT, seq BIGINT"
    ),
    key=("subject",),
    indexes=(("code",),),
)
OFFICERS = Table(
    "view_officers",
    _columns("subject TEXT, officer_id TEXT, name TEXT, unit TEXT, roles TEXT, registered_seq BIGINT, seq BIGINT"),
    key=("subject",),
    indexes=(("officer_id",),),
)
INDICES = Table(
    "view_indices",
    _columns(
        "subject TEXT, code TEXT, name TEXT, lead TEXT, classes TEXT, level TEXT, maximum TEXT, scale_unit TEXT, "
        "status TEXT, legal_basis TEXT, rationale TEXT, approval TEXT, "
        "in_force_seq BIGINT, in_force_at TEXT, in_force_on TEXT, seq BIGINT"
    ),
    key=("subject",),
)
CYCLES = Table(
    "view_cycles",
    _columns(
        "subject TEXT, year INTEGER, deadlines TEXT, original TEXT, adjustments TEXT, "
        "opened_seq BIGINT, opened_at TEXT, seq BIGINT"
    ),
    key=("subject",),
)
RULESETS = Table(
    "view_rulesets",
    _columns(
        "subject TEXT, version TEXT, legal_basis TEXT, illustrative INTEGER, description TEXT, "
        "parameters TEXT, indices TEXT, seq BIGINT, issued_at TEXT"
    ),
    key=("subject",),
)
SUBMISSIONS = Table(
    "view_submissions",
    _columns(
        "subject TEXT, kind TEXT, unit TEXT, index_code TEXT, year INTEGER, "
        "filed_seq BIGINT, filed_at TEXT, filed_on TEXT, version_seq BIGINT, version_at TEXT, corrections INTEGER, "
        "correction_reason TEXT, correction_decision TEXT, transmitted_seq BIGINT, transmitted_at TEXT, "
        "title TEXT, decision TEXT, measured_year INTEGER, published_on TEXT, document TEXT, seq BIGINT"
    ),
    key=("subject",),
    indexes=(("year", "kind"),),
)
INDEX_RESULTS = Table(
    "view_index_results",
    _columns(
        "index_code TEXT, year INTEGER, unit TEXT, subject TEXT, lead TEXT, unit_class TEXT, score TEXT, "
        "rank INTEGER, band TEXT, measured_year INTEGER, decision TEXT, published_on TEXT, "
        "version_seq BIGINT, corrections INTEGER"
    ),
    key=("index_code", "year", "unit"),
    indexes=(("subject",),),
)
RATINGS = Table(
    "view_ratings",
    _columns(
        "subject TEXT, year INTEGER, unit TEXT, person TEXT, kind TEXT, officer TEXT, name TEXT, position TEXT, "
        "computed_level TEXT, decided_level TEXT, level TEXT, status TEXT, last_how TEXT, "
        "ruleset TEXT, inputs TEXT, missing TEXT, computed_seq BIGINT, computed_at TEXT, "
        "decision TEXT, reason TEXT, rule TEXT, appeals TEXT, appeal_open INTEGER, seq BIGINT, updated_at TEXT"
    ),
    key=("subject",),
    indexes=(("year", "unit"),),
)
RATING_LEVELS = Table(
    "view_rating_levels",
    _columns(
        "subject TEXT, seq BIGINT, level TEXT, how TEXT, signer_unit TEXT, signer_officer TEXT, key_id TEXT, "
        "recorded_at TEXT, reason TEXT, decision TEXT, ruleset TEXT"
    ),
    key=("subject", "seq"),
)
DEADLINES = Table(
    "view_deadlines",
    _columns(
        "year INTEGER, obligation TEXT, unit TEXT, item TEXT, subject TEXT, seq BIGINT, "
        "submitted_at TEXT, submitted_on TEXT"
    ),
    key=("year", "obligation", "unit", "item"),
)
HISTORY = Table(
    "view_history",
    _columns(
        "seq BIGINT, subject TEXT, actor TEXT, statement_type TEXT, event_type TEXT, "
        "signer_unit TEXT, signer_officer TEXT, key_id TEXT, recorded_at TEXT, leaf_hash TEXT"
    ),
    key=("seq",),
    indexes=(("subject", "seq"), ("actor", "seq")),
)

TABLES: tuple[Table, ...] = (
    UNITS,
    OFFICERS,
    INDICES,
    CYCLES,
    RULESETS,
    SUBMISSIONS,
    INDEX_RESULTS,
    RATINGS,
    RATING_LEVELS,
    DEADLINES,
    HISTORY,
)
#: Tables with one row per ledger subject, by the subject's first segment.
BY_PREFIX: dict[str, Table] = {
    "unit": UNITS,
    "officer": OFFICERS,
    "index": INDICES,
    "cycle": CYCLES,
    "ruleset": RULESETS,
    "submission": SUBMISSIONS,
    "rating": RATINGS,
}


def table_of(subject: str) -> Table | None:
    """The table that holds one row per subject like `subject`, if any."""
    return BY_PREFIX.get(subject.partition("/")[0])


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def dumps(value: Any) -> str:
    """Canonical JSON text for a JSON column: sorted keys, no spaces, UTF-8 kept."""
    if not value and isinstance(value, list):
        return "[]"
    return _ENCODER.encode(value)


def loads(text: str | None) -> Any:
    """The value of a JSON column (None stays None)."""
    return None if text is None else json.loads(text)


class Statements:
    """The SQL of every table for one backend: qualified names and its placeholder."""

    def __init__(self, qualify: Any, placeholder: str, table_options: str = "") -> None:
        self.qualify = qualify
        self.placeholder = placeholder
        self.table_options = table_options
        self.tracking = qualify(TRACKING_TABLE)
        self.names = {table.name.removeprefix("view_"): qualify(table.name) for table in TABLES}
        self._cache: dict[tuple[str, str], str] = {}

    def sql(self, text: str) -> str:
        """`text` with ``{units}``-style table names filled in and the backend's placeholder."""
        filled = text.format(tracking=self.tracking, **self.names)
        return filled if self.placeholder == "?" else filled.replace("?", self.placeholder)

    def create(self, table: Table) -> list[str]:
        """CREATE TABLE and CREATE INDEX statements (idempotent)."""
        return [self.create_table(table), *self.create_indexes(table)]

    def create_table(self, table: Table) -> str:
        """CREATE TABLE, keyed, without the secondary indexes (idempotent)."""
        columns = ", ".join(f"{column} {kind}" for column, kind in table.columns)
        key = ", ".join(table.key)
        name = self.qualify(table.name)
        return f"CREATE TABLE IF NOT EXISTS {name} ({columns}, PRIMARY KEY ({key})){self.table_options}"

    def create_indexes(self, table: Table) -> list[str]:
        """CREATE INDEX of each secondary index (idempotent)."""
        name = self.qualify(table.name)
        return [
            f"CREATE INDEX IF NOT EXISTS {table.name}_by_{'_'.join(columns)} ON {name} ({', '.join(columns)})"
            for columns in table.indexes
        ]

    def drop(self, table: Table) -> str:
        """DROP TABLE (idempotent)."""
        return f"DROP TABLE IF EXISTS {self.qualify(table.name)}"

    def insert(self, table: Table) -> str:
        """A plain INSERT of whole rows (a duplicate key fails the transaction)."""
        return self._insert(table, "")

    def keep(self, table: Table) -> str:
        """INSERT that keeps the row already there: the first one recorded wins."""
        return self._insert(table, f" ON CONFLICT ({', '.join(table.key)}) DO NOTHING")

    def upsert(self, table: Table) -> str:
        """INSERT or replace every non-key column of the row with the same key."""
        return self._insert(table, f" ON CONFLICT ({', '.join(table.key)}) DO UPDATE SET {_updates(table)}")

    def delete_group(self, table: Table, column: str) -> str:
        """DELETE every row whose `column` equals one value."""
        return f"DELETE FROM {self.qualify(table.name)} WHERE {column} = {self.placeholder}"

    def select_in(self, table: Table, column: str, count: int) -> str:
        """SELECT the rows whose `column` is one of `count` values."""
        marks = ", ".join([self.placeholder] * count)
        return f"SELECT * FROM {self.qualify(table.name)} WHERE {column} IN ({marks})"

    def _insert(self, table: Table, suffix: str) -> str:
        cached = self._cache.get((table.name, suffix))
        if cached is None:
            marks = ", ".join([self.placeholder] * len(table.columns))
            cached = (
                f"INSERT INTO {self.qualify(table.name)} ({', '.join(table.column_names)}) VALUES ({marks}){suffix}"
            )
            self._cache[(table.name, suffix)] = cached
        return cached


def _updates(table: Table) -> str:
    return ", ".join(f"{c} = excluded.{c}" for c in table.column_names if c not in table.key)


def fingerprint() -> int:
    """A number that changes whenever a table definition changes (stored with the views).

    Views stored under another fingerprint were built by other code: they are dropped
    and rebuilt from the ledger rather than read or extended.
    """
    text = dumps([[t.name, t.columns, t.key, t.indexes] for t in TABLES])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
