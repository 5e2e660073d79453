"""Verification against an insider: bytes changed, rows deleted, inserted or swapped in the database.

Each test builds a province with published results and a computed and decided rating,
then changes the database directly with sqlite3 or psycopg — as someone with database
access but no registered key would — and checks that `verify_ledger`, run by a new
process, names the first faulty entry and says what is wrong with it. Runs on SQLite
and on PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from backends import SQLPrompt
from eventsourcing.persistence import StoredEvent
from world import World, key_for

from ledger.application import Ledger, Receipt, leaf_of
from ledger.domain.handlers import gather_inputs
from ledger.domain.ratings import Rating, RuleSet
from ledger.domain.rules import evaluate
from ledger.signing.envelope import Author
from ledger.storage.documents import DocumentStore
from ledger.verify import Fault, verify_ledger

OpenLedger = Callable[[], Ledger]
RESULTS_PUBLISHED = datetime(2024, 10, 1, 2, 0, tzinfo=UTC)
COMPUTED = datetime(2024, 11, 8, 3, 0, tzinfo=UTC)
DECIDED = datetime(2024, 11, 12, 3, 0, tzinfo=UTC)
CYCLE_2025 = {
    "deadlines": {
        "results_published": "2025-11-01",
        "results_transmitted": "2025-11-05",
        "ratings_published": "2025-11-15",
    }
}


class Database(SQLPrompt):
    """Direct access to the ledger's events and log rows, the way an insider with a SQL prompt has it."""

    def position(self, seq: int) -> tuple[Any, int]:
        """(stored originator id, version) of the event at `seq`."""
        ((originator_id, version),) = self.run("SELECT originator_id, originator_version FROM {log} WHERE seq = ?", seq)
        return originator_id, version

    def state(self, seq: int) -> bytes:
        """The stored bytes of the event at `seq`."""
        ((state,),) = self.run(
            "SELECT state FROM {events} WHERE originator_id = ? AND originator_version = ?", *self.position(seq)
        )
        return bytes(state)

    def set_state(self, seq: int, state: bytes) -> None:
        """Overwrite the stored bytes of the event at `seq`."""
        self.run(
            "UPDATE {events} SET state = ? WHERE originator_id = ? AND originator_version = ?",
            state,
            *self.position(seq),
        )

    def delete_event(self, seq: int) -> None:
        """Delete the stored event at `seq`, keeping its log row."""
        self.run("DELETE FROM {events} WHERE originator_id = ? AND originator_version = ?", *self.position(seq))

    def delete_log_row(self, seq: int) -> None:
        """Delete the log row `seq`, keeping its stored event."""
        self.run("DELETE FROM {log} WHERE seq = ?", seq)

    def swap_log_rows(self, a: int, b: int) -> None:
        """Give log rows `a` and `b` each other's sequence numbers."""
        self.run("UPDATE {log} SET seq = ? WHERE seq = ?", -a, a)
        self.run("UPDATE {log} SET seq = ? WHERE seq = ?", a, b)
        self.run("UPDATE {log} SET seq = ? WHERE seq = ?", b, -a)

    def insert_event(self, stored: StoredEvent) -> None:
        """Add a stored event row (the library's other columns fill themselves)."""
        self.run(
            "INSERT INTO {events} (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
            self.oid(stored.originator_id),
            stored.originator_version,
            stored.topic,
            stored.state,
        )

    def insert_log_row(self, seq: int, stored: StoredEvent, nonce: str, leaf: bytes) -> None:
        """Add a log row giving `stored` the position `seq` (and no Merkle subtrees above its leaf)."""
        self.run(
            "INSERT INTO {log} VALUES (?, ?, ?, ?, ?, ?)",
            seq,
            self.oid(stored.originator_id),
            stored.originator_version,
            nonce,
            leaf,
            b"",
        )

    def max_seq(self) -> int:
        ((seq,),) = self.run("SELECT MAX(seq) FROM {log}")
        return int(seq)


@pytest.fixture
def database(database_url: str) -> Database:
    """The test database, opened behind the ledger's back."""
    return Database(database_url)


def rate_head(world: World, unit: str = "323") -> tuple[Receipt, Receipt]:
    """SNV computes the head's 2024 rating under rule set v1; the committee decides it."""
    ledger = world.ledger
    ruleset = ledger.get("ruleset/v1")
    assert isinstance(ruleset, RuleSet)
    head = ledger.get(f"unit/{unit}").head  # type: ignore[union-attr]
    inputs, missing = gather_inputs(ledger, 2024, unit, ruleset)  # type: ignore[arg-type]
    level = evaluate(ruleset.parameters, inputs, missing).level
    computed = world.append(
        "snv.chuyen-vien",
        "rating.compute",
        f"rating/2024/{unit}",
        {
            "officer": head,
            "ruleset": "v1",
            "inputs": [item.to_json() for item in inputs],
            "missing": list(missing),
            "level": level,
        },
        recorded_at=COMPUTED,
    )
    decided = world.append(
        "ubnd.chu-tich",
        "rating.decide",
        f"rating/2024/{unit}",
        {"level": level, "decision": "QĐ 456/QĐ-UBND"},
        recorded_at=DECIDED,
    )
    return computed, decided


@pytest.fixture
def world(ledger: Ledger) -> World:
    """A province with published 2024 results and a computed, decided head's rating for 323."""
    world = World.build(ledger)
    world.publish_par_2024(recorded_at=RESULTS_PUBLISHED)
    rate_head(world)
    return world


@pytest.fixture
def published(world: World) -> int:
    """The sequence number of SNV's published PAR_UNIT 2024 results."""
    return next(
        entry.seq
        for entry in world.ledger.entries()
        if entry.envelope.statement.subject == "submission/index-results/PAR_UNIT/2024"
    )


def inspect(open_ledger: OpenLedger) -> list[Fault]:
    """Verify as an inspector does: from a process that never saw the ledger before."""
    return verify_ledger(open_ledger())


def reasons_at(faults: list[Fault], seq: int | None) -> str:
    """Every reason given for `seq`, one per line."""
    return "\n".join(fault.reason for fault in faults if fault.seq == seq)


def assert_first_fault(faults: list[Fault], seq: int, *reasons: str) -> None:
    """The first fault is at `seq`, says each of `reasons`, and nothing before `seq` is blamed."""
    assert faults, "tampering went unnoticed"
    assert faults[0].seq == seq, faults
    assert all(fault.seq is None or fault.seq >= seq for fault in faults), faults
    for reason in reasons:
        assert reason in reasons_at(faults, seq), faults


# A ledger as written verifies --------------------------------------------------------------


def test_a_province_with_results_and_a_decided_rating_verifies_without_faults(
    world: World, open_ledger: OpenLedger
) -> None:
    rating = world.ledger.get("rating/2024/323")
    assert isinstance(rating, Rating)
    assert rating.status == "decided"

    assert verify_ledger(world.ledger) == []
    assert inspect(open_ledger) == []


# One byte changed in a stored event --------------------------------------------------------


def _inside(marker: bytes, offset: int) -> Callable[[bytes], int]:
    def locate(state: bytes) -> int:
        start = state.index(marker)
        return start + len(marker) + offset

    return locate


def _flip_base64(byte: int) -> int:
    return ord("B") if byte != ord("B") else ord("C")


def _next_digit(byte: int) -> int:
    assert chr(byte).isdigit()
    return ord(str((int(chr(byte)) + 1) % 10))


@pytest.mark.parametrize(
    ("locate", "change", "reasons"),
    [
        pytest.param(
            _inside(b'"payload":"', 40),
            _flip_base64,
            ("does not match its leaf hash", "SignatureError", "does not verify"),
            id="payload-base64",
        ),
        pytest.param(
            _inside(b'"sig":"', 10),
            _flip_base64,
            ("does not match its leaf hash", "SignatureError", "does not verify"),
            id="signature-base64",
        ),
        pytest.param(
            # the seconds of 2024-10-01T02:00:00+00:00
            _inside(b'"timestamp":{"_type_":"datetime_iso","_data_":"', 18),
            _next_digit,
            ("does not match its leaf hash",),
            id="timestamp",
        ),
        pytest.param(
            _inside(b'"timestamp"', 0),  # the colon after the key
            lambda byte: ord(";"),
            ("cannot be decoded",),
            id="json-structure",
        ),
    ],
)
def test_one_changed_byte_in_a_stored_event_is_named_with_its_entry(
    world: World,
    published: int,
    database: Database,
    open_ledger: OpenLedger,
    locate: Callable[[bytes], int],
    change: Callable[[int], int],
    reasons: tuple[str, ...],
) -> None:
    state = bytearray(database.state(published))
    position = locate(bytes(state))
    state[position] = change(state[position])
    database.set_state(published, bytes(state))

    faults = inspect(open_ledger)

    assert_first_fault(faults, published, *reasons)


def test_an_entry_backdated_by_a_day_breaks_only_its_own_leaf(
    world: World, published: int, database: Database, open_ledger: OpenLedger
) -> None:
    state = database.state(published)
    database.set_state(published, state.replace(b"2024-10-01T02:00:00", b"2024-09-30T02:00:00"))

    faults = inspect(open_ledger)

    assert faults == [Fault(published, "the stored event does not match its leaf hash (changed after it was appended)")]


# Events forged with a key that is not (or no longer) valid -------------------------------


def _forge(
    documents: DocumentStore, prepare: Callable[[World], None], signer: Author, subject: str, body: dict[str, Any]
) -> StoredEvent:
    """A stored event made by the ledger's own code, in a throwaway ledger where `signer` may sign."""
    shadow = World.build(Ledger(documents=documents))
    try:
        prepare(shadow)
        receipt = shadow.append(signer, "cycle.open", subject, body)
        (stored,) = shadow.ledger.recorder.select_events(
            receipt.aggregate_id, gt=receipt.version - 1, lte=receipt.version
        )
    finally:
        shadow.ledger.close()
    return stored


def _insert_as_next_entry(ledger: Ledger, database: Database, stored: StoredEvent) -> int:
    """Insert `stored` with a correct log row after the last entry: only the key is wrong."""
    seq = database.max_seq() + 1
    event = ledger.mapper.to_domain_event(stored)
    envelope = event.envelope  # type: ignore[attr-defined]
    leaf = leaf_of(seq, event, stored.topic).hash()  # type: ignore[arg-type]
    database.insert_event(stored)
    database.insert_log_row(seq, stored, envelope.statement.nonce, leaf)
    return seq


def test_an_event_signed_by_an_unregistered_key_is_named(
    world: World, database: Database, documents: DocumentStore, open_ledger: OpenLedger
) -> None:
    stolen_name = key_for("ke-gia-mao")

    def register_forgers_key(shadow: World) -> None:
        shadow.append(
            "root",
            "key.register",
            f"key/{stolen_name.key_id}",
            {"public_key": stolen_name.verifying_key.base64, "officer": "snv.giam-doc"},
        )

    forger = Author(stolen_name, "SNV", "snv.giam-doc")
    stored = _forge(documents, register_forgers_key, forger, "cycle/2025", CYCLE_2025)
    seq = _insert_as_next_entry(world.ledger, database, stored)

    faults = inspect(open_ledger)

    assert [fault.seq for fault in faults] == [seq]
    assert "SignatureError" in faults[0].reason
    assert f"signed by {stolen_name.key_id}, a key the ledger never registered" in faults[0].reason


def test_an_event_signed_by_a_key_revoked_before_it_is_named(
    world: World, database: Database, documents: DocumentStore, open_ledger: OpenLedger
) -> None:
    officer = world["snv.chuyen-vien"]
    revoked = world.append("snv.giam-doc", "key.revoke", f"key/{officer.key.key_id}", {"reason": "Máy tính bị mất"})
    assert inspect(open_ledger) == []
    stored = _forge(documents, lambda shadow: None, officer, "cycle/2025", CYCLE_2025)
    seq = _insert_as_next_entry(world.ledger, database, stored)
    assert seq > revoked.seq

    faults = inspect(open_ledger)

    assert [fault.seq for fault in faults] == [seq]
    assert f"signed by {officer.key.key_id}, which was revoked before this entry" in faults[0].reason


def test_a_refusal_is_named_by_its_kind_whichever_subclass_declared_its_code(
    world: World, database: Database, documents: DocumentStore, open_ledger: OpenLedger
) -> None:
    borrowed = key_for("khoa-muon")
    public_key = borrowed.verifying_key.base64
    world.append(
        "root", "key.register", f"key/{borrowed.key_id}", {"public_key": public_key, "officer": "snv.chuyen-vien"}
    )

    def register_it_to_the_director(shadow: World) -> None:
        shadow.append(
            "root", "key.register", f"key/{borrowed.key_id}", {"public_key": public_key, "officer": "snv.giam-doc"}
        )

    forger = Author(borrowed, "SNV", "snv.giam-doc")
    stored = _forge(documents, register_it_to_the_director, forger, "cycle/2025", CYCLE_2025)
    seq = _insert_as_next_entry(world.ledger, database, stored)

    faults = inspect(open_ledger)

    assert [fault.seq for fault in faults] == [seq]
    assert faults[0].reason.startswith("NotAuthorizedError: officer: key ")
    assert "belongs to officer snv.chuyen-vien, not snv.giam-doc" in faults[0].reason


# Rows deleted, added or moved ----------------------------------------------------------------


def test_a_deleted_stored_event_is_reported_missing_at_its_entry(
    world: World, published: int, database: Database, open_ledger: OpenLedger
) -> None:
    originator_id, version = database.position(published)
    database.delete_event(published)
    aggregate = uuid.UUID(str(originator_id))

    faults = inspect(open_ledger)

    assert_first_fault(faults, published, "is missing (deleted?)")
    assert f"({aggregate} v{version}) is missing" in faults[0].reason


def test_a_deleted_log_row_is_reported_as_a_gap_and_its_event_as_unplaced(
    world: World, published: int, database: Database, open_ledger: OpenLedger
) -> None:
    database.delete_log_row(published)

    faults = inspect(open_ledger)

    assert_first_fault(faults, published, f"entries {published}–{published} are missing from the log")
    assert any(fault.seq is None and "has no position in the log" in fault.reason for fault in faults), faults


def test_the_latest_entry_deleted_with_its_log_row_is_caught_by_the_checkpoint_beyond_the_entries(
    world: World, database: Database, open_ledger: OpenLedger
) -> None:
    # Found by the tamper suite (seed 2983011065): the checkpoints were read only up to the last
    # entry left, so the checkpoint that signed the deleted one was never looked at.
    latest = database.max_seq()
    database.delete_event(latest)
    database.delete_log_row(latest)

    faults = inspect(open_ledger)

    assert [(fault.seq, fault.reason) for fault in faults] == [
        (latest, f"missing: checkpoint {latest} signed them (truncated tail?)")
    ]


def test_a_stored_event_without_a_log_row_is_reported(
    world: World, database: Database, documents: DocumentStore, open_ledger: OpenLedger
) -> None:
    stored = _forge(documents, lambda shadow: None, world["snv.giam-doc"], "cycle/2025", CYCLE_2025)
    database.insert_event(stored)

    faults = inspect(open_ledger)

    assert len(faults) == 1
    assert faults[0].seq is None
    assert faults[0].reason == (
        f"stored event {stored.originator_id} v{stored.originator_version} has no position in the log (inserted?)"
    )
    assert str(faults[0]).startswith("log: ")


def test_swapped_log_rows_are_both_named(world: World, database: Database, open_ledger: OpenLedger) -> None:
    # entries 3 and 4 register SNV and STTTT: independent, so replay order does not matter
    database.swap_log_rows(3, 4)

    faults = inspect(open_ledger)

    assert [fault.seq for fault in faults] == [3, 4]
    assert all("does not match its leaf hash" in fault.reason for fault in faults)
