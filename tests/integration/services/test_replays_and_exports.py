"""`services.replays` (the ledger as it stood) and `services.exports` (the reports as files)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from world import AT, World

from ledger.application import Ledger
from ledger.domain.local_time import LOCAL_TIME
from projections import Views, catch_up, open_views
from projections.spreadsheets import Source
from services.errors import NotHeld, Unanswerable
from services.exports import export_compilation, export_rankings
from services.replays import as_of_day, at_position, recorded_at


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


# Replays ------------------------------------------------------------------------------------


def test_after_an_entry_deadlines_are_judged_on_the_day_it_was_recorded(world: World) -> None:
    head = world.ledger.head

    shot = at_position(world.ledger, head)

    assert (shot.position, shot.head) == (head, head)
    assert shot.recorded_at == recorded_at(world.ledger, head) == AT
    assert shot.day == AT.astimezone(LOCAL_TIME).date()
    assert shot.years == [2024]
    assert shot.deadlines[2024]
    assert all(row["year"] == 2024 for row in shot.deadlines[2024])


def test_before_the_first_entry_there_is_nothing_and_no_day_to_judge_deadlines_on(world: World) -> None:
    shot = at_position(world.ledger, 0)

    assert (shot.position, shot.day, shot.recorded_at) == (0, None, None)
    assert (shot.years, shot.ratings, shot.deadlines) == ([], {}, {})


def test_a_position_after_the_last_entry_is_refused_naming_the_head(world: World) -> None:
    head = world.ledger.head

    with pytest.raises(NotHeld) as refused:
        at_position(world.ledger, head + 1)

    assert (refused.value.code, refused.value.field) == ("position_beyond_head", "position")
    assert refused.value.reason == f"{head + 1} is after the last entry ({head})"


def test_as_of_a_day_is_the_last_entry_recorded_by_its_end_with_that_days_deadlines(world: World) -> None:
    day = AT.astimezone(LOCAL_TIME).date()

    shot = as_of_day(world.ledger, day)

    assert (shot.position, shot.day) == (world.ledger.head, day)
    assert shot.deadlines == at_position(world.ledger, world.ledger.head).deadlines


def test_as_of_a_day_only_the_year_asked_for_and_only_if_the_ledger_held_it(world: World) -> None:
    day = AT.astimezone(LOCAL_TIME).date()

    assert as_of_day(world.ledger, day, 2024).years == [2024]
    assert as_of_day(world.ledger, day, 2023).years == []
    assert as_of_day(world.ledger, date(2020, 1, 1)).position == 0


# Exports ------------------------------------------------------------------------------------


def test_an_export_says_which_entry_its_rows_were_read_at(world: World, views: Views) -> None:
    position = views.head_position()

    report = export_rankings(world.ledger, views, "PAR_UNIT", 2024, None, "csv")

    assert report.source == Source(position, recorded_at(world.ledger, position))
    assert report.rows == 5
    assert report.data.decode("utf-8-sig").count("\n") > report.rows
    assert export_rankings(world.ledger, views, "PAR_UNIT", 2024, "district", "csv").rows == 2


def test_the_compilation_holds_a_row_per_rated_head(world: World, views: Views) -> None:
    report = export_compilation(world.ledger, views, 2024, "xlsx")

    assert report.rows == len(views.compilation(2024))
    assert report.data.startswith(b"PK")  # an .xlsx is a zip


def test_rankings_of_an_index_the_ledger_does_not_hold_are_refused_naming_the_known_ones(
    world: World, views: Views
) -> None:
    with pytest.raises(NotHeld) as refused:
        export_rankings(world.ledger, views, "KHONG_CO", 2024, None, "csv")

    assert (refused.value.code, refused.value.field) == ("index_not_held", "index")
    assert refused.value.reason == "the ledger holds no index 'KHONG_CO' (known: PAR_UNIT)"


def test_rankings_of_a_class_that_is_not_rated_are_refused(world: World, views: Views) -> None:
    with pytest.raises(Unanswerable) as refused:
        export_rankings(world.ledger, views, "PAR_UNIT", 2024, "province", "csv")

    assert (refused.value.code, refused.value.field) == ("not_a_rated_class", "unit_class")
    assert refused.value.reason.startswith("'province' is not a rated unit class (one of office, department")
