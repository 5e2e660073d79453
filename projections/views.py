"""The read models in one store: written a batch at a time with their tracking position, and queried.

`Views` holds what both backends share: how a batch of facts is loaded, applied and
written (rows and the tracking position in one transaction), the canonical dump, and the
query API used by the CLI and the web. A backend (`projections.sqlite`,
`projections.postgres`) mixes it with the library's tracking recorder and supplies the
connections.

The position is the ledger's sequence number of the last entry applied, kept in the
tracking table under the ledger's name. A batch moves it from the position it was read
at to its last entry only if no one else moved it meanwhile (compare-and-set), so two
processes catching up at once never apply an entry twice: the slower one rolls back and
starts again from where the other stopped.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from typing import Any, Self

from eventsourcing.persistence import PersistenceError

from projections import reports
from projections.errors import NotLoadedError, PositionMoved
from projections.rows import Batch, Fact
from projections.schema import OFFICERS, SCHEMA_ROW, TABLES, Row, Statements, Table, fingerprint

#: How many values one ``IN (…)`` list carries.
IN_CHUNK = 500


#: How many rows a `Views` object remembers between batches (so most batches read nothing):
#: the rows of about two full batches (`projections.runner.BATCH`).
CACHE_ROWS = 10_000


class RowCache:
    """Rows of subjects as the views hold them at `position`, least recently used first out.

    Only this object moves the views while the position stays where it left it (the
    position is compared-and-set), so what it remembers from its own batches is what the
    database holds; any other position empties it.
    """

    def __init__(self, limit: int = CACHE_ROWS) -> None:
        self.limit = limit
        self.position: int | None = None
        self._rows: OrderedDict[tuple[str, str], Row | None] = OrderedDict()

    def clear(self) -> None:
        self._rows.clear()
        self.position = None

    def take(self, table: Table, subjects: Iterable[str]) -> dict[str, Row | None]:
        """The remembered rows among `subjects` (None: known not to exist)."""
        found = {}
        for subject in subjects:
            key = (table.name, subject)
            if key in self._rows:
                found[subject] = self._rows[key]
                self._rows.move_to_end(key)
        return found

    def keep(self, rows: dict[Table, dict[str, Row | None]], position: int) -> None:
        """Remember `rows`, now stored, as of `position`."""
        for table, by_subject in rows.items():
            for subject, row in by_subject.items():
                key = (table.name, subject)
                self._rows[key] = row
                self._rows.move_to_end(key)
        while len(self._rows) > self.limit:
            self._rows.popitem(last=False)
        self.position = position


class Views:
    """The read models of one ledger, in the ledger's own database (or a throwaway one).

    Backends provide `statements`, `_reading` and `_writing` (and may write rows their own
    way in `_write`); everything else is shared.
    """

    statements: Statements
    application_name: str = "ledger"

    def _init_views(self, application_name: str) -> None:
        """Called by each backend's constructor."""
        self.application_name = application_name
        self._apply_lock = threading.Lock()
        self._cache = RowCache()

    # Backend hooks ------------------------------------------------------------------------

    def _reading(self) -> AbstractContextManager[Any]:  # pragma: no cover - backends
        """A cursor in a read-only transaction that sees one snapshot."""
        raise NotImplementedError

    def _writing(self) -> AbstractContextManager[Any]:  # pragma: no cover - backends
        """A cursor in a transaction that commits on success and rolls back on error."""
        raise NotImplementedError

    def _fetch_rows(self, cursor: Any) -> list[Row]:
        """The rows of the last query, as dicts."""
        return [dict(row) for row in cursor.fetchall()]

    def close(self) -> None:
        """Release what this object opened (never the ledger's own connections)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Tables -------------------------------------------------------------------------------

    def _sql(self, text: str) -> str:
        return self.statements.sql(text)

    def prepare(self) -> None:
        """Create the tables; first drop any made by other code (stored under another fingerprint).

        Views without the current fingerprint are dropped and rebuilt from the ledger by
        the next `catch_up`, never read or extended.
        """
        try:
            with self._reading() as cursor:
                stored = self._fetch_one(
                    cursor, "SELECT notification_id FROM {tracking} WHERE application_name = ?", (SCHEMA_ROW,)
                )
        except PersistenceError:  # no tracking table yet: a new store
            stored = None
        current = fingerprint()
        if stored != current:
            with self._writing() as cursor:
                for table in TABLES:
                    cursor.execute(self.statements.drop(table))
        self.create_table()  # type: ignore[attr-defined]  # the library's tracking recorder, and the views
        if stored != current:
            with self._writing() as cursor:
                cursor.execute(
                    self._sql("DELETE FROM {tracking} WHERE application_name IN (?, ?)"),
                    (SCHEMA_ROW, self.application_name),
                )
                cursor.execute(self._sql("INSERT INTO {tracking} VALUES (?, ?)"), (SCHEMA_ROW, current))

    @contextmanager
    def rebuilding(self) -> Iterator[Views]:
        """The views a rebuild fills from the first entry: these, emptied first.

        A backend may fill another store instead and take it over on exit (`SQLiteViews`).
        """
        self.reset()
        yield self

    def reset(self) -> None:
        """Drop every view table and the tracking row, and create the tables empty."""
        with self._writing() as cursor:
            self._reset(cursor)

    def _reset(self, cursor: Any) -> None:
        for table in TABLES:
            cursor.execute(self.statements.drop(table))
        for table in TABLES:
            for statement in self.statements.create(table):
                cursor.execute(statement)
        cursor.execute(self._sql("DELETE FROM {tracking} WHERE application_name = ?"), (self.application_name,))

    def _fetch_one(self, cursor: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        cursor.execute(self._sql(sql), params)
        row = cursor.fetchone()
        return None if row is None else next(iter(dict(row).values()))

    def _all(self, cursor: Any, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cursor.execute(self._sql(sql), params)
        return [dict(row) for row in cursor.fetchall()]

    # Writing ------------------------------------------------------------------------------

    def position(self) -> int:
        """The sequence number of the last ledger entry applied (0: none)."""
        with self._reading() as cursor:
            found = self._fetch_one(
                cursor, "SELECT notification_id FROM {tracking} WHERE application_name = ?", (self.application_name,)
            )
        return int(found or 0)

    def head_position(self) -> int:
        """The last sequence number processed (the views answer as of this entry)."""
        return self.position()

    def apply(self, facts: Sequence[Fact], start: int, end: int) -> None:
        """Apply `facts` (the entries after `start`, up to `end`) and move the position, atomically.

        Raises PositionMoved, writing nothing, if the position is no longer `start`.
        """
        with self._apply_lock:
            cache = self._row_cache(start)
            batch = Batch()
            unknown: dict[Table, list[str]] = {}
            for table, subjects in batch.reads(facts).items():
                known = cache.take(table, subjects)
                batch.load(table, known, (row for row in known.values() if row is not None))
                if len(known) < len(subjects):
                    unknown[table] = sorted(subjects.difference(known))
            if unknown:
                with self._reading() as cursor:
                    for table, missing in unknown.items():
                        batch.load(table, missing, self._rows_of(cursor, table, missing))
            for fact in facts:
                batch.apply(fact)
            try:
                with self._writing() as cursor:
                    self._move(cursor, start, end)
                    self._flush(cursor, batch)
            except BaseException:
                cache.clear()
                raise
            cache.keep(batch.rows, end)

    def _row_cache(self, position: int) -> RowCache:
        """Rows this object wrote or read at `position` (emptied if the views are elsewhere)."""
        if self._cache.position != position:
            self._cache.clear()
        return self._cache

    def _rows_of(self, cursor: Any, table: Table, subjects: list[str]) -> Iterator[Row]:
        for i in range(0, len(subjects), IN_CHUNK):
            chunk = subjects[i : i + IN_CHUNK]
            cursor.execute(self.statements.select_in(table, "subject", len(chunk)), chunk)
            yield from self._fetch_rows(cursor)

    def _move(self, cursor: Any, start: int, end: int) -> None:
        """Compare-and-set the position from `start` to `end` (first, so the transaction holds it)."""
        if start == 0:
            cursor.execute(
                self._sql("INSERT INTO {tracking} VALUES (?, ?) ON CONFLICT (application_name) DO NOTHING"),
                (self.application_name, end),
            )
        else:
            cursor.execute(
                self._sql(
                    "UPDATE {tracking} SET notification_id = ? WHERE application_name = ? AND notification_id = ?"
                ),
                (end, self.application_name, start),
            )
        if cursor.rowcount != 1:
            raise PositionMoved("views_moved", start=start)

    def _flush(self, cursor: Any, batch: Batch) -> None:
        for table, groups in batch.replaced.items():
            self._delete_groups(cursor, table, list(groups))
            self._write(cursor, table, "insert", [row for group in groups.values() for row in group])
        for table in batch.puts:
            new, changed = batch.new_and_changed(table)
            self._write(cursor, table, "insert", new)
            self._write(cursor, table, "upsert", changed)
        for table, keeps in batch.keeps.items():
            self._write(cursor, table, "keep", list(keeps.values()))
        for table, adds in batch.adds.items():
            self._write(cursor, table, "insert", adds)

    def _write(self, cursor: Any, table: Table, mode: str, rows: list[Row]) -> None:
        """Write `rows` to `table`: ``insert`` new rows, ``upsert`` whole rows, or ``keep`` existing ones."""
        if rows:
            cursor.executemany(getattr(self.statements, mode)(table), _values(table, rows))

    def _delete_groups(self, cursor: Any, table: Table, groups: list[str]) -> None:
        """Delete the rows of `table` whose subject is one of `groups`."""
        cursor.executemany(self.statements.delete_group(table, "subject"), [(group,) for group in groups])

    # The dump -----------------------------------------------------------------------------

    def dump(self) -> bytes:
        """Every view table, canonically: tables by name, rows sorted by key, one JSON array a line.

        Two stores that applied the same entries dump the same bytes, whichever backend
        and whatever batches they used.
        """
        lines = []
        with self._reading() as cursor:
            position = self._fetch_one(
                cursor, "SELECT notification_id FROM {tracking} WHERE application_name = ?", (self.application_name,)
            )
            lines.append(json.dumps(["position", int(position or 0)]))
            for table in sorted(TABLES, key=lambda t: t.name):
                columns = table.column_names
                cursor.execute(f"SELECT {', '.join(columns)} FROM {self.statements.qualify(table.name)}")
                rows = [tuple(row[c] for c in columns) for row in cursor.fetchall()]
                key = [columns.index(c) for c in table.key]
                rows.sort(key=lambda r: [_sortable(r[i]) for i in key] + [_sortable(v) for v in r])
                lines.append(json.dumps(["table", table.name, list(columns)], ensure_ascii=False))
                lines.extend(json.dumps(list(row), ensure_ascii=False) for row in rows)
        return ("\n".join(lines) + "\n").encode()

    # Queries ------------------------------------------------------------------------------

    def _units(self, cursor: Any) -> dict[str, Row]:
        return {row["code"]: row for row in self._all(cursor, "SELECT * FROM {units}")}

    def _officers(self, cursor: Any, officer_ids: Sequence[str | None]) -> dict[str, Row]:
        wanted = sorted({o for o in officer_ids if o})
        found: dict[str, Row] = {}
        for i in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[i : i + IN_CHUNK]
            cursor.execute(self.statements.select_in(OFFICERS, "officer_id", len(chunk)), chunk)
            found.update({row["officer_id"]: dict(row) for row in cursor.fetchall()})
        return found

    def units(self) -> list[dict[str, Any]]:
        """Every unit as of now: code, name (earlier names kept), class, parent, status, head."""
        with self._reading() as cursor:
            units = self._units(cursor)
            officers = self._officers(cursor, [u["head"] for u in units.values()])
        answers = []
        for code in sorted(units, key=lambda c: reports.unit_order(units[c], c)):
            answer = reports.decoded(units[code], ("former_names", "functions"))
            head = officers.get(answer["head"] or "")
            answer["head_name"] = head["name"] if head else None
            answers.append(answer)
        return answers

    def indices(self) -> list[dict[str, Any]]:
        """Every index, in force or proposed, with its lead department and scale."""
        with self._reading() as cursor:
            rows = self._all(cursor, "SELECT * FROM {indices}")
        return [reports.decoded(row, ("classes",)) for row in sorted(rows, key=lambda r: r["code"])]

    def years(self) -> list[int]:
        """Every year the ledger holds a cycle, a submission or a rating for."""
        with self._reading() as cursor:
            rows = self._all(
                cursor,
                "SELECT year FROM {cycles} UNION SELECT year FROM {submissions} UNION SELECT year FROM {ratings}",
            )
        return sorted({int(row["year"]) for row in rows})

    def ratings(self, year: int) -> list[dict[str, Any]]:
        """Every rating of `year`: heads (``rating/<year>/<UNIT>``) and individuals, current state."""
        with self._reading() as cursor:
            rows = self._all(cursor, "SELECT * FROM {ratings} WHERE year = ?", (year,))
            units = self._units(cursor)
            officers = self._officers(cursor, [r["officer"] for r in rows])
        rows.sort(key=lambda r: (*reports.unit_order(units.get(r["unit"]), r["unit"]), r["person"] or ""))
        return [reports.rating_answer(row, units, officers) for row in rows]

    def rating(self, subject: str) -> dict[str, Any] | None:
        """One rating with its whole chain of levels (nothing superseded disappears), or None."""
        with self._reading() as cursor:
            rows = self._all(cursor, "SELECT * FROM {ratings} WHERE subject = ?", (subject,))
            if not rows:
                return None
            levels = self._all(cursor, "SELECT * FROM {rating_levels} WHERE subject = ? ORDER BY seq", (subject,))
            units = self._units(cursor)
            officers = self._officers(cursor, [rows[0]["officer"]])
        answer = reports.rating_answer(rows[0], units, officers)
        answer["levels"] = [{k: v for k, v in level.items() if k != "subject"} for level in levels]
        return answer

    def index_results(self, index: str, year: int, unit_class: str | None = None) -> list[dict[str, Any]]:
        """The results in force of `index` for `year`, ranked within each unit class."""
        with self._reading() as cursor:
            rows = self._all(cursor, "SELECT * FROM {index_results} WHERE index_code = ? AND year = ?", (index, year))
            definition = self._all(cursor, "SELECT * FROM {indices} WHERE code = ?", (index,))
            units = self._units(cursor)
        peers: dict[str, int] = {}
        for row in rows:
            peers[row["unit_class"]] = peers.get(row["unit_class"], 0) + 1
        maximum = definition[0]["maximum"] if definition else None
        answers = []
        for row in rows:
            if unit_class is not None and row["unit_class"] != unit_class:
                continue
            unit = units.get(row["unit"])
            answers.append(
                {
                    **row,
                    "index": row["index_code"],
                    "unit_name": unit["name"] if unit else None,
                    "peers": peers[row["unit_class"]],
                    "maximum": maximum,
                }
            )
        answers.sort(key=lambda a: (reports.CLASS_ORDER.get(a["unit_class"], 99), a["rank"], a["unit"]))
        return answers

    def deadlines(self, year: int, reference: date) -> list[dict[str, Any]]:
        """Every obligation of the `year` cycle and its status on `reference` (see `reports.deadline_rows`)."""
        with self._reading() as cursor:
            cycles = self._all(cursor, "SELECT * FROM {cycles} WHERE year = ?", (year,))
            indices = self._all(cursor, "SELECT * FROM {indices}")
            units = self._units(cursor)
            recorded = self._all(cursor, "SELECT * FROM {deadlines} WHERE year = ?", (year,))
        return reports.deadline_rows(year, reference, cycles[0] if cycles else None, indices, units, recorded)

    def history(self, subject: str) -> list[dict[str, Any]]:
        """Every entry about `subject`, and for ``unit/<code>`` (or ``authority``) every entry
        that unit signed, in ledger order; `relation` says which ("subject" or "actor")."""
        with self._reading() as cursor:
            about = self._all(cursor, "SELECT * FROM {history} WHERE subject = ? ORDER BY seq", (subject,))
            by = self._all(cursor, "SELECT * FROM {history} WHERE actor = ? ORDER BY seq", (subject,))
        rows = {row["seq"]: {**row, "relation": "subject"} for row in about}
        for row in by:
            rows.setdefault(row["seq"], {**row, "relation": "actor"})
        return [rows[seq] for seq in sorted(rows)]

    def submissions(self, year: int) -> list[dict[str, Any]]:
        """Every submission of `year`: version in force, corrections, transmission."""
        with self._reading() as cursor:
            rows = self._all(cursor, "SELECT * FROM {submissions} WHERE year = ?", (year,))
        rows.sort(key=lambda r: r["subject"])
        return [reports.decoded(row, ("document",)) for row in rows]

    def compilation(self, year: int) -> list[dict[str, Any]]:
        """Sở Nội vụ's table for `year` (see `reports.compile_year`)."""
        with self._reading() as cursor:
            ratings = self._all(cursor, "SELECT * FROM {ratings} WHERE year = ? AND kind = 'head'", (year,))
            rulesets = {row["version"]: row for row in self._all(cursor, "SELECT * FROM {rulesets}")}
            results = self._all(cursor, "SELECT * FROM {index_results} WHERE year = ?", (year,))
            indices = {row["code"]: row for row in self._all(cursor, "SELECT * FROM {indices}")}
            units = self._units(cursor)
            officers = self._officers(cursor, [r["officer"] for r in ratings])
        return reports.compile_year(ratings, rulesets, results, indices, units, officers)


def _values(table: Table, rows: Iterable[Row]) -> list[tuple[Any, ...]]:
    values = table.values
    try:
        return [values(row) for row in rows]
    except KeyError as exc:  # pragma: no cover - a row builder bug
        raise NotLoadedError("missing_column", table=table.name, column=str(exc)) from None


def _sortable(value: Any) -> tuple[int, Any]:
    """Sort None first, numbers before text, text by code point (not by a locale)."""
    if value is None:
        return (0, 0)
    if isinstance(value, int):
        return (1, value)
    return (2, str(value))
