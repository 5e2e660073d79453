"""The handlers of submissions: filing, correcting, and sending published results to Sở Nội vụ."""

from __future__ import annotations

from decimal import Decimal

from ledger.domain.errors import DomainRuleError, StatementError
from ledger.domain.handlers.base import Context, handles
from ledger.domain.indices import Index, competition_ranks
from ledger.domain.records import Record
from ledger.domain.submissions import (
    KINDS,
    CorrectionBody,
    GoverningDecisionsBody,
    IndexResultsBody,
    ResultRow,
    Submission,
    TransmissionBody,
    parse_subject,
)


@handles(*(kind.statement_type for kind in KINDS.values()))
def file_submission(ctx: Context) -> Record:
    name, match = parse_subject(ctx.statement.subject)
    kind = KINDS[name]
    if kind.statement_type != ctx.statement.type:
        expected = ctx.statement.type.removeprefix("submission.")
        raise StatementError(
            "filed_under_another_kind", field="subject", statement_type=ctx.statement.type, kind=expected
        )
    year = int(match["year"])
    cycle = ctx.cycle(year)
    body = kind.parse(ctx.body, year)
    if isinstance(body, IndexResultsBody):
        index = ctx.need(Index, f"index/{match['index']}", field="subject")
        publisher = ctx.actor.unit
        ctx.require(index.lead == publisher, "publishes_results", index=index.code, lead=index.lead, unit=publisher)
        _check_results(ctx, index.code, body, field="body")
    else:
        ctx.require(match["unit"] == ctx.actor.unit, "files_for_itself", unit=ctx.actor.unit, other=match["unit"])
        if isinstance(body, GoverningDecisionsBody):
            for i, decision in enumerate(body.decisions):
                index = ctx.need(Index, f"index/{decision.index}", field=f"body.decisions[{i}].index")
                ctx.require(index.lead == ctx.actor.unit, "leads_index", unit=ctx.actor.unit, index=index.code)
    ctx.check_document(body.document, "body.document")
    if kind.obligation is not None:
        ctx.flag_lateness(cycle, kind.obligation)
    return ctx.new(Submission, Submission.Created)


def _check_results(ctx: Context, code: str, body: IndexResultsBody, *, field: str) -> None:
    """Results must be about units the index measures, within its scale, ranked by score."""
    index = ctx.need(Index, f"index/{code}", field="subject")
    if index.status != "in_force":
        raise DomainRuleError("index_only_proposed", index=code)
    classes: dict[str, list[tuple[int, ResultRow]]] = {}
    for i, row in enumerate(body.results):
        row_field = f"{field}.results[{i}]"
        unit = ctx.unit(row.unit, field=f"{row_field}.unit", active=False)
        measured = ("province",) if index.level == "province" else index.classes
        if unit.unit_class not in measured:
            raise StatementError(
                "class_not_measured", field=f"{row_field}.unit", unit=row.unit, unit_class=unit.unit_class, index=code
            )
        if row.score > index.scale.maximum:
            raise StatementError("above_maximum", field=f"{row_field}.score", maximum=index.scale.maximum)
        classes.setdefault(unit.unit_class, []).append((i, row))
    if index.level == "province":
        return  # the province is ranked among all provinces, which the ledger does not hold
    for rows in classes.values():
        scores: dict[int, Decimal] = {i: row.score for i, row in rows}
        ranks = competition_ranks(scores)  # within the unit class
        for i, row in rows:
            if row.rank != ranks[i]:
                raise StatementError("wrong_rank", field=f"{field}.results[{i}].rank", rank=ranks[i])


@handles("submission.correct")
def correct_submission(ctx: Context) -> Record:
    parse_subject(ctx.statement.subject)
    submission = ctx.need(Submission, ctx.statement.subject, field="subject")
    ctx.require(
        ctx.actor.unit == submission.unit or ctx.actor.is_admin,
        "corrects_submissions",
        submitter=submission.unit,
        unit=ctx.actor.unit,
    )
    replacement = CorrectionBody.parse(ctx.body, submission.kind, submission.year).replacement
    if submission.index is not None:
        _check_results(ctx, submission.index, replacement, field="body.replacement")
    ctx.check_document(replacement.document, "body.replacement.document")
    submission.correct(ctx.envelope, ctx.at)
    return submission


@handles("submission.transmit")
def transmit_results(ctx: Context) -> Record:
    parse_subject(ctx.statement.subject)
    submission = ctx.need(Submission, ctx.statement.subject, field="subject")
    ctx.require(submission.unit == ctx.actor.unit, "transmits_results", unit=submission.unit)
    TransmissionBody.parse(ctx.body)
    submission.transmit(ctx.envelope, ctx.at)
    ctx.flag_lateness(ctx.cycle(submission.year), "results_transmitted")
    return submission
