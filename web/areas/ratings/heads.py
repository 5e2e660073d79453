"""Heads' ratings signed in batches: Sở Nội vụ computes them, the committee decides them."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import render_template, request, url_for

from ledger.domain.fields import SLUG
from ledger.domain.ratings import RuleSet
from ledger.domain.rules import LEVELS
from services.errors import REFUSALS
from services.ratings import PlannedComputation, plan_computations
from web.areas.auth import role_required
from web.areas.ratings.blueprint import TOO_LONG, bp, level_name, level_source
from web.areas.signing import Item, ask_to_sign_batch
from web.forms import text
from web.state import get_ledger, get_views

# Sở Nội vụ computes heads' ratings ---------------------------------------------------------


#: The plan's refusals in the form's words, by code: the field they are shown at and the text.
PLAN_REFUSALS = {
    "cycle_not_opened": ("year", "Chưa mở kỳ đánh giá cho năm này"),
    "ruleset_not_held": ("ruleset", "Sổ cái không có bộ quy tắc này"),
    "no_usual_ruleset": ("ruleset", "Chưa có xếp loại nào của năm này nêu bộ quy tắc: hãy chọn bộ quy tắc"),
}


def known_rulesets() -> list[str]:
    """Rule set versions the ratings of any year name, most used first."""
    views = get_views()
    used: Counter[str] = Counter()
    for year in views.years():
        used.update(r["ruleset"] for r in views.ratings(year) if r.get("ruleset"))
    return [version for version, _ in used.most_common()]


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
        if raw_year.isdecimal() and int(raw_year) in years:
            year = int(raw_year)
        else:
            errors["year"] = "Chưa mở kỳ đánh giá cho năm này"
    version = text(form, "ruleset") or None
    if version is not None and (
        not SLUG.fullmatch(version) or not isinstance(ledger.get(f"ruleset/{version}"), RuleSet)
    ):
        errors["ruleset"] = "Sổ cái không có bộ quy tắc này"
    plan: list[PlannedComputation] = []
    if year is not None and not errors:
        try:
            plan = plan_computations(ledger, views, year, version)
        except REFUSALS as exc:
            field, message = PLAN_REFUSALS[exc.code]
            errors[field] = message
    to_sign = [p for p in plan if p.to_sign]
    if request.method == "POST" and not errors:
        if not to_sign:
            errors["year"] = "Không có xếp loại nào cần tính: mọi kết quả tính đều khớp với số liệu hiện có"
        else:
            items = [
                Item(p.statement.statement_type, p.subject, p.body, summary=computation_summary(p)) for p in to_sign
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


def computation_summary(planned: PlannedComputation) -> tuple[tuple[str, str], ...]:
    """What the batch review shows of one computation: the level in force (and what set it) beside the new one."""
    given = planned.in_force
    summary = [
        ("Đơn vị", f"{planned.unit_name} ({planned.unit})"),
        ("Người đứng đầu", planned.head),
        ("Bộ quy tắc", planned.ruleset),
        ("Mức tính trước đây", level_name(planned.before) if planned.before else "Chưa tính"),
        ("Mức đang có hiệu lực", level_source(given.level, given.how, given.decision) if given else "Chưa tính"),
        ("Mức tính được", level_name(planned.level)),
    ]
    if planned.keeps_revision and given is not None and given.level != planned.level:
        summary.append(("Lưu ý", KEEPS_REVISION))
    return tuple(summary)


#: Why a computation after an appeal does not change the level in force.
KEEPS_REVISION = (
    "Mức đang có hiệu lực do giải quyết kiến nghị quyết định: kết quả tính mới không thay thế mức này; "
    "UBND tỉnh chỉ thay đổi được bằng quyết định nêu rõ việc thay đổi kết quả giải quyết kiến nghị và lý do."
)


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
    chosen: set[str] = {r["unit"] for r in pending if r["level"] in LEVELS}
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
            if rating["unit"] in chosen:
                item = decision_item(rating, values, decision, errors)
                if item is not None:
                    items.append(item)
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


def decision_item(rating: dict[str, Any], values: dict[str, str], decision: str, errors: dict[str, str]) -> Item | None:
    """The ``rating.decide`` statement the form asks for one unit, or None (with `errors`) if it cannot be.

    A level that differs from the computed one needs a reason, unless it keeps the level an
    appeal's resolution set; a level that changes that one must be marked as overriding it."""
    unit = rating["unit"]
    level = values.get(f"level-{unit}", "")
    reason = values.get(f"reason-{unit}", "")
    revision = rating["revision"]
    if level not in LEVELS:
        errors[f"level-{unit}"] = "Chọn một mức xếp loại"
        return None
    overrides = revision is not None and level != revision["level"]
    keeps_revision = revision is not None and level == revision["level"]
    if len(reason) > 2000:
        errors[f"reason-{unit}"] = TOO_LONG.format(2000)
    elif overrides and not reason:
        errors[f"reason-{unit}"] = "Thay đổi kết quả giải quyết kiến nghị: phải nêu lý do"
    elif level != rating["computed_level"] and not reason and not keeps_revision:
        errors[f"reason-{unit}"] = (
            f"Mức quyết định khác mức Sở Nội vụ tính ({level_name(rating['computed_level'])}): phải nêu lý do"
        )
    if overrides and not values.get(f"override-{unit}"):
        errors[f"override-{unit}"] = (
            f"Mức {level_name(revision['level'])} do {revision['decision']} giải quyết kiến nghị quyết định: "
            "đánh dấu ô này để xác nhận thay đổi kết quả giải quyết kiến nghị"
        )
    body: dict[str, Any] = {"level": level, "decision": decision}
    if reason:
        body["reason"] = reason
    summary = [
        ("Đơn vị", f"{rating['unit_name']} ({unit})"),
        ("Người đứng đầu", rating["officer_name"] or rating["officer"] or ""),
        ("Mức Sở Nội vụ tính", level_name(rating["computed_level"])),
        ("Mức đang có hiệu lực", source_of_rating(rating)),
        ("Mức quyết định", level_name(level)),
        ("Quyết định", decision),
    ]
    if overrides:
        body.update(overrides_appeal=True, overridden_resolution=revision["decision"])
        summary.append(("Thay đổi kết quả giải quyết kiến nghị", revision["decision"]))
    if reason:
        summary.append(("Lý do", reason))
    return Item("rating.decide", rating["subject"], body, summary=summary)


def source_of_rating(rating: dict[str, Any]) -> str:
    """The level in force of a rating row and what set it."""
    source = rating["level_source"]
    return level_source(rating["level"], source["how"], source["decision"], source["seq"])
