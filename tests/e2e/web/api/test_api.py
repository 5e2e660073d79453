"""The JSON API, /api/v1, through Flask's test client on a fresh copy of the demo province.

Every success is loaded back with the response schema the endpoint declares (unknown
fields refused), so a response carries exactly what its schema says; every refusal has
the uniform shape {code, kind, message, errors} and appends nothing. The OpenAPI document
lists every route of the blueprint. One test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webtest import log_in
from world import PDF, World

from demo.loader import HEADS, OFFICERS, demo_key, demo_pdf
from ledger.application import Ledger
from ledger.errors import ReplayError
from ledger.signing.dsse import PAYLOAD_TYPE, pae
from ledger.signing.envelope import Author, Envelope, Signature, canonical_json
from ledger.tlog.log import Leaf, leaf_hash
from ledger.tlog.merkle import verify_consistency, verify_inclusion
from ledger.tlog.notes import NoteVerifier, TlogProof, open_checkpoint
from web import create_app
from web.api import schemas
from web.api.openapi import OPERATIONS
from web.api.schemas import ErrorSchema
from web.instance import Instance

API = "/api/v1"
UNIT = "323"  # Thành phố Hưng Yên, a district
HEAD = HEADS[UNIT].officer_id
AUDITOR = next(o.officer_id for o in OFFICERS if "auditor" in o.roles)
INSPECTOR = next(o.officer_id for o in OFFICERS if "inspector" in o.roles)
OTHER_HEAD = HEADS["325"].officer_id


def head_of(app: Flask) -> int:
    ledger: Ledger = app.extensions["ledger"]
    return ledger.refresh()


def staff_rule_envelope(app: Flask, unit: str = UNIT, year: int = 2024, title: str = "Quy chế đánh giá") -> Envelope:
    """A unit head's staff rule for `year`, signed with the head's demo key (not appended)."""
    document = app.extensions["documents"].put(demo_pdf(title), f"{title}.pdf").to_json()
    author = Author(demo_key(HEADS[unit].officer_id), unit, HEADS[unit].officer_id)
    body = {"title": title, "decision": f"Quyết định số 7/QĐ-UBND ngày 05/03/{year}",
            "issued_on": f"{year}-03-05", "document": document}  # fmt: skip
    return author.sign("submission.staff-rule", f"submission/staff-rule/{unit}/{year}", body)


def post_json(client: FlaskClient, data: Any, **kwargs: Any) -> Any:
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return client.post(f"{API}/envelopes", data=body, content_type="application/json", **kwargs)


def valid(schema: type[schemas.Schema], response: Any, status: int = 200) -> dict[str, Any]:
    """The response's JSON, after checking its status and loading it with `schema` (unknown fields refused)."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.is_json
    schema().load(response.get_json())
    data: dict[str, Any] = response.get_json()
    return data


def refused(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """The uniform error: JSON, never HTML, with code, kind, message and errors; the field named in both."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    data: dict[str, Any] = response.get_json()
    ErrorSchema().load(data)
    if field is not None:
        assert field in data["errors"], data
        assert field in data["message"], data
    return data


# Writes ------------------------------------------------------------------------------------


def test_a_signed_envelope_is_appended_without_a_cookie_and_its_receipt_verifies(demo_app: Flask) -> None:
    client = demo_app.test_client(use_cookies=False)
    before = head_of(demo_app)
    envelope = staff_rule_envelope(demo_app)

    receipt = valid(schemas.ReceiptSchema, post_json(client, envelope.to_json()), 201)

    assert receipt["seq"] == before + 1 == head_of(demo_app)
    assert receipt["subject"] == f"submission/staff-rule/{UNIT}/2024"
    assert receipt["statement_type"] == "submission.staff-rule"
    proof = TlogProof.parse(receipt["tlog_proof"])
    assert proof.extra is not None
    assert leaf_hash(proof.extra).hex() == receipt["leaf_hash"]
    assert Leaf.from_bytes(proof.extra).payload == envelope.payload
    vkey = client.get(f"{API}/log/vkey").get_data(as_text=True).strip()
    verifier = NoteVerifier(vkey)
    checkpoint = open_checkpoint(proof.checkpoint_note, verifier, origin=verifier.name)
    verify_inclusion(leaf_hash(proof.extra), proof.index, checkpoint.size, proof.proof, checkpoint.root)


def test_a_replayed_envelope_is_a_conflict_and_appends_nothing(demo_app: Flask) -> None:
    client = demo_app.test_client()
    envelope = staff_rule_envelope(demo_app)
    assert post_json(client, envelope.to_json()).status_code == 201
    head = head_of(demo_app)

    error = refused(post_json(client, envelope.to_json()), 409)

    assert (error["code"], error["kind"]) == ("replay", "replay")
    assert head_of(demo_app) == head


def test_a_second_rule_for_the_same_year_is_a_duplicate(demo_app: Flask) -> None:
    client = demo_app.test_client()
    assert post_json(client, staff_rule_envelope(demo_app).to_json()).status_code == 201
    head = head_of(demo_app)

    error = refused(post_json(client, staff_rule_envelope(demo_app, title="Quy chế khác").to_json()), 409)

    assert (error["code"], error["kind"]) == ("subject_exists", "duplicate")
    assert head_of(demo_app) == head


def test_a_refusal_by_the_ledger_carries_the_reasons_own_code_and_its_kind(demo_app: Flask) -> None:
    client = demo_app.test_client()
    envelope = staff_rule_envelope(demo_app)
    assert post_json(client, envelope.to_json()).status_code == 201
    with pytest.raises(ReplayError) as raised:
        demo_app.extensions["ledger"].append(envelope)

    error = refused(post_json(client, envelope.to_json()), 409)

    assert (error["code"], error["kind"]) == (raised.value.code, raised.value.kind)
    field = raised.value.field or "envelope"
    assert error["message"] == f"Refused by the ledger — {field}: {raised.value.reason}"
    assert error["errors"] == {field: [raised.value.reason]}


def test_an_error_of_the_api_itself_gives_its_code_as_its_kind_too(demo_app: Flask) -> None:
    error = refused(post_json(demo_app.test_client(), b'{"payloadType": '), 400, "body")

    assert error["code"] == error["kind"] == "malformed_json"


def _forged(app: Flask) -> dict[str, Any]:
    document = staff_rule_envelope(app).to_json()
    sig = bytearray(base64.b64decode(document["signatures"][0]["sig"]))
    sig[0] ^= 1
    document["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()
    return document


def _nfd_payload(app: Flask) -> dict[str, Any]:
    """The head's own signature over payload bytes whose Vietnamese text is NFD (not canonical)."""
    envelope = staff_rule_envelope(app)
    statement = json.loads(envelope.payload)
    nfd = json.dumps(statement, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    payload = unicodedata.normalize("NFD", nfd).encode()
    assert payload != envelope.payload
    sig = demo_key(HEAD).sign(pae(PAYLOAD_TYPE, payload))
    return Envelope(PAYLOAD_TYPE, payload, (Signature(envelope.key_id, sig),)).to_json()


def _by_another_unit(app: Flask) -> dict[str, Any]:
    """Unit 325's head files a rule for 323: a unit files only for itself."""
    envelope = staff_rule_envelope(app)
    statement = {**json.loads(envelope.payload), "unit": "325", "officer": OTHER_HEAD}
    payload = canonical_json(statement)
    key = demo_key(OTHER_HEAD)
    return Envelope(PAYLOAD_TYPE, payload, (Signature(key.key_id, key.sign(pae(PAYLOAD_TYPE, payload))),)).to_json()


def _with(change: Any) -> Any:
    def make(app: Flask) -> dict[str, Any]:
        document = staff_rule_envelope(app).to_json()
        change(document)
        return document

    return make


BAD_ENVELOPES = [
    # (id, body maker, status, field)
    ("malformed JSON", lambda app: b'{"payloadType": ', 400, "body"),
    ("not UTF-8", lambda app: b'{"payload": "\xff"}', 400, "body"),
    ("duplicate keys", lambda app: b'{"payload": "a", "payload": "b"}', 400, "body"),
    ("NaN", lambda app: b'{"payload": NaN}', 400, "body"),
    ("nested 100k deep", lambda app: b"[" * 100_000 + b"]" * 100_000, 400, "body"),
    ("an array", lambda app: [1, 2], 422, "body"),
    ("a number as payload", _with(lambda d: d.update(payload=12)), 422, "payload"),
    ("signatures as an object", _with(lambda d: d.update(signatures={"keyid": "x"})), 422, "signatures"),
    ("two signatures", _with(lambda d: d.update(signatures=d["signatures"] * 2)), 422, "signatures"),
    ("an unknown field", _with(lambda d: d.update(extra="x")), 422, "extra"),
    ("an unknown signature field", _with(lambda d: d["signatures"][0].update(x=1)), 422, "signatures[0].x"),
    ("a missing payload", _with(lambda d: d.pop("payload")), 422, "payload"),
    ("another payload type", _with(lambda d: d.update(payloadType="text/plain")), 422, "payloadType"),
    ("payload not base64", _with(lambda d: d.update(payload="!!")), 422, "payload"),
    ("a short key id", _with(lambda d: d["signatures"][0].update(keyid="ed25519:00")), 422, "signatures[0].keyid"),
    (
        "a 63-byte signature",
        _with(lambda d: d["signatures"][0].update(sig=base64.b64encode(bytes(63)).decode())),
        422,
        "signatures[0].sig",
    ),
    ("a forged signature", _forged, 422, "envelope"),
    ("NFD payload bytes", _nfd_payload, 422, "payload"),
    ("another unit's key", _by_another_unit, 403, "envelope"),
]


@pytest.mark.parametrize(("make", "status", "field"), [b[1:] for b in BAD_ENVELOPES], ids=[b[0] for b in BAD_ENVELOPES])
def test_a_bad_envelope_is_refused_uniformly_and_appends_nothing(
    demo_app: Flask, make: Any, status: int, field: str
) -> None:
    client = demo_app.test_client()
    head = head_of(demo_app)

    refused(post_json(client, make(demo_app)), status, field)

    assert head_of(demo_app) == head


def test_an_oversized_body_is_413_and_appends_nothing(demo_app: Flask) -> None:
    client = demo_app.test_client()
    head = head_of(demo_app)
    document = staff_rule_envelope(demo_app).to_json()
    document["payload"] = "A" * 2_000_000

    refused(post_json(client, document), 413, "body")

    assert head_of(demo_app) == head


def test_an_oversized_body_without_a_length_is_413_too(demo_app: Flask) -> None:
    client = demo_app.test_client()
    head = head_of(demo_app)

    response = client.post(
        f"{API}/envelopes",
        input_stream=io.BytesIO(b"A" * 4_000_000),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        environ_overrides={"wsgi.input_terminated": True},
    )

    refused(response, 413)
    assert head_of(demo_app) == head


def test_a_body_that_is_not_json_is_415(demo_app: Flask) -> None:
    client = demo_app.test_client()
    envelope = staff_rule_envelope(demo_app)

    refused(client.post(f"{API}/envelopes", data=envelope.to_bytes(), content_type="text/plain"), 415)
    refused(client.post(f"{API}/envelopes", data={"payload": "x"}), 415)


def test_an_envelope_needs_no_csrf_token_even_with_a_session(demo_app: Flask) -> None:
    client = demo_app.test_client()
    log_in(client, HEAD)

    valid(schemas.ReceiptSchema, post_json(client, staff_rule_envelope(demo_app).to_json()), 201)


# Reads -------------------------------------------------------------------------------------


READS = [
    f"{API}/ratings?year=2023",
    f"{API}/index-results?index=DDCI_UNIT&year=2023",
    f"{API}/deadlines?year=2023",
    f"{API}/history?subject=unit/{UNIT}",
    f"{API}/receipts/1",
]


@pytest.mark.parametrize("url", READS)
def test_reads_need_a_logged_in_officer(demo_client: FlaskClient, url: str) -> None:
    error = refused(demo_client.get(url), 401)

    assert error["code"] == error["kind"] == "login_required"


def test_a_unit_officer_sees_decided_heads_and_its_own_unit_but_not_others_individuals(demo_app: Flask) -> None:
    client = demo_app.test_client()
    log_in(client, HEAD)

    data = valid(schemas.RatingsSchema, client.get(f"{API}/ratings?year=2023"))

    rows = data["ratings"]
    assert {row["year"] for row in rows} == {2023}
    assert any(row["unit"] == UNIT for row in rows)
    assert any(row["unit"] != UNIT and row["kind"] == "head" for row in rows)
    for row in rows:
        if row["unit"] != UNIT:
            assert row["kind"] == "head", row["subject"]
            assert row["status"] != "computed", row["subject"]
            assert row["appeals"] == []


def test_an_auditor_sees_every_rating_with_its_inputs(demo_app: Flask) -> None:
    client = demo_app.test_client()
    log_in(client, HEAD)
    own = valid(schemas.RatingsSchema, client.get(f"{API}/ratings?year=2023"))["ratings"]
    log_in(client, AUDITOR)

    every = valid(schemas.RatingsSchema, client.get(f"{API}/ratings?year=2023"))["ratings"]

    assert len(every) > len(own)
    assert any(row["kind"] == "individual" and row["unit"] != "SNV" for row in every)
    assert any(row["inputs"] for row in every)


def test_index_results_are_ranked_within_a_class(demo_app: Flask) -> None:
    client = demo_app.test_client()
    log_in(client, HEAD)

    data = valid(
        schemas.IndexResultsSchema, client.get(f"{API}/index-results?index=DDCI_UNIT&year=2023&class=district")
    )

    assert data["results"]
    assert {row["unit_class"] for row in data["results"]} == {"district"}
    ranks = [row["rank"] for row in data["results"]]
    assert ranks == sorted(ranks)
    assert data["class"] == "district"


def test_deadlines_of_one_unit_on_a_chosen_date(demo_app: Flask) -> None:
    client = demo_app.test_client()
    log_in(client, HEAD)

    early = valid(schemas.DeadlinesSchema, client.get(f"{API}/deadlines?year=2023&unit={UNIT}&on=2023-01-20"))
    late = valid(schemas.DeadlinesSchema, client.get(f"{API}/deadlines?year=2023&unit={UNIT}&on=2024-06-01"))

    assert early["deadlines"]
    assert {row["unit"] for row in early["deadlines"]} == {UNIT}
    assert {row["status"] for row in early["deadlines"]} == {"pending"}
    assert "pending" not in {row["status"] for row in late["deadlines"]}
    assert early["on"] == "2023-01-20"


def test_history_of_a_unit_names_each_signer_and_hides_content(demo_app: Flask) -> None:
    client = demo_app.test_client()
    log_in(client, HEAD)

    data = valid(schemas.HistorySchema, client.get(f"{API}/history?subject=unit/{UNIT}"))

    seqs = [row["seq"] for row in data["entries"]]
    assert seqs == sorted(seqs)
    assert seqs
    assert {"subject", "actor"} >= {row["relation"] for row in data["entries"]}
    assert "body" not in json.dumps(data["entries"])


def test_history_query_in_nfd_finds_what_nfc_finds(demo_app: Flask) -> None:
    client = demo_app.test_client()
    log_in(client, AUDITOR)
    ratings = valid(schemas.RatingsSchema, client.get(f"{API}/ratings?year=2023"))["ratings"]
    subject = ratings[0]["subject"]

    nfc = client.get(f"{API}/history", query_string={"subject": subject})
    nfd = client.get(f"{API}/history", query_string={"subject": unicodedata.normalize("NFD", " " + subject)})

    assert valid(schemas.HistorySchema, nfd) == valid(schemas.HistorySchema, nfc)


def test_an_individuals_history_is_refused_to_another_unit(demo_app: Flask) -> None:
    client = demo_app.test_client()
    log_in(client, AUDITOR)
    ratings = valid(schemas.RatingsSchema, client.get(f"{API}/ratings?year=2023"))["ratings"]
    individual = next(r["subject"] for r in ratings if r["kind"] == "individual" and r["unit"] != UNIT)
    log_in(client, HEAD)

    refused(client.get(f"{API}/history", query_string={"subject": individual}), 403, "subject")


def test_a_receipt_is_given_to_its_unit_and_refused_to_another(demo_app: Flask) -> None:
    client = demo_app.test_client()
    seq = post_json(client, staff_rule_envelope(demo_app).to_json()).get_json()["seq"]
    log_in(client, HEAD)

    receipt = valid(schemas.ReceiptSchema, client.get(f"{API}/receipts/{seq}"))
    assert receipt["seq"] == seq
    assert receipt["subject"] == f"submission/staff-rule/{UNIT}/2024"
    assert TlogProof.parse(receipt["tlog_proof"]).index == seq - 1

    log_in(client, OTHER_HEAD)
    refused(client.get(f"{API}/receipts/{seq}"), 403, "seq")
    log_in(client, INSPECTOR)
    valid(schemas.ReceiptSchema, client.get(f"{API}/receipts/{seq}"))
    refused(client.get(f"{API}/receipts/{seq + 1}"), 404, "seq")


BAD_QUERIES = [
    (f"{API}/ratings", 422, "year"),
    (f"{API}/ratings?year=abc", 422, "year"),
    (f"{API}/ratings?year=1.5", 422, "year"),
    (f"{API}/ratings?year=99999", 422, "year"),
    (f"{API}/ratings?year=2023&year=2024", 422, "year"),
    (f"{API}/ratings?year=2023&unit=SNV", 422, "unit"),
    (f"{API}/index-results?year=2023", 422, "index"),
    (f"{API}/index-results?index=NOPE&year=2023", 404, "index"),
    (f"{API}/index-results?index=DDCI_UNIT&year=2023&class=planet", 422, "class"),
    (f"{API}/index-results?index=../x&year=2023", 422, "index"),
    (f"{API}/deadlines?year=2023&on=31/12/2023", 422, "on"),
    (f"{API}/deadlines?year=2023&on=2023-02-29", 422, "on"),
    (f"{API}/deadlines?year=2023&unit=NOPE", 404, "unit"),
    (f"{API}/history?subject=", 422, "subject"),
    (f"{API}/history?subject=rating/2099/NOPE", 404, "subject"),
    (f"{API}/history?subject=a%00b", 422, "subject"),
    (f"{API}/receipts/999999", 404, "seq"),
]


@pytest.mark.parametrize(("url", "status", "field"), BAD_QUERIES)
def test_a_bad_query_is_refused_uniformly(demo_app: Flask, url: str, status: int, field: str) -> None:
    client = demo_app.test_client()
    log_in(client, AUDITOR)

    refused(client.get(url), status, field)


# The log -----------------------------------------------------------------------------------


def test_the_checkpoint_and_vkey_are_public_text(demo_client: FlaskClient) -> None:
    vkey = demo_client.get(f"{API}/log/vkey")
    checkpoint = demo_client.get(f"{API}/log/checkpoint")

    assert vkey.status_code == checkpoint.status_code == 200
    assert vkey.mimetype == checkpoint.mimetype == "text/plain"
    verifier = NoteVerifier(vkey.get_data(as_text=True).strip())
    opened = open_checkpoint(checkpoint.get_data(), verifier, origin=verifier.name)
    assert opened.size >= 412


def test_entries_show_leaf_hashes_to_everyone_and_leaves_only_to_auditors(demo_app: Flask) -> None:
    client = demo_app.test_client()
    anonymous = valid(schemas.LogEntriesSchema, client.get(f"{API}/log/entries?start=5&end=9"))
    assert [e["seq"] for e in anonymous["entries"]] == [5, 6, 7, 8, 9]
    assert anonymous["leaves_included"] is False
    assert all("leaf" not in e for e in anonymous["entries"])

    log_in(client, HEAD)
    officer = valid(schemas.LogEntriesSchema, client.get(f"{API}/log/entries?start=5&end=9"))
    assert officer == anonymous

    log_in(client, AUDITOR)
    auditor = valid(schemas.LogEntriesSchema, client.get(f"{API}/log/entries?start=5&end=9"))
    assert auditor["leaves_included"] is True
    for entry, public in zip(auditor["entries"], anonymous["entries"], strict=True):
        assert leaf_hash(base64.b64decode(entry["leaf"])).hex() == public["leaf_hash"] == entry["leaf_hash"]


def test_entries_default_to_a_page_from_start(demo_client: FlaskClient) -> None:
    data = valid(schemas.LogEntriesSchema, demo_client.get(f"{API}/log/entries"))

    assert data["start"] == 1
    assert data["end"] == data["size"] == len(data["entries"])


def test_an_inclusion_proof_verifies_against_the_signed_checkpoint(demo_client: FlaskClient) -> None:
    proof = valid(schemas.InclusionProofSchema, demo_client.get(f"{API}/log/proof?index=41&size=300"))
    vkey = demo_client.get(f"{API}/log/vkey").get_data(as_text=True).strip()
    verifier = NoteVerifier(vkey)
    checkpoint = open_checkpoint(proof["checkpoint"].encode(), verifier, origin=verifier.name)
    entries = valid(schemas.LogEntriesSchema, demo_client.get(f"{API}/log/entries?start=42&end=42"))

    assert checkpoint.size == proof["size"] == 300
    assert entries["entries"][0]["leaf_hash"] == proof["leaf_hash"]
    hashes = [base64.b64decode(h) for h in proof["hashes"]]
    verify_inclusion(bytes.fromhex(proof["leaf_hash"]), 41, 300, hashes, checkpoint.root)
    assert TlogProof.parse(proof["tlog_proof"]).extra is None  # the leaf (content) is not in it


def test_a_consistency_proof_links_two_checkpoints(demo_client: FlaskClient) -> None:
    vkey = demo_client.get(f"{API}/log/vkey").get_data(as_text=True).strip()
    verifier = NoteVerifier(vkey)
    old = open_checkpoint(demo_client.get(f"{API}/log/checkpoint?size=100").get_data(), verifier, origin=verifier.name)
    new = open_checkpoint(demo_client.get(f"{API}/log/checkpoint").get_data(), verifier, origin=verifier.name)

    data = valid(schemas.ConsistencyProofSchema, demo_client.get(f"{API}/log/consistency?from=100&to={new.size}"))

    hashes = [base64.b64decode(h) for h in data["hashes"]]
    verify_consistency(100, new.size, hashes, old.root, new.root)


BAD_LOG_QUERIES = [
    (f"{API}/log/entries?start=0", 422, "start"),
    (f"{API}/log/entries?start=10&end=5", 422, "end"),
    (f"{API}/log/entries?start=1&end=5000", 422, "end"),
    (f"{API}/log/entries?start=99999", 404, "start"),
    (f"{API}/log/entries?start=x", 422, "start"),
    (f"{API}/log/entries?limit=5", 422, "limit"),
    (f"{API}/log/proof", 422, "index"),
    (f"{API}/log/proof?index=-1", 422, "index"),
    (f"{API}/log/proof?index=500&size=100", 404, "index"),
    (f"{API}/log/proof?index=1&size=999999", 404, "size"),
    (f"{API}/log/consistency?from=10", 422, "to"),
    (f"{API}/log/consistency?from=10&to=5", 422, "to"),
    (f"{API}/log/consistency?from=10&to=999999", 404, "to"),
    (f"{API}/log/checkpoint?size=999999", 404, "size"),
]


@pytest.mark.parametrize(("url", "status", "field"), BAD_LOG_QUERIES)
def test_a_bad_log_query_is_refused_uniformly(demo_client: FlaskClient, url: str, status: int, field: str) -> None:
    refused(demo_client.get(url), status, field)


# Errors and the document -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", f"{API}/nowhere", 404),
        ("GET", f"{API}/receipts/abc", 404),
        ("GET", f"{API}/envelopes", 405),
        ("DELETE", f"{API}/log/checkpoint", 405),
        ("POST", f"{API}/ratings", 405),
    ],
)
def test_routing_errors_under_api_are_json_never_html(
    demo_client: FlaskClient, method: str, url: str, status: int
) -> None:
    response = demo_client.open(url, method=method)

    refused(response, status)
    assert b"<html" not in response.get_data().lower()
    if status == 405:
        assert response.headers["Allow"]


def test_other_paths_keep_their_html_errors(demo_client: FlaskClient) -> None:
    response = demo_client.get("/khong-co-trang-nay")

    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_the_openapi_document_lists_every_route_of_the_blueprint(demo_app: Flask) -> None:
    response = demo_app.test_client().get(f"{API}/openapi.json")
    document = valid(schemas.OpenApiSchema, response)
    document = json.loads(response.get_data())  # valid JSON as bytes, not only to Flask

    assert document["openapi"].startswith("3.1")
    routes = [rule for rule in demo_app.url_map.iter_rules() if rule.endpoint.startswith("api.")]
    assert len(routes) == len(OPERATIONS) >= 11
    for rule in routes:
        path = rule.rule.replace("<int:seq>", "{seq}")
        assert path in document["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = document["paths"][path][method.lower()]
            assert operation["responses"], path
            for response_spec in operation["responses"].values():
                for content in response_spec["content"].values():
                    _resolves(document, content["schema"])
    envelope = document["paths"][f"{API}/envelopes"]["post"]
    assert envelope["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Envelope"}
    assert {"201", "400", "409", "413", "422"} <= set(envelope["responses"])
    assert document["components"]["schemas"]["Envelope"]["additionalProperties"] is False
    ratings = document["paths"][f"{API}/ratings"]["get"]
    year = next(p for p in ratings["parameters"] if p["name"] == "year")
    assert year == {"name": "year", "in": "query", "required": True,
                    "schema": {"type": "integer", "minimum": 2000, "maximum": 2100}}  # fmt: skip


def _resolves(document: dict[str, Any], schema: dict[str, Any]) -> None:
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        assert name in document["components"]["schemas"], schema["$ref"]


def test_every_error_status_the_api_uses_is_documented(demo_app: Flask) -> None:
    document = demo_app.test_client().get(f"{API}/openapi.json").get_json()
    error_schema = document["components"]["schemas"]["Error"]

    assert error_schema["required"] == ["code", "kind", "message", "errors"]
    for path, item in document["paths"].items():
        for operation in item.values():
            assert "404" in operation["responses"], path
            if operation["security"]:
                assert {"401", "403"} <= set(operation["responses"]), path


# Both backends -----------------------------------------------------------------------------


def test_envelopes_and_the_log_on_both_backends(database_url: str, tmp_path: Path) -> None:
    instance = Instance(tmp_path / "instance", database_url)
    instance.ensure_log_key()
    ledger = instance.open_ledger()
    try:
        world = World.build(ledger)
        document = instance.documents().put(PDF, "Quy chế đánh giá.pdf").to_json()
        envelope = world.envelope("hy.chu-tich", "submission.staff-rule", "submission/staff-rule/323/2024", {
            "title": "Quy chế đánh giá", "decision": "Quyết định số 7/QĐ-UBND ngày 05/03/2024",
            "issued_on": "2024-03-05", "document": document,
        })  # fmt: skip
    finally:
        ledger.close()
    app = create_app({"TESTING": True}, instance=instance)
    try:
        client = app.test_client()
        head = head_of(app)

        receipt = valid(schemas.ReceiptSchema, post_json(client, envelope.to_json()), 201)
        refused(post_json(client, envelope.to_json()), 409)
        refused(post_json(client, b"{"), 400, "body")

        assert receipt["seq"] == head + 1 == head_of(app)
        entries = valid(schemas.LogEntriesSchema, client.get(f"{API}/log/entries?start={head}"))
        assert [e["seq"] for e in entries["entries"]] == [head, head + 1]
        assert entries["entries"][-1]["leaf_hash"] == receipt["leaf_hash"]
        proof = valid(schemas.InclusionProofSchema, client.get(f"{API}/log/proof?index={head}"))
        assert proof["size"] == head + 1
        assert proof["leaf_hash"] == receipt["leaf_hash"]
        valid(schemas.ConsistencyProofSchema, client.get(f"{API}/log/consistency?from=1&to={head + 1}"))
    finally:
        app.extensions["ledger"].close()
