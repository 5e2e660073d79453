"""The ratings' charts: server-rendered SVG, styled by class (no inline style)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.domain.registry import RATED_CLASSES
from projections.exports import UNIT_CLASS_NAMES
from web.areas.ratings.blueprint import LEVEL_ORDER, LEVEL_SHORT


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    label: str
    title: str


def distribution_chart(heads: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Stacked horizontal bars: per unit class, how many heads hold each level in force."""
    counts: dict[str, Counter[str]] = {}
    for rating in heads:
        counts.setdefault(rating["unit_class"] or "", Counter())[rating["level"]] += 1
    classes = [c for c in RATED_CLASSES if c in counts]
    left, width, row, gap = 310, 460, 28, 12
    bars: list[Bar] = []
    rows = []
    for i, unit_class in enumerate(classes):
        total = sum(counts[unit_class].values())
        y = 10 + i * (row + gap)
        x = float(left)
        for level in LEVEL_ORDER:
            n = counts[unit_class][level]
            if not n:
                continue
            w = width * n / total
            bars.append(
                Bar(
                    x,
                    y,
                    w,
                    row,
                    f"lv-{level}",
                    str(n) if w >= 18 else "",
                    f"{UNIT_CLASS_NAMES.get(unit_class, unit_class)}: {n} — {LEVEL_SHORT[level]}",
                )
            )
            x += w
        rows.append({"y": y + row / 2 + 5, "label": UNIT_CLASS_NAMES.get(unit_class, unit_class), "total": total})
    height = 10 + len(classes) * (row + gap)
    legend = [
        {"x": 10 + i * 150, "css": f"lv-{level}", "label": LEVEL_SHORT[level]} for i, level in enumerate(LEVEL_ORDER)
    ]
    return {
        "bars": bars,
        "rows": rows,
        "height": height + 40,
        "legend_y": height + 10,
        "legend": legend,
        "width": left + width + 60,
        "left": left,
        "counts": counts,
        "classes": classes,
    }


def results_chart(series: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Lines: per index, the unit's score as a percentage of the scale, year by year."""
    years = sorted({p["year"] for s in series for p in s["points"]})
    left, top, width, height = 50, 15, 520, 220
    step = width / max(len(years) - 1, 1)

    def x_of(year: int) -> float:
        return left + (years.index(year) * step if len(years) > 1 else width / 2)

    def y_of(percent: float) -> float:
        return top + height - height * max(0.0, min(percent, 100.0)) / 100

    lines = []
    for i, s in enumerate(series):
        points = [{"x": x_of(p["year"]), "y": y_of(p["percent"]), **p} for p in s["points"]]
        lines.append(
            {
                "css": f"series-{i % 6}",
                "index": s["index"],
                "name": s["name"],
                "points": points,
                "path": " ".join(f"{p['x']:.1f},{p['y']:.1f}" for p in points),
            }
        )
    grid = [{"y": y_of(v), "label": f"{v}%"} for v in (0, 25, 50, 75, 100)]
    ticks = [{"x": x_of(y), "label": str(y)} for y in years]
    return {
        "lines": lines,
        "grid": grid,
        "ticks": ticks,
        "left": left,
        "right": left + width,
        "bottom": top + height,
        "width": left + width + 200,
        "height": top + height + 30,
    }
