"""Vietnamese texts of the refusals raised in `ledger.domain`, by code (see `web.i18n`)."""

from __future__ import annotations

#: The fields of a body (`ledger.domain.errors.BodyError`).
BODY = {
    "required": "bắt buộc phải có",
    "not_an_object": "phải là một đối tượng JSON (nhóm trường)",
    "not_text": "phải là văn bản",
    "blank": "không được để trống",
    "padded_with_spaces": "không được bắt đầu hoặc kết thúc bằng dấu cách",
    "too_long": "dài quá {max_length} ký tự",
    "invisible_characters": "chứa ký tự điều khiển hoặc ký tự ẩn",
    "not_a_whole_number": "phải là số nguyên",
    "out_of_range": "phải nằm trong khoảng từ {minimum} đến {maximum}",
    "not_a_decimal": 'phải là số thập phân viết dưới dạng chuỗi, ví dụ "87.50"',
    "not_a_date": "phải là ngày viết theo dạng YYYY-MM-DD (năm-tháng-ngày)",
    "not_on_the_calendar": "ngày {value:date} không có trên lịch",
    "outside_the_cycle_year": "ngày {on:date} nằm ngoài năm của kỳ đánh giá {year}",
    "after_the_cycle_year": "ngày {on:date} muộn hơn năm của kỳ đánh giá {year}",
    "not_one_of": "phải là một trong các giá trị: {options:options}",
    "not_a_list": "phải là một danh sách",
    "listed_twice": "có một mục bị liệt kê hai lần",
    "not_true_or_false": "phải là đúng hoặc sai (true/false)",
    "too_many_items": "phải là danh sách có tối đa {max_items} mục",
    "item_count": "phải có từ {min_items} đến {max_items} mục",
    "unknown_field": "có trường không được phép: {name!r}",
    "not_a_code": "phải là một mã gồm chữ in hoa, chữ số, '_', '.' hoặc '-' (tối đa 32 ký tự)",
    "not_a_slug": "phải là chuỗi gồm chữ thường, chữ số, '.', '_' hoặc '-' (tối đa 64 ký tự)",
    "not_a_unit_code": "phải là mã đơn vị",
    "not_an_index_code": "phải là mã chỉ số",
    "not_a_ruleset_version": "phải là phiên bản bộ quy tắc xếp loại",
    "not_a_public_key": "phải là khoá công khai Ed25519 dạng base64 (32 byte)",
    "not_a_sha256": "phải là 64 chữ số hệ mười sáu viết thường",
    "not_a_file_name": "phải là tên tệp, không chứa '/' hoặc '\\'",
}

#: Subjects and bodies that contradict themselves or the ledger (`StatementError`).
STATEMENTS = {
    "subject_form": "phải có dạng {form:form}",
    "not_a_submission_subject": "phải chỉ rõ hồ sơ nộp theo một trong các dạng: {forms}",
    "filed_under_another_kind": (
        "yêu cầu {statement_type} phải được nộp dưới dạng submission/{kind}/… (hồ sơ {kind:name})"
    ),
    "merged_into_itself": "không thể sáp nhập một đơn vị vào chính nó",
    "unusable_public_key": "không phải khoá công khai Ed25519 hợp lệ",
    "key_id_mismatch": "mã khoá là {key_id}, không khớp với đối tượng",
    "proposer_must_lead": "sở, ban, ngành chỉ đề xuất chỉ số do chính mình chủ trì",
    "lead_not_a_department": "{unit} không phải là sở, ban, ngành tỉnh nên không thể chủ trì chỉ số",
    "no_unit_class": "phải nêu ít nhất một loại đơn vị",
    "not_under_article_4": (
        "chỉ các chỉ số theo {article:name} mới được xác định trực tiếp; các chỉ số khác phải được đề xuất và phê duyệt"
    ),
    "not_an_index_measuring": "{index} không phải là chỉ số đang có hiệu lực dùng để đánh giá {unit_class:name}",
    "unit_listed_twice": "đơn vị {unit} được liệt kê hai lần",
    "class_not_measured": "{unit} thuộc loại {unit_class:name}; chỉ số {index} không đánh giá loại đơn vị này",
    "above_maximum": "vượt quá điểm tối đa của chỉ số ({maximum})",
    "wrong_rank": (
        "phải là {rank}: bằng 1 cộng số đơn vị cùng loại có điểm cao hơn "
        "(các đơn vị bằng điểm cùng nhận thứ hạng cao hơn)"
    ),
    "correction_needs_decision": "kết quả đã công bố chỉ được đính chính theo một quyết định: hãy ghi số quyết định",
    "not_the_head": "thủ trưởng hiện tại của {unit} là {head}",
    "inputs_differ": "không khớp với kết quả chỉ số trong sổ cái; hãy tính lại từ kết quả hiện hành",
    "level_differs": "theo bộ quy tắc {ruleset}, các chỉ số đầu vào này cho mức {expected}, không phải {level}",
    "index_named_twice": "một chỉ số được nêu hai lần (trong chỉ số đầu vào và chỉ số thiếu kết quả)",
    "not_the_units_rule": "phải dẫn chiếu quy định xếp loại cán bộ năm {year} của chính đơn vị: {rule}",
    "revision_without_level": "khi sửa đổi xếp loại phải nêu mức xếp loại mới",
    "upheld_with_level": "xếp loại được giữ nguyên thì giữ nguyên mức; không ghi mức xếp loại",
    "difference_without_reason": (
        "mức quyết định {level} khác với mức tính toán {computed}: hãy ghi rõ lý do bằng văn bản"
    ),
    "revision_keeps_level": "xếp loại hiện đã là {level}; việc sửa đổi phải thay đổi mức xếp loại",
    "overrides_appeal_unstated": (
        "mức đang có hiệu lực, {revised}, do {resolution} giải quyết kiến nghị quyết định; quyết định mức {level} "
        "là thay đổi kết quả giải quyết kiến nghị: phải nêu rõ việc thay đổi, quyết định bị thay đổi và lý do"
    ),
    "nothing_to_override": "quyết định mức {level} không thay đổi mức nào do giải quyết kiến nghị quyết định",
    "not_the_resolution_in_force": "mức đang có hiệu lực do {resolution} quyết định, không phải {named}",
    "resolution_without_override": "nêu quyết định giải quyết kiến nghị bị thay đổi nhưng không nêu việc thay đổi",
    "override_without_reason": "quyết định thay đổi kết quả giải quyết kiến nghị phải ghi rõ lý do bằng văn bản",
}

#: The rules of the domain (`DomainRuleError`) and records it does not hold (`MissingRecordError`).
RULES = {
    "not_a_record_of_kind": "{subject:subject} không phải là {kind:name}",
    "does_not_exist": "{subject:subject} không có trong sổ cái",
    "unit_inactive": "đơn vị {unit} đã {status:name} nên không còn thực hiện hoặc được nêu trong yêu cầu nào nữa",
    "already_named": "đơn vị {unit} đã có tên {name}",
    "officer_of_another_unit": "cán bộ {officer} thuộc đơn vị {unit}, không thuộc {other}",
    "already_the_head": "cán bộ {officer} đã là thủ trưởng của {unit}",
    "same_roles": "cán bộ đã có đúng các vai trò này",
    "key_already_revoked": "khoá {key_id} đã bị thu hồi trước đó",
    "index_in_force": "chỉ số {index} đã có hiệu lực",
    "no_cycle": "chưa mở kỳ đánh giá năm {year}",
    "deadline_unchanged": "thời hạn {obligation:name} đã là ngày {due:date}",
    "index_only_proposed": "chỉ số {index} mới được đề xuất; chỉ công bố kết quả sau khi chỉ số được phê duyệt",
    "identical_replacement": "nội dung thay thế giống hệt phiên bản đang có hiệu lực; không có gì để đính chính",
    "only_index_results_transmitted": "chỉ kết quả chỉ số đã công bố mới được gửi Sở Nội vụ",
    "already_transmitted": "kết quả này đã được gửi ngày {on:date}",
    "not_a_rated_unit": "{unit} không thuộc diện đơn vị được xếp loại",
    "no_head_to_rate": "{unit} chưa có thủ trưởng được bổ nhiệm để xếp loại",
    "recompute_under_appeal": "xếp loại đang có khiếu nại, kiến nghị; hãy giải quyết khiếu nại, kiến nghị trước",
    "decide_under_appeal": (
        "xếp loại đang có khiếu nại, kiến nghị; hãy giải quyết khiếu nại, kiến nghị thay vì quyết định lại"
    ),
    "individual_not_decided": "xếp loại cá nhân do đơn vị công bố, không do UBND tỉnh quyết định",
    "appeal_already_open": "đã có khiếu nại, kiến nghị đang được xem xét đối với xếp loại này",
    "appeal_before_decision": "xếp loại mới chỉ được tính toán; chỉ có thể khiếu nại, kiến nghị sau khi có quyết định",
    "no_open_appeal": "không có khiếu nại, kiến nghị nào đang mở đối với xếp loại này",
}

#: Who may sign what (`AuthorityError`).
AUTHORITY = {
    "registers_units": "chỉ cơ quan quản lý sổ cái hoặc quản trị viên mới được đăng ký đơn vị",
    "changes_units": "chỉ cơ quan quản lý sổ cái hoặc quản trị viên mới được thay đổi thông tin đơn vị",
    "registers_officers": "cán bộ do quản trị viên hoặc thủ trưởng đơn vị của chính cán bộ đó đăng ký",
    "changes_roles": "chỉ quản trị viên mới được thay đổi vai trò của cán bộ",
    "grants_admin": "chỉ quản trị viên mới được cấp vai trò quản trị viên",
    "registers_keys": "khoá ký do quản trị viên hoặc thủ trưởng đơn vị của cán bộ đăng ký",
    "revokes_keys": (
        "khoá ký chỉ được thu hồi bởi chính người giữ khoá, thủ trưởng đơn vị của người đó hoặc quản trị viên"
    ),
    "defines_indices": (
        "các chỉ số quy định tại điểm a khoản 1 Điều 4 do cơ quan quản lý sổ cái hoặc quản trị viên xác định"
    ),
    "proposes_indices": "chỉ sở, ban, ngành tỉnh mới được đề xuất chỉ số",
    "approves_indices": "chỉ UBND tỉnh mới được phê duyệt chỉ số được đề xuất",
    "opens_cycles": "kỳ đánh giá do Sở Nội vụ mở",
    "adjusts_deadlines": "thời hạn do Sở Nội vụ hoặc UBND tỉnh điều chỉnh",
    "issues_rulesets": "bộ quy tắc xếp loại do UBND tỉnh ban hành",
    "publishes_results": "chỉ số {index} do {lead} chủ trì; {unit} không được công bố kết quả của chỉ số này",
    "files_for_itself": "mỗi đơn vị chỉ nộp cho chính mình: {unit} không được nộp thay {other}",
    "leads_index": "{unit} không phải đơn vị chủ trì chỉ số {index}",
    "corrects_submissions": (
        "việc đính chính phải do đơn vị đã nộp ({submitter}) hoặc cơ quan quản lý sổ cái thực hiện, không phải {unit}"
    ),
    "transmits_results": "kết quả phải do chính sở, ngành đã công bố ({unit}) gửi",
    "computes_head_ratings": "xếp loại người đứng đầu do Sở Nội vụ tính toán",
    "decides_head_ratings": "xếp loại người đứng đầu do UBND tỉnh quyết định",
    "publishes_individual_ratings": "xếp loại cá nhân của {unit} do thủ trưởng đơn vị {unit} công bố",
    "files_appeals": "khiếu nại, kiến nghị về xếp loại của {unit} phải do {unit} gửi",
    "resolves_head_appeals": "khiếu nại, kiến nghị về xếp loại người đứng đầu do UBND tỉnh giải quyết",
    "resolves_staff_appeals": (
        "khiếu nại, kiến nghị về xếp loại cán bộ của {unit} do thủ trưởng đơn vị {unit} giải quyết"
    ),
}

TEXTS: dict[str, str] = {**BODY, **STATEMENTS, **RULES, **AUTHORITY}
