"""``parledger`` commands of the read models: rebuild, replay, ratings, and the report exports.

Every read catches the views up with the ledger first, and every command that appends
catches them up again afterwards, so what is printed or exported includes the writes.
Replays are built in a throwaway in-memory store and never touch the live views.

    parledger projections rebuild
    parledger replay (--as-of DD/MM/YYYY | --position N) [--year Y] [--json]
    parledger ratings --year Y [--json]
    parledger ratings compute --year Y --key KEYFILE [--ruleset VERSION]
    parledger export-report compilation --year Y [--format xlsx|csv] --out FILE
    parledger export-report rankings --index CODE --year Y [--unit-class CLASS] [--format xlsx|csv] --out FILE
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.support import Failure, load_key, one_line_errors, open_ledger, progress
from web.text import local_date

if TYPE_CHECKING:
    from ledger.application import Ledger
    from ledger.domain.handlers import Lookup
    from ledger.domain.records import Record
    from projections import Views

#: How the date options are written.
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
REPORT_FORMATS = ("xlsx", "csv")


# Shared ----------------------------------------------------------------------------------


@contextmanager
def live_views(ledger: Ledger) -> Iterator[Views]:
    """The instance's views, caught up with the ledger (closed afterwards)."""
    from projections import catch_up, open_views

    with one_line_errors():
        views = open_views(ledger)
    try:
        with one_line_errors():
            catch_up(ledger, views)
        yield views
    finally:
        views.close()


def parse_date(option: str, value: str) -> date:
    """A date given as DD/MM/YYYY or YYYY-MM-DD; otherwise one line naming `option`."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    raise Failure(f"{option}: {value!r} is not a date; write DD/MM/YYYY (e.g. 08/11/2023) or YYYY-MM-DD")


def recorded_at(ledger: Ledger, position: int) -> datetime | None:
    """When entry `position` was recorded (None for position 0)."""
    if position < 1:
        return None
    for entry in ledger.entries(start=position, stop=position):
        return entry.event.timestamp
    return None


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def echo_table(headings: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Rows in aligned columns under their headings (empty cells as "-")."""
    cells = [[("-" if value is None or value == "" else str(value)) for value in row] for row in rows]
    widths = [max([len(heading), *(len(row[n]) for row in cells)]) for n, heading in enumerate(headings)]
    for row in [list(headings), *cells]:
        click.echo("  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip())


def ratings_table(ratings: Sequence[dict[str, Any]]) -> None:
    """Ratings as a table: unit, head (or person), computed, decided, current level, status, rule set."""
    rows = [
        (
            rating["unit"] if rating["kind"] == "head" else f"{rating['unit']}/{rating['person']}",
            rating["officer_name"] or rating["officer"] if rating["kind"] == "head" else rating["name"],
            rating["computed_level"],
            rating["decided_level"],
            rating["level"],
            rating["status"],
            rating["ruleset"],
        )
        for rating in ratings
    ]
    echo_table(("unit", "head", "computed", "decided", "level", "status", "rule set"), rows)


def deadlines_table(deadlines: Sequence[dict[str, Any]]) -> None:
    """Obligations as a table: what, who, due, when fulfilled, status."""
    rows = [
        (
            row["year"],
            row["obligation"],
            row["unit"],
            row["index"],
            local_date(row["due"]),
            local_date(row["submitted_on"]),
            row["status"] if not row["days_late"] else f"{row['status']} ({row['days_late']} d)",
        )
        for row in deadlines
    ]
    echo_table(("year", "obligation", "unit", "index", "due", "submitted", "status"), rows)


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
    from ledger.domain.local_time import LOCAL_TIME
    from projections import position_as_of
    from projections import replay as replay_views

    if (as_of is None) == (position is None):
        raise click.UsageError("give either --as-of DATE or --position N")
    day = parse_date("--as-of", as_of) if as_of is not None else None
    with open_ledger() as ledger:
        head = ledger.refresh()
        if day is not None:
            with one_line_errors():
                position = position_as_of(ledger, day)
        assert position is not None
        if position > head:
            raise Failure(f"--position: {position} is after the last entry ({head})")
        moment = recorded_at(ledger, position)
        if day is None and moment is not None:
            day = moment.astimezone(LOCAL_TIME).date()
        with one_line_errors(), replay_views(ledger, position=position) as then:
            years = [year] if year is not None else then.years()
            ratings = [rating for y in years for rating in then.ratings(y)]
            deadlines = [row for y in years for row in then.deadlines(y, day)] if day is not None else []
    if as_json:
        echo_json(
            {
                "position": position,
                "as_of": day.isoformat() if day is not None else None,
                "recorded_at": moment.isoformat() if moment is not None else None,
                "years": years,
                "ratings": ratings,
                "deadlines": deadlines,
            }
        )
        return
    when = f"as of {local_date(day)}, " if as_of is not None else ""
    recorded = f", recorded {moment.astimezone(LOCAL_TIME):%d/%m/%Y %H:%M}" if moment is not None else ""
    click.echo(f"the ledger {when}after entry {position} of {head}{recorded}")
    click.echo(f"ratings ({len(ratings)}):")
    ratings_table(ratings)
    if day is not None:
        click.echo(f"deadlines on {local_date(day)} ({len(deadlines)}):")
        deadlines_table(deadlines)


# parledger ratings [compute] ----------------------------------------------------------------


@click.group("ratings", invoke_without_command=True)
@click.option("--year", type=int, help="The year rated.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def ratings(context: click.Context, year: int | None, as_json: bool) -> None:
    """The ratings of a year as they stand: unit, head, computed, decided, status, rule set."""
    if context.invoked_subcommand is not None:
        return
    if year is None:
        raise click.UsageError("give --year (the year rated)")
    with open_ledger() as ledger, live_views(ledger) as views, one_line_errors():
        position = views.head_position()
        found = views.ratings(year)
    if as_json:
        echo_json({"year": year, "position": position, "ratings": found})
        return
    if not found:
        click.echo(f"no ratings of {year} (as of entry {position})")
        return
    click.echo(f"ratings of {year} as of entry {position}:")
    ratings_table(found)


class _Remembered:
    """`Lookup` over the ledger's current state, each subject read once.

    `ratings compute` appends only ratings, and ratings are not among what
    `gather_inputs` reads (units, index results, indices), so one lookup serves the run.
    """

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._seen: dict[str, Record | None] = {}

    def get(self, subject: str) -> Record | None:
        if subject not in self._seen:
            self._seen[subject] = self._ledger.get(subject)
        return self._seen[subject]


@ratings.command("compute")
@click.option("--year", type=int, required=True, help="The year rated.")
@click.option(
    "--key",
    "key_path",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    required=True,
    help="The key file of a Sở Nội vụ officer.",
)
@click.option("--ruleset", help="Compute under this rule set (default: each rating's own).")
def ratings_compute(year: int, key_path: Path, ruleset: str | None) -> None:
    """Sign a rating.compute for every rated head whose computation is missing or out of date.

    The inputs are gathered from the ledger's current index results exactly as the ledger
    checks them; heads whose computation already matches are left alone.
    """
    from cli.main import print_receipt
    from ledger.domain.handlers import computation_body
    from ledger.domain.ratings import Rating, RuleSet
    from ledger.domain.registry import AUTHORITY_UNIT, RATED_CLASSES, Unit
    from projections import catch_up

    key = load_key(key_path)
    with open_ledger() as ledger, live_views(ledger) as views, one_line_errors():
        author = ledger.author(key)
        home = ledger.get(f"unit/{author.unit}") if author.unit != AUTHORITY_UNIT else None
        if not isinstance(home, Unit) or "home_affairs" not in home.functions:
            raise Failure(
                f"{key_path} is the key of {author.unit}/{author.officer}, not of a Sở Nội vụ officer "
                "(a unit with the home_affairs function): only Sở Nội vụ computes heads' ratings"
            )
        if ledger.get(f"cycle/{year}") is None:
            raise Failure(f"--year: no assessment cycle was opened for {year}")
        lookup: Lookup = _Remembered(ledger)  # type: ignore[assignment]
        rulesets: dict[str, RuleSet] = {}

        def rule_set(version: str) -> RuleSet:
            if version not in rulesets:
                found = lookup.get(f"ruleset/{version}")
                if not isinstance(found, RuleSet):
                    raise Failure(f"--ruleset: the ledger holds no rule set {version!r}")
                rulesets[version] = found
            return rulesets[version]

        if ruleset is not None:
            rule_set(ruleset)
        heads = [
            unit["code"]
            for unit in views.units()
            if unit["unit_class"] in RATED_CLASSES and unit["status"] == "active" and unit["head"]
        ]
        existing: dict[str, Rating] = {}
        for code in heads:
            rating = ledger.get(f"rating/{year}/{code}")
            if isinstance(rating, Rating) and rating.computation is not None:
                existing[code] = rating
        usual = Counter(rating.computation.ruleset for rating in existing.values() if rating.computation)
        recomputed = unchanged = 0
        skipped: list[str] = []
        for code in heads:
            subject = f"rating/{year}/{code}"
            rating = existing.get(code)
            computation = rating.computation if rating is not None else None
            version = ruleset or (computation.ruleset if computation is not None else None)
            if version is None:
                if not usual:
                    raise Failure(f"give --ruleset: no head's rating of {year} names a rule set to follow")
                version = usual.most_common(1)[0][0]
            rules = rule_set(version)
            unit = lookup.get(f"unit/{code}")
            assert isinstance(unit, Unit)
            body = computation_body(lookup, year, unit, rules)
            level = body["level"]
            if (
                rating is not None
                and computation is not None
                and rating.officer == unit.head
                and (computation.ruleset, [given.to_json() for given in computation.inputs])
                == (version, body["inputs"])
                and (list(computation.missing), computation.level) == (body["missing"], level)
            ):
                unchanged += 1
                continue
            if rating is not None and rating.status == "under_appeal":
                skipped.append(subject)
                click.echo(f"skipped {subject}: under appeal; resolve the appeal, then compute again")
                continue
            receipt = ledger.append(author.sign("rating.compute", subject, body))
            catch_up(ledger, views)  # a later refusal still leaves the views with what was appended
            recomputed += 1
            print_receipt(receipt)
            before = f"{computation.level} → " if computation is not None else "new: "
            click.echo(f"  level {before}{level} under rule set {version}")
    summary = f"{year}: computed {recomputed} of {len(heads)} heads' ratings; {unchanged} unchanged"
    if skipped:
        summary += f"; {len(skipped)} skipped (under appeal)"
    click.echo(summary + (" (their computations match the ledger's current results)" if unchanged else ""))


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


def _source(ledger: Ledger, views: Views) -> Any:
    from projections.exports import Source

    position = views.head_position()
    return Source(position, recorded_at(ledger, position))


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
    from projections import exports

    fmt = _format_of(fmt, out)
    with open_ledger() as ledger, live_views(ledger) as views, one_line_errors():
        rows = views.compilation(year)
        source = _source(ledger, views)
        data = exports.compilation(rows, year, source, fmt)
    _write(out, data)
    click.echo(f"wrote the compilation of {year} ({len(rows)} heads, as of entry {source.position}) to {out}")


@export_report.command("rankings")
@click.option("--index", "index", required=True, help="The index code, e.g. PAR_UNIT.")
@click.option("--year", type=int, required=True, help="The year of the results.")
@click.option("--unit-class", help="Only this unit class (e.g. district).")
@_format_option
@_out_option
def export_rankings(index: str, year: int, unit_class: str | None, fmt: str | None, out: Path) -> None:
    """The results in force of an index for a year, ranked within each unit class."""
    from ledger.domain.registry import RATED_CLASSES
    from projections import exports

    fmt = _format_of(fmt, out)
    if unit_class is not None and unit_class not in RATED_CLASSES:
        raise Failure(f"--unit-class: {unit_class!r} is not a rated unit class (one of {', '.join(RATED_CLASSES)})")
    with open_ledger() as ledger, live_views(ledger) as views, one_line_errors():
        known = {row["code"]: row for row in views.indices()}
        if index not in known:
            raise Failure(f"--index: the ledger holds no index {index!r} (known: {', '.join(sorted(known))})")
        rows = views.index_results(index, year, unit_class)
        source = _source(ledger, views)
        data = exports.rankings(rows, index, year, source, fmt, index_name=known[index]["name"])
    _write(out, data)
    click.echo(f"wrote the rankings of {index} {year} ({len(rows)} units, as of entry {source.position}) to {out}")


COMMANDS = (projections_group, replay, ratings, export_report)
