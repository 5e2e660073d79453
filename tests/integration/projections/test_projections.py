"""The read models on each backend: what they answer, and that every way of building them agrees.

A small province (tests/world.py) is replayed into the test database with recorded times
in 2024, then goes through a cycle: results published and sent late, heads' ratings
computed and decided (one differently, with a reason), the results corrected and one
rating recomputed, individual ratings, an appeal revised. The demo of demo/loader.py is
projected in a module-scoped SQLite ledger and checked against its own tables, worked by
hand; on PostgreSQL it must dump the very same bytes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from world import PDF, World

from demo.loader import RATED_UNITS, SCORES, UNITS, load_demo
from ledger.application import Ledger
from ledger.domain.handlers import Lookup, gather_inputs
from ledger.domain.local_time import LOCAL_TIME
from ledger.domain.ratings import RuleSet
from ledger.domain.records import Record
from ledger.domain.rules import evaluate
from ledger.storage.config import persistence_env
from ledger.storage.documents import DocumentStore
from projections import Views, catch_up, open_views, position_as_of, rebuild, replay
from projections.errors import PositionMoved
from projections.rows import fact_of, fact_of_state
from projections.runner import _fact
from projections.schema import TABLES

OpenLedger = Callable[[], Ledger]
START = datetime(2024, 1, 2, 1, 0, tzinfo=UTC)


def utc(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment of 2024 given in Hưng Yên local time."""
    return datetime(2024, month, day, hour, minute, tzinfo=LOCAL_TIME).astimezone(UTC)


class _Get(Lookup):
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def get(self, subject: str) -> Record | None:
        return self.ledger.get(subject)


@dataclass
class Province:
    """The small province of tests/world.py, with recorded times in 2024, and its yearly cycle."""

    world: World
    documents: DocumentStore

    @property
    def ledger(self) -> Ledger:
        return self.world.ledger

    @classmethod
    def founded(cls, ledger: Ledger, documents: DocumentStore) -> Province:
        """World.build's registry, appended again at recorded times from 2 January 2024."""
        scratch = Ledger(documents=documents)
        world = World.build(scratch)
        for n, entry in enumerate(scratch.entries()):
            ledger.append(entry.envelope, recorded_at=START + timedelta(minutes=n))
        scratch.close()
        return cls(World(ledger, world.authors), documents)

    def compute(self, unit: str, at: datetime) -> None:
        ruleset = self.ledger.get("ruleset/v1")
        assert isinstance(ruleset, RuleSet)
        inputs, missing = gather_inputs(_Get(self.ledger), 2024, unit, ruleset)
        body = {
            "officer": self.ledger.get(f"unit/{unit}").head,  # type: ignore[union-attr]
            "ruleset": "v1",
            "inputs": [i.to_json() for i in inputs],
            "missing": list(missing),
            "level": evaluate(ruleset.parameters, inputs, missing).level,
        }
        self.world.append("snv.chuyen-vien", "rating.compute", f"rating/2024/{unit}", body, recorded_at=at)

    def decide(self, unit: str, at: datetime, level: str | None = None, reason: str | None = None) -> None:
        rating = self.ledger.get(f"rating/2024/{unit}")
        body: dict[str, Any] = {"level": level or rating.computation.level, "decision": "QĐ 2890/QĐ-UBND"}  # type: ignore[union-attr]
        if reason:
            body["reason"] = reason
        self.world.append("ubnd.chu-tich", "rating.decide", f"rating/2024/{unit}", body, recorded_at=at)

    def steps(self) -> Iterator[Callable[[], None]]:
        """The 2024 cycle, one append per step."""
        results = "submission/index-results/PAR_UNIT/2024"
        yield lambda: self.world.publish_par_2024(recorded_at=utc(10, 1))
        # Due "no later than 05/11"; sent on 07/11: two days late.
        yield lambda: self.world.append("snv.giam-doc", "submission.transmit", results, {}, recorded_at=utc(11, 7))
        yield lambda: self.world.append(
            "hy.chu-tich",
            "submission.staff-rule",
            "submission/staff-rule/323/2024",
            {
                "title": "Quy định đánh giá cá nhân",
                "decision": "QĐ 7/QĐ-UBND",
                "issued_on": "2024-03-01",
                "document": self.documents.put(PDF, "Quy định.pdf").to_json(),
            },
            recorded_at=utc(11, 7, 15),
        )
        for n, unit in enumerate(("SNV", "STTTT", "STC", "323", "325")):
            yield lambda unit=unit, n=n: self.compute(unit, utc(11, 8, 8, n))
        for n, unit in enumerate(("SNV", "STTTT", "STC", "325")):
            yield lambda unit=unit, n=n: self.decide(unit, utc(11, 12, 15, n))
        yield lambda: self.decide("323", utc(11, 12, 15, 30), "HT", "Kết luận thanh tra số 5: chậm giải quyết hồ sơ")
        yield lambda: self.world.append(
            "snv.giam-doc",
            "submission.correct",
            results,
            {
                "reason": "Đính chính điểm của Huyện Văn Lâm (79.5 → 82.0)",
                "decision": "QĐ 130/QĐ-UBND",
                "replacement": {
                    "measured_year": 2024,
                    "decision": "QĐ 130/QĐ-UBND",
                    "published_on": "2024-11-13",
                    "results": [
                        {"unit": "SNV", "score": "91.5", "rank": 1},
                        {"unit": "STTTT", "score": "84.0", "rank": 2},
                        {"unit": "STC", "score": "72.25", "rank": 3},
                        {"unit": "323", "score": "88.0", "rank": 1},
                        {"unit": "325", "score": "82.0", "rank": 2},
                    ],
                },
            },
            recorded_at=utc(11, 13),
        )
        yield lambda: self.compute("325", utc(11, 13, 14))
        yield lambda: self.decide("325", utc(11, 14, 10))
        for n, person in enumerate(("tran.van.b", "le.thi.c")):
            yield lambda person=person, n=n: self.world.append(
                "hy.chu-tich",
                "rating.individual",
                f"rating/2024/323/{person}",
                {
                    "name": person.replace(".", " ").title(),
                    "position": "Trưởng phòng",
                    "level": "HTT",
                    "rule": "submission/staff-rule/323/2024",
                },
                recorded_at=utc(11, 14, 16, n),
            )
        yield lambda: self.world.append(
            "stc.giam-doc",
            "rating.appeal",
            "rating/2024/STC",
            {"grounds": "Điểm chưa tính hồ sơ trực tuyến"},
            recorded_at=utc(11, 20),
        )
        yield lambda: self.world.append(
            "ubnd.chu-tich",
            "rating.resolve-appeal",
            "rating/2024/STC",
            {
                "outcome": "revised",
                "level": "HTT",
                "reason": "Thẩm định lại: đạt 81.3%",
                "decision": "QĐ 3120/QĐ-UBND",
            },
            recorded_at=utc(12, 2),
        )

    def run(self, after_each: Callable[[], object] = lambda: None) -> None:
        for step in self.steps():
            step()
            after_each()


@pytest.fixture
def province(ledger: Ledger, documents: DocumentStore) -> Province:
    """The province after its 2024 cycle (views not built)."""
    province = Province.founded(ledger, documents)
    province.run()
    return province


@pytest.fixture
def views(ledger: Ledger) -> Iterator[Views]:
    """The views of the test ledger, in its database."""
    opened = open_views(ledger)
    yield opened
    opened.close()


@pytest.fixture
def other_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database on the same backend."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'other.sqlite3'}"
        return
    base, _, _ = database_url.partition("?")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{base}?schema={schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


# What the views answer -------------------------------------------------------------------


def test_the_views_answer_ratings_results_deadlines_history_and_the_compilation(
    province: Province, views: Views
) -> None:
    applied = catch_up(province.ledger, views)

    assert applied == province.ledger.head == views.head_position()
    # PAR_UNIT 2024 as corrected. Departments (3): SNV 91.5 → 1, STTTT 84.0 → 2, STC 72.25 → 3;
    # districts (2): 323 88.0 → 1, 325 82.0 → 2.
    results = views.index_results("PAR_UNIT", 2024)
    assert [(r["unit"], r["unit_class"], r["score"], r["rank"], r["peers"]) for r in results] == [
        ("SNV", "department", "91.5", 1, 3),
        ("STTTT", "department", "84.0", 2, 3),
        ("STC", "department", "72.25", 3, 3),
        ("323", "district", "88.0", 1, 2),
        ("325", "district", "82.0", 2, 2),
    ]
    assert {(r["decision"], r["corrections"], r["maximum"]) for r in results} == {("QĐ 130/QĐ-UBND", 1, "100")}
    assert [r["unit"] for r in views.index_results("PAR_UNIT", 2024, unit_class="district")] == ["323", "325"]

    # Rule v1, departments: top = bottom = ceil(20 % · 3) = 1.
    #   SNV 91.5, rank 1 ≤ 1 and ≥ 90 → HTXS; STTTT 84.0, rank 2, not the last → HTT; STC 72.25 → HT.
    # Districts: top = bottom = ceil(20 % · 2) = 1. 323 88.0, rank 1 → HTT; 325 82.0 is rank 2, the
    # bottom one → not HTT, ≥ 70 → HT (79.5 before the correction: HT as well).
    ratings = {r["subject"]: r for r in views.ratings(2024)}
    heads = {
        s: (r["computed_level"], r["decided_level"], r["level"], r["status"])
        for s, r in ratings.items()
        if r["kind"] == "head"
    }
    assert heads == {
        "rating/2024/SNV": ("HTXS", "HTXS", "HTXS", "decided"),
        "rating/2024/STTTT": ("HTT", "HTT", "HTT", "decided"),
        "rating/2024/STC": ("HT", "HT", "HTT", "revised"),
        "rating/2024/323": ("HTT", "HT", "HT", "decided"),
        "rating/2024/325": ("HT", "HT", "HT", "decided"),
    }
    assert [s for s, r in ratings.items() if r["kind"] == "individual"] == [
        "rating/2024/323/le.thi.c",
        "rating/2024/323/tran.van.b",
    ]
    assert ratings["rating/2024/323"]["reason"].startswith("Kết luận thanh tra")
    assert (ratings["rating/2024/323"]["unit_name"], ratings["rating/2024/323"]["officer_name"]) == (
        "Thành phố Hưng Yên",
        "Hy.Chu-Tich",
    )

    kim = views.rating("rating/2024/325")
    assert kim is not None
    assert [(g["how"], g["level"]) for g in kim["levels"]] == [
        ("computed", "HT"),
        ("decided", "HT"),
        ("computed", "HT"),
        ("decided", "HT"),
    ]
    assert kim["inputs"] == [
        {
            "index": "PAR_UNIT",
            "maximum": "100",
            "peers": 2,
            "rank": 2,
            "results": "submission/index-results/PAR_UNIT/2024",
            "score": "82.0",
        }
    ]
    stc = views.rating("rating/2024/STC")
    assert [(g["how"], g["level"], g["signer_unit"]) for g in stc["levels"]] == [  # type: ignore[index]
        ("computed", "HT", "SNV"),
        ("decided", "HT", "UBND-TINH"),
        ("revised", "HTT", "UBND-TINH"),
    ]
    assert views.rating("rating/2024/UBND-TINH") is None

    deadlines = {(d["obligation"], d["unit"], d["index"]): d for d in views.deadlines(2024, date(2024, 12, 31))}
    assert {k: (d["status"], d["days_late"]) for k, d in deadlines.items()} == {
        ("results_published", "SNV", "PAR_UNIT"): ("on_time", 0),
        ("results_transmitted", "SNV", "PAR_UNIT"): ("late", 2),
        ("ratings_published", "SNV", None): ("on_time", 0),
        ("ratings_published", "STTTT", None): ("on_time", 0),
        ("ratings_published", "STC", None): ("on_time", 0),
        ("ratings_published", "323", None): ("on_time", 0),
        ("ratings_published", "325", None): ("on_time", 0),
    }
    early = {(d["obligation"], d["unit"], d["index"]): d["status"] for d in views.deadlines(2024, date(2024, 11, 3))}
    assert early[("results_transmitted", "SNV", "PAR_UNIT")] == "pending"
    assert early[("ratings_published", "SNV", None)] == "pending"
    assert views.deadlines(2031, date(2031, 12, 31)) == []

    history = views.history("rating/2024/323")
    assert [(h["statement_type"], h["signer_unit"], h["relation"]) for h in history] == [
        ("rating.compute", "SNV", "subject"),
        ("rating.decide", "UBND-TINH", "subject"),
    ]
    by_323 = [h for h in views.history("unit/323") if h["relation"] == "actor"]
    assert [h["statement_type"] for h in by_323] == ["submission.staff-rule", "rating.individual", "rating.individual"]
    entries = {e.seq: e for e in province.ledger.entries(history[0]["seq"], history[0]["seq"])}
    assert history[0]["leaf_hash"] == entries[history[0]["seq"]].leaf_hash.hex()
    assert history[0]["event_type"] == "par:Rating.Computed.v1"

    compilation = {c["unit"]: c for c in views.compilation(2024)}
    assert {u: (c["level"], c["computed_level"], c["consistent"]) for u, c in compilation.items()} == {
        "SNV": ("HTXS", "HTXS", True),
        "STTTT": ("HTT", "HTT", True),
        "STC": ("HT", "HT", True),
        "323": ("HTT", "HTT", True),
        "325": ("HT", "HT", True),
    }
    assert [(i["index"], i["score"], i["rank"], i["peers"], i["level"]) for i in compilation["SNV"]["indices"]] == [
        ("PAR_UNIT", "91.5", 1, 3, "HTXS")
    ]
    assert [u["code"] for u in views.units()] == ["SNV", "STC", "STTTT", "323", "325", "UBND-TINH"]
    assert views.units()[0]["head_name"] == "Snv.Giam-Doc"
    assert views.years() == [2024]
    assert [i["code"] for i in views.indices()] == ["PAR_UNIT"]
    answers = [
        views.units(), views.indices(), views.years(), views.ratings(2024), views.rating("rating/2024/STC"),
        views.index_results("PAR_UNIT", 2024), views.deadlines(2024, date(2024, 11, 20)), views.history("unit/SNV"),
        views.compilation(2024), views.submissions(2024), views.head_position(),
    ]  # fmt: skip
    assert json.loads(json.dumps(answers)) == answers  # plain JSON values, ready for --json and the web


def test_a_correction_the_ratings_were_not_recomputed_for_is_flagged_in_the_compilation(
    ledger: Ledger, documents: DocumentStore, views: Views
) -> None:
    province = Province.founded(ledger, documents)
    for step in list(province.steps())[:14]:  # up to and including the correction
        step()
    catch_up(ledger, views)

    compilation = {c["unit"]: c for c in views.compilation(2024)}

    assert compilation["325"]["consistent"] is False  # computed on 79.5, the results now say 82.0
    assert compilation["325"]["indices"][0]["score"] == "82.0"
    assert all(c["consistent"] for u, c in compilation.items() if u != "325")


# Every way of building them agrees ---------------------------------------------------------


def test_catching_up_after_every_append_equals_a_rebuild_from_zero(
    ledger: Ledger, documents: DocumentStore, views: Views
) -> None:
    province = Province.founded(ledger, documents)
    catch_up(ledger, views)
    province.run(after_each=lambda: catch_up(ledger, views))
    incremental = views.dump()

    assert catch_up(ledger, views) == 0  # nothing new: a no-op
    assert views.dump() == incremental
    assert rebuild(ledger, views) == ledger.head
    assert views.dump() == incremental
    assert rebuild(ledger, views, batch=7) == ledger.head
    assert views.dump() == incremental


def test_views_caught_up_halfway_resume_where_they_stopped(
    province: Province, views: Views, open_ledger: OpenLedger
) -> None:
    ledger = province.ledger
    half = ledger.head // 2
    committed: list[int] = []

    assert catch_up(ledger, views, batch=10, stop=half, progress=committed.append) == half
    assert views.head_position() == half
    assert committed == [*range(10, half, 10), half]

    other = open_views(open_ledger())  # another process resumes them
    assert catch_up(ledger, other, batch=10) == ledger.head - half
    resumed = other.dump()
    rebuild(ledger, views)
    assert views.dump() == resumed


def test_a_batch_prepared_at_a_position_another_process_moved_is_refused_whole(
    province: Province, views: Views, open_ledger: OpenLedger
) -> None:
    ledger = province.ledger
    stale = open_views(open_ledger())
    catch_up(ledger, views, stop=5)
    before = views.dump()
    from projections.runner import _fact

    facts = [_fact(ledger, row, n) for n, row in enumerate(ledger.ledger_recorder.select_logged(1, 8), 1)]

    with pytest.raises(PositionMoved):
        stale.apply(facts, 0, 8)  # prepared as if the views were empty
    assert views.dump() == before
    assert catch_up(ledger, stale) == ledger.head - 5  # and catching up starts from where the other stopped


def test_processes_catching_up_at_the_same_time_apply_each_entry_once(
    province: Province, views: Views, open_ledger: OpenLedger
) -> None:
    ledger = province.ledger
    others = [open_views(open_ledger()) for _ in range(3)]
    failures: list[BaseException] = []

    def run(other: Views) -> None:
        try:
            catch_up(ledger, other, batch=4)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(other,)) for other in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert {other.head_position() for other in others} == {ledger.head}
    together = others[0].dump()
    rebuild(ledger, views)
    assert views.dump() == together


def test_a_rebuild_that_dies_midway_leaves_views_that_catch_up(
    province: Province, views: Views, database_url: str
) -> None:
    """SQLite: the views are as they were (the scratch store died); PostgreSQL, rebuilt in
    place: they stand at the last batch committed. Either way they catch up to the same bytes."""
    ledger = province.ledger
    catch_up(ledger, views, stop=ledger.head - 3)
    before = views.dump()

    def die(position: int) -> None:
        if position >= 20:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rebuild(ledger, views, batch=10, progress=die)
    if database_url.startswith("sqlite"):
        assert views.dump() == before
    else:
        assert views.head_position() == 20
    catch_up(ledger, views)
    caught_up = views.dump()
    rebuild(ledger, views)
    assert views.dump() == caught_up


def test_rebuilt_views_have_their_secondary_indexes_and_answer_the_same(
    province: Province, views: Views, database_url: str
) -> None:
    ledger = province.ledger
    catch_up(ledger, views)
    incremental = views.dump()
    expected = {f"{table.name}_by_{'_'.join(columns)}" for table in TABLES for columns in table.indexes}
    assert _index_names(views, database_url) == expected

    rebuild(ledger, views, batch=10)  # the scratch store has no secondary index; the views build them

    assert views.dump() == incremental
    assert _index_names(views, database_url) == expected


def _index_names(views: Views, database_url: str) -> set[str]:
    """The secondary indexes of the view tables, as the database lists them."""
    with views._reading() as cursor:  # a private hook: no answer shows the indexes
        if database_url.startswith("sqlite"):
            cursor.execute("SELECT name AS name FROM sqlite_master WHERE type = 'index'")
        else:
            schema = views.datastore.schema  # type: ignore[attr-defined]
            cursor.execute("SELECT indexname AS name FROM pg_indexes WHERE schemaname = %s", (schema,))
        return {row["name"] for row in cursor.fetchall() if "_by_" in row["name"]}


def test_replay_at_the_head_equals_the_live_views(province: Province, views: Views) -> None:
    catch_up(province.ledger, views, batch=3)

    with replay(province.ledger) as replayed:
        assert replayed.dump() == views.dump()
        assert replayed.ratings(2024) == views.ratings(2024)


def test_replay_at_an_earlier_position_equals_the_views_of_a_ledger_that_stopped_there(
    province: Province, other_database_url: str, documents: DocumentStore
) -> None:
    ledger = province.ledger
    position = next(e.seq for e in ledger.entries() if e.envelope.statement.type == "submission.correct")  # type: ignore[attr-defined]
    stopped = Ledger(env=persistence_env(other_database_url), documents=documents)
    for entry in ledger.entries(1, position):
        stopped.append(entry.envelope, recorded_at=entry.event.timestamp)  # type: ignore[attr-defined]
    live = open_views(stopped)
    catch_up(stopped, live)

    with replay(ledger, position=position) as replayed:
        assert replayed.head_position() == position
        assert replayed.dump() == live.dump()
        assert replayed.rating("rating/2024/325")["status"] == "decided"  # type: ignore[index]
    live.close()
    stopped.close()


def test_replay_as_of_a_date_uses_the_recorded_times_up_to_the_end_of_that_day_in_hung_yen(province: Province) -> None:
    ledger = province.ledger
    times = [(e.seq, e.event.timestamp) for e in ledger.entries()]  # type: ignore[attr-defined]
    end_of_12_november = datetime(2024, 11, 12, 23, 59, 59, 999999, tzinfo=LOCAL_TIME)
    expected = max(seq for seq, at in times if at <= end_of_12_november)

    assert position_as_of(ledger, date(2024, 11, 12)) == expected
    assert position_as_of(ledger, end_of_12_november) == expected
    assert position_as_of(ledger, date(2023, 12, 31)) == 0
    assert position_as_of(ledger, date(2030, 1, 1)) == ledger.head
    with pytest.raises(ValueError, match="time zone"):
        position_as_of(ledger, datetime(2024, 11, 12, 12, 0))
    with replay(ledger, as_of=date(2024, 11, 12)) as then:
        assert then.head_position() == expected
        # By the end of 12/11 every head was decided; the correction (13/11) had not come.
        assert {r["unit"]: r["status"] for r in then.ratings(2024)} == dict.fromkeys(
            ("SNV", "STTTT", "STC", "323", "325"), "decided"
        )
        assert {r["corrections"] for r in then.index_results("PAR_UNIT", 2024)} == {0}
    with replay(ledger, as_of=date(2024, 10, 1)) as then:
        # Published at 09:00 on 01/10 (02:00 UTC).
        assert [r["score"] for r in then.index_results("PAR_UNIT", 2024, "district")] == ["88.0", "79.5"]
        assert then.ratings(2024) == []
    with pytest.raises(ValueError, match="not both"):
        replay(ledger, position=3, as_of=date(2024, 1, 1))


def test_an_in_memory_ledger_gets_private_in_memory_views(documents: DocumentStore) -> None:
    ledger = Ledger(documents=documents)
    province = Province.founded(ledger, documents)
    first, second = open_views(ledger), open_views(ledger)

    catch_up(ledger, first)

    assert first.head_position() == ledger.head > 0
    assert second.head_position() == 0
    assert [u["code"] for u in first.units()][:1] == ["SNV"]
    first.close()
    second.close()
    assert province.world.ledger is ledger


def test_views_built_by_other_code_are_dropped_and_rebuilt_not_extended(
    province: Province, views: Views, open_ledger: OpenLedger
) -> None:
    ledger = province.ledger
    catch_up(ledger, views)
    built = views.dump()
    with views._writing() as cursor:  # as if an older version of the views had stored them
        cursor.execute(
            views._sql("UPDATE {tracking} SET notification_id = 1 WHERE application_name = '__view_schema__'")
        )

    reopened = open_views(open_ledger())

    assert reopened.head_position() == 0
    assert reopened.units() == []
    catch_up(ledger, reopened)
    assert reopened.dump() == built


# The demo ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Demo:
    ledger: Ledger
    views: Views
    summary: Any


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo loaded once into SQLite, its views caught up after every append's batch of 50."""
    root = tmp_path_factory.mktemp("demo-views")
    documents = DocumentStore(root / "documents")
    ledger = Ledger(env=persistence_env(f"sqlite:///{root / 'ledger.sqlite3'}"), documents=documents)
    summary = load_demo(ledger, documents)
    views = open_views(ledger)
    catch_up(ledger, views, batch=50)
    yield Demo(ledger, views, summary)
    views.close()
    ledger.close()


def test_the_demo_projects_to_the_same_bytes_on_each_backend_and_from_zero(
    demo: Demo, ledger: Ledger, documents: DocumentStore, views: Views
) -> None:
    load_demo(ledger, documents)
    catch_up(ledger, views, batch=128)

    assert views.dump() == demo.views.dump()
    assert rebuild(ledger, views) == demo.summary.entries
    assert views.dump() == demo.views.dump()


def test_facts_read_from_the_stored_bytes_equal_those_of_the_events_the_mapper_decodes(
    ledger: Ledger, documents: DocumentStore
) -> None:
    # Catching up reads each fact straight from the stored JSON, so rebuild == incremental
    # cannot tell whether that reading agrees with the event the ledger decodes: this does.
    load_demo(ledger, documents)
    logged = ledger.ledger_recorder.select_logged(1, ledger.head)

    assert len(logged) == ledger.head
    for row in logged:
        stored = row.stored
        assert stored is not None
        from_state = fact_of_state(row.seq, row.leaf_hash, stored.topic, stored.state)
        assert from_state == fact_of(row.seq, row.leaf_hash, stored.topic, ledger.mapper.to_domain_event(stored))
        assert from_state == _fact(ledger, row, row.seq)


def test_the_demo_late_results_are_late_by_the_days_the_ledger_noted(demo: Demo) -> None:
    deadlines = {(d["obligation"], d["unit"], d["index"]): d for d in demo.views.deadlines(2023, date(2023, 12, 31))}

    # DDCI_UNIT 2023: due before 01/11/2023, published on 02/11 → 2 days late (31/10 was the last day).
    ddci = deadlines[("results_published", "SKHDT", "DDCI_UNIT")]
    assert (ddci["status"], ddci["days_late"], ddci["due"], ddci["submitted_on"]) == (
        "late",
        2,
        "2023-11-01",
        "2023-11-02",
    )
    # The governing decisions of STTTT: due before 20/02/2023, sent on 23/02 → 4 days late.
    assert deadlines[("governing_decisions", "STTTT", None)]["days_late"] == 4
    assert deadlines[("governing_decisions", "SNV", None)]["status"] == "on_time"
    # STNMT's PGI was approved on 10/04/2023, after the 20/02 deadline: it owed no list.
    assert ("governing_decisions", "STNMT", None) not in deadlines
    late_2024 = {
        k: d["days_late"]
        for k, d in (
            (k, d)
            for k, d in {
                (d["obligation"], d["unit"], d["index"]): d for d in demo.views.deadlines(2024, date(2024, 12, 31))
            }.items()
        )
        if d["status"] == "late"
    }
    # PAR_UNIT 2024 sent to SNV on 07/11, due no later than 05/11.
    assert late_2024 == {("results_transmitted", "SNV", "PAR_UNIT"): 2}


def test_the_never_published_papi_2024_is_missing_for_snv_and_leaves_heads_not_evaluated(demo: Demo) -> None:
    deadlines = {(d["obligation"], d["unit"], d["index"]): d for d in demo.views.deadlines(2024, date(2024, 12, 31))}
    compilation = {c["unit"]: c for c in demo.views.compilation(2024)}
    districts_and_communes = {u.code for u in UNITS if u.unit_class in ("district", "commune")}

    assert deadlines[("results_published", "SNV", "PAPI_UNIT")]["status"] == "missing"
    assert deadlines[("results_transmitted", "SNV", "PAPI_UNIT")]["status"] == "missing"
    # Before 01/11/2024 it was still pending.
    before = {
        (d["obligation"], d["unit"], d["index"]): d["status"] for d in demo.views.deadlines(2024, date(2024, 10, 30))
    }
    assert before[("results_published", "SNV", "PAPI_UNIT")] == "pending"
    assert {
        u
        for u, c in compilation.items()
        if c["level"] == "not_evaluated" and c["unit_class"] in ("district", "commune")
    } == districts_and_communes
    papi = next(i for i in compilation["327"]["indices"] if i["index"] == "PAPI_UNIT")
    assert (papi["level"], papi["missing"]) == ("not_evaluated", True)
    for code in districts_and_communes:
        # The committee decided none of them: their ratings deadline (moved to 29/11) was missed.
        assert deadlines[("ratings_published", code, None)]["status"] == "missing"
        rating = demo.views.rating(f"rating/2024/{code}")
        assert (rating["level"], rating["status"], rating["missing"]) == ("not_evaluated", "computed", ["PAPI_UNIT"])  # type: ignore[index]
    assert all(c["consistent"] for c in compilation.values())


def test_the_demo_decision_that_differs_keeps_its_reason_and_the_computed_level(demo: Demo) -> None:
    rating = demo.views.rating("rating/2023/327")

    # Yên Mỹ 2023 (10 districts: top = bottom = 2): PAR 89.90 rank 3 → HTT; SIPAS 91.70 rank 3 → HTT;
    # PAPI 85.30 rank 3 → HTT; DDCI 87.50 rank 3 → HTT: HTT or better 4/4 → HTT. Decided HT.
    assert rating is not None
    assert (rating["computed_level"], rating["decided_level"], rating["level"], rating["status"]) == (
        "HTT",
        "HT",
        "HT",
        "decided",
    )
    assert "Kết luận thanh tra" in rating["reason"]
    assert [(g["how"], g["level"]) for g in rating["levels"]] == [("computed", "HTT"), ("decided", "HT")]
    assert rating["levels"][1]["reason"] == rating["reason"]
    assert SCORES["327"][:4] == ("89.90", "91.70", "85.30", "87.50")
    differing = [
        r["subject"]
        for y in (2023, 2024)
        for r in demo.views.ratings(y)
        if r["kind"] == "head" and r["decided_level"] not in (None, r["computed_level"])
    ]
    assert differing == ["rating/2023/327"]


def test_the_demo_correction_is_counted_and_the_recomputed_ratings_keep_their_chain(demo: Demo) -> None:
    par = {r["unit"]: r for r in demo.views.index_results("PAR_UNIT", 2023, "district")}
    history = demo.views.history("submission/index-results/PAR_UNIT/2023")

    # Kim Động 78.40 → 84.70: rises from 9th to 7th; Ân Thi (82.40) falls to 8th, Tiên Lữ (80.20) to 9th.
    assert (par["331"]["score"], par["331"]["rank"]) == ("84.70", 7)
    assert (par["329"]["rank"], par["332"]["rank"]) == (8, 9)
    correction = next(h for h in history if h["statement_type"] == "submission.correct")
    assert {(r["version_seq"], r["corrections"]) for r in par.values()} == {(correction["seq"], 1)}
    assert [h["statement_type"] for h in history] == [
        "submission.index-results",
        "submission.transmit",
        "submission.correct",
    ]
    recomputed = {}
    for code in ("329", "331", "332"):
        rating = demo.views.rating(f"rating/2023/{code}")
        assert [g["how"] for g in rating["levels"]] == ["computed", "computed", "decided"]  # type: ignore[index]
        recomputed[code] = tuple(g["level"] for g in rating["levels"])  # type: ignore[index]
    # Kim Động HT → HTT, Ân Thi stays HTT, Tiên Lữ HTT → HT (now in the bottom two).
    assert recomputed == {"329": ("HTT", "HTT", "HTT"), "331": ("HT", "HTT", "HTT"), "332": ("HTT", "HT", "HT")}
    assert all(c["consistent"] for c in demo.views.compilation(2023))


def test_the_demo_appeal_revised_syt_2024_and_the_chain_keeps_the_decided_level(demo: Demo) -> None:
    rating = demo.views.rating("rating/2024/SYT")

    # Sở Y tế 2024 (18 departments, bottom = ranks 15–18): PAR 80.20 rank 17 → HT; SIPAS 78.90 → HT;
    # DDCI 76.10 → HT: computed HT, decided HT, revised on appeal to HTT.
    assert rating is not None
    assert (rating["computed_level"], rating["decided_level"], rating["level"], rating["status"]) == (
        "HT",
        "HT",
        "HTT",
        "revised",
    )
    assert [(g["how"], g["level"], g["signer_unit"]) for g in rating["levels"]] == [
        ("computed", "HT", "SNV"),
        ("decided", "HT", "UBND-TINH"),
        ("revised", "HTT", "UBND-TINH"),
    ]
    (appeal,) = rating["appeals"]
    assert (appeal["filed_unit"], appeal["outcome"], appeal["level"]) == ("SYT", "revised", "HTT")
    assert [h["statement_type"] for h in demo.views.history("rating/2024/SYT")] == [
        "rating.compute",
        "rating.decide",
        "rating.appeal",
        "rating.resolve-appeal",
    ]
    syt = next(c for c in demo.views.compilation(2024) if c["unit"] == "SYT")
    assert (syt["level"], syt["current_level"], syt["consistent"]) == ("HT", "HTT", True)


def test_the_demo_replays_as_of_the_day_before_the_correction(demo: Demo) -> None:
    with replay(demo.ledger, as_of=date(2023, 11, 8)) as then:
        kim_dong = then.rating("rating/2023/331")
        par = {r["unit"]: r for r in then.index_results("PAR_UNIT", 2023, "district")}

        assert (kim_dong["level"], kim_dong["status"]) == ("HT", "computed")  # type: ignore[index]
        assert (par["331"]["score"], par["331"]["rank"], par["331"]["corrections"]) == ("78.40", 9, 0)
        assert all(c["consistent"] for c in then.compilation(2023))
        assert then.ratings(2024) == []
    heads = [r for r in demo.views.ratings(2023) if r["kind"] == "head"]
    assert len(heads) == len(RATED_UNITS)


# Crash safety ------------------------------------------------------------------------------

_CATCH_UP_SLOWLY = textwrap.dedent(
    """
    import sys, time
    from ledger.application import Ledger
    from ledger.storage.config import persistence_env
    from projections import catch_up, open_views

    ledger = Ledger(env=persistence_env(sys.argv[1]))
    views = open_views(ledger)
    write = type(views)._write

    def slow_write(self, cursor, table, mode, rows):  # this test's hook: each write waits in its transaction
        write(self, cursor, table, mode, rows)
        print("wrote", flush=True)
        time.sleep(0.5)

    type(views)._write = slow_write
    catch_up(ledger, views, batch=int(sys.argv[2]), progress=lambda p: print("committed", p, flush=True))
    print("done", flush=True)
    """
)


def test_a_catch_up_killed_mid_batch_resumes_from_the_last_committed_batch(
    province: Province, database_url: str, views: Views, tmp_path: Path
) -> None:
    script = tmp_path / "catch_up_slowly.py"
    script.write_text(_CATCH_UP_SLOWLY)
    seen = []
    with subprocess.Popen(
        [sys.executable, str(script), database_url, "10"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    ) as process:
        assert process.stdout is not None
        try:
            for line in process.stdout:
                seen.append(line.strip())
                if "committed 10" in seen and line.startswith("wrote"):
                    os.kill(process.pid, signal.SIGKILL)  # inside batch 2's transaction, rows written
                    break
        finally:
            process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, seen

    assert views.head_position() == 10  # the second batch was rolled back whole
    assert catch_up(province.ledger, views) == province.ledger.head - 10
    resumed = views.dump()
    rebuild(province.ledger, views)
    assert views.dump() == resumed
