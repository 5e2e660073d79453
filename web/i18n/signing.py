"""Vietnamese texts of the refusals raised in `ledger.signing`, by code (see `web.i18n`)."""

from __future__ import annotations

_HEX = "chữ số hệ mười sáu"
_DECIMALS_AS_STRINGS = 'hãy viết số thập phân dưới dạng chuỗi, ví dụ "87.50"'

TEXTS: dict[str, str] = {
    # The statement's JSON values.
    "unsafe_integer": "số nguyên phải nằm trong khoảng ±(2^53 − 1); số lớn hơn hãy viết dưới dạng chuỗi",
    "fraction_not_allowed": f"không được dùng số có phần thập phân; {_DECIMALS_AS_STRINGS}",
    "nested_beyond": "lồng nhau quá sâu (quá {levels} cấp)",
    "key_not_a_string": "tên trường trong đối tượng JSON phải là chuỗi",
    "key_twice_once_normalised": "tên trường {key!r} xuất hiện hai lần sau khi chuẩn hoá Unicode",
    "not_a_json_value": "kiểu dữ liệu {type_name} không phải là giá trị JSON",
    "lone_surrogate": "chứa ký tự thay thế (surrogate) đứng riêng lẻ, không phải văn bản Unicode hợp lệ",
    "not_canonically_encodable": "không thể mã hoá thành JSON chuẩn tắc (chi tiết kỹ thuật: {detail})",
    # The statement's members.
    "not_a_json_object": "phải là một đối tượng JSON",
    "unknown_member": "có trường không được phép: {name!r}",
    "missing_member": "bắt buộc phải có",
    "not_a_non_empty_string": "phải là chuỗi ký tự, không được để trống",
    "not_a_nonce": f"phải là 32 {_HEX} viết thường (128 bit ngẫu nhiên)",
    "not_a_date_time": "phải là ngày giờ theo chuẩn ISO 8601",
    "no_utc_offset": "phải ghi kèm độ lệch múi giờ so với UTC, ví dụ +07:00",
    "not_canonical": "không ở dạng chuẩn tắc (văn bản chuẩn hoá NFC, JSON theo RFC 8785)",
    # The envelope.
    "wrong_payload_type": "phải là {payload_type!r}",
    "empty_payload": "không có nội dung",
    "payload_too_large": "lớn hơn {limit} byte",
    "not_one_signature": "phải có đúng một chữ ký",
    "not_a_signature_entry": "phải là một đối tượng gồm 'keyid' và 'sig'",
    "not_a_key_id": f"phải gồm 'ed25519:' và 64 {_HEX}",
    "not_a_base64_string": "phải là chuỗi base64",
    "not_base64": "không phải chuỗi base64 hợp lệ",
    "not_canonical_base64": "không phải base64 chuẩn tắc (các bit đệm phải bằng 0)",
    # Strict JSON.
    "json_constant": "giá trị {name} không được phép trong JSON",
    "json_fraction": f"số {{text}} có phần thập phân hoặc số mũ; {_DECIMALS_AS_STRINGS}",
    "json_key_twice": "tên trường {key!r} xuất hiện hai lần",
    "not_utf8": "không phải văn bản UTF-8 hợp lệ",
    "nested_too_deeply": "lồng nhau quá sâu",
    "not_json": "không phải JSON hợp lệ (chi tiết kỹ thuật: {detail})",
    # The signature.
    "signature_length": "chữ ký Ed25519 phải dài đúng 64 byte",
    "signature_does_not_verify": "chữ ký của khoá {key_id} không khớp với nội dung",
}
