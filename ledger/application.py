"""The `Ledger` application: verify a signed envelope, decide, append — or refuse.

Each command is one envelope. The ledger checks, in order: the signature (by a key the
ledger knows and has not revoked at this position), that the envelope was not appended
before, the statement's schema, who may sign it, and the domain rules; then it saves the
one resulting event together with its log row (sequence number, leaf hash) in one
transaction. Anything refused raises a `LedgerError` and appends nothing.

Concurrency: the ledger validates against its view as of sequence number N and appends
N+1. If another process appended first, the save fails on the log's primary key; the
ledger then drops what changed from its cache and decides again, so every command is
decided against the ledger exactly as it stands when it is appended. Writers in different
processes also take turns through the recorder's append lock (a file lock on SQLite, an
advisory lock on PostgreSQL); without it a busy process could make another lose every retry.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding
from eventsourcing.utils import get_topic

from ledger.commands import HANDLERS, Actor, Context, DocumentChecker, Lookup
from ledger.envelope import Author, Envelope
from ledger.errors import (
    ConflictError,
    DuplicateError,
    NotAuthorizedError,
    NotFoundError,
    PayloadError,
    ReplayError,
    SignatureError,
)
from ledger.log import Leaf, LogEntry
from ledger.persistence import LedgerRecorder
from ledger.records import Record, SignedEvent, subject_id
from ledger.registry import (
    AUTHORITY_SUBJECT,
    AUTHORITY_UNIT,
    ROOT_OFFICER,
    Authority,
    AuthorityBody,
    Key,
    Officer,
    Unit,
)

if TYPE_CHECKING:
    from keys import SigningKey

MAX_ATTEMPTS = 5


class EnvelopeAsDSSE(Transcoding):
    """Stores an envelope in its DSSE JSON form: payload bytes kept exactly, as base64."""

    type = Envelope
    name = "dsse"

    def encode(self, obj: Envelope) -> dict[str, Any]:
        return obj.to_json()

    def decode(self, data: dict[str, Any]) -> Envelope:
        return Envelope.from_json(data)


@dataclass(frozen=True)
class Receipt:
    """What the ledger says when it accepts an envelope."""

    seq: int
    subject: str
    statement_type: str
    event_type: str
    aggregate_id: UUID
    version: int
    recorded_at: datetime
    leaf_hash: bytes
    notes: tuple[str, ...]

    @property
    def event_id(self) -> str:
        """The stored event: aggregate id and version."""
        return f"{self.aggregate_id}/v{self.version}"


@dataclass(frozen=True)
class Entry:
    """A stored, decoded ledger entry."""

    seq: int
    event: SignedEvent
    leaf_hash: bytes

    @property
    def envelope(self) -> Envelope:
        """The signed envelope behind the event."""
        return self.event.envelope


class RefuseDocuments(DocumentChecker):
    """Used when the ledger has no document store: every document reference is refused."""

    def check(self, ref: Any, field: str) -> None:
        raise NotFoundError("this ledger has no document store; documents cannot be referenced", field=field)


def leaf_of(seq: int, event: SignedEvent, event_type: str) -> Leaf:
    """The Merkle leaf of a stored event at position `seq`."""
    envelope = event.envelope
    return Leaf(
        seq=seq,
        aggregate_id=event.originator_id,
        version=event.originator_version,
        event_type=event_type,
        recorded_at=event.timestamp,
        payload_type=envelope.payload_type,
        payload=envelope.payload,
        key_id=envelope.key_id,
        signature=envelope.signatures[0].sig,
    )


class _CachedLookup(Lookup):
    """Records by subject through the repository's cache, remembering what was handed out.

    Handlers change at most the record they return; if the command then fails, every
    record handed out is dropped from the cache, so a half-applied change never lingers.
    """

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self.handed_out: list[UUID] = []

    def get(self, subject: str) -> Record | None:
        aggregate_id = subject_id(subject)
        try:
            record = self._ledger.repository.get(aggregate_id, deepcopy_from_cache=False)
        except AggregateNotFoundError:
            return None
        self.handed_out.append(aggregate_id)
        return record


class Ledger(Application[UUID]):
    """PAR Ledger: signed statements in, events with contiguous sequence numbers out."""

    name = "ledger"
    env: ClassVar[dict[str, str]] = {
        "PERSISTENCE_MODULE": "ledger.popo:Factory",
        # The cache is the ledger's working view; it is kept current on conflicts (see
        # `_catch_up`) instead of querying the database before every read.
        "AGGREGATE_CACHE_MAXSIZE": "20000",
        "AGGREGATE_CACHE_FASTFORWARD": "n",
    }
    log_section_size = 1000

    def __init__(self, env: dict[str, str] | None = None, *, documents: DocumentChecker | None = None) -> None:
        super().__init__(env)
        if not isinstance(self.recorder, LedgerRecorder):
            msg = (
                f"{self.recorder!r} is not a ledger recorder; set PERSISTENCE_MODULE to "
                "ledger.sqlite:Factory, ledger.postgres:Factory or ledger.popo:Factory"
            )
            raise TypeError(msg)
        self.ledger_recorder: LedgerRecorder = self.recorder
        self.documents = documents or RefuseDocuments()
        self.pinned_root_key_id = self.env.get("ROOT_KEY_ID") or None
        self._lock = threading.RLock()
        self._head = self.ledger_recorder.max_seq()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(EnvelopeAsDSSE())

    # Commands ---------------------------------------------------------------------------

    def append(self, envelope: Envelope, *, recorded_at: datetime | None = None) -> Receipt:
        """Verify, decide and append one envelope; raise a LedgerError and append nothing otherwise.

        `recorded_at` is for replays (verification), which must decide as the ledger did.
        """
        with self._lock, self.ledger_recorder.append_lock():
            self._catch_up()
            for _ in range(MAX_ATTEMPTS):
                lookup = _CachedLookup(self)
                try:
                    return self._try_append(envelope, lookup, recorded_at or datetime.now(UTC))
                except _HeadMoved:
                    self._catch_up()
                except BaseException:
                    self._forget(lookup.handed_out)
                    raise
            msg = "the ledger kept changing under this command; nothing was appended, try again"
            raise ConflictError(msg)

    def _try_append(self, envelope: Envelope, lookup: _CachedLookup, at: datetime) -> Receipt:
        actor = self._resolve_signer(envelope, lookup)
        statement = envelope.statement
        digest = hashlib.sha256(envelope.payload).hexdigest()
        earlier = self.ledger_recorder.seq_of_nonce(statement.nonce, digest)
        if earlier is not None:
            raise ReplayError(f"this envelope (nonce {statement.nonce}) was already appended as entry {earlier}")
        handler = HANDLERS.get(statement.type)
        if handler is None:
            raise PayloadError(f"unknown statement type {statement.type!r}", field="type")
        context = Context(envelope, actor, at, lookup, self.documents)
        record = handler(context)
        (event,) = record.pending_events
        event_type = get_topic(type(event))
        seq = self._head + 1
        leaf_hash = leaf_of(seq, event, event_type).hash()  # type: ignore[arg-type]
        entry = LogEntry(seq, record.id, event.originator_version, statement.nonce, digest, leaf_hash)
        try:
            self.save(record, log_entry=entry)
        except IntegrityError:
            self._forget(lookup.handed_out)
            earlier = self.ledger_recorder.seq_of_nonce(statement.nonce, digest)
            if earlier is not None:
                raise ReplayError(
                    f"this envelope (nonce {statement.nonce}) was already appended as entry {earlier}"
                ) from None
            raise _HeadMoved from None
        self._head = seq
        return Receipt(
            seq=seq,
            subject=statement.subject,
            statement_type=statement.type,
            event_type=event_type,
            aggregate_id=record.id,
            version=event.originator_version,
            recorded_at=event.timestamp,
            leaf_hash=leaf_hash,
            notes=tuple(context.notes),
        )

    def _resolve_signer(self, envelope: Envelope, lookup: Lookup) -> Actor:
        """Check the signature with the key the ledger holds for it; return the signer."""
        from keys import KeyFormatError, VerifyingKey, key_id_of

        authority = lookup.get(AUTHORITY_SUBJECT)
        if authority is None:
            return self._resolve_founder(envelope)
        assert isinstance(authority, Authority)
        root = VerifyingKey.from_base64(authority.root_public_key)
        if envelope.key_id == root.key_id:
            envelope.verify(root)
            statement = envelope.statement
            if statement.type == "ledger.initialise":
                raise DuplicateError("the ledger is already initialised", field="type")
            if (statement.unit, statement.officer) != (AUTHORITY_UNIT, ROOT_OFFICER):
                raise NotAuthorizedError(f"the root key signs as {AUTHORITY_UNIT}/{ROOT_OFFICER} only")
            return Actor(AUTHORITY_UNIT, ROOT_OFFICER, root.key_id)
        key = lookup.get(f"key/{envelope.key_id}")
        if not isinstance(key, Key):
            raise SignatureError(f"signed by {envelope.key_id}, a key the ledger never registered")
        if key.revocation is not None:
            raise SignatureError(f"signed by {envelope.key_id}, which was revoked before this entry ({key.revocation})")
        try:
            verifying_key = VerifyingKey.from_base64(key.public_key)
        except KeyFormatError as exc:  # pragma: no cover - registration checked it
            raise SignatureError(str(exc)) from None
        assert key_id_of(verifying_key.raw) == envelope.key_id
        envelope.verify(verifying_key)
        statement = envelope.statement
        if statement.officer != key.officer:
            raise NotAuthorizedError(
                f"key {envelope.key_id[:24]}… belongs to officer {key.officer}, not {statement.officer}",
                field="officer",
            )
        officer = lookup.get(f"officer/{key.officer}")
        assert isinstance(officer, Officer)
        if statement.unit != officer.unit:
            raise NotAuthorizedError(
                f"{officer.officer_id} belongs to {officer.unit}; "
                f"a unit acts only for itself, not for {statement.unit}",
                field="unit",
            )
        unit = lookup.get(f"unit/{officer.unit}")
        assert isinstance(unit, Unit)
        unit.check_active()
        return Actor(unit.code, officer.officer_id, envelope.key_id, officer.roles, unit)

    def _resolve_founder(self, envelope: Envelope) -> Actor:
        """The first envelope initialises the ledger and is signed by the root key it names."""
        from keys import KeyFormatError, VerifyingKey

        statement = envelope.statement
        if statement.type != "ledger.initialise":
            raise NotFoundError(
                "the ledger is not initialised yet: the first entry must be ledger.initialise",
                field="type",
            )
        if statement.subject != AUTHORITY_SUBJECT or (statement.unit, statement.officer) != (
            AUTHORITY_UNIT,
            ROOT_OFFICER,
        ):
            raise PayloadError(
                f"ledger.initialise is about {AUTHORITY_SUBJECT!r}, by {AUTHORITY_UNIT}/{ROOT_OFFICER}",
                field="subject",
            )
        body = AuthorityBody.parse(statement.body)
        try:
            root = VerifyingKey.from_base64(body.root_public_key)
        except KeyFormatError as exc:
            raise PayloadError(str(exc), field="body.root_public_key") from None
        if root.key_id != envelope.key_id:
            raise SignatureError("ledger.initialise must be signed by the root key it names")
        if self.pinned_root_key_id and root.key_id != self.pinned_root_key_id:
            raise SignatureError(f"the root key {root.key_id} is not the pinned {self.pinned_root_key_id}")
        envelope.verify(root)
        return Actor(AUTHORITY_UNIT, ROOT_OFFICER, root.key_id)

    def _catch_up(self) -> None:
        """Another process appended: drop what it changed from the cache and move the head."""
        changed = self.ledger_recorder.changed_since(self._head)
        self._forget([aggregate_id for _, aggregate_id in changed])
        if changed:
            self._head = changed[-1][0]

    def _forget(self, aggregate_ids: list[UUID]) -> None:
        cache = self.repository.cache
        if cache is None:
            return
        for aggregate_id in aggregate_ids:
            with contextlib.suppress(KeyError):
                cache.get(aggregate_id, evict=True)

    # Queries ----------------------------------------------------------------------------

    @property
    def head(self) -> int:
        """The last sequence number this process knows of."""
        return self._head

    def refresh(self) -> int:
        """Catch up with appends made by other processes; return the head."""
        with self._lock:
            self._catch_up()
            return self._head

    def get(self, subject: str) -> Record | None:
        """The current state of `subject` (None if the ledger holds nothing about it)."""
        self.refresh()
        try:
            record: Record = self.repository.get(subject_id(subject))
        except AggregateNotFoundError:
            return None
        return record

    def author(self, key: SigningKey) -> Author:
        """The officer `key` is registered to, ready to sign (the root key signs as the authority)."""
        authority = self.get(AUTHORITY_SUBJECT)
        if isinstance(authority, Authority) and authority.root_public_key == key.verifying_key.base64:
            return Author(key, AUTHORITY_UNIT, ROOT_OFFICER)
        record = self.get(f"key/{key.key_id}")
        if not isinstance(record, Key):
            raise SignatureError(f"key {key.key_id} is not registered in this ledger")
        if record.revocation is not None:
            raise SignatureError(f"key {key.key_id} was revoked ({record.revocation})")
        officer = self.get(f"officer/{record.officer}")
        assert isinstance(officer, Officer)
        return Author(key, officer.unit, officer.officer_id)

    def history(self, subject: str) -> list[SignedEvent]:
        """Every event about `subject`, oldest first."""
        return list(self.events.get(subject_id(subject)))  # type: ignore[arg-type]

    def entries(self, start: int = 1, stop: int | None = None) -> Iterator[Entry]:
        """Stored entries from `start` to `stop` (inclusive), decoded, in ledger order."""
        position = start
        while stop is None or position <= stop:
            limit = self.log_section_size if stop is None else min(self.log_section_size, stop - position + 1)
            rows = self.ledger_recorder.select_logged(position, limit)
            for row in rows:
                if row.stored is not None:
                    yield Entry(row.seq, self.mapper.to_domain_event(row.stored), row.leaf_hash)  # type: ignore[arg-type]
            if len(rows) < limit:
                return
            position = rows[-1].seq + 1


class _HeadMoved(Exception):
    """Internal: another process appended first; decide again."""
