"""A small, complete province for tests: authority, SNV, committee, a lead department,
a district with its head, and an open 2024 cycle with one unit-level index.

`World.build(ledger)` appends the registry through the ledger itself, so every test
starts from a ledger made only of signed, accepted statements.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from demo.pdf import demo_pdf
from keys import SigningKey
from ledger.application import Ledger, Receipt
from ledger.domain.rules import ILLUSTRATIVE_PARAMETERS
from ledger.signing.envelope import Author, Envelope

AT = datetime(2024, 10, 1, 2, 0, tzinfo=UTC)
#: The evidence file the tests file: a valid one-page PDF, written as the demo writes its own.
PDF = demo_pdf("Bao cao CCHC nam 2024")


def key_for(name: str) -> SigningKey:
    """A reproducible key per officer (tests only)."""
    return SigningKey.from_seed(hashlib.sha256(f"test key {name}".encode()).digest())


@dataclass
class World:
    """The ledger and the authors who act in it."""

    ledger: Ledger
    authors: dict[str, Author] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Author:
        return self.authors[name]

    def append(
        self,
        author: str | Author,
        statement_type: str,
        subject: str,
        body: dict[str, Any],
        **kwargs: Any,
    ) -> Receipt:
        """Sign as `author` and append; kwargs go to `Ledger.append` (e.g. recorded_at)."""
        signer = self.authors[author] if isinstance(author, str) else author
        return self.ledger.append(signer.sign(statement_type, subject, body), **kwargs)

    def envelope(self, author: str, statement_type: str, subject: str, body: dict[str, Any]) -> Envelope:
        """A signed envelope, not appended."""
        return self.authors[author].sign(statement_type, subject, body)

    def officer(self, officer: str, unit: str, *, roles: tuple[str, ...] = ("officer",), head: bool = False) -> Author:
        """Register an officer of `unit` with a key (and appoint them head)."""
        key = key_for(officer)
        self.append(
            "root",
            "officer.register",
            f"officer/{officer}",
            {"name": officer.title(), "unit": unit, "roles": list(roles)},
        )
        self.append(
            "root",
            "key.register",
            f"key/{key.key_id}",
            {"public_key": key.verifying_key.base64, "officer": officer},
        )
        if head:
            self.append(
                "root",
                "unit.appoint-head",
                f"unit/{unit}",
                {"officer": officer, "decision": f"QĐ bổ nhiệm {officer}"},
            )
        self.authors[officer] = Author(key, unit, officer)
        return self.authors[officer]

    @classmethod
    def build(cls, ledger: Ledger) -> World:
        """Authority, units, officers, the PAR_UNIT index, cycle 2024 and rule set v1."""
        world = cls(ledger)
        root = key_for("root")
        world.authors["root"] = Author(root, "authority", "root")
        world.append(
            "root",
            "ledger.initialise",
            "authority",
            {"name": "UBND tỉnh Hưng Yên", "root_public_key": root.verifying_key.base64},
        )
        units = [
            ("UBND-TINH", "Ủy ban nhân dân tỉnh Hưng Yên", "province", ["committee"]),
            ("SNV", "Sở Nội vụ", "department", ["home_affairs"]),
            ("STTTT", "Sở Thông tin và Truyền thông", "department", []),
            ("STC", "Sở Tài chính", "department", []),
            ("323", "Thành phố Hưng Yên", "district", []),
            ("325", "Huyện Văn Lâm", "district", []),
        ]
        for code, name, unit_class, functions in units:
            world.append(
                "root",
                "unit.register",
                f"unit/{code}",
                {"name": name, "class": unit_class, "functions": functions},
            )
        world.officer("ubnd.chu-tich", "UBND-TINH", head=True)
        world.officer("snv.giam-doc", "SNV", head=True)
        world.officer("snv.chuyen-vien", "SNV")
        world.officer("stttt.giam-doc", "STTTT", head=True)
        world.officer("stc.giam-doc", "STC", head=True)
        world.officer("hy.chu-tich", "323", head=True)
        world.officer("hy.chuyen-vien", "323")
        world.officer("vl.chu-tich", "325", head=True)
        world.append(
            "root",
            "index.define",
            "index/PAR_UNIT",
            {
                "name": "Chỉ số cải cách hành chính cấp đơn vị",
                "lead": "SNV",
                "classes": ["department", "district"],
                "level": "unit",
                "scale": {"maximum": "100", "unit": "percent"},
                "legal_basis": "Art.4(1)(a)",
            },
        )
        world.append(
            "snv.giam-doc",
            "cycle.open",
            "cycle/2024",
            {
                "deadlines": {
                    "results_published": "2024-11-01",
                    "results_transmitted": "2024-11-05",
                    "ratings_published": "2024-11-15",
                }
            },
        )
        world.append(
            "ubnd.chu-tich",
            "ruleset.issue",
            "ruleset/v1",
            {
                "legal_basis": "QĐ 01/2023/QĐ-UBND, Điều 5 (minh hoạ)",
                "illustrative": True,
                "description": "Quy tắc minh hoạ B3",
                "parameters": ILLUSTRATIVE_PARAMETERS,
                "indices": {"department": ["PAR_UNIT"], "district": ["PAR_UNIT"]},
            },
        )
        return world

    def publish_par_2024(self, *, recorded_at: datetime = AT, scores: dict[str, str] | None = None) -> Receipt:
        """SNV publishes PAR_UNIT 2024 for every measured unit."""
        scores = scores or {
            "SNV": "91.5",
            "STTTT": "84.0",
            "STC": "72.25",
            "323": "88.0",
            "325": "79.5",
        }
        return self.append(
            "snv.giam-doc",
            "submission.index-results",
            "submission/index-results/PAR_UNIT/2024",
            {
                "measured_year": 2024,
                "decision": "QĐ 123/QĐ-UBND",
                "published_on": "2024-10-01",
                "results": results_rows(self.ledger, scores),
            },
            recorded_at=recorded_at,
        )


def results_rows(ledger: Ledger, scores: dict[str, str]) -> list[dict[str, Any]]:
    """Result rows with competition ranks within each unit class."""
    from decimal import Decimal

    classes = {code: ledger.get(f"unit/{code}").unit_class for code in scores}  # type: ignore[union-attr]
    rows = []
    for code, score in scores.items():
        peers = [Decimal(s) for c, s in scores.items() if classes[c] == classes[code]]
        rank = 1 + sum(1 for other in peers if other > Decimal(score))
        rows.append({"unit": code, "score": score, "rank": rank})
    return rows


#: The login and password of the one account the web's account tests start with.
ACCOUNT = "snv.nguyen.van.an"
ACCOUNT_PASSWORD = "mật khẩu đủ dài"


class ManualClock:
    """A clock the test moves by hand (seconds since the epoch, as `time.time` gives them)."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now
