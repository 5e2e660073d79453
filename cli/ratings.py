"""``parledger ratings``: the ratings of a year as they stand, and Sở Nội vụ computing heads' ratings.

parledger ratings --year Y [--json]
parledger ratings compute --year Y --key KEYFILE [--ruleset VERSION]
"""

from __future__ import annotations

from pathlib import Path

import click

from cli.support import Failure, live_views, load_key, one_line_errors, open_ledger, options_named, print_receipt
from cli.tables import echo_json, ratings_table


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
    from ledger.domain.registry import AUTHORITY_UNIT, Unit
    from projections import catch_up
    from services.ratings import plan_computations

    key = load_key(key_path)
    with open_ledger() as ledger, live_views(ledger) as views, one_line_errors():
        author = ledger.author(key)
        home = ledger.get(f"unit/{author.unit}") if author.unit != AUTHORITY_UNIT else None
        if not isinstance(home, Unit) or "home_affairs" not in home.functions:
            raise Failure(
                f"{key_path} is the key of {author.unit}/{author.officer}, not of a Sở Nội vụ officer "
                "(a unit with the home_affairs function): only Sở Nội vụ computes heads' ratings"
            )
        with options_named():
            plan = plan_computations(ledger, views, year, ruleset)
        recomputed = skipped = 0
        for planned in plan:
            if planned.action == "under_appeal":
                skipped += 1
                click.echo(f"skipped {planned.subject}: under appeal; resolve the appeal, then compute again")
            elif planned.to_sign:
                draft = planned.statement
                receipt = ledger.append(author.sign(draft.statement_type, draft.subject, draft.body))
                catch_up(ledger, views)  # a later refusal still leaves the views with what was appended
                recomputed += 1
                print_receipt(receipt)
                before = f"{planned.before} → " if planned.before is not None else "new: "
                click.echo(f"  level {before}{planned.level} under rule set {planned.ruleset}")
    unchanged = sum(planned.action == "unchanged" for planned in plan)
    summary = f"{year}: computed {recomputed} of {len(plan)} heads' ratings; {unchanged} unchanged"
    if skipped:
        summary += f"; {skipped} skipped (under appeal)"
    click.echo(summary + (" (their computations match the ledger's current results)" if unchanged else ""))


COMMANDS = (ratings,)
