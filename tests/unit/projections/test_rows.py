"""The pure parts of the views: entry → rows, and the answers derived at read time. No IO."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from keys import SigningKey
from ledger.application import Ledger
from ledger.domain.rules import ILLUSTRATIVE_PARAMETERS
from ledger.signing.envelope import Author
from projections.reports import compile_year, deadline_rows, deadline_status, last_day_on_time, owed
from projections.rows import (
    Add,
    Batch,
    Fact,
    Keep,
    ProjectionError,
    Put,
    Replace,
    fact_of,
    fact_of_state,
    history_ops,
    ops_for,
)
from projections.schema import (
    CYCLES,
    DEADLINES,
    HISTORY,
    INDEX_RESULTS,
    INDICES,
    RATING_LEVELS,
    RATINGS,
    RULESETS,
    SUBMISSIONS,
    TABLES,
    UNITS,
    Statements,
    dumps,
    fingerprint,
    loads,
)

T0 = datetime(2024, 10, 1, 2, 0, tzinfo=UTC)
KEY_ID = "ed25519:" + "ab" * 32


@dataclass
class Script:
    """Facts in ledger order, one per call, half an hour apart."""

    seq: int = 0

    def fact(
        self,
        statement_type: str,
        subject: str,
        body: dict[str, Any],
        *,
        unit: str = "SNV",
        officer: str = "snv.a",
        at: datetime | None = None,
    ) -> Fact:
        self.seq += 1
        recorded = at or T0 + timedelta(minutes=30 * self.seq)
        return Fact(
            seq=self.seq,
            at=recorded.astimezone(UTC).isoformat(),
            event_type=f"par:{statement_type}",
            key_id=KEY_ID,
            leaf_hash=f"{self.seq:064x}",
            type=statement_type,
            unit=unit,
            officer=officer,
            subject=subject,
            body=body,
        )


def applied(*facts: Fact, loaded: dict[Any, list[dict[str, Any]]] | None = None) -> Batch:
    """A batch that starts from `loaded` rows and applies `facts`."""
    batch = Batch()
    for table, subjects in batch.reads(facts).items():
        rows = [row for row in (loaded or {}).get(table, []) if row["subject"] in subjects]
        batch.load(table, subjects, rows)
    for fact in facts:
        batch.apply(fact)
    return batch


def registry(script: Script) -> list[Fact]:
    """SNV, two districts and a commune, each registered."""
    return [
        script.fact(
            "unit.register",
            "unit/SNV",
            {"name": "Sở Nội vụ", "class": "department", "functions": ["home_affairs"]},
            unit="authority",
            officer="root",
        ),
        script.fact(
            "unit.register",
            "unit/323",
            {"name": "Thành phố Hưng Yên", "class": "district"},
            unit="authority",
            officer="root",
        ),
        script.fact(
            "unit.register",
            "unit/325",
            {"name": "Huyện Văn Lâm", "class": "district"},
            unit="authority",
            officer="root",
        ),
        script.fact(
            "unit.register",
            "unit/11950",
            {"name": "Phường Lam Sơn", "class": "commune", "parent": "323"},
            unit="authority",
            officer="root",
        ),
    ]


def results_body(scores: dict[str, tuple[str, int]], *, decision: str = "QĐ 1") -> dict[str, Any]:
    return {
        "measured_year": 2024,
        "decision": decision,
        "published_on": "2024-10-20",
        "results": [{"unit": unit, "score": score, "rank": rank} for unit, (score, rank) in scores.items()],
    }


# Facts -----------------------------------------------------------------------------------


def test_a_fact_reads_the_signed_statement_once_and_the_server_time_not_the_client_clock() -> None:
    key = SigningKey.from_seed(hashlib.sha256(b"unit test").digest())
    envelope = Author(key, "SNV", "snv.a").sign(
        "unit.rename",
        "unit/STC",
        {"name": "Sở Tài chính", "decision": "QĐ 9"},
        client_time=datetime(2020, 1, 1, tzinfo=UTC),
    )
    # Recorded at 17:30 UTC: already the next day in Hưng Yên (UTC+7).
    event = SimpleNamespace(envelope=envelope, timestamp=datetime(2024, 11, 4, 17, 30, tzinfo=UTC))

    fact = fact_of(42, b"\x01\x02", "par:Unit.Renamed.v1", event)

    assert (fact.seq, fact.type, fact.unit, fact.officer, fact.subject) == (
        42,
        "unit.rename",
        "SNV",
        "snv.a",
        "unit/STC",
    )
    assert fact.body == {"name": "Sở Tài chính", "decision": "QĐ 9"}
    assert (fact.key_id, fact.leaf_hash, fact.event_type) == (key.key_id, "0102", "par:Unit.Renamed.v1")
    assert fact.at == "2024-11-04T17:30:00+00:00"
    assert fact.local_date == "2024-11-05"


def test_a_fact_read_from_the_stored_bytes_equals_the_fact_of_the_event_the_mapper_decodes() -> None:
    root = SigningKey.from_seed(hashlib.sha256(b"unit test root").digest())
    ledger = Ledger()  # in memory
    body = {"name": "Sổ cái thử", "root_public_key": root.verifying_key.base64}
    ledger.append(
        Author(root, "authority", "root").sign("ledger.initialise", "authority", body),
        recorded_at=datetime(2024, 11, 4, 17, 30, tzinfo=UTC),
    )
    (row,) = ledger.ledger_recorder.select_logged(1, 1)
    stored = row.stored
    assert stored is not None

    from_state = fact_of_state(1, row.leaf_hash, stored.topic, stored.state)

    assert from_state == fact_of(1, row.leaf_hash, stored.topic, ledger.mapper.to_domain_event(stored))
    assert from_state is not None
    assert (from_state.at, from_state.local_date) == ("2024-11-04T17:30:00+00:00", "2024-11-05")
    # Not the JSON the ledger writes: the caller falls back to the mapper.
    assert fact_of_state(1, row.leaf_hash, stored.topic, b'{"timestamp": "2024-11-04"}') is None
    ledger.close()


def test_every_entry_is_in_the_history_once_under_its_subject_and_its_acting_unit() -> None:
    script = Script()
    by_unit = script.fact("submission.transmit", "submission/index-results/PAR_UNIT/2024", {})
    by_root = script.fact(
        "unit.register", "unit/STC", {"name": "Sở Tài chính", "class": "department"}, unit="authority", officer="root"
    )

    (row,) = [op.row for op in history_ops(by_unit)]

    assert row == {
        "seq": 1,
        "subject": "submission/index-results/PAR_UNIT/2024",
        "actor": "unit/SNV",
        "statement_type": "submission.transmit",
        "event_type": "par:submission.transmit",
        "signer_unit": "SNV",
        "signer_officer": "snv.a",
        "key_id": KEY_ID,
        "recorded_at": by_unit.at,
        "leaf_hash": f"{1:064x}",
    }
    assert [(op.row["subject"], op.row["actor"]) for op in history_ops(by_root)] == [("unit/STC", "authority")]


def test_an_unknown_statement_type_is_refused_rather_than_skipped() -> None:
    fact = Script().fact("unit.teleport", "unit/SNV", {})

    with pytest.raises(ProjectionError, match=r"unknown statement type 'unit\.teleport'"):
        ops_for(fact, lambda table, subject: None)


def test_reading_a_subject_that_was_not_loaded_is_a_bug_not_an_absent_row() -> None:
    batch = Batch()
    batch.load(UNITS, ["unit/SNV"], [])

    assert batch.get(UNITS, "unit/SNV") is None
    with pytest.raises(KeyError, match="unit/STC was not loaded"):
        batch.get(UNITS, "unit/STC")


# Units -----------------------------------------------------------------------------------


def test_a_unit_keeps_its_earlier_names_its_head_and_how_it_ended() -> None:
    script = Script()
    facts = [
        *registry(script),
        script.fact(
            "unit.rename", "unit/325", {"name": "Thị xã Văn Lâm", "decision": "NQ 5"}, unit="authority", officer="root"
        ),
        script.fact(
            "unit.appoint-head",
            "unit/325",
            {"officer": "vl.chu-tich", "decision": "NQ 6"},
            unit="authority",
            officer="root",
        ),
        script.fact(
            "unit.merge",
            "unit/325",
            {"into": "323", "decision": "NQ 7"},
            unit="authority",
            officer="root",
            at=datetime(2025, 6, 30, 18, 0, tzinfo=UTC),
        ),
    ]

    unit = applied(*facts).puts[UNITS]["unit/325"]

    assert (unit["code"], unit["name"], loads(unit["former_names"])) == ("325", "Thị xã Văn Lâm", ["Huyện Văn Lâm"])
    assert (unit["head"], unit["head_decision"]) == ("vl.chu-tich", "NQ 6")
    assert (unit["status"], unit["merged_into"], unit["status_decision"]) == ("merged", "323", "NQ 7")
    assert unit["status_on"] == "2025-07-01"  # 18:00 UTC is 01:00 the next day in Hưng Yên
    assert (unit["registered_seq"], unit["seq"]) == (3, 7)
    assert applied(*facts).puts[UNITS]["unit/11950"]["parent"] == "323"


# Index results ---------------------------------------------------------------------------


def test_published_results_carry_each_units_class_and_a_correction_replaces_them_counted() -> None:
    script = Script()
    units = registry(script)
    subject = "submission/index-results/PAR_UNIT/2024"
    published = script.fact(
        "submission.index-results",
        subject,
        results_body({"323": ("88.0", 1), "325": ("79.5", 2), "11950": ("90.0", 1)}),
    )
    corrected = script.fact(
        "submission.correct",
        subject,
        {
            "reason": "sai sót cộng điểm",
            "decision": "QĐ 2",
            "replacement": results_body({"323": ("78.0", 2), "325": ("79.5", 1)}, decision="QĐ 2"),
        },
    )

    first = applied(*units, published)
    both = applied(*units, published, corrected)

    rows = {row["unit"]: row for row in first.replaced[INDEX_RESULTS][subject]}
    assert {u: (r["unit_class"], r["score"], r["rank"]) for u, r in rows.items()} == {
        "323": ("district", "88.0", 1),
        "325": ("district", "79.5", 2),
        "11950": ("commune", "90.0", 1),
    }
    assert {(r["version_seq"], r["corrections"], r["lead"]) for r in rows.values()} == {(published.seq, 0, "SNV")}
    rows = {row["unit"]: row for row in both.replaced[INDEX_RESULTS][subject]}
    assert {u: (r["score"], r["rank"], r["decision"]) for u, r in rows.items()} == {
        "323": ("78.0", 2, "QĐ 2"),
        "325": ("79.5", 1, "QĐ 2"),
    }
    assert {(r["version_seq"], r["corrections"]) for r in rows.values()} == {(corrected.seq, 1)}
    submission = both.puts[SUBMISSIONS][subject]
    assert (submission["filed_seq"], submission["version_seq"], submission["corrections"]) == (
        published.seq,
        corrected.seq,
        1,
    )
    assert (submission["correction_reason"], submission["correction_decision"]) == ("sai sót cộng điểm", "QĐ 2")


def test_the_first_filing_answers_a_deadline_and_later_ones_do_not_move_it() -> None:
    script = Script()
    subject = "submission/index-results/PAR_UNIT/2024"
    units = registry(script)
    published = script.fact("submission.index-results", subject, results_body({"323": ("88.0", 1)}))
    transmitted = script.fact("submission.transmit", subject, {"note": "gửi SNV"})
    corrected = script.fact(
        "submission.correct",
        subject,
        {
            "reason": "đính chính",
            "decision": "QĐ 2",
            "replacement": results_body({"323": ("87.0", 1)}),
        },
    )

    batch = applied(*units, published, transmitted, corrected)

    assert sorted(batch.keeps[DEADLINES]) == [
        (2024, "results_published", "SNV", "PAR_UNIT"),
        (2024, "results_transmitted", "SNV", "PAR_UNIT"),
    ]
    assert batch.keeps[DEADLINES][(2024, "results_published", "SNV", "PAR_UNIT")]["seq"] == published.seq
    assert batch.puts[SUBMISSIONS][subject]["transmitted_seq"] == transmitted.seq


def test_deadline_rows_are_kept_not_replaced_so_the_first_recorded_wins() -> None:
    script = Script()
    first = script.fact(
        "rating.individual", "rating/2024/SNV/a", {"name": "A", "position": "PGĐ", "level": "HTT", "rule": "r"}
    )
    second = script.fact(
        "rating.individual", "rating/2024/SNV/b", {"name": "B", "position": "TP", "level": "HT", "rule": "r"}
    )

    (keep,) = [op for op in ops_for(first, lambda t, s: None) if isinstance(op, Keep)]
    batch = applied(first, second)

    assert keep.row["seq"] == first.seq
    assert batch.keeps[DEADLINES] == {(2024, "ratings_published", "SNV", ""): keep.row}


# Ratings ---------------------------------------------------------------------------------


def compute_body(level: str, score: str = "88.0", rank: int = 1) -> dict[str, Any]:
    return {
        "officer": "hy.chu-tich",
        "ruleset": "v1",
        "inputs": [
            {
                "index": "PAR_UNIT",
                "results": "submission/index-results/PAR_UNIT/2024",
                "score": score,
                "maximum": "100",
                "rank": rank,
                "peers": 2,
            }
        ],
        "missing": [],
        "level": level,
    }


def test_a_head_rating_keeps_every_level_ever_given_and_its_status_follows_the_last() -> None:
    script = Script()
    subject = "rating/2024/323"
    computed = script.fact("rating.compute", subject, compute_body("HTT"))
    decided = script.fact(
        "rating.decide",
        subject,
        {"level": "HT", "decision": "QĐ 50", "reason": "kết luận thanh tra"},
        unit="UBND-TINH",
        officer="ct",
    )
    appealed = script.fact("rating.appeal", subject, {"grounds": "đề nghị xem xét"}, unit="323", officer="hy.chu-tich")
    revised = script.fact(
        "rating.resolve-appeal",
        subject,
        {"outcome": "revised", "level": "HTT", "reason": "chấp nhận", "decision": "QĐ 60"},
        unit="UBND-TINH",
        officer="ct",
    )

    states = [applied(*[computed, decided, appealed, revised][:n]).puts[RATINGS][subject] for n in range(1, 5)]
    batch = applied(computed, decided, appealed, revised)

    assert [(s["status"], s["level"], s["computed_level"], s["decided_level"]) for s in states] == [
        ("computed", "HTT", "HTT", None),
        ("decided", "HT", "HTT", "HT"),
        ("under_appeal", "HT", "HTT", "HT"),
        ("revised", "HTT", "HTT", "HT"),
    ]
    final = states[-1]
    # the decision and reason columns stay the committee's, beside the level it decided (HT under QĐ 50)
    assert (final["decision"], final["reason"], final["appeal_open"]) == ("QĐ 50", "kết luận thanh tra", 0)
    (appeal,) = loads(final["appeals"])
    assert (appeal["outcome"], appeal["filed_seq"], appeal["resolved_seq"]) == ("revised", appealed.seq, revised.seq)
    assert (appeal["level"], appeal["decision"]) == ("HTT", "QĐ 60")
    assert [(r["seq"], r["how"], r["level"], r["signer_unit"], r["reason"]) for r in batch.adds[RATING_LEVELS]] == [
        (computed.seq, "computed", "HTT", "SNV", None),
        (decided.seq, "decided", "HT", "UBND-TINH", "kết luận thanh tra"),
        (revised.seq, "revised", "HTT", "UBND-TINH", "chấp nhận"),
    ]
    assert loads(final["inputs"])[0]["score"] == "88.0"


def test_a_recomputation_after_a_revision_keeps_the_appeals_level_in_force_until_a_decision_overrides_it() -> None:
    script = Script()
    subject = "rating/2024/323"
    committee = {"unit": "UBND-TINH", "officer": "ct"}
    facts = [
        script.fact("rating.compute", subject, compute_body("HT")),
        script.fact("rating.decide", subject, {"level": "HT", "decision": "QĐ 50"}, **committee),
        script.fact("rating.appeal", subject, {"grounds": "đề nghị xem xét"}, unit="323", officer="hy.chu-tich"),
        script.fact(
            "rating.resolve-appeal",
            subject,
            {"outcome": "revised", "level": "HTT", "reason": "chấp nhận", "decision": "QĐ 60"},
            **committee,
        ),
        script.fact("rating.compute", subject, compute_body("HT", score="80.0")),
        script.fact(
            "rating.decide",
            subject,
            {
                "level": "HT",
                "decision": "QĐ 70",
                "reason": "thanh tra kết luận lại",
                "overrides_appeal": True,
                "overridden_resolution": "QĐ 60",
            },
            **committee,
        ),
    ]

    recomputed = applied(*facts[:5]).puts[RATINGS][subject]
    overridden = applied(*facts).puts[RATINGS][subject]

    assert (recomputed["status"], recomputed["level"], recomputed["computed_level"]) == ("computed", "HTT", "HT")
    assert (recomputed["last_how"], recomputed["decided_level"], recomputed["decision"]) == ("revised", None, None)
    assert (overridden["status"], overridden["level"], overridden["decision"]) == ("decided", "HT", "QĐ 70")
    (appeal,) = loads(overridden["appeals"])
    assert (appeal["overridden_seq"], appeal["overridden_by"]) == (facts[5].seq, "QĐ 70")


def test_an_upheld_appeal_returns_the_rating_to_how_its_level_was_given() -> None:
    script = Script()
    subject = "rating/2024/323"
    facts = [
        script.fact("rating.compute", subject, compute_body("HTT")),
        script.fact("rating.decide", subject, {"level": "HTT", "decision": "QĐ 50"}, unit="UBND-TINH", officer="ct"),
        script.fact("rating.appeal", subject, {"grounds": "đề nghị"}, unit="323", officer="hy.chu-tich"),
        script.fact(
            "rating.resolve-appeal",
            subject,
            {"outcome": "upheld", "reason": "giữ nguyên", "decision": "QĐ 61"},
            unit="UBND-TINH",
            officer="ct",
        ),
    ]

    batch = applied(*facts)

    rating = batch.puts[RATINGS][subject]
    assert (rating["status"], rating["level"], rating["decision"]) == ("decided", "HTT", "QĐ 50")
    assert loads(rating["appeals"])[0]["outcome"] == "upheld"
    assert len(batch.adds[RATING_LEVELS]) == 2


def test_a_recomputation_supersedes_the_computation_and_clears_its_decision() -> None:
    script = Script()
    subject = "rating/2024/323"
    first = script.fact("rating.compute", subject, compute_body("HT", "78.0", 2))
    decided = script.fact(
        "rating.decide", subject, {"level": "HT", "decision": "QĐ 50"}, unit="UBND-TINH", officer="ct"
    )
    again = script.fact("rating.compute", subject, compute_body("HTT", "84.7", 1))
    loaded = applied(first, decided).puts[RATINGS][subject]

    # The recomputation comes in a later batch: it reads the rating as the views hold it.
    batch = applied(again, loaded={RATINGS: [loaded]})

    rating = batch.puts[RATINGS][subject]
    assert (rating["status"], rating["computed_level"], rating["decided_level"], rating["decision"]) == (
        "computed",
        "HTT",
        None,
        None,
    )
    assert rating["computed_seq"] == again.seq
    assert [(r["how"], r["level"]) for r in batch.adds[RATING_LEVELS]] == [("computed", "HTT")]


def test_individual_ratings_are_published_by_their_unit_and_answer_its_ratings_deadline() -> None:
    fact = Script().fact(
        "rating.individual",
        "rating/2023/SNV/nguyen.van.a",
        {
            "name": "Nguyễn Văn A",
            "position": "Phó Giám đốc",
            "level": "HTXS",
            "rule": "submission/staff-rule/SNV/2023",
        },
    )

    ops = ops_for(fact, lambda t, s: None)

    (put,) = [op for op in ops if isinstance(op, Put)]
    assert {k: put.row[k] for k in ("year", "unit", "person", "kind", "level", "status", "name")} == {
        "year": 2023,
        "unit": "SNV",
        "person": "nguyen.van.a",
        "kind": "individual",
        "level": "HTXS",
        "status": "published",
        "name": "Nguyễn Văn A",
    }
    assert [op.row["how"] for op in ops if isinstance(op, Add) and op.table is RATING_LEVELS] == ["published"]
    assert [op.row["obligation"] for op in ops if isinstance(op, Keep)] == ["ratings_published"]
    assert all(not isinstance(op, Replace) for op in ops)


# Cycles and rule sets --------------------------------------------------------------------


def test_an_adjusted_deadline_keeps_the_original_and_the_reason() -> None:
    script = Script()
    opened = script.fact(
        "cycle.open",
        "cycle/2024",
        {"deadlines": {"results_published": "2024-11-01", "ratings_published": "2024-11-15"}},
    )
    moved = script.fact(
        "cycle.adjust-deadline",
        "cycle/2024",
        {"obligation": "ratings_published", "date": "2024-11-29", "reason": "chờ PAPI"},
        unit="UBND-TINH",
        officer="ct",
    )

    cycle = applied(opened, moved).puts[CYCLES]["cycle/2024"]

    assert loads(cycle["deadlines"]) == {"results_published": "2024-11-01", "ratings_published": "2024-11-29"}
    assert loads(cycle["original"])["ratings_published"] == "2024-11-15"
    assert [(a["previous"], a["due"], a["reason"]) for a in loads(cycle["adjustments"])] == [
        ("2024-11-15", "2024-11-29", "chờ PAPI")
    ]


def test_a_proposed_index_is_in_force_from_its_approval() -> None:
    script = Script()
    body = {
        "name": "PGI",
        "lead": "STNMT",
        "classes": ["department"],
        "level": "province",
        "scale": {"maximum": "40", "unit": "points"},
        "rationale": "đề xuất",
    }
    proposed = script.fact("index.propose", "index/PGI_PROV", body, unit="STNMT", officer="stnmt.a")
    approved = script.fact("index.approve", "index/PGI_PROV", {"decision": "QĐ 905"}, unit="UBND-TINH", officer="ct")

    before = applied(proposed).puts[INDICES]["index/PGI_PROV"]
    after = applied(proposed, approved).puts[INDICES]["index/PGI_PROV"]

    assert (before["status"], before["in_force_on"], before["legal_basis"]) == ("proposed", None, None)
    assert (after["status"], after["in_force_seq"], after["legal_basis"]) == (
        "in_force",
        approved.seq,
        "proposal approved by QĐ 905",
    )
    assert (after["maximum"], loads(after["classes"])) == ("40", ["department"])


# Deadlines, read at a reference date ------------------------------------------------------


def test_before_means_the_day_before_and_by_means_the_day_itself() -> None:
    assert last_day_on_time("results_published", date(2024, 11, 1)) == date(2024, 10, 31)
    assert last_day_on_time("results_transmitted", date(2024, 11, 5)) == date(2024, 11, 5)
    due = date(2024, 11, 1)
    assert deadline_status("results_published", due, date(2024, 10, 31), date(2024, 12, 1)) == ("on_time", 0)
    assert deadline_status("results_published", due, date(2024, 11, 2), date(2024, 12, 1)) == ("late", 2)
    assert deadline_status("results_published", due, None, date(2024, 10, 31)) == ("pending", None)
    assert deadline_status("results_published", due, None, date(2024, 11, 1)) == ("missing", None)
    # Recorded after the reference date: not yet recorded on that date.
    assert deadline_status("results_published", due, date(2024, 11, 2), date(2024, 11, 1)) == ("missing", None)


def _index(code: str, lead: str, in_force_on: str | None, status: str = "in_force") -> dict[str, Any]:
    return {"code": code, "lead": lead, "status": status, "in_force_on": in_force_on, "name": code, "maximum": "100"}


def _unit(
    code: str, unit_class: str, registered_on: str = "2023-01-12", status: str = "active", status_on: str | None = None
) -> dict[str, Any]:
    return {
        "code": code,
        "name": code,
        "unit_class": unit_class,
        "registered_on": registered_on,
        "status": status,
        "status_on": status_on,
    }


def test_what_is_owed_follows_the_indices_in_force_and_the_units_active_by_each_due_date() -> None:
    cycle = {
        "deadlines": dumps(
            {"governing_decisions": "2023-02-20", "results_published": "2023-11-01", "ratings_published": "2023-11-15"}
        )
    }
    indices = [
        _index("PAR_UNIT", "SNV", "2023-01-13"),
        _index("PGI_PROV", "STNMT", "2023-04-10"),  # approved after the governing-decisions deadline
        _index("NEW", "STC", None, status="proposed"),  # never approved: owes nothing
    ]
    units = [
        _unit("SNV", "department"),
        _unit("UBND-TINH", "province"),  # not rated
        _unit("325", "district", status="merged", status_on="2023-07-01"),  # gone before 15/11
        _unit("326", "district", registered_on="2023-12-01"),  # registered after 15/11
        _unit("327", "district"),
    ]

    assert owed(2023, cycle, indices, units) == {
        ("governing_decisions", "SNV", ""): "2023-02-20",
        ("results_published", "SNV", "PAR_UNIT"): "2023-11-01",
        ("results_published", "STNMT", "PGI_PROV"): "2023-11-01",
        ("ratings_published", "SNV", ""): "2023-11-15",
        ("ratings_published", "327", ""): "2023-11-15",
    }


def test_deadline_rows_show_late_missing_and_pending_against_the_reference_date() -> None:
    cycle = {
        "deadlines": dumps({"results_published": "2024-11-01", "ratings_published": "2024-11-29"}),
        "original": dumps({"results_published": "2024-11-01", "ratings_published": "2024-11-15"}),
        "adjustments": dumps([{"obligation": "ratings_published", "reason": "chờ PAPI"}]),
    }
    indices = [_index("PAR_UNIT", "SNV", "2023-01-13"), _index("PAPI_UNIT", "SNV", "2023-01-13")]
    units = {u["code"]: u for u in (_unit("SNV", "department"), _unit("323", "district"))}
    recorded = [
        {
            "obligation": "results_published",
            "unit": "SNV",
            "item": "PAR_UNIT",
            "subject": "s",
            "seq": 7,
            "submitted_at": "2024-11-02T02:00:00+00:00",
            "submitted_on": "2024-11-02",
        },
        {
            "obligation": "ratings_published",
            "unit": "SNV",
            "item": "",
            "subject": "r",
            "seq": 9,
            "submitted_at": "2024-11-20T02:00:00+00:00",
            "submitted_on": "2024-11-20",
        },
    ]

    rows = deadline_rows(2024, date(2024, 11, 25), cycle, indices, units, recorded)

    assert [(r["obligation"], r["unit"], r["index"], r["status"], r["days_late"]) for r in rows] == [
        ("results_published", "SNV", "PAPI_UNIT", "missing", None),
        ("results_published", "SNV", "PAR_UNIT", "late", 2),  # 31/10 was the last day on time
        ("ratings_published", "SNV", None, "on_time", 0),  # the deadline moved to 29/11
        ("ratings_published", "323", None, "pending", None),
    ]
    assert (rows[2]["due"], rows[2]["original_due"], rows[2]["adjustment_reason"]) == (
        "2024-11-29",
        "2024-11-15",
        "chờ PAPI",
    )
    assert deadline_rows(2025, date(2025, 1, 1), None, indices, units, []) == []


# The compilation -------------------------------------------------------------------------


def test_the_compilation_recomputes_each_heads_level_and_flags_a_computation_the_results_outgrew() -> None:
    ruleset = {
        "subject": "ruleset/v1",
        "version": "v1",
        "parameters": dumps(ILLUSTRATIVE_PARAMETERS),
        "indices": dumps({"district": ["PAR_UNIT", "PAPI_UNIT"], "department": ["PAR_UNIT"]}),
    }
    indices = {
        "PAR_UNIT": _index("PAR_UNIT", "SNV", "2023-01-13"),
        "PAPI_UNIT": _index("PAPI_UNIT", "SNV", "2023-01-13"),
    }
    units = {u["code"]: u for u in (_unit("323", "district"), _unit("325", "district"), _unit("SNV", "department"))}
    subject = "submission/index-results/PAR_UNIT/2024"

    def result(unit: str, unit_class: str, score: str, rank: int) -> dict[str, Any]:
        return {
            "index_code": "PAR_UNIT",
            "unit": unit,
            "unit_class": unit_class,
            "subject": subject,
            "score": score,
            "rank": rank,
            "band": None,
            "measured_year": 2024,
            "decision": "QĐ",
            "version_seq": 5,
            "corrections": 0,
        }

    results = [
        result("323", "district", "92.0", 1),
        result("325", "district", "75.0", 2),
        result("SNV", "department", "85.0", 1),
    ]

    def rating(unit: str, level: str, inputs: list[dict[str, Any]], missing: list[str]) -> dict[str, Any]:
        return {
            "subject": f"rating/2024/{unit}",
            "year": 2024,
            "unit": unit,
            "kind": "head",
            "officer": None,
            "ruleset": "v1",
            "inputs": json.dumps(inputs),
            "missing": json.dumps(missing),
            "computed_level": level,
            "computed_seq": 9,
            "decided_level": None,
            "level": level,
            "status": "computed",
            "last_how": "computed",
            "decision": None,
            "appeals": "[]",
        }

    par = {"index": "PAR_UNIT", "results": subject, "maximum": "100"}
    ratings = [
        # District 323: PAPI_UNIT has no result, so not evaluated — as recorded.
        rating("323", "not_evaluated", [{**par, "score": "92.0", "rank": 1, "peers": 2}], ["PAPI_UNIT"]),
        # SNV was computed on an earlier version (80.0, rank 2): the results moved on since.
        rating("SNV", "HTT", [{**par, "score": "80.0", "rank": 2, "peers": 2}], []),
    ]

    table = {entry["unit"]: entry for entry in compile_year(ratings, {"v1": ruleset}, results, indices, units, {})}

    # 323: 92.0 % of 100, rank 1 of 2 districts: top = ceil(20 % · 2) = 1 → HTXS; PAPI missing.
    assert [(e["index"], e["level"]) for e in table["323"]["indices"]] == [
        ("PAR_UNIT", "HTXS"),
        ("PAPI_UNIT", "not_evaluated"),
    ]
    assert (table["323"]["level"], table["323"]["consistent"]) == ("not_evaluated", True)
    # SNV: 85.0 %, the only department: top = bottom = ceil(20 % · 1) = 1, so rank 1 is also the
    # bottom one: not HTXS (< 90), not HTT (in the bottom), HT (≥ 70). Computed HTT on other inputs.
    assert (table["SNV"]["indices"][0]["peers"], table["SNV"]["level"]) == (1, "HT")
    assert (table["SNV"]["computed_level"], table["SNV"]["consistent"]) == ("HTT", False)


# The schema ------------------------------------------------------------------------------


def test_one_sql_text_serves_both_backends_with_their_placeholders_and_table_names() -> None:
    sqlite = Statements(qualify=lambda name: name, placeholder="?")
    postgres = Statements(qualify=lambda name: f'"s1".{name}', placeholder="%s")

    assert sqlite.sql("SELECT * FROM {units} WHERE code = ?") == "SELECT * FROM view_units WHERE code = ?"
    assert postgres.sql("SELECT * FROM {units} WHERE code = ?") == 'SELECT * FROM "s1".view_units WHERE code = %s'
    assert postgres.keep(DEADLINES).endswith("ON CONFLICT (year, obligation, unit, item) DO NOTHING")
    assert "seq = excluded.seq" in sqlite.upsert(RATINGS)
    assert "subject = excluded.subject" not in sqlite.upsert(RATINGS)
    assert sqlite.create(HISTORY)[0].endswith("PRIMARY KEY (seq))")
    assert (
        sqlite.create(HISTORY)[2] == "CREATE INDEX IF NOT EXISTS view_history_by_actor_seq ON view_history (actor, seq)"
    )
    assert len({t.name for t in TABLES}) == len(TABLES)
    assert fingerprint() == fingerprint()
    assert RULESETS in TABLES
