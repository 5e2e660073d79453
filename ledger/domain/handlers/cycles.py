"""The handlers of indices and of the yearly cycles with their deadlines."""

from __future__ import annotations

from ledger.domain.errors import DomainRuleError, StatementError
from ledger.domain.fields import CODE
from ledger.domain.handlers.base import YEAR, Context, handles
from ledger.domain.indices import AdjustmentBody, ApprovalBody, Cycle, CycleBody, Index, IndexBody
from ledger.domain.records import Record


@handles("index.define")
def define_index(ctx: Context) -> Record:
    ctx.subject(rf"index/{CODE.pattern}", "index/<CODE>")
    ctx.require(ctx.actor.is_admin, "defines_indices")
    body = IndexBody.parse(ctx.body, grounds="legal_basis")
    _check_lead(ctx, body.lead)
    return ctx.new(Index, Index.Created)


@handles("index.propose")
def propose_index(ctx: Context) -> Record:
    ctx.subject(rf"index/{CODE.pattern}", "index/<CODE>")
    body = IndexBody.parse(ctx.body, grounds="rationale")
    unit = ctx.actor.unit_record
    ctx.require(unit is not None and unit.unit_class == "department", "proposes_indices")
    if body.lead != ctx.actor.unit:
        raise StatementError("proposer_must_lead", field="body.lead")
    return ctx.new(Index, Index.Proposed)


@handles("index.approve")
def approve_index(ctx: Context) -> Record:
    match = ctx.subject(rf"index/(?P<code>{CODE.pattern})", "index/<CODE>")
    ctx.require(ctx.actor.has_function("committee"), "approves_indices")
    index = ctx.need(Index, f"index/{match['code']}")
    ApprovalBody.parse(ctx.body)
    if index.status != "proposed":
        raise DomainRuleError("index_in_force", index=index.code)
    index.record(Index.Approved, ctx.envelope, ctx.at)
    return index


def _check_lead(ctx: Context, code: str) -> None:
    lead = ctx.unit(code, field="body.lead")
    if lead.unit_class != "department":
        raise StatementError("lead_not_a_department", field="body.lead", unit=code)


@handles("cycle.open")
def open_cycle(ctx: Context) -> Record:
    match = ctx.subject(rf"cycle/{YEAR}", "cycle/<year>")
    ctx.require(ctx.actor.is_admin or ctx.actor.has_function("home_affairs"), "opens_cycles")
    CycleBody.parse(ctx.body, int(match["year"]))
    return ctx.new(Cycle, Cycle.Created)


@handles("cycle.adjust-deadline")
def adjust_deadline(ctx: Context) -> Record:
    match = ctx.subject(rf"cycle/{YEAR}", "cycle/<year>")
    ctx.require(
        ctx.actor.is_admin or ctx.actor.has_function("home_affairs") or ctx.actor.has_function("committee"),
        "adjusts_deadlines",
    )
    cycle = ctx.cycle(int(match["year"]))
    body = AdjustmentBody.parse(ctx.body, cycle.year)
    if cycle.deadlines.get(body.obligation) == body.due:
        raise DomainRuleError("deadline_unchanged", obligation=body.obligation, due=body.due)
    cycle.record(Cycle.DeadlineAdjusted, ctx.envelope, ctx.at)
    return cycle
