"""A unit's earlier submissions: listing them, correcting one, transmitting published results.

A correction carries the reason, the decision allowing it (required for published index
results) and the full replacement, checked like a new filing; the version in force fills
the form. A unit sees and corrects only its own submissions: any other subject is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import abort, render_template, request, url_for

from ledger.domain.local_time import LOCAL_TIME
from ledger.domain.submissions import DocumentRef, Submission, parse_subject
from ledger.errors import LedgerError
from web.areas.auth import User, login_required
from web.areas.signing import Summary, ask_to_sign
from web.areas.submit.common import KIND_NAMES, Errors, bp, ledger_check, the_user
from web.areas.submit.evidence import Evidence, attach, evidence
from web.areas.submit.fields import decision_rows, document_fields, padded, results_header, text_field
from web.areas.submit.results import ResultRow, ResultsTable, decimal_text, results_body, results_table
from web.forms import REQUIRED, text
from web.state import get_ledger, get_views
from web.text import local_date, local_time


def own_submissions(user: User) -> list[dict[str, Any]]:
    """Every submission this unit filed, newest year first."""
    views = get_views()
    found = []
    for year in sorted(views.years(), reverse=True):
        found += [s for s in views.submissions(year) if s["unit"] == user.unit]
    for submission in found:
        submission["filed_at_local"] = local_time(submission["filed_at"])
    return found


@bp.get("/sua/")
@login_required
def corrections() -> str:
    """The unit's earlier submissions, each with a link to correct it."""
    user = the_user()
    return render_template("submit/corrections.html", submissions=own_submissions(user), kind_names=KIND_NAMES)


def _own_submission(subject: str) -> Submission:
    """The unit's own submission at `subject` (404 for anything else: another unit's is not shown)."""
    try:
        parse_subject(subject)
    except LedgerError:
        abort(404)
    record = get_ledger().get(subject)
    if not isinstance(record, Submission) or record.unit != the_user().unit:
        abort(404)
    return record


def current_values(record: Submission) -> dict[str, Any]:
    """The version in force as form values (the fields outside its table)."""
    body = record.current
    if record.kind == "index-results":
        return {"measured_year": str(body.measured_year), "result_decision": body.decision,
                "published_on": body.published_on.strftime("%d/%m/%Y")}  # fmt: skip
    if record.kind in ("document", "staff-rule"):
        values = {"title": body.title, "issued_on": body.issued_on.strftime("%d/%m/%Y")}
        if record.kind == "staff-rule":
            values["rule_decision"] = body.decision
        return values
    return {}


def current_decision_rows(record: Submission) -> list[dict[str, str]]:
    """The governing decisions in force as the rows of the form's table."""
    return [
        {"d_index": d.index, "d_number": d.number, "d_decided_on": d.decided_on.strftime("%d/%m/%Y"),
         "d_title": d.title}
        for d in record.current.decisions
    ]  # fmt: skip


def current_results(record: Submission) -> ResultsTable:
    """The index results in force as the rows of the form's table."""
    rows = [
        ResultRow(line, {"unit": r.unit, "score": decimal_text(r.score), "rank": r.rank, "band": r.band or ""})
        for line, r in enumerate(record.current.results, 1)
    ]
    return ResultsTable(rows)


@dataclass(frozen=True)
class Replacement:
    """A correction's replacement body as the form gives it, and the form's table as typed or read."""

    body: dict[str, Any]
    decision_rows: list[dict[str, str]] = field(default_factory=list)
    table: ResultsTable = field(default_factory=ResultsTable)


def _replacement(record: Submission, form: Any, led: tuple[str, ...], errors: Errors) -> Replacement:
    if record.kind in ("document", "staff-rule"):
        body = document_fields(form, record.year, errors)
        if record.kind == "staff-rule":
            body["decision"] = text_field(form, "rule_decision", errors, max_length=100)
        return Replacement(body)
    if record.kind == "governing-decisions":
        rows, items = decision_rows(form, record.year, led, errors)
        return Replacement({"decisions": items}, rows)
    definition = next((i for i in get_views().indices() if i["code"] == record.index), None)
    header_form = {**form.to_dict(), "decision": form.get("result_decision", "")}
    header_errors: Errors = {}
    header = results_header(header_form, record.year, header_errors)
    errors.update({("result_decision" if k == "decision" else k): v for k, v in header_errors.items()})
    table = results_table(form, definition, errors)
    return Replacement(results_body(header, table.rows), table=table)


def _correction_summary(subject: str, record: Submission, body: dict[str, Any]) -> Summary:
    replacement = body["replacement"]
    summary = [
        ("Hồ sơ", subject),
        ("Loại", KIND_NAMES[record.kind]),
        ("Lý do đính chính", body["reason"]),
        ("Quyết định cho phép", body.get("decision") or "(không có)"),
        ("Tệp minh chứng", replacement.get("document", {}).get("name", "(không kèm tệp)")),
    ]
    if record.kind in ("document", "staff-rule"):
        summary[3:3] = [
            ("Tiêu đề mới", replacement["title"]),
            ("Ngày ban hành", local_date(replacement["issued_on"])),
        ]
    return summary


def _checked_replacement(
    record: Submission, replacement: dict[str, Any], file: Evidence | None, errors: Errors
) -> dict[str, Any] | None:
    """The replacement with its document, once the ledger reads it and it differs from the version in force."""
    document: DocumentRef | None = getattr(record.current, "document", None)
    if file is not None:
        replacement["document"] = file.placeholder()
    elif document is not None:
        replacement["document"] = document.to_json()
    parsed = ledger_check(record.kind, replacement, record.year, errors)
    if parsed is not None and file is None and parsed == record.current:
        errors["form"] = "Nội dung thay thế giống hệt bản hiện hành: hãy sửa nội dung cần đính chính"
    if errors or not attach(replacement, file, errors):
        return None
    return replacement


@bp.route("/sua/<path:subject>", methods=["GET", "POST"])
@login_required
def correct(subject: str) -> Any:
    """Correct one of the unit's submissions: the reason, the decision, the full replacement; sign."""
    user = the_user()
    record = _own_submission(subject)
    values = {**current_values(record), "reason": "", "decision": ""}
    rows = current_decision_rows(record) if record.kind == "governing-decisions" else []
    table = current_results(record) if record.kind == "index-results" else ResultsTable()
    errors: Errors = {}
    led = user.led_indices
    if record.kind == "governing-decisions":
        led = tuple(sorted({*user.led_indices, *(d.index for d in record.current.decisions)}))
    page = {"record": record, "subject": subject, "document": getattr(record.current, "document", None),
            "kind_names": KIND_NAMES, "led": led}  # fmt: skip
    if request.method == "POST":
        form = request.form
        values = {k: text(form, k) for k in form if not k.startswith(("d_", "r_", "csrf"))}
        reason = text_field(form, "reason", errors, max_length=2000)
        decision = text_field(form, "decision", errors, max_length=100, required=record.kind == "index-results")
        if record.kind == "index-results" and errors.get("decision") == REQUIRED:
            errors["decision"] = "Kết quả đã công bố chỉ được đính chính theo một quyết định: ghi số quyết định"
        replacement = _replacement(record, form, led, errors)
        rows, table = replacement.decision_rows, replacement.table
        if record.kind == "index-results" and form.get("action") == "preview":
            status = 422 if table.problems or "table_file" in errors else 200
            shown = render_template(
                "submit/correct.html", values=values, rows=rows, table=table, errors=errors, previewed=True, **page
            )
            return shown, status
        file = evidence("file", errors, required=False)
        checked = None if errors else _checked_replacement(record, replacement.body, file, errors)
        if checked is not None:
            body: dict[str, Any] = {"reason": reason, "replacement": checked}
            if decision:
                body["decision"] = decision
            return ask_to_sign(
                "submission.correct",
                subject,
                body,
                title="Đính chính hồ sơ",
                summary=_correction_summary(subject, record, body),
                back=url_for("submit.correct", subject=subject),
            )
    if record.kind == "governing-decisions":
        rows = padded(rows, minimum=len(rows) + 1, spare=1)
    shown = render_template(
        "submit/correct.html", values=values, rows=rows, table=table, errors=errors, previewed=False, **page
    )
    return (shown, 422) if errors else shown


# Transmitting published results to Sở Nội vụ -----------------------------------------------


@bp.route("/gui-so-noi-vu/<path:subject>", methods=["GET", "POST"])
@login_required
def transmit(subject: str) -> Any:
    """Send the unit's published index results to Sở Nội vụ (the 05/11 obligation); sign."""
    record = _own_submission(subject)
    if record.kind != "index-results":
        abort(404)
    errors: Errors = {}
    note = text(request.form, "note")
    if record.transmitted_on is not None:
        errors["note"] = (
            f"Kết quả này đã được gửi Sở Nội vụ ngày {record.transmitted_on.astimezone(LOCAL_TIME):%d/%m/%Y}"
        )
    elif len(note) > 1000:
        errors["note"] = "Ghi chú dài quá 1000 ký tự"
    if request.method == "GET" or errors:
        page = render_template("submit/transmit.html", subject=subject, record=record, note=note, errors=errors)
        return (page, 422) if request.method == "POST" else page
    return ask_to_sign(
        "submission.transmit",
        subject,
        {"note": note} if note else {},
        title="Gửi kết quả chỉ số cho Sở Nội vụ",
        summary=(
            ("Kết quả", subject),
            ("Chỉ số", record.index or ""),
            ("Năm", str(record.year)),
            ("Ghi chú", note or "—"),
        ),
        back=url_for("dashboard.index", nam=record.year),
    )
