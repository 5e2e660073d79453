"""A ledger stored by an earlier version (the Merkle tree in a table of its own) opens in today's layout.

Earlier versions kept every Merkle node in ``ledger_tree`` and a payload digest column in
the log; today each log row keeps the subtrees its entry completes. Opening such a ledger
moves the tree into the log rows in one transaction: the same receipts, proofs and
checkpoints come out after, and appending goes on. A tree that lacks a node refuses to
open and is left exactly as it was. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from backends import SQLPrompt, at_once
from eventsourcing.persistence import IntegrityError
from world import World

from ledger.application import Ledger
from ledger.tlog.merkle import node_hash
from ledger.verify import verify_ledger

EARLIER_SQLITE_LOG = (
    "CREATE TABLE ledger_log ("
    "seq INTEGER PRIMARY KEY, originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, "
    "nonce TEXT NOT NULL UNIQUE, payload_sha256 TEXT NOT NULL UNIQUE, leaf_hash BLOB NOT NULL, "
    "UNIQUE (originator_id, originator_version))"
)


class EarlierLayout(SQLPrompt):
    """Rewrites a ledger's log the way earlier versions stored it, with plain SQL."""

    def __init__(self, database_url: str) -> None:
        super().__init__(database_url)
        self.tables["tree"] = self.qualified("ledger_tree")

    def write(self) -> list[tuple[int, int, bytes]]:
        """Move the subtrees out of the log rows into ``ledger_tree``; return the tree's nodes."""
        with self.cursor() as c:
            c.execute(
                self.sql("SELECT seq, originator_id, originator_version, nonce, leaf_hash FROM {log} ORDER BY seq")
            )
            rows = c.fetchall()
            nodes = every_node([bytes(row[4]) for row in rows])
            digests = [hashlib.sha256(row[3].encode()).hexdigest() for row in rows]
            if self.sqlite_path is not None:
                c.execute("DROP TABLE ledger_log")
                c.execute(EARLIER_SQLITE_LOG)
                c.executemany("INSERT INTO ledger_log VALUES (?,?,?,?,?,?)", [
                    (*row[:4], digest, row[4]) for row, digest in zip(rows, digests, strict=True)
                ])  # fmt: skip
                c.execute(
                    "CREATE TABLE ledger_tree (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, "
                    "PRIMARY KEY (level, idx)) WITHOUT ROWID"
                )
            else:
                c.execute(self.sql("ALTER TABLE {log} ADD COLUMN payload_sha256 text UNIQUE"))
                c.executemany(
                    self.sql("UPDATE {log} SET payload_sha256 = ? WHERE seq = ?"),
                    [(digest, row[0]) for row, digest in zip(rows, digests, strict=True)],
                )
                c.execute(self.sql("ALTER TABLE {log} ALTER COLUMN payload_sha256 SET NOT NULL"))
                c.execute(self.sql("ALTER TABLE {log} DROP COLUMN subtrees"))
                c.execute(
                    self.sql(
                        "CREATE TABLE {tree} (level integer NOT NULL, idx bigint NOT NULL, hash bytea NOT NULL, "
                        "PRIMARY KEY (level, idx))"
                    )
                )
            c.executemany(self.sql("INSERT INTO {tree} VALUES (?, ?, ?)"), nodes)
        return nodes

    def drop_node(self, level: int, index: int) -> None:
        self.run("DELETE FROM {tree} WHERE level = ? AND idx = ?", level, index)

    def log_columns(self) -> list[str]:
        if self.schema is None:
            rows = self.run("SELECT name FROM pragma_table_info('ledger_log')")
        else:
            rows = self.run(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = 'ledger_log' ORDER BY ordinal_position",
                self.schema,
            )
        return [name for (name,) in rows]

    def snapshot(self) -> list[Any]:
        """Every row of the log and of the tree, as stored."""
        return [
            [tuple(map(_plain, row)) for row in self.run(statement)]
            for statement in ("SELECT * FROM {log} ORDER BY seq", "SELECT * FROM {tree} ORDER BY level, idx")
        ]


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def every_node(leaf_hashes: list[bytes]) -> list[tuple[int, int, bytes]]:
    """(level, index, hash) of every complete subtree over these leaves, as ``ledger_tree`` held them."""
    nodes, level, height = [], leaf_hashes, 0
    while level:
        nodes += [(height, index, digest) for index, digest in enumerate(level)]
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        height += 1
    return nodes


@pytest.fixture
def earlier(database_url: str) -> EarlierLayout:
    return EarlierLayout(database_url)


def test_a_ledger_in_the_earlier_layout_opens_with_the_same_proofs_and_appends_on(
    open_ledger: Any, earlier: EarlierLayout
) -> None:
    first: Ledger = open_ledger()
    world = World.build(first)
    head = first.head
    receipts = [first.receipt(seq).proof for seq in range(1, head + 1)]
    consistency = [first.consistency_proof(size, head) for size in range(1, head + 1)]
    checkpoint = first.checkpoint()
    first.close()
    nodes = earlier.write()
    assert "payload_sha256" in earlier.log_columns()

    reopened: Ledger = open_ledger()

    assert earlier.log_columns()[-1] == "subtrees"
    assert "payload_sha256" not in earlier.log_columns()
    keys = [(level, index) for level, index, _ in nodes]
    assert reopened.ledger_recorder.tree_nodes(keys) == {(level, index): digest for level, index, digest in nodes}
    assert [reopened.receipt(seq).proof for seq in range(1, head + 1)] == receipts
    assert [reopened.consistency_proof(size, head) for size in range(1, head + 1)] == consistency
    assert reopened.checkpoint() == checkpoint
    assert verify_ledger(reopened) == []
    world.ledger = reopened
    assert world.publish_par_2024().seq == head + 1
    assert verify_ledger(reopened) == []


def test_an_earlier_tree_that_lacks_a_node_refuses_to_open_and_stays_as_it_was(
    open_ledger: Any, earlier: EarlierLayout
) -> None:
    first: Ledger = open_ledger()
    World.build(first)
    first.close()
    earlier.write()
    earlier.drop_node(1, 0)
    before = earlier.snapshot()

    with pytest.raises(IntegrityError, match=r"lacks node \(1, 0\), which entry 2 completes"):
        open_ledger()

    assert earlier.snapshot() == before


def test_two_processes_opening_an_earlier_layout_at_once_both_open_it(open_ledger: Any, earlier: EarlierLayout) -> None:
    first: Ledger = open_ledger()
    World.build(first)
    checkpoint = first.checkpoint()
    first.close()
    earlier.write()
    opened, failures = at_once(open_ledger, 2)

    assert failures == []
    assert [ledger.checkpoint() for ledger in opened] == [checkpoint, checkpoint]
    assert "payload_sha256" not in earlier.log_columns()
