"""Keeping the views current, rebuilding them, and replaying the ledger as of any point.

Both backends are pulled, not pushed (SQLite has no subscriptions): `catch_up` reads the
ledger after the views' position, a batch at a time, and applies each batch with its
new position in one transaction. The web and the CLI call it right after each append, so
a reader sees their own write.

Positions are the ledger's sequence numbers (``ledger_log.seq``), read with
`LedgerRecorder.select_logged`, which returns each entry's stored event and leaf hash in
one query. The library's notification ids are not used as positions: on PostgreSQL they
come from a sequence that a refused append still consumes, so they can skip numbers,
while sequence numbers are contiguous and are what receipts, checkpoints and replays
name.

Reading streams: one batch of entries is in memory at a time, so the memory a rebuild
needs does not grow with the length of the ledger.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper

from ledger.domain.local_time import LOCAL_TIME
from ledger.errors import LogIntegrityError
from ledger.storage.config import Backend
from ledger.storage.transcodings import EnvelopeAsDSSE
from projections.errors import PositionMoved, ViewRequestError
from projections.rows import Fact, fact_of, fact_of_state
from projections.views import Views

if TYPE_CHECKING:
    from ledger.application import Ledger
    from ledger.storage.persistence import LoggedEvent

#: Entries per batch (one transaction each). Larger batches write each table page they touch
#: once for many entries: at 500 a rebuild wrote five times as many pages as at 5,000. The
#: memory a batch needs is bounded by this, not by the ledger's length.
BATCH = 5_000
#: Entries read per page when scanning the ledger's times backwards (`position_as_of`).
TIMES_PAGE = 500
#: How many times a batch is prepared again after another process moved the views first.
MAX_RETRIES = 100

Progress = Callable[[int], None]


def open_views(ledger: Ledger) -> Views:
    """The views of `ledger`, in its own database (created if needed; not caught up).

    SQLite: the same file, through the ledger's connection pool. PostgreSQL: the same
    database and schema, through the ledger's pool. In memory (`Backend.MEMORY`): a
    private in-memory SQLite database, unique to this call.
    """
    views: Views
    datastore = ledger.datastore
    if ledger.backend is Backend.SQLITE:
        from eventsourcing.sqlite import SQLiteDatastore

        from projections.sqlite import SQLiteViews

        assert isinstance(datastore, SQLiteDatastore)
        views = SQLiteViews(datastore, application_name=ledger.name)
    elif ledger.backend is Backend.POSTGRESQL:
        from eventsourcing.postgres import PostgresDatastore

        from projections.postgres import PostgresViews

        assert isinstance(datastore, PostgresDatastore)
        views = PostgresViews(datastore, application_name=ledger.name)
    else:
        from projections.sqlite import SQLiteViews

        return SQLiteViews.in_memory(f"views-{uuid.uuid4().hex}", application_name=ledger.name)
    # Processes that start together take turns, as for the ledger's own tables: the first
    # creates (or replaces) the tables, the others find them made.
    with ledger.ledger_recorder.append_lock():
        views.prepare()
    return views


def catch_up(
    ledger: Ledger,
    views: Views,
    *,
    batch: int = BATCH,
    stop: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Apply every entry after the views' position (up to `stop`); return how many were applied.

    Each batch of at most `batch` entries is written with its position in one
    transaction: if the process dies, the views stay at the last batch committed and
    the next call resumes from there. `progress` is called with the position after each
    batch is committed.
    """
    if batch < 1:
        raise ViewRequestError("batch_too_small")
    applied = 0
    retries = 0
    while True:
        start = views.position()
        if stop is not None and start >= stop:
            return applied
        limit = batch if stop is None else min(batch, stop - start)
        try:
            with _cyclic_gc_paused():
                reached = _apply_batch(ledger, views, start, limit)
        except PositionMoved:
            retries += 1
            if retries > MAX_RETRIES:
                raise
            continue
        if reached is None:
            return applied
        applied += reached - start
        if progress is not None:
            progress(reached)


def _apply_batch(ledger: Ledger, views: Views, start: int, limit: int) -> int | None:
    """Apply the entries after `start` (at most `limit`); return the position reached (None: no entries)."""
    logged = ledger.ledger_recorder.select_logged(start + 1, limit)
    if not logged:
        return None
    plain = _plain_json(ledger.mapper)
    facts = [_fact(ledger, row, start + n, plain) for n, row in enumerate(logged, 1)]
    views.apply(facts, start, facts[-1].seq)
    return facts[-1].seq


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused, if it runs, while a batch is prepared and applied.

    A batch's entries, facts and rows (some hundred thousand objects) live until it is
    written, and the collector scanned them over and over: a tenth of a rebuild's time,
    for objects that hold no reference cycles and that reference counting frees. It runs
    again between batches and collects whatever cycle a batch left. (The pause is
    process-wide: other threads go without the collector for as long as a batch takes.)
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _fact(ledger: Ledger, row: LoggedEvent, expected: int, plain: bool | None = None) -> Fact:
    """The fact of one logged entry: read from its stored bytes when they are `plain` JSON, else
    from the event the ledger's mapper decodes."""
    if row.seq != expected:
        raise LogIntegrityError("log_gap", last=expected - 1, seq=row.seq)
    stored = row.stored
    if stored is None:
        raise LogIntegrityError("event_missing", seq=row.seq)
    if plain is None:
        plain = _plain_json(ledger.mapper)
    if plain:
        fact = fact_of_state(row.seq, row.leaf_hash, stored.topic, stored.state)
        if fact is not None:
            return fact
    return fact_of(row.seq, row.leaf_hash, stored.topic, ledger.mapper.to_domain_event(stored))


def _plain_json(mapper: Mapper[Any]) -> bool:
    """Whether stored states are the library's JSON as is (not compressed, not encrypted), with the
    ledger's encodings of times and envelopes: then facts are read straight from the stored bytes."""
    transcoder = mapper.transcoder
    return (
        mapper.cipher is None
        and mapper.compressor is None
        and isinstance(transcoder, JSONTranscoder)
        and isinstance(transcoder.names.get("dsse"), EnvelopeAsDSSE)
        and isinstance(transcoder.names.get("datetime_iso"), DatetimeAsISO)
    )


def rebuild(ledger: Ledger, views: Views, *, batch: int = BATCH, progress: Progress | None = None) -> int:
    """Rebuild every view from the first entry; return how many entries were applied.

    The entries go into the store `views.rebuilding()` gives: on PostgreSQL the views
    themselves, emptied first (their COPY runs in the server, beside the Python that
    prepares the next batch); on SQLite a scratch file they take over whole. Then the
    views catch up with what was appended meanwhile.
    """
    with views.rebuilding() as target:
        applied = catch_up(ledger, target, batch=batch, progress=progress)
    return applied + catch_up(ledger, views, batch=batch, progress=progress)


def replay(
    ledger: Ledger,
    *,
    position: int | None = None,
    as_of: date | datetime | None = None,
    batch: int = BATCH,
    into: str | Path | None = None,
) -> Views:
    """The views as they stood at `position`, or as of `as_of`, built in a throwaway store.

    `as_of` uses the ledger's own recorded times: the views at the last entry recorded
    no later than that moment (a date means the end of that day in Hưng Yên). The live
    views are not touched. The store is an in-memory SQLite database unique to this
    call, or, for ledgers whose views would not fit in memory, a new SQLite file `into`
    (the caller removes it). Close the returned views (or use them in a ``with`` block).
    """
    if position is not None and as_of is not None:
        raise ViewRequestError("position_and_moment")
    head = ledger.ledger_recorder.max_seq()
    if as_of is not None:
        position = position_as_of(ledger, as_of)
    elif position is None:
        position = head
    if not 0 <= position <= head:
        raise ViewRequestError("position_outside_ledger", position=position, head=head)
    from projections.sqlite import SQLiteViews

    if into is None:
        views = SQLiteViews.in_memory(f"replay-{uuid.uuid4().hex}", application_name=ledger.name)
    else:
        views = SQLiteViews.in_file(Path(into), application_name=ledger.name)
    try:
        catch_up(ledger, views, batch=batch, stop=position)
    except BaseException:
        views.close()
        raise
    return views


def end_of(as_of: date | datetime) -> datetime:
    """The moment `as_of` names: a date is the end of that day in Hưng Yên; a datetime must be aware."""
    if isinstance(as_of, datetime):
        if as_of.tzinfo is None or as_of.utcoffset() is None:
            raise ViewRequestError("moment_without_zone")
        return as_of.astimezone(UTC)
    return datetime.combine(as_of, time.max, tzinfo=LOCAL_TIME).astimezone(UTC)


def position_as_of(ledger: Ledger, as_of: date | datetime) -> int:
    """The last entry whose server time is no later than `as_of` (0 if none).

    Scans from the head backwards and stops at the first entry recorded by then, so it
    reads only the entries recorded after that moment.
    """
    moment = end_of(as_of)
    for seq, recorded_at in _times_backwards(ledger):
        if recorded_at <= moment:
            return seq
    return 0


def _times_backwards(ledger: Ledger, page: int = TIMES_PAGE) -> Iterator[tuple[int, datetime]]:
    stop = ledger.ledger_recorder.max_seq()
    while stop >= 1:
        start = max(1, stop - page + 1)
        rows = ledger.ledger_recorder.select_logged(start, stop - start + 1)
        for row in reversed(rows):
            if row.stored is None:
                raise LogIntegrityError("event_missing", seq=row.seq)
            yield row.seq, ledger.decoded(row.stored).timestamp
        stop = start - 1
