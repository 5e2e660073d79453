"""Rule sets and ratings: computed by SNV, decided by the committee, appealed, revised.

A head's rating is computed under a named rule set version from recorded inputs, then
decided by the Provincial People's Committee (a level that differs from the computed
one needs a written reason). Individual (non-head) ratings are published by the unit's
head. An appeal is resolved by upholding the rating or revising it; a revision is a new
level that supersedes the old one, and every level ever given stays in `levels`.

A level set by an appeal's revision stays in force until the committee explicitly overrides
it: a recomputation records the new computed level without displacing it, and a decision of
another level must say it overrides the appeal, name the resolution and give its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ledger.domain.errors import DomainRuleError, StatementError
from ledger.domain.fields import CODE, SLUG, Reader
from ledger.domain.records import Record, SignedCreated, SignedEvent, Signer
from ledger.domain.registry import RATED_CLASSES
from ledger.domain.rules import LEVELS, NOT_EVALUATED, Input, Parameters, read_missing

if TYPE_CHECKING:
    from ledger.signing.envelope import Envelope, Statement


@dataclass(frozen=True)
class RuleSetBody:
    """Body of ``ruleset.issue``."""

    legal_basis: str
    illustrative: bool
    description: str
    parameters: Parameters
    indices: dict[str, tuple[str, ...]]  # per rated unit class, the indices that count

    @classmethod
    def parse(cls, body: object) -> RuleSetBody:
        reader = Reader(body)
        parameters = reader.object("parameters")
        by_class = reader.object("indices")
        assert parameters is not None
        assert by_class is not None
        indices = {
            unit_class: by_class.strings(unit_class, item=CODE, refusal="not_an_index_code")
            for unit_class in RATED_CLASSES
            if by_class.has(unit_class)
        }
        by_class.done()
        result = cls(
            legal_basis=reader.required_text("legal_basis", max_length=300),
            illustrative=reader.boolean("illustrative"),
            description=reader.required_text("description", max_length=2000),
            parameters=Parameters.read(parameters),
            indices=indices,
        )
        reader.done()
        return result


class RuleSet(Record):
    """A version of the Article 5 rule, issued once and never changed."""

    TOPIC = "par:RuleSet"

    class Created(SignedCreated):
        TOPIC = "par:RuleSet.Issued.v1"

    def apply_created(self, statement: Statement) -> None:
        body = RuleSetBody.parse(statement.body)
        self.name = statement.subject.removeprefix("ruleset/")
        self.legal_basis = body.legal_basis
        self.illustrative = body.illustrative
        self.description = body.description
        self.parameters = body.parameters
        self.indices = body.indices


@dataclass(frozen=True)
class ComputeBody:
    """Body of ``rating.compute``: the head, the rule set, its inputs and the level."""

    officer: str
    ruleset: str
    inputs: tuple[Input, ...]
    missing: tuple[str, ...]
    level: str

    @classmethod
    def parse(cls, body: object) -> ComputeBody:
        reader = Reader(body)
        result = cls(
            officer=reader.slug("officer"),
            ruleset=reader.pattern("ruleset", SLUG, "not_a_ruleset_version") or "",
            inputs=tuple(Input.read(item) for item in reader.items("inputs", min_items=0, max_items=50)),
            missing=read_missing(reader),
            level=reader.choice("level", (*LEVELS, NOT_EVALUATED)) or "",
        )
        reader.done()
        indices = [i.index for i in result.inputs] + list(result.missing)
        if len(set(indices)) != len(indices):
            raise StatementError("index_named_twice", field="body.inputs")
        return result


@dataclass(frozen=True)
class DecisionBody:
    """Body of ``rating.decide``: the committee's level, decision and (if differing) reason;
    a decision that overrides a level set by an appeal says so and names the resolution."""

    level: str
    decision: str
    reason: str | None
    overrides_appeal: bool = False
    overridden_resolution: str | None = None  # the decision number of the resolution overridden

    @classmethod
    def parse(cls, body: object) -> DecisionBody:
        reader = Reader(body)
        overrides = reader.boolean("overrides_appeal") if reader.has("overrides_appeal") else False
        result = cls(
            level=reader.choice("level", LEVELS) or "",
            decision=reader.required_text("decision", max_length=100),
            reason=reader.text("reason", max_length=2000, optional=True),
            overrides_appeal=overrides,
            overridden_resolution=reader.text("overridden_resolution", max_length=100, optional=not overrides),
        )
        reader.done()
        if not overrides and result.overridden_resolution is not None:
            raise StatementError("resolution_without_override", field="body.overrides_appeal")
        if overrides and result.reason is None:
            raise StatementError("override_without_reason", field="body.reason")
        return result


@dataclass(frozen=True)
class IndividualBody:
    """Body of ``rating.individual``: a non-head person rated under the unit's own rule."""

    name: str
    position: str
    level: str
    rule: str

    @classmethod
    def parse(cls, body: object) -> IndividualBody:
        reader = Reader(body)
        result = cls(
            name=reader.required_text("name", max_length=200),
            position=reader.required_text("position", max_length=200),
            level=reader.choice("level", LEVELS) or "",
            rule=reader.required_text("rule", max_length=200),
        )
        reader.done()
        return result


@dataclass(frozen=True)
class AppealBody:
    """Body of ``rating.appeal``."""

    grounds: str

    @classmethod
    def parse(cls, body: object) -> AppealBody:
        reader = Reader(body)
        result = cls(reader.required_text("grounds", max_length=5000))
        reader.done()
        return result


@dataclass(frozen=True)
class ResolutionBody:
    """Body of ``rating.resolve-appeal``: upheld, or revised to a new level."""

    outcome: str
    level: str | None
    reason: str
    decision: str

    @classmethod
    def parse(cls, body: object) -> ResolutionBody:
        reader = Reader(body)
        outcome = reader.choice("outcome", ("upheld", "revised")) or ""
        level = reader.choice("level", LEVELS, optional=True)
        result = cls(
            outcome,
            level,
            reader.required_text("reason", max_length=5000),
            reader.required_text("decision", max_length=100),
        )
        reader.done()
        if outcome == "revised" and level is None:
            raise StatementError("revision_without_level", field="body.level")
        if outcome == "upheld" and level is not None:
            raise StatementError("upheld_with_level", field="body.level")
        return result


@dataclass(frozen=True)
class LevelGiven:
    """One level in a rating's history: what, how, by whom, and why."""

    level: str
    how: str  # computed, decided, published, revised
    signer: Signer
    at: datetime
    reason: str | None = None
    decision: str | None = None  # the decision (decided) or resolution (revised) that gave it


@dataclass
class Appeal:
    """An appeal against a rating and, once resolved, its outcome."""

    grounds: str
    filed_by: Signer
    filed_at: datetime
    resolution: ResolutionBody | None = None
    resolved_by: Signer | None = None


@dataclass
class Computation:
    """What a computed level rests on."""

    ruleset: str
    inputs: tuple[Input, ...]
    missing: tuple[str, ...]
    level: str
    superseded: list[ComputeBody] = field(default_factory=list)


class Rating(Record):
    """A head's rating (computed, decided) or an individual's (published), with appeals."""

    TOPIC = "par:Rating"

    class Created(SignedCreated):
        TOPIC = "par:Rating.Computed.v1"

    class Recomputed(SignedEvent):
        TOPIC = "par:Rating.Recomputed.v1"

        def apply(self, aggregate: Rating) -> None:
            aggregate.apply_computation(self.envelope, self.timestamp)

    class Decided(SignedEvent):
        TOPIC = "par:Rating.Decided.v1"

        def apply(self, aggregate: Rating) -> None:
            body = DecisionBody.parse(self.statement.body)
            aggregate.decision = body.decision
            if body.overrides_appeal:
                aggregate.revision = None
            aggregate.give(
                LevelGiven(body.level, "decided", Signer.of(self.envelope), self.timestamp, body.reason, body.decision)
            )

    class Published(SignedCreated):
        TOPIC = "par:Rating.IndividualPublished.v1"

    class AppealFiled(SignedEvent):
        TOPIC = "par:Rating.AppealFiled.v1"

        def apply(self, aggregate: Rating) -> None:
            grounds = AppealBody.parse(self.statement.body).grounds
            aggregate.appeals.append(Appeal(grounds, Signer.of(self.envelope), self.timestamp))

    class AppealResolved(SignedEvent):
        TOPIC = "par:Rating.AppealResolved.v1"

        def apply(self, aggregate: Rating) -> None:
            body = ResolutionBody.parse(self.statement.body)
            appeal = aggregate.appeals[-1]
            appeal.resolution = body
            appeal.resolved_by = Signer.of(self.envelope)
            if body.level is not None:
                revision = LevelGiven(
                    body.level, "revised", appeal.resolved_by, self.timestamp, body.reason, body.decision
                )
                aggregate.revision = revision
                aggregate.give(revision)

    def apply_created(self, statement: Statement) -> None:
        parts = statement.subject.split("/")
        self.year = int(parts[1])
        self.unit = parts[2]
        self.person = parts[3] if len(parts) > 3 else None
        self.levels: list[LevelGiven] = []
        self.revision: LevelGiven | None = None  # the appeal's revision in force, until overridden
        self.appeals: list[Appeal] = []
        self.decision: str | None = None
        self.computation: Computation | None = None
        if self.person is None:
            self.kind = "head"
            self.apply_computation_body(ComputeBody.parse(statement.body), self.created_by, self.created_on)
        else:
            self.kind = "individual"
            body = IndividualBody.parse(statement.body)
            self.person_name = body.name
            self.position = body.position
            self.rule = body.rule
            self.give(LevelGiven(body.level, "published", self.created_by, self.created_on))

    def apply_computation(self, envelope: Envelope, at: datetime) -> None:
        """Record a (re)computation; an earlier one is kept as superseded."""
        self.apply_computation_body(ComputeBody.parse(envelope.statement.body), Signer.of(envelope), at)

    def apply_computation_body(self, body: ComputeBody, signer: Signer, at: datetime) -> None:
        """Shared by creation and recomputation."""
        superseded: list[ComputeBody] = []
        if self.computation is not None:
            earlier = self.computation
            kept = ComputeBody(self.officer, earlier.ruleset, earlier.inputs, earlier.missing, earlier.level)
            superseded = [*earlier.superseded, kept]
        self.officer: str = body.officer
        self.computation = Computation(body.ruleset, body.inputs, body.missing, body.level, superseded)
        self.decision = None
        self.give(LevelGiven(body.level, "computed", signer, at))

    def give(self, given: LevelGiven) -> None:
        """Add a level to the chain; it is in force unless it is computed while an appeal's revision is."""
        self.levels.append(given)
        if given.how != "computed" or self.revision is None:
            self.in_force = given

    @property
    def level(self) -> str:
        """The level in force: the last one given, except that a computation never displaces a revision."""
        return self.in_force.level

    @property
    def status(self) -> str:
        """computed, decided, published, under_appeal or revised."""
        if self.appeals and self.appeals[-1].resolution is None:
            return "under_appeal"
        return {
            "computed": "computed",
            "decided": "decided",
            "published": "published",
            "revised": "revised",
        }[self.levels[-1].how]

    def check_decidable(self, body: DecisionBody) -> None:
        """The committee decides a computed head rating; a differing level needs a reason."""
        if self.kind != "head":
            raise DomainRuleError("individual_not_decided")
        if self.status == "under_appeal":
            raise DomainRuleError("decide_under_appeal")
        assert self.computation is not None
        self.check_override(body)
        keeps_revision = self.revision is not None and body.level == self.revision.level
        if body.level != self.computation.level and body.reason is None and not keeps_revision:
            raise StatementError(
                "difference_without_reason", field="body.reason", level=body.level, computed=self.computation.level
            )

    def check_override(self, body: DecisionBody) -> None:
        """A decision that changes a level set by an appeal's revision must say it overrides that
        resolution (and name it); one that changes none must not claim to."""
        revision = self.revision
        changes_revision = revision is not None and body.level != revision.level
        if changes_revision and not body.overrides_appeal:
            assert revision is not None
            raise StatementError(
                "overrides_appeal_unstated",
                field="body.overrides_appeal",
                level=body.level,
                revised=revision.level,
                resolution=revision.decision,
            )
        if body.overrides_appeal and not changes_revision:
            raise StatementError("nothing_to_override", field="body.overrides_appeal", level=body.level)
        if body.overrides_appeal and revision is not None and body.overridden_resolution != revision.decision:
            raise StatementError(
                "not_the_resolution_in_force",
                field="body.overridden_resolution",
                named=body.overridden_resolution,
                resolution=revision.decision,
            )

    def check_appealable(self) -> None:
        """An appeal needs a rating that is decided or published, with no appeal open."""
        if self.status == "under_appeal":
            raise DomainRuleError("appeal_already_open")
        if self.status == "computed":
            raise DomainRuleError("appeal_before_decision")

    def check_resolvable(self, body: ResolutionBody) -> None:
        """Only an open appeal is resolved; a revision must change the level."""
        if self.status != "under_appeal":
            raise DomainRuleError("no_open_appeal")
        if body.level is not None and body.level == self.level:
            raise StatementError("revision_keeps_level", field="body.level", level=body.level)
