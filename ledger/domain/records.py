"""The base of every ledger aggregate: each of its events carries the signed envelope.

An event stores nothing but the envelope that caused it (and the library's id, version
and timestamp), so everything an aggregate knows is derived from signed bytes: a
changed byte in storage cannot change state without breaking a signature or a leaf.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from ledger.signing.envelope import Envelope, Statement

SUBJECT_NAMESPACE = uuid5(NAMESPACE_URL, "https://hungyen.gov.vn/par-ledger/subjects")


@lru_cache(maxsize=65536)
def subject_id(subject: str) -> UUID:
    """The aggregate id of a subject such as ``unit/SNV``: stable, so duplicates collide."""
    return uuid5(SUBJECT_NAMESPACE, subject)


class SignedEvent(Aggregate.Event):
    """An event that carries the envelope which caused it, and nothing else."""

    envelope: Envelope

    @property
    def statement(self) -> Statement:
        """The signed statement behind this event."""
        return self.envelope.statement


class SignedCreated(SignedEvent, Aggregate.Created):
    """The first event of a record."""

    def apply(self, aggregate: Any) -> None:
        aggregate.subject = self.statement.subject
        aggregate.created_by = Signer.of(self.envelope)
        aggregate.apply_created(self.statement)


class Record(Aggregate):
    """An aggregate created and changed only by signed envelopes.

    Each subclass names its creating event class ``Created`` (the library requires that
    name) and gives it the explicit topic of what happened, e.g. ``par:Unit.Registered.v1``.
    """

    # Every record has `subject` and `created_by`, set by its SignedCreated event. (Annotated
    # for type checkers only: the library would turn class annotations into __init__ arguments.)
    if TYPE_CHECKING:
        subject: str
        created_by: Signer

    def apply_created(self, statement: Statement) -> None:
        """Set the initial state from the creating statement."""
        raise NotImplementedError

    @classmethod
    def start(cls, created: type[SignedCreated], envelope: Envelope, at: datetime) -> Any:
        """Create the aggregate for the envelope's subject with event class `created`."""
        return cls._create(created, id=subject_id(envelope.statement.subject), envelope=envelope, timestamp=at)

    def record(self, event_class: type[SignedEvent], envelope: Envelope, at: datetime) -> None:
        """Append `event_class` carrying `envelope`; the event's apply() changes state."""
        self.trigger_event(event_class, envelope=envelope, timestamp=at)


class Signer:
    """Who signed an envelope, as stated in it (checked before anything is recorded)."""

    __slots__ = ("key_id", "officer", "unit")

    def __init__(self, unit: str, officer: str, key_id: str) -> None:
        self.unit = unit
        self.officer = officer
        self.key_id = key_id

    @classmethod
    def of(cls, envelope: Envelope) -> Signer:
        """The signer named by `envelope`."""
        statement = envelope.statement
        return cls(statement.unit, statement.officer, envelope.key_id)

    def __repr__(self) -> str:
        return f"Signer({self.unit}/{self.officer}, {self.key_id[:24]}…)"
