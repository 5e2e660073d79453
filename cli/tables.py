"""How the ``parledger`` commands print the read models' rows: aligned tables, or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from web.text import local_date


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
