"""The ratings' pages that read: the list of a year, one rating, a unit's results, Sở Nội vụ's compilation."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Response, abort, render_template, request

from ledger.domain.ratings import RuleSet
from ledger.domain.registry import RATED_CLASSES
from ledger.domain.rules import NOT_EVALUATED
from services.exports import export_compilation
from services.visibility import CROSS_UNIT_ROLES
from web.areas.auth import login_required, role_required
from web.areas.ratings.appeals import may_resolve
from web.areas.ratings.blueprint import bp, officer, sees_all, visible_rating, year_arg
from web.areas.ratings.charts import distribution_chart, results_chart
from web.state import get_ledger, get_views

# The list, one rating, a unit's results ---------------------------------------------------


@bp.get("/")
@login_required
def index() -> str:
    """The ratings of a year, heads by unit class, computed vs decided; the distribution chart."""
    user = officer()
    views = get_views()
    years = views.years()
    year = year_arg(years)
    unit_class = request.args.get("loai", "")
    if unit_class and unit_class not in RATED_CLASSES:
        abort(400, description="Loại đơn vị không hợp lệ")
    found = views.ratings(year) if year is not None else []
    if not sees_all(user):
        found = [r for r in found if r["unit"] == user.unit]
    heads = [r for r in found if r["kind"] == "head" and (not unit_class or r["unit_class"] == unit_class)]
    individuals = [r for r in found if r["kind"] == "individual"]
    by_class: dict[str, list[dict[str, Any]]] = {}
    for rating in heads:
        by_class.setdefault(rating["unit_class"] or "", []).append(rating)
    chart = distribution_chart(heads) if sees_all(user) and heads else None
    return render_template(
        "ratings/index.html",
        years=years,
        year=year,
        unit_class=unit_class,
        classes=RATED_CLASSES,
        by_class=by_class,
        individuals=individuals,
        chart=chart,
        sees_all=sees_all(user),
    )


@bp.get("/chi-tiet/<int:year>/<unit>")
@bp.get("/chi-tiet/<int:year>/<unit>/<person>")
@login_required
def detail(year: int, unit: str, person: str | None = None) -> str:
    """One rating: its levels in order (the one in force last), inputs, rule set, appeals."""
    user = officer()
    rating = visible_rating(year, unit, person)
    ruleset = get_ledger().get(f"ruleset/{rating['ruleset']}") if rating.get("ruleset") else None
    by_index: dict[str, str] = {}
    if isinstance(ruleset, RuleSet) and rating["kind"] == "head":
        by_index = _index_levels(ruleset, rating["inputs"], rating["missing"])
    return render_template(
        "ratings/detail.html",
        rating=rating,
        ruleset=ruleset if isinstance(ruleset, RuleSet) else None,
        by_index=by_index,
        in_force_seq=in_force_seq(rating["levels"], rating["appeals"]),
        may_decide=rating["kind"] == "head" and user.has("committee") and rating["status"] == "computed",
        may_appeal=user.unit == rating["unit"] and rating["status"] in ("decided", "published", "revised"),
        may_resolve=rating["appeal_open"] and may_resolve(user, rating),
    )


def in_force_seq(levels: list[dict[str, Any]], appeals: list[dict[str, Any]]) -> int | None:
    """The entry of the chain whose level is in force: the last one given, except that a computation
    never displaces an appeal's revision until a decision overrides it (as `ledger.domain.ratings`)."""
    overriding = {appeal.get("overridden_seq") for appeal in appeals} - {None}
    revision_in_force = False
    seq = None
    for given in levels:
        if given["how"] == "revised":
            revision_in_force = True
        elif given["seq"] in overriding:
            revision_in_force = False
        if given["how"] != "computed" or not revision_in_force:
            seq = given["seq"]
    return seq


def _index_levels(ruleset: RuleSet, inputs: list[dict[str, Any]], missing: list[str]) -> dict[str, str]:
    """The level each input gives under the rule set (what the combined level rests on)."""
    from ledger.domain.rules import Input, index_level

    levels = {}
    for given in inputs:
        try:
            as_input = Input(
                given["index"],
                given["results"],
                Decimal(given["score"]),
                Decimal(given["maximum"]),
                int(given["rank"]),
                int(given["peers"]),
            )
        except (InvalidOperation, KeyError, ValueError):
            continue
        levels[given["index"]] = index_level(ruleset.parameters, as_input)
    for code in missing:
        levels[code] = NOT_EVALUATED
    return levels


@bp.get("/don-vi/<unit>")
@login_required
def unit_results(unit: str) -> str:
    """A unit's index results over the years, as a chart and a table."""
    user = officer()
    if not sees_all(user) and user.unit != unit:
        abort(404)
    views = get_views()
    known = {u["code"]: u for u in views.units()}
    if unit not in known:
        abort(404)
    series = unit_series(unit, known[unit]["unit_class"])
    return render_template(
        "ratings/unit.html", unit=known[unit], series=series, chart=results_chart(series) if series else None
    )


def unit_series(unit: str, unit_class: str) -> list[dict[str, Any]]:
    """Per index measuring the unit's class: the unit's score (as % of the scale) and rank each year."""
    views = get_views()
    years = views.years()
    series = []
    for index in views.indices():
        if index.get("level") != "unit" or unit_class not in (index.get("classes") or ()):
            continue
        points = []
        for year in years:
            for row in views.index_results(index["code"], year, unit_class):
                if row["unit"] == unit:
                    score, maximum = Decimal(row["score"]), Decimal(row["maximum"] or 100)
                    percent = float(score * 100 / maximum)
                    points.append(
                        {
                            "year": year,
                            "score": row["score"],
                            "percent": percent,
                            "rank": row["rank"],
                            "peers": row["peers"],
                        }
                    )
        if points:
            series.append({"index": index["code"], "name": index["name"], "points": points})
    return series


# Sở Nội vụ's compilation ----------------------------------------------------------------------


@bp.get("/tong-hop")
@role_required(*CROSS_UNIT_ROLES)  # the compilation shows every unit: the visibility rule's roles
def compilation() -> str:
    """Sở Nội vụ's table of a year: per rated head, each index's score, rank and level."""
    views = get_views()
    years = views.years()
    year = year_arg(years)
    rows = views.compilation(year) if year is not None else []
    indices = []
    for row in rows:
        for entry in row["indices"]:
            if entry["index"] not in indices:
                indices.append(entry["index"])
    return render_template("ratings/compilation.html", years=years, year=year, rows=rows, indices=indices)


@bp.get("/tong-hop/<int(min=2000, max=2100):year>.xlsx")  # a year beyond: not found, not an overflow
@role_required(*CROSS_UNIT_ROLES)  # the compilation shows every unit: the visibility rule's roles
def compilation_xlsx(year: int) -> Response:
    """The compilation as ``parledger export-report compilation`` writes it."""
    report = export_compilation(get_ledger(), get_views(), year, "xlsx")
    return Response(
        report.data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="tong-hop-xep-loai-{year}.xlsx"'},
    )
