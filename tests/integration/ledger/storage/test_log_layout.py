"""Today's log layout: each log row keeps the subtrees its entry completes, and a reopened
ledger serves the same receipts, proofs and checkpoints and appends on. Runs on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from backends import SQLPrompt, at_once
from world import World

from ledger.application import Ledger
from ledger.serving import LogServer
from ledger.verify import verify_ledger


def log_columns(prompt: SQLPrompt) -> list[str]:
    if prompt.schema is None:
        rows = prompt.run("SELECT name FROM pragma_table_info('ledger_log')")
    else:
        rows = prompt.run(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = 'ledger_log' ORDER BY ordinal_position",
            prompt.schema,
        )
    return [name for (name,) in rows]


def test_the_log_rows_keep_the_subtrees_and_a_reopened_ledger_serves_the_same_proofs_and_appends_on(
    open_ledger: Any, database_url: str
) -> None:
    first: Ledger = open_ledger()
    world = World.build(first)
    head = first.head
    served = LogServer(first)
    receipts = [served.receipt(seq).proof for seq in range(1, head + 1)]
    consistency = [served.consistency_proof(size, head) for size in range(1, head + 1)]
    checkpoint = served.checkpoint()
    first.close()

    reopened: Ledger = open_ledger()
    again = LogServer(reopened)

    assert log_columns(SQLPrompt(database_url)) == [
        "seq",
        "originator_id",
        "originator_version",
        "nonce",
        "leaf_hash",
        "subtrees",
    ]
    assert [again.receipt(seq).proof for seq in range(1, head + 1)] == receipts
    assert [again.consistency_proof(size, head) for size in range(1, head + 1)] == consistency
    assert again.checkpoint() == checkpoint
    assert verify_ledger(reopened) == []
    world.ledger = reopened
    assert world.publish_par_2024().seq == head + 1
    assert verify_ledger(reopened) == []


def test_two_processes_opening_a_ledger_at_once_both_open_it(open_ledger: Any) -> None:
    first: Ledger = open_ledger()
    World.build(first)
    checkpoint = LogServer(first).checkpoint()
    first.close()
    opened, failures = at_once(open_ledger, 2)

    assert failures == []
    assert [LogServer(ledger).checkpoint() for ledger in opened] == [checkpoint, checkpoint]
