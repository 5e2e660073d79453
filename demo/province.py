"""The demo province as data: its units, officers, indices and results, read from demo/data/.

structure.toml holds the units and the people (and which of them get key files), indices.toml
the indices, results.toml the invented scores and the national results. This module reads them
once, on import, into the names the story, the tests and the benchmark use, and derives what
follows from them: officer ids, who counts for the rule set, the published rows of an index.

Every key comes from a public seed derived from the officer's id (`demo_key`): demo only.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from demo.pdf import without_diacritics
from keys import SigningKey
from ledger.domain.indices import competition_ranks
from ledger.domain.registry import AUTHORITY_UNIT, RATED_CLASSES, ROOT_OFFICER
from ledger.signing.envelope import Author

DATA = Path(__file__).parent / "data"


def read_data(name: str) -> dict[str, Any]:
    """One data file of demo/data/, e.g. ``read_data("results")``."""
    with (DATA / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


def demo_key(officer_id: str) -> SigningKey:
    """The demo key of `officer_id` (the root key for ``root``): public seed, demo only."""
    return SigningKey.from_seed(hashlib.sha256(b"par-ledger demo key:" + officer_id.encode()).digest())


def slug(name: str) -> str:
    """A name as it appears in ids: without diacritics, lower case, words joined by dots."""
    return ".".join(without_diacritics(name).lower().split())


# Units and people ------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    unit_class: str
    parent: str | None
    functions: tuple[str, ...]
    appointed_by: str  # the decision that appointed its head


@dataclass(frozen=True)
class DemoOfficer:
    officer_id: str
    name: str
    unit: str
    roles: tuple[str, ...] = ("officer",)


def _officer(unit: str, name: str, roles: tuple[str, ...] = ("officer",)) -> DemoOfficer:
    return DemoOfficer(f"{unit.lower()}.{slug(name)}", name, unit, roles)


_STRUCTURE = read_data("structure")
AUTHORITY_NAME: str = _STRUCTURE["authority"]["name"]
UNITS: tuple[DemoUnit, ...] = tuple(
    DemoUnit(
        unit["code"],
        unit["name"],
        unit["class"],
        unit.get("parent"),
        tuple(unit.get("functions", ())),
        unit["appointed_by"],
    )
    for unit in _STRUCTURE["unit"]
)
CLASS_OF = {unit.code: unit.unit_class for unit in UNITS}
NAME_OF = {unit.code: unit.name for unit in UNITS}
COMMITTEE = next(unit.code for unit in UNITS if "committee" in unit.functions)

HEADS: dict[str, DemoOfficer] = {unit["code"]: _officer(unit["code"], unit["head"]) for unit in _STRUCTURE["unit"]}
#: Officers who head no unit, by the name the story signs with.
STAFF: dict[str, DemoOfficer] = {
    staff["signer"]: _officer(staff["unit"], staff["name"], tuple(staff["roles"])) for staff in _STRUCTURE["staff"]
}
OFFICERS: tuple[DemoOfficer, ...] = (*HEADS.values(), *STAFF.values())
SNV_OFFICER = STAFF["snv"].officer_id
SKHDT_OFFICER = STAFF["skhdt"].officer_id
STTTT_OFFICER = STAFF["stttt"].officer_id
STNMT_OFFICER = STAFF["stnmt"].officer_id
COMMUNE_OFFICER = STAFF["commune"].officer_id
_UNIT_OF = {officer.officer_id: officer.unit for officer in OFFICERS}


def officer_of(signer: str) -> str:
    """The officer id a data file names: ``root``, ``head:<unit>``, or a staff signer name."""
    if signer == ROOT_OFFICER:
        return ROOT_OFFICER
    if signer.startswith("head:"):
        return HEADS[signer.removeprefix("head:")].officer_id
    return STAFF[signer].officer_id


#: Who signs the results of the indices each lead department leads.
LEAD_OFFICER = {unit: officer_of(signer) for unit, signer in _STRUCTURE["lead_signers"].items()}
#: The demo accounts whose key files `load_demo` writes, with what each one does.
ACCOUNTS: tuple[tuple[str, str], ...] = tuple(
    (officer_of(account["signer"]), account["about"]) for account in _STRUCTURE["account"]
)


def demo_author(officer_id: str) -> Author:
    """`officer_id` signing with their demo key (the ledger authority for ``root``)."""
    unit = AUTHORITY_UNIT if officer_id == ROOT_OFFICER else _UNIT_OF[officer_id]
    return Author(demo_key(officer_id), unit, officer_id)


# Indices ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoIndex:
    code: str
    name: str
    lead: str
    classes: tuple[str, ...]
    level: str
    maximum: str
    scale_unit: str
    publisher: str | None = None  # who publishes a provincial index nationally
    bands: tuple[tuple[Decimal, str], ...] = ()  # (lowest score, band), highest first

    def band(self, score: Decimal) -> str | None:
        """The band a result of `score` is published with (None: this index has no bands)."""
        return next((band for floor, band in self.bands if score >= floor), None)

    def body(self) -> dict[str, Any]:
        """What ``index.define`` and ``index.propose`` say of the index."""
        return {
            "name": self.name,
            "lead": self.lead,
            "classes": list(self.classes),
            "level": self.level,
            "scale": {"maximum": self.maximum, "unit": self.scale_unit},
        }


def _index(table: Mapping[str, Any]) -> DemoIndex:
    return DemoIndex(
        table["code"],
        table["name"],
        table["lead"],
        tuple(table["classes"]),
        table["level"],
        table["maximum"],
        table["scale"],
        table.get("publisher"),
        tuple((Decimal(band["from"]), band["band"]) for band in table.get("bands", ())),
    )


_INDICES = read_data("indices")
#: Defined at setup (Art.4(1)(a)).
INDICES: tuple[DemoIndex, ...] = tuple(_index(table) for table in _INDICES["index"])
#: Proposed in the story and approved by the committee.
PROPOSED_INDICES: tuple[DemoIndex, ...] = tuple(_index(table) for table in _INDICES["proposed_index"])
INDEX = {index.code: index for index in (*INDICES, *PROPOSED_INDICES)}
_MEASURED_CLASSES = tuple(dict.fromkeys(c for index in INDICES if index.level == "unit" for c in index.classes))
#: The rule set counts the unit-level indices, per class they measure.
RULESET_INDICES: dict[str, tuple[str, ...]] = {
    unit_class: tuple(i.code for i in INDICES if i.level == "unit" and unit_class in i.classes)
    for unit_class in _MEASURED_CLASSES
}
#: Every head SNV computes a rating for: the office and the public service units too,
#: although no index counts for their classes (so they come out not evaluated).
RATED_UNITS = tuple(unit.code for unit in UNITS if unit.unit_class in RATED_CLASSES)
MEASURED_UNITS = tuple(code for code in RATED_UNITS if CLASS_OF[code] in RULESET_INDICES)


# Results ---------------------------------------------------------------------------------

_RESULTS = read_data("results")
#: The (index, cycle) of each column of `SCORES`.
COLUMNS: tuple[tuple[str, int], ...] = tuple((column["index"], column["cycle"]) for column in _RESULTS["columns"])
#: Unit-level scores by unit, one per column (None: the index does not measure the unit).
SCORES: dict[str, tuple[str | None, ...]] = {
    unit: tuple(None if score == "-" else score for score in row) for unit, row in _RESULTS["scores"].items()
}
#: National results by (index, cycle): score, rank among the provinces, published on.
NATIONAL: dict[tuple[str, int], tuple[str, int, date]] = {
    (row["index"], row["cycle"]): (row["score"], row["rank"], row["published_on"]) for row in _RESULTS["national"]
}


def result_rows(index: str, year: int, corrections: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The published rows of a unit-level index: ranked within each unit class."""
    column = COLUMNS.index((index, year))
    scores = {unit: row[column] for unit, row in SCORES.items() if row[column] is not None}
    scores.update(corrections or {})
    rows: list[dict[str, Any]] = []
    for unit_class in _MEASURED_CLASSES:
        peers = {unit: str(score) for unit, score in scores.items() if CLASS_OF[unit] == unit_class}
        ranked = competition_ranks({unit: Decimal(score) for unit, score in peers.items()})
        for unit in sorted(peers, key=lambda u: (ranked[u], u)):
            row: dict[str, Any] = {"unit": unit, "score": peers[unit], "rank": ranked[unit]}
            band = INDEX[index].band(Decimal(peers[unit]))
            if band is not None:
                row["band"] = band
            rows.append(row)
    return rows


def evaluated(year: int, unit: str) -> bool:
    """Whether some index counts for `unit` and each was published in `year` (from the data)."""
    codes = RULESET_INDICES.get(CLASS_OF[unit], ())
    return bool(codes) and all((code, year) in COLUMNS for code in codes)
