"""Filing: documents with their evidence file, governing-decision lists, index results.

Every form is checked first, field by field, in Vietnamese: nothing is stored and nothing is
signed while a field is wrong. Only then is the evidence file held in the officer's quarantine
(until they sign) and the statement shown for signing. A unit always acts for itself: the unit
comes from the session, never the form.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request, url_for

from web.areas.auth import User, login_required, role_required
from web.areas.signing import Summary, ask_to_sign
from web.areas.submit.common import (
    KIND_NAMES,
    Errors,
    bp,
    cycle_years,
    led_indices,
    ledger_check,
    render,
    the_user,
)
from web.areas.submit.corrections import own_submissions
from web.areas.submit.evidence import Evidence, attach, evidence
from web.areas.submit.fields import REF, decision_rows, document_fields, padded, results_header, slug, year_field
from web.areas.submit.results import ResultsTable, results_body, results_table
from web.areas.submit.table import XLSX, template_workbook
from web.forms import REQUIRED, text
from web.state import get_ledger, get_views
from web.text import local_date


@bp.get("/")
@login_required
def index() -> str:
    """What this unit can file, and its earlier submissions."""
    user = the_user()
    return render_template("submit/index.html", user=user, kind_names=KIND_NAMES, submissions=own_submissions(user))


# Documents ----------------------------------------------------------------------------------


@bp.route("/van-ban", methods=["GET", "POST"])
@login_required
def document() -> Any:
    """A document (report, plan, decision) with its evidence file."""
    user = the_user()
    years = cycle_years()
    errors: Errors = {}
    values = {"year": str(years[0]) if years else "", "ref": "", "title": "", "issued_on": ""}
    if request.method == "POST":
        form = request.form
        year = year_field(form, errors, years)
        fields = document_fields(form, year, errors)
        ref = text(form, "ref")
        values = {"year": text(form, "year"), "ref": ref, **fields}
        if ref and not REF.fullmatch(ref):
            errors["ref"] = "Mã hồ sơ chỉ gồm chữ thường không dấu, chữ số, dấu chấm, gạch ngang (tối đa 64 ký tự)"
        subject = ""
        if year and "ref" not in errors:
            subject, taken = _document_subject(user.unit, year, ref or slug(fields["title"]), explicit=bool(ref))
            if taken:
                errors["ref"] = f"Đơn vị đã nộp hồ sơ mã “{ref}” năm {year}; chọn mã khác hoặc đính chính hồ sơ đó"
        file = evidence("file", errors, required=True)
        if not errors and file is not None:
            body = {**fields, "document": file.placeholder()}
            if ledger_check("document", body, year, errors) is not None and attach(body, file, errors):
                return ask_to_sign(
                    "submission.document",
                    subject,
                    body,
                    title="Nộp văn bản",
                    summary=[
                        ("Đơn vị", f"{user.unit_name} ({user.unit})"),
                        ("Năm đánh giá", str(year)),
                        ("Hồ sơ", subject),
                        ("Tiêu đề", fields["title"]),
                        ("Ngày ban hành", local_date(fields["issued_on"])),
                        ("Tệp minh chứng", file.label()),
                        ("SHA-256", body["document"]["sha256"]),
                    ],
                    back=url_for("submit.document"),
                )
    return render("submit/document.html", errors, values=values, years=years)


def _document_subject(unit: str, year: int, ref: str, *, explicit: bool) -> tuple[str, bool]:
    """The subject for `ref`, and whether it is taken; an automatic reference gets -2, -3… when taken."""
    ledger = get_ledger()
    base = f"submission/document/{unit}/{year}/"
    if explicit:
        return base + ref, ledger.get(base + ref) is not None
    candidate, n = ref, 1
    while ledger.get(base + candidate) is not None:
        n += 1
        candidate = f"{ref}-{n}"
    return base + candidate, False


# Governing decisions ---------------------------------------------------------------------------


@bp.route("/danh-muc-quyet-dinh", methods=["GET", "POST"])
@role_required("lead_department")
def decisions() -> Any:
    """The list of the committee's decisions governing the indices this unit leads."""
    user = the_user()
    years = cycle_years()
    errors: Errors = {}
    values: dict[str, Any] = {"year": str(years[0]) if years else ""}
    rows: list[dict[str, str]] = []
    if request.method == "POST":
        form = request.form
        year = year_field(form, errors, years)
        values = {"year": text(form, "year")}
        rows, items = decision_rows(form, year, user.led_indices, errors)
        subject = f"submission/governing-decisions/{user.unit}/{year}"
        if year and get_ledger().get(subject) is not None:
            errors["year"] = f"Đơn vị đã nộp danh mục năm {year}; hãy dùng chức năng đính chính"
        file = evidence("file", errors, required=False)
        if not errors:
            body: dict[str, Any] = {"decisions": items}
            if ledger_check("governing-decisions", body, year, errors) is not None and attach(body, file, errors):
                return ask_to_sign(
                    "submission.governing-decisions",
                    subject,
                    body,
                    title="Nộp danh mục quyết định",
                    summary=[
                        ("Đơn vị", f"{user.unit_name} ({user.unit})"),
                        ("Hồ sơ", subject),
                        ("Năm đánh giá", str(year)),
                        *(
                            (f"{d['index']}: {d['number']}", f"{local_date(d['decided_on'])} — {d['title']}")
                            for d in items
                        ),
                        ("Tệp minh chứng", file.name if file else "(không kèm tệp)"),
                    ],
                    back=url_for("submit.decisions"),
                )
    return render("submit/decisions.html", errors, values=values, years=years, rows=padded(rows), led=user.led_indices)


# Index results ---------------------------------------------------------------------------------


@bp.route("/ket-qua", methods=["GET", "POST"])
@role_required("lead_department")
def results() -> Any:
    """Index results of an index this unit leads: typed in the table or uploaded, previewed, signed."""
    user = the_user()
    years = cycle_years()
    led = led_indices(user.led_indices)
    choices = [code for code, i in led.items() if i["status"] == "in_force"]
    errors: Errors = {}
    year = years[0] if years else 0
    values: dict[str, Any] = {"year": str(year), "index": "", "measured_year": str(year), "decision": "",
                              "published_on": ""}  # fmt: skip
    page = {"years": years, "choices": choices, "led": led}
    table = ResultsTable()
    if request.method == "POST":
        form = request.form
        code = text(form, "index")
        index = led.get(code)
        if code not in choices:
            errors["index"] = "Chọn một chỉ số đang có hiệu lực do đơn vị chủ trì" if code else REQUIRED
            index = None
        year = year_field(form, errors, years)
        header = results_header(form, year, errors)
        values = {k: text(form, k) for k in ("year", "index", "measured_year", "decision", "published_on")}
        subject = f"submission/index-results/{code}/{year}"
        if index is not None and year and get_ledger().get(subject) is not None:
            errors["index"] = f"Kết quả chỉ số {code} năm {year} đã được công bố; hãy dùng chức năng đính chính"
        table = results_table(form, index, errors)
        if form.get("action") == "preview":
            status = 422 if table.problems or "table_file" in errors else 200
            shown = render_template(
                "submit/results.html", errors=errors, values=values, table=table, previewed=True, **page
            )
            return shown, status
        file = evidence("file", errors, required=False)
        if not errors and index is not None:
            body = results_body(header, table.rows)
            if ledger_check("index-results", body, year, errors) is not None and attach(body, file, errors):
                return ask_to_sign(
                    "submission.index-results",
                    subject,
                    body,
                    title=f"Công bố kết quả chỉ số {code} năm {year}",
                    summary=_results_summary(user, code, year, body, file),
                    back=url_for("submit.results"),
                )
    return render("submit/results.html", errors, values=values, table=table, previewed=False, **page)


def _results_summary(user: User, code: str, year: int, body: dict[str, Any], file: Evidence | None) -> Summary:
    lines = [
        ("Cơ quan chủ trì", f"{user.unit_name} ({user.unit})"),
        ("Hồ sơ", f"submission/index-results/{code}/{year}"),
        ("Chỉ số", code),
        ("Năm đánh giá", str(year)),
        ("Năm đo lường", str(body["measured_year"])),
        ("Quyết định công bố", body["decision"]),
        ("Ngày công bố", local_date(body["published_on"])),
        ("Số đơn vị", str(len(body["results"]))),
    ]
    lines += [
        (r["unit"], f"điểm {r['score']} · hạng {r['rank']}" + (f" · {r['band']}" if r.get("band") else ""))
        for r in body["results"]
    ]
    if file is not None:
        lines.append(("Tệp minh chứng", file.label()))
    return lines


@bp.get("/ket-qua/mau.xlsx")
@role_required("lead_department")
def results_template() -> Response:
    """A workbook to fill in: the units the chosen index measures, with the columns the upload reads."""
    code = request.args.get("index", "")
    index = led_indices(the_user().led_indices).get(code)
    if index is None:
        abort(404)
    return Response(
        template_workbook(index, get_views().units()),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="ket-qua-{code}.xlsx"'},
    )
