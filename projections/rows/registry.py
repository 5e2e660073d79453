"""Rows of what the ledger registers: units, officers, indices, cycles and their deadlines, rule sets."""

from __future__ import annotations

from projections.rows.facts import Fact
from projections.rows.operations import Get, Op, Put, handles, need
from projections.schema import (
    CYCLES,
    INDICES,
    OFFICERS,
    RULESETS,
    UNITS,
    dumps,
    loads,
)

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
