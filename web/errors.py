"""What the web refuses, and the page every HTTP error status gets.

`FormError` is the web's own refusal of what an officer typed into a form or a page's
query (a date, a file's name, an uploaded table): a `PayloadError` under the product's one
root, with a stable code, the field and the params; its Vietnamese text comes from
`web.i18n.forms` like every other code (`web.i18n.reason`).

Every error status of a page (400 … 503) is answered by a page inside the site's layout,
in Vietnamese (`templates/errors/`); `/api/` keeps its JSON bodies (`web.api.errors`). A
form refused for its CSRF token (the session ended while the officer typed) gets a page of
its own with a link to log in and come back, and a form too large to read (413) a link back
to it: what was typed is kept in the browser only (``static/forms.js``, sessionStorage),
never on the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from flask import Flask, g, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from ledger.domain.submissions import MAX_DOCUMENT_BYTES
from ledger.errors import PayloadError
from web.api.errors import from_http, is_api_request
from web.security import CsrfRefused


class FormError(PayloadError):
    """A value typed into a web form or a page's query that the page cannot use."""

    messages: ClassVar[Mapping[str, str]] = {
        # Dates typed into a form (submit) or a page's query (audit).
        "date_required": "choose a day",
        "date_format": "not a date; write it dd/mm/yyyy",
        "date_not_on_calendar": "{value} is not a day on the calendar",
        "date_before_ledger": "the ledger starts on {on}; choose that day or a later one",
        "date_in_future": "the future cannot be looked at; choose a day up to {on}",
        "year_not_in_ledger": "the ledger holds no such year",
        # An uploaded file's name.
        "file_name_invalid": "the file's name is not usable",
        "file_name_hidden_characters": "the file's name holds control or hidden characters (e.g. U+202E)",
        "file_name_too_long": "the file's name is longer than {limit} characters ({length})",
        # An uploaded results table (.xlsx or CSV).
        "table_empty": "the results table file is empty (0 bytes)",
        "table_too_large": "the results table file is larger than {limit} MiB",
        "table_not_xlsx": "the file is not an .xlsx workbook (judged by its content)",
        "table_xlsx_unreadable": "the .xlsx workbook cannot be read: damaged or of another format",
        "table_not_a_spreadsheet": "the file must be an .xlsx or CSV table (save an old .xls as .xlsx)",
        "table_csv_not_utf8": "a CSV file must be encoded in UTF-8",
        "table_csv_not_text": "the file is not a CSV text",
        "table_csv_unreadable": "the CSV file cannot be read (a cell too long or unbalanced quotes)",
        "table_no_heading": "no heading row with the columns “Mã đơn vị” and “Điểm”",
        "table_no_rows": "the table has no result row under its heading row",
        "table_too_many_rows": "the table has more than {limit} rows",
    }


#: The statuses a page may answer with, each with its title and what the officer can do.
PAGES: dict[int, tuple[str, str]] = {
    400: ("Yêu cầu không hợp lệ", "Máy chủ không hiểu được yêu cầu vừa gửi. Hãy quay lại trang trước và thử lại."),
    401: ("Cần đăng nhập", "Hãy đăng nhập để tiếp tục."),
    403: (
        "Không có quyền truy cập",
        "Tài khoản của bạn không được xem trang này hoặc làm thao tác này. Nếu cần, hãy liên hệ quản trị viên.",
    ),
    404: ("Không tìm thấy trang", "Địa chỉ này không có trên hệ thống. Hãy kiểm tra lại đường dẫn."),
    405: ("Thao tác không được hỗ trợ", "Trang này không nhận kiểu yêu cầu vừa gửi. Hãy mở trang từ thanh điều hướng."),
    409: (
        "Xung đột dữ liệu",
        "Yêu cầu xung đột với trạng thái hiện tại của sổ cái; chưa ghi gì. Hãy tải lại trang rồi thử lại.",
    ),
    413: (
        "Nội dung gửi lên quá lớn",
        "Biểu mẫu và tệp đính kèm vượt quá giới hạn {limit} MiB cho mỗi lần gửi; chưa có gì được lưu. "
        "Hãy quay lại, chọn tệp nhỏ hơn (mỗi tệp minh chứng tối đa {document} MiB) rồi gửi lại.",
    ),
    415: ("Định dạng không được hỗ trợ", "Nội dung gửi lên không theo định dạng trang này nhận; chưa có gì được lưu."),
    422: ("Dữ liệu không hợp lệ", "Dữ liệu gửi lên không hợp lệ; chưa có gì được lưu."),
    429: ("Quá nhiều yêu cầu", "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn; hãy đợi một lát rồi thử lại."),
    500: (
        "Lỗi hệ thống",
        "Máy chủ gặp lỗi khi xử lý yêu cầu; chưa có gì được ghi vào sổ cái. Hãy thử lại sau hoặc báo quản trị viên.",
    ),
    503: ("Hệ thống tạm ngừng phục vụ", "Hệ thống đang tạm ngừng; chưa có gì được ghi. Hãy thử lại sau ít phút."),
}

MIB = 1024 * 1024

#: Headers of an HTTP error that its page keeps (what a browser or a client acts on).
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def error_page(error: HTTPException) -> Any:
    """The page of `error` in the site's layout (under /api/: its JSON body)."""
    if is_api_request():
        return from_http(error)
    status = error.code or 500
    headers = [(name, value) for name, value in error.get_headers() if name in KEPT_HEADERS]
    if isinstance(error, CsrfRefused):
        return render_template("errors/session.html", back=_login_back()), status, headers
    title, advice = PAGES.get(status, PAGES[500 if status >= 500 else 400])
    limits = {"limit": (request.max_content_length or 0) // MIB, "document": MAX_DOCUMENT_BYTES // MIB}
    # A form too large to read is refused whole: back to it, its typed values kept by the browser.
    back = request.full_path.rstrip("?") if status == 413 and request.method == "POST" else None
    # A page's own abort says why in Vietnamese; Werkzeug's class default is English and never shown.
    detail = error.description if error.description != type(error).description else None
    page = render_template(
        "errors/error.html", status=status, title=title, advice=advice.format(**limits), detail=detail, back=back
    )
    return page, status, headers


def _login_back() -> str:
    """Where the session page's link goes: the refused form, after logging in if the session ended."""
    form_path = request.full_path.rstrip("?")
    if g.get("user") is not None:
        return form_path
    return url_for("auth.login", next=form_path)


def init_app(app: Flask) -> None:
    """Answer every error status of a page with its page (a handler per status, found before any other)."""
    for status in PAGES:
        app.register_error_handler(status, error_page)
