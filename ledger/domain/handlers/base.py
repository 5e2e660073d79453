"""What every handler uses: the signer as the registry knows them, the context, the registry of handlers.

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

from ledger.domain.errors import AuthorityError, DomainRuleError, MissingRecordError, StatementError
from ledger.domain.indices import Cycle, Lateness
from ledger.domain.local_time import LOCAL_TIME
from ledger.domain.records import Record
from ledger.domain.registry import AUTHORITY_UNIT, Unit
from ledger.domain.submissions import DocumentRef

if TYPE_CHECKING:
    from ledger.signing.envelope import Envelope, Statement

#: A cycle year in a subject pattern.
YEAR = r"(?P<year>20\d\d)"
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
    #: What the receipt notes about the entry (recorded, never refused): filings made late.
    notes: list[Lateness] = field(default_factory=list)

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

    def subject(self, pattern: str, form: str) -> re.Match[str]:
        """Match the statement's subject; StatementError naming the expected `form`."""
        match = re.fullmatch(pattern, self.statement.subject)
        if match is None:
            raise StatementError("subject_form", field="subject", form=form)
        return match

    def find(self, kind: type[R], subject: str) -> R | None:
        """The record at `subject`, if it exists and is of `kind`."""
        record = self.lookup.get(subject)
        if record is not None and not isinstance(record, kind):
            raise DomainRuleError("not_a_record_of_kind", subject=subject, kind=kind.__name__.lower())
        return record

    def need(self, kind: type[R], subject: str, *, field: str | None = None) -> R:
        """The record at `subject`; MissingRecordError naming the field if it does not exist."""
        record = self.find(kind, subject)
        if record is None:
            raise MissingRecordError("does_not_exist", field=field, subject=subject)
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
            raise DomainRuleError("no_cycle", year=year)
        return cycle

    def flag_lateness(self, cycle: Cycle, obligation: str) -> None:
        """Record (never refuse) a submission made after its deadline."""
        lateness = cycle.lateness(obligation, self.local_date)
        if lateness is not None:
            self.notes.append(lateness)

    def check_document(self, ref: DocumentRef | None, field: str) -> None:
        """A referenced document must have been stored before it is referenced."""
        if ref is not None:
            self.documents.check(ref, field)

    def require(self, allowed: bool, refusal: str, **params: Any) -> None:
        """AuthorityError `refusal` (a code saying who may sign) unless `allowed`."""
        if not allowed:
            raise AuthorityError(refusal, **params)


Handler = Callable[[Context], Record]
HANDLERS: dict[str, Handler] = {}


def handles(*statement_types: str) -> Callable[[Handler], Handler]:
    """Register the handler of one or more statement types."""

    def register(handler: Handler) -> Handler:
        for statement_type in statement_types:
            HANDLERS[statement_type] = handler
        return handler

    return register


def statement_types() -> Iterable[str]:
    """Every statement type the ledger accepts."""
    return sorted(HANDLERS)
