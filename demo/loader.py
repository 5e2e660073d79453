"""Demo data for Hưng Yên: the 2023 structure, the 2023 and 2024 cycles, and their notable cases.

`load_demo` appends about four hundred signed statements to an empty ledger, each one
through `Ledger.append`, so the demo passes every check a real filing passes. It is
deterministic: every key comes from a seed derived from the officer's id, every nonce
from a counter, and every statement carries a fixed recording time (the same moment as
its client time), so two loads produce byte-identical ledgers and document stores.

What is real and what is invented (domain-notes.md labels in brackets):

- Units: names and GSO codes of domain-notes B1. Four communes have no code in B1; they
  get the synthetic codes ``DEMO-<district>-<n>`` (see `UNITS`).
- People: every name is fictional, and so is every appointment decision.
- Decision numbers: invented, except Decision 01/2023/QĐ-UBND (11/01/2023), Decision
  808/QĐ-UBND (04/04/2023, the provincial PAPI) and Directive 06/CT-CTUBND (17/05/2019).
- Scores: the unit-level results are invented. The 2023 cycle's national results reuse
  Hưng Yên's published 2021 results (PAR INDEX 88.34 %, rank 12; SIPAS 92.07 %, rank 3;
  PAPI 45.366, rank 5) as the values measured in 2022: an illustration, not the 2022
  results. PCI, DTI and PGI values, and every 2024 value, are invented.
- The rule set is the illustrative reconstruction of Article 5 (domain-notes B3), and it
  says so in its legal basis. Its indices measure departments, districts and communes
  only, so the heads of the office and of the public service units are computed as not
  evaluated every year, and the committee leaves them undecided.

The keys are derived from public seeds and `DEMO_PASSPHRASE` is printed in the README:
both are for the demo only. Never load the demo into a ledger that holds real data.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keys import SigningKey, save_signing_key
from ledger.domain.handlers import Lookup, computation_body
from ledger.domain.local_time import LOCAL_TIME
from ledger.domain.ratings import Rating, RuleSet
from ledger.domain.registry import AUTHORITY_UNIT, RATED_CLASSES, ROOT_OFFICER, Unit
from ledger.domain.rules import ILLUSTRATIVE_PARAMETERS
from ledger.errors import LedgerError
from ledger.signing.envelope import Author

if TYPE_CHECKING:
    from ledger.application import Ledger
    from ledger.domain.records import Record
    from ledger.storage.documents import DocumentStore
    from web.accounts import AccountStore

#: The passphrase of the demo key files. Demo only: anyone who reads the README knows it.
DEMO_PASSPHRASE = "demo"
#: The password of every demo officer's web login (the login is the officer id).
DEMO_PASSWORD = "demo-cchc"

RULESET = "v1"
COMMITTEE = "UBND-TINH"
#: Spacing between statements recorded in one sitting.
_STEP = timedelta(seconds=20)


def demo_key(officer_id: str) -> SigningKey:
    """The demo key of `officer_id` (the root key for ``root``): public seed, demo only."""
    return SigningKey.from_seed(hashlib.sha256(b"par-ledger demo key:" + officer_id.encode()).digest())


def demo_nonce(counter: int) -> str:
    """The nonce of the demo's `counter`-th statement: 32 hex digits, deterministic."""
    return hashlib.sha256(f"par-ledger demo nonce:{counter}".encode()).hexdigest()[:32]


# Structure (domain-notes B1) -------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    code: str
    name: str
    unit_class: str
    parent: str | None = COMMITTEE
    functions: tuple[str, ...] = ()


_DEPARTMENTS = (
    ("VP-UBND", "Văn phòng UBND tỉnh"),
    ("SNV", "Sở Nội vụ"),
    ("STP", "Sở Tư pháp"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư"),
    ("STC", "Sở Tài chính"),
    ("SCT", "Sở Công Thương"),
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("SGTVT", "Sở Giao thông vận tải"),
    ("SXD", "Sở Xây dựng"),
    ("STNMT", "Sở Tài nguyên và Môi trường"),
    ("STTTT", "Sở Thông tin và Truyền thông"),
    ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("SKHCN", "Sở Khoa học và Công nghệ"),
    ("SGDDT", "Sở Giáo dục và Đào tạo"),
    ("SYT", "Sở Y tế"),
    ("TTT", "Thanh tra tỉnh"),
    ("BQLKCN", "Ban Quản lý các khu công nghiệp tỉnh"),
)
#: District level: GSO codes (domain-notes B1).
_DISTRICTS = (
    ("323", "Thành phố Hưng Yên"),
    ("325", "Huyện Văn Lâm"),
    ("326", "Huyện Văn Giang"),
    ("327", "Huyện Yên Mỹ"),
    ("328", "Thị xã Mỹ Hào"),
    ("329", "Huyện Ân Thi"),
    ("330", "Huyện Khoái Châu"),
    ("331", "Huyện Kim Động"),
    ("332", "Huyện Tiên Lữ"),
    ("333", "Huyện Phù Cừ"),
)
#: Commune level, a sample: GSO codes from domain-notes B1 where it gives one.
_COMMUNES = (
    ("11950", "Phường Lam Sơn", "323"),
    ("11953", "Phường Hiến Nam", "323"),
    ("11956", "Phường An Tảo", "323"),
    ("11971", "Xã Trung Nghĩa", "323"),
    ("12103", "Phường Bần Yên Nhân", "328"),
    ("12112", "Xã Dương Quang", "328"),
    ("12337", "Thị trấn Vương", "332"),
    ("12346", "Xã Nhật Tân", "332"),
    # B1 gives no code for these four: the DEMO-… codes are synthetic, not GSO codes.
    ("DEMO-325-1", "Thị trấn Như Quỳnh", "325"),
    ("DEMO-326-1", "Thị trấn Văn Giang", "326"),
    ("DEMO-326-2", "Xã Phụng Công", "326"),
    ("DEMO-331-1", "Thị trấn Lương Bằng", "331"),
)

UNITS: tuple[_Unit, ...] = (
    _Unit(COMMITTEE, "Ủy ban nhân dân tỉnh Hưng Yên", "province", None, ("committee",)),
    _Unit("VP-DDBQH-HDND", "Văn phòng Đoàn ĐBQH và HĐND tỉnh", "office", None),
    *(
        _Unit(code, name, "department", functions=("home_affairs",) if code == "SNV" else ())
        for code, name in _DEPARTMENTS
    ),
    _Unit("DPTTH", "Đài Phát thanh và Truyền hình Hưng Yên", "public_service"),
    _Unit("CDCD", "Trường Cao đẳng Cộng đồng Hưng Yên", "public_service"),
    *(_Unit(code, name, "district") for code, name in _DISTRICTS),
    *(_Unit(code, name, "commune", parent) for code, name, parent in _COMMUNES),
)
_CLASS_OF = {unit.code: unit.unit_class for unit in UNITS}
_NAME_OF = {unit.code: unit.name for unit in UNITS}


# People: fictional names, one head per unit and a few officers --------------------------

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


def _person(n: int) -> str:
    """The n-th fictional full name."""
    return f"{_SURNAMES[n % 20]} {_MIDDLE_NAMES[(5 * n + 1) % 12]} {_GIVEN_NAMES[(7 * n + 3) % 30]}"


def _ascii(text: str) -> str:
    """Vietnamese text without diacritics (đ → d)."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in folded if not unicodedata.combining(c))


def _slug(name: str) -> str:
    return ".".join(_ascii(name).lower().split())


@dataclass(frozen=True)
class _Officer:
    officer_id: str
    name: str
    unit: str
    roles: tuple[str, ...] = ("officer",)


def _officer(unit: str, n: int, roles: tuple[str, ...] = ("officer",)) -> _Officer:
    name = _person(n)
    return _Officer(f"{unit.lower()}.{_slug(name)}", name, unit, roles)


HEADS: dict[str, _Officer] = {unit.code: _officer(unit.code, i) for i, unit in enumerate(UNITS)}
_STAFF = (
    _officer("SNV", 101),  # Chuyên viên phòng CCHC: compiles results, computes heads' ratings
    _officer("SNV", 102, ("officer", "auditor")),  # kiểm toán viên nội bộ
    _officer("TTT", 103, ("officer", "inspector")),  # thanh tra viên
    _officer("SKHDT", 104),  # leads PCI and DDCI
    _officer("STTTT", 105),  # leads DTI
    _officer("STNMT", 106),  # proposes PGI
    _officer("11950", 107),  # công chức Văn phòng - Thống kê, Phường Lam Sơn
)
SNV_OFFICER = _STAFF[0].officer_id
SKHDT_OFFICER = _STAFF[3].officer_id
STTTT_OFFICER = _STAFF[4].officer_id
STNMT_OFFICER = _STAFF[5].officer_id
COMMUNE_OFFICER = _STAFF[6].officer_id
OFFICERS: tuple[_Officer, ...] = (*HEADS.values(), *_STAFF)
#: Who signs for each lead department.
_LEAD_OFFICER = {"SNV": SNV_OFFICER, "SKHDT": SKHDT_OFFICER, "STTTT": STTTT_OFFICER, "STNMT": STNMT_OFFICER}
_UNIT_OF = {officer.officer_id: officer.unit for officer in OFFICERS}

#: The demo accounts whose key files `load_demo` writes (each costs ~0.4 s of scrypt).
_ACCOUNTS: tuple[tuple[str, str], ...] = (
    (ROOT_OFFICER, "Ledger authority (root key): registers units, officers, keys and indices"),
    (SNV_OFFICER, "Sở Nội vụ officer: publishes SNV's indices, computes heads' ratings"),
    (HEADS[COMMITTEE].officer_id, "Chairman of the Provincial People's Committee: decides ratings"),
    (SKHDT_OFFICER, "Sở Kế hoạch và Đầu tư officer: lead department of PCI and DDCI"),
    (HEADS["323"].officer_id, "Chairman of UBND Thành phố Hưng Yên (a district head)"),
    (COMMUNE_OFFICER, "Phường Lam Sơn officer (a commune)"),
    (HEADS["SYT"].officer_id, "Director of Sở Y tế: appealed the 2024 rating"),
)


# Indices (domain-notes B2) ---------------------------------------------------------------


@dataclass(frozen=True)
class _Index:
    code: str
    name: str
    lead: str
    classes: tuple[str, ...]
    level: str
    maximum: str
    scale_unit: str


_ALL_RATED = ("department", "district", "commune")
INDICES: tuple[_Index, ...] = (
    _Index(
        "PAR_UNIT",
        "Chỉ số cải cách hành chính của các sở, ban, ngành, UBND cấp huyện và UBND cấp xã",
        "SNV", _ALL_RATED, "unit", "100", "percent",
    ),
    _Index(
        "SIPAS_UNIT",
        "Chỉ số hài lòng về sự phục vụ hành chính của các sở, ban, ngành và UBND cấp huyện",
        "SNV", ("department", "district"), "unit", "100", "percent",
    ),
    _Index(
        "PAPI_UNIT",
        "Chỉ số hiệu quả quản trị và hành chính công cấp huyện, cấp xã",
        "SNV", ("district", "commune"), "unit", "100", "points",
    ),
    _Index(
        "DDCI_UNIT",
        "Chỉ số năng lực cạnh tranh cấp sở, ngành và địa phương (DDCI)",
        "SKHDT", ("department", "district"), "unit", "100", "points",
    ),
    _Index(
        "PAR_PROV", "Chỉ số cải cách hành chính cấp tỉnh (PAR INDEX)",
        "SNV", ("department",), "province", "100", "percent",
    ),
    _Index(
        "SIPAS_PROV", "Chỉ số hài lòng về sự phục vụ hành chính cấp tỉnh (SIPAS)",
        "SNV", ("department", "district"), "province", "100", "percent",
    ),
    _Index(
        "PAPI_PROV", "Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh (PAPI)",
        "SNV", _ALL_RATED, "province", "80", "points",
    ),
    _Index(
        "PCI_PROV", "Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)",
        "SKHDT", ("department", "district"), "province", "100", "points",
    ),
    _Index(
        "DTI_PROV", "Chỉ số chuyển đổi số cấp tỉnh (DTI)",
        "STTTT", ("department", "district"), "province", "1000", "points",
    ),
)  # fmt: skip
#: Proposed by STNMT and approved by the committee (not in Art. 4(1)(a)).
PROPOSED_INDEX = _Index(
    "PGI_PROV", "Chỉ số xanh cấp tỉnh (PGI)", "STNMT", ("department", "district"), "province", "40", "points"
)
_INDEX = {index.code: index for index in (*INDICES, PROPOSED_INDEX)}
#: The rule set counts the unit-level indices, per class they measure.
RULESET_INDICES: dict[str, tuple[str, ...]] = {
    unit_class: tuple(i.code for i in INDICES if i.level == "unit" and unit_class in i.classes)
    for unit_class in _ALL_RATED
}
#: Every head SNV computes a rating for: the office and the public service units too,
#: although no index counts for their classes (so they come out not evaluated).
RATED_UNITS = tuple(unit.code for unit in UNITS if unit.unit_class in RATED_CLASSES)
_MEASURED = tuple(code for code in RATED_UNITS if _CLASS_OF[code] in RULESET_INDICES)


# Unit-level results: invented scores ------------------------------------------------------

#: The columns of `SCORES`. PAPI_UNIT 2024 is absent: it was never published.
COLUMNS: tuple[tuple[str, int], ...] = (
    ("PAR_UNIT", 2023), ("SIPAS_UNIT", 2023), ("PAPI_UNIT", 2023), ("DDCI_UNIT", 2023),
    ("PAR_UNIT", 2024), ("SIPAS_UNIT", 2024), ("DDCI_UNIT", 2024),
)  # fmt: skip
SCORES: dict[str, tuple[str | None, ...]] = {
    #             PAR 23   SIPAS 23 PAPI 23  DDCI 23  PAR 24   SIPAS 24 DDCI 24
    "VP-UBND":    ("91.20", "93.10", None,    "85.40", "92.05", "94.20", "86.10"),
    "SNV":        ("92.85", "94.60", None,    "83.20", "93.40", "95.10", "84.00"),
    "STP":        ("90.10", "91.80", None,    "82.50", "89.60", "92.40", "83.70"),
    "SKHDT":      ("89.75", "92.30", None,    "88.90", "90.80", "93.00", "89.50"),
    "STC":        ("88.40", "90.20", None,    "84.10", "88.90", "90.70", "85.20"),
    "SCT":        ("84.60", "88.50", None,    "81.30", "86.20", "89.10", "82.60"),
    "SNNPTNT":    ("83.90", "87.40", None,    "79.80", "84.50", "88.30", "80.90"),
    "SGTVT":      ("82.30", "86.10", None,    "78.50", "83.10", "87.20", "79.60"),
    "SXD":        ("81.70", "85.90", None,    "77.20", "82.40", "86.50", "78.80"),
    "STNMT":      ("80.50", "84.70", None,    "76.40", "81.90", "85.30", "77.50"),
    "STTTT":      ("90.60", "92.90", None,    "84.80", "91.70", "93.60", "85.80"),
    "SLDTBXH":    ("85.20", "88.90", None,    "80.10", "86.20", "89.40", "81.20"),
    "SVHTTDL":    ("79.80", "83.50", None,    "75.90", "80.70", "84.20", "76.90"),
    "SKHCN":      ("86.30", "89.60", None,    "82.00", "87.10", "90.10", "82.90"),
    "SGDDT":      ("84.10", "87.80", None,    "80.70", "84.90", "88.60", "81.80"),
    "SYT":        ("78.60", "82.40", None,    "74.30", "80.20", "78.90", "76.10"),
    "TTT":        ("83.20", "86.70", None,    "79.10", "83.80", "87.50", "80.30"),
    "BQLKCN":     ("77.40", "81.90", None,    "83.60", "79.10", "83.20", "84.70"),
    "323":        ("91.35", "93.80", "88.20", "86.40", "92.10", "94.30", "87.20"),
    "325":        ("88.60", "90.40", "84.10", "88.70", "89.20", "91.10", "89.60"),
    "326":        ("87.20", "89.90", "83.50", "84.20", "87.90", "90.60", "85.10"),
    "327":        ("89.90", "91.70", "85.30", "87.50", "90.40", "92.10", "88.30"),
    "328":        ("92.10", "92.60", "86.90", "89.10", "92.80", "93.20", "90.20"),
    "329":        ("82.40", "86.20", "79.60", "78.30", "83.60", "87.10", "79.40"),
    "330":        ("85.10", "88.30", "81.20", "80.90", "85.90", "88.90", "82.10"),
    "331":        ("78.40", "83.90", "80.40", "79.20", "84.30", "86.40", "80.60"),
    "332":        ("80.20", "84.60", "77.90", "76.80", "81.40", "85.20", "77.30"),
    "333":        ("76.90", "81.70", "72.80", "74.10", "78.20", "82.30", "75.00"),
    "11950":      ("90.80", None,    "89.40", None,    "91.50", None,    None),
    "11953":      ("88.20", None,    "86.10", None,    "88.90", None,    None),
    "11956":      ("86.50", None,    "84.30", None,    "87.20", None,    None),
    "11971":      ("79.40", None,    "76.20", None,    "81.10", None,    None),
    "12103":      ("89.10", None,    "87.60", None,    "90.30", None,    None),
    "12112":      ("81.30", None,    "78.90", None,    "82.60", None,    None),
    "12337":      ("84.70", None,    "82.10", None,    "85.40", None,    None),
    "12346":      ("72.60", None,    "68.40", None,    "74.80", None,    None),
    "DEMO-325-1": ("87.30", None,    "85.20", None,    "88.10", None,    None),
    "DEMO-326-1": ("85.60", None,    "83.80", None,    "86.30", None,    None),
    "DEMO-326-2": ("77.80", None,    "74.50", None,    "79.20", None,    None),
    "DEMO-331-1": ("80.90", None,    "79.70", None,    "82.00", None,    None),
}  # fmt: skip
#: The correction of PAR_UNIT 2023: Kim Động's score was mis-added (78.40 → 84.70).
CORRECTED_SCORES: dict[str, str] = {"331": "84.70"}

#: National results measured on the province (rank among 63 provinces). The 2023 values
#: are Hưng Yên's published 2021 results reused as if measured in 2022 (illustrative);
#: PCI, DTI, PGI and all 2024 values are invented.
NATIONAL: dict[tuple[str, int], tuple[str, int, date]] = {
    ("PAR_PROV", 2023): ("88.34", 12, date(2023, 4, 19)),
    ("SIPAS_PROV", 2023): ("92.07", 3, date(2023, 4, 19)),
    ("PAPI_PROV", 2023): ("45.366", 5, date(2023, 4, 12)),
    ("PCI_PROV", 2023): ("65.68", 19, date(2023, 4, 11)),
    ("DTI_PROV", 2023): ("512.40", 27, date(2023, 7, 20)),
    ("PGI_PROV", 2023): ("21.30", 28, date(2023, 5, 10)),
    ("PAR_PROV", 2024): ("87.92", 14, date(2024, 4, 17)),
    ("SIPAS_PROV", 2024): ("83.46", 11, date(2024, 4, 17)),
    ("PAPI_PROV", 2024): ("44.981", 9, date(2024, 4, 2)),
    ("PCI_PROV", 2024): ("66.95", 17, date(2024, 5, 8)),
    ("DTI_PROV", 2024): ("548.60", 22, date(2024, 7, 18)),
    ("PGI_PROV", 2024): ("22.15", 24, date(2024, 5, 8)),
}
_NATIONAL_PUBLISHER = {
    "PAR_PROV": "Bộ Nội vụ",
    "SIPAS_PROV": "Bộ Nội vụ",
    "PAPI_PROV": "UNDP và CECODES",
    "PCI_PROV": "VCCI",
    "DTI_PROV": "Bộ Thông tin và Truyền thông",
    "PGI_PROV": "VCCI",
}


def ranks(scores: Mapping[str, str]) -> dict[str, int]:
    """Rank within a peer group: 1 + how many score higher (ties share the better rank)."""
    values = {unit: Decimal(score) for unit, score in scores.items()}
    return {unit: 1 + sum(other > value for other in values.values()) for unit, value in values.items()}


def _band(index: str, score: Decimal) -> str | None:
    if index == "PAR_UNIT":
        thresholds = ((90, "Tốt"), (80, "Khá"), (70, "Trung bình"))
        return next((band for floor, band in thresholds if score >= floor), "Yếu")
    if index == "DDCI_UNIT":
        thresholds = ((85, "Rất tốt"), (75, "Tốt"), (65, "Khá"))
        return next((band for floor, band in thresholds if score >= floor), "Trung bình")
    return None


def result_rows(index: str, year: int, corrections: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The published rows of a unit-level index: ranked within each unit class."""
    column = COLUMNS.index((index, year))
    scores = {unit: row[column] for unit, row in SCORES.items() if row[column] is not None}
    scores.update(corrections or {})
    rows: list[dict[str, Any]] = []
    for unit_class in _ALL_RATED:
        peers = {unit: score for unit, score in scores.items() if _CLASS_OF[unit] == unit_class}
        ranked = ranks(peers)
        for unit in sorted(peers, key=lambda u: (ranked[u], u)):
            row: dict[str, Any] = {"unit": unit, "score": peers[unit], "rank": ranked[unit]}
            band = _band(index, Decimal(peers[unit]))
            if band is not None:
                row["band"] = band
            rows.append(row)
    return rows


# Documents --------------------------------------------------------------------------------


def demo_pdf(title: str, lines: Sequence[str] = ()) -> bytes:
    """A small valid one-page PDF (Helvetica, so the text is written without diacritics)."""
    text = [title, "", *lines, "", "Du lieu minh hoa - PAR Ledger demo - khong co gia tri phap ly"]
    shown = " ".join(f"({_pdf_string(line)}) '" for line in text)
    content = f"BT /F1 11 Tf 14 TL 56 800 Td {shown} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content) + 1, content),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pdf_string(line: str) -> str:
    text = _ascii(line).encode("ascii", "replace").decode("ascii")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


# The summary ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    """A demo officer whose key `load_demo` can write to a file."""

    officer: str
    unit: str
    name: str
    description: str
    key_id: str
    key_file: Path | None


@dataclass(frozen=True)
class DemoCases:
    """The notable cases of the demo, by subject."""

    late_governing_decisions: str
    late_publication: str
    late_transmission: str
    missing_results: str  # never filed: this subject is absent from the ledger
    not_evaluated: tuple[str, ...]  # heads left not evaluated by the missing results
    outside_rule_set: tuple[str, ...]  # heads of classes no index counts for: not evaluated
    differing_decision: str
    corrected_results: str
    recomputed_ratings: tuple[str, ...]
    amended_list: str
    appeal: str
    adjusted_deadline: str
    proposed_index: str
    staff_rules: tuple[str, ...]
    individual_ratings: tuple[str, ...]
    documents: tuple[str, ...]


@dataclass(frozen=True)
class DemoSummary:
    """What `load_demo` appended."""

    entries: int
    root_key_id: str
    accounts: tuple[DemoAccount, ...]
    cases: DemoCases


# The script -------------------------------------------------------------------------------

Body = Mapping[str, Any] | Callable[["Ledger"], Mapping[str, Any]]


@dataclass(frozen=True)
class _Step:
    signer: str
    statement_type: str
    subject: str
    body: Body
    at: datetime  # local time in Hưng Yên


class _LedgerLookup(Lookup):
    """`Lookup` over the ledger's current state, for one computation.

    `gather_inputs` asks for the same units many times; nothing is appended while one
    body is computed, so each subject is read through `Ledger.get` once and remembered.
    """

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._seen: dict[str, Record | None] = {}

    def get(self, subject: str) -> Record | None:
        if subject not in self._seen:
            self._seen[subject] = self._ledger.get(subject)
        return self._seen[subject]


def _local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TIME)


@dataclass
class _Script:
    """The demo as a list of statements in ledger order, with strictly increasing times."""

    documents: DocumentStore
    steps: list[_Step] = field(default_factory=list)
    now: datetime = field(default_factory=lambda: _local(2023, 1, 12, 8))

    def at(self, moment: datetime) -> None:
        """Move the clock to `moment` (never backwards)."""
        if moment < self.now:
            msg = f"the demo script goes back in time: {moment} < {self.now}"
            raise ValueError(msg)
        self.now = moment

    def add(self, signer: str, statement_type: str, subject: str, body: Body) -> None:
        self.steps.append(_Step(signer, statement_type, subject, body, self.now))
        self.now += _STEP

    def pdf(self, name: str, title: str, *lines: str) -> dict[str, Any]:
        """Store a demo PDF and return its reference for a body."""
        return self.documents.put(demo_pdf(title, lines), name).to_json()


def _decision(number: int, day: date) -> str:
    """An invented committee decision (see the module docstring)."""
    return f"Quyết định số {number}/QĐ-UBND ngày {day:%d/%m/%Y}"


def _setup(s: _Script) -> None:
    root = ROOT_OFFICER
    s.add(root, "ledger.initialise", "authority", {
        "name": "UBND tỉnh Hưng Yên — Sổ cái CCHC (dữ liệu minh hoạ)",
        "root_public_key": demo_key(root).verifying_key.base64,
    })  # fmt: skip
    for unit in UNITS:
        body: dict[str, Any] = {"name": unit.name, "class": unit.unit_class}
        if unit.parent is not None:
            body["parent"] = unit.parent
        if unit.functions:
            body["functions"] = list(unit.functions)
        s.add(root, "unit.register", f"unit/{unit.code}", body)
    for n, officer in enumerate(OFFICERS):
        s.add(root, "officer.register", f"officer/{officer.officer_id}",
              {"name": officer.name, "unit": officer.unit, "roles": list(officer.roles)})  # fmt: skip
        key = demo_key(officer.officer_id).verifying_key
        s.add(root, "key.register", f"key/{key.key_id}", {"public_key": key.base64, "officer": officer.officer_id})
        if HEADS.get(officer.unit) == officer:
            s.add(root, "unit.appoint-head", f"unit/{officer.unit}",
                  {"officer": officer.officer_id, "decision": _appointment(officer.unit, n)})  # fmt: skip


def _appointment(unit: str, n: int) -> str:
    """An invented appointment: elected chairs of people's committees, appointed directors."""
    day = date(2020 + n % 3, 1 + n % 12, 1 + n % 27)
    if _CLASS_OF[unit] in ("district", "commune", "province"):
        return f"Nghị quyết số {10 + n}/NQ-HĐND ngày {day:%d/%m/%Y} (bầu Chủ tịch UBND)"
    return _decision(1000 + 37 * n, day)


def _define_indices(s: _Script) -> None:
    s.at(_local(2023, 1, 13, 9))
    for index in INDICES:
        s.add(ROOT_OFFICER, "index.define", f"index/{index.code}", {**_index_body(index), "legal_basis": "Art.4(1)(a)"})


def _index_body(index: _Index) -> dict[str, Any]:
    return {
        "name": index.name,
        "lead": index.lead,
        "classes": list(index.classes),
        "level": index.level,
        "scale": {"maximum": index.maximum, "unit": index.scale_unit},
    }


def _cycle_2023_opening(s: _Script) -> None:
    s.at(_local(2023, 1, 16, 8, 30))
    s.add(SNV_OFFICER, "cycle.open", "cycle/2023", {"deadlines": {
        "governing_decisions": "2023-02-20",
        "results_published": "2023-11-01",
        "results_transmitted": "2023-11-05",
        "ratings_published": "2023-11-15",
    }})  # fmt: skip
    s.at(_local(2023, 1, 17, 14))
    s.add(HEADS[COMMITTEE].officer_id, "ruleset.issue", f"ruleset/{RULESET}", {
        "legal_basis": (
            "Điều 5 Quyết định số 01/2023/QĐ-UBND ngày 11/01/2023 của UBND tỉnh Hưng Yên — "
            "bản tái dựng minh hoạ (illustrative reconstruction), không phải nguyên văn Điều 5"
        ),
        "illustrative": True,
        "description": (
            "Mỗi chỉ số: HTXS nếu xếp trong nhóm 20% đầu của nhóm cùng loại và đạt từ 90% điểm tối đa; "
            "HTT nếu đạt từ 80% và không thuộc nhóm 20% cuối; HT nếu đạt từ 70%; còn lại KHT. "
            "Tổng hợp: KHT nếu từ 50% số chỉ số là KHT; HT nếu có chỉ số KHT; HTXS nếu không có chỉ số "
            "dưới HTT và từ 50% là HTXS; HTT nếu từ 50% là HTT trở lên; còn lại HT. Thiếu kết quả một "
            "chỉ số thì chưa đủ căn cứ đánh giá (không mặc nhiên xếp HT)."
        ),
        "parameters": dict(ILLUSTRATIVE_PARAMETERS),
        "indices": {unit_class: list(codes) for unit_class, codes in RULESET_INDICES.items()},
    })  # fmt: skip


def _governing_decisions(s: _Script) -> list[dict[str, str]]:
    snv_list = [
        {"index": "PAR_UNIT", "number": "01/2023/QĐ-UBND", "decided_on": "2023-01-11",
         "title": "Ban hành Quy định đánh giá kết quả thực hiện các chỉ số cải cách nền hành chính "
                  "của tỉnh Hưng Yên"},
        {"index": "PAR_UNIT", "number": "152/QĐ-UBND", "decided_on": "2022-01-24",
         "title": "Phê duyệt Bộ chỉ số theo dõi, đánh giá cải cách hành chính của các sở, ban, ngành, "
                  "UBND cấp huyện, UBND cấp xã"},
        {"index": "SIPAS_UNIT", "number": "153/QĐ-UBND", "decided_on": "2022-01-24",
         "title": "Phê duyệt Đề án đo lường sự hài lòng của người dân, tổ chức đối với sự phục vụ "
                  "của cơ quan hành chính nhà nước giai đoạn 2022-2025"},
        {"index": "PAPI_PROV", "number": "06/CT-CTUBND", "decided_on": "2019-05-17",
         "title": "Chỉ thị về nâng cao Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh (PAPI)"},
        {"index": "PAR_PROV", "number": "318/QĐ-UBND", "decided_on": "2023-02-06",
         "title": "Kế hoạch cải thiện, nâng cao Chỉ số CCHC (PAR INDEX) và Chỉ số SIPAS năm 2023"},
    ]  # fmt: skip
    s.at(_local(2023, 2, 14, 10))
    s.add(SNV_OFFICER, "submission.governing-decisions", "submission/governing-decisions/SNV/2023", {
        "decisions": snv_list,
        "document": s.pdf("Danh mục quyết định về các chỉ số do Sở Nội vụ chủ trì.pdf",
                          "Danh muc quyet dinh cua UBND tinh ve cac chi so do So Noi vu chu tri",
                          *(f"- {d['number']}: {d['title']}" for d in snv_list)),
    })  # fmt: skip
    s.at(_local(2023, 2, 17, 15, 30))
    s.add(SKHDT_OFFICER, "submission.governing-decisions", "submission/governing-decisions/SKHDT/2023", {
        "decisions": [
            {"index": "PCI_PROV", "number": "412/QĐ-UBND", "decided_on": "2023-02-10",
             "title": "Kế hoạch nâng cao Chỉ số năng lực cạnh tranh cấp tỉnh (PCI) năm 2023"},
            {"index": "DDCI_UNIT", "number": "2561/QĐ-UBND", "decided_on": "2022-11-28",
             "title": "Ban hành Bộ chỉ số đánh giá năng lực cạnh tranh cấp sở, ngành và địa phương "
                      "(DDCI) tỉnh Hưng Yên"},
        ],
    })  # fmt: skip
    # Late: due before 20/02/2023, filed on 23/02 (4 days late, flagged, never refused).
    s.at(_local(2023, 2, 23, 9, 15))
    s.add(STTTT_OFFICER, "submission.governing-decisions", "submission/governing-decisions/STTTT/2023", {
        "decisions": [
            {"index": "DTI_PROV", "number": "389/QĐ-UBND", "decided_on": "2023-02-08",
             "title": "Kế hoạch chuyển đổi số tỉnh Hưng Yên năm 2023"},
        ],
    })  # fmt: skip
    return snv_list


def _staff_rule(s: _Script, unit: str, year: int, number: str, issued_on: date) -> None:
    title = f"Quy định đánh giá, xếp loại cá nhân không phải người đứng đầu năm {year}"
    s.add(HEADS[unit].officer_id, "submission.staff-rule", f"submission/staff-rule/{unit}/{year}", {
        "title": title,
        "decision": number,
        "issued_on": issued_on.isoformat(),
        "document": s.pdf(f"{title} - {_NAME_OF[unit]}.pdf", title, _NAME_OF[unit], number),
    })  # fmt: skip


def _spring_2023(s: _Script, snv_list: list[dict[str, str]]) -> None:
    """Staff rules, the PGI proposal and its approval, and SNV's amended list."""
    s.at(_local(2023, 3, 16, 9))
    _staff_rule(s, "SNV", 2023, "Quyết định số 45/QĐ-SNV ngày 14/03/2023", date(2023, 3, 14))
    s.at(_local(2023, 3, 20, 14))
    s.add(STNMT_OFFICER, "index.propose", f"index/{PROPOSED_INDEX.code}", {
        **_index_body(PROPOSED_INDEX),
        "rationale": "Đề xuất bổ sung Chỉ số xanh cấp tỉnh (PGI) do VCCI công bố từ năm 2023 vào các "
                     "chỉ số đánh giá hằng năm, theo mục 2 Văn bản hướng dẫn của Sở Nội vụ",
    })  # fmt: skip
    s.at(_local(2023, 4, 5, 10))
    _staff_rule(s, "323", 2023, "Quyết định số 612/QĐ-UBND ngày 03/04/2023", date(2023, 4, 3))
    s.at(_local(2023, 4, 10, 16))
    s.add(HEADS[COMMITTEE].officer_id, "index.approve", f"index/{PROPOSED_INDEX.code}",
          {"decision": _decision(905, date(2023, 4, 10))})  # fmt: skip
    # Decision 808/QĐ-UBND (04/04/2023) on the provincial PAPI came after the list was sent:
    # SNV corrects its list to add it (a list, not published results: no decision needed).
    s.at(_local(2023, 4, 12, 10))
    s.add(SNV_OFFICER, "submission.correct", "submission/governing-decisions/SNV/2023", {
        "reason": "Bổ sung Quyết định số 808/QĐ-UBND ngày 04/04/2023 về Chỉ số PAPI các cấp, "
                  "ban hành sau khi gửi danh mục",
        "replacement": {"decisions": [*snv_list, {
            "index": "PAPI_UNIT", "number": "808/QĐ-UBND", "decided_on": "2023-04-04",
            "title": "Quy định về xác định Chỉ số hiệu quả quản trị và hành chính công các cấp "
                     "trên địa bàn tỉnh Hưng Yên",
        }]},
    })  # fmt: skip


def _national(s: _Script, index: str, year: int) -> None:
    score, rank, published_on = NATIONAL[(index, year)]
    signer = _LEAD_OFFICER[_INDEX[index].lead]
    s.add(signer, "submission.index-results", f"submission/index-results/{index}/{year}", {
        "measured_year": year - 1,
        "decision": f"Công bố của {_NATIONAL_PUBLISHER[index]} ngày {published_on:%d/%m/%Y}",
        "published_on": published_on.isoformat(),
        "results": [{"unit": COMMITTEE, "score": score, "rank": rank}],
    })  # fmt: skip


def _transmit(s: _Script, index: str, year: int, note: str | None = None) -> None:
    body = {} if note is None else {"note": note}
    s.add(_LEAD_OFFICER[_INDEX[index].lead], "submission.transmit", f"submission/index-results/{index}/{year}", body)


def _unit_results(
    s: _Script, index: str, year: int, decision: str, published_on: date, *, document: bool = False
) -> None:
    signer = _LEAD_OFFICER[_INDEX[index].lead]
    body: dict[str, Any] = {
        "measured_year": year,
        "decision": decision,
        "published_on": published_on.isoformat(),
        "results": result_rows(index, year),
    }
    if document:
        title = f"Quyết định công bố {_INDEX[index].name} năm {year}"
        body["document"] = s.pdf(f"{title}.pdf", title, decision)
    s.add(signer, "submission.index-results", f"submission/index-results/{index}/{year}", body)


def _compute(s: _Script, year: int, unit: str) -> None:
    def body(ledger: Ledger) -> Mapping[str, Any]:
        ruleset = ledger.get(f"ruleset/{RULESET}")
        record = ledger.get(f"unit/{unit}")
        assert isinstance(ruleset, RuleSet)
        assert isinstance(record, Unit)
        return computation_body(_LedgerLookup(ledger), year, record, ruleset)

    s.add(SNV_OFFICER, "rating.compute", f"rating/{year}/{unit}", body)


def _decide(s: _Script, year: int, unit: str, decision: str, override: tuple[str, str] | None = None) -> None:
    def body(ledger: Ledger) -> Mapping[str, Any]:
        rating = ledger.get(f"rating/{year}/{unit}")
        assert isinstance(rating, Rating)
        assert rating.computation is not None
        computed = rating.computation.level
        if override is None:
            return {"level": computed, "decision": decision}
        level, reason = override
        if level == computed:
            msg = f"the demo's differing decision on rating/{year}/{unit} no longer differs ({level})"
            raise RuntimeError(msg)
        return {"level": level, "decision": decision, "reason": reason}

    s.add(HEADS[COMMITTEE].officer_id, "rating.decide", f"rating/{year}/{unit}", body)


def _evaluated(year: int, unit: str) -> bool:
    """Whether some index counts for `unit` and each was published in `year` (from the data)."""
    codes = RULESET_INDICES.get(_CLASS_OF[unit], ())
    return bool(codes) and all((code, year) in COLUMNS for code in codes)


DIFFERING = (
    "327",
    "HT",
    "Theo Kết luận thanh tra số 17/KL-TTr ngày 30/10/2023 của Thanh tra tỉnh, năm 2023 UBND huyện "
    "Yên Mỹ để 214 hồ sơ thủ tục hành chính lĩnh vực đất đai giải quyết quá hạn mà không xin lỗi "
    "người dân; người đứng đầu chịu trách nhiệm, xếp thấp hơn mức tính theo chỉ số một mức.",
)
APPELLANT = "SYT"


def _individuals(s: _Script, unit: str, year: int, people: Sequence[tuple[int, str, str]]) -> list[str]:
    subjects = []
    for n, position, level in people:
        name = _person(n)
        subject = f"rating/{year}/{unit}/{_slug(name)}"
        s.add(HEADS[unit].officer_id, "rating.individual", subject, {
            "name": name, "position": position, "level": level,
            "rule": f"submission/staff-rule/{unit}/{year}",
        })  # fmt: skip
        subjects.append(subject)
    return subjects


def _document(
    s: _Script, signer: str, unit: str, year: int, ref: str, file_name: str, title: str, issued_on: date
) -> str:
    subject = f"submission/document/{unit}/{year}/{ref}"
    s.add(signer, "submission.document", subject, {
        "title": title,
        "issued_on": issued_on.isoformat(),
        "document": s.pdf(file_name, title, _NAME_OF[unit], f"Ngay {issued_on:%d/%m/%Y}"),
    })  # fmt: skip
    return subject


def _script(documents: DocumentStore) -> tuple[_Script, DemoCases]:
    s = _Script(documents)
    _setup(s)
    _define_indices(s)
    _cycle_2023_opening(s)
    _spring_2023(s, _governing_decisions(s))

    # 2023: national results (as announced in April), then the unit-level indices.
    s.at(_local(2023, 5, 8, 9))
    for index in ("PAR_PROV", "SIPAS_PROV", "PAPI_PROV"):
        _national(s, index, 2023)
    s.at(_local(2023, 5, 15, 9))
    _national(s, "PCI_PROV", 2023)
    _national(s, "PGI_PROV", 2023)  # approved on 10/04/2023, so owed in this cycle
    s.at(_local(2023, 8, 21, 9))
    _national(s, "DTI_PROV", 2023)
    s.at(_local(2023, 10, 25, 9))
    _unit_results(s, "SIPAS_UNIT", 2023, _decision(2498, date(2023, 10, 24)), date(2023, 10, 24))
    s.at(_local(2023, 10, 27, 9))
    _unit_results(s, "PAR_UNIT", 2023, _decision(2535, date(2023, 10, 26)), date(2023, 10, 26), document=True)
    s.at(_local(2023, 10, 30, 9))
    _unit_results(s, "PAPI_UNIT", 2023, _decision(2561, date(2023, 10, 30)), date(2023, 10, 30))
    s.at(_local(2023, 10, 31, 15))
    _transmit(s, "DTI_PROV", 2023)
    s.at(_local(2023, 11, 1, 8, 30))
    for index in ("PAR_PROV", "SIPAS_PROV", "PAPI_PROV", "SIPAS_UNIT", "PAR_UNIT", "PAPI_UNIT"):
        _transmit(s, index, 2023, "Sở Nội vụ tổng hợp làm căn cứ đánh giá người đứng đầu")
    # Late: DDCI due before 01/11/2023, published 02/11 (2 days late); sent to SNV on time.
    s.at(_local(2023, 11, 2, 16))
    _unit_results(s, "DDCI_UNIT", 2023, _decision(2590, date(2023, 11, 2)), date(2023, 11, 2))
    s.at(_local(2023, 11, 3, 9))
    _transmit(s, "PCI_PROV", 2023)
    _transmit(s, "PGI_PROV", 2023)
    _transmit(s, "DDCI_UNIT", 2023, "Gửi kèm báo cáo khảo sát doanh nghiệp năm 2023")

    # SNV computes every head's rating; then PAR_UNIT is corrected and the affected recomputed.
    s.at(_local(2023, 11, 7, 8))
    for unit in RATED_UNITS:
        _compute(s, 2023, unit)
    s.at(_local(2023, 11, 9, 9))
    amending = _decision(2611, date(2023, 11, 8))
    corrected = result_rows("PAR_UNIT", 2023, CORRECTED_SCORES)
    s.add(SNV_OFFICER, "submission.correct", "submission/index-results/PAR_UNIT/2023", {
        "reason": "Đính chính điểm Chỉ số CCHC năm 2023 của UBND huyện Kim Động: sai sót khi cộng điểm "
                  "tiêu chí thành phần lĩnh vực cải cách thủ tục hành chính (78.40 → 84.70); thứ hạng "
                  "các huyện được xếp lại",
        "decision": amending,
        "replacement": {
            "measured_year": 2023,
            "decision": amending,
            "published_on": "2023-11-08",
            "results": corrected,
            "document": s.pdf("Quyết định đính chính Chỉ số CCHC năm 2023.pdf",
                              "Quyet dinh dinh chinh Chi so CCHC nam 2023", amending),
        },
    })  # fmt: skip
    original = {row["unit"]: row for row in result_rows("PAR_UNIT", 2023)}
    affected = tuple(row["unit"] for row in corrected if row != original[row["unit"]])
    s.at(_local(2023, 11, 9, 14))
    for unit in affected:
        _compute(s, 2023, unit)

    # The committee decides before 15/11; one decision differs from the computed level.
    s.at(_local(2023, 11, 13, 15))
    decision_2023 = _decision(2650, date(2023, 11, 13))
    for unit in RATED_UNITS:
        if _evaluated(2023, unit):
            override = DIFFERING[1:] if unit == DIFFERING[0] else None
            _decide(s, 2023, unit, decision_2023, override)  # type: ignore[arg-type]
    s.at(_local(2023, 11, 14, 10))
    individuals = _individuals(s, "SNV", 2023, [
        (201, "Phó Giám đốc Sở", "HTXS"),
        (202, "Trưởng phòng Cải cách hành chính", "HTT"),
        (203, "Chuyên viên phòng Cải cách hành chính", "HTT"),
    ])  # fmt: skip
    individuals += _individuals(s, "323", 2023, [
        (204, "Phó Chủ tịch UBND thành phố", "HTT"),
        (205, "Trưởng phòng Nội vụ thành phố", "HTT"),
        (206, "Chánh Văn phòng HĐND và UBND thành phố", "HT"),
    ])  # fmt: skip
    s.at(_local(2023, 12, 8, 10))
    documents = [
        _document(s, HEADS["323"].officer_id, "323", 2023, "bao-cao-cchc-2023",
                  "Báo cáo kết quả CCHC năm 2023.pdf", "Báo cáo kết quả cải cách hành chính năm 2023",
                  date(2023, 12, 5)),
    ]  # fmt: skip

    # 2024: no governing-decisions deadline; the ratings deadline is moved with a reason.
    s.at(_local(2024, 1, 10, 8, 30))
    s.add(SNV_OFFICER, "cycle.open", "cycle/2024", {"deadlines": {
        "results_published": "2024-11-01",
        "results_transmitted": "2024-11-05",
        "ratings_published": "2024-11-15",
    }})  # fmt: skip
    s.at(_local(2024, 2, 22, 9))
    _staff_rule(s, "SNV", 2024, "Quyết định số 38/QĐ-SNV ngày 20/02/2024", date(2024, 2, 20))
    s.at(_local(2024, 5, 6, 9))
    for index in ("PAR_PROV", "SIPAS_PROV", "PAPI_PROV"):
        _national(s, index, 2024)
    s.at(_local(2024, 5, 20, 9))
    _national(s, "PCI_PROV", 2024)
    s.at(_local(2024, 5, 22, 9))
    _national(s, "PGI_PROV", 2024)
    s.at(_local(2024, 8, 15, 9))
    _national(s, "DTI_PROV", 2024)
    s.at(_local(2024, 10, 21, 9))
    for index in ("PAR_PROV", "SIPAS_PROV", "PAPI_PROV"):
        _transmit(s, index, 2024)
    _transmit(s, "PCI_PROV", 2024)
    _transmit(s, "DTI_PROV", 2024)
    _transmit(s, "PGI_PROV", 2024)
    s.at(_local(2024, 10, 25, 9))
    _unit_results(s, "PAR_UNIT", 2024, _decision(2702, date(2024, 10, 24)), date(2024, 10, 24), document=True)
    s.at(_local(2024, 10, 28, 16))
    s.add(HEADS[COMMITTEE].officer_id, "cycle.adjust-deadline", "cycle/2024", {
        "obligation": "ratings_published",
        "date": "2024-11-29",
        "reason": "Lùi thời hạn đánh giá người đứng đầu đến 29/11/2024 để chờ kết quả Chỉ số PAPI cấp "
                  "huyện, cấp xã năm 2024 (Văn bản số 1876/UBND-NC ngày 28/10/2024)",
    })  # fmt: skip
    s.at(_local(2024, 10, 29, 9))
    _unit_results(s, "SIPAS_UNIT", 2024, _decision(2731, date(2024, 10, 29)), date(2024, 10, 29))
    s.at(_local(2024, 10, 30, 10))
    _unit_results(s, "DDCI_UNIT", 2024, _decision(2744, date(2024, 10, 30)), date(2024, 10, 30))
    s.at(_local(2024, 11, 4, 9))
    _transmit(s, "SIPAS_UNIT", 2024)
    s.at(_local(2024, 11, 5, 16, 30))
    _transmit(s, "DDCI_UNIT", 2024)  # on the last day: "no later than 05/11"
    # Late: sent to SNV on 07/11 (2 days late). PAPI_UNIT 2024 is never published.
    s.at(_local(2024, 11, 7, 10))
    _transmit(s, "PAR_UNIT", 2024)

    s.at(_local(2024, 11, 12, 8))
    for unit in RATED_UNITS:
        _compute(s, 2024, unit)
    s.at(_local(2024, 11, 20, 15))
    decision_2024 = _decision(2890, date(2024, 11, 20))
    for unit in RATED_UNITS:
        if _evaluated(2024, unit):
            _decide(s, 2024, unit, decision_2024)
    s.at(_local(2024, 11, 22, 10))
    individuals += _individuals(s, "SNV", 2024, [
        (201, "Phó Giám đốc Sở", "HTT"),
        (207, "Phó Trưởng phòng Cải cách hành chính", "HTT"),
    ])  # fmt: skip

    # Sở Y tế appeals its head's rating; the committee revises it.
    appellant = HEADS[APPELLANT].officer_id
    s.at(_local(2024, 11, 25, 9))
    documents.append(_document(
        s, appellant, APPELLANT, 2024, "kien-nghi-sipas-2024", "Hồ sơ kiến nghị kết quả SIPAS năm 2024.pdf",
        "Hồ sơ kiến nghị về kết quả Chỉ số SIPAS năm 2024 của Sở Y tế", date(2024, 11, 25),
    ))  # fmt: skip
    s.add(appellant, "rating.appeal", f"rating/2024/{APPELLANT}", {
        "grounds": "Kết quả Chỉ số SIPAS năm 2024 của Sở Y tế (78.90%) tính cả 112 phiếu khảo sát người "
                   "bệnh tại các bệnh viện tuyến tỉnh, không phải người sử dụng dịch vụ hành chính công "
                   "của Sở; loại các phiếu này thì kết quả đạt 84.60%. Đề nghị xem xét lại mức xếp loại "
                   "người đứng đầu (hồ sơ kèm theo: submission/document/SYT/2024/kien-nghi-sipas-2024).",
    })  # fmt: skip

    def revision(ledger: Ledger) -> Mapping[str, Any]:
        rating = ledger.get(f"rating/2024/{APPELLANT}")
        assert isinstance(rating, Rating)
        if rating.level != "HT":
            msg = f"the demo appeal expects rating/2024/{APPELLANT} at HT, not {rating.level}"
            raise RuntimeError(msg)
        return {
            "outcome": "revised",
            "level": "HTT",
            "reason": (
                "Sở Nội vụ thẩm định lại: 112 phiếu khảo sát không thuộc phạm vi đo lường SIPAS của "
                "Sở Y tế; loại các phiếu này thì cả ba chỉ số đạt mức Hoàn thành tốt nhiệm vụ."
            ),
            "decision": _decision(3120, date(2024, 12, 10)),
        }

    s.at(_local(2024, 12, 10, 15))
    s.add(HEADS[COMMITTEE].officer_id, "rating.resolve-appeal", f"rating/2024/{APPELLANT}", revision)
    s.at(_local(2024, 12, 12, 9))
    documents.append(_document(
        s, COMMUNE_OFFICER, "11950", 2024, "bao-cao-cchc-2024", "Báo cáo kết quả CCHC năm 2024.pdf",
        "Báo cáo kết quả cải cách hành chính năm 2024 của UBND phường Lam Sơn", date(2024, 12, 10),
    ))  # fmt: skip

    cases = DemoCases(
        late_governing_decisions="submission/governing-decisions/STTTT/2023",
        late_publication="submission/index-results/DDCI_UNIT/2023",
        late_transmission="submission/index-results/PAR_UNIT/2024",
        missing_results="submission/index-results/PAPI_UNIT/2024",
        not_evaluated=tuple(f"rating/2024/{u}" for u in _MEASURED if not _evaluated(2024, u)),
        outside_rule_set=tuple(f"rating/{y}/{u}" for y in (2023, 2024) for u in RATED_UNITS if u not in _MEASURED),
        differing_decision=f"rating/2023/{DIFFERING[0]}",
        corrected_results="submission/index-results/PAR_UNIT/2023",
        recomputed_ratings=tuple(f"rating/2023/{u}" for u in affected),
        amended_list="submission/governing-decisions/SNV/2023",
        appeal=f"rating/2024/{APPELLANT}",
        adjusted_deadline="cycle/2024",
        proposed_index=f"index/{PROPOSED_INDEX.code}",
        staff_rules=tuple(f"submission/staff-rule/{u}/{y}" for u, y in (("SNV", 2023), ("323", 2023), ("SNV", 2024))),
        individual_ratings=tuple(individuals),
        documents=tuple(documents),
    )
    return s, cases


# Loading ----------------------------------------------------------------------------------


def load_demo(
    ledger: Ledger,
    documents: DocumentStore,
    *,
    keys_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Append the Hưng Yên demo to an empty ledger; write the demo accounts' key files.

    Raises ValueError if the ledger already holds entries, FileExistsError if a key file
    to be written exists already (both before anything is appended), and RuntimeError
    naming the statement if the ledger refuses one (a bug in the demo data).
    """
    held = ledger.refresh()
    if held:
        msg = f"the ledger is not empty ({held} entries); the demo loads only into an empty ledger"
        raise ValueError(msg)
    key_files = {officer: keys_dir / f"{officer}.key" for officer, _ in _ACCOUNTS} if keys_dir else {}
    existing = sorted(str(path) for path in key_files.values() if path.exists())
    if existing:
        msg = f"demo key file {existing[0]} exists already; remove the old key files first"
        raise FileExistsError(msg)

    script, cases = _script(documents)
    total = len(script.steps)
    for counter, step in enumerate(script.steps, 1):
        key = demo_key(step.signer)
        unit = AUTHORITY_UNIT if step.signer == ROOT_OFFICER else _UNIT_OF[step.signer]
        body = step.body(ledger) if callable(step.body) else step.body
        envelope = Author(key, unit, step.signer).sign(
            step.statement_type, step.subject, body, client_time=step.at, nonce=demo_nonce(counter)
        )
        try:
            ledger.append(envelope, recorded_at=step.at.astimezone(UTC))
        except LedgerError as exc:
            msg = f"demo statement {counter} ({step.statement_type} {step.subject}) was refused: {exc}"
            raise RuntimeError(msg) from exc
        if progress is not None:
            progress(counter, total)

    names = {officer.officer_id: officer.name for officer in OFFICERS}
    accounts = []
    for officer, description in _ACCOUNTS:
        key = demo_key(officer)
        path = key_files.get(officer)
        if path is not None:
            save_signing_key(path, key, DEMO_PASSPHRASE)
        unit = AUTHORITY_UNIT if officer == ROOT_OFFICER else _UNIT_OF[officer]
        name = "Ledger authority" if officer == ROOT_OFFICER else names[officer]
        accounts.append(DemoAccount(officer, unit, name, description, key.key_id, path))
    return DemoSummary(total, demo_key(ROOT_OFFICER).key_id, tuple(accounts), cases)


def demo_authority() -> Author:
    """The ledger authority, signing with its well-known demo root key (demo instances only)."""
    return Author(demo_key(ROOT_OFFICER), AUTHORITY_UNIT, ROOT_OFFICER)


def add_demo_accounts(accounts: AccountStore) -> list[str]:
    """A web login for every demo officer (password `DEMO_PASSWORD`); the logins added."""
    taken = {account.officer for account in accounts.accounts()}
    added = []
    for officer in OFFICERS:
        if officer.officer_id not in taken:
            accounts.add_account(officer.officer_id, officer.officer_id, DEMO_PASSWORD)
            added.append(officer.officer_id)
    return added


__all__ = [
    "DEMO_PASSPHRASE",
    "DEMO_PASSWORD",
    "DemoAccount",
    "DemoCases",
    "DemoSummary",
    "add_demo_accounts",
    "demo_authority",
    "demo_key",
    "demo_pdf",
    "load_demo",
]
