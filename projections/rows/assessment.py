"""Rows of the assessment: submissions and their fulfilment of deadlines, index results, ratings and appeals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger.domain.submissions import parse_subject
from projections.errors import ProjectionError
from projections.rows.facts import Fact
from projections.rows.operations import Add, Get, Keep, Op, Put, Replace, handles, need
from projections.schema import (
    DEADLINES,
    INDEX_RESULTS,
    RATING_LEVELS,
    RATINGS,
    SUBMISSIONS,
    UNITS,
    Row,
    dumps,
    loads,
)

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


def revision_in_force(appeals: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The last appeal whose resolution revised the level, unless a decision has overridden it since:
    its level stays in force through recomputations (see `ledger.domain.ratings`)."""
    for appeal in reversed(appeals):
        if appeal.get("outcome") == "revised":
            return None if appeal.get("overridden_seq") is not None else appeal
    return None


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
    revision = revision_in_force(loads(current["appeals"]))
    changes = {
        "officer": body["officer"],
        "computed_level": body["level"],
        "decided_level": None,  # a new computation is decided afresh
        # a computation never displaces the level an appeal's resolution set
        "level": body["level"] if revision is None else revision["level"],
        "status": "computed",
        "last_how": "computed" if revision is None else "revised",
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
    appeals = loads(rating["appeals"])
    overridden = revision_in_force(appeals) if body.get("overrides_appeal") else None
    if overridden is not None:  # the ledger refuses an override of nothing
        overridden.update(overridden_seq=fact.seq, overridden_by=body["decision"], override_reason=body["reason"])
    changes = {
        "appeals": dumps(appeals),
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
    if body["outcome"] == "revised":  # the decision and reason columns stay those of the committee's decision
        changes.update(level=body["level"], last_how="revised")
        ops.append(level_given(fact, body["level"], "revised", reason=body["reason"], decision=body["decision"]))
    updated = {**rating, **changes}
    updated["status"] = updated["last_how"]  # the appeal is closed: the status is how the level in force was given
    return [Put(RATINGS, updated), *ops]
