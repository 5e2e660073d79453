"""Vietnamese texts of the web's own form refusals (`web.errors.FormError`), by code."""

from __future__ import annotations

TEXTS: dict[str, str] = {
    "date_required": "Hãy chọn một ngày",
    "date_format": "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy",
    "date_not_on_calendar": "{value} không phải là một ngày có thật trên lịch",
    "date_before_ledger": "Sổ cái bắt đầu từ ngày {on:date}; hãy chọn từ ngày đó trở đi",
    "date_in_future": "Không thể xem trước tương lai; hãy chọn ngày đến hết {on:date}",
    "year_not_in_ledger": "Năm không có trong sổ cái",
    "file_name_invalid": "Tên tệp không hợp lệ",
    "file_name_hidden_characters": "Tên tệp có ký tự điều khiển hoặc ký tự ẩn (ví dụ ký tự đảo chiều U+202E)",
    "file_name_too_long": "Tên tệp dài quá {limit} ký tự ({length} ký tự)",
    "table_empty": "Tệp bảng kết quả rỗng (0 byte)",
    "table_too_large": "Tệp bảng kết quả lớn hơn {limit} MiB",
    "table_not_xlsx": "Tệp không phải bảng tính .xlsx (xét theo nội dung)",
    "table_xlsx_unreadable": "Không đọc được bảng tính .xlsx: tệp hỏng hoặc không đúng định dạng",
    "table_not_a_spreadsheet": "Tệp phải là bảng tính .xlsx hoặc CSV (tệp .xls cũ: hãy lưu lại dưới dạng .xlsx)",
    "table_csv_not_utf8": "Tệp CSV phải mã hoá UTF-8 (trong Excel: Lưu thành “CSV UTF-8”)",
    "table_csv_not_text": "Tệp không phải là CSV văn bản",
    "table_csv_unreadable": "Không đọc được tệp CSV (ô quá dài hoặc dấu ngoặc kép không khớp)",
    "table_no_heading": "Không tìm thấy dòng tiêu đề có cột “Mã đơn vị” và cột “Điểm”",
    "table_no_rows": "Bảng không có dòng kết quả nào dưới dòng tiêu đề",
    "table_too_many_rows": "Bảng có hơn {limit} dòng",
}
