"""Storage: what the ledger writes survives, stays in order, and nothing refused is kept.

Every test here runs on SQLite and on PostgreSQL (the `database_url` fixture). A second
`Ledger` on the same database stands for a second process. Rows are counted with plain
SQL on the ledger's own tables, as an operator would, never through the ledger.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from backends import SQLPrompt, at_once
from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool, SQLiteDatastore
from eventsourcing.utils import get_topic
from world import PDF, World, key_for

from ledger.application import Ledger, leaf_of
from ledger.domain.registry import Key, Unit
from ledger.domain.submissions import Submission
from ledger.errors import (
    DuplicateError,
    LedgerError,
    NotAuthorizedError,
    NotFoundError,
    PayloadError,
    ReplayError,
    RuleError,
    SignatureError,
)
from ledger.storage.config import persistence_env
from ledger.storage.documents import DocumentStore
from ledger.storage.errors import ConfigurationError
from ledger.storage.sqlite import SQLiteLedgerRecorder

OpenLedger = Callable[[], Ledger]


class Tables(SQLPrompt):
    """Plain SQL on the ledger's stored events and log rows (SQLite file or PostgreSQL schema)."""

    def count(self) -> tuple[int, int]:
        """(stored events, log rows)."""
        ((events,),) = self.run("SELECT COUNT(*) FROM {events}")
        ((rows,),) = self.run("SELECT COUNT(*) FROM {log}")
        return events, rows

    def seqs(self) -> list[int]:
        """The log's sequence numbers, in order."""
        return [row[0] for row in self.run("SELECT seq FROM {log} ORDER BY seq")]


@pytest.fixture
def tables(database_url: str) -> Tables:
    """Direct SQL access to the test database."""
    return Tables(database_url)


def register_unit(world: World, code: str) -> Any:
    """The root registers a department `code`."""
    return world.append(
        "root",
        "unit.register",
        f"unit/{code}",
        {"name": f"Sở thử nghiệm {code}", "class": "department", "functions": []},
    )


# Durability and order ------------------------------------------------------------------


def test_entries_survive_reopening_with_same_head_records_and_leaf_hashes(open_ledger: OpenLedger) -> None:
    first = open_ledger()
    world = World.build(first)
    published = world.publish_par_2024()
    before = [(e.seq, e.leaf_hash, e.event.originator_id, e.event.originator_version) for e in first.entries()]
    payloads = [e.envelope.payload for e in first.entries()]
    first.close()

    reopened = open_ledger()

    assert reopened.head == published.seq == len(before)
    after = [(e.seq, e.leaf_hash, e.event.originator_id, e.event.originator_version) for e in reopened.entries()]
    assert after == before
    assert after[-1][1] == published.leaf_hash  # the receipt's leaf hash is what a new process reads
    assert [e.envelope.payload for e in reopened.entries()] == payloads
    for entry in reopened.entries():
        assert leaf_of(entry.seq, entry.event, get_topic(type(entry.event))).hash() == entry.leaf_hash
    snv = reopened.get("unit/SNV")
    assert isinstance(snv, Unit)
    assert (snv.name, snv.head) == ("Sở Nội vụ", "snv.giam-doc")
    results = reopened.get("submission/index-results/PAR_UNIT/2024")
    assert isinstance(results, Submission)
    assert {row.unit: str(row.score) for row in results.current.results}["STC"] == "72.25"
    assert reopened.author(key_for("hy.chuyen-vien")).unit == "323"


def test_sequence_numbers_are_contiguous_from_one_and_equal_the_log(ledger: Ledger, tables: Tables) -> None:
    world = World.build(ledger)
    world.publish_par_2024()

    seqs = [entry.seq for entry in ledger.entries()]

    assert seqs == list(range(1, ledger.head + 1))
    assert tables.seqs() == seqs
    assert tables.count() == (ledger.head, ledger.head)
    assert ledger.ledger_recorder.select_unlogged() == []


# SQLite durability settings (SQLite only) ----------------------------------------------


def test_sqlite_runs_every_pooled_connection_with_synchronous_full_and_wal(tmp_path: Path) -> None:
    ledger = Ledger(env=persistence_env(f"sqlite:///{tmp_path / 'ledger.sqlite3'}"))
    try:
        World.build(ledger)
        pool = ledger.recorder.datastore.pool  # type: ignore[attr-defined]
        held = [pool.get_connection(is_writer=False) for _ in range(3)]
        try:
            assert len({id(connection) for connection in held}) == 3
            for connection in held:
                cursor = connection.cursor()
                cursor.execute("PRAGMA synchronous")
                assert cursor.fetchone()[0] == 2  # FULL
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone()[0] == "wal"
        finally:
            for connection in held:
                pool.put_connection(connection)
    finally:
        ledger.close()


class _NormalSyncPool(SQLiteConnectionPool):
    """A pool configured as the library leaves it open to: synchronous=NORMAL."""

    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        connection.cursor().execute("PRAGMA synchronous=NORMAL")
        return connection


def test_sqlite_recorder_refuses_to_open_below_synchronous_full(tmp_path: Path) -> None:
    datastore = SQLiteDatastore(db_name=str(tmp_path / "ledger.sqlite3"))
    datastore.pool.close()
    datastore.pool = _NormalSyncPool(db_name=str(tmp_path / "ledger.sqlite3"))
    try:
        with pytest.raises(ConfigurationError, match=r"synchronous is 1; the ledger needs FULL"):
            SQLiteLedgerRecorder(datastore)
    finally:
        datastore.close()


# Two processes ---------------------------------------------------------------------------


def test_two_processes_appending_alternately_both_succeed_and_see_each_other(
    open_ledger: OpenLedger, tables: Tables
) -> None:
    a = World.build(open_ledger())
    b = World(open_ledger(), a.authors)  # opened now; every append below leaves the other one stale
    start = a.ledger.head

    receipts = []
    for i in range(6):
        world = a if i % 2 == 0 else b
        receipts.append(register_unit(world, f"ALT{i}"))

    assert [r.seq for r in receipts] == list(range(start + 1, start + 7))
    for i in range(6):
        for ledger in (a.ledger, b.ledger):
            unit = ledger.get(f"unit/ALT{i}")
            assert isinstance(unit, Unit), f"unit/ALT{i} not seen by {ledger}"
    assert a.ledger.refresh() == b.ledger.refresh() == start + 6
    assert tables.seqs() == list(range(1, start + 7))
    assert tables.count() == (start + 6, start + 6)


def test_two_processes_taking_turns_a_hundred_times_always_catch_up_and_land(
    open_ledger: OpenLedger, tables: Tables
) -> None:
    """Every append starts stale, so each is refused once by the log's key and retried.

    On PostgreSQL the refusal must surface as the constraint it is, however the pipelined
    results arrive (it once surfaced as "pipeline aborted" at the commit, a few times in a hundred).
    """
    a = World.build(open_ledger())
    b = World(open_ledger(), a.authors)
    start = a.ledger.head

    landed = [register_unit(a if i % 2 == 0 else b, f"TURN{i}").seq for i in range(100)]

    assert landed == list(range(start + 1, start + 101))
    assert tables.seqs() == list(range(1, start + 101))
    assert a.ledger.refresh() == b.ledger.refresh() == start + 100


def test_a_writer_holding_the_append_lock_goes_first_and_the_others_wait_for_it(
    open_ledger: OpenLedger, tables: Tables
) -> None:
    """On PostgreSQL a first attempt takes no lock: its insert must defer to the lock's holder."""
    a = World.build(open_ledger())
    b = World(open_ledger(), a.authors)
    counts = tables.count()
    landed: dict[str, int] = {}
    waiting = threading.Thread(target=lambda: landed.setdefault("b", register_unit(b, "WAITS").seq))

    with a.ledger.ledger_recorder.append_lock():
        waiting.start()
        waiting.join(timeout=1.0)  # time enough to land, were it not waiting
        assert waiting.is_alive()
        assert tables.count() == counts
        landed["a"] = register_unit(a, "HOLDS").seq
    waiting.join(timeout=30)

    assert not waiting.is_alive()
    assert landed["b"] == landed["a"] + 1
    assert tables.seqs() == list(range(1, landed["b"] + 1))


def test_a_stale_process_decides_against_the_ledger_as_it_stands(open_ledger: OpenLedger, tables: Tables) -> None:
    """B's cached view of a key predates its revocation by A: B must not use or revoke it again."""
    a = World.build(open_ledger())
    b = World(open_ledger(), a.authors)
    officer_key = key_for("hy.chuyen-vien")
    subject = f"key/{officer_key.key_id}"
    assert isinstance(b.ledger.get(subject), Key)  # now in B's cache, valid

    revoked = a.append("hy.chu-tich", "key.revoke", subject, {"reason": "Cán bộ chuyển công tác"})
    counts = tables.count()

    with pytest.raises(RuleError, match="already revoked"):
        b.append("hy.chu-tich", "key.revoke", subject, {"reason": "Thu hồi lần hai"})
    with pytest.raises(SignatureError, match="revoked"):
        b.append("hy.chuyen-vien", "unit.rename", "unit/323", {"name": "Thành phố Hưng Yên mới"})

    assert tables.count() == counts
    assert b.ledger.head == revoked.seq
    key = b.ledger.get(subject)
    assert isinstance(key, Key)
    assert key.revocation is not None


def test_concurrent_appends_from_threads_on_two_processes_are_all_kept_in_contiguous_order(
    open_ledger: OpenLedger, tables: Tables
) -> None:
    a = World.build(open_ledger())
    b = World(open_ledger(), a.authors)
    start = a.ledger.head
    writers, per_writer = 4, 10  # two threads on each process
    barrier = threading.Barrier(writers)
    accepted: list[Any] = []
    failed: list[BaseException] = []
    record = threading.Lock()

    def write(world: World, writer: int) -> None:
        barrier.wait()
        for i in range(per_writer):
            try:
                receipt = register_unit(world, f"W{writer}N{i}")
            except BaseException as exc:  # every outcome is recorded, none is lost
                with record:
                    failed.append(exc)
            else:
                with record:
                    accepted.append(receipt)

    threads = [threading.Thread(target=write, args=(a if w % 2 == 0 else b, w)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    total = writers * per_writer
    assert failed == []
    assert len(accepted) == total
    assert sorted(r.seq for r in accepted) == list(range(start + 1, start + total + 1))
    assert len({r.aggregate_id for r in accepted}) == total
    assert tables.seqs() == list(range(1, start + total + 1))
    assert tables.count() == (start + total, start + total)
    ((distinct,),) = tables.run("SELECT COUNT(DISTINCT nonce) FROM {log}")
    assert distinct == start + total
    fresh = open_ledger()
    assert fresh.head == start + total
    assert all(isinstance(fresh.get(f"unit/W{w}N{i}"), Unit) for w in range(writers) for i in range(per_writer))


def test_an_envelope_replayed_to_another_process_is_refused_and_nothing_is_appended(
    open_ledger: OpenLedger, tables: Tables
) -> None:
    a = World.build(open_ledger())
    b = World(open_ledger(), a.authors)
    envelope = a.envelope("root", "unit.register", "unit/REPLAY", {"name": "Đơn vị phát lại", "class": "department"})
    first = a.ledger.append(envelope)
    counts = tables.count()

    with pytest.raises(ReplayError, match=f"already appended as entry {first.seq}"):
        b.ledger.append(envelope)
    with pytest.raises(ReplayError):
        a.ledger.append(envelope)

    assert tables.count() == counts
    assert b.ledger.refresh() == a.ledger.head == first.seq


# Refusals leave nothing behind ---------------------------------------------------------


def _bad_body(world: World) -> Any:
    return world.envelope("root", "unit.register", "unit/BAD", {"name": "Đơn vị", "class": "galaxy"})


def _duplicate(world: World) -> Any:
    return world.envelope("root", "unit.register", "unit/SNV", {"name": "Sở Nội vụ", "class": "department"})


def _other_unit(world: World) -> Any:
    return world.envelope("hy.chuyen-vien", "cycle.open", "cycle/2025", {"deadlines": {}})


def _unregistered_key(world: World) -> Any:
    from ledger.signing.envelope import Author

    return Author(key_for("stranger"), "SNV", "snv.giam-doc").sign("cycle.open", "cycle/2025", {"deadlines": {}})


def _unknown_subject(world: World) -> Any:
    return world.envelope("root", "unit.rename", "unit/KHONG-CO", {"name": "Không có"})


@pytest.mark.parametrize(
    ("make", "error", "field"),
    [
        pytest.param(_bad_body, PayloadError, "body.class", id="bad-body"),
        pytest.param(_duplicate, DuplicateError, None, id="duplicate"),
        pytest.param(_other_unit, NotAuthorizedError, None, id="not-authorized"),
        pytest.param(_unregistered_key, SignatureError, None, id="unregistered-key"),
        pytest.param(_unknown_subject, NotFoundError, None, id="unknown-subject"),
    ],
)
def test_a_refused_command_leaves_no_stored_event_and_no_log_row(
    ledger: Ledger,
    tables: Tables,
    make: Callable[[World], Any],
    error: type[LedgerError],
    field: str | None,
) -> None:
    world = World.build(ledger)
    counts = tables.count()
    head = ledger.head

    with pytest.raises(error) as refused:
        ledger.append(make(world))

    if field is not None:
        assert refused.value.field == field
    assert tables.count() == counts
    assert tables.seqs() == list(range(1, head + 1))
    assert ledger.head == head
    assert register_unit(world, "AFTER").seq == head + 1  # and the ledger carries on


# Documents ----------------------------------------------------------------------------


def test_a_stored_document_is_referenced_by_a_submission_and_a_missing_one_is_refused(
    ledger: Ledger, documents: DocumentStore, tables: Tables
) -> None:
    world = World.build(ledger)
    ref = documents.put(PDF, "Báo cáo CCHC 2024.pdf")
    body = {"title": "Báo cáo kết quả CCHC năm 2024", "issued_on": "2024-12-15", "document": ref.to_json()}

    receipt = world.append("hy.chuyen-vien", "submission.document", "submission/document/323/2024/bao-cao", body)

    submission = ledger.get("submission/document/323/2024/bao-cao")
    assert isinstance(submission, Submission)
    assert submission.current.document == ref
    assert ref.sha256 == hashlib.sha256(PDF).hexdigest()
    assert documents.read(ref.sha256) == PDF
    assert receipt.seq == ledger.head

    counts = tables.count()
    missing = dict(ref.to_json(), sha256=hashlib.sha256(b"never uploaded").hexdigest())
    with pytest.raises(NotFoundError, match="was not uploaded") as refused:
        world.append(
            "hy.chuyen-vien",
            "submission.document",
            "submission/document/323/2024/thieu",
            dict(body, document=missing),
        )
    assert refused.value.field == "body.document"
    assert str(refused.value).startswith("body.document: ")

    wrong_size = dict(ref.to_json(), size=ref.size + 1)
    with pytest.raises(PayloadError) as refused:
        world.append(
            "hy.chuyen-vien",
            "submission.document",
            "submission/document/323/2024/sai-kich-thuoc",
            dict(body, document=wrong_size),
        )
    assert refused.value.field == "body.document.size"
    assert tables.count() == counts


def test_processes_starting_together_on_a_new_database_all_open_the_ledger_and_its_views(
    open_ledger: OpenLedger,
) -> None:
    """Like gunicorn's workers: each creates the tables it needs, and they take turns doing it."""
    from projections import open_views

    def start() -> Ledger:
        ledger = open_ledger()
        open_views(ledger)
        return ledger

    opened, failures = at_once(start, 4)

    assert failures == []
    assert len(opened) == 4
    World.build(opened[0])
    assert {ledger.refresh() for ledger in opened} == {opened[0].head}
