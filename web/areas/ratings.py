"""Ratings: computed and decided, individual ratings, appeals, SNV's compilation, charts.

Who sees what: Sở Nội vụ, the committee, auditors, inspectors and administrators see every
unit's ratings; any other officer sees only the ratings of their own unit (the unit comes
from the session). Who acts: Sở Nội vụ computes heads' ratings (a batch of ``rating.compute``
statements, one per head whose computation is missing or out of date, signed on one page);
the committee decides them (a batch of ``rating.decide`` under one decision number); a unit
head rates the unit's staff (``rating.individual``); the rated unit files an appeal
(``rating.appeal``); the committee (heads) or the unit's head (staff) resolves it
(``rating.resolve-appeal``). The ledger decides again on append; these pages only spare the
officer a refusal.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for

from ledger.domain.fields import SLUG
from ledger.domain.handlers import computation_body
from ledger.domain.ratings import RuleSet
from ledger.domain.records import Record
from ledger.domain.registry import RATED_CLASSES, Unit
from ledger.domain.rules import LEVEL_NAMES, LEVELS, NOT_EVALUATED
from ledger.domain.submissions import Submission
from projections.exports import STATUS_NAMES, UNIT_CLASS_NAMES
from web.areas.auth import User, current_user, login_required, role_required
from web.areas.signing import Item, ask_to_sign, ask_to_sign_batch
from web.forms import text
from web.state import get_ledger, get_views
from web.text import local_time

bp = Blueprint("ratings", __name__, url_prefix="/xep-loai")

#: Roles that see every unit's ratings.
SEE_ALL = ("snv", "committee", "auditor", "inspector", "admin")

#: Menu entries: (endpoint, label, roles that see it; none: every officer).
NAV: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ratings.index", "Xếp loại", ()),
    ("ratings.compute", "Tính xếp loại", ("snv",)),
    ("ratings.compilation", "Tổng hợp", ("snv", "committee", "auditor", "inspector", "admin")),
)

HOW_NAMES = {
    "computed": "Sở Nội vụ tính",
    "decided": "UBND tỉnh quyết định",
    "published": "Thủ trưởng đơn vị công bố",
    "revised": "Điều chỉnh sau kiến nghị",
}
OUTCOME_NAMES = {"upheld": "Giữ nguyên mức xếp loại", "revised": "Điều chỉnh mức xếp loại"}
LEVEL_ORDER = (*LEVELS, NOT_EVALUATED)
LEVEL_SHORT = {"HTXS": "HTXS", "HTT": "HTT", "HT": "HT", "KHT": "KHT", NOT_EVALUATED: "Chưa đánh giá"}
TOO_LONG = "Quá dài: tối đa {} ký tự"


@bp.app_template_filter("level_name")
def level_name(level: str | None) -> str:
    """A level in Vietnamese; nothing as a dash."""
    return LEVEL_NAMES.get(level, level) if level else "—"


@bp.app_template_filter("iso_time")
def iso_time(value: str | None) -> str:
    """A stored ISO time as dd/mm/yyyy HH:MM in Hưng Yên's time."""
    return local_time(value)


@bp.app_context_processor
def names() -> dict[str, Any]:
    return {
        "status_names": STATUS_NAMES,
        "class_names": UNIT_CLASS_NAMES,
        "how_names": HOW_NAMES,
        "outcome_names": OUTCOME_NAMES,
        "level_short": LEVEL_SHORT,
    }


def _user() -> User:
    user = current_user()
    if user is None:  # pragma: no cover - every view is behind login_required
        abort(401)
    return user


def sees_all(user: User) -> bool:
    return user.has(*SEE_ALL)


def _year_arg(years: Sequence[int]) -> int | None:
    """The year asked for (``?nam=``), else the latest the ledger holds."""
    raw = request.args.get("nam", "")
    if raw:
        if not raw.isdigit() or len(raw) != 4:
            abort(400, description="Năm không hợp lệ (cần 4 chữ số, ví dụ 2024)")
        return int(raw)
    return years[-1] if years else None


def _subject(year: int, unit: str, person: str | None = None) -> str:
    return f"rating/{year}/{unit}" + (f"/{person}" if person else "")


def _visible_rating(year: int, unit: str, person: str | None) -> dict[str, Any]:
    """The rating, if this officer may see it (404 otherwise: no hint that it exists)."""
    user = _user()
    if not sees_all(user) and user.unit != unit:
        abort(404)
    rating = get_views().rating(_subject(year, unit, person))
    if rating is None:
        abort(404)
    return rating


# The list, one rating, a unit's results ---------------------------------------------------


@bp.get("/")
@login_required
def index() -> str:
    """The ratings of a year, heads by unit class, computed vs decided; the distribution chart."""
    user = _user()
    views = get_views()
    years = views.years()
    year = _year_arg(years)
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
    user = _user()
    rating = _visible_rating(year, unit, person)
    ruleset = get_ledger().get(f"ruleset/{rating['ruleset']}") if rating.get("ruleset") else None
    by_index: dict[str, str] = {}
    if isinstance(ruleset, RuleSet) and rating["kind"] == "head":
        by_index = _index_levels(ruleset, rating["inputs"], rating["missing"])
    return render_template(
        "ratings/detail.html",
        rating=rating,
        ruleset=ruleset if isinstance(ruleset, RuleSet) else None,
        by_index=by_index,
        may_decide=rating["kind"] == "head" and user.has("committee") and rating["status"] == "computed",
        may_appeal=user.unit == rating["unit"] and rating["status"] in ("decided", "published", "revised"),
        may_resolve=rating["appeal_open"] and may_resolve(user, rating),
    )


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
    user = _user()
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


# Charts: server-rendered SVG, styled by class (no inline style) ------------------------------


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


# Sở Nội vụ computes heads' ratings ---------------------------------------------------------


class _Remembered:
    """The ledger's current records, each read once (as `parledger ratings compute` does)."""

    def __init__(self) -> None:
        self._ledger = get_ledger()
        self._seen: dict[str, Record | None] = {}

    def get(self, subject: str) -> Record | None:
        if subject not in self._seen:
            self._seen[subject] = self._ledger.get(subject)
        return self._seen[subject]


@dataclass(frozen=True)
class Planned:
    """One head's rating as Sở Nội vụ would compute it now."""

    unit: str
    unit_name: str
    head: str
    ruleset: str
    level: str
    before: str | None
    action: str  # new, recompute, unchanged, under_appeal
    body: dict[str, Any]


def known_rulesets() -> list[str]:
    """Rule set versions the ratings of any year name, most used first."""
    views = get_views()
    used: Counter[str] = Counter()
    for year in views.years():
        used.update(r["ruleset"] for r in views.ratings(year) if r.get("ruleset"))
    return [version for version, _ in used.most_common()]


def compute_plan(year: int, version: str | None) -> list[Planned]:
    """Every active rated head and what computing now would sign (mirrors `parledger ratings compute`)."""
    lookup = _Remembered()
    views = get_views()
    existing = {r["unit"]: r for r in views.ratings(year) if r["kind"] == "head"}
    usual = Counter(r["ruleset"] for r in existing.values() if r.get("ruleset"))
    plan = []
    for unit_row in views.units():
        if unit_row["unit_class"] not in RATED_CLASSES or unit_row["status"] != "active" or not unit_row["head"]:
            continue
        code = unit_row["code"]
        current = existing.get(code)
        chosen = version or (current or {}).get("ruleset") or (usual.most_common(1)[0][0] if usual else None)
        if chosen is None:
            raise LookupError("ruleset")
        rules = lookup.get(f"ruleset/{chosen}")
        if not isinstance(rules, RuleSet):
            raise LookupError("ruleset")
        unit = lookup.get(f"unit/{code}")
        assert isinstance(unit, Unit)
        body = computation_body(lookup, year, unit, rules)  # type: ignore[arg-type]
        level = body["level"]
        if current is None:
            action = "new"
        elif (
            current["officer"] == unit.head
            and current["ruleset"] == chosen
            and current["inputs"] == body["inputs"]
            and current["missing"] == body["missing"]
            and current["computed_level"] == level
        ):
            action = "unchanged"
        elif current["status"] == "under_appeal":
            action = "under_appeal"
        else:
            action = "recompute"
        plan.append(
            Planned(
                code,
                unit_row["name"],
                unit_row["head_name"] or unit.head or "",
                chosen,
                level,
                current["computed_level"] if current else None,
                action,
                body,
            )
        )
    return plan


@bp.route("/tinh", methods=["GET", "POST"])
@role_required("snv")
def compute() -> Any:
    """Sở Nội vụ: see which heads' ratings are missing or out of date for a year, and sign them all."""
    views = get_views()
    ledger = get_ledger()
    years = [y for y in views.years() if ledger.get(f"cycle/{y}") is not None]
    rulesets = known_rulesets()
    form = request.form if request.method == "POST" else request.args
    errors: dict[str, str] = {}
    raw_year = text(form, "year")
    year: int | None = years[-1] if years and not raw_year else None
    if raw_year:
        if raw_year.isdigit() and int(raw_year) in years:
            year = int(raw_year)
        else:
            errors["year"] = "Chưa mở kỳ đánh giá cho năm này"
    version = text(form, "ruleset") or None
    if version is not None and (
        not SLUG.fullmatch(version) or not isinstance(ledger.get(f"ruleset/{version}"), RuleSet)
    ):
        errors["ruleset"] = "Sổ cái không có bộ quy tắc này"
    plan: list[Planned] = []
    if year is not None and not errors:
        try:
            plan = compute_plan(year, version)
        except LookupError:
            errors["ruleset"] = "Chưa có xếp loại nào của năm này nêu bộ quy tắc: hãy chọn bộ quy tắc"
    to_sign = [p for p in plan if p.action in ("new", "recompute")]
    if request.method == "POST" and not errors:
        if not to_sign:
            errors["year"] = "Không có xếp loại nào cần tính: mọi kết quả tính đều khớp với số liệu hiện có"
        else:
            items = [
                Item(
                    "rating.compute",
                    _subject(year, p.unit),
                    p.body,
                    summary=(  # type: ignore[arg-type]
                        ("Đơn vị", f"{p.unit_name} ({p.unit})"),
                        ("Người đứng đầu", p.head),
                        ("Bộ quy tắc", p.ruleset),
                        ("Mức trước đây", level_name(p.before) if p.before else "Chưa tính"),
                        ("Mức tính được", level_name(p.level)),
                    ),
                )
                for p in to_sign
            ]
            return ask_to_sign_batch(
                items,
                title=f"Tính xếp loại người đứng đầu năm {year}",
                back=url_for("ratings.index", nam=year),
                intro="Sở Nội vụ ký kết quả tính theo bộ quy tắc, từ kết quả chỉ số đang có hiệu lực trong sổ cái.",
            )
    status = 422 if errors and request.method == "POST" else 200
    page = render_template(
        "ratings/compute.html",
        years=years,
        year=year,
        rulesets=rulesets,
        version=version or "",
        plan=plan,
        to_sign=to_sign,
        errors=errors,
    )
    return page if status == 200 else (page, status)


# The committee decides ---------------------------------------------------------------------


@bp.route("/quyet-dinh/<int:year>", methods=["GET", "POST"])
@role_required("committee")
def decide(year: int) -> Any:
    """The committee: decide the computed heads' ratings of a year under one decision."""
    pending = [r for r in get_views().ratings(year) if r["kind"] == "head" and r["status"] == "computed"]
    only = request.args.get("don-vi", "")
    if only:
        pending = [r for r in pending if r["unit"] == only]
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    chosen: set[str] = {r["unit"] for r in pending if r["computed_level"] in LEVELS}
    if request.method == "POST":
        form = request.form
        values = {name: text(form, name) for name in form if name != "csrf_token"}
        chosen = {r["unit"] for r in pending if form.get(f"chon-{r['unit']}")}
        decision = values.get("decision", "")
        if not decision:
            errors["decision"] = "Trường này là bắt buộc"
        elif len(decision) > 100:
            errors["decision"] = TOO_LONG.format(100)
        if not chosen:
            errors["chosen"] = "Chọn ít nhất một đơn vị để quyết định"
        items = []
        for rating in pending:
            unit = rating["unit"]
            if unit not in chosen:
                continue
            level = values.get(f"level-{unit}", "")
            reason = values.get(f"reason-{unit}", "")
            if level not in LEVELS:
                errors[f"level-{unit}"] = "Chọn một mức xếp loại"
                continue
            if len(reason) > 2000:
                errors[f"reason-{unit}"] = TOO_LONG.format(2000)
            elif level != rating["computed_level"] and not reason:
                errors[f"reason-{unit}"] = (
                    f"Mức quyết định khác mức Sở Nội vụ tính ({level_name(rating['computed_level'])}): phải nêu lý do"
                )
            body: dict[str, Any] = {"level": level, "decision": decision}
            if reason:
                body["reason"] = reason
            summary = [
                ("Đơn vị", f"{rating['unit_name']} ({unit})"),
                ("Người đứng đầu", rating["officer_name"] or rating["officer"] or ""),
                ("Mức Sở Nội vụ tính", level_name(rating["computed_level"])),
                ("Mức quyết định", level_name(level)),
                ("Quyết định", decision),
            ]
            if reason:
                summary.append(("Lý do", reason))
            items.append(Item("rating.decide", rating["subject"], body, summary=summary))
        if not errors:
            return ask_to_sign_batch(
                items,
                title=f"Quyết định xếp loại người đứng đầu năm {year}",
                back=url_for("ratings.index", nam=year),
            )
    page = render_template(
        "ratings/decide.html",
        year=year,
        pending=pending,
        errors=errors,
        values=values,
        chosen=chosen,
        levels=LEVELS,
    )
    return page if not errors else (page, 422)


# A unit head rates the unit's staff -----------------------------------------------------------


def person_slug(name: str) -> str:
    """A person's subject part from their name: no diacritics, lower case, dots (as the demo)."""
    folded = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(c for c in folded if not unicodedata.combining(c))
    slug = ".".join("".join(ch for ch in word if ch.isalnum()) for word in ascii_name.lower().split())
    return slug.strip(".")[:64]


@bp.route("/ca-nhan", methods=["GET", "POST"])
@role_required("unit_head")
def individual() -> Any:
    """The unit's head rates a member of staff under the unit's own rule for the year."""
    user = _user()
    ledger = get_ledger()
    years = get_views().years()
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form
        values = {name: text(form, name) for name in ("year", "name", "position", "level")}
        for name in ("year", "name", "position", "level"):
            if not values[name]:
                errors[name] = "Trường này là bắt buộc"
        for name in ("name", "position"):
            if len(values[name]) > 200:
                errors[name] = TOO_LONG.format(200)
        if values["level"] and values["level"] not in LEVELS:
            errors["level"] = "Chọn một mức xếp loại"
        year = int(values["year"]) if values["year"].isdigit() and len(values["year"]) == 4 else None
        if values["year"] and year is None:
            errors["year"] = "Năm không hợp lệ"
        rule = f"submission/staff-rule/{user.unit}/{year}"
        if year is not None and not isinstance(ledger.get(rule), Submission):
            errors["year"] = f"Đơn vị chưa gửi quy chế đánh giá cán bộ năm {year} (cần có trước khi xếp loại)"
        slug = person_slug(values["name"])
        if values["name"] and "name" not in errors and not SLUG.fullmatch(slug):
            errors["name"] = "Họ tên phải có chữ cái"
        if not errors and ledger.get(_subject(year, user.unit, slug)) is not None:  # type: ignore[arg-type]
            errors["name"] = f"Đã có xếp loại năm {year} của người này ({slug})"
        if not errors:
            assert year is not None
            body = {"name": values["name"], "position": values["position"], "level": values["level"], "rule": rule}
            return ask_to_sign(
                "rating.individual",
                _subject(year, user.unit, slug),
                body,
                title="Công bố xếp loại cán bộ",
                summary=(
                    ("Năm", str(year)),
                    ("Họ tên", values["name"]),
                    ("Chức vụ", values["position"]),
                    ("Mức xếp loại", level_name(values["level"])),
                    ("Theo quy chế", rule),
                ),
                back=url_for("ratings.index", nam=year),
            )
    page = render_template("ratings/individual.html", years=years, values=values, errors=errors, levels=LEVELS)
    return page if not errors else (page, 422)


# Appeals --------------------------------------------------------------------------------------


@bp.route("/kien-nghi/<int:year>/<unit>", methods=["GET", "POST"])
@bp.route("/kien-nghi/<int:year>/<unit>/<person>", methods=["GET", "POST"])
@login_required
def appeal(year: int, unit: str, person: str | None = None) -> Any:
    """The rated unit files an appeal against its rating (only its own)."""
    user = _user()
    if user.unit != unit:
        abort(404 if not sees_all(user) else 403)
    rating = _visible_rating(year, unit, person)
    errors: dict[str, str] = {}
    grounds = ""
    blocked = _appeal_blocked(rating)
    if request.method == "POST":
        grounds = text(request.form, "grounds")
        if blocked:
            errors["grounds"] = blocked
        elif not grounds:
            errors["grounds"] = "Trường này là bắt buộc: nêu căn cứ kiến nghị"
        elif len(grounds) > 5000:
            errors["grounds"] = TOO_LONG.format(5000)
        if not errors:
            return ask_to_sign(
                "rating.appeal",
                rating["subject"],
                {"grounds": grounds},
                title="Gửi kiến nghị về kết quả xếp loại",
                summary=(
                    ("Xếp loại", rating["subject"]),
                    ("Mức đang có hiệu lực", level_name(rating["level"])),
                    ("Căn cứ kiến nghị", grounds),
                ),
                back=_detail_url(rating),
            )
    page = render_template("ratings/appeal.html", rating=rating, grounds=grounds, errors=errors, blocked=blocked)
    return page if not errors else (page, 422)


def _appeal_blocked(rating: Mapping[str, Any]) -> str:
    if rating["appeal_open"]:
        return "Đang có một kiến nghị chưa được giải quyết đối với xếp loại này"
    if rating["status"] == "computed":
        return "Xếp loại mới được tính, chưa được quyết định: chỉ kiến nghị sau khi có quyết định"
    return ""


def may_resolve(user: User, rating: Mapping[str, Any]) -> bool:
    """The committee resolves appeals on heads' ratings; the unit's head on its staff's."""
    if rating["kind"] == "head":
        return user.has("committee")
    return user.has("unit_head") and user.unit == rating["unit"]


def _detail_url(rating: Mapping[str, Any]) -> str:
    return url_for("ratings.detail", year=rating["year"], unit=rating["unit"], person=rating["person"])


@bp.route("/giai-quyet/<int:year>/<unit>", methods=["GET", "POST"])
@bp.route("/giai-quyet/<int:year>/<unit>/<person>", methods=["GET", "POST"])
@login_required
def resolve(year: int, unit: str, person: str | None = None) -> Any:
    """Resolve the open appeal: uphold the rating, or revise it to a new level."""
    user = _user()
    rating = get_views().rating(_subject(year, unit, person))
    if rating is None:
        abort(404)
    if not may_resolve(user, rating):
        abort(403)
    errors: dict[str, str] = {}
    values = dict.fromkeys(("outcome", "level", "reason", "decision"), "")
    if request.method == "POST":
        values = {name: text(request.form, name) for name in values}
        if not rating["appeal_open"]:
            errors["outcome"] = "Không có kiến nghị nào đang chờ giải quyết"
        for name in ("outcome", "reason", "decision"):
            if not values[name]:
                errors.setdefault(name, "Trường này là bắt buộc")
        if values["outcome"] and values["outcome"] not in OUTCOME_NAMES:
            errors["outcome"] = "Chọn giữ nguyên hoặc điều chỉnh"
        if values["outcome"] == "revised":
            if values["level"] not in LEVELS:
                errors["level"] = "Điều chỉnh thì phải chọn mức mới"
            elif values["level"] == rating["level"]:
                errors["level"] = f"Xếp loại đang là {level_name(rating['level'])}: điều chỉnh phải đổi mức"
        elif values["outcome"] == "upheld" and values["level"]:
            errors["level"] = "Giữ nguyên thì không chọn mức mới"
        if len(values["reason"]) > 5000:
            errors["reason"] = TOO_LONG.format(5000)
        if len(values["decision"]) > 100:
            errors["decision"] = TOO_LONG.format(100)
        if not errors:
            body: dict[str, Any] = {
                "outcome": values["outcome"],
                "reason": values["reason"],
                "decision": values["decision"],
            }
            summary = [("Xếp loại", rating["subject"]), ("Kết quả", OUTCOME_NAMES[values["outcome"]])]
            if values["outcome"] == "revised":
                body["level"] = values["level"]
                summary.append(("Mức mới", f"{level_name(rating['level'])} → {level_name(values['level'])}"))
            summary += [("Lý do", values["reason"]), ("Quyết định", values["decision"])]
            return ask_to_sign(
                "rating.resolve-appeal",
                rating["subject"],
                body,
                title="Giải quyết kiến nghị về xếp loại",
                summary=summary,
                back=_detail_url(rating),
            )
    page = render_template("ratings/resolve.html", rating=rating, values=values, errors=errors, levels=LEVELS)
    return page if not errors else (page, 422)


# Sở Nội vụ's compilation ----------------------------------------------------------------------


@bp.get("/tong-hop")
@role_required("snv", "committee", "auditor", "inspector", "admin")
def compilation() -> str:
    """Sở Nội vụ's table of a year: per rated head, each index's score, rank and level."""
    views = get_views()
    years = views.years()
    year = _year_arg(years)
    rows = views.compilation(year) if year is not None else []
    indices = []
    for row in rows:
        for entry in row["indices"]:
            if entry["index"] not in indices:
                indices.append(entry["index"])
    return render_template("ratings/compilation.html", years=years, year=year, rows=rows, indices=indices)


@bp.get("/tong-hop/<int:year>.xlsx")
@role_required("snv", "committee", "auditor", "inspector", "admin")
def compilation_xlsx(year: int) -> Response:
    """The compilation as ``parledger export-report compilation`` writes it."""
    from cli.views import recorded_at
    from projections import exports

    views = get_views()
    rows = views.compilation(year)
    position = views.head_position()
    data = exports.compilation(rows, year, exports.Source(position, recorded_at(get_ledger(), position)), "xlsx")
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="tong-hop-xep-loai-{year}.xlsx"'},
    )
