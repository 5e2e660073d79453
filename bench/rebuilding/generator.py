"""The entries the projections benchmark generates after the demo, year after year, as the ledger stores them.

Each is a real envelope: a canonical JSON statement signed with the registered officer's demo
key, carried by the domain event class the ledger would create (versions followed per record),
encoded with the ledger's own mapper, with the leaf hash of its log row.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from bench_support import checked_payload
from eventsourcing.utils import get_topic

from demo import loader as demo
from demo import province
from ledger.application import leaf_of
from ledger.domain.fields import Reader
from ledger.domain.indices import Cycle
from ledger.domain.local_time import LOCAL_TIME
from ledger.domain.ratings import Rating
from ledger.domain.records import SignedCreated, subject_id
from ledger.domain.registry import AUTHORITY_UNIT, RATED_CLASSES, Unit
from ledger.domain.rules import ILLUSTRATIVE_PARAMETERS, LEVELS, Input, Parameters, evaluate
from ledger.domain.submissions import Submission
from ledger.signing.dsse import PAYLOAD_TYPE, pae
from ledger.signing.envelope import Envelope, Signature
from ledger.tlog.log import leaf_hash

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
FIRST_YEAR = 2025
YEAR_VOLUME = 15_000  # entries per generated year
POSITIONS = ("Chuyên viên", "Phó trưởng phòng", "Trưởng phòng", "Kế toán", "Văn thư", "Thanh tra viên")
DOCUMENT_TITLES = (
    "Báo cáo kết quả cải cách hành chính quý",
    "Kế hoạch kiểm tra công tác cải cách hành chính",
    "Báo cáo tự đánh giá, chấm điểm chỉ số",
    "Quyết định kiện toàn tổ công tác",
    "Báo cáo tình hình giải quyết thủ tục hành chính",
    "Biên bản kiểm tra việc thực hiện quy chế dân chủ",
)


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
    # The statements of one year (an endless stream: the caller takes what the year holds) ---

    def statements(self, year: int) -> Iterator[Statement]:
        """The cycle, staff rules and index results, the heads' ratings, the correction, then the rest."""
        scores: dict[str, dict[str, str]] = {}  # per index: the published score of each unit
        levels: dict[str, str] = {}  # per unit: the head's level as it stands
        yield from self.opening(year, scores)
        for code in self.rated:  # the office and public service units come out not evaluated, undecided
            yield self.compute(year, code, scores, levels)
        for code in self.evaluated:
            yield self.decide(year, code, levels)
        yield from self.correction(year, scores, levels)
        yield from self.rest_of_year(year, levels)

    def opening(self, year: int, scores: dict[str, dict[str, str]]) -> Iterator[Statement]:
        """The cycle, every rated unit's staff rule, the index results (filling `scores`) and their transmission."""
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
            subject = f"submission/staff-rule/{code}/{year}"
            yield units[code].head, "submission.staff-rule", subject, body, Submission.Created
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

    def compute(self, year: int, code: str, scores: dict[str, dict[str, str]], levels: dict[str, str]) -> Statement:
        """The head's rating of `code` computed under rule set v1 from `scores` (its level into `levels`)."""
        inputs, missing = self.inputs(year, code, scores)
        levels[code] = evaluate(self.parameters, inputs, missing).level
        body = {
            "officer": self.units[code].head,
            "ruleset": "v1",
            "inputs": [i.to_json() for i in inputs],
            "missing": list(missing),
            "level": levels[code],
        }
        subject = f"rating/{year}/{code}"
        event_class = Rating.Recomputed if subject_id(subject) in self.versions else Rating.Created
        return self.snv, "rating.compute", subject, body, event_class

    def decide(self, year: int, code: str, levels: dict[str, str]) -> Statement:
        """The committee's decision on the head of `code`: the computed level, or now and then another."""
        rng = self.rng
        body: dict[str, Any] = {
            "level": levels[code],
            "decision": f"Quyết định số {rng.randint(2000, 2999)}/QĐ-UBND",
        }
        if rng.random() < 0.05:  # the committee differs, with the written reason
            body["level"] = rng.choice([level for level in LEVELS if level != levels[code]])
            body["reason"] = "Theo kết luận thanh tra, người đứng đầu chịu trách nhiệm; xếp thấp hơn mức tính."
        levels[code] = body["level"]
        return self.committee, "rating.decide", f"rating/{year}/{code}", body, Rating.Decided

    def correction(self, year: int, scores: dict[str, dict[str, str]], levels: dict[str, str]) -> Iterator[Statement]:
        """PAR_UNIT corrected for one unit; the heads whose result moved recomputed and decided again."""
        rng = self.rng
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
                yield self.compute(year, code, scores, levels)
                yield self.decide(year, code, levels)

    def rest_of_year(self, year: int, levels: dict[str, str]) -> Iterator[Statement]:
        """Documents, individual ratings, the odd rename and appeals, without end."""
        rng = self.rng
        appeals = 0
        for slot in itertools.count():
            kind = slot % 100
            code = self.rated[rng.randrange(len(self.rated))]
            if kind == 90:
                yield self.rename(code)
            elif kind == 91:
                target = self.evaluated[appeals % len(self.evaluated)]
                appeals += 1
                yield from self.appeal(year, target, levels)
            elif 46 <= kind < 90:
                yield self.individual_rating(year, code)
            else:
                yield self.filed_document(year, code)

    def rename(self, code: str) -> Statement:
        unit = self.units[code]
        unit.renames += 1
        name = unit.base_name if unit.renames % 2 == 0 else f"{unit.base_name} (tên gọi mới {unit.renames})"
        body = {"name": name, "decision": f"Quyết định số {self.rng.randint(1, 999)}/QĐ-UBND về việc đổi tên"}
        return "root", "unit.rename", f"unit/{code}", body, Unit.Renamed

    def appeal(self, year: int, target: str, levels: dict[str, str]) -> Iterator[Statement]:
        """The head of `target` appeals; the committee upholds the level or revises it."""
        rng = self.rng
        subject = f"rating/{year}/{target}"
        grounds = "Kết quả chấm điểm chưa tính các hồ sơ trực tuyến đã giải quyết đúng hạn"
        yield self.units[target].head, "rating.appeal", subject, {"grounds": grounds}, Rating.AppealFiled
        body = {"outcome": "upheld", "reason": "Thẩm định lại: giữ nguyên mức xếp loại", "decision": "QĐ 3120"}
        if rng.random() < 0.5:
            levels[target] = rng.choice([level for level in LEVELS if level != levels[target]])
            body = {**body, "outcome": "revised", "level": levels[target], "reason": "Thẩm định lại: điều chỉnh"}
        yield self.committee, "rating.resolve-appeal", subject, body, Rating.AppealResolved

    def individual_rating(self, year: int, code: str) -> Statement:
        n = self.counts.get("rating.individual", 0)
        name = self.people[n % len(self.people)]
        body = {
            "name": name,
            "position": POSITIONS[n % len(POSITIONS)],
            "level": ("HTXS", "HTT", "HTT", "HT", "HT", "KHT")[self.rng.randrange(6)],
            "rule": f"submission/staff-rule/{code}/{year}",
        }
        subject = f"rating/{year}/{code}/{self.slug(name)}.{n}"
        return self.units[code].head, "rating.individual", subject, body, Rating.Published

    def filed_document(self, year: int, code: str) -> Statement:
        n = self.counts.get("submission.document", 0)
        unit = self.units[code]
        body = {
            "title": f"{DOCUMENT_TITLES[n % len(DOCUMENT_TITLES)]} — {unit.base_name}",
            "issued_on": f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "document": self.document(code, year, f"vb-{n}"),
        }
        subject = f"submission/document/{code}/{year}/vb-{n:07d}"
        return unit.head, "submission.document", subject, body, Submission.Created

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
        payload = checked_payload(statement, check=self.seq % 499 == 0, seq=self.seq)
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
