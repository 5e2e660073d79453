"""Which heads' ratings need computing, what they rest on, and the statements that compute them.

Sở Nội vụ computes a head's rating with a ``rating.compute`` statement whose inputs are the
index results the ledger holds now (`computation_body`, exactly what the ledger checks on
append). `plan_computations` says, for every active rated head, what computing now would
sign and whether it needs signing: the web shows the plan and signs the batch on one page,
``parledger ratings compute`` signs and appends it statement by statement.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger.domain.handlers import Lookup, computation_body
from ledger.domain.ratings import LevelGiven, Rating, RuleSet
from ledger.domain.registry import RATED_CLASSES, Unit
from services.errors import NotHeld, Unanswerable

if TYPE_CHECKING:
    from ledger.application import Ledger
    from ledger.domain.records import Record
    from projections import Views

#: What computing a head's rating now would do.
ACTIONS = ("new", "recompute", "unchanged", "under_appeal")


class RememberedLookup(Lookup):
    """The ledger's current records, each subject read once.

    A plan reads units, rule sets, index results and ratings; computing appends only
    ratings, which `computation_body` does not read, so one lookup serves a whole batch.
    """

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._seen: dict[str, Record | None] = {}

    def get(self, subject: str) -> Record | None:
        if subject not in self._seen:
            self._seen[subject] = self._ledger.get(subject)
        return self._seen[subject]


@dataclass(frozen=True)
class Draft:
    """A statement to sign: its type, subject and body (the signer's key adds unit and officer)."""

    statement_type: str
    subject: str
    body: dict[str, Any]


@dataclass(frozen=True)
class PlannedComputation:
    """One head's rating as Sở Nội vụ would compute it now."""

    unit: str
    unit_name: str
    head: str  # the head's name, else their officer id
    ruleset: str
    level: str
    before: str | None  # the level computed before; None if never computed
    action: str  # one of ACTIONS
    statement: Draft
    in_force: LevelGiven | None = None  # the level in force now and what gave it; None if never computed

    @property
    def subject(self) -> str:
        return self.statement.subject

    @property
    def body(self) -> dict[str, Any]:
        return self.statement.body

    @property
    def keeps_revision(self) -> bool:
        """Whether the level in force was set by an appeal's revision, which computing does not displace."""
        return self.in_force is not None and self.in_force.how == "revised"

    @property
    def to_sign(self) -> bool:
        """Whether the batch signs it: a rating never computed, or computed from other inputs."""
        return self.action in ("new", "recompute")


def plan_computations(ledger: Ledger, views: Views, year: int, ruleset: str | None = None) -> list[PlannedComputation]:
    """Every active rated head with a head, in the units' order, and what computing now would sign.

    Each rating is computed under `ruleset` if given, else under its own rule set, else
    (never computed) under the rule set most of the year's computed ratings follow.
    Refuses a year with no cycle, a rule set the ledger does not hold, and a head to
    compute for the first time with no rule set to follow.
    """
    lookup = RememberedLookup(ledger)
    if lookup.get(f"cycle/{year}") is None:
        raise NotHeld("cycle_not_opened", field="year", year=year)
    if ruleset is not None:
        _rule_set(lookup, ruleset)
    heads = [
        row for row in views.units() if row["unit_class"] in RATED_CLASSES and row["status"] == "active" and row["head"]
    ]
    existing: dict[str, Rating] = {}
    for row in heads:
        rating = lookup.get(f"rating/{year}/{row['code']}")
        if isinstance(rating, Rating) and rating.computation is not None:
            existing[row["code"]] = rating
    usual = Counter(rating.computation.ruleset for rating in existing.values() if rating.computation)
    plan = []
    for row in heads:
        rating = existing.get(row["code"])
        version = ruleset or (rating.computation.ruleset if rating and rating.computation else None)
        if version is None:
            if not usual:
                raise Unanswerable("no_usual_ruleset", field="ruleset", year=year)
            version = usual.most_common(1)[0][0]
        plan.append(_planned(lookup, year, row, rating, version, _rule_set(lookup, version)))
    return plan


def _planned(
    lookup: Lookup, year: int, row: dict[str, Any], rating: Rating | None, version: str, rules: RuleSet
) -> PlannedComputation:
    """What computing `row`'s head's rating under rule set `version` would sign, compared with `rating`."""
    unit = lookup.get(f"unit/{row['code']}")
    assert isinstance(unit, Unit)
    body = computation_body(lookup, year, unit, rules)
    computation = rating.computation if rating is not None else None
    if rating is None or computation is None:
        action = "new"
    elif (
        rating.officer == unit.head
        and (computation.ruleset, [given.to_json() for given in computation.inputs]) == (version, body["inputs"])
        and (list(computation.missing), computation.level) == (body["missing"], body["level"])
    ):
        action = "unchanged"
    elif rating.status == "under_appeal":
        action = "under_appeal"
    else:
        action = "recompute"
    return PlannedComputation(
        unit=unit.code,
        unit_name=row["name"],
        head=row["head_name"] or unit.head or "",
        ruleset=version,
        level=body["level"],
        before=computation.level if computation is not None else None,
        action=action,
        statement=Draft("rating.compute", f"rating/{year}/{unit.code}", body),
        in_force=rating.in_force if rating is not None else None,
    )


def _rule_set(lookup: Lookup, version: str) -> RuleSet:
    found = lookup.get(f"ruleset/{version}")
    if not isinstance(found, RuleSet):
        raise NotHeld("ruleset_not_held", field="ruleset", version=version)
    return found
