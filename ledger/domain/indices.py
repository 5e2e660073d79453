"""Which indices count, and the yearly cycle with its deadlines — both data, not code.

An index is defined by an event naming its lead department, the unit classes it
measures, its scale and its legal basis: Art. 4(1)(a) of Decision 01/2023, or a
department's proposal approved by the committee. A cycle is opened per year with the
deadlines of the implementing letter; a signed, reasoned event can adjust them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from ledger.domain.errors import StatementError
from ledger.domain.fields import CODE, Reader
from ledger.domain.records import Record, SignedCreated, SignedEvent
from ledger.domain.registry import RATED_CLASSES

if TYPE_CHECKING:
    from ledger.signing.envelope import Statement

ARTICLE_4 = "Art.4(1)(a)"
#: What an index measures: each unit of the classes listed, or the province as a whole.
LEVELS = ("unit", "province")
SCALE_UNITS = ("percent", "points")


@dataclass(frozen=True)
class Scale:
    """The range of an index's scores."""

    maximum: Decimal
    unit: str

    @classmethod
    def read(cls, reader: Reader) -> Scale:
        result = cls(
            reader.decimal("maximum", minimum=Decimal(1), maximum=Decimal(100000)),
            reader.choice("unit", SCALE_UNITS) or "",
        )
        reader.done()
        return result


@dataclass(frozen=True)
class IndexBody:
    """Body of ``index.define`` and ``index.propose``."""

    name: str
    lead: str
    classes: tuple[str, ...]
    level: str
    scale: Scale
    grounds: str  # legal basis (define) or rationale (propose)

    @classmethod
    def parse(cls, body: object, *, grounds: str) -> IndexBody:
        reader = Reader(body)
        scale = reader.object("scale")
        assert scale is not None
        result = cls(
            name=reader.required_text("name", max_length=300),
            lead=reader.code("lead"),
            classes=reader.choice_list("classes", RATED_CLASSES),
            level=reader.choice("level", LEVELS) or "",
            scale=Scale.read(scale),
            grounds=reader.required_text(grounds, max_length=1000),
        )
        reader.done()
        if not result.classes:
            raise StatementError("no_unit_class", field="body.classes")
        if grounds == "legal_basis" and result.grounds != ARTICLE_4:
            raise StatementError("not_under_article_4", field="body.legal_basis", article=ARTICLE_4)
        return result


@dataclass(frozen=True)
class ApprovalBody:
    """Body of ``index.approve``: the committee's decision."""

    decision: str

    @classmethod
    def parse(cls, body: object) -> ApprovalBody:
        reader = Reader(body)
        result = cls(reader.required_text("decision", max_length=100))
        reader.done()
        return result


class Index(Record):
    """An administrative-reform index (chỉ số), in force or proposed."""

    TOPIC = "par:Index"

    class Created(SignedCreated):
        TOPIC = "par:Index.Defined.v1"

    class Proposed(SignedCreated):
        TOPIC = "par:Index.Proposed.v1"

    class Approved(SignedEvent):
        TOPIC = "par:Index.Approved.v1"

        def apply(self, aggregate: Index) -> None:
            decision = ApprovalBody.parse(self.statement.body).decision
            aggregate.status = "in_force"
            aggregate.legal_basis = f"proposal approved by {decision}"

    def apply_created(self, statement: Statement) -> None:
        proposed = statement.type == "index.propose"
        body = IndexBody.parse(statement.body, grounds="rationale" if proposed else "legal_basis")
        self.code = statement.subject.removeprefix("index/")
        self.name = body.name
        self.lead = body.lead
        self.classes = body.classes
        self.level = body.level
        self.scale = body.scale
        self.status = "proposed" if proposed else "in_force"
        self.legal_basis = None if proposed else body.grounds
        self.rationale = body.grounds if proposed else None


#: The obligations of the implementing letter and how its wording reads each date:
#: "before 20/02" is on time up to 19/02; "no later than 05/11" is on time on 05/11.
OBLIGATIONS: dict[str, str] = {
    "governing_decisions": "before",
    "results_published": "before",
    "results_transmitted": "by",
    "ratings_published": "before",
}


@dataclass(frozen=True)
class CycleBody:
    """Body of ``cycle.open``: the year's deadlines (governing_decisions only in 2023)."""

    deadlines: dict[str, date]

    @classmethod
    def parse(cls, body: object, year: int) -> CycleBody:
        reader = Reader(body)
        dates = reader.object("deadlines")
        assert dates is not None
        deadlines: dict[str, date] = {}
        for obligation in OBLIGATIONS:
            optional = obligation == "governing_decisions"
            due = dates.date_in_year(obligation, year, optional=optional)
            if due is not None:
                deadlines[obligation] = due
        dates.done()
        reader.done()
        return cls(deadlines)


@dataclass(frozen=True)
class AdjustmentBody:
    """Body of ``cycle.adjust-deadline``: one obligation's new date, with the reason."""

    obligation: str
    due: date
    reason: str

    @classmethod
    def parse(cls, body: object, year: int) -> AdjustmentBody:
        reader = Reader(body)
        obligation = reader.choice("obligation", tuple(OBLIGATIONS)) or ""
        due = reader.date_in_year("date", year)
        assert due is not None
        result = cls(obligation, due, reader.required_text("reason", max_length=1000))
        reader.done()
        return result


class Cycle(Record):
    """One year's assessment cycle and its deadlines."""

    TOPIC = "par:Cycle"

    class Created(SignedCreated):
        TOPIC = "par:Cycle.Opened.v1"

    class DeadlineAdjusted(SignedEvent):
        TOPIC = "par:Cycle.DeadlineAdjusted.v1"

        def apply(self, aggregate: Cycle) -> None:
            adjustment = AdjustmentBody.parse(self.statement.body, aggregate.year)
            aggregate.deadlines[adjustment.obligation] = adjustment.due
            aggregate.adjustments.append(adjustment)

    def apply_created(self, statement: Statement) -> None:
        self.year = cycle_year(statement.subject)
        self.deadlines = dict(CycleBody.parse(statement.body, self.year).deadlines)
        self.adjustments: list[AdjustmentBody] = []

    def days_late(self, obligation: str, on: date) -> int:
        """How many days after the deadline `on` falls (0 when on time or no deadline)."""
        due = self.deadlines.get(obligation)
        if due is None:
            return 0
        last_day_on_time = due if OBLIGATIONS[obligation] == "by" else date.fromordinal(due.toordinal() - 1)
        return max(0, (on - last_day_on_time).days)

    def lateness(self, obligation: str, on: date) -> Lateness | None:
        """The lateness of a filing for `obligation` made `on`, or None when it is on time."""
        days = self.days_late(obligation, on)
        return Lateness(obligation, days) if days else None


@dataclass(frozen=True)
class Lateness:
    """A filing made after its deadline: noted on the entry's receipt, never refused."""

    obligation: str
    days: int

    def __str__(self) -> str:
        """The text form receipts carry in JSON: ``late:<obligation>:<days>``."""
        return f"late:{self.obligation}:{self.days}"


Member = TypeVar("Member")


def competition_ranks(scores: Mapping[Member, Decimal]) -> dict[Member, int]:
    """Each member's rank among `scores`: 1 + the number of higher scores (ties share the better rank: 1, 1, 3)."""
    return {member: 1 + sum(1 for other in scores.values() if other > score) for member, score in scores.items()}


def cycle_year(subject: str) -> int:
    """The year of a ``cycle/<year>`` subject."""
    return int(subject.removeprefix("cycle/"))


__all__ = ["ARTICLE_4", "CODE", "OBLIGATIONS", "Cycle", "Index", "Lateness", "Scale"]
