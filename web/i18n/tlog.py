"""Vietnamese texts of the refusals raised in `ledger.tlog`, by code (see `web.i18n`).

The codes are declared in ``ledger/tlog/errors.py``. ``{what}`` names a technical part of
a format (``tree size``, ``checkpoint root``, ``verifier key``): it stays in English,
quoted, as the formats' specifications name it.
"""

from __future__ import annotations

#: Leaves (docs/formats.md §4): LeafError.
LEAVES: dict[str, str] = {
    "leaf_value_unframable": (
        "không thể đóng khung giá trị {value!r} của trường {name}: chỉ được dùng ký tự ASCII in được, không có dấu cách"
    ),
    "leaf_not_ascii": "lá (leaf) không phải văn bản ASCII",
    "leaf_line_count": "lá (leaf) phải gồm dòng tiêu đề {header} và 8 dòng, mỗi dòng kết thúc bằng ký tự xuống dòng",
    "leaf_line_expected": "cần dòng {name!r}, nhưng gặp {found!r}",
    "leaf_field_unreadable": "không đọc được một trường của lá (leaf) (chi tiết kỹ thuật: {detail})",
    "leaf_not_canonical": "lá (leaf) không ở dạng đóng khung chuẩn tắc",
}

#: Merkle proofs (RFC 9162): ProofError.
PROOFS: dict[str, str] = {
    "proof_hash_type": "«{what}» phải là chuỗi byte, nhưng là {kind}",
    "proof_hash_size": "«{what}» dài {got} byte, cần {size} byte",
    "inclusion_negative": "chỉ số và kích thước phải ≥ 0 (chỉ số {index}, kích thước {size})",
    "inclusion_beyond_size": "chỉ số {index} vượt quá kích thước cây {size}",
    "inclusion_length": (
        "bằng chứng bao hàm có {got} giá trị băm, cần {want} cho chỉ số {index} trong cây kích thước {size}"
    ),
    "inclusion_too_long": "bằng chứng bao hàm dài hơn đường dẫn tới gốc",
    "inclusion_too_short": "bằng chứng bao hàm ngắn hơn đường dẫn tới gốc",
    "inclusion_root_mismatch": (
        "bằng chứng bao hàm cho chỉ số {index} cho ra gốc không khớp với gốc mong đợi của cây kích thước {size}"
    ),
    "consistency_negative": "kích thước phải ≥ 0 (size1 {size1}, size2 {size2})",
    "consistency_shrinks": "size1 {size1} lớn hơn size2 {size2}",
    "consistency_from_empty": "size1 bằng 0: tính nhất quán với cây rỗng không chứng minh điều gì",
    "consistency_equal_with_hashes": "hai kích thước bằng nhau nhưng bằng chứng có {got} giá trị băm, cần 0",
    "consistency_equal_roots_differ": "hai kích thước bằng nhau ({size1}) nhưng hai gốc khác nhau",
    "consistency_empty": "bằng chứng nhất quán rỗng từ kích thước {size1} đến {size2}",
    "consistency_length": "bằng chứng nhất quán có {got} giá trị băm, cần {want} từ kích thước {size1} đến {size2}",
    "consistency_too_long": "bằng chứng nhất quán dài hơn đường dẫn tới gốc",
    "consistency_too_short": "bằng chứng nhất quán ngắn hơn đường dẫn tới gốc",
    "consistency_root1_mismatch": "bằng chứng nhất quán không tái tạo được gốc root1 (kích thước {size1})",
    "consistency_root2_mismatch": "bằng chứng nhất quán không tái tạo được gốc root2 (kích thước {size2})",
}

#: Signed notes, keys, checkpoints and cosignatures (C2SP): NoteError.
NOTES: dict[str, str] = {
    "note_base64_invalid": "«{what}» không phải chuỗi base64 hợp lệ",
    "note_base64_not_canonical": "«{what}» không phải base64 chuẩn tắc",
    "note_decimal_invalid": "«{what}» {text!r} không phải số thập phân không có số 0 đứng đầu",
    "note_decimal_too_large": "«{what}» {value} lớn hơn 2**63 - 1",
    "note_int_type": "«{what}» phải là số nguyên, nhưng là {kind}",
    "note_int_range": "«{what}» {value} nằm ngoài khoảng 0..2**63-1",
    "key_name_empty": "tên khoá phải là chuỗi không rỗng",
    "key_name_forbidden": "tên khoá {name!r} chứa dấu cách, dấu '+' hoặc ký tự điều khiển",
    "note_text_type": "nội dung ghi chú ký (note) phải là chuỗi, nhưng là {kind}",
    "note_text_no_newline": "nội dung ghi chú ký (note) phải kết thúc bằng ký tự xuống dòng",
    "note_text_control": "nội dung ghi chú ký (note) chứa ký tự điều khiển khác ký tự xuống dòng",
    "note_text_not_unicode": "nội dung ghi chú ký (note) không phải Unicode hợp lệ",
    "vkey_type": "khoá xác minh (vkey) phải là chuỗi",
    "vkey_form": "khoá xác minh (vkey) phải có dạng tên+mã khoá+khoá base64",
    "vkey_id_not_hex": "mã khoá {key_id!r} của khoá xác minh không phải 8 chữ số thập lục phân",
    "vkey_empty": "khoá xác minh (vkey) không có nội dung khoá",
    "vkey_id_mismatch": "mã khoá {key_id} của khoá xác minh không khớp với tên và khoá",
    "vkey_signature_type": "khoá xác minh có kiểu chữ ký {got:#04x}, cần {want:#04x}",
    "vkey_unsupported": "không hỗ trợ khoá xác minh có kiểu chữ ký {got:#04x}",
    "skey_type": "khoá ký (skey) phải là chuỗi",
    "skey_form": "khoá ký (skey) phải có dạng PRIVATE+KEY+tên+mã khoá+khoá base64",
    "skey_id_not_hex": "mã khoá {key_id!r} của khoá ký không phải 8 chữ số thập lục phân",
    "skey_empty": "khoá ký (skey) không có nội dung khoá",
    "skey_signature_type": "khoá ký có kiểu chữ ký {got:#04x}, cần {want:#04x}",
    "skey_seed_size": "hạt giống (seed) Ed25519 phải dài {size} byte, nhưng dài {got} byte",
    "skey_id_mismatch": "mã khoá của khoá ký không khớp với tên và khoá",
    "note_seed_size": "hạt giống (seed) Ed25519 phải dài {size} byte",
    "note_public_key_size": "khoá công khai Ed25519 phải dài {size} byte, nhưng dài {got} byte",
    "note_public_key_invalid": "khoá công khai Ed25519 không hợp lệ (chi tiết kỹ thuật: {detail})",
    "signature_key_id_size": "mã khoá phải dài {size} byte",
    "signature_empty": "chữ ký phải là chuỗi byte không rỗng",
    "signature_line_prefix": "dòng chữ ký phải bắt đầu bằng dấu gạch dài (—) và một dấu cách",
    "signature_line_form": "dòng chữ ký phải có dạng '— <tên> <base64>'",
    "signature_too_short": "chữ ký của {name!r} quá ngắn",
    "signature_other_key": "chữ ký của {name!r} ({key_id}) không phải của khoá {expected!r} ({expected_id})",
    "note_signature_size": "chữ ký của {name!r} không phải chữ ký Ed25519 dài {size} byte",
    "note_signature_invalid": "chữ ký của khoá {name!r} không khớp với nội dung",
    "note_unsigned": "ghi chú ký (note) cần ít nhất một chữ ký",
    "note_too_many_signatures": "ghi chú ký (note) có {count} chữ ký, vượt giới hạn {limit}",
    "note_signature_objects": "các chữ ký phải là đối tượng Signature",
    "note_not_utf8": "ghi chú ký (note) không phải UTF-8 hợp lệ",
    "note_data_type": "ghi chú ký (note) phải là chuỗi byte hoặc chuỗi ký tự, nhưng là {kind}",
    "note_control": "ghi chú ký (note) chứa ký tự điều khiển khác ký tự xuống dòng",
    "note_no_blank_line": "ghi chú ký (note) không có dòng trống trước các chữ ký",
    "note_no_signatures": "ghi chú ký (note) không có dòng chữ ký nào",
    "note_no_final_newline": "ghi chú ký (note) phải kết thúc bằng ký tự xuống dòng sau chữ ký cuối cùng",
    "sign_note_no_signer": "cần ít nhất một khoá ký để ký ghi chú",
    "verifiers_clash": "hai khoá xác minh trùng tên {name!r} và mã khoá {key_id}",
    "note_unknown_signers": "ghi chú không được ký bởi khoá nào đã biết (ký bởi: {names})",
    "note_line_empty": "«{what}» phải là chuỗi không rỗng",
    "note_line_control": "«{what}» chứa ký tự xuống dòng hoặc ký tự điều khiển",
    "checkpoint_root_type": "gốc của điểm kiểm tra (checkpoint) phải dài {size} byte",
    "checkpoint_lines": "điểm kiểm tra (checkpoint) cần các dòng nguồn gốc (origin), kích thước và gốc",
    "checkpoint_root_size": "gốc của điểm kiểm tra (checkpoint) dài {got} byte, cần {size} byte",
    "checkpoint_origin": "nguồn gốc (origin) {origin!r} của điểm kiểm tra không phải nguồn gốc mong đợi {expected!r}",
    "cosignature_size": "đồng chữ ký (cosignature) của {name!r} dài {got} byte, cần {size} byte",
    "cosignature_timestamp": "dấu thời gian {timestamp} của đồng chữ ký vượt quá 2**63-1",
}

#: Receipts (c2sp.org/tlog-proof@v1): ReceiptError.
RECEIPTS: dict[str, str] = {
    "receipt_hash_type": "giá trị băm thứ {position} của bằng chứng phải dài {size} byte",
    "receipt_extra_type": "dữ liệu kèm theo (extra) phải là chuỗi byte hoặc không có",
    "receipt_note_type": "ghi chú điểm kiểm tra (checkpoint) phải là chuỗi byte",
    "receipt_data_type": "biên nhận phải là chuỗi byte hoặc chuỗi ký tự, nhưng là {kind}",
    "receipt_no_blank_line": "biên nhận không có dòng trống trước điểm kiểm tra (checkpoint)",
    "receipt_header_not_ascii": "phần đầu của biên nhận không phải văn bản ASCII",
    "receipt_header": "biên nhận phải bắt đầu bằng {header!r}",
    "receipt_no_index": "biên nhận không có dòng 'index N'",
    "receipt_hash_size": "giá trị băm thứ {number} của bằng chứng dài {got} byte, cần {size} byte",
}

#: The inspector: PublicKeyError, InspectionError.
INSPECTOR: dict[str, str] = {
    "bundle_public_key_not_base64": "khoá công khai không phải chuỗi base64 hợp lệ",
    "bundle_public_key_size": "khoá công khai Ed25519 dài {size} byte, không phải {got} byte",
    "bundle_public_key_unloadable": "không nạp được khoá công khai Ed25519 (chi tiết kỹ thuật: {detail})",
    "witness_quorum_impossible": "không thể yêu cầu {quorum} bên chứng thực (witness) khi chỉ có {witnesses} bên",
    "inspector_workers": "số luồng xác minh phải ít nhất là 1, nhưng là {workers}",
}

#: Inspector bundles: BundleError.
BUNDLES: dict[str, str] = {
    "bundle_folder_not_empty": "thư mục {path} không trống; hãy xuất gói vào một thư mục mới",
    "bundle_not_folder": "{path} không phải là thư mục",
    "bundle_file_missing": "thiếu tệp {path}: đây không phải gói kiểm tra đầy đủ",
    "bundle_line_not_json": "dòng {number} của {name} không phải JSON (chi tiết kỹ thuật: {detail})",
    "bundle_line_fields": "dòng {number} của {name} phải là một đối tượng có đúng các trường {fields}",
    "bundle_leaf_not_text": "dòng {number} của {name}: lá (leaf) phải là văn bản base64",
    "bundle_leaf_not_base64": "dòng {number} của {name}: lá (leaf) không phải chuỗi base64 hợp lệ",
    "bundle_file_symlink": "{path} là liên kết tượng trưng (hoặc nằm sau một liên kết): chỉ đọc tệp thông thường",
    "bundle_file_folder": "{path} là thư mục, không phải tệp",
    "bundle_file_fifo": "{path} là đường ống có tên (FIFO), không phải tệp thông thường",
    "bundle_file_device": "{path} là thiết bị, không phải tệp thông thường",
    "bundle_file_special": "{path} không phải tệp thông thường",
    "bundle_file_unreadable": "không đọc được {path} (chi tiết kỹ thuật: {detail})",
    "bundle_file_too_large": "{path} lớn hơn giới hạn {limit} byte của tệp này",
    "bundle_file_not_utf8": "{path} không phải văn bản UTF-8",
    "bundle_line_too_long": "dòng {number} của {name} dài hơn giới hạn {limit} byte",
    "bundle_line_not_utf8": "dòng {number} của {name} không phải văn bản UTF-8",
    "bundle_line_too_deep": "dòng {number} của {name} lồng JSON sâu hơn giới hạn {limit} cấp",
}

#: The witness (c2sp.org/tlog-witness): WitnessError.
WITNESS: dict[str, str] = {
    "witness_request_malformed": "yêu cầu không đúng định dạng (chi tiết kỹ thuật: {detail})",
    "witness_checkpoint_unverified": (
        "{witness} từ chối: điểm kiểm tra (checkpoint) không xác minh được (chi tiết kỹ thuật: {detail})"
    ),
    "witness_state_damaged": (
        "{witness} từ chối: điểm kiểm tra đang giữ không xác minh được (tệp trạng thái bị hỏng?) "
        "(chi tiết kỹ thuật: {detail})"
    ),
    "witness_rollback": (
        "{witness} từ chối: quay lui: điểm kiểm tra ({offered_size}) nhỏ hơn điểm kiểm tra đang giữ ({size})"
    ),
    "witness_old_size": (
        "{witness} từ chối: kích thước cũ {old_size} không phải kích thước bên chứng thực đang giữ: {size}"
    ),
    "witness_proof_from_empty": (
        "{witness} từ chối: bằng chứng từ kích thước 0 phải rỗng, nhưng có {count} giá trị băm"
    ),
    "witness_proof_equal_sizes": (
        "{witness} từ chối: bằng chứng giữa hai kích thước bằng nhau phải rỗng, nhưng có {count} giá trị băm"
    ),
    "witness_fork": "{witness} từ chối: rẽ nhánh: một gốc khác cho kích thước {size} so với điểm kiểm tra đang giữ",
    "witness_inconsistent": (
        "{witness} từ chối: điểm kiểm tra ({offered_size}) không nhất quán với điểm kiểm tra đang giữ ({held_size}) "
        "(chi tiết kỹ thuật: {detail})"
    ),
}

TEXTS: dict[str, str] = {**LEAVES, **PROOFS, **NOTES, **RECEIPTS, **INSPECTOR, **BUNDLES, **WITNESS}
