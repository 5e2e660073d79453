"""``parledger`` commands of the read models: rebuild, replay, and the report exports.

Every read catches the views up with the ledger first, so what is printed or exported
includes every write. Replays are built in a throwaway in-memory store and never touch
the live views (`services.replays`).

    parledger projections rebuild
    parledger replay (--as-of DD/MM/YYYY | --position N) [--year Y] [--json]
    parledger export-report compilation --year Y [--format xlsx|csv] --out FILE
    parledger export-report rankings --index CODE --year Y [--unit-class CLASS] [--format xlsx|csv] --out FILE
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.support import Failure, live_views, one_line_errors, open_ledger, options_named, progress
from cli.tables import deadlines_table, echo_json, ratings_table
from web.text import local_date

if TYPE_CHECKING:
    from services.replays import Snapshot

#: How the date options are written.
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
REPORT_FORMATS = ("xlsx", "csv")


def parse_date(option: str, value: str) -> date:
    """A date given as DD/MM/YYYY or YYYY-MM-DD; otherwise one line naming `option`."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    raise Failure(f"{option}: {value!r} is not a date; write DD/MM/YYYY (e.g. 08/11/2023) or YYYY-MM-DD")


# parledger projections rebuild ------------------------------------------------------------


@click.group("projections")
def projections_group() -> None:
    """The read models (units, ratings, results, deadlines, history, compilations)."""


@projections_group.command("rebuild")
def projections_rebuild() -> None:
    """Drop every read model and rebuild it from the first entry; print what it holds."""
    from projections import open_views, rebuild

    with open_ledger() as ledger:
        head = ledger.refresh()
        show = progress("applied")
        with one_line_errors():
            views = open_views(ledger)
        try:
            with one_line_errors():
                applied = rebuild(ledger, views, progress=lambda position: show(position, head))
                position = views.head_position()
                units = views.units()
                indices = views.indices()
                years = views.years()
                ratings = {year: Counter(rating["kind"] for rating in views.ratings(year)) for year in years}
                submissions = sum(len(views.submissions(year)) for year in years)
        finally:
            views.close()
    click.echo(f"rebuilt the read models from {applied} entries (position {position})")
    click.echo(f"  {len(units)} units, {len(indices)} indices, {submissions} submissions")
    for year in years:
        kinds = ratings[year]
        click.echo(f"  {year}: {kinds['head']} heads' ratings, {kinds['individual']} individual ratings")


# parledger replay --------------------------------------------------------------------------


@click.command("replay")
@click.option("--as-of", "as_of", metavar="DATE", help="The end of that day in Hưng Yên (DD/MM/YYYY or YYYY-MM-DD).")
@click.option("--position", type=click.IntRange(min=0), help="After entry N (0: before the first entry).")
@click.option("--year", type=int, help="Only this year (default: every year the ledger held then).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def replay(as_of: str | None, position: int | None, year: int | None, as_json: bool) -> None:
    """The ratings and deadlines as they stood then, rebuilt in a throwaway store (the live views are untouched).

    The deadlines are judged on the --as-of date, or with --position on the day entry N
    was recorded.
    """
    from services.replays import as_of_day, at_position

    if (as_of is None) == (position is None):
        raise click.UsageError("give either --as-of DATE or --position N")
    day = parse_date("--as-of", as_of) if as_of is not None else None
    with open_ledger() as ledger, one_line_errors(), options_named():
        shot = as_of_day(ledger, day, year) if day is not None else at_position(ledger, position or 0, year)
    if as_json:
        echo_json(_replay_json(shot, year))
    else:
        _print_replay(shot, asked_day=day is not None)


def _replay_json(shot: Snapshot, year: int | None) -> dict[str, object]:
    return {
        "position": shot.position,
        "as_of": shot.day.isoformat() if shot.day is not None else None,
        "recorded_at": shot.recorded_at.isoformat() if shot.recorded_at is not None else None,
        "years": [year] if year is not None else shot.years,
        "ratings": [rating for rows in shot.ratings.values() for rating in rows],
        "deadlines": [row for rows in shot.deadlines.values() for row in rows],
    }


def _print_replay(shot: Snapshot, *, asked_day: bool) -> None:
    from ledger.domain.local_time import LOCAL_TIME

    ratings = [rating for rows in shot.ratings.values() for rating in rows]
    when = f"as of {local_date(shot.day)}, " if asked_day else ""
    moment = shot.recorded_at
    recorded = f", recorded {moment.astimezone(LOCAL_TIME):%d/%m/%Y %H:%M}" if moment is not None else ""
    click.echo(f"the ledger {when}after entry {shot.position} of {shot.head}{recorded}")
    click.echo(f"ratings ({len(ratings)}):")
    ratings_table(ratings)
    if shot.day is not None:
        deadlines = [row for rows in shot.deadlines.values() for row in rows]
        click.echo(f"deadlines on {local_date(shot.day)} ({len(deadlines)}):")
        deadlines_table(deadlines)


# parledger export-report ------------------------------------------------------------------


@click.group("export-report")
def export_report() -> None:
    """Write a report of the read models as a spreadsheet (xlsx) or CSV (UTF-8 with BOM)."""


def _format_of(fmt: str | None, out: Path) -> str:
    if fmt is not None:
        return fmt
    suffix = out.suffix.lower().lstrip(".")
    if suffix in REPORT_FORMATS:
        return suffix
    raise click.UsageError("give --format xlsx or csv (the --out file's name does not say)")


def _write(out: Path, data: bytes) -> None:
    """Write `data` to `out` whole (a reader never sees half a report)."""
    partial = out.with_name(f".{out.name}.partial")
    with one_line_errors():
        try:
            partial.write_bytes(data)
            os.replace(partial, out)
        finally:
            partial.unlink(missing_ok=True)


_format_option = click.option(
    "--format", "fmt", type=click.Choice(REPORT_FORMATS), help="xlsx or csv (default: from the --out file's name)."
)
_out_option = click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="The file to write."
)


@export_report.command("compilation")
@click.option("--year", type=int, required=True, help="The year rated.")
@_format_option
@_out_option
def export_compilation(year: int, fmt: str | None, out: Path) -> None:
    """Sở Nội vụ's table of the year: per rated head, each index's score, rank and level, and the levels."""
    from services import exports

    fmt = _format_of(fmt, out)
    with open_ledger() as ledger, live_views(ledger) as views, one_line_errors():
        report = exports.export_compilation(ledger, views, year, fmt)
    _write(out, report.data)
    click.echo(f"wrote the compilation of {year} ({report.rows} heads, as of entry {report.source.position}) to {out}")


@export_report.command("rankings")
@click.option("--index", "index", required=True, help="The index code, e.g. PAR_UNIT.")
@click.option("--year", type=int, required=True, help="The year of the results.")
@click.option("--unit-class", help="Only this unit class (e.g. district).")
@_format_option
@_out_option
def export_rankings(index: str, year: int, unit_class: str | None, fmt: str | None, out: Path) -> None:
    """The results in force of an index for a year, ranked within each unit class."""
    from services import exports

    fmt = _format_of(fmt, out)
    with open_ledger() as ledger, live_views(ledger) as views, one_line_errors(), options_named():
        report = exports.export_rankings(ledger, views, index, year, unit_class, fmt)
    _write(out, report.data)
    position = report.source.position
    click.echo(f"wrote the rankings of {index} {year} ({report.rows} units, as of entry {position}) to {out}")


COMMANDS = (projections_group, replay, export_report)
