"""Vietnamese texts of the refusals raised by storage, the append pipeline, the log's serving
and the read models, by code (`ledger.storage.errors`, `ledger.application`, `ledger.serving`,
the codes of `ReplayError`, `ConflictError`, `LogIntegrityError` and `SignatureError` in
`ledger.errors`, and `projections.errors`; see `web.i18n`)."""

from __future__ import annotations

_DETAIL = "chi tiết kỹ thuật: {detail}"

#: The database setting (`ledger.storage.config`, `ledger.storage.sqlite`).
CONFIGURATION = {
    "sqlite_url": (
        "LEDGER_DATABASE_URL {url!r}: hãy viết sqlite:///đường/dẫn/tương/đối hoặc sqlite:////đường/dẫn/tuyệt/đối"
    ),
    "postgresql_url": "LEDGER_DATABASE_URL {url!r}: hãy viết postgresql://người-dùng@máy-chủ:cổng/cơ-sở-dữ-liệu",
    "unknown_url_parameter": "LEDGER_DATABASE_URL: không hiểu tham số {parameter!r} (chỉ hiểu 'schema')",
    "unknown_scheme": "LEDGER_DATABASE_URL {url!r}: lược đồ phải là sqlite hoặc postgresql",
    "sqlite_not_durable": "SQLite đang đặt PRAGMA synchronous là {level}; sổ cái cần FULL (2) hoặc EXTRA (3)",
    "not_a_ledger_recorder": (
        "{recorder} không phải bộ lưu trữ của sổ cái; hãy đặt LEDGER_DATABASE_URL là một URL sqlite:// "
        "hoặc postgresql://"
    ),
}

#: The document store and its quarantine of unsigned uploads (`ledger.storage.documents`).
DOCUMENTS = {
    "unknown_file_type": "không phải tệp PDF, DOCX, XLSX, ODT, PNG hoặc JPEG (xét theo nội dung tệp)",
    "too_many_archive_entries": "chứa quá {limit} tệp trong gói nén",
    "zip_bomb": "khi giải nén lớn vượt xa kích thước tệp (nghi là tệp nén độc hại)",
    "damaged_archive": "là tệp ZIP/Office bị hỏng",
    "archive_not_a_document": "là tệp nén ZIP nhưng không phải văn bản DOCX, XLSX hoặc ODT",
    "empty_document": "là tệp rỗng (0 byte)",
    "document_too_large": "vượt quá giới hạn {limit_mib} MiB",
    "document_changed": "tài liệu đã lưu {sha256} không còn khớp với mã băm của nó",
    "document_size_mismatch": "kích thước {size} byte không khớp với tài liệu đã lưu ({stored} byte)",
    "document_type_mismatch": "tài liệu đã lưu có định dạng {stored}, không phải {stated}",
    "document_not_stored": "tài liệu {sha256} không có trong kho tài liệu",
    "document_not_uploaded": "tài liệu {prefix}… ({name}) chưa được tải lên kho tài liệu",
    "no_document_store": "sổ cái này không có kho tài liệu nên không thể dẫn chiếu tài liệu",
    "quarantine_files_full": (
        "bạn đang có {count} tệp tải lên chưa ký (tối đa {limit} tệp); hãy ký các hồ sơ dùng các tệp đó, "
        "hoặc chờ: tệp tải lên chưa ký được xoá sau {hours} giờ"
    ),
    "quarantine_bytes_full": (
        "tổng dung lượng các tệp tải lên chưa ký của bạn sẽ vượt {limit_mib} MiB; hãy ký các hồ sơ dùng các tệp đó, "
        "hoặc chờ: tệp tải lên chưa ký được xoá sau {hours} giờ"
    ),
}

#: Appending (`ledger.application`, and the kinds' codes in `ledger.errors`).
APPENDING = {
    "busy": "sổ cái liên tục thay đổi trong khi xử lý yêu cầu; chưa ghi gì, hãy thử lại",
    "unknown_statement_type": "loại yêu cầu {type!r} không tồn tại",
    "founding_statement": "ledger.initialise phải có đối tượng {subject!r} và do {unit}/{officer} ký",
    "malformed_root_key": "khoá gốc không hợp lệ (" + _DETAIL + ")",
    "replay": "bản ký này (mã dùng một lần {nonce}) đã được ghi ở mục số {seq}",
    "unknown_key": "được ký bằng khoá {key_id}, khoá này chưa từng được đăng ký trong sổ cái",
    "revoked_key": (
        "được ký bằng khoá {key_id}, khoá này đã bị thu hồi trước khi ghi mục này (lý do thu hồi: {revocation})"
    ),
    "founder_not_root": "ledger.initialise phải được ký bằng chính khoá gốc nêu trong nội dung",
    "root_not_pinned": "khoá gốc {key_id} không phải khoá gốc đã được cố định ({pinned})",
    "unregistered_author": "khoá {key_id} chưa được đăng ký trong sổ cái này",
    "revoked_author": "khoá {key_id} đã bị thu hồi (lý do thu hồi: {revocation})",
    "root_signs_as_authority": "khoá gốc chỉ được ký với tư cách {unit}/{officer}",
    "key_of_another_officer": "khoá {key_prefix}… thuộc cán bộ {owner}, không phải của cán bộ {officer}",
    "unit_acts_for_itself": (
        "cán bộ {officer} thuộc đơn vị {unit}; mỗi đơn vị chỉ thực hiện cho chính mình, không thay cho {other}"
    ),
    "already_initialised": "sổ cái đã được khởi tạo",
    "subject_exists": "{subject:subject} đã tồn tại; hãy đính chính hoặc thay đổi, không tạo mới",
    "not_initialised": "sổ cái chưa được khởi tạo: mục đầu tiên phải là ledger.initialise",
}

#: The log's integrity (`LogIntegrityError`: appending, serving, the read models).
INTEGRITY = {
    "tree_unreadable": "từ chối ghi: " + _DETAIL,
    "no_checkpoint_signed": "từ chối ghi: chưa có điểm kiểm tra (checkpoint) nào được ký cho {size} mục hiện có",
    "checkpoint_unverified": "từ chối ghi: điểm kiểm tra (checkpoint) mới nhất không xác minh được (" + _DETAIL + ")",
    "tree_does_not_extend": (
        "từ chối ký: cây lưu trữ gồm {size} mục không nối tiếp điểm kiểm tra (checkpoint) đã ký cho {signed} mục"
    ),
    "missing_node": "cây Merkle đã lưu thiếu nút ({level}, {index})",
    "log_gap": "sổ cái nhảy từ mục số {last} sang mục số {seq}",
    "event_missing": "mục số {seq} có trong nhật ký nhưng sự kiện đã lưu của nó bị mất",
}

#: Serving the log (`ledger.serving`).
SERVING = {
    "no_checkpoint": "chưa có điểm kiểm tra (checkpoint) nào được ký",
    "no_checkpoint_of_size": "chưa có điểm kiểm tra (checkpoint) nào được ký cho kích thước {size} mục",
    "entry_outside_tree": "mục số {seq} không nằm trong cây gồm {size} mục",
    "entry_not_stored": "mục số {seq} không được lưu trữ",
    "sizes_out_of_order": "kích thước phải thoả mãn 0 < {size1} ≤ {size2} ≤ {head} (kích thước của sổ cái)",
    "not_a_cosignature": "không phải dòng đồng chữ ký (cosignature) hợp lệ (" + _DETAIL + ")",
    "untrusted_witness": "{witness} không phải là bên chứng thực (witness) mà sổ cái này tin cậy",
    "bad_cosignature": "đồng chữ ký của {witness} không xác minh được (" + _DETAIL + ")",
}

#: The read models (`projections.errors`).
PROJECTIONS = {
    "not_in_views": "{subject:subject} không có trong bảng {table}, dù sổ cái đã ghi thao tác về nó",
    "unprojected_statement_type": "mục số {seq}: loại yêu cầu {type!r} không tồn tại",
    "no_appeal_to_resolve": "mục số {seq}: {subject:subject} không có khiếu nại nào để giải quyết",
    "not_loaded": "{subject} chưa được nạp từ bảng {table} trước lô xử lý",
    "missing_column": "một dòng của bảng {table} thiếu cột {column}",
    "batch_too_small": "mỗi lô phải có ít nhất 1 mục",
    "position_and_moment": "chỉ xem lại theo một vị trí hoặc theo một thời điểm, không được cả hai",
    "position_outside_ledger": "vị trí {position} nằm ngoài sổ cái (từ 0 đến {head})",
    "moment_without_zone": "thời điểm phải ghi kèm múi giờ (ví dụ +07:00); sổ cái không bao giờ đọc đồng hồ địa phương",
    "unknown_report_format": "không có định dạng báo cáo {format!r} (chỉ có: {formats})",
    "replay_file_exists": "{path} đã tồn tại; bản xem lại phải ghi vào một tệp mới",
    "views_moved": "các bảng tổng hợp đã vượt quá vị trí {start} trong khi lô này được chuẩn bị",
}

TEXTS: dict[str, str] = {**CONFIGURATION, **DOCUMENTS, **APPENDING, **INTEGRITY, **SERVING, **PROJECTIONS}
