"""Vietnamese texts of the refusals raised in `services` (the tasks the web and the CLI share), by code."""

from __future__ import annotations

TEXTS: dict[str, str] = {
    "ruleset_not_held": "Sổ cái không có bộ quy tắc {version}",
    "cycle_not_opened": "Chưa mở kỳ đánh giá cho năm {year}",
    "index_not_held": "Sổ cái không có chỉ số {index} (các chỉ số hiện có: {known})",
    "position_beyond_head": "Vị trí {position} nằm sau bút toán cuối cùng ({head})",
    "no_usual_ruleset": "Chưa có xếp loại nào của năm {year} nêu bộ quy tắc: hãy chọn bộ quy tắc",
    "not_a_rated_class": "{unit_class} không phải loại đơn vị được xếp loại (một trong: {classes})",
}
