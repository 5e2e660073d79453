"""The authorization matrix of the web: who may sign what, for which unit, through a session; who may read what.

Every state change reaches the ledger as a statement signed in the officer's browser and
posted to ``/ky`` in the officer's session. Two guards stand in the way: the web's (the
statement must be in the logged-in officer's own name and unit: the unit always comes from
the session) and the ledger's (who may sign what). For every action × every acting role ×
own or other unit, the matrix below says who is allowed; everyone else gets 403 and the
ledger does not move. Allowed actors must never be refused for authority (they may still
meet a rule of the domain, e.g. a rating already decided).

Reading has one rule (`services.visibility`): every GET route of `app.url_map` (pages,
downloads, the API, the log) is probed for entries only some actors may read, and for
individuals' ratings only some may see listed.

The actions' subjects and bodies are real ones of the demo province (demo/loader.py).
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webtest import log_in

from demo.loader import demo_key, demo_pdf
from ledger.domain.local_time import LOCAL_TIME
from ledger.signing.dsse import PAYLOAD_TYPE, pae
from ledger.signing.envelope import canonical_json, compose
from web.api.openapi import OPERATIONS

#: Acting officers of the demo, by the role the matrix gives them.
ACTORS = {
    "commune officer": "11950.bui.ngoc.cuong",  # Phường Lam Sơn
    "commune head": "11950.luong.thu.nam",
    "district head": "323.le.minh.hanh",
    "SNV officer": "snv.tran.duc.phuong",  # Sở Nội vụ: home affairs, leads PAR_UNIT and SIPAS
    "lead-department officer": "skhdt.hoang.thu.huyen",  # Sở KH&ĐT: leads PCI and DDCI
    "committee chairman": "ubnd-tinh.nguyen.thi.dung",
    "auditor": "snv.le.thanh.tuan",  # an officer of Sở Nội vụ with the auditor role
    "inspector": "ttt.pham.van.giang",  # Thanh tra tỉnh
    "health head": "syt.cao.duc.cuong",  # Sở Y tế
}
UNIT_OF = {officer: officer.split(".", 1)[0].upper() for officer in ACTORS.values()}


def _document(app: Flask) -> dict[str, Any]:
    ref = app.extensions["documents"].put(demo_pdf("Báo cáo thử", ["Ngày 01/12/2024"]), "Báo cáo thử.pdf")
    return dict(ref.to_json())


#: action → (statement type, subject, body maker, roles allowed). `{unit}` in a subject is
#: the acting officer's own unit (an action for oneself); anything else names its target.
Action = tuple[str, str, Callable[[Flask], dict[str, Any]], frozenset[str]]
ACTIONS: dict[str, Action] = {
    "register a unit": (
        "unit.register", "unit/NEWUNIT",
        lambda app: {"name": "Đơn vị mới", "class": "department", "functions": []},
        frozenset(),  # only the ledger authority or an administrator
    ),
    "register an officer of Lam Sơn": (
        "officer.register", "officer/11950.nguyen.van.moi",
        lambda app: {"name": "Nguyễn Văn Mới", "unit": "11950", "roles": ["officer"]},
        frozenset({"commune head"}),  # an administrator, or the head of the officer's unit
    ),
    "make a Lam Sơn officer an administrator": (
        "officer.register", "officer/11950.tran.van.quan",
        lambda app: {"name": "Trần Văn Quản", "unit": "11950", "roles": ["officer", "admin"]},
        frozenset(),  # only an administrator grants the admin role, not even the unit's head
    ),
    "register a key of a Lam Sơn officer": (
        "key.register", "key/" + demo_key("matrix.new.key").key_id,
        lambda app: {"public_key": demo_key("matrix.new.key").verifying_key.base64, "officer": "11950.bui.ngoc.cuong"},
        frozenset({"commune head"}),  # the head of the officer's unit
    ),
    "file Lam Sơn's document": (
        "submission.document", "submission/document/11950/2024/matrix-test",
        lambda app: {"title": "Báo cáo thử", "issued_on": "2024-12-01", "document": _document(app)},
        frozenset({"commune officer", "commune head"}),  # Lam Sơn files only for itself
    ),
    "file one's own unit's document": (
        "submission.document", "submission/document/{unit}/2024/matrix-own",
        lambda app: {"title": "Báo cáo thử", "issued_on": "2024-12-01", "document": _document(app)},
        frozenset(ACTORS),  # every unit files for itself
    ),
    "publish PCI results": (
        "submission.index-results", "submission/index-results/PCI_PROV/2024",
        lambda app: {
            "measured_year": 2023, "decision": "Công bố của VCCI ngày 05/05/2024", "published_on": "2024-05-05",
            "results": [{"unit": "UBND-TINH", "score": "68.50", "rank": 12}],
        },
        frozenset({"lead-department officer"}),  # Sở KH&ĐT leads PCI
    ),
    "compute the 2024 rating of Thành phố Hưng Yên's head": (
        "rating.compute", "rating/2024/323",
        lambda app: {"officer": "323.le.minh.hanh", "ruleset": "v1", "inputs": [], "missing": [], "level": "HT"},
        frozenset({"SNV officer", "auditor"}),  # any officer of Sở Nội vụ
    ),
    "decide the 2024 rating of Sở Y tế's head": (
        "rating.decide", "rating/2024/SYT",
        lambda app: {"level": "HTT", "decision": "Quyết định số 9/QĐ-UBND ngày 01/12/2024"},
        frozenset({"committee chairman"}),
    ),
    "rate a Lam Sơn officer": (
        "rating.individual", "rating/2024/11950/nguyen.van.moi",
        lambda app: {"name": "Nguyễn Văn Mới", "position": "Công chức", "level": "HT",
                     "rule": "submission/staff-rule/11950/2024"},
        frozenset({"commune head"}),
    ),
    "appeal Sở Y tế's 2024 rating": (
        "rating.appeal", "rating/2024/SYT",
        lambda app: {"grounds": "Đề nghị xem xét lại kết quả"},
        frozenset({"health head"}),  # from the rated unit only
    ),
    "resolve an appeal against a head's rating": (
        "rating.resolve-appeal", "rating/2024/SYT",
        lambda app: {"outcome": "upheld", "reason": "Giữ nguyên", "decision": "QĐ 10/QĐ-UBND"},
        frozenset({"committee chairman"}),
    ),
    "adjust a 2024 deadline": (
        "cycle.adjust-deadline", "cycle/2024",
        lambda app: {"obligation": "ratings_published", "due": "2024-11-29", "reason": "Điều chỉnh thử",
                     "decision": "QĐ 11/QĐ-UBND"},
        frozenset({"SNV officer", "auditor", "committee chairman"}),
    ),
    "issue a rule set": (
        "ruleset.issue", "ruleset/v9",
        lambda app: {"version": "v9", "legal_basis": "Quyết định thử", "indices": {}, "parameters": {}},
        frozenset({"committee chairman"}),
    ),
}  # fmt: skip


def _statement(officer: str, statement_type: str, subject: str, body: dict[str, Any]) -> bytes:
    unit = UNIT_OF[officer]
    return canonical_json(
        compose(
            statement_type,
            unit=unit,
            officer=officer,
            subject=subject.replace("{unit}", unit),
            body=body,
            client_time=datetime.now(LOCAL_TIME),
        )
    )


def _signed(payload: bytes, signer: str) -> tuple[str, str, str]:
    """(payload, signature, key id) in base64, as the browser posts them."""
    key = demo_key(signer)
    signature = key.sign(pae(PAYLOAD_TYPE, payload))
    return base64.b64encode(payload).decode(), base64.b64encode(signature).decode(), key.key_id


def _post_signed(client: FlaskClient, csrf: str, payload: bytes, signer: str, channel: str = "/ky") -> Any:
    """Post one signed statement the way `channel` takes it: a page's form, a batch, or the API."""
    encoded, signature, key_id = _signed(payload, signer)
    if channel == "/api/v1/envelopes":
        signatures = [{"keyid": key_id, "sig": signature}]
        return client.post(channel, json={"payloadType": PAYLOAD_TYPE, "payload": encoded, "signatures": signatures})
    form = {"csrf_token": csrf, "payload": [encoded], "signature": [signature], "key_id": key_id}
    return client.post(channel, data=form)


@pytest.fixture(scope="module")
def matrix_app(demo_template: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One demo copy for the whole matrix: refusals change nothing, so the cells do not interfere."""
    import shutil

    from web import create_app
    from web.instance import Instance

    path = tmp_path_factory.mktemp("matrix") / "instance"
    shutil.copytree(demo_template, path)
    app = create_app({"TESTING": True}, instance=Instance(path, f"sqlite:///{path / 'ledger.sqlite3'}"))
    yield app
    app.extensions["ledger"].close()


@pytest.fixture(scope="module")
def sessions(matrix_app: Flask) -> dict[str, tuple[FlaskClient, str]]:
    """Each actor logged in once: (client, CSRF token)."""
    logged_in = {}
    for role, officer in ACTORS.items():
        client = matrix_app.test_client()
        logged_in[role] = (client, log_in(client, officer))
    return logged_in


#: Every way a signed statement reaches the ledger: a page's form and a batch in the
#: officer's session, and the JSON API, where the signature alone authenticates.
CHANNELS = ("/ky", "/ky/lo", "/api/v1/envelopes")


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("role", list(ACTORS))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_only_the_officers_the_rules_name_may_sign_an_action_and_a_refusal_appends_nothing(
    matrix_app: Flask, sessions: dict[str, tuple[FlaskClient, str]], action: str, role: str, channel: str
) -> None:
    statement_type, subject, body, allowed = ACTIONS[action]
    officer = ACTORS[role]
    client, csrf = sessions[role]
    if channel.startswith("/api/"):
        client = matrix_app.test_client()  # no session: the signature is the authentication
    ledger = matrix_app.extensions["ledger"]
    head = ledger.refresh()
    payload = _statement(officer, statement_type, subject, body(matrix_app))

    response = _post_signed(client, csrf, payload, officer, channel)

    if role in allowed:
        assert response.status_code != 403, f"{role} was refused the authority to {action}: {_refusal(response)}"
    else:
        refused = _refusal(response)
        assert response.status_code in (403, 422) if channel == "/ky/lo" else response.status_code == 403, refused
        if channel.startswith("/api/"):
            assert response.get_json()["kind"] == "not_authorized", refused
        else:
            assert "Không có thẩm quyền" in refused
        assert ledger.refresh() == head


def test_the_allowed_officers_really_can_act_so_the_matrix_can_fail(
    matrix_app: Flask, sessions: dict[str, tuple[FlaskClient, str]]
) -> None:
    """Positive controls: filing for one's own unit and deciding as the committee append."""
    ledger = matrix_app.extensions["ledger"]
    for role, action in (
        ("commune officer", "file Lam Sơn's document"),
        ("district head", "file one's own unit's document"),
    ):
        statement_type, subject, body, _ = ACTIONS[action]
        client, csrf = sessions[role]
        head = ledger.refresh()
        payload = _statement(ACTORS[role], statement_type, subject.replace("matrix", "control"), body(matrix_app))
        response = _post_signed(client, csrf, payload, ACTORS[role])
        assert response.status_code == 200, _refusal(response)
        assert ledger.refresh() == head + 1


@pytest.mark.parametrize("role", ["commune officer", "SNV officer", "committee chairman"])
def test_a_statement_for_another_unit_or_by_another_officer_is_refused_in_this_session(
    matrix_app: Flask, sessions: dict[str, tuple[FlaskClient, str]], role: str
) -> None:
    """The unit comes from the session: neither the statement's unit nor its signer may differ."""
    client, csrf = sessions[role]
    officer = ACTORS[role]
    other = ACTORS["health head"]
    ledger = matrix_app.extensions["ledger"]
    head = ledger.refresh()
    body = {"title": "Báo cáo thử", "issued_on": "2024-12-01", "document": _document(matrix_app)}

    for_another_unit = canonical_json(
        compose("submission.document", unit="SYT", officer=officer, subject="submission/document/SYT/2024/x", body=body)
    )
    by_another_officer = _statement(other, "submission.document", "submission/document/SYT/2024/y", body)

    assert _post_signed(client, csrf, for_another_unit, officer).status_code == 403
    assert _post_signed(client, csrf, by_another_officer, other).status_code == 403
    assert ledger.refresh() == head


def _refusal(response: Any) -> str:
    """What the officer (or the API client) is told."""
    if response.is_json:
        return str(response.get_json())
    found = re.findall(r'class="error[^"]*"[^>]*>([^<]*)', response.text)
    return " | ".join(found) if found else response.text[:300]


# Pages: who may open each role's pages, and no page appends without a signature ----------------

#: Pages that belong to some roles (GET), and which of the matrix's actors hold such a role.
#: The SNV officer and the auditor (an SNV officer too) lead indices; the district and commune
#: heads, the chairman and Sở Y tế's director head their units.
ROLE_PAGES: dict[str, frozenset[str]] = {
    "/xep-loai/tinh": frozenset({"SNV officer", "auditor"}),  # Sở Nội vụ computes heads' ratings
    "/xep-loai/quyet-dinh/2024": frozenset({"committee chairman"}),
    "/xep-loai/ca-nhan": frozenset({"commune head", "district head", "committee chairman", "health head"}),
    "/xep-loai/tong-hop": frozenset({"SNV officer", "auditor", "committee chairman", "inspector"}),
    "/nop/ket-qua": frozenset({"SNV officer", "auditor", "lead-department officer"}),
    "/nop/danh-muc-quyet-dinh": frozenset({"SNV officer", "auditor", "lead-department officer"}),
    "/khoa-ky/phe-duyet": frozenset({"commune head", "district head", "committee chairman", "health head"}),
    "/kiem-toan/": frozenset({"auditor", "SNV officer", "committee chairman"}),
    "/kiem-toan/theo-ngay": frozenset({"auditor", "SNV officer", "committee chairman"}),
    "/thanh-tra/": frozenset({"inspector", "auditor"}),
    "/thanh-tra/goi-kiem-tra.zip": frozenset({"inspector", "auditor"}),
}


@pytest.mark.parametrize("role", list(ACTORS))
def test_each_roles_pages_open_to_that_role_only(sessions: dict[str, tuple[FlaskClient, str]], role: str) -> None:
    client, _ = sessions[role]
    for page, allowed in ROLE_PAGES.items():
        status = client.get(page).status_code
        if role in allowed:
            assert status == 200, f"{role} could not open {page}: {status}"
        else:
            assert status == 403, f"{role} opened {page}: {status}"


def _sample_url(rule: Any) -> str:
    arguments = {name: 2024 if "int" in type(rule._converters[name]).__name__.lower() else "SYT"
                 for name in rule.arguments}  # fmt: skip
    return str(rule.build(arguments, append_unknown=False)[1])


@pytest.mark.parametrize("role", list(ACTORS))
def test_no_form_appends_anything_without_a_signature_whoever_posts_it(
    matrix_app: Flask, sessions: dict[str, tuple[FlaskClient, str]], role: str
) -> None:
    """Every POST page (other than /ky and the key page, which append what is signed) only prepares."""
    client, csrf = sessions[role]
    ledger = matrix_app.extensions["ledger"]
    head = ledger.refresh()
    posts = [r for r in matrix_app.url_map.iter_rules() if "POST" in (r.methods or ())]
    pages = [r for r in posts if not r.rule.startswith(("/api/", "/ky", "/khoa-ky/", "/dang-"))]
    assert len(pages) >= 10

    for rule in pages:
        url = _sample_url(rule)
        response = client.post(url, data={"csrf_token": csrf, "unit": "SYT", "year": "2024", "level": "HTT"})
        assert response.status_code < 500, f"{role} POST {url}: {response.status_code}"
    assert ledger.refresh() == head


# Reading: who may see an entry and what it says, on every route ------------------------------


@dataclass(frozen=True)
class Secret:
    """An entry of the demo that only some of the matrix's actors may read (or, if personal, see listed)."""

    seq: int
    statement_type: str
    subject: str
    year: int
    unit: str  # the unit it is about
    readers: frozenset[str]
    shown_as: Callable[[dict[str, Any]], str]  # a phrase of its statement as a page would show it


#: Cross-unit roles: Sở Nội vụ (the auditor is an SNV officer too), the committee, the inspectorate.
CROSS_UNIT = frozenset({"SNV officer", "auditor", "committee chairman", "inspector"})
#: Sở Y tế's appeal of its 2024 rating (#409 its dossier, #410 its grounds, #411 the committee's reasons) is
#: for Sở Y tế and the cross-unit roles; an individual's rating (the person's name, level, even that they were
#: rated) for the person's unit and the cross-unit roles.
APPEAL_READERS = CROSS_UNIT | {"health head"}
SECRETS = (
    Secret(410, "rating.appeal", "rating/2024/SYT", 2024, "SYT", APPEAL_READERS, lambda body: body["grounds"][:40]),
    Secret(318, "rating.individual", "rating/2023/SNV/tran.hong.an", 2023, "SNV", CROSS_UNIT,
           lambda body: "rating/2023/SNV/"),
    Secret(407, "rating.individual", "rating/2024/SNV/tran.hong.an", 2024, "SNV", CROSS_UNIT,
           lambda body: "rating/2024/SNV/"),
    Secret(409, "submission.document", "submission/document/SYT/2024/kien-nghi-sipas-2024", 2024, "SYT",
           APPEAL_READERS, lambda body: body["title"]),
    Secret(411, "rating.resolve-appeal", "rating/2024/SYT", 2024, "SYT", APPEAL_READERS,
           lambda body: body["reason"][:40]),
)  # fmt: skip


def _traces(app: Flask, secret: Secret) -> tuple[str, ...]:
    """What would betray the entry: a phrase of it, its payload and its leaf (as bytes in base64)."""
    entry = next(iter(app.extensions["ledger"].entries(secret.seq, secret.seq)))
    statement = entry.envelope.statement
    assert (statement.type, statement.subject) == (secret.statement_type, secret.subject), "the demo changed"
    leaf = app.extensions["log"].receipt(secret.seq).extra
    payload = base64.b64encode(entry.envelope.payload).decode()
    return secret.shown_as(dict(statement.body)), payload, base64.b64encode(leaf).decode()


def _readable(response: Any) -> str:
    """A response as text to search: JSON without escapes, HTML unescaped, a zip (xlsx, bundle) unpacked.

    A redirect (to the login page) only repeats the address asked for: nothing to read in it.
    """
    if 300 <= response.status_code < 400:
        return ""
    data = response.get_data()
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b"\n".join(archive.read(name) for name in archive.namelist())
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return html.unescape(data.decode("utf-8", errors="replace"))


def _probe_urls(app: Flask, secret: Secret) -> set[str]:
    """Every GET route of the app, its path arguments and query parameters aimed at the secret."""
    parts = secret.subject.split("/")
    person = parts[3] if parts[0] == "rating" and len(parts) > 3 else "x"
    path_values = {"seq": secret.seq, "year": secret.year, "unit": secret.unit, "subject": secret.subject,
                   "person": person}  # fmt: skip
    values = {"year": secret.year, "nam": secret.year, "unit": secret.unit, "index": "SIPAS",
              "start": secret.seq, "end": secret.seq}  # fmt: skip
    urls = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        path = str(rule.build({name: path_values.get(name, "SYT") for name in rule.arguments})[1])
        operation = OPERATIONS.get(rule.endpoint)
        # The API refuses a parameter it does not read; a page ignores it.
        known = None
        if operation is not None:
            fields = operation.query().fields if operation.query else {}
            known = {field.data_key or name for name, field in fields.items()}
        for subject in (secret.subject, f"unit/{secret.unit}"):
            query = {**values, "subject": subject, "doi_tuong": subject}
            if known is not None:
                query = {name: value for name, value in query.items() if name in known}
            urls |= {path, f"{path}?{urlencode(query)}" if query else path}
    return urls


@pytest.mark.parametrize("role", [*ACTORS, "visitor"])
def test_no_route_shows_an_entry_or_a_personal_subject_to_someone_the_rule_does_not_let_see_it(
    matrix_app: Flask, sessions: dict[str, tuple[FlaskClient, str]], role: str
) -> None:
    """Every GET route (pages, downloads, the API, the log) × each probe aimed at the entry: no trace of it
    reaches a viewer outside its readers; each reader gets it in its receipt (so the probe can see a leak)."""
    client = sessions[role][0] if role in sessions else matrix_app.test_client()
    urls = set().union(*(_probe_urls(matrix_app, secret) for secret in SECRETS))
    assert len(urls) > 60
    answers = {url: _readable(client.get(url)) for url in urls}
    for secret in SECRETS:
        traces = _traces(matrix_app, secret)
        seen_in = [url for url, text in answers.items() for trace in traces if trace in text]
        if role in secret.readers:
            assert f"/bien-nhan/{secret.seq}" in seen_in, f"{role} cannot read entry {secret.seq}"
        else:
            assert not seen_in, f"{role} reads entry {secret.seq} ({secret.subject}) at {sorted(set(seen_in))}"


def test_a_commune_officer_gets_neither_receipt_nor_grounds_of_so_y_tes_appeal_410(
    matrix_app: Flask, sessions: dict[str, tuple[FlaskClient, str]]
) -> None:
    commune, health = sessions["commune officer"][0], sessions["health head"][0]
    grounds, _, leaf = _traces(matrix_app, SECRETS[0])

    page, api = commune.get("/bien-nhan/410"), commune.get("/api/v1/receipts/410")

    assert (page.status_code, api.status_code) == (403, 403)
    assert leaf not in page.text
    assert grounds not in page.text
    assert leaf in health.get("/bien-nhan/410").text  # Sở Y tế has its own appeal's receipt


def test_a_commune_officer_gets_no_receipt_of_another_units_individual_rating_318(
    matrix_app: Flask, sessions: dict[str, tuple[FlaskClient, str]]
) -> None:
    commune, snv = sessions["commune officer"][0], sessions["SNV officer"][0]
    _, _, leaf = _traces(matrix_app, SECRETS[1])

    page = commune.get("/bien-nhan/318")

    assert page.status_code == 403
    assert leaf not in page.text
    assert "Trần Hồng An" not in page.text
    assert leaf in snv.get("/bien-nhan/318").text


def test_the_history_of_so_noi_vu_lists_its_staffs_ratings_to_its_own_officers_only(
    sessions: dict[str, tuple[FlaskClient, str]],
) -> None:
    def personal(role: str) -> list[str]:
        history = sessions[role][0].get("/api/v1/history?subject=unit/SNV").get_json()
        return [e["subject"] for e in history["entries"] if e["subject"].startswith("rating/") and
                e["subject"].count("/") == 3]  # fmt: skip

    assert "rating/2023/SNV/tran.hong.an" in personal("SNV officer")
    assert personal("commune officer") == personal("lead-department officer") == []


def test_the_front_page_numbers_an_individuals_rating_without_naming_the_person(demo_app: Flask) -> None:
    visitor, snv = demo_app.test_client(), demo_app.test_client()
    log_in(snv, ACTORS["SNV officer"])

    public = visitor.get("/").text

    assert "rating/2024/SNV/tran.hong.an" not in public
    assert "Xếp loại cá nhân (không công khai)" in public
    assert "<td>407</td>" in public
    assert "rating/2024/SNV/tran.hong.an" in snv.get("/").text
