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
"""

from __future__ import annotations

import json
from binascii import a2b_base64
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from ledger.domain.local_time import LOCAL_TIME
from ledger.domain.registry import AUTHORITY_UNIT
from ledger.domain.submissions import parse_subject
from projections.errors import NotLoadedError, ProjectionError
from projections.schema import (
    CYCLES,
    DEADLINES,
    HISTORY,
    INDEX_RESULTS,
    INDICES,
    OFFICERS,
    RATING_LEVELS,
    RATINGS,
    RULESETS,
    SUBMISSIONS,
    UNITS,
    Row,
    Table,
    dumps,
    loads,
    table_of,
)


@dataclass(slots=True)
class Fact:
    """One ledger entry as the views see it."""

    seq: int
    at: str  # server time of recording, ISO 8601 in UTC
    event_type: str
    key_id: str
    leaf_hash: str  # hex
    type: str
    unit: str
    officer: str
    subject: str
    body: dict[str, Any]

    @property
    def local_date(self) -> str:
        """The recording date in Hưng Yên (Asia/Ho_Chi_Minh), ISO: what deadlines are about."""
        return _local_date(self.at[:13])  # by the hour: ``YYYY-MM-DDTHH``


@lru_cache(maxsize=1024)
def _local_date(utc_hour: str) -> str:
    """The date in Hưng Yên during the UTC hour ``YYYY-MM-DDTHH``: one for the whole hour, since its
    offset from UTC has been whole hours since 1911 (a rebuild asks for it once per entry)."""
    return datetime.fromisoformat(f"{utc_hour}:00+00:00").astimezone(LOCAL_TIME).date().isoformat()


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


_decode_json = json.JSONDecoder().raw_decode  # (value, end): the stored JSON has no whitespace around it


def fact_of(seq: int, leaf_hash: bytes, event_type: str, event: Any) -> Fact:
    """The fact of a decoded ledger event stored at `seq` (its envelope's payload parsed once)."""
    envelope = event.envelope
    at = _utc_iso(event.timestamp)
    return _fact(seq, leaf_hash, event_type, at, envelope.signatures[0].keyid, envelope.payload)


def fact_of_state(seq: int, leaf_hash: bytes, event_type: str, state: bytes) -> Fact | None:
    """The fact of an event whose stored state is the JSON the ledger's transcoder writes, read
    without building the event object (None if the state is not in that form).

    A rebuild reads every entry once: building each event (an object hook per JSON object,
    the signature decoded, the event class instantiated) only to take its time, key id and
    payload would cost as much again as parsing the JSON. The fields read are those
    `fact_of` takes from the event; tests check the two give equal facts.
    """
    document = _decode_json(state.decode())[0]
    try:
        timestamp, envelope = document["timestamp"], document["envelope"]
        if timestamp["_type_"] != "datetime_iso" or envelope["_type_"] != "dsse":
            return None
        at = timestamp["_data_"]
        if not at.endswith("+00:00"):  # the ledger records UTC, written as ``isoformat()`` writes it
            at = _utc_iso(datetime.fromisoformat(at))
        dsse = envelope["_data_"]
        payload = a2b_base64(dsse["payload"])  # what base64.b64decode does, without its checks of the type
        key_id = dsse["signatures"][0]["keyid"]
    except (KeyError, TypeError, IndexError, ValueError):
        return None
    return _fact(seq, leaf_hash, event_type, at, key_id, payload)


def _fact(seq: int, leaf_hash: bytes, event_type: str, at: str, key_id: str, payload: bytes) -> Fact:
    statement = _decode_json(payload.decode())[0]
    return Fact(
        seq=seq,
        at=at,
        event_type=event_type,
        key_id=key_id,
        leaf_hash=leaf_hash.hex(),
        type=statement["type"],
        unit=statement["unit"],
        officer=statement["officer"],
        subject=statement["subject"],
        body=statement["body"],
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


# Units and officers ----------------------------------------------------------------------


@handles("unit.register")
def unit_registered(fact: Fact, get: Get) -> list[Op]:
    body = fact.body
    return [
        Put(
            UNITS,
            {
                "subject": fact.subject,
                "code": fact.subject.removeprefix("unit/"),
                "name": body["name"],
                "former_names": dumps([]),
                "unit_class": body["class"],
                "parent": body.get("parent"),
                "functions": dumps(list(body.get("functions", ()))),
                "status": "active",
                "merged_into": None,
                "status_decision": None,
                "status_on": None,
                "head": None,
                "head_decision": None,
                "registered_seq": fact.seq,
                "registered_at": fact.at,
                "registered_on": fact.local_date,
                "seq": fact.seq,
            },
        )
    ]


@handles("unit.rename")
def unit_renamed(fact: Fact, get: Get) -> list[Op]:
    unit = need(get, UNITS, fact.subject)
    former = [*loads(unit["former_names"]), unit["name"]]
    return [Put(UNITS, {**unit, "name": fact.body["name"], "former_names": dumps(former), "seq": fact.seq})]


@handles("unit.merge", "unit.dissolve")
def unit_ended(fact: Fact, get: Get) -> list[Op]:
    unit = need(get, UNITS, fact.subject)
    merged = fact.type == "unit.merge"
    changes = {
        "status": "merged" if merged else "dissolved",
        "merged_into": fact.body["into"] if merged else None,
        "status_decision": fact.body["decision"],
        "status_on": fact.local_date,
        "seq": fact.seq,
    }
    return [Put(UNITS, {**unit, **changes})]


@handles("unit.appoint-head")
def head_appointed(fact: Fact, get: Get) -> list[Op]:
    unit = need(get, UNITS, fact.subject)
    changes = {"head": fact.body["officer"], "head_decision": fact.body["decision"], "seq": fact.seq}
    return [Put(UNITS, {**unit, **changes})]


@handles("officer.register")
def officer_registered(fact: Fact, get: Get) -> list[Op]:
    body = fact.body
    row = {
        "subject": fact.subject,
        "officer_id": fact.subject.removeprefix("officer/"),
        "name": body["name"],
        "unit": body["unit"],
        "roles": dumps(list(body["roles"])),
        "registered_seq": fact.seq,
        "seq": fact.seq,
    }
    return [Put(OFFICERS, row)]


@handles("officer.set-roles")
def roles_set(fact: Fact, get: Get) -> list[Op]:
    officer = need(get, OFFICERS, fact.subject)
    return [Put(OFFICERS, {**officer, "roles": dumps(list(fact.body["roles"])), "seq": fact.seq})]


# Indices, cycles and rule sets -----------------------------------------------------------


@handles("index.define", "index.propose")
def index_defined(fact: Fact, get: Get) -> list[Op]:
    body = fact.body
    proposed = fact.type == "index.propose"
    row = {
        "subject": fact.subject,
        "code": fact.subject.removeprefix("index/"),
        "name": body["name"],
        "lead": body["lead"],
        "classes": dumps(list(body["classes"])),
        "level": body["level"],
        "maximum": body["scale"]["maximum"],
        "scale_unit": body["scale"]["unit"],
        "status": "proposed" if proposed else "in_force",
        "legal_basis": None if proposed else body["legal_basis"],
        "rationale": body["rationale"] if proposed else None,
        "approval": None,
        "in_force_seq": None if proposed else fact.seq,
        "in_force_at": None if proposed else fact.at,
        "in_force_on": None if proposed else fact.local_date,
        "seq": fact.seq,
    }
    return [Put(INDICES, row)]


@handles("index.approve")
def index_approved(fact: Fact, get: Get) -> list[Op]:
    index = need(get, INDICES, fact.subject)
    decision = fact.body["decision"]
    changes = {
        "status": "in_force",
        "legal_basis": f"proposal approved by {decision}",
        "approval": decision,
        "in_force_seq": fact.seq,
        "in_force_at": fact.at,
        "in_force_on": fact.local_date,
        "seq": fact.seq,
    }
    return [Put(INDICES, {**index, **changes})]


@handles("cycle.open")
def cycle_opened(fact: Fact, get: Get) -> list[Op]:
    deadlines = dict(fact.body["deadlines"])
    row = {
        "subject": fact.subject,
        "year": int(fact.subject.removeprefix("cycle/")),
        "deadlines": dumps(deadlines),
        "original": dumps(deadlines),
        "adjustments": dumps([]),
        "opened_seq": fact.seq,
        "opened_at": fact.at,
        "seq": fact.seq,
    }
    return [Put(CYCLES, row)]


@handles("cycle.adjust-deadline")
def deadline_adjusted(fact: Fact, get: Get) -> list[Op]:
    cycle = need(get, CYCLES, fact.subject)
    body = fact.body
    deadlines = loads(cycle["deadlines"])
    adjustment = {
        "obligation": body["obligation"],
        "due": body["date"],
        "previous": deadlines.get(body["obligation"]),
        "reason": body["reason"],
        "seq": fact.seq,
        "recorded_at": fact.at,
        "unit": fact.unit,
    }
    deadlines[body["obligation"]] = body["date"]
    adjustments = [*loads(cycle["adjustments"]), adjustment]
    changes = {"deadlines": dumps(deadlines), "adjustments": dumps(adjustments), "seq": fact.seq}
    return [Put(CYCLES, {**cycle, **changes})]


@handles("ruleset.issue")
def ruleset_issued(fact: Fact, get: Get) -> list[Op]:
    body = fact.body
    row = {
        "subject": fact.subject,
        "version": fact.subject.removeprefix("ruleset/"),
        "legal_basis": body["legal_basis"],
        "illustrative": int(bool(body["illustrative"])),
        "description": body["description"],
        "parameters": dumps(body["parameters"]),
        "indices": dumps(body["indices"]),
        "seq": fact.seq,
        "issued_at": fact.at,
    }
    return [Put(RULESETS, row)]


# Submissions and index results -----------------------------------------------------------

#: The deadline each kind of submission answers when it is first filed.
_FILED_OBLIGATION = {"governing-decisions": "governing_decisions", "index-results": "results_published"}


def _summary(kind: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """The columns of a submission that come from the version in force."""
    document = body.get("document")
    return {
        "title": body.get("title"),
        "decision": body.get("decision"),
        "measured_year": body.get("measured_year") if kind == "index-results" else None,
        "published_on": body.get("published_on"),
        "document": None if document is None else dumps(document),
    }


def result_rows(
    get: Get, submission: Row, body: Mapping[str, Any], version_seq: int, corrections: int
) -> tuple[Row, ...]:
    """The rows of published index results, each with its unit's class (rank as published)."""
    rows = []
    for result in body["results"]:
        unit = need(get, UNITS, f"unit/{result['unit']}")
        rows.append(
            {
                "index_code": submission["index_code"],
                "year": submission["year"],
                "unit": result["unit"],
                "subject": submission["subject"],
                "lead": submission["unit"],
                "unit_class": unit["unit_class"],
                "score": result["score"],
                "rank": result["rank"],
                "band": result.get("band"),
                "measured_year": body["measured_year"],
                "decision": body["decision"],
                "published_on": body["published_on"],
                "version_seq": version_seq,
                "corrections": corrections,
            }
        )
    return tuple(rows)


def fulfilment(fact: Fact, year: int, obligation: str, unit: str, item: str = "") -> Keep:
    """The first entry that answers a deadline (later ones are ignored)."""
    row = {
        "year": year,
        "obligation": obligation,
        "unit": unit,
        "item": item,
        "subject": fact.subject,
        "seq": fact.seq,
        "submitted_at": fact.at,
        "submitted_on": fact.local_date,
    }
    return Keep(DEADLINES, row)


@handles(
    "submission.governing-decisions",
    "submission.index-results",
    "submission.staff-rule",
    "submission.document",
)
def submission_filed(fact: Fact, get: Get) -> list[Op]:
    kind, match = parse_subject(fact.subject)
    year = int(match["year"])
    index = match.groupdict().get("index")
    submission = {
        "subject": fact.subject,
        "kind": kind,
        "unit": fact.unit if index is not None else match["unit"],
        "index_code": index,
        "year": year,
        "filed_seq": fact.seq,
        "filed_at": fact.at,
        "filed_on": fact.local_date,
        "version_seq": fact.seq,
        "version_at": fact.at,
        "corrections": 0,
        "correction_reason": None,
        "correction_decision": None,
        "transmitted_seq": None,
        "transmitted_at": None,
        **_summary(kind, fact.body),
        "seq": fact.seq,
    }
    ops: list[Op] = [Put(SUBMISSIONS, submission)]
    if kind == "index-results":
        ops.append(Replace(INDEX_RESULTS, fact.subject, result_rows(get, submission, fact.body, fact.seq, 0)))
    obligation = _FILED_OBLIGATION.get(kind)
    if obligation is not None:
        ops.append(fulfilment(fact, year, obligation, submission["unit"], index or ""))
    return ops


@handles("submission.correct")
def submission_corrected(fact: Fact, get: Get) -> list[Op]:
    submission = need(get, SUBMISSIONS, fact.subject)
    replacement = fact.body["replacement"]
    corrections = submission["corrections"] + 1
    changes = {
        "version_seq": fact.seq,
        "version_at": fact.at,
        "corrections": corrections,
        "correction_reason": fact.body["reason"],
        "correction_decision": fact.body.get("decision"),
        **_summary(submission["kind"], replacement),
        "seq": fact.seq,
    }
    updated = {**submission, **changes}
    ops: list[Op] = [Put(SUBMISSIONS, updated)]
    if submission["kind"] == "index-results":
        rows = result_rows(get, updated, replacement, fact.seq, corrections)
        ops.append(Replace(INDEX_RESULTS, fact.subject, rows))
    return ops


@handles("submission.transmit")
def results_transmitted(fact: Fact, get: Get) -> list[Op]:
    submission = need(get, SUBMISSIONS, fact.subject)
    changes = {"transmitted_seq": fact.seq, "transmitted_at": fact.at, "seq": fact.seq}
    return [
        Put(SUBMISSIONS, {**submission, **changes}),
        fulfilment(fact, submission["year"], "results_transmitted", fact.unit, submission["index_code"] or ""),
    ]


# Ratings ---------------------------------------------------------------------------------


def _rating_parts(subject: str) -> tuple[int, str, str | None]:
    """(year, unit, person) of ``rating/<year>/<UNIT>[/<person>]``."""
    parts = subject.split("/")
    return int(parts[1]), parts[2], parts[3] if len(parts) > 3 else None


def level_given(
    fact: Fact,
    level: str,
    how: str,
    *,
    reason: str | None = None,
    decision: str | None = None,
    ruleset: str | None = None,
) -> Add:
    """One link of a rating's chain of levels: what, how, by whom, when, why."""
    row = {
        "subject": fact.subject,
        "seq": fact.seq,
        "level": level,
        "how": how,
        "signer_unit": fact.unit,
        "signer_officer": fact.officer,
        "key_id": fact.key_id,
        "recorded_at": fact.at,
        "reason": reason,
        "decision": decision,
        "ruleset": ruleset,
    }
    return Add(RATING_LEVELS, row)


@handles("rating.compute")
def rating_computed(fact: Fact, get: Get) -> list[Op]:
    body = fact.body
    current = get(RATINGS, fact.subject)
    if current is None:
        year, unit, _ = _rating_parts(fact.subject)
        current = {
            "subject": fact.subject,
            "year": year,
            "unit": unit,
            "person": None,
            "kind": "head",
            "name": None,
            "position": None,
            "rule": None,
            "appeals": dumps([]),
            "appeal_open": 0,
        }
    changes = {
        "officer": body["officer"],
        "computed_level": body["level"],
        "decided_level": None,  # a new computation is decided afresh
        "level": body["level"],
        "status": "computed",
        "last_how": "computed",
        "ruleset": body["ruleset"],
        "inputs": dumps(body["inputs"]),
        "missing": dumps(body["missing"]),
        "computed_seq": fact.seq,
        "computed_at": fact.at,
        "decision": None,
        "reason": None,
        "seq": fact.seq,
        "updated_at": fact.at,
    }
    return [
        Put(RATINGS, {**current, **changes}),
        level_given(fact, body["level"], "computed", ruleset=body["ruleset"]),
    ]


@handles("rating.decide")
def rating_decided(fact: Fact, get: Get) -> list[Op]:
    rating = need(get, RATINGS, fact.subject)
    body = fact.body
    changes = {
        "decided_level": body["level"],
        "level": body["level"],
        "status": "decided",
        "last_how": "decided",
        "decision": body["decision"],
        "reason": body.get("reason"),
        "seq": fact.seq,
        "updated_at": fact.at,
    }
    return [
        Put(RATINGS, {**rating, **changes}),
        level_given(fact, body["level"], "decided", reason=body.get("reason"), decision=body["decision"]),
        fulfilment(fact, rating["year"], "ratings_published", rating["unit"]),
    ]


@handles("rating.individual")
def individual_published(fact: Fact, get: Get) -> list[Op]:
    body = fact.body
    year, unit, person = _rating_parts(fact.subject)
    row = {
        "subject": fact.subject,
        "year": year,
        "unit": unit,
        "person": person,
        "kind": "individual",
        "officer": None,
        "name": body["name"],
        "position": body["position"],
        "computed_level": None,
        "decided_level": None,
        "level": body["level"],
        "status": "published",
        "last_how": "published",
        "ruleset": None,
        "inputs": None,
        "missing": None,
        "computed_seq": None,
        "computed_at": None,
        "decision": None,
        "reason": None,
        "rule": body["rule"],
        "appeals": dumps([]),
        "appeal_open": 0,
        "seq": fact.seq,
        "updated_at": fact.at,
    }
    return [
        Put(RATINGS, row),
        level_given(fact, body["level"], "published"),
        fulfilment(fact, year, "ratings_published", unit),
    ]


@handles("rating.appeal")
def appeal_filed(fact: Fact, get: Get) -> list[Op]:
    rating = need(get, RATINGS, fact.subject)
    appeal = {
        "grounds": fact.body["grounds"],
        "filed_seq": fact.seq,
        "filed_at": fact.at,
        "filed_unit": fact.unit,
        "filed_officer": fact.officer,
        "outcome": None,
    }
    changes = {
        "appeals": dumps([*loads(rating["appeals"]), appeal]),
        "appeal_open": 1,
        "status": "under_appeal",
        "seq": fact.seq,
        "updated_at": fact.at,
    }
    return [Put(RATINGS, {**rating, **changes})]


@handles("rating.resolve-appeal")
def appeal_resolved(fact: Fact, get: Get) -> list[Op]:
    rating = need(get, RATINGS, fact.subject)
    body = fact.body
    appeals = loads(rating["appeals"])
    if not appeals:
        raise ProjectionError("no_appeal_to_resolve", seq=fact.seq, subject=fact.subject)
    appeals[-1] = {
        **appeals[-1],
        "outcome": body["outcome"],
        "level": body.get("level"),
        "reason": body["reason"],
        "decision": body["decision"],
        "resolved_seq": fact.seq,
        "resolved_at": fact.at,
        "resolved_unit": fact.unit,
        "resolved_officer": fact.officer,
    }
    changes: dict[str, Any] = {"appeals": dumps(appeals), "appeal_open": 0, "seq": fact.seq, "updated_at": fact.at}
    ops: list[Op] = []
    if body["outcome"] == "revised":
        changes.update(level=body["level"], last_how="revised", decision=body["decision"], reason=body["reason"])
        ops.append(level_given(fact, body["level"], "revised", reason=body["reason"], decision=body["decision"]))
    updated = {**rating, **changes}
    updated["status"] = updated["last_how"]  # the appeal is closed: the status is how the level in force was given
    return [Put(RATINGS, updated), *ops]


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
            kind = type(op)
            if kind is Put:
                subject = op.row["subject"]
                self.rows[op.table][subject] = op.row
                self.puts[op.table][subject] = op.row
            elif kind is Add:
                self.adds[op.table].append(op.row)
            elif kind is Keep:
                key = tuple(op.row[column] for column in op.table.key)
                self.keeps[op.table].setdefault(key, op.row)
            else:
                self.replaced[op.table][op.group] = op.rows  # type: ignore[union-attr]
