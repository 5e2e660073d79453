"""`services.ratings.plan_computations`: which heads' ratings need computing, and the statements that compute them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from world import World, results_rows

from ledger.application import Ledger
from ledger.domain.handlers import computation_body
from ledger.domain.ratings import RuleSet
from ledger.domain.registry import Unit
from projections import Views, catch_up, open_views
from services.errors import NotHeld, Unanswerable
from services.ratings import PlannedComputation, plan_computations

#: World.publish_par_2024's scores with Thành phố Hưng Yên's corrected: both districts' ranks change.
CORRECTED_SCORES = {"SNV": "91.5", "STTTT": "84.0", "STC": "72.25", "323": "70.0", "325": "79.5"}
RATED_HEADS = ["SNV", "STC", "STTTT", "323", "325"]  # departments, then districts (the views' order)


@pytest.fixture
def world(ledger: Ledger) -> World:
    world = World.build(ledger)
    world.publish_par_2024()
    return world


@pytest.fixture
def views(world: World) -> Iterator[Views]:
    views = open_views(world.ledger)
    catch_up(world.ledger, views)
    yield views
    views.close()


def sign_all(world: World, views: Views, plan: list[PlannedComputation]) -> None:
    for planned in plan:
        if planned.to_sign:
            draft = planned.statement
            world.append("snv.chuyen-vien", draft.statement_type, draft.subject, draft.body)
    catch_up(world.ledger, views)


def test_every_active_rated_head_is_planned_in_the_units_order_and_new_at_first(world: World, views: Views) -> None:
    plan = plan_computations(world.ledger, views, 2024, "v1")

    assert [planned.unit for planned in plan] == RATED_HEADS
    assert {planned.action for planned in plan} == {"new"}
    assert all(planned.to_sign and planned.before is None and planned.ruleset == "v1" for planned in plan)


def test_each_statement_is_the_computation_the_ledger_checks(world: World, views: Views) -> None:
    plan = plan_computations(world.ledger, views, 2024, "v1")
    rules = world.ledger.get("ruleset/v1")
    assert isinstance(rules, RuleSet)

    for planned in plan:
        unit = world.ledger.get(f"unit/{planned.unit}")
        assert isinstance(unit, Unit)
        assert planned.statement.statement_type == "rating.compute"
        assert planned.subject == f"rating/2024/{planned.unit}"
        assert planned.body == computation_body(world.ledger, 2024, unit, rules)
        assert planned.level == planned.body["level"]


def test_once_signed_every_rating_is_unchanged_and_follows_its_own_rule_set(world: World, views: Views) -> None:
    sign_all(world, views, plan_computations(world.ledger, views, 2024, "v1"))

    again = plan_computations(world.ledger, views, 2024)

    assert {planned.action for planned in again} == {"unchanged"}
    assert not any(planned.to_sign for planned in again)
    assert all(planned.before == planned.level for planned in again)


def test_new_results_make_exactly_the_affected_heads_recomputed(world: World, views: Views) -> None:
    sign_all(world, views, plan_computations(world.ledger, views, 2024, "v1"))
    before = {planned.unit: planned.level for planned in plan_computations(world.ledger, views, 2024)}
    decision = "QĐ 124/QĐ-UBND"
    replacement = {
        "measured_year": 2024,
        "decision": decision,
        "published_on": "2024-10-02",
        "results": results_rows(world.ledger, CORRECTED_SCORES),
    }
    body = {"reason": "Đính chính điểm của hai huyện", "decision": decision, "replacement": replacement}
    world.append("snv.giam-doc", "submission.correct", "submission/index-results/PAR_UNIT/2024", body)
    catch_up(world.ledger, views)

    plan = {planned.unit: planned for planned in plan_computations(world.ledger, views, 2024)}

    assert {unit for unit, planned in plan.items() if planned.action == "recompute"} == {"323", "325"}
    assert all(plan[unit].before == before[unit] for unit in RATED_HEADS)


def test_a_first_computation_without_a_rule_set_to_follow_is_refused_naming_the_rule_set(
    world: World, views: Views
) -> None:
    with pytest.raises(Unanswerable) as refused:
        plan_computations(world.ledger, views, 2024)

    assert (refused.value.code, refused.value.field) == ("no_usual_ruleset", "ruleset")
    assert refused.value.reason == "no head's rating of 2024 names a rule set to follow"


def test_a_rule_set_the_ledger_does_not_hold_is_refused(world: World, views: Views) -> None:
    with pytest.raises(NotHeld) as refused:
        plan_computations(world.ledger, views, 2024, "v9")

    assert (refused.value.code, refused.value.field) == ("ruleset_not_held", "ruleset")
    assert refused.value.reason == "the ledger holds no rule set 'v9'"


def test_a_year_without_an_open_cycle_is_refused(world: World, views: Views) -> None:
    with pytest.raises(NotHeld) as refused:
        plan_computations(world.ledger, views, 2031, "v1")

    assert (refused.value.code, refused.value.field) == ("cycle_not_opened", "year")
    assert refused.value.reason == "no assessment cycle was opened for 2031"
