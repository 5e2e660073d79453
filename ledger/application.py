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
On PostgreSQL a first attempt skips the lock's two round trips: its insert defers to
whichever writer holds the lock, and only a writer that lost takes it.

Serving what was appended to others (leaves, checkpoints, receipts, proofs, cosignatures)
is `ledger.serving`; the refusals' codes are declared in `ledger.errors` and `ledger.refusals`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, StoredEvent
from eventsourcing.utils import get_topic

from keys import VerifyingKey
from ledger.domain.handlers import HANDLERS, Actor, Context, DocumentChecker, Lookup
from ledger.domain.indices import Lateness
from ledger.domain.records import Record, SignedEvent, subject_id
from ledger.domain.registry import (
    AUTHORITY_SUBJECT,
    AUTHORITY_UNIT,
    ROOT_OFFICER,
    Authority,
    AuthorityBody,
    Key,
    Officer,
    Unit,
)
from ledger.errors import (
    ConflictError,
    LedgerError,
    LogIntegrityError,
    ReplayError,
    SignatureError,
)
from ledger.refusals import BadStatementError, ExistsError, NotInitialisedError, SignerError
from ledger.signing.envelope import Author, Envelope
from ledger.storage.config import Backend
from ledger.storage.errors import ConfigurationError, MissingDocumentError
from ledger.storage.persistence import LedgerRecorder, LoggedEvent
from ledger.storage.transcodings import EnvelopeAsDSSE
from ledger.tlog.log import Leaf, LogEntry, leaf_hash
from ledger.tlog.notes import NoteError, NoteSigner, NoteVerifier, TlogProof, open_checkpoint
from ledger.tlog.transparency import Frontier, sign_checkpoint, subtree_keys

if TYPE_CHECKING:
    from eventsourcing.postgres import PostgresDatastore
    from eventsourcing.sqlite import SQLiteDatastore

    from keys import SigningKey

MAX_ATTEMPTS = 5


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
    notes: tuple[Lateness, ...]
    #: The inclusion proof against the checkpoint signed with this entry (None without a log key).
    proof: TlogProof | None = None

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
        raise MissingDocumentError("no_document_store", field=field)


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
            record: Record = self._ledger.repository.get(aggregate_id, deepcopy_from_cache=False)
        except AggregateNotFoundError:
            return None
        self.handed_out.append(aggregate_id)
        return record


class Ledger(Application[UUID]):
    """PAR Ledger: signed statements in, events with contiguous sequence numbers out."""

    name = "ledger"
    env: ClassVar[dict[str, str]] = {
        "PERSISTENCE_MODULE": Backend.MEMORY.persistence_module,
        # The cache is the ledger's working view; it is kept current on conflicts (see
        # `_catch_up`) instead of querying the database before every read.
        "AGGREGATE_CACHE_MAXSIZE": "20000",
        "AGGREGATE_CACHE_FASTFORWARD": "n",
    }
    log_section_size = 1000

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        documents: DocumentChecker | None = None,
        log_signer: NoteSigner | None = None,
    ) -> None:
        super().__init__(env)
        if not isinstance(self.recorder, LedgerRecorder):
            raise ConfigurationError("not_a_ledger_recorder", recorder=repr(self.recorder))
        self.ledger_recorder: LedgerRecorder = self.recorder
        self.documents = documents or RefuseDocuments()
        self.pinned_root_key_id = self.env.get("ROOT_KEY_ID") or None
        self._lock = threading.RLock()
        self.log_signer = log_signer
        self._head = self.ledger_recorder.max_seq()
        self._verifying_keys: dict[str, VerifyingKey] = {}
        # Loaded and checked on the first append, so a damaged log can still be read and verified.
        self._frontier: Frontier | None = None

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(EnvelopeAsDSSE())

    # Commands ---------------------------------------------------------------------------

    def append(self, envelope: Envelope, *, recorded_at: datetime | None = None) -> Receipt:
        """Verify, decide and append one envelope; raise a LedgerError and append nothing otherwise.

        `recorded_at` is for replays (verification), which must decide as the ledger did.
        """
        at = recorded_at or datetime.now(UTC)
        if envelope.stored:  # a replay of stored entries (verification) checks everything again
            envelope = envelope.as_submitted()
        # The first attempt trusts this process's view. If another process appended since,
        # the log's primary key refuses the save; the writer then takes the append lock,
        # catches up and decides again, and writers in different processes take turns, so
        # none starves.
        with self._lock:
            with self.ledger_recorder.first_attempt_lock():
                receipt = self._attempt_on_view(envelope, at)
            if receipt is not None:
                return receipt
            with self.ledger_recorder.append_lock():
                for _ in range(MAX_ATTEMPTS):
                    self._catch_up()
                    receipt = self._attempt_on_view(envelope, at)
                    if receipt is not None:
                        return receipt
            raise ConflictError("busy")

    def _attempt_on_view(self, envelope: Envelope, at: datetime) -> Receipt | None:
        """Decide and save on this process's view; None if another process appended first.

        A refusal saves nothing, so no key notices a stale view: before refusing, check
        that no other process appended since; if one did, the command is decided again.
        """
        try:
            return self._attempt(envelope, at)
        except _HeadMoved:
            return None
        except LedgerError:
            if self.ledger_recorder.max_seq() <= self._head:
                raise
            return None

    def _attempt(self, envelope: Envelope, at: datetime) -> Receipt:
        lookup = _CachedLookup(self)
        try:
            return self._try_append(envelope, lookup, at)
        except BaseException:
            self._forget(lookup.handed_out)
            raise

    def _try_append(self, envelope: Envelope, lookup: _CachedLookup, at: datetime) -> Receipt:
        actor = self._resolve_signer(envelope, lookup)
        statement = envelope.statement
        handler = HANDLERS.get(statement.type)
        if handler is None:
            raise BadStatementError("unknown_statement_type", field="type", type=statement.type)
        context = Context(envelope, actor, at, lookup, self.documents)
        try:
            record = handler(context)
        except LedgerError:
            # Whatever the handler objects to, a replayed envelope is named as a replay.
            self._refuse_replay(statement.nonce)
            raise
        (event,) = record.pending_events
        event_type = get_topic(type(event))
        seq = self._head + 1
        leaf = leaf_of(seq, event, event_type).to_bytes()  # type: ignore[arg-type]
        digest = leaf_hash(leaf)
        if self._frontier is None:
            self._frontier = self._load_frontier()
        growth = self._frontier.grow(digest)
        checkpoint = sign_checkpoint(self.log_signer, seq, growth.root()) if self.log_signer else None
        entry = LogEntry(
            seq,
            record.id,
            event.originator_version,
            statement.nonce,
            digest,
            growth.subtrees,
            checkpoint,
        )
        try:
            self.save(record, log_entry=entry)
        except IntegrityError:
            # The constraints decide what the cheap checks skipped: a replayed nonce (equal
            # payloads have equal nonces), a record created twice, or another process appending first.
            self._refuse_replay(statement.nonce)
            if event.originator_version == 1 and self.recorder.select_events(record.id, limit=1):
                raise ExistsError("subject_exists", field="subject", subject=statement.subject) from None
            raise _HeadMoved from None
        self._head = seq
        self._frontier = growth.frontier
        return Receipt(
            seq=seq,
            subject=statement.subject,
            statement_type=statement.type,
            event_type=event_type,
            aggregate_id=record.id,
            version=event.originator_version,
            recorded_at=event.timestamp,
            leaf_hash=entry.leaf_hash,
            notes=tuple(context.notes),
            proof=None if checkpoint is None else TlogProof(seq - 1, growth.proof(), checkpoint, extra=leaf),
        )

    def _refuse_replay(self, nonce: str) -> None:
        earlier = self.ledger_recorder.seq_of_nonce(nonce)
        if earlier is not None:
            raise ReplayError("replay", nonce=nonce, seq=earlier) from None

    def _resolve_signer(self, envelope: Envelope, lookup: Lookup) -> Actor:
        """Check the signature with the key the ledger holds for it; return the signer."""
        authority = lookup.get(AUTHORITY_SUBJECT)
        if authority is None:
            return self._resolve_founder(envelope)
        assert isinstance(authority, Authority)
        root = self._verifying_key(authority.root_public_key)
        if envelope.key_id == root.key_id:
            envelope.verify(root)
            statement = envelope.statement
            if statement.type == "ledger.initialise":
                raise ExistsError("already_initialised", field="type")
            if (statement.unit, statement.officer) != (AUTHORITY_UNIT, ROOT_OFFICER):
                raise SignerError("root_signs_as_authority", unit=AUTHORITY_UNIT, officer=ROOT_OFFICER)
            return Actor(AUTHORITY_UNIT, ROOT_OFFICER, root.key_id)
        key = lookup.get(f"key/{envelope.key_id}")
        if not isinstance(key, Key):
            raise SignatureError("unknown_key", key_id=envelope.key_id)
        if key.revocation is not None:
            raise SignatureError("revoked_key", key_id=envelope.key_id, revocation=key.revocation)
        verifying_key = self._verifying_key(key.public_key)
        assert verifying_key.key_id == envelope.key_id
        envelope.verify(verifying_key)
        statement = envelope.statement
        if statement.officer != key.officer:
            raise SignerError(
                "key_of_another_officer",
                field="officer",
                key_prefix=envelope.key_id[:24],
                owner=key.officer,
                officer=statement.officer,
            )
        officer = lookup.get(f"officer/{key.officer}")
        assert isinstance(officer, Officer)
        if statement.unit != officer.unit:
            raise SignerError(
                "unit_acts_for_itself",
                field="unit",
                officer=officer.officer_id,
                unit=officer.unit,
                other=statement.unit,
            )
        unit = lookup.get(f"unit/{officer.unit}")
        assert isinstance(unit, Unit)
        unit.check_active()
        return Actor(unit.code, officer.officer_id, envelope.key_id, officer.roles, unit)

    def _verifying_key(self, public_key: str) -> VerifyingKey:
        """A registered public key, parsed once (registration checked it)."""
        key = self._verifying_keys.get(public_key)
        if key is None:
            key = self._verifying_keys[public_key] = VerifyingKey.from_base64(public_key)
        return key

    def _resolve_founder(self, envelope: Envelope) -> Actor:
        """The first envelope initialises the ledger and is signed by the root key it names."""
        from keys import KeyFormatError, VerifyingKey

        statement = envelope.statement
        if statement.type != "ledger.initialise":
            raise NotInitialisedError("not_initialised", field="type")
        if statement.subject != AUTHORITY_SUBJECT or (statement.unit, statement.officer) != (
            AUTHORITY_UNIT,
            ROOT_OFFICER,
        ):
            raise BadStatementError(
                "founding_statement",
                field="subject",
                subject=AUTHORITY_SUBJECT,
                unit=AUTHORITY_UNIT,
                officer=ROOT_OFFICER,
            )
        body = AuthorityBody.parse(statement.body)
        try:
            root = VerifyingKey.from_base64(body.root_public_key)
        except KeyFormatError as exc:
            raise BadStatementError("malformed_root_key", field="body.root_public_key", detail=str(exc)) from None
        if root.key_id != envelope.key_id:
            raise SignatureError("founder_not_root")
        if self.pinned_root_key_id and root.key_id != self.pinned_root_key_id:
            raise SignatureError("root_not_pinned", key_id=root.key_id, pinned=self.pinned_root_key_id)
        envelope.verify(root)
        return Actor(AUTHORITY_UNIT, ROOT_OFFICER, root.key_id)

    def _catch_up(self) -> None:
        """Another process appended: drop what it changed from the cache and move the head."""
        changed = self.ledger_recorder.changed_since(self._head)
        self._forget([aggregate_id for _, aggregate_id in changed])
        if changed:
            self._head = changed[-1][0]
            self._frontier = None

    def _load_frontier(self) -> Frontier:
        """The stored tree's right edge at the head, checked against the last signed checkpoint.

        The ledger never signs a checkpoint that does not extend the ones it signed before:
        appends grow this frontier, and a frontier read from storage must first match the
        latest checkpoint, or the ledger refuses to append at all.
        """
        keys = subtree_keys(self._head)
        try:
            frontier = Frontier(self._head, self.ledger_recorder.tree_nodes(keys))
        except LookupError as exc:
            raise LogIntegrityError("tree_unreadable", detail=str(exc)) from None
        if self.log_signer is None:
            return frontier
        latest = self.ledger_recorder.latest_checkpoint()
        if latest is None:
            if self._head:
                raise LogIntegrityError("no_checkpoint_signed", size=self._head)
            return frontier
        size, note = latest
        if size > self._head:
            raise _HeadMoved  # another process appended: catch up, then load
        try:
            checkpoint = open_checkpoint(note, NoteVerifier(self.log_signer.vkey), origin=self.log_signer.name)
        except NoteError as exc:
            raise LogIntegrityError("checkpoint_unverified", detail=str(exc)) from None
        if (checkpoint.size, checkpoint.root) != (self._head, frontier.root()):
            raise LogIntegrityError("tree_does_not_extend", size=self._head, signed=size)
        return frontier

    def _forget(self, aggregate_ids: list[UUID]) -> None:
        cache = self.repository.cache
        if cache is None:
            return
        for aggregate_id in aggregate_ids:
            with contextlib.suppress(KeyError):
                cache.get(aggregate_id, evict=True)

    # Queries ----------------------------------------------------------------------------

    @property
    def backend(self) -> Backend:
        """Where this ledger is stored."""
        return self.ledger_recorder.backend

    @property
    def datastore(self) -> SQLiteDatastore | PostgresDatastore | None:
        """The library's datastore under this ledger's recorder (None in memory).

        The read models and the accounts live in the same database, through its pool.
        """
        datastore: SQLiteDatastore | PostgresDatastore | None = getattr(self.ledger_recorder, "datastore", None)
        return datastore

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
            raise SignatureError("unregistered_author", key_id=key.key_id)
        if record.revocation is not None:
            raise SignatureError("revoked_author", key_id=key.key_id, revocation=record.revocation)
        officer = self.get(f"officer/{record.officer}")
        assert isinstance(officer, Officer)
        return Author(key, officer.unit, officer.officer_id)

    def decoded(self, stored: StoredEvent) -> SignedEvent:
        """The event `stored` holds, as the library's mapper decodes it (every ledger event is signed)."""
        return cast("SignedEvent", self.mapper.to_domain_event(stored))

    def history(self, subject: str) -> list[SignedEvent]:
        """Every event about `subject`, oldest first."""
        return list(self.events.get(subject_id(subject)))  # type: ignore[arg-type]

    def entries(self, start: int = 1, stop: int | None = None) -> Iterator[Entry]:
        """Stored entries from `start` to `stop` (inclusive), decoded, in ledger order."""
        for row in self.logged(start, stop):
            if row.stored is not None:
                yield Entry(row.seq, self.decoded(row.stored), row.leaf_hash)

    def logged(self, start: int = 1, stop: int | None = None) -> Iterator[LoggedEvent]:
        """Log rows from `start` to `stop` (inclusive) with their stored events, page by page."""
        position = start
        while stop is None or position <= stop:
            limit = self.log_section_size if stop is None else min(self.log_section_size, stop - position + 1)
            rows = self.ledger_recorder.select_logged(position, limit)
            yield from rows
            if len(rows) < limit:
                return
            position = rows[-1].seq + 1


class _HeadMoved(Exception):
    """Internal: another process appended first; decide again."""
