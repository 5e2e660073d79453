"""What units and lead departments file: lists, index results, rules, documents.

A submission is never edited. A correction is a new event on the same submission that
names the reason (and, once results are published, the decision that authorises it)
and carries the full replacement; every earlier version stays readable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ledger.domain.errors import BodyError, DomainRuleError, StatementError
from ledger.domain.fields import CODE, Reader
from ledger.domain.records import Record, SignedCreated, SignedEvent, Signer
from ledger.errors import PayloadError

if TYPE_CHECKING:
    from ledger.signing.envelope import Envelope, Statement

#: Evidence the ledger accepts, by media type (checked by content in the document store).
MEDIA_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "image/png",
    "image/jpeg",
)
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")
_FILE_NAME_FORBIDDEN = re.compile(r"[/\\\x00]")


@dataclass(frozen=True)
class DocumentRef:
    """A document stored content-addressed outside the database."""

    sha256: str
    size: int
    media_type: str
    name: str

    @classmethod
    def read(cls, reader: Reader) -> DocumentRef:
        name = reader.required_text("name", max_length=255)
        if _FILE_NAME_FORBIDDEN.search(name) or name in {".", ".."}:
            raise BodyError("not_a_file_name", field=reader.field("name"))
        result = cls(
            sha256=reader.pattern("sha256", _SHA256, "not_a_sha256") or "",
            size=reader.required_integer("size", minimum=1, maximum=MAX_DOCUMENT_BYTES),
            media_type=reader.choice("media_type", MEDIA_TYPES) or "",
            name=name,
        )
        reader.done()
        return result

    def to_json(self) -> dict[str, Any]:
        """The reference as it appears in a body."""
        return {
            "sha256": self.sha256,
            "size": self.size,
            "media_type": self.media_type,
            "name": self.name,
        }


def _document(reader: Reader, *, optional: bool) -> DocumentRef | None:
    nested = reader.object("document", optional=optional)
    return None if nested is None else DocumentRef.read(nested)


@dataclass(frozen=True)
class GoverningDecision:
    """One committee decision governing an index of the lead department's sector."""

    index: str
    number: str
    decided_on: date
    title: str


@dataclass(frozen=True)
class GoverningDecisionsBody:
    """Body of ``submission.governing-decisions`` (due before 20/02/2023, once)."""

    decisions: tuple[GoverningDecision, ...]
    document: DocumentRef | None

    @classmethod
    def parse(cls, body: object, year: int) -> GoverningDecisionsBody:
        reader = Reader(body)
        decisions = []
        for item in reader.items("decisions", max_items=200):
            decided_on = item.date("decided_on")
            assert decided_on is not None
            if decided_on.year > year:
                raise BodyError("after_the_cycle_year", field=item.field("decided_on"), on=decided_on, year=year)
            decisions.append(
                GoverningDecision(
                    item.code("index"),
                    item.required_text("number", max_length=100),
                    decided_on,
                    item.required_text("title", max_length=500),
                )
            )
            item.done()
        result = cls(tuple(decisions), _document(reader, optional=True))
        reader.done()
        return result


@dataclass(frozen=True)
class ResultRow:
    """One unit's result in a published index."""

    unit: str
    score: Decimal
    rank: int
    band: str | None


@dataclass(frozen=True)
class IndexResultsBody:
    """Body of ``submission.index-results`` (published before 01/11)."""

    measured_year: int
    decision: str
    published_on: date
    results: tuple[ResultRow, ...]
    document: DocumentRef | None

    @classmethod
    def parse(cls, body: object, year: int) -> IndexResultsBody:
        reader = Reader(body)
        measured_year = reader.required_integer("measured_year", minimum=year - 1, maximum=year)
        rows = []
        for item in reader.items("results", max_items=1000):
            rows.append(
                ResultRow(
                    unit=item.code("unit"),
                    score=item.decimal("score", minimum=Decimal(0), maximum=Decimal(100000)),
                    rank=item.required_integer("rank", minimum=1, maximum=10000),
                    band=item.text("band", max_length=50, optional=True),
                )
            )
            item.done()
        units = [row.unit for row in rows]
        if len(set(units)) != len(units):
            duplicate = next(u for u in units if units.count(u) > 1)
            raise StatementError("unit_listed_twice", field="body.results", unit=duplicate)
        published_on = reader.date_in_year("published_on", year)
        assert published_on is not None
        result = cls(
            measured_year=measured_year,
            decision=reader.required_text("decision", max_length=100),
            published_on=published_on,
            results=tuple(rows),
            document=_document(reader, optional=True),
        )
        reader.done()
        return result

    def row_for(self, unit: str) -> ResultRow | None:
        """The result row of `unit`, if it was measured."""
        return next((row for row in self.results if row.unit == unit), None)


@dataclass(frozen=True)
class TransmissionBody:
    """Body of ``submission.transmit``: the published results sent to SNV (by 05/11)."""

    note: str | None

    @classmethod
    def parse(cls, body: object) -> TransmissionBody:
        reader = Reader(body)
        result = cls(reader.text("note", max_length=1000, optional=True))
        reader.done()
        return result


@dataclass(frozen=True)
class StaffRuleBody:
    """Body of ``submission.staff-rule``: the unit's rule for rating non-head staff."""

    title: str
    decision: str
    issued_on: date
    document: DocumentRef

    @classmethod
    def parse(cls, body: object, year: int) -> StaffRuleBody:
        reader = Reader(body)
        issued_on = reader.date_in_year("issued_on", year)
        assert issued_on is not None
        document = _document(reader, optional=False)
        assert document is not None
        result = cls(
            reader.required_text("title", max_length=500),
            reader.required_text("decision", max_length=100),
            issued_on,
            document,
        )
        reader.done()
        return result


@dataclass(frozen=True)
class DocumentBody:
    """Body of ``submission.document``: any other document a unit files for the year."""

    title: str
    issued_on: date
    document: DocumentRef

    @classmethod
    def parse(cls, body: object, year: int) -> DocumentBody:
        reader = Reader(body)
        issued_on = reader.date_in_year("issued_on", year)
        assert issued_on is not None
        document = _document(reader, optional=False)
        assert document is not None
        result = cls(reader.required_text("title", max_length=500), issued_on, document)
        reader.done()
        return result


@dataclass(frozen=True)
class SubmissionKind:
    """A kind of submission: its name in subjects, its subject's form, its body and the deadline it answers."""

    name: str
    subject: re.Pattern[str]
    parse: Callable[[object, int], Any]
    obligation: str | None

    @property
    def statement_type(self) -> str:
        """The statement that files it: ``submission.<name>``."""
        return f"submission.{self.name}"


_UNIT_YEAR = rf"(?P<unit>{CODE.pattern})/(?P<year>\d{{4}})"

#: Every kind of submission, by name.
KINDS: dict[str, SubmissionKind] = {
    kind.name: kind
    for kind in (
        SubmissionKind(
            "governing-decisions",
            re.compile(rf"submission/governing-decisions/{_UNIT_YEAR}"),
            GoverningDecisionsBody.parse,
            "governing_decisions",
        ),
        SubmissionKind(
            "index-results",
            re.compile(rf"submission/index-results/(?P<index>{CODE.pattern})/(?P<year>\d{{4}})"),
            IndexResultsBody.parse,
            "results_published",
        ),
        SubmissionKind("staff-rule", re.compile(rf"submission/staff-rule/{_UNIT_YEAR}"), StaffRuleBody.parse, None),
        SubmissionKind(
            "document",
            re.compile(rf"submission/document/{_UNIT_YEAR}/(?P<ref>[a-z0-9][a-z0-9._-]{{0,63}})"),
            DocumentBody.parse,
            None,
        ),
    )
}


@dataclass(frozen=True)
class CorrectionBody:
    """Body of ``submission.correct``: why, on whose authority, and the full replacement."""

    reason: str
    decision: str | None
    replacement: Any

    @classmethod
    def parse(cls, body: object, kind: str, year: int) -> CorrectionBody:
        reader = Reader(body)
        reason = reader.required_text("reason", max_length=2000)
        decision = reader.text("decision", max_length=100, optional=True)
        replacement_json = reader.raw("replacement")
        reader.done()
        try:
            replacement = KINDS[kind].parse(replacement_json, year)
        except PayloadError as exc:
            field = (exc.field or "body").replace("body", "body.replacement", 1)
            raise type(exc)(exc.code, field=field, **exc.params) from None
        return cls(reason, decision, replacement)


@dataclass(frozen=True)
class Correction:
    """A correction as recorded: reason, authorising decision and who signed it."""

    reason: str
    decision: str | None
    signer: Signer


class Submission(Record):
    """One filing, with every version that superseded the one before it."""

    TOPIC = "par:Submission"

    class Created(SignedCreated):
        TOPIC = "par:Submission.Filed.v1"

    class Corrected(SignedEvent):
        TOPIC = "par:Submission.Corrected.v1"

        def apply(self, aggregate: Submission) -> None:
            body = CorrectionBody.parse(self.statement.body, aggregate.kind, aggregate.year)
            aggregate.versions.append(body.replacement)
            aggregate.corrections.append(Correction(body.reason, body.decision, Signer.of(self.envelope)))

    class Transmitted(SignedEvent):
        TOPIC = "par:Submission.Transmitted.v1"

        def apply(self, aggregate: Submission) -> None:
            aggregate.transmitted_on = self.timestamp

    def apply_created(self, statement: Statement) -> None:
        kind, match = parse_subject(statement.subject)
        self.kind = kind
        self.year = int(match["year"])
        self.unit = statement.unit
        self.index: str | None = match.groupdict().get("index")
        self.versions: list[Any] = [KINDS[kind].parse(statement.body, self.year)]
        self.corrections: list[Correction] = []
        self.transmitted_on: datetime | None = None

    @property
    def current(self) -> Any:
        """The body in force: the last correction's replacement, or the original."""
        return self.versions[-1]

    def correct(self, envelope: Envelope, at: Any) -> None:
        """Supersede the current version; results already published need a decision."""
        body = CorrectionBody.parse(envelope.statement.body, self.kind, self.year)
        if self.kind == "index-results" and body.decision is None:
            raise StatementError("correction_needs_decision", field="body.decision")
        if body.replacement == self.current:
            raise DomainRuleError("identical_replacement")
        self.record(self.Corrected, envelope, at)

    def transmit(self, envelope: Envelope, at: Any) -> None:
        """Record that the published results were sent to SNV."""
        if self.kind != "index-results":
            raise DomainRuleError("only_index_results_transmitted")
        if self.transmitted_on is not None:
            raise DomainRuleError("already_transmitted", on=self.transmitted_on)
        TransmissionBody.parse(envelope.statement.body)
        self.record(self.Transmitted, envelope, at)


def parse_subject(subject: str) -> tuple[str, re.Match[str]]:
    """The kind of a submission subject and its parts; PayloadError if none fits."""
    for kind in KINDS.values():
        match = kind.subject.fullmatch(subject)
        if match:
            return kind.name, match
    forms = ", ".join(f"submission/{k}/…" for k in KINDS)
    raise StatementError("not_a_submission_subject", field="subject", forms=forms)
