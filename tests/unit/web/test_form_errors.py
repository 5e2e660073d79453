"""The web's own form refusals are coded (`web.errors.FormError`): a code, the field, the params."""

from __future__ import annotations

import io
from datetime import date

import pytest
from werkzeug.datastructures import FileStorage

from ledger.errors import ParLedgerError, PayloadError
from web.areas.audit import parse_day as audit_day
from web.areas.submit.evidence import file_name
from web.areas.submit.fields import parse_day
from web.areas.submit.table import TABLE_FIELD, read_table, table_refusal
from web.errors import FormError
from web.i18n import reason

SPAN = (date(2023, 1, 12), date(2024, 12, 31))


def refusal(call: object, *args: object, **kwargs: object) -> FormError:
    with pytest.raises(FormError) as info:
        call(*args, **kwargs)  # type: ignore[operator]
    return info.value


def test_a_form_refusal_is_a_payload_error_under_the_root() -> None:
    error = FormError("date_format", field="issued_on")
    assert isinstance(error, PayloadError)
    assert isinstance(error, ParLedgerError)
    assert error.kind == "invalid"


@pytest.mark.parametrize(
    ("value", "code", "params"),
    [
        ("hôm qua", "date_format", {}),
        ("31/02/2024", "date_not_on_calendar", {"value": "31/02/2024"}),
    ],
)
def test_a_typed_date_is_refused_by_code_with_its_field(value: str, code: str, params: dict[str, str]) -> None:
    error = refusal(parse_day, value, field="d-2-decided_on")
    assert (error.code, error.field, error.params) == (code, "d-2-decided_on", params)


@pytest.mark.parametrize(
    ("raw", "code", "text"),
    [
        ("", "date_required", "Hãy chọn một ngày"),
        ("2024-13-45", "date_format", "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy"),
        ("2023-01-11", "date_before_ledger", "Sổ cái bắt đầu từ ngày 12/01/2023; hãy chọn từ ngày đó trở đi"),
        ("2025-01-01", "date_in_future", "Không thể xem trước tương lai; hãy chọn ngày đến hết 31/12/2024"),
    ],
)
def test_an_audit_date_is_refused_by_code_and_shown_in_vietnamese(raw: str, code: str, text: str) -> None:
    error = refusal(audit_day, raw, SPAN, field="ngay")
    assert (error.code, error.field) == (code, "ngay")
    assert reason(error) == text


@pytest.mark.parametrize(
    ("raw", "code", "params"),
    [
        ("../", "file_name_invalid", {}),
        ("bao_cao\u202efdp.exe", "file_name_hidden_characters", {}),
        ("a" * 256 + ".pdf", "file_name_too_long", {"limit": 255, "length": 260}),
    ],
)
def test_an_unusable_file_name_is_refused_by_code(raw: str, code: str, params: dict[str, int]) -> None:
    error = refusal(file_name, raw, field="file")
    assert (error.code, error.field, error.params) == (code, "file", params)


@pytest.mark.parametrize(
    ("data", "code", "text"),
    [
        (b"", "table_empty", "Tệp bảng kết quả rỗng (0 byte)"),
        (b"ten,gia tri\na,1\n", "table_no_heading", "Không tìm thấy dòng tiêu đề có cột “Mã đơn vị” và cột “Điểm”"),
        ("Mã đơn vị,Điểm\n".encode(), "table_no_rows", "Bảng không có dòng kết quả nào dưới dòng tiêu đề"),
    ],
)
def test_an_unreadable_table_is_refused_by_code_on_the_upload_field(data: bytes, code: str, text: str) -> None:
    error = refusal(read_table, FileStorage(io.BytesIO(data), filename="ket-qua.csv"))
    assert (error.code, error.field) == (code, TABLE_FIELD)
    assert table_refusal(error) == text


def test_a_damaged_workbook_is_refused_by_the_content_check_and_said_after_the_file() -> None:
    with pytest.raises(PayloadError) as info:
        read_table(FileStorage(io.BytesIO(b"PK\x03\x04broken"), filename="ket-qua.xlsx"))
    assert info.value.field == TABLE_FIELD
    assert table_refusal(info.value) == "Tệp là tệp ZIP/Office bị hỏng"
