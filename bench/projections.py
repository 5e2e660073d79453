"""Rebuilding the read models: throughput against a plain read-and-decode loop, and memory at scale.

One run prints, for each backend asked for (SQLite by default; ``--backends sqlite,postgres``):

1. **Rebuild throughput.** `projections.rebuild(ledger, open_views(ledger))` in events/s. On
   SQLite: catch up from the first entry in batches of `BATCH` (5,000) into a scratch SQLite
   file (each batch committed with its position, unsynced, tables without secondary indexes),
   then the ledger's own views take it over in one transaction (old tables dropped, rows
   copied in C, indexes built, position set). On PostgreSQL: drop the view tables and catch up
   in place, each batch written by COPY with its position in one transaction. Against a plain
   `eventsourcing` loop over the same events: page through
   ``ledger.recorder.select_notifications(start, BATCH)`` and ``ledger.mapper.to_domain_event``
   every notification, keeping nothing (goal: rebuild >= 0.5x the plain loop). And a third
   variant, the **write floor**: the rows the rebuilt views hold, read once (untimed, after the
   warm-up rebuild), written into an empty store through the views' own ``_write``, in as
   many transactions (one per `BATCH` entries, each carrying the same share of every table's
   rows and moving the position as ``Views.apply`` does), store switch included: on SQLite a
   fresh `ScratchViews` file filled by ``executemany`` of INSERT and taken over by the views
   (``views.rebuilding()``, ``take_over``); on PostgreSQL ``views.reset()`` and COPY. The views' dump must be unchanged
   byte for byte after each (checked untimed). It prints the **ceiling**, plain / (plain +
   write floor) per repeat: the best rebuild / plain ratio if reading, decoding and computing
   the rows cost no more than the plain loop does; the rest of a rebuild's time is its Python.
   It is information, not a goal.
2. **Peak memory of a rebuild** at ``--events-small`` (100,000) and ``--events-large``
   (1,000,000) events, each measured in a fresh subprocess: the ``tracemalloc`` peak (Python
   allocations only) above what was allocated before the rebuild started; and, in a second
   run without tracemalloc, the growth of the process's peak resident set (``VmHWM``, which
   also counts SQLite's page cache, psycopg's buffers and the allocator's slack) during the
   rebuild, and the largest resident set sampled after each batch (goal: large <= 1.5x small
   on each, i.e. the rebuild streams). Not ``ru_maxrss``: Linux carries the parent's peak
   into a child it starts, so a child started by this (large) process would report that.

The ledgers. The registry is built through the real `Ledger`: the Hưng Yên demo (the data of
demo/data/, appended by `demo.loader.load_demo`: units, officers and keys, indices, the 2023
and 2024 cycles, about 400 entries). On top of it, the stored events of a further N − 400 entries are generated in bulk,
year after year from 2025 (about 15,000 entries per year): each year's cycle, every rated
unit's staff rule, the unit-level index results with their transmission and a correction,
heads' ratings computed from those results (``evaluate`` over the inputs `gather_inputs`
would find) and decided (a few differently, with a reason), recomputed and decided again
after the correction, appeals upheld or revised, and, filling the year, documents filed by
units (``submission.document``), individual ratings (``rating.individual``) and the odd unit
renamed (``unit.rename``). Each is a real envelope: a canonical JSON statement signed with
the registered officer's Ed25519 key, carried by the domain event class the ledger would
create (version numbers followed per record), encoded with the ledger's own mapper, and
written with its log row (sequence number, record and version, nonce, the leaf hash of
docs/formats.md) into ``stored_events`` and ``ledger_log`` in transactions of 20,000. The
Merkle subtrees and checkpoints are *not* written for the generated part (each log row's
``subtrees`` is empty): the projections never read them (so such a ledger would not verify,
nor accept another append). Before a ledger is cached, its first 2,500 generated envelopes
are appended one by one through a real in-memory `Ledger` holding the same demo, and each
receipt's leaf hash and each stored event must equal the generated ones: the ledger accepts
every kind of statement generated, and stores exactly those bytes.

SQLite ledgers are cached under the system temporary directory (printed), keyed by size and
by the sources that shape their bytes. A PostgreSQL run copies the cached rows into a fresh
schema (``COPY``, in ledger order, so notification ids follow sequence numbers) and drops it
afterwards.

Method (/work/shared/research/perf-physics.md): this 2-vCPU box is noisy, so the three
variants run interleaved with their order alternating every repeat (forward, then reversed),
after one untimed warm-up of each; figures are medians of the repeats, and the ratio and the
ceiling are medians of the per-repeat figures (min-max given). Compare ratios, not absolute
rates across runs.

    .venv/bin/python bench/projections.py [--events-small 100000] [--events-large 1000000]
        [--repeats 5] [--backends sqlite[,postgres]] [--quick] [--postgres-url URL]

``--quick``: 20,000 / 100,000 events, 3 repeats. The goals are reported, never enforced:
it exits non-zero only on errors (a rebuild or a loop that does not see every event, a
write floor that writes other rows or leaves other views, a generated ledger the self-check
refuses, a measuring subprocess that fails).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import itertools
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from context import ROOT, load, machine

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eventsourcing.utils import get_topic

from demo import loader as demo
from demo import province
from ledger.application import Ledger, leaf_of
from ledger.domain.fields import Reader
from ledger.domain.indices import Cycle
from ledger.domain.local_time import LOCAL_TIME
from ledger.domain.ratings import Rating
from ledger.domain.records import SignedCreated, subject_id
from ledger.domain.registry import AUTHORITY_UNIT, RATED_CLASSES, Unit
from ledger.domain.rules import ILLUSTRATIVE_PARAMETERS, LEVELS, Input, Parameters, evaluate
from ledger.domain.submissions import Submission
from ledger.signing.dsse import PAYLOAD_TYPE, pae
from ledger.signing.envelope import Envelope, Signature, canonical_json
from ledger.storage.config import persistence_env
from ledger.storage.documents import DocumentStore
from ledger.storage.sqlite import LOG_TABLE
from ledger.tlog.log import leaf_hash
from ledger.tlog.notes import NoteSigner
from ledger.tlog.transparency import DEFAULT_ORIGIN
from projections import open_views, rebuild
from projections.runner import BATCH
from projections.schema import TABLES, Row, Table
from projections.views import Views

DEFAULT_POSTGRES_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
CACHE_ROOT = Path(tempfile.gettempdir()) / "par-ledger-bench-projections"
PAGE = BATCH  # the plain loop's page size: the rebuild's batch
QUICK = (20_000, 100_000, 3)
GOAL_THROUGHPUT = 0.5
GOAL_MEMORY = 1.5


# --------------------------------------------------------------------------------------
# The generated ledger
# --------------------------------------------------------------------------------------

GENERATOR = "projections-bench-ledger/1"

_SURNAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô",
    "Dương", "Đào", "Lương", "Đinh", "Trịnh", "Tạ", "Phan", "Cao", "Lại", "Hà",
)  # fmt: skip
_MIDDLE_NAMES = ("Văn", "Thị", "Đức", "Minh", "Quang", "Thu", "Hữu", "Thanh", "Ngọc", "Xuân", "Hồng", "Mạnh")
_GIVEN_NAMES = (
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa",
    "Hùng", "Huyền", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong",
    "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Tuấn", "Tùng", "Yến",
)  # fmt: skip


def fictional_name(n: int) -> str:
    """The n-th fictional full name of the generated staff (the demo's people were named so too)."""
    return f"{_SURNAMES[n % 20]} {_MIDDLE_NAMES[(5 * n + 1) % 12]} {_GIVEN_NAMES[(7 * n + 3) % 30]}"


#: Files whose contents shape the stored bytes: a change to any of them makes a new cache.
CACHE_SOURCES = (
    "demo/loader.py",
    "demo/province.py",
    "demo/story.py",
    "demo/pdf.py",
    "demo/data/structure.toml",
    "demo/data/indices.toml",
    "demo/data/results.toml",
    "demo/data/story-2023.toml",
    "demo/data/story-2024.toml",
    "ledger/application.py",
    "ledger/signing/envelope.py",
    "ledger/signing/dsse.py",
    "ledger/tlog/log.py",
    "ledger/domain/records.py",
    "ledger/domain/registry.py",
    "ledger/domain/submissions.py",
    "ledger/domain/ratings.py",
    "ledger/domain/indices.py",
    "ledger/domain/rules.py",
)
FIRST_YEAR = 2025
YEAR_VOLUME = 15_000  # entries per generated year
SELF_CHECK = 2_500  # generated entries appended through a real Ledger before caching
TRANSACTION = 20_000  # rows per bulk transaction
POSITIONS = ("Chuyên viên", "Phó trưởng phòng", "Trưởng phòng", "Kế toán", "Văn thư", "Thanh tra viên")
DOCUMENT_TITLES = (
    "Báo cáo kết quả cải cách hành chính quý",
    "Kế hoạch kiểm tra công tác cải cách hành chính",
    "Báo cáo tự đánh giá, chấm điểm chỉ số",
    "Quyết định kiện toàn tổ công tác",
    "Báo cáo tình hình giải quyết thủ tục hành chính",
    "Biên bản kiểm tra việc thực hiện quy chế dân chủ",
)


def canonical(value: Any) -> bytes:
    """RFC 8785 for these statements: safe integers, NFC strings, ASCII keys (as `is_canonical`
    says, json.dumps with sorted keys writes the same bytes; checked on a sample)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


#: Records created once and never changed: their versions need not be followed.
NEVER_CHANGED = frozenset(("cycle.open", "submission.staff-rule", "submission.document", "rating.individual"))
Statement = tuple[str, str, str, dict[str, Any], Any]  # signer, type, subject, body, event class


@dataclass(frozen=True)
class Generated:
    """One generated entry: its row of ``stored_events`` and its row of ``ledger_log``."""

    seq: int
    aggregate_id: uuid.UUID
    version: int
    topic: str
    state: bytes
    nonce: str
    leaf_hash: bytes
    envelope: Any
    at: datetime

    def log_row(self) -> tuple[Any, ...]:
        """Its row of ``ledger_log`` (`LOG_COLUMNS`), without the Merkle subtrees."""
        return (self.seq, self.aggregate_id.hex, self.version, self.nonce, self.leaf_hash, b"")


@dataclass
class UnitState:
    code: str
    unit_class: str
    head: str
    base_name: str
    renames: int = 0


def record_of(event_class: Any) -> Any:
    """The record class an event class is nested in (``Submission.Created`` → ``Submission``)."""
    return getattr(sys.modules[event_class.__module__], event_class.__qualname__.split(".")[0])


def ranks(scores: dict[str, str], classes: dict[str, str]) -> dict[str, int]:
    """Competition ranks within each unit class (ties share the better rank)."""
    return {
        code: 1 + sum(1 for c, s in scores.items() if classes[c] == classes[code] and Decimal(s) > Decimal(score))
        for code, score in scores.items()
    }


class Generator:
    """The entries after the demo, year after year, exactly as the ledger would store them."""

    def __init__(self, ledger: Any, seed: int = 2025) -> None:

        self.ledger = ledger
        self.rng = random.Random(seed)
        self.seq = ledger.refresh()
        self.last_recorded = max(e.event.timestamp for e in ledger.entries(max(1, self.seq - 50)))
        self.units: dict[str, UnitState] = {}
        for unit in demo.UNITS:
            record = ledger.get(f"unit/{unit.code}")
            if not isinstance(record, Unit) or not record.head:
                raise RuntimeError(f"the demo's unit {unit.code} is missing or has no head")
            self.units[unit.code] = UnitState(unit.code, record.unit_class, record.head, record.name)
        self.classes = {code: unit.unit_class for code, unit in self.units.items()}
        self.rated = [code for code, unit in self.units.items() if unit.unit_class in RATED_CLASSES]
        self.indices = [index for index in demo.INDICES if index.level == "unit"]
        self.ruleset_indices = dict(demo.RULESET_INDICES)  # what rule set v1 counts, per class
        self.evaluated = [code for code in self.rated if self.ruleset_indices.get(self.classes[code])]
        self.parameters = Parameters.read(Reader(dict(ILLUSTRATIVE_PARAMETERS)))
        self.committee = demo.HEADS[demo.COMMITTEE].officer_id
        self.snv = demo.SNV_OFFICER
        self.lead_officer = {"SNV": demo.SNV_OFFICER, "SKHDT": demo.SKHDT_OFFICER}
        self.unit_of = {officer.officer_id: officer.unit for officer in demo.OFFICERS}
        self.keys = {officer: (key.sign, key.key_id) for officer in (*self.unit_of, "root")
                     for key in (demo.demo_key(officer),)}  # fmt: skip
        self.people = [fictional_name(n) for n in range(997)]
        self.slug = province.slug
        self.versions: dict[uuid.UUID, int] = {}
        self.counts: dict[str, int] = {}
        self.payload_sizes: list[int] = []

    def entries(self, count: int) -> Iterator[Generated]:
        """`count` entries after the demo: years of `YEAR_VOLUME` entries from `FIRST_YEAR`."""
        year = FIRST_YEAR
        while count > 0:
            if year > 2099:
                raise RuntimeError("more entries than the years up to 2099 hold at this YEAR_VOLUME")
            volume = min(YEAR_VOLUME, count)
            begin = datetime(year, 1, 5, 8, 0, tzinfo=LOCAL_TIME)
            if begin <= self.last_recorded:
                raise RuntimeError(f"the registry ends after {begin}; move FIRST_YEAR")
            spacing = timedelta(days=340) / volume
            for n, statement in enumerate(itertools.islice(self.statements(year), volume)):
                yield self.entry(*statement, at=begin + spacing * n)
            count -= volume
            year += 1

    # The statements of one year (an endless stream: the caller takes what the year holds) ---

    def statements(self, year: int) -> Iterator[Statement]:
        rng, units = self.rng, self.units
        yield (
            self.snv,
            "cycle.open",
            f"cycle/{year}",
            {
                "deadlines": {
                    "results_published": f"{year}-11-01",
                    "results_transmitted": f"{year}-11-05",
                    "ratings_published": f"{year}-11-15",
                }
            },
            Cycle.Created,
        )
        for code in self.rated:
            body = {
                "title": f"Quy định đánh giá, xếp loại công chức, viên chức năm {year}",
                "decision": f"Quyết định số {rng.randint(1, 400)}/QĐ-{code}",
                "issued_on": f"{year}-02-{rng.randint(1, 28):02d}",
                "document": self.document(code, year, "quy-dinh"),
            }
            yield (
                units[code].head,
                "submission.staff-rule",
                f"submission/staff-rule/{code}/{year}",
                body,
                Submission.Created,
            )
        scores: dict[str, dict[str, str]] = {}
        for index in self.indices:
            measured = [code for code in self.rated if self.classes[code] in index.classes]
            scores[index.code] = {code: f"{rng.uniform(55, float(index.maximum) - 1):.2f}" for code in measured}
            body = self.results_body(year, scores[index.code])
            subject = f"submission/index-results/{index.code}/{year}"
            yield self.lead_officer[index.lead], "submission.index-results", subject, body, Submission.Created
        for index in self.indices:
            subject = f"submission/index-results/{index.code}/{year}"
            body = {"note": f"Gửi Sở Nội vụ kết quả {index.code} năm {year}"}
            yield self.lead_officer[index.lead], "submission.transmit", subject, body, Submission.Transmitted

        levels: dict[str, str] = {}

        def compute(code: str) -> Statement:
            inputs, missing = self.inputs(year, code, scores)
            levels[code] = evaluate(self.parameters, inputs, missing).level
            body = {
                "officer": units[code].head,
                "ruleset": "v1",
                "inputs": [i.to_json() for i in inputs],
                "missing": list(missing),
                "level": levels[code],
            }
            subject = f"rating/{year}/{code}"
            event_class = Rating.Recomputed if subject_id(subject) in self.versions else Rating.Created
            return self.snv, "rating.compute", subject, body, event_class

        def decide(code: str) -> Statement:
            body: dict[str, Any] = {
                "level": levels[code],
                "decision": f"Quyết định số {rng.randint(2000, 2999)}/QĐ-UBND",
            }
            if rng.random() < 0.05:  # the committee differs, with the written reason
                body["level"] = rng.choice([level for level in LEVELS if level != levels[code]])
                body["reason"] = "Theo kết luận thanh tra, người đứng đầu chịu trách nhiệm; xếp thấp hơn mức tính."
            levels[code] = body["level"]
            return self.committee, "rating.decide", f"rating/{year}/{code}", body, Rating.Decided

        for code in self.rated:  # the office and public service units come out not evaluated, undecided
            yield compute(code)
        for code in self.evaluated:
            yield decide(code)

        # PAR_UNIT is corrected for one unit; the heads whose result moved are recomputed and decided again.
        par = scores["PAR_UNIT"]
        before = {code: (par[code], rank) for code, rank in ranks(par, self.classes).items()}
        corrected = rng.choice([code for code in self.evaluated if code in par])
        par[corrected] = f"{min(99.0, float(par[corrected]) + rng.uniform(1, 6)):.2f}"
        body = {
            "reason": f"Sai sót khi tổng hợp điểm của đơn vị {corrected}",
            "decision": f"Quyết định số {rng.randint(3000, 3500)}/QĐ-UBND",
            "replacement": self.results_body(year, par),
        }
        subject = f"submission/index-results/PAR_UNIT/{year}"
        yield self.lead_officer["SNV"], "submission.correct", subject, body, Submission.Corrected
        after = ranks(par, self.classes)
        for code in self.evaluated:
            if code in par and before[code] != (par[code], after[code]):
                yield compute(code)
                yield decide(code)

        # The rest of the year: documents, individual ratings, the odd rename, appeals.
        appeals = 0
        for slot in itertools.count():
            kind = slot % 100
            code = self.rated[rng.randrange(len(self.rated))]
            if kind == 90:
                unit = units[code]
                unit.renames += 1
                name = unit.base_name if unit.renames % 2 == 0 else f"{unit.base_name} (tên gọi mới {unit.renames})"
                body = {"name": name, "decision": f"Quyết định số {rng.randint(1, 999)}/QĐ-UBND về việc đổi tên"}
                yield "root", "unit.rename", f"unit/{code}", body, Unit.Renamed
            elif kind == 91:
                target = self.evaluated[appeals % len(self.evaluated)]
                appeals += 1
                subject = f"rating/{year}/{target}"
                grounds = "Kết quả chấm điểm chưa tính các hồ sơ trực tuyến đã giải quyết đúng hạn"
                yield units[target].head, "rating.appeal", subject, {"grounds": grounds}, Rating.AppealFiled
                body = {"outcome": "upheld", "reason": "Thẩm định lại: giữ nguyên mức xếp loại", "decision": "QĐ 3120"}
                if rng.random() < 0.5:
                    levels[target] = rng.choice([level for level in LEVELS if level != levels[target]])
                    body = {
                        **body,
                        "outcome": "revised",
                        "level": levels[target],
                        "reason": "Thẩm định lại: điều chỉnh",
                    }
                yield self.committee, "rating.resolve-appeal", subject, body, Rating.AppealResolved
            elif 46 <= kind < 90:
                n = self.counts.get("rating.individual", 0)
                name = self.people[n % len(self.people)]
                body = {
                    "name": name,
                    "position": POSITIONS[n % len(POSITIONS)],
                    "level": ("HTXS", "HTT", "HTT", "HT", "HT", "KHT")[rng.randrange(6)],
                    "rule": f"submission/staff-rule/{code}/{year}",
                }
                subject = f"rating/{year}/{code}/{self.slug(name)}.{n}"
                yield units[code].head, "rating.individual", subject, body, Rating.Published
            else:
                n = self.counts.get("submission.document", 0)
                body = {
                    "title": f"{DOCUMENT_TITLES[n % len(DOCUMENT_TITLES)]} — {units[code].base_name}",
                    "issued_on": f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                    "document": self.document(code, year, f"vb-{n}"),
                }
                subject = f"submission/document/{code}/{year}/vb-{n:07d}"
                yield units[code].head, "submission.document", subject, body, Submission.Created

    # Bodies ----------------------------------------------------------------------------

    def results_body(self, year: int, scores: dict[str, str]) -> dict[str, Any]:
        ranked = ranks(scores, self.classes)
        return {
            "measured_year": year,
            "decision": f"Quyết định số {self.rng.randint(1000, 2999)}/QĐ-UBND",
            "published_on": f"{year}-10-{self.rng.randint(1, 28):02d}",
            "results": [{"unit": code, "score": score, "rank": ranked[code]} for code, score in scores.items()],
        }

    def inputs(self, year: int, code: str, scores: dict[str, dict[str, str]]) -> tuple[Any, Any]:
        """What `gather_inputs` finds for `code` under rule set v1, from the results published."""
        maxima = {index.code: index.maximum for index in self.indices}
        unit_class = self.classes[code]
        found, missing = [], []
        for index in self.ruleset_indices.get(unit_class, ()):
            published = scores.get(index, {})
            if code not in published:
                missing.append(index)
                continue
            peers = sum(1 for other in published if self.classes[other] == unit_class)
            rank = ranks(published, self.classes)[code]
            subject = f"submission/index-results/{index}/{year}"
            found.append(Input(index, subject, Decimal(published[code]), Decimal(maxima[index]), rank, peers))
        return tuple(found), tuple(missing)

    @staticmethod
    def document(code: str, year: int, ref: str) -> dict[str, Any]:
        """The reference of a filed PDF (the projections never open the document store)."""
        digest = hashlib.sha256(f"{code}/{year}/{ref}".encode()).hexdigest()
        return {"sha256": digest, "size": 40_000 + int(digest[:4], 16), "media_type": "application/pdf",
                "name": f"{ref}.pdf"}  # fmt: skip

    # One entry -------------------------------------------------------------------------

    def entry(
        self, officer: str, statement_type: str, subject: str, body: dict[str, Any], event_class: Any, *, at: datetime
    ) -> Generated:
        self.seq += 1
        nonce = hashlib.sha256(f"bench projections nonce {self.seq}".encode()).hexdigest()[:32]
        statement = {
            "type": statement_type,
            "unit": AUTHORITY_UNIT if officer == "root" else self.unit_of[officer],
            "officer": officer,
            "subject": subject,
            "body": body,
            "client_time": at.isoformat(timespec="seconds"),
            "nonce": nonce,
        }
        payload = canonical(statement)
        if self.seq % 499 == 0 and canonical_json(statement) != payload:
            raise RuntimeError(f"entry {self.seq}: the payload is not RFC 8785 canonical JSON")
        sign, key_id = self.keys[officer]
        envelope = Envelope(PAYLOAD_TYPE, payload, (Signature(key_id, sign(pae(PAYLOAD_TYPE, payload))),))
        aggregate_id = subject_id(subject)
        timestamp = at.astimezone(UTC)
        fields: dict[str, Any] = {"originator_id": aggregate_id, "timestamp": timestamp, "envelope": envelope}
        if issubclass(event_class, SignedCreated):
            fields.update(originator_version=1, originator_topic=get_topic(record_of(event_class)))
        else:
            version = self.versions.get(aggregate_id)
            if version is None:  # a record of the demo's registry
                stored = self.ledger.recorder.select_events(aggregate_id, desc=True, limit=1)
                version = stored[0].originator_version
            fields["originator_version"] = version + 1
        event = event_class(**fields)
        if statement_type not in NEVER_CHANGED:
            self.versions[aggregate_id] = event.originator_version
        stored = self.ledger.mapper.to_stored_event(event)
        self.counts[statement_type] = self.counts.get(statement_type, 0) + 1
        if self.seq % 7 == 0:
            self.payload_sizes.append(len(payload))
        return Generated(
            seq=self.seq,
            aggregate_id=aggregate_id,
            version=event.originator_version,
            topic=stored.topic,
            state=stored.state,
            nonce=nonce,
            leaf_hash=leaf_hash(leaf_of(self.seq, event, stored.topic).to_bytes()),
            envelope=envelope,
            at=timestamp,
        )


class AcceptDocuments:
    """The self-check's document checker: the generated references name no stored file."""

    def check(self, ref: Any, field: str) -> None:
        return None


def self_check(checked: list[Generated], registry: int) -> None:
    """Append `checked` through a real in-memory Ledger holding the same demo; compare the bytes."""
    with tempfile.TemporaryDirectory() as folder:
        ledger = Ledger(documents=AcceptDocuments())  # type: ignore[arg-type]
        demo.load_demo(ledger, DocumentStore(Path(folder)))
        if ledger.head != registry:
            raise RuntimeError(f"the demo loaded {ledger.head} entries in memory, {registry} in the file")
        for generated in checked:
            try:
                receipt = ledger.append(generated.envelope, recorded_at=generated.at)
            except Exception as exc:
                what = f"{generated.envelope.statement.type} {generated.envelope.statement.subject}"
                raise RuntimeError(
                    f"self-check: the ledger refused generated entry {generated.seq} ({what}): {exc}"
                ) from exc
            stored = ledger.recorder.select_events(receipt.aggregate_id, gt=receipt.version - 1, lte=receipt.version)
            if (receipt.seq, receipt.version, receipt.leaf_hash) != (
                generated.seq,
                generated.version,
                generated.leaf_hash,
            ) or (
                stored[0].topic,
                stored[0].state,
            ) != (generated.topic, generated.state):
                raise RuntimeError(f"self-check: entry {generated.seq} is not what the ledger stores")
        ledger.close()


#: The columns of ``ledger_log``.
LOG_COLUMNS = ("seq", "originator_id", "originator_version", "nonce", "leaf_hash", "subtrees")


def generate(path: Path, events: int, progress: Callable[[str], None]) -> dict[str, Any]:
    """Build the ledger of `events` entries at `path` (an SQLite file): the demo, then generated years."""
    started = time.perf_counter()
    log_signer = NoteSigner(DEFAULT_ORIGIN, hashlib.sha256(b"bench projections log key").digest())
    with tempfile.TemporaryDirectory() as folder:
        ledger = Ledger(
            env=persistence_env(f"sqlite:///{path}"), documents=DocumentStore(Path(folder)), log_signer=log_signer
        )
        demo.load_demo(ledger, DocumentStore(Path(folder)))
    registry = ledger.head
    if events <= registry:
        raise ValueError(f"a ledger needs more than the demo's {registry} entries")
    took = time.perf_counter() - started
    progress(f"  registry: the demo, {registry} entries appended through Ledger.append ({took:.1f} s)")
    generator = Generator(ledger)
    recorder = ledger.recorder
    checked: list[Generated] = []
    rows: list[tuple[Any, ...]] = []
    logs: list[tuple[Any, ...]] = []
    signing = time.perf_counter()
    insert_log = f"INSERT INTO {LOG_TABLE} ({', '.join(LOG_COLUMNS)}) VALUES ({', '.join('?' * len(LOG_COLUMNS))})"

    def flush() -> None:
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.executemany(recorder.insert_events_statement, rows)
            cursor.executemany(insert_log, logs)
        rows.clear()
        logs.clear()

    for generated in generator.entries(events - registry):
        if len(checked) < SELF_CHECK:
            checked.append(generated)
        rows.append((generated.aggregate_id.hex, generated.version, generated.topic, generated.state))
        logs.append(generated.log_row())
        if len(rows) >= TRANSACTION:
            flush()
            progress(f"  generated {generated.seq:,} / {events:,} entries ({time.perf_counter() - signing:.0f} s)")
    if rows:
        flush()
    generation_s = time.perf_counter() - signing
    head = recorder.max_seq()
    ledger.close()
    if head != events:
        raise RuntimeError(f"the generated ledger holds {head} entries, not {events}")
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checking = time.perf_counter()
    self_check(checked, registry)
    progress(f"  self-check: {len(checked):,} generated entries appended through a real Ledger, same bytes")
    sizes = sorted(generator.payload_sizes)
    return {
        "generator": GENERATOR,
        "events": events,
        "registry": registry,
        "kinds": dict(sorted(generator.counts.items(), key=lambda kv: -kv[1])),
        "payload_mean": round(statistics.fmean(sizes)),
        "payload_p5": sizes[len(sizes) // 20],
        "payload_p95": sizes[len(sizes) * 19 // 20],
        "generation_s": round(generation_s, 1),
        "self_check_s": round(time.perf_counter() - checking, 1),
        "self_checked": len(checked),
        "years": f"{FIRST_YEAR}–{FIRST_YEAR + (events - registry - 1) // YEAR_VOLUME}",
        "file_bytes": path.stat().st_size,
    }


# --------------------------------------------------------------------------------------
# The cache of generated ledgers
# --------------------------------------------------------------------------------------


def cache_key(events: int) -> str:
    """Size, generator version, this file's generator section and the sources that shape the bytes."""
    digest = hashlib.sha256(GENERATOR.encode())
    text = Path(__file__).read_text()
    digest.update(text[text.index("# The generated ledger") : text.index("# The cache of generated ledgers")].encode())
    for name in CACHE_SOURCES:
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes())
    return f"{events}-{digest.hexdigest()[:12]}"


@dataclass(frozen=True)
class Cached:
    path: Path  # the SQLite ledger (its views are rebuilt in it)
    meta: dict[str, Any]
    cached: bool


def cached_ledger(events: int, progress: Callable[[str], None]) -> Cached:
    """The cached SQLite ledger of `events` entries (generated if missing)."""
    final = CACHE_ROOT / cache_key(events)
    meta_file = final / "meta.json"
    cached = meta_file.is_file()
    if not cached:
        progress(f"generating a ledger of {events:,} entries in {final} …")
        CACHE_ROOT.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=CACHE_ROOT))
        try:
            meta = generate(building / "ledger.sqlite3", events, progress)
            (building / "meta.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
            with contextlib.suppress(FileNotFoundError):
                shutil.rmtree(final)
            os.replace(building, final)
            digest = final.name.rsplit("-", 1)[1]
            for stale in CACHE_ROOT.glob("*-*"):  # made by another version of the generator or the sources
                if stale.is_dir() and not stale.name.startswith(".") and not stale.name.endswith(f"-{digest}"):
                    shutil.rmtree(stale, ignore_errors=True)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
    return Cached(final / "ledger.sqlite3", json.loads(meta_file.read_text()), cached)


# --------------------------------------------------------------------------------------
# PostgreSQL: the cached rows, copied into a fresh schema
# --------------------------------------------------------------------------------------


@contextlib.contextmanager
def postgres_copy(source: Path, base_url: str, progress: Callable[[str], None]) -> Iterator[str]:
    """A fresh schema holding the ledger rows of `source` (stored events and log), dropped afterwards."""
    import psycopg

    schema = f"bench_proj_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base_url, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{base_url}?schema={schema}"
    try:
        started = time.perf_counter()
        ledger = Ledger(env=persistence_env(url))  # the ledger's tables, as the ledger creates them
        events_table = ledger.recorder.events_table_name  # type: ignore[attr-defined]
        ledger.close()
        with contextlib.closing(sqlite3.connect(source)) as lite, psycopg.connect(base_url) as pg:
            columns = "originator_id, originator_version, topic, state"
            copy_events = f'COPY "{schema}".{events_table} ({columns}) FROM STDIN'
            with pg.cursor() as cursor, cursor.copy(copy_events) as copy:
                for row in lite.execute(f"SELECT {columns} FROM stored_events ORDER BY rowid"):
                    copy.write_row((uuid.UUID(row[0]), *row[1:]))
            log = ", ".join(LOG_COLUMNS)
            copy_log = f'COPY "{schema}".{LOG_TABLE} ({log}) FROM STDIN'
            with pg.cursor() as cursor, cursor.copy(copy_log) as copy:
                for seq, originator_id, *rest in lite.execute(f"SELECT {log} FROM {LOG_TABLE} ORDER BY seq"):
                    copy.write_row((seq, uuid.UUID(originator_id), *rest))
            pg.commit()
            pg.autocommit = True
            pg.execute(f'ANALYZE "{schema}".{events_table}')
            pg.execute(f'ANALYZE "{schema}".{LOG_TABLE}')
        progress(
            f"  copied {source.parent.name} into PostgreSQL schema {schema} ({time.perf_counter() - started:.0f} s)"
        )
        yield url
    finally:
        with psycopg.connect(base_url, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


# --------------------------------------------------------------------------------------
# What is measured
# --------------------------------------------------------------------------------------


def plain_loop(ledger: Any) -> int:
    """The baseline: every notification read in pages and decoded by the ledger's mapper, nothing kept."""
    recorder, to_domain_event = ledger.recorder, ledger.mapper.to_domain_event
    start, count = 1, 0
    while True:
        page = recorder.select_notifications(start, PAGE)
        for notification in page:
            to_domain_event(notification)
        count += len(page)
        if len(page) < PAGE:
            return count
        start = page[-1].id + 1


def timed(run: Callable[[], int], expected: int, what: str, unit: str = "events") -> float:
    gc.collect()
    started = time.perf_counter()
    count = run()
    elapsed = time.perf_counter() - started
    if count != expected:
        raise RuntimeError(f"{what} saw {count:,} {unit}, not {expected:,}")
    return elapsed


# The write floor: what a rebuild must write, and nothing else ---------------------------


@dataclass(frozen=True)
class Transaction:
    """The rows one transaction of the write floor writes, and the position it moves the store to."""

    start: int
    end: int
    rows: dict[Table, list[Row]]


@dataclass(frozen=True)
class ViewRows:
    """Every row the rebuilt views hold, read once, cut into the rebuild's transactions; and their dump."""

    count: int
    transactions: list[Transaction]
    dump: bytes


def view_rows(views: Views) -> ViewRows:
    """Read every row of every view table (untimed) and cut them into the transactions a rebuild
    commits: one per `BATCH` entries, each taking the same share of every table's rows.

    Rows are mappings, as a batch hands them to the views' `_write`, in the order a full scan
    gives (key order on SQLite, about the order written on PostgreSQL).
    """
    position = views.position()
    tables: dict[Table, list[Row]] = {}
    with views._reading() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {views.statements.qualify(table.name)}")
            tables[table] = views._fetch_rows(cursor)
    batches = max(1, -(-position // BATCH))
    transactions = [
        Transaction(
            start=n * BATCH,
            end=min(position, (n + 1) * BATCH),
            rows={table: share(table_rows, n, batches) for table, table_rows in tables.items()},
        )
        for n in range(batches)
    ]
    return ViewRows(sum(map(len, tables.values())), transactions, views.dump())


def share(rows: list[Any], n: int, parts: int) -> list[Any]:
    """The `n`-th of `parts` near-equal consecutive slices of `rows`."""
    return rows[len(rows) * n // parts : len(rows) * (n + 1) // parts]


def write_floor(views: Views, rows: ViewRows) -> int:
    """Write `rows` as a rebuild writes its own into an empty store; return how many were written.

    `views.rebuilding()` gives the store and its switch, as it does the rebuild: on SQLite a
    new `ScratchViews` file that the views then take over (`take_over`: old tables dropped,
    rows copied, indexes built); on PostgreSQL the views themselves after `reset()`. Each
    transaction moves the position first, as `Views.apply` does (`_move`), then writes each
    table's new rows through the views' own `_write` (SQLite: `executemany` of INSERT;
    PostgreSQL: COPY). Left out: the rows' computation, and the rebuild's closing look for
    entries appended meanwhile (one empty read).
    """
    written = 0
    with views.rebuilding() as store:
        for transaction in rows.transactions:
            with store._writing() as cursor:
                store._move(cursor, transaction.start, transaction.end)
                for table, table_rows in transaction.rows.items():
                    store._write(cursor, table, "insert", table_rows)
                    written += len(table_rows)
    return written


def check_unchanged(views: Views, rows: ViewRows) -> None:
    """The views after the write floor must dump what the rebuild left, byte for byte (untimed)."""
    if views.dump() != rows.dump:
        raise RuntimeError("the write floor left views that differ from the rebuilt ones")


@dataclass
class Throughput:
    backend: str
    events: int
    rebuild: list[float] = field(default_factory=list)
    plain: list[float] = field(default_factory=list)
    write_floor: list[float] = field(default_factory=list)
    rows: int = 0  # rows the rebuilt views hold: what the write floor writes
    transactions: int = 0


def ceilings(t: Throughput) -> list[float]:
    """Per repeat: the best rebuild / plain ratio, if a rebuild cost the plain loop plus the write floor."""
    return [plain / (plain + floor) for plain, floor in zip(t.plain, t.write_floor, strict=True)]


def throughput(backend: str, url: str, events: int, repeats: int, progress: Callable[[str], None]) -> Throughput:
    """Rebuild, the plain loop and the write floor, interleaved (order alternating), after one
    untimed warm-up of each. The write floor's rows are read once, after the warm-up rebuild."""
    ledger = Ledger(env=persistence_env(url))
    views = open_views(ledger)
    result = Throughput(backend, events)
    try:
        runs = {
            "rebuild": (lambda: rebuild(ledger, views), events, "events"),
            "plain": (lambda: plain_loop(ledger), events, "events"),
        }

        def run_timed(name: str) -> float:
            run, expected, unit = runs[name]
            elapsed = timed(run, expected, name.replace("_", " "), unit)
            if name == "write_floor":
                check_unchanged(views, rows)  # untimed
            return elapsed

        run_timed("rebuild")
        run_timed("plain")
        rows = view_rows(views)  # what the warm-up rebuild left: the same rows as every rebuild
        result.rows, result.transactions = rows.count, len(rows.transactions)
        runs["write_floor"] = (lambda: write_floor(views, rows), rows.count, "rows")
        run_timed("write_floor")
        for repeat in range(repeats):
            order = list(runs) if repeat % 2 == 0 else list(reversed(runs))
            for name in order:
                getattr(result, name).append(run_timed(name))
            progress(
                f"  {backend} repeat {repeat + 1}/{repeats}: rebuild {events / result.rebuild[-1]:,.0f} ev/s, "
                f"plain {events / result.plain[-1]:,.0f} ev/s, write floor {result.write_floor[-1]:.2f} s "
                f"({rows.count / result.write_floor[-1]:,.0f} rows/s): ceiling {ceilings(result)[-1]:.2f}× ({load()})"
            )
        if views.head_position() != events:
            raise RuntimeError(f"the rebuilt views stand at {views.head_position()}, not {events}")
    finally:
        views.close()
        ledger.close()
    return result


def peak_rss() -> int:
    """This process's peak resident set so far, in bytes (Linux ``VmHWM``; 0 elsewhere).

    Unlike ``ru_maxrss``, it starts afresh with the program: Linux carries a parent's peak
    into the ``ru_maxrss`` of a child it starts, which would hide the child's own.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def rss_now() -> int:
    """The resident set now, in bytes (Linux /proc; 0 elsewhere)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def child(mode: str, url: str, expected: int) -> None:
    """In a fresh process: one rebuild, measured by tracemalloc or by resident sets; prints JSON."""
    if mode == "tracemalloc":
        tracemalloc.start()
    ledger = Ledger(env=persistence_env(url))
    views = open_views(ledger)
    views.reset()  # start from empty tables: dropping the last run's rows is not part of the figure
    gc.collect()
    traced_before = 0
    if mode == "tracemalloc":
        traced_before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
    peak_before = peak_rss()
    resident = [rss_now()]

    def sample(_: int) -> None:
        resident.append(rss_now())

    started = time.perf_counter()
    count = rebuild(ledger, views, progress=sample)
    elapsed = time.perf_counter() - started
    peak_after = peak_rss()
    result: dict[str, Any] = {
        "events": count,
        "seconds": elapsed,
        "peak_before": peak_before,
        "peak_after": peak_after,
        "resident_start": resident[0],
        "resident_peak": max(resident),
    }
    if mode == "tracemalloc":
        current, peak = tracemalloc.get_traced_memory()
        result.update(traced_before=traced_before, traced_peak=peak, traced_after=current)
        tracemalloc.stop()
    views.close()
    ledger.close()
    if count != expected:
        raise SystemExit(f"the rebuild saw {count:,} events, not {expected:,}")
    print(json.dumps(result))


@dataclass
class Memory:
    backend: str
    events: int
    traced_peak: int  # bytes above what was allocated when the rebuild started
    peak_growth: int  # bytes: the peak resident set (VmHWM) after − before, in the run without tracemalloc
    resident_start: int  # bytes: the resident set when the rebuild started
    resident_growth: int  # bytes: the largest resident set sampled after each batch − the one at the start
    seconds: float  # the rebuild without tracemalloc
    traced_seconds: float


def memory(backend: str, url: str, events: int, progress: Callable[[str], None]) -> Memory:
    found = {}
    for mode in ("rss", "tracemalloc"):
        process = subprocess.run(
            [sys.executable, __file__, "--child", mode, url, str(events)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if process.returncode != 0:
            raise RuntimeError(f"the {mode} run at {events:,} events failed:\n{process.stderr[-3000:]}")
        found[mode] = json.loads(process.stdout.strip().splitlines()[-1])
        progress(f"  {backend} {events:,} events, {mode}: rebuilt in {found[mode]['seconds']:.1f} s ({load()})")
    rss, traced = found["rss"], found["tracemalloc"]
    return Memory(
        backend,
        events,
        traced_peak=traced["traced_peak"] - traced["traced_before"],
        peak_growth=rss["peak_after"] - rss["peak_before"],
        resident_start=rss["resident_start"],
        resident_growth=rss["resident_peak"] - rss["resident_start"],
        seconds=rss["seconds"],
        traced_seconds=traced["seconds"],
    )


# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------


def spread(values: list[float], fmt: str = ",.0f") -> str:
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}–{max(values):{fmt}})"


def verdict(value: float, goal: float, *, at_least: bool) -> str:
    met = value >= goal if at_least else value <= goal
    return f"{'≥' if at_least else '≤'} {goal:.1f}×: {'met' if met else 'NOT met'}"


def write_floor_lines(t: Throughput) -> list[str]:
    rates = [t.rows / s for s in t.write_floor]
    ceiling = ceilings(t)
    return [
        f"   {t.backend:<9} write floor: {t.rows:,} rows in {t.transactions} transactions, "
        f"{spread(t.write_floor, '.2f')} s, {spread(rates)} rows/s",
        f"   {'':<9} ceiling if the rebuild's Python cost no more than the plain decode: "
        f"{statistics.median(ceiling):.2f}× ({min(ceiling):.2f}–{max(ceiling):.2f}) "
        f"(the views' rows alone take {statistics.median(t.write_floor):.2f} s)",
    ]


def ceiling_goal(t: Throughput) -> tuple[str, str, str]:
    """The ceiling in the goals summary: information, set beside the throughput goal, not a goal."""
    ceiling = statistics.median(ceilings(t))
    side = "below" if ceiling < GOAL_THROUGHPUT else "at or above"
    return (
        f"ceiling: plain / (plain + write floor), {t.backend}",
        f"{ceiling:.2f}×",
        f"information, not a goal ({side} the {GOAL_THROUGHPUT:.1f}× goal)",
    )


def mib(n: float) -> str:
    return f"{n / 2**20:,.1f} MiB"


def report(throughputs: list[Throughput], memories: list[Memory], small: int, large: int) -> str:
    lines = []
    goals: list[tuple[str, str, str]] = []
    lines.append(
        f"\n1. Rebuild throughput at {small:,} events: rebuild into the ledger's own database against the plain\n"
        "   read-and-decode loop over the same events (events/s: median of the repeats, min–max;\n"
        "   ratio: median of the per-repeat ratios, min–max)"
    )
    lines.append(f"   {'backend':<9} {'rebuild ev/s':>26} {'plain loop ev/s':>28} {'ratio':>20}   goal")
    for t in throughputs:
        rebuild_rates = [t.events / s for s in t.rebuild]
        plain_rates = [t.events / s for s in t.plain]
        ratio = [p / r for r, p in zip(t.rebuild, t.plain, strict=True)]
        ratio_median = statistics.median(ratio)
        result = verdict(ratio_median, GOAL_THROUGHPUT, at_least=True)
        cells = (t.backend, spread(rebuild_rates), spread(plain_rates), spread(ratio, ".2f"), result)
        lines.append("   {:<9} {:>26} {:>28} {:>20}   {}".format(*cells))
        goals.append((f"rebuild / plain loop, {t.backend}", f"{ratio_median:.2f}×", result))
        goals.append(ceiling_goal(t))
    lines.append(
        "\n   Write floor: the rows the rebuilt views hold (read once, untimed), written into an empty store the way\n"
        "   the rebuild writes its own, in as many transactions (one per BATCH entries, each with its position),\n"
        "   switch included (SQLite: scratch file and take-over; PostgreSQL: reset, then COPY in place). Ceiling:\n"
        "   plain / (plain + write floor) per repeat, the best rebuild / plain ratio if reading, decoding and\n"
        "   computing the rows cost no more than the plain loop's decoding (median, min–max)"
    )
    for t in throughputs:
        lines += write_floor_lines(t)
    lines.append(
        "\n2. Peak memory of one rebuild, each in a fresh subprocess. tracemalloc: the peak of Python allocations\n"
        "   above those live when the rebuild started. peak RSS: the growth of the process's peak resident set\n"
        "   (VmHWM after − before the rebuild, in a second run without tracemalloc; it also counts SQLite's page\n"
        "   cache, driver buffers and allocator slack, and reads 0 while the rebuild fits in memory the setup had\n"
        "   touched). sampled RSS: the largest resident set read from /proc after each batch − the one at the\n"
        "   start, in that same run. Time: the rebuild without tracemalloc (and with it)."
    )
    header = ("backend", "events", "tracemalloc", "peak RSS", "sampled RSS", "RSS at start", "rebuild", "traced")
    lines.append("   {:<9} {:>10} {:>13} {:>13} {:>13} {:>13} {:>20} {:>8}".format(*header))
    by_backend: dict[str, dict[int, Memory]] = {}
    for m in memories:
        by_backend.setdefault(m.backend, {})[m.events] = m
        timing = f"{m.seconds:.1f} s {m.events / m.seconds:,.0f}/s"
        lines.append(
            f"   {m.backend:<9} {m.events:>10,} {mib(m.traced_peak):>13} {mib(m.peak_growth):>13}"
            f" {mib(m.resident_growth):>13} {mib(m.resident_start):>13} {timing:>20} {m.traced_seconds:>6.0f} s"
        )
    for backend, sizes in by_backend.items():
        if small not in sizes or large not in sizes:
            continue
        a, b = sizes[small], sizes[large]
        figures = {
            "tracemalloc peak": (a.traced_peak, b.traced_peak),
            "peak RSS growth": (a.peak_growth, b.peak_growth),
            "sampled RSS growth": (a.resident_growth, b.resident_growth),
        }
        cells = []
        for name, (first, second) in figures.items():
            label = f"{name} {large:,} / {small:,}, {backend}"
            if first < 2**20:  # under 1 MiB at the small size: a ratio would mean nothing
                cells.append("n/a")
                goals.append((label, "n/a", f"only {mib(first)} at {small:,} events: no ratio"))
                continue
            ratio = second / first
            cells.append(f"{ratio:.2f}×")
            goals.append((label, f"{ratio:.2f}×", verdict(ratio, GOAL_MEMORY, at_least=False)))
        lines.append(
            f"   {backend:<9} {'ratio':>10} {cells[0]:>13} {cells[1]:>13} {cells[2]:>13}"
            f"   ({large:,} / {small:,} events; goal ≤ {GOAL_MEMORY}×)"
        )
    width = max(len(g[0]) for g in goals)
    lines.append("\nGoals (reported, never enforced)")
    lines += [f"   {name:<{width}}  {value:>6}  {result}" for name, value, result in goals]
    return "\n".join(lines)


def describe(cached: Cached) -> str:
    meta = cached.meta
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in meta["kinds"].items())
    return (
        f"  {meta['events']:,} entries — {'cached' if cached.cached else 'generated'}: {cached.path} "
        f"({meta['file_bytes'] / 1e6:,.0f} MB when generated; generation {meta['generation_s']} s)\n"
        f"    the demo's {meta['registry']} entries through Ledger.append, then years {meta['years']}: {kinds}\n"
        f"    payloads {meta['payload_mean']} B on average (5–95%: {meta['payload_p5']}–{meta['payload_p95']} B); "
        f"self-check: the first {meta['self_checked']:,} generated entries appended through a real Ledger"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--events-small", type=int, default=100_000, help="events of the throughput and first memory run"
    )
    parser.add_argument("--events-large", type=int, default=1_000_000, help="events of the second memory run")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved throughput repeats (default 5)")
    parser.add_argument("--backends", default="sqlite", help="sqlite, postgres or sqlite,postgres (default sqlite)")
    parser.add_argument("--quick", action="store_true", help="20,000 / 100,000 events, 3 repeats")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="a PostgreSQL database (a schema is made)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "URL", "EVENTS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, url, events = args.child
        child(mode, url, int(events))
        return 0
    if args.quick:
        args.events_small, args.events_large, args.repeats = QUICK
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not backends or set(backends) - {"sqlite", "postgres"}:
        parser.error("--backends takes sqlite, postgres or sqlite,postgres")
    if args.repeats < 1 or not 1_000 <= args.events_small < args.events_large:
        parser.error("--repeats must be at least 1, and 1000 ≤ --events-small < --events-large")

    def progress(line: str) -> None:
        if not args.quiet:
            print(line, flush=True)

    started = time.perf_counter()
    print("PAR Ledger read models benchmark: bench/projections.py")
    print(machine(("eventsourcing", "psycopg"), ("projections", "ledger")))
    print(f"at start: {load()}")
    print(f"ledgers (cached under {CACHE_ROOT}; the Merkle subtrees and checkpoints are not written for the")
    print("generated entries — the projections never read them):")
    small = cached_ledger(args.events_small, progress)
    large = cached_ledger(args.events_large, progress)
    print(describe(small))
    print(describe(large))
    base_url = args.postgres_url.partition("?")[0]

    throughputs: list[Throughput] = []
    memories: list[Memory] = []
    for backend in backends:
        progress(f"{backend}: throughput at {args.events_small:,} events, {args.repeats} repeats")
        if backend == "sqlite":
            throughputs.append(throughput(backend, sqlite_url(small.path), args.events_small, args.repeats, progress))
            for cached in (small, large):
                memories.append(memory(backend, sqlite_url(cached.path), cached.meta["events"], progress))
        else:
            with postgres_copy(small.path, base_url, progress) as url:
                throughputs.append(throughput(backend, url, args.events_small, args.repeats, progress))
                memories.append(memory(backend, url, args.events_small, progress))
            with postgres_copy(large.path, base_url, progress) as url:
                memories.append(memory(backend, url, args.events_large, progress))
    print(report(throughputs, memories, args.events_small, args.events_large))
    print(f"\nat end: {load()}; the run took {time.perf_counter() - started:,.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
