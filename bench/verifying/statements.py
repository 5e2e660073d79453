"""What the verify benchmark's export says: its registry, its officers and keys, and the ordinary statements.

Deterministic: the same statements in the same order every time, shaped like a real ledger's
(Vietnamese text as in demo/loader.py), though no ledger validates them.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from keys import SigningKey
from ledger.tlog.notes import NoteSigner
from ledger.tlog.transparency import DEFAULT_ORIGIN

#: (officer or "root", statement type, subject, body)
Statement = tuple[str, str, str, dict[str, Any]]


def _seed(name: str) -> bytes:
    return hashlib.sha256(f"bench/verify.py {name}".encode()).digest()


ROOT_KEY = SigningKey.from_seed(_seed("root"))
LOG = NoteSigner(DEFAULT_ORIGIN, _seed("log"))

UNITS = (
    ("UBND-TINH", "Ủy ban nhân dân tỉnh Hưng Yên", "province"),
    ("SNV", "Sở Nội vụ", "department"),
    ("STTTT", "Sở Thông tin và Truyền thông", "department"),
    ("STC", "Sở Tài chính", "department"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", "department"),
    ("STNMT", "Sở Tài nguyên và Môi trường", "department"),
    ("SYT", "Sở Y tế", "department"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "department"),
    ("323", "Thành phố Hưng Yên", "district"),
    ("325", "Huyện Văn Lâm", "district"),
    ("327", "Huyện Yên Mỹ", "district"),
    ("328", "Thị xã Mỹ Hào", "district"),
)
OFFICER_COUNT = 50
OFFICERS = tuple(
    (f"{UNITS[i % len(UNITS)][0].lower()}.can-bo-{i // len(UNITS) + 1}", UNITS[i % len(UNITS)][0])
    for i in range(OFFICER_COUNT)
)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Ngọc", "Hữu")
GIVEN = ("An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hương", "Khánh", "Lan", "Long", "Mai", "Nam")
POSITIONS = (
    "Chuyên viên phòng Tổ chức cán bộ",
    "Phó Trưởng phòng Cải cách hành chính",
    "Chuyên viên phòng Kế hoạch – Tài chính",
    "Trưởng phòng Văn hóa và Thông tin",
    "Công chức Văn phòng HĐND và UBND",
)
LEVELS = ("HTXSNV", "HTTNV", "HTNV", "KHTNV")
INDICES = ("PAR_UNIT", "SIPAS_UNIT", "PAPI_UNIT", "DDCI_UNIT", "DTI_UNIT")
DOCUMENT_TITLES = (
    "Báo cáo kết quả thực hiện cải cách hành chính quý",
    "Kế hoạch kiểm tra công tác cải cách hành chính năm",
    "Quyết định công bố danh mục thủ tục hành chính được chuẩn hóa",
    "Báo cáo tự đánh giá, chấm điểm Chỉ số cải cách hành chính",
)

EVENT_TYPES = {
    "ledger.initialise": "par:Authority.Initialised.v1",
    "unit.register": "par:Unit.Registered.v1",
    "officer.register": "par:Officer.Registered.v1",
    "key.register": "par:Key.Registered.v1",
    "rating.individual": "par:Rating.IndividualPublished.v1",
    "submission.document": "par:Submission.Filed.v1",
    "submission.index-results": "par:Submission.Filed.v1",
    "rating.decide": "par:Rating.Decided.v1",
    "cycle.adjust-deadline": "par:Cycle.DeadlineAdjusted.v1",
}


def officer_key(officer: str) -> SigningKey:
    return SigningKey.from_seed(_seed(f"officer {officer}"))


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _slug(rng: random.Random, n: int) -> str:
    return f"can-bo-{n:06d}-{rng.randrange(16**6):06x}"


def statements() -> Iterator[Statement]:
    """Every entry's statement, in ledger order: the registry, then ordinary statements without end."""
    yield (
        "root",
        "ledger.initialise",
        "authority",
        {
            "name": "UBND tỉnh Hưng Yên — Sổ cái CCHC (dữ liệu đo hiệu năng)",
            "root_public_key": ROOT_KEY.verifying_key.base64,
        },
    )
    for code, name, unit_class in UNITS:
        yield "root", "unit.register", f"unit/{code}", {"name": name, "class": unit_class, "functions": []}
    rng = random.Random(20241127)
    for officer, unit in OFFICERS:
        body = {"name": _person(rng), "unit": unit, "roles": ["officer", "reporter"]}
        yield "root", "officer.register", f"officer/{officer}", body
        key = officer_key(officer)
        yield "root", "key.register", f"key/{key.key_id}", {"public_key": key.verifying_key.base64, "officer": officer}
    n = 0
    while True:
        n += 1
        officer, unit = OFFICERS[rng.randrange(OFFICER_COUNT)]
        year = 2021 + n % 4
        kind = rng.random()
        if kind < 0.40:
            statement_type, subject, body = _individual_rating(rng, n, unit, year)
        elif kind < 0.65:
            statement_type, subject, body = _document(rng, n, unit, year)
        elif kind < 0.80:
            statement_type, subject, body = _index_results(rng, n, year)
        elif kind < 0.90:
            statement_type, subject, body = _decision(rng, year)
        else:
            statement_type, subject, body = _deadlines(rng, year)
        yield officer, statement_type, subject, body


def _individual_rating(rng: random.Random, n: int, unit: str, year: int) -> tuple[str, str, dict[str, Any]]:
    subject = f"rating/{year}/{unit}/{_slug(rng, n)}"  # drawn before the body, which keeps the export's bytes
    body = {
        "name": _person(rng),
        "position": rng.choice(POSITIONS),
        "level": rng.choice(LEVELS),
        "rule": f"submission/staff-rule/{unit}/{year}",
    }
    return "rating.individual", subject, body


def _document(rng: random.Random, n: int, unit: str, year: int) -> tuple[str, str, dict[str, Any]]:
    title = f"{rng.choice(DOCUMENT_TITLES)} {year} – số {rng.randrange(1, 999)}"
    body = {
        "title": title,
        "issued_on": (date(year, 1, 1) + timedelta(days=rng.randrange(360))).isoformat(),
        "document": {
            "sha256": hashlib.sha256(f"document {n}".encode()).hexdigest(),
            "size": rng.randrange(20_000, 2_000_000),
            "media_type": "application/pdf",
            "name": f"bao-cao-{unit.lower()}-{n:06d}.pdf",
        },
    }
    return "submission.document", f"submission/document/{unit}/{year}/{n:06d}", body


def _index_results(rng: random.Random, n: int, year: int) -> tuple[str, str, dict[str, Any]]:
    index = rng.choice(INDICES)
    units = rng.sample(UNITS[1:], rng.randrange(3, 7))
    scores = sorted((f"{rng.randrange(6000, 9800) / 100:.2f}" for _ in units), reverse=True)
    body = {
        "measured_year": year,
        "decision": f"Quyết định số {rng.randrange(1, 3000)}/QĐ-UBND ngày {rng.randrange(1, 28):02d}/11/{year}",
        "published_on": f"{year}-11-{rng.randrange(1, 28):02d}",
        "results": [
            {"unit": u[0], "score": s, "rank": i + 1} for i, (u, s) in enumerate(zip(units, scores, strict=True))
        ],
    }
    return "submission.index-results", f"submission/index-results/{index}/{year}/{n:06d}", body


def _decision(rng: random.Random, year: int) -> tuple[str, str, dict[str, Any]]:
    """A decision on a unit's rating: a record that gets several versions."""
    rated = rng.choice(UNITS[1:])[0]
    body = {
        "level": rng.choice(LEVELS),
        "decision": f"Quyết định số {rng.randrange(1, 3000)}/QĐ-UBND "
        f"ngày {rng.randrange(1, 28):02d}/12/{year} về việc công bố kết quả xếp loại "
        "chất lượng cơ quan, đơn vị",
    }
    return "rating.decide", f"rating/{year}/{rated}", body


def _deadlines(rng: random.Random, year: int) -> tuple[str, str, dict[str, Any]]:
    body = {
        "deadlines": {
            "results_published": f"{year}-11-{rng.randrange(1, 15):02d}",
            "results_transmitted": f"{year}-11-{rng.randrange(15, 28):02d}",
            "ratings_published": f"{year}-12-{rng.randrange(1, 28):02d}",
        },
        "reason": "Điều chỉnh thời hạn theo Công văn của Bộ Nội vụ về lịch công bố Chỉ số CCHC",
    }
    return "cycle.adjust-deadline", f"cycle/{year}", body
