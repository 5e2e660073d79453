"""One handler per statement type: check the subject, who may sign it, and the domain rules.

A handler receives the verified envelope with its resolved signer and returns the one
aggregate it changed, holding exactly one pending event: one command, one envelope,
one event, one save. Handlers read other records through `Context.get`, so the same
code decides on append and on replay (verification).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from ledger.domain.fields import CODE, SLUG
from ledger.domain.indices import AdjustmentBody, ApprovalBody, Cycle, CycleBody, Index, IndexBody, competition_ranks
from ledger.domain.local_time import LOCAL_TIME
from ledger.domain.ratings import (
    AppealBody,
    ComputeBody,
    DecisionBody,
    IndividualBody,
    Rating,
    ResolutionBody,
    RuleSet,
    RuleSetBody,
)
from ledger.domain.records import Record
from ledger.domain.registry import (
    AUTHORITY_UNIT,
    RATED_CLASSES,
    ROOT_OFFICER,
    Authority,
    DissolveBody,
    HeadBody,
    Key,
    KeyBody,
    MergeBody,
    Officer,
    OfficerBody,
    RenameBody,
    RevokeBody,
    RolesBody,
    Unit,
    UnitBody,
)
from ledger.domain.rules import Input, evaluate
from ledger.domain.submissions import (
    KINDS,
    CorrectionBody,
    DocumentRef,
    IndexResultsBody,
    Submission,
    TransmissionBody,
    parse_subject,
)
from ledger.errors import NotAuthorizedError, NotFoundError, PayloadError, RuleError

if TYPE_CHECKING:
    from ledger.signing.envelope import Envelope, Statement

_YEAR = r"(?P<year>20\d\d)"
R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class Actor:
    """The signer as the registry knows them at this position."""

    unit: str
    officer: str
    key_id: str
    roles: tuple[str, ...] = ()
    unit_record: Unit | None = None

    @property
    def is_root(self) -> bool:
        """The authority's root key."""
        return self.unit == AUTHORITY_UNIT

    @property
    def is_admin(self) -> bool:
        """The root key, or an officer with the admin role."""
        return self.is_root or "admin" in self.roles

    def has_function(self, function: str) -> bool:
        """Whether the acting unit is Sở Nội vụ (home_affairs) or the committee."""
        return self.unit_record is not None and function in self.unit_record.functions

    def heads(self, unit: Unit) -> bool:
        """Whether the signer is the appointed head of `unit`."""
        return unit.head == self.officer and unit.code == self.unit


class Lookup:
    """Read access to records by subject; the Ledger and the verifier each provide one."""

    def get(self, subject: str) -> Record | None:  # pragma: no cover - interface
        raise NotImplementedError


class DocumentChecker:
    """Confirms that a referenced document was stored; the document store provides one."""

    def check(self, ref: DocumentRef, field: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass
class Context:
    """Everything a handler may use to decide."""

    envelope: Envelope
    actor: Actor
    at: datetime
    lookup: Lookup
    documents: DocumentChecker
    notes: list[str] = field(default_factory=list)

    @property
    def statement(self) -> Statement:
        """The verified statement."""
        return self.envelope.statement

    @property
    def body(self) -> Any:
        """The statement's body."""
        return self.statement.body

    @property
    def local_date(self) -> date:
        """The recording date in Hưng Yên (Asia/Ho_Chi_Minh), which deadlines are about."""
        return self.at.astimezone(LOCAL_TIME).date()

    def subject(self, pattern: str, what: str) -> re.Match[str]:
        """Match the statement's subject; PayloadError naming the expected form."""
        match = re.fullmatch(pattern, self.statement.subject)
        if match is None:
            raise PayloadError(f"must be {what}", field="subject")
        return match

    def find(self, kind: type[R], subject: str) -> R | None:
        """The record at `subject`, if it exists and is of `kind`."""
        record = self.lookup.get(subject)
        if record is not None and not isinstance(record, kind):
            raise RuleError(f"{subject} is not a {kind.__name__.lower()}")
        return record

    def need(self, kind: type[R], subject: str, *, field: str | None = None) -> R:
        """The record at `subject`; NotFoundError naming the field if it does not exist."""
        record = self.find(kind, subject)
        if record is None:
            raise NotFoundError(f"{subject} does not exist in the ledger", field=field)
        return record

    def new(self, kind: type[R], created: type[Any]) -> R:
        """A new record for the subject.

        Not looked up first: storage refuses a second record with the same subject (its
        id and version 1 are taken), and the ledger reports that as a DuplicateError.
        """
        record: R = kind.start(created, self.envelope, self.at)
        return record

    def unit(self, code: str, *, field: str | None = None, active: bool = True) -> Unit:
        """The unit with `code`, checked to still exist unless `active` is False."""
        unit = self.need(Unit, f"unit/{code}", field=field)
        if active:
            unit.check_active()
        return unit

    def cycle(self, year: int) -> Cycle:
        """The opened cycle of `year`."""
        cycle = self.find(Cycle, f"cycle/{year}")
        if cycle is None:
            raise RuleError(f"no assessment cycle was opened for {year}")
        return cycle

    def flag_lateness(self, cycle: Cycle, obligation: str) -> None:
        """Record (never refuse) a submission made after its deadline."""
        late = cycle.days_late(obligation, self.local_date)
        if late:
            self.notes.append(f"late:{obligation}:{late}")

    def check_document(self, ref: DocumentRef | None, field: str) -> None:
        """A referenced document must have been stored before it is referenced."""
        if ref is not None:
            self.documents.check(ref, field)

    def require(self, allowed: bool, reason: str) -> None:
        """NotAuthorizedError unless `allowed`."""
        if not allowed:
            raise NotAuthorizedError(reason)


Handler = Callable[[Context], Record]
HANDLERS: dict[str, Handler] = {}


def handles(statement_type: str) -> Callable[[Handler], Handler]:
    """Register the handler of one statement type."""

    def register(handler: Handler) -> Handler:
        HANDLERS[statement_type] = handler
        return handler

    return register


# Registry ------------------------------------------------------------------------------


@handles("ledger.initialise")
def initialise(ctx: Context) -> Record:
    # The signer was checked against the root key this statement names (Ledger._resolve_founder).
    ctx.subject("authority", "'authority'")
    return ctx.new(Authority, Authority.Created)


@handles("unit.register")
def register_unit(ctx: Context) -> Record:
    ctx.subject(rf"unit/{CODE.pattern}", "unit/<CODE>")
    ctx.require(ctx.actor.is_admin, "only the ledger authority or an administrator registers units")
    body = UnitBody.parse(ctx.body)
    if body.parent is not None:
        ctx.unit(body.parent, field="body.parent")
    return ctx.new(Unit, Unit.Created)


def _existing_unit(ctx: Context) -> Unit:
    match = ctx.subject(rf"unit/(?P<code>{CODE.pattern})", "unit/<CODE>")
    ctx.require(ctx.actor.is_admin, "only the ledger authority or an administrator changes units")
    return ctx.unit(match["code"])


@handles("unit.rename")
def rename_unit(ctx: Context) -> Record:
    unit = _existing_unit(ctx)
    body = RenameBody.parse(ctx.body)
    if body.name == unit.name:
        raise RuleError(f"unit {unit.code} is already named {body.name}")
    unit.record(Unit.Renamed, ctx.envelope, ctx.at)
    return unit


@handles("unit.merge")
def merge_unit(ctx: Context) -> Record:
    unit = _existing_unit(ctx)
    body = MergeBody.parse(ctx.body)
    if body.into == unit.code:
        raise PayloadError("a unit cannot be merged into itself", field="body.into")
    ctx.unit(body.into, field="body.into")
    unit.record(Unit.Merged, ctx.envelope, ctx.at)
    return unit


@handles("unit.dissolve")
def dissolve_unit(ctx: Context) -> Record:
    unit = _existing_unit(ctx)
    DissolveBody.parse(ctx.body)
    unit.record(Unit.Dissolved, ctx.envelope, ctx.at)
    return unit


@handles("unit.appoint-head")
def appoint_head(ctx: Context) -> Record:
    unit = _existing_unit(ctx)
    body = HeadBody.parse(ctx.body)
    officer = ctx.need(Officer, f"officer/{body.officer}", field="body.officer")
    if officer.unit != unit.code:
        raise RuleError(f"officer {officer.officer_id} belongs to {officer.unit}, not {unit.code}")
    if unit.head == officer.officer_id:
        raise RuleError(f"{officer.officer_id} is already the head of {unit.code}")
    unit.record(Unit.HeadAppointed, ctx.envelope, ctx.at)
    return unit


@handles("officer.register")
def register_officer(ctx: Context) -> Record:
    ctx.subject(rf"officer/{SLUG.pattern}", "officer/<id> (lowercase letters, digits, '.', '_', '-')")
    body = OfficerBody.parse(ctx.body)
    unit = ctx.unit(body.unit, field="body.unit")
    ctx.require(
        ctx.actor.is_admin or ctx.actor.heads(unit),
        "officers are registered by an administrator or by the head of their own unit",
    )
    if "admin" in body.roles:
        ctx.require(ctx.actor.is_admin, "only an administrator grants the admin role")
    return ctx.new(Officer, Officer.Created)


@handles("officer.set-roles")
def set_roles(ctx: Context) -> Record:
    match = ctx.subject(rf"officer/(?P<id>{SLUG.pattern})", "officer/<id>")
    ctx.require(ctx.actor.is_admin, "only an administrator changes roles")
    officer = ctx.need(Officer, f"officer/{match['id']}")
    body = RolesBody.parse(ctx.body)
    if body.roles == officer.roles:
        raise RuleError("the officer already has exactly these roles")
    officer.record(Officer.RolesChanged, ctx.envelope, ctx.at)
    return officer


@handles("key.register")
def register_key(ctx: Context) -> Record:
    from keys import KeyFormatError, VerifyingKey

    match = ctx.subject(r"key/(?P<kid>ed25519:[0-9a-f]{64})", "key/ed25519:<64 hex digits>")
    body = KeyBody.parse(ctx.body)
    try:
        key = VerifyingKey.from_base64(body.public_key)
    except KeyFormatError as exc:
        raise PayloadError(str(exc), field="body.public_key") from None
    if key.key_id != match["kid"]:
        raise PayloadError(f"the key's id is {key.key_id}, not the subject's", field="subject")
    officer = ctx.need(Officer, f"officer/{body.officer}", field="body.officer")
    unit = ctx.unit(officer.unit)
    ctx.require(
        ctx.actor.is_admin or ctx.actor.heads(unit),
        "keys are registered by an administrator or by the head of the officer's unit",
    )
    return ctx.new(Key, Key.Created)


@handles("key.revoke")
def revoke_key(ctx: Context) -> Record:
    match = ctx.subject(r"key/(?P<kid>ed25519:[0-9a-f]{64})", "key/ed25519:<64 hex digits>")
    key = ctx.need(Key, f"key/{match['kid']}")
    RevokeBody.parse(ctx.body)
    if key.revocation is not None:
        raise RuleError(f"key {key.key_id} was already revoked")
    officer = ctx.need(Officer, f"officer/{key.officer}")
    unit = ctx.unit(officer.unit, active=False)
    ctx.require(
        ctx.actor.is_admin or ctx.actor.heads(unit) or ctx.actor.officer == key.officer,
        "a key is revoked by its holder, the head of the holder's unit, or an administrator",
    )
    key.record(Key.Revoked, ctx.envelope, ctx.at)
    return key


# Indices, cycles and rule sets --------------------------------------------------------


@handles("index.define")
def define_index(ctx: Context) -> Record:
    ctx.subject(rf"index/{CODE.pattern}", "index/<CODE>")
    ctx.require(
        ctx.actor.is_admin,
        "indices of Art. 4(1)(a) are defined by the ledger authority or an administrator",
    )
    body = IndexBody.parse(ctx.body, grounds="legal_basis")
    _check_lead(ctx, body.lead)
    return ctx.new(Index, Index.Created)


@handles("index.propose")
def propose_index(ctx: Context) -> Record:
    ctx.subject(rf"index/{CODE.pattern}", "index/<CODE>")
    body = IndexBody.parse(ctx.body, grounds="rationale")
    unit = ctx.actor.unit_record
    ctx.require(
        unit is not None and unit.unit_class == "department",
        "only a provincial department proposes an index",
    )
    if body.lead != ctx.actor.unit:
        raise PayloadError("a department proposes indices that it will lead itself", field="body.lead")
    return ctx.new(Index, Index.Proposed)


@handles("index.approve")
def approve_index(ctx: Context) -> Record:
    match = ctx.subject(rf"index/(?P<code>{CODE.pattern})", "index/<CODE>")
    ctx.require(
        ctx.actor.has_function("committee"),
        "only the Provincial People's Committee approves a proposed index",
    )
    index = ctx.need(Index, f"index/{match['code']}")
    ApprovalBody.parse(ctx.body)
    if index.status != "proposed":
        raise RuleError(f"index {index.code} is already in force")
    index.record(Index.Approved, ctx.envelope, ctx.at)
    return index


def _check_lead(ctx: Context, code: str) -> None:
    lead = ctx.unit(code, field="body.lead")
    if lead.unit_class != "department":
        raise PayloadError(f"{code} is not a provincial department and cannot lead an index", field="body.lead")


@handles("cycle.open")
def open_cycle(ctx: Context) -> Record:
    match = ctx.subject(rf"cycle/{_YEAR}", "cycle/<year>")
    ctx.require(
        ctx.actor.is_admin or ctx.actor.has_function("home_affairs"),
        "a cycle is opened by Sở Nội vụ",
    )
    CycleBody.parse(ctx.body, int(match["year"]))
    return ctx.new(Cycle, Cycle.Created)


@handles("cycle.adjust-deadline")
def adjust_deadline(ctx: Context) -> Record:
    match = ctx.subject(rf"cycle/{_YEAR}", "cycle/<year>")
    ctx.require(
        ctx.actor.is_admin or ctx.actor.has_function("home_affairs") or ctx.actor.has_function("committee"),
        "deadlines are adjusted by Sở Nội vụ or the committee",
    )
    cycle = ctx.cycle(int(match["year"]))
    body = AdjustmentBody.parse(ctx.body, cycle.year)
    if cycle.deadlines.get(body.obligation) == body.due:
        raise RuleError(f"the {body.obligation} deadline is already {body.due:%d/%m/%Y}")
    cycle.record(Cycle.DeadlineAdjusted, ctx.envelope, ctx.at)
    return cycle


@handles("ruleset.issue")
def issue_ruleset(ctx: Context) -> Record:
    ctx.subject(rf"ruleset/{SLUG.pattern}", "ruleset/<version>")
    ctx.require(
        ctx.actor.is_admin or ctx.actor.has_function("committee"),
        "rule sets are issued by the committee",
    )
    body = RuleSetBody.parse(ctx.body)
    for unit_class, codes in body.indices.items():
        for i, code in enumerate(codes):
            index = ctx.need(Index, f"index/{code}", field=f"body.indices.{unit_class}[{i}]")
            if index.status != "in_force" or index.level != "unit" or unit_class not in index.classes:
                raise PayloadError(
                    f"{code} is not an index in force measuring each {unit_class}",
                    field=f"body.indices.{unit_class}[{i}]",
                )
    return ctx.new(RuleSet, RuleSet.Created)


# Submissions ---------------------------------------------------------------------------


def _submission_kind(statement_type: str) -> str:
    return statement_type.removeprefix("submission.")


@handles("submission.governing-decisions")
@handles("submission.index-results")
@handles("submission.staff-rule")
@handles("submission.document")
def file_submission(ctx: Context) -> Record:
    kind, match = parse_subject(ctx.statement.subject)
    if kind != _submission_kind(ctx.statement.type):
        raise PayloadError(
            f"a {ctx.statement.type} is filed under submission/{_submission_kind(ctx.statement.type)}/…",
            field="subject",
        )
    year = int(match["year"])
    cycle = ctx.cycle(year)
    body = KINDS[kind][1](ctx.body, year)
    if kind == "index-results":
        index = ctx.need(Index, f"index/{match['index']}", field="subject")
        if index.lead != ctx.actor.unit:
            raise NotAuthorizedError(
                f"index {index.code} is led by {index.lead}; {ctx.actor.unit} cannot publish its results"
            )
        _check_results(ctx, index.code, body, field="body")
    else:
        if match["unit"] != ctx.actor.unit:
            raise NotAuthorizedError(f"a unit files only for itself: {ctx.actor.unit} cannot file for {match['unit']}")
        if kind == "governing-decisions":
            for i, decision in enumerate(body.decisions):
                index = ctx.need(Index, f"index/{decision.index}", field=f"body.decisions[{i}].index")
                if index.lead != ctx.actor.unit:
                    raise NotAuthorizedError(f"{ctx.actor.unit} does not lead index {index.code}")
    ctx.check_document(body.document, "body.document")
    obligation = KINDS[kind][2]
    if obligation is not None:
        ctx.flag_lateness(cycle, obligation)
    return ctx.new(Submission, Submission.Created)


def _check_results(ctx: Context, code: str, body: IndexResultsBody, *, field: str) -> None:
    """Results must be about units the index measures, within its scale, ranked by score."""
    index = ctx.need(Index, f"index/{code}", field="subject")
    if index.status != "in_force":
        raise RuleError(f"index {code} is only proposed; results are published once it is approved")
    results_field = field
    classes: dict[str, list[tuple[int, Any]]] = {}
    for i, row in enumerate(body.results):
        field = f"{results_field}.results[{i}]"
        unit = ctx.unit(row.unit, field=f"{field}.unit", active=False)
        measured = ("province",) if index.level == "province" else index.classes
        if unit.unit_class not in measured:
            raise PayloadError(
                f"{row.unit} is a {unit.unit_class}; index {code} does not measure it",
                field=f"{field}.unit",
            )
        if row.score > index.scale.maximum:
            raise PayloadError(f"exceeds the index's maximum of {index.scale.maximum}", field=f"{field}.score")
        classes.setdefault(unit.unit_class, []).append((i, row))
    if index.level == "province":
        return  # the province is ranked among all provinces, which the ledger does not hold
    for rows in classes.values():
        ranks = competition_ranks({i: row.score for i, row in rows})  # within the unit class
        for i, row in rows:
            expected = ranks[i]
            if row.rank != expected:
                raise PayloadError(
                    f"must be {expected}: 1 + the number of units of the same class with a higher score "
                    "(ties share the better rank)",
                    field=f"{results_field}.results[{i}].rank",
                )


@handles("submission.correct")
def correct_submission(ctx: Context) -> Record:
    parse_subject(ctx.statement.subject)
    submission = ctx.need(Submission, ctx.statement.subject, field="subject")
    ctx.require(
        ctx.actor.unit == submission.unit or ctx.actor.is_admin,
        f"a correction comes from the submitting unit ({submission.unit}) or the authority, not {ctx.actor.unit}",
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
    if submission.unit != ctx.actor.unit:
        raise NotAuthorizedError(f"results are transmitted by the department that published them ({submission.unit})")
    TransmissionBody.parse(ctx.body)
    submission.transmit(ctx.envelope, ctx.at)
    ctx.flag_lateness(ctx.cycle(submission.year), "results_transmitted")
    return submission


# Ratings -------------------------------------------------------------------------------


def gather_inputs(
    lookup: Lookup, year: int, unit_code: str, ruleset: RuleSet
) -> tuple[tuple[Input, ...], tuple[str, ...]]:
    """The inputs of a head's rating: the unit's result in each index the rule set names.

    The ledger recomputes these when SNV signs a computed rating; SNV's tools call the
    same function to prepare what they sign, so both sides read the ledger one way.
    """
    ctx_get = lookup.get
    unit = ctx_get(f"unit/{unit_code}")
    assert isinstance(unit, Unit)
    inputs: list[Input] = []
    missing: list[str] = []
    for code in ruleset.indices.get(unit.unit_class, ()):
        subject = f"submission/index-results/{code}/{year}"
        submission = ctx_get(subject)
        index = ctx_get(f"index/{code}")
        row = submission.current.row_for(unit_code) if isinstance(submission, Submission) else None
        if row is None or not isinstance(index, Index):
            missing.append(code)
            continue
        peers = sum(1 for other in submission.current.results if _unit_class(lookup, other.unit) == unit.unit_class)
        inputs.append(Input(code, subject, row.score, index.scale.maximum, row.rank, peers))
    return tuple(inputs), tuple(missing)


def computation_body(lookup: Lookup, year: int, unit: Unit, ruleset: RuleSet) -> dict[str, Any]:
    """The body of the ``rating.compute`` statement for `unit`'s head in `year` under `ruleset`:
    the inputs the ledger holds now and the level the rule set gives them (what the handler checks)."""
    inputs, missing = gather_inputs(lookup, year, unit.code, ruleset)
    return {
        "officer": unit.head,
        "ruleset": ruleset.version,
        "inputs": [given.to_json() for given in inputs],
        "missing": list(missing),
        "level": evaluate(ruleset.parameters, inputs, missing).level,
    }


def _unit_class(lookup: Lookup, code: str) -> str | None:
    unit = lookup.get(f"unit/{code}")
    return unit.unit_class if isinstance(unit, Unit) else None


@handles("rating.compute")
def compute_rating(ctx: Context) -> Record:
    match = ctx.subject(rf"rating/{_YEAR}/(?P<unit>{CODE.pattern})", "rating/<year>/<UNIT> for a head's rating")
    ctx.require(ctx.actor.has_function("home_affairs"), "heads' ratings are computed by Sở Nội vụ")
    year = int(match["year"])
    ctx.cycle(year)
    unit = ctx.unit(match["unit"], field="subject")
    if unit.unit_class not in RATED_CLASSES:
        raise RuleError(f"{unit.code} is not a rated unit")
    body = ComputeBody.parse(ctx.body)
    if unit.head is None:
        raise RuleError(f"{unit.code} has no appointed head to rate")
    if body.officer != unit.head:
        raise PayloadError(f"the head of {unit.code} is {unit.head}", field="body.officer")
    ruleset = ctx.need(RuleSet, f"ruleset/{body.ruleset}", field="body.ruleset")
    inputs, missing = gather_inputs(ctx.lookup, year, unit.code, ruleset)
    if body.inputs != inputs or body.missing != missing:
        raise PayloadError(
            "do not match the index results in the ledger; recompute them from the current results",
            field="body.inputs",
        )
    expected = evaluate(ruleset.parameters, inputs, missing).level
    if body.level != expected:
        raise PayloadError(
            f"rule set {ruleset.version} gives {expected} for these inputs, not {body.level}",
            field="body.level",
        )
    rating = ctx.find(Rating, ctx.statement.subject)
    if rating is None:
        return ctx.new(Rating, Rating.Created)
    if rating.status == "under_appeal":
        raise RuleError("the rating is under appeal; resolve the appeal first")
    rating.record(Rating.Recomputed, ctx.envelope, ctx.at)
    return rating


@handles("rating.decide")
def decide_rating(ctx: Context) -> Record:
    ctx.subject(rf"rating/{_YEAR}/{CODE.pattern}", "rating/<year>/<UNIT>")
    ctx.require(
        ctx.actor.has_function("committee"),
        "heads' ratings are decided by the Provincial People's Committee",
    )
    rating = ctx.need(Rating, ctx.statement.subject, field="subject")
    body = DecisionBody.parse(ctx.body)
    rating.check_decidable(body)
    rating.record(Rating.Decided, ctx.envelope, ctx.at)
    ctx.flag_lateness(ctx.cycle(rating.year), "ratings_published")
    return rating


@handles("rating.individual")
def publish_individual(ctx: Context) -> Record:
    match = ctx.subject(
        rf"rating/{_YEAR}/(?P<unit>{CODE.pattern})/(?P<person>{SLUG.pattern})",
        "rating/<year>/<UNIT>/<person>",
    )
    year = int(match["year"])
    cycle = ctx.cycle(year)
    unit = ctx.unit(match["unit"], field="subject")
    ctx.require(ctx.actor.heads(unit), f"individual ratings of {unit.code} are published by its head")
    body = IndividualBody.parse(ctx.body)
    rule = f"submission/staff-rule/{unit.code}/{year}"
    if body.rule != rule:
        raise PayloadError(f"must name the unit's own rule for {year}: {rule}", field="body.rule")
    ctx.need(Submission, rule, field="body.rule")
    ctx.flag_lateness(cycle, "ratings_published")
    return ctx.new(Rating, Rating.Published)


@handles("rating.appeal")
def file_appeal(ctx: Context) -> Record:
    ctx.subject(rf"rating/{_YEAR}/{CODE.pattern}(/{SLUG.pattern})?", "rating/<year>/<UNIT>[/<person>]")
    rating = ctx.need(Rating, ctx.statement.subject, field="subject")
    ctx.require(
        ctx.actor.unit == rating.unit,
        f"an appeal against a rating of {rating.unit} is filed from {rating.unit}",
    )
    AppealBody.parse(ctx.body)
    rating.check_appealable()
    rating.record(Rating.AppealFiled, ctx.envelope, ctx.at)
    return rating


@handles("rating.resolve-appeal")
def resolve_appeal(ctx: Context) -> Record:
    ctx.subject(rf"rating/{_YEAR}/{CODE.pattern}(/{SLUG.pattern})?", "rating/<year>/<UNIT>[/<person>]")
    rating = ctx.need(Rating, ctx.statement.subject, field="subject")
    if rating.kind == "head":
        ctx.require(
            ctx.actor.has_function("committee"),
            "appeals against heads' ratings are resolved by the committee",
        )
    else:
        ctx.require(
            ctx.actor.heads(ctx.unit(rating.unit)),
            f"appeals against ratings of {rating.unit} staff are resolved by its head",
        )
    body = ResolutionBody.parse(ctx.body)
    rating.check_resolvable(body)
    rating.record(Rating.AppealResolved, ctx.envelope, ctx.at)
    return rating


def statement_types() -> Iterable[str]:
    """Every statement type the ledger accepts."""
    return sorted(HANDLERS)


__all__ = [
    "AUTHORITY_UNIT",
    "HANDLERS",
    "ROOT_OFFICER",
    "Actor",
    "Context",
    "DocumentChecker",
    "Lookup",
    "gather_inputs",
]
