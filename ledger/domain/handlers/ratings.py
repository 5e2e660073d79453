"""The handlers of rule sets, ratings and appeals, and the inputs of a head's rating."""

from __future__ import annotations

from typing import Any

from ledger.domain.errors import DomainRuleError, StatementError
from ledger.domain.fields import CODE, SLUG
from ledger.domain.handlers.base import YEAR, Context, Lookup, handles
from ledger.domain.indices import Index
from ledger.domain.ratings import (
    AppealBody,
    ComputeBody,
    DecisionBody,
    IndividualBody,
    Rating,
    ResolutionBody,
    RuleSet,
    RuleSetBody,
)
from ledger.domain.records import Record
from ledger.domain.registry import RATED_CLASSES, Unit
from ledger.domain.rules import Input, evaluate
from ledger.domain.submissions import Submission

_ANY_RATING = rf"rating/{YEAR}/{CODE.pattern}(/{SLUG.pattern})?"


@handles("ruleset.issue")
def issue_ruleset(ctx: Context) -> Record:
    ctx.subject(rf"ruleset/{SLUG.pattern}", "ruleset/<version>")
    ctx.require(ctx.actor.is_admin or ctx.actor.has_function("committee"), "issues_rulesets")
    body = RuleSetBody.parse(ctx.body)
    for unit_class, codes in body.indices.items():
        for i, code in enumerate(codes):
            field = f"body.indices.{unit_class}[{i}]"
            index = ctx.need(Index, f"index/{code}", field=field)
            if index.status != "in_force" or index.level != "unit" or unit_class not in index.classes:
                raise StatementError("not_an_index_measuring", field=field, index=code, unit_class=unit_class)
    return ctx.new(RuleSet, RuleSet.Created)


def gather_inputs(
    lookup: Lookup, year: int, unit_code: str, ruleset: RuleSet
) -> tuple[tuple[Input, ...], tuple[str, ...]]:
    """The inputs of a head's rating: the unit's result in each index the rule set names.

    The ledger recomputes these when SNV signs a computed rating; SNV's tools call the
    same function to prepare what they sign, so both sides read the ledger one way.
    """
    unit = lookup.get(f"unit/{unit_code}")
    assert isinstance(unit, Unit)
    inputs: list[Input] = []
    missing: list[str] = []
    for code in ruleset.indices.get(unit.unit_class, ()):
        subject = f"submission/index-results/{code}/{year}"
        submission = lookup.get(subject)
        index = lookup.get(f"index/{code}")
        row = submission.current.row_for(unit_code) if isinstance(submission, Submission) else None
        if row is None or not isinstance(index, Index):
            missing.append(code)
            continue
        assert isinstance(submission, Submission)
        peers = sum(1 for other in submission.current.results if _unit_class(lookup, other.unit) == unit.unit_class)
        inputs.append(Input(code, subject, row.score, index.scale.maximum, row.rank, peers))
    return tuple(inputs), tuple(missing)


def computation_body(lookup: Lookup, year: int, unit: Unit, ruleset: RuleSet) -> dict[str, Any]:
    """The body of the ``rating.compute`` statement for `unit`'s head in `year` under `ruleset`:
    the inputs the ledger holds now and the level the rule set gives them (what the handler checks)."""
    inputs, missing = gather_inputs(lookup, year, unit.code, ruleset)
    return {
        "officer": unit.head,
        "ruleset": ruleset.name,
        "inputs": [given.to_json() for given in inputs],
        "missing": list(missing),
        "level": evaluate(ruleset.parameters, inputs, missing).level,
    }


def _unit_class(lookup: Lookup, code: str) -> str | None:
    unit = lookup.get(f"unit/{code}")
    return unit.unit_class if isinstance(unit, Unit) else None


@handles("rating.compute")
def compute_rating(ctx: Context) -> Record:
    match = ctx.subject(rf"rating/{YEAR}/(?P<unit>{CODE.pattern})", "rating/<year>/<UNIT> for a head's rating")
    ctx.require(ctx.actor.has_function("home_affairs"), "computes_head_ratings")
    year = int(match["year"])
    ctx.cycle(year)
    unit = ctx.unit(match["unit"], field="subject")
    if unit.unit_class not in RATED_CLASSES:
        raise DomainRuleError("not_a_rated_unit", unit=unit.code)
    body = ComputeBody.parse(ctx.body)
    if unit.head is None:
        raise DomainRuleError("no_head_to_rate", unit=unit.code)
    if body.officer != unit.head:
        raise StatementError("not_the_head", field="body.officer", unit=unit.code, head=unit.head)
    ruleset = ctx.need(RuleSet, f"ruleset/{body.ruleset}", field="body.ruleset")
    inputs, missing = gather_inputs(ctx.lookup, year, unit.code, ruleset)
    if body.inputs != inputs or body.missing != missing:
        raise StatementError("inputs_differ", field="body.inputs")
    expected = evaluate(ruleset.parameters, inputs, missing).level
    if body.level != expected:
        raise StatementError(
            "level_differs", field="body.level", ruleset=ruleset.name, expected=expected, level=body.level
        )
    rating = ctx.find(Rating, ctx.statement.subject)
    if rating is None:
        return ctx.new(Rating, Rating.Created)
    if rating.status == "under_appeal":
        raise DomainRuleError("recompute_under_appeal")
    rating.record(Rating.Recomputed, ctx.envelope, ctx.at)
    return rating


@handles("rating.decide")
def decide_rating(ctx: Context) -> Record:
    ctx.subject(rf"rating/{YEAR}/{CODE.pattern}", "rating/<year>/<UNIT>")
    ctx.require(ctx.actor.has_function("committee"), "decides_head_ratings")
    rating = ctx.need(Rating, ctx.statement.subject, field="subject")
    body = DecisionBody.parse(ctx.body)
    rating.check_decidable(body)
    rating.record(Rating.Decided, ctx.envelope, ctx.at)
    ctx.flag_lateness(ctx.cycle(rating.year), "ratings_published")
    return rating


@handles("rating.individual")
def publish_individual(ctx: Context) -> Record:
    match = ctx.subject(
        rf"rating/{YEAR}/(?P<unit>{CODE.pattern})/(?P<person>{SLUG.pattern})",
        "rating/<year>/<UNIT>/<person>",
    )
    year = int(match["year"])
    cycle = ctx.cycle(year)
    unit = ctx.unit(match["unit"], field="subject")
    ctx.require(ctx.actor.heads(unit), "publishes_individual_ratings", unit=unit.code)
    body = IndividualBody.parse(ctx.body)
    rule = f"submission/staff-rule/{unit.code}/{year}"
    if body.rule != rule:
        raise StatementError("not_the_units_rule", field="body.rule", year=year, rule=rule)
    ctx.need(Submission, rule, field="body.rule")
    ctx.flag_lateness(cycle, "ratings_published")
    return ctx.new(Rating, Rating.Published)


@handles("rating.appeal")
def file_appeal(ctx: Context) -> Record:
    ctx.subject(_ANY_RATING, "rating/<year>/<UNIT>[/<person>]")
    rating = ctx.need(Rating, ctx.statement.subject, field="subject")
    ctx.require(ctx.actor.unit == rating.unit, "files_appeals", unit=rating.unit)
    AppealBody.parse(ctx.body)
    rating.check_appealable()
    rating.record(Rating.AppealFiled, ctx.envelope, ctx.at)
    return rating


@handles("rating.resolve-appeal")
def resolve_appeal(ctx: Context) -> Record:
    ctx.subject(_ANY_RATING, "rating/<year>/<UNIT>[/<person>]")
    rating = ctx.need(Rating, ctx.statement.subject, field="subject")
    if rating.kind == "head":
        ctx.require(ctx.actor.has_function("committee"), "resolves_head_appeals")
    else:
        ctx.require(ctx.actor.heads(ctx.unit(rating.unit)), "resolves_staff_appeals", unit=rating.unit)
    body = ResolutionBody.parse(ctx.body)
    rating.check_resolvable(body)
    rating.record(Rating.AppealResolved, ctx.envelope, ctx.at)
    return rating
