"""Vietnamese texts of the refusals raised in `keys`, by code (see `web.i18n`)."""

from __future__ import annotations

_MALFORMED = "tệp khoá {path} không đúng định dạng par-ledger-key/v2: "

TEXTS: dict[str, str] = {
    # Key files (`keys.KeyFileError`).
    "key_file_without_passphrase": "không lưu tệp khoá {path} khi chưa có mật khẩu bảo vệ",
    "key_file_exists": "tệp {path} đã tồn tại; không ghi đè lên tệp này",
    "key_file_missing": "không có tệp khoá {path}",
    "key_file_unreadable": "không đọc được tệp khoá {path} (chi tiết kỹ thuật: {detail})",
    "key_file_unwritable": "không ghi được tệp khoá {path} (chi tiết kỹ thuật: {detail})",
    "key_file_empty": "tệp khoá {path} rỗng",
    "key_file_too_large": "{path} không phải tệp khoá PAR Ledger: tệp lớn hơn {limit} byte",
    "key_file_is_pem": (
        "{path} không phải tệp khoá PAR Ledger: tệp có dạng PEM; chỉ nhận tệp định dạng par-ledger-key/v2"
    ),
    "key_file_is_der": (
        "{path} không phải tệp khoá PAR Ledger: tệp có dạng nhị phân DER (như PKCS#12 hoặc PKCS#8); "
        "chỉ nhận tệp định dạng par-ledger-key/v2"
    ),
    "not_a_key_file": "{path} không phải tệp khoá PAR Ledger",
    "key_file_version": (
        "tệp khoá {path} có phiên bản định dạng {version!r} không được hỗ trợ; chỉ nhận par-ledger-key/v2"
    ),
    "key_file_bad_key_id": _MALFORMED + "mã khoá {key_id!r} không gồm 'ed25519:' và 64 chữ số hệ mười sáu",
    "key_file_missing_member": _MALFORMED + "thiếu trường {member}",
    "key_file_member_type": _MALFORMED + "trường {member} không phải kiểu JSON {json_type}",
    "key_file_member_not_base64": _MALFORMED + "trường {member} không phải chuỗi base64 hợp lệ",
    "key_file_member_size": _MALFORMED + "trường {member} dài {size} byte, không phải {expected} byte",
    "key_file_unexpected_member": _MALFORMED + "có trường không được phép {member}",
    "key_file_kdf": "tệp khoá {path} dùng hàm dẫn xuất khoá {name!r}; chỉ nhận 'PBKDF2-HMAC-SHA256'",
    "key_file_cipher": "tệp khoá {path} dùng thuật toán mã hoá {name!r}; chỉ nhận 'AES-256-GCM'",
    "key_file_few_iterations": (
        "tệp khoá {path} có số vòng lặp PBKDF2 quá ít ({iterations}); tối thiểu phải là {least}"
    ),
    "key_file_absurd_iterations": (
        "tệp khoá {path} có số vòng lặp PBKDF2 lớn bất thường ({iterations}); tối đa là {most}"
    ),
    "key_file_wrong_passphrase": "không mở được tệp khoá {path}: sai mật khẩu, hoặc tệp bị hỏng",
    "key_file_seed_size": (
        "tệp khoá {path} không phải tệp khoá Ed25519: tệp chứa {size} byte, "
        "không phải khoá bí mật gốc (seed) Ed25519 dài {expected} byte"
    ),
    "key_file_key_id_mismatch": (
        "tệp khoá {path}: mã khoá không khớp với khoá (trong tệp ghi {stated}, khoá thực tế là {actual})"
    ),
    # Public keys, seeds and key ids (`keys.KeyFormatError`).
    "public_key_size": "khoá công khai Ed25519 phải dài {expected} byte, không phải {size} byte",
    "public_key_unloadable": "không phải khoá công khai Ed25519 hợp lệ (chi tiết kỹ thuật: {detail})",
    "public_key_not_base64": "khoá công khai không phải chuỗi base64 hợp lệ",
    "seed_size": "khoá bí mật gốc (seed) Ed25519 phải dài {expected} byte, không phải {size} byte",
    "public_key_line": "{path} không phải một dòng dạng '<mã khoá> <khoá công khai base64>'",
    "public_key_line_prefix": "{path}: mã khoá {key_id!r} không bắt đầu bằng {prefix!r}",
    "public_key_line_key": "{path}: khoá công khai không hợp lệ (chi tiết kỹ thuật: {detail})",
    "public_key_line_mismatch": "{path}: mã khoá {key_id} không khớp với khoá ({actual})",
    # Signatures (`keys.BadSignatureError`).
    "signature_size": "chữ ký dài {size} byte, không phải {expected} byte (khoá {key_id})",
    "signature_invalid": "chữ ký không khớp với nội dung (khoá {key_id})",
}
