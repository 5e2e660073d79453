"""What the views answer, derived at read time from their rows: pure functions, no IO.

Two answers depend on more than one table or on a date the reader chooses, so they are
derived when asked rather than stored:

- the deadlines of a year against a reference date: which obligations were owed (the
  cycle's deadlines, the indices in force and their lead departments, the rated units),
  which were met, late, missing or still pending on that date;
- Sở Nội vụ's compilation: each rated head's applicable index results under the rule set
  that their current computation names, the level each yields, the combined level, and
  whether that still equals what the computation recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ledger.domain.fields import Reader
from ledger.domain.indices import OBLIGATIONS
from ledger.domain.registry import RATED_CLASSES
from ledger.domain.rules import NOT_EVALUATED, Input, Parameters, evaluate, index_level
from projections.rows.assessment import revision_in_force
from projections.schema import Row, loads

#: The order units are listed in: the classes of Decision 01/2023, then the province.
CLASS_ORDER = {unit_class: n for n, unit_class in enumerate((*RATED_CLASSES, "province"))}
#: The order of the yearly obligations (as in the implementing letter).
OBLIGATION_ORDER = {obligation: n for n, obligation in enumerate(OBLIGATIONS)}


def unit_order(unit: Mapping[str, Any] | None, code: str) -> tuple[int, str]:
    """Sort key of a unit: its class, then its code."""
    unit_class = unit["unit_class"] if unit else ""
    return CLASS_ORDER.get(unit_class, len(CLASS_ORDER)), code


# Deadlines -------------------------------------------------------------------------------


def last_day_on_time(obligation: str, due: date) -> date:
    """The last day a submission is on time: "before 01/11" → 31/10; "by 05/11" → 05/11."""
    return due if OBLIGATIONS.get(obligation) == "by" else due - timedelta(days=1)


def deadline_status(obligation: str, due: date, submitted_on: date | None, reference: date) -> tuple[str, int | None]:
    """(status, days late) on `reference`: on_time, late, missing (due passed, nothing) or pending."""
    last = last_day_on_time(obligation, due)
    if submitted_on is not None and submitted_on <= reference:
        late = max(0, (submitted_on - last).days)
        return ("late" if late else "on_time"), late
    if reference > last:
        return "missing", None
    return "pending", None


def _active_on(unit: Row, day: str) -> bool:
    """Registered by `day` and not merged or dissolved before it."""
    if unit["registered_on"] > day:
        return False
    return unit["status"] == "active" or (unit["status_on"] or "") > day


def owed(
    year: int,
    cycle: Row,
    indices: Iterable[Row],
    units: Iterable[Row],
) -> dict[tuple[str, str, str], str]:
    """Every (obligation, unit, item) owed in the cycle of `year`, with its due date (ISO).

    - governing_decisions: each lead department of an index in force by the due date;
    - results_published, results_transmitted: each index in force by the due date, from
      its lead department (item: the index code);
    - ratings_published: each unit of a rated class, active on the due date.
    """
    deadlines: dict[str, str] = loads(cycle["deadlines"])
    in_force = [i for i in indices if i["status"] == "in_force"]
    rated = [u for u in units if u["unit_class"] in RATED_CLASSES]
    result: dict[tuple[str, str, str], str] = {}
    for obligation, due in deadlines.items():
        if obligation == "governing_decisions":
            for index in in_force:
                if index["in_force_on"] <= due:
                    result[(obligation, index["lead"], "")] = due
        elif obligation in ("results_published", "results_transmitted"):
            for index in in_force:
                if index["in_force_on"] <= due:
                    result[(obligation, index["lead"], index["code"])] = due
        elif obligation == "ratings_published":
            for unit in rated:
                if _active_on(unit, due):
                    result[(obligation, unit["code"], "")] = due
    return result


def deadline_rows(
    year: int,
    reference: date,
    cycle: Row | None,
    indices: Iterable[Row],
    units: Mapping[str, Row],
    recorded: Iterable[Row],
) -> list[dict[str, Any]]:
    """The year's obligations and their status on `reference` (nothing if no cycle was opened).

    An entry recorded after `reference` is treated as not yet recorded on that date.
    """
    if cycle is None:
        return []
    deadlines: dict[str, str] = loads(cycle["deadlines"])
    original: dict[str, str] = loads(cycle["original"])
    adjustments: dict[str, dict[str, Any]] = {a["obligation"]: a for a in loads(cycle["adjustments"])}
    expected = owed(year, cycle, indices, units.values())
    found = {(r["obligation"], r["unit"], r["item"]): r for r in recorded}
    rows: list[dict[str, Any]] = []
    for key in set(expected) | set(found):
        obligation, code, item = key
        due_text = deadlines.get(obligation)
        if due_text is None:
            continue  # an obligation this cycle has no deadline for
        due = date.fromisoformat(due_text)
        fulfilled = found.get(key)
        submitted_on = None if fulfilled is None else date.fromisoformat(fulfilled["submitted_on"])
        if submitted_on is not None and submitted_on > reference:
            fulfilled, submitted_on = None, None
        status, days_late = deadline_status(obligation, due, submitted_on, reference)
        unit = units.get(code)
        adjustment = adjustments.get(obligation)
        rows.append(
            {
                "year": year,
                "obligation": obligation,
                "unit": code,
                "unit_name": unit["name"] if unit else None,
                "index": item or None,
                "due": due_text,
                "original_due": original.get(obligation, due_text),
                "adjustment_reason": adjustment["reason"] if adjustment else None,
                "last_day_on_time": last_day_on_time(obligation, due).isoformat(),
                "owed": key in expected,
                "subject": fulfilled["subject"] if fulfilled else None,
                "seq": fulfilled["seq"] if fulfilled else None,
                "submitted_at": fulfilled["submitted_at"] if fulfilled else None,
                "submitted_on": fulfilled["submitted_on"] if fulfilled else None,
                "days_late": days_late,
                "status": status,
            }
        )
    rows.sort(
        key=lambda r: (
            OBLIGATION_ORDER.get(r["obligation"], 99),
            *unit_order(units.get(r["unit"]), r["unit"]),
            r["index"] or "",
        )
    )
    return rows


# The compilation -------------------------------------------------------------------------


def parameters_of(ruleset: Row) -> Parameters:
    """The parameters of a stored rule set (read as the ledger reads them)."""
    return Parameters.read(Reader(loads(ruleset["parameters"])))


def recorded_inputs(rating: Row) -> tuple[tuple[Input, ...], tuple[str, ...]]:
    """The inputs and missing indices the rating's current computation recorded."""
    inputs = tuple(
        Input(
            index=item["index"],
            results=item["results"],
            score=Decimal(item["score"]),
            maximum=Decimal(item["maximum"]),
            rank=item["rank"],
            peers=item["peers"],
        )
        for item in loads(rating["inputs"]) or ()
    )
    return inputs, tuple(loads(rating["missing"]) or ())


#: The results in force by index code and unit, and the number of peers by (index code, class).
ResultsByIndex = dict[str, dict[str, Row]]
Peers = dict[tuple[str, str], int]


def compile_year(
    ratings: Iterable[Row],
    rulesets: Mapping[str, Row],
    results: Iterable[Row],
    indices: Mapping[str, Row],
    units: Mapping[str, Row],
    officers: Mapping[str, Row],
) -> list[dict[str, Any]]:
    """Sở Nội vụ's table for one year: per rated head, each applicable result and level.

    `results` are the rows of the index results in force for the year. The peers of a
    result are the units of the same class in the same results, as when it was computed.
    """
    by_index: ResultsByIndex = {}
    peers: Peers = {}
    for row in results:
        by_index.setdefault(row["index_code"], {})[row["unit"]] = row
        peers[(row["index_code"], row["unit_class"])] = peers.get((row["index_code"], row["unit_class"]), 0) + 1
    parameters: dict[str, Parameters] = {}
    table = []
    for rating in ratings:
        if rating["kind"] != "head":
            continue
        unit = units.get(rating["unit"])
        unit_class = unit["unit_class"] if unit else None
        ruleset = rulesets.get(rating["ruleset"])
        entries: list[dict[str, Any]] = []
        inputs: tuple[Input, ...] = ()
        missing: tuple[str, ...] = ()
        level = None
        if ruleset is not None and unit_class is not None:
            if ruleset["subject"] not in parameters:
                parameters[ruleset["subject"]] = parameters_of(ruleset)
            params = parameters[ruleset["subject"]]
            codes = loads(ruleset["indices"]).get(unit_class, ())
            entries, inputs, missing = _head_entries(
                rating["unit"], unit_class, codes, params, by_index, peers, indices
            )
            level = evaluate(params, inputs, missing).level
        recorded = recorded_inputs(rating)
        consistent = level is not None and (inputs, missing) == recorded and level == rating["computed_level"]
        officer = officers.get(rating["officer"] or "")
        table.append(
            {
                "subject": rating["subject"],
                "year": rating["year"],
                "unit": rating["unit"],
                "unit_name": unit["name"] if unit else None,
                "unit_class": unit_class,
                "officer": rating["officer"],
                "officer_name": officer["name"] if officer else None,
                "ruleset": rating["ruleset"],
                "indices": entries,
                "level": level,
                "computed_level": rating["computed_level"],
                "computed_seq": rating["computed_seq"],
                "decided_level": rating["decided_level"],
                "current_level": rating["level"],
                "status": rating["status"],
                "decision": rating["decision"],  # the committee's, beside the decided level
                "level_source": level_source(rating, loads(rating["appeals"]) or []),
                "consistent": consistent,
            }
        )
    table.sort(key=lambda entry: unit_order(units.get(entry["unit"]), entry["unit"]))
    return table


def _head_entries(
    unit: str,
    unit_class: str,
    codes: Iterable[str],
    params: Parameters,
    by_index: ResultsByIndex,
    peers: Peers,
    indices: Mapping[str, Row],
) -> tuple[list[dict[str, Any]], tuple[Input, ...], tuple[str, ...]]:
    """One head's line per applicable index, and the inputs and missing indices of its level."""
    entries: list[dict[str, Any]] = []
    inputs: list[Input] = []
    missing: list[str] = []
    for code in codes:
        result = by_index.get(code, {}).get(unit)
        index = indices.get(code)
        if result is None or index is None:
            missing.append(code)
            entries.append(
                {"index": code, "index_name": index["name"] if index else None, "level": NOT_EVALUATED, "missing": True}
            )
            continue
        given = Input(
            index=code,
            results=result["subject"],
            score=Decimal(result["score"]),
            maximum=Decimal(index["maximum"]),
            rank=result["rank"],
            peers=peers[(code, unit_class)],
        )
        inputs.append(given)
        entries.append(
            {
                "index": code,
                "index_name": index["name"],
                "results": result["subject"],
                "score": result["score"],
                "maximum": index["maximum"],
                "rank": result["rank"],
                "peers": given.peers,
                "band": result["band"],
                "measured_year": result["measured_year"],
                "decision": result["decision"],
                "version_seq": result["version_seq"],
                "corrections": result["corrections"],
                "level": index_level(params, given),
                "missing": False,
            }
        )
    return entries, tuple(inputs), tuple(missing)


# Rows as answers -------------------------------------------------------------------------


def rating_answer(row: Row, units: Mapping[str, Row], officers: Mapping[str, Row]) -> dict[str, Any]:
    """A rating row as plain JSON-able data (JSON columns decoded)."""
    unit = units.get(row["unit"])
    officer = officers.get(row["officer"] or "")
    answer = {key: value for key, value in row.items() if key not in ("inputs", "missing", "appeals", "appeal_open")}
    appeals = loads(row["appeals"]) or []
    answer.update(
        unit_name=unit["name"] if unit else None,
        unit_class=unit["unit_class"] if unit else None,
        officer_name=officer["name"] if officer else None,
        inputs=loads(row["inputs"]),
        missing=loads(row["missing"]),
        appeals=appeals,
        appeal_open=bool(row["appeal_open"]),
        revision=revision_in_force(appeals),
        level_source=level_source(row, appeals),
    )
    return answer


def level_source(row: Row, appeals: list[dict[str, Any]]) -> dict[str, Any]:
    """What set the level in force: how, the entry (a computation's) and the decision number
    (the committee's decision, or the resolution of the appeal that revised it)."""
    how = row["last_how"]
    if how == "revised":
        revision = revision_in_force(appeals) or next(a for a in reversed(appeals) if a.get("outcome") == "revised")
        return {"how": how, "seq": revision["resolved_seq"], "decision": revision["decision"]}
    if how == "decided":
        return {"how": how, "seq": None, "decision": row["decision"]}
    if how == "computed":
        return {"how": how, "seq": row["computed_seq"], "decision": None}
    return {"how": how, "seq": None, "decision": None}


def decoded(row: Row, json_columns: Iterable[str] = (), flags: Iterable[str] = ()) -> dict[str, Any]:
    """A row with its JSON columns decoded and its 0/1 columns as booleans."""
    answer = dict(row)
    for column in json_columns:
        answer[column] = loads(answer[column])
    for column in flags:
        answer[column] = bool(answer[column])
    return answer
