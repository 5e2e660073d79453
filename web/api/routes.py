"""The endpoints of /api/v1.

Writes: ``POST /envelopes`` appends a signed DSSE envelope. The signature is the
authentication: the view reads no cookie and no CSRF token (security.check_csrf skips
/api/), and the ledger decides whether the signer's key may sign the statement.

Reads (a logged-in officer's session cookie, 401 without): ratings, index results,
deadlines, history and receipts. What is public and what is not (who may see an entry
and its statement is `services.visibility`'s rule, the same on every page):

- public to every officer: index results (published by decision), deadlines and their
  status (Sở Nội vụ reports them), a head's rating once the committee decided it, and the
  history of any subject (who signed which statement type when: no content; the public
  front page shows the same), without the entries about another unit's individuals;
- personal, so only for the officer's own unit and for SNV, the committee, auditors,
  inspectors and administrators: individual (non-head) ratings and their history, heads' ratings before the
  committee's decision, the grounds of appeals, and receipts (a receipt carries the
  entry's full statement) of entries the unit neither signed nor is the subject of.

The log (no login): the latest checkpoint with its cosignatures, the log's vkey, leaf
hashes of any range of entries (the leaf bytes, which hold the statements, only for a
logged-in officer of a cross-unit role), inclusion proofs (hashes and the signed checkpoint,
without the leaf) and consistency proofs — the same ledger methods as ``parledger log``.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from flask import Response, current_app, jsonify, request

from ledger.application import Receipt
from ledger.domain.local_time import LOCAL_TIME
from ledger.errors import NotFoundError
from ledger.signing.envelope import Envelope
from ledger.tlog.log import Leaf, leaf_hash
from ledger.tlog.notes import TlogProof
from services.visibility import listed_history, may_list_subject, may_read_statement, sees_every_unit
from web.api import bp
from web.api import schemas as s
from web.api.errors import ApiError
from web.api.openapi import document, operation
from web.areas.auth import User, current_user, login_required
from web.state import get_instance, get_ledger, get_log, get_views

#: The largest body POST /envelopes takes: a 1 MiB payload in base64 and its signature.
MAX_ENVELOPE_BYTES = 1_500_000


def _json(schema: type[s.Schema], data: Any, status: int = 200) -> Response:
    response = jsonify(schema().dump(data))
    response.status_code = status
    return response


def _query(schema: type[s.Schema]) -> dict[str, Any]:
    """The query string loaded by `schema` (422 naming each bad parameter)."""
    repeated = sorted(name for name in request.args if len(request.args.getlist(name)) > 1)
    if repeated:
        raise ApiError.field(422, repeated[0], "is given more than once")
    loaded: dict[str, Any] = schema().load(request.args.to_dict(flat=True))
    return loaded


def _user() -> User:
    user = current_user()
    if user is None:  # pragma: no cover - behind login_required
        raise ApiError(401, "log in first")
    return user


# Writes ------------------------------------------------------------------------------------


def receipt_notes(receipt: Receipt) -> list[str]:
    """What the ledger noted of an appended statement (e.g. a late filing), as the API writes it."""
    return [str(note) for note in receipt.notes]


def _receipt_answer(receipt: Receipt) -> dict[str, Any]:
    return {
        "seq": receipt.seq,
        "subject": receipt.subject,
        "statement_type": receipt.statement_type,
        "event_type": receipt.event_type,
        "recorded_at": receipt.recorded_at,
        "leaf_hash": receipt.leaf_hash.hex(),
        "notes": receipt_notes(receipt),
        "tlog_proof": receipt.proof.serialize().decode() if receipt.proof is not None else "",
    }


def _strict_json(data: bytes) -> Any:
    """The body as JSON, refusing duplicate keys, NaN and Infinity (400)."""

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        duplicate = next((key for key in keys if keys.count(key) > 1), None)
        if duplicate is not None:
            raise ValueError(f"the key {duplicate!r} appears twice")
        return dict(pairs)

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        return json.loads(data.decode("utf-8"), object_pairs_hook=unique, parse_constant=constant)
    except UnicodeDecodeError:
        raise ApiError.field(400, "body", "is not UTF-8", code="malformed_json") from None
    except RecursionError:
        raise ApiError.field(400, "body", "is nested too deeply", code="malformed_json") from None
    except ValueError as exc:
        raise ApiError.field(400, "body", f"is not valid JSON ({exc})", code="malformed_json") from None


def _read_body(limit: int) -> bytes:
    """The request body, refused with 413 past `limit` bytes (also when sent chunked, without a length)."""
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise ApiError.field(413, "body", f"is larger than {limit} bytes")
    chunks, size = [], 0
    while chunk := request.stream.read(65536):
        size += len(chunk)
        if size > limit:
            raise ApiError.field(413, "body", f"is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@bp.post("/envelopes")
@operation(
    "Append a signed envelope",
    auth="signature",
    body=s.EnvelopeSchema,
    responses={201: ("Appended: the receipt", s.ReceiptSchema)},
    errors=(400, 403, 409, 413, 415, 422),
    tags=("write",),
)
def submit_envelope() -> Response:
    """Append a DSSE envelope signed by an officer's registered key; answer its receipt (201).

    The envelope is checked (strict JSON, this schema, the canonical payload, the signature,
    the signer's authority, the domain's rules); on any refusal nothing is appended. An
    envelope appended before (same nonce or payload) is refused with 409 `replay`.
    """
    if request.mimetype != "application/json":
        raise ApiError.field(415, "Content-Type", "must be application/json")
    body = _strict_json(_read_body(MAX_ENVELOPE_BYTES))
    if not isinstance(body, dict):
        raise ApiError.field(422, "body", "must be a JSON object (a DSSE envelope)")
    s.EnvelopeSchema().load(body)
    envelope = Envelope.from_json(body)
    receipt = get_ledger().append(envelope)
    get_views()  # catch the read models up: the next read sees this write
    response = _json(s.ReceiptSchema, _receipt_answer(receipt), 201)
    response.headers["Location"] = f"{bp.url_prefix}/receipts/{receipt.seq}"
    return response


# Reads (logged in) -------------------------------------------------------------------------


@bp.get("/ratings")
@login_required
@operation(
    "Ratings of a year",
    auth="session",
    query=s.RatingsQuery,
    responses={200: ("The ratings the officer may see", s.RatingsSchema)},
    tags=("read",),
)
def ratings() -> Response:
    """Heads' and individuals' ratings of `year`, current state, with the rule set and inputs.

    A unit officer sees every head's rating the committee decided (its level and decision,
    without the reason of the decision or of an appeal's resolution, and without the appeals)
    and every rating of its own unit; SNV, the committee, auditors and
    inspectors see all.
    """
    query = _query(s.RatingsQuery)
    user = _user()
    everything = sees_every_unit(user)
    rows = []
    for row in get_views().ratings(query["year"]):
        own = row["unit"] == user.unit
        if everything or own:
            rows.append(row)
        elif row["kind"] == "head" and row["status"] != "computed":
            # Its level and decision are published; the reasons and appeals are what the committee's and
            # the unit's statements say, which only the unit and the cross-unit roles read (services.visibility).
            rows.append({**row, "reason": None, "appeals": []})
    return _json(s.RatingsSchema, {"year": query["year"], "ratings": rows})


@bp.get("/index-results")
@login_required
@operation(
    "Published results of an index",
    auth="session",
    query=s.IndexResultsQuery,
    responses={200: ("The results in force, ranked within each unit class", s.IndexResultsSchema)},
    tags=("read",),
)
def index_results() -> Response:
    """The results in force of `index` for `year` (optionally one unit `class`): public, published by decision."""
    query = _query(s.IndexResultsQuery)
    _user()
    views = get_views()
    if query["index"] not in {index["code"] for index in views.indices()}:
        raise ApiError.field(404, "index", f"no index {query['index']!r} in the ledger")
    rows = views.index_results(query["index"], query["year"], query["unit_class"])
    return _json(
        s.IndexResultsSchema,
        {"index": query["index"], "year": query["year"], "unit_class": query["unit_class"], "results": rows},
    )


@bp.get("/deadlines")
@login_required
@operation(
    "Obligations of a year and their status",
    auth="session",
    query=s.DeadlinesQuery,
    responses={200: ("Each obligation: due date, submission, status", s.DeadlinesSchema)},
    tags=("read",),
)
def deadlines() -> Response:
    """The obligations of the `year` cycle on date `on` (default today in Asia/Ho_Chi_Minh), optionally of one `unit`.

    Whether a unit met its deadlines is public within the administration (Sở Nội vụ reports it).
    """
    query = _query(s.DeadlinesQuery)
    _user()
    views = get_views()
    unit = query["unit"]
    if unit is not None and unit not in {u["code"] for u in views.units()}:
        raise ApiError.field(404, "unit", f"no unit {unit!r} in the ledger")
    on = query["on"] or datetime.now(LOCAL_TIME).date()
    rows = [row for row in views.deadlines(query["year"], on) if unit is None or row["unit"] == unit]
    return _json(s.DeadlinesSchema, {"year": query["year"], "on": on, "unit": unit, "deadlines": rows})


@bp.get("/history")
@login_required
@operation(
    "History of a subject",
    auth="session",
    query=s.HistoryQuery,
    responses={200: ("Every entry about the subject, oldest first (no content)", s.HistorySchema)},
    tags=("read",),
)
def history() -> Response:
    """Every entry about `subject` (for unit/<code>, also every entry the unit signed): who, what type, when.

    An individual's rating (rating/<year>/<UNIT>/<person>) is personal: only its unit and
    the cross-unit roles see its history, or see it listed in a unit's history.
    """
    query = _query(s.HistoryQuery)
    user = _user()
    subject = query["subject"]
    if not may_list_subject(user, subject):
        raise ApiError.field(403, "subject", "an individual's rating is seen only by its own unit")
    rows = list(listed_history(user, get_views().history(subject)))
    if not rows:
        raise ApiError.field(404, "subject", f"the ledger holds nothing about {subject!r}")
    return _json(s.HistorySchema, {"subject": subject, "entries": rows})


@bp.get("/receipts/<int:seq>")
@login_required
@operation(
    "Receipt of an entry",
    auth="session",
    path=s.ReceiptPath,
    responses={200: ("The entry's receipt, with a tlog-proof against the latest checkpoint", s.ReceiptSchema)},
    tags=("read",),
)
def receipt(seq: int) -> Response:
    """Entry `seq`'s receipt: the tlog-proof carries the whole entry, so only the unit that signed it, the unit
    it is about, and SNV, the committee, auditors, inspectors and administrators may have it."""
    s.ReceiptPath().load({"seq": seq})  # 422 naming seq past the largest entry number a database holds
    user = _user()
    try:
        proof = get_log().receipt(seq)
    except NotFoundError as exc:
        raise ApiError.field(404, "seq", exc.reason) from None
    assert proof.extra is not None
    leaf = Leaf.from_bytes(proof.extra)
    statement = json.loads(leaf.payload)
    if not may_read_statement(user, statement):
        raise ApiError.field(403, "seq", "this entry is neither by nor about your unit")
    answer = {
        "seq": leaf.seq,
        "subject": statement["subject"],
        "statement_type": statement["type"],
        "event_type": leaf.event_type,
        "recorded_at": leaf.recorded_at,
        "leaf_hash": leaf_hash(proof.extra).hex(),
        "notes": [],
        "tlog_proof": proof.serialize().decode(),
    }
    return _json(s.ReceiptSchema, answer)


# The log (public) --------------------------------------------------------------------------


def _text(body: bytes | str) -> Response:
    return Response(body, mimetype="text/plain", content_type="text/plain; charset=utf-8")


@bp.get("/log/checkpoint")
@operation(
    "The latest signed checkpoint",
    auth="public",
    query=s.CheckpointQuery,
    responses={200: ("A C2SP signed note: the checkpoint, the log's signature, witnesses' cosignatures", "text/plain")},
    tags=("log",),
)
def log_checkpoint() -> Response:
    """The latest checkpoint (or the one of `size`), with every stored cosignature."""
    query = _query(s.CheckpointQuery)
    found = get_log().checkpoint(query["size"])
    if found is None:
        field = "size" if query["size"] else "checkpoint"
        raise ApiError.field(404, field, "no such checkpoint was signed")
    return _text(found[1])


@bp.get("/log/vkey")
@operation(
    "The log's verifier key",
    auth="public",
    responses={200: ("The C2SP vkey that verifies checkpoints", "text/plain")},
    tags=("log",),
)
def log_vkey() -> Response:
    """The log's note verifier key, to check checkpoints and receipts offline."""
    signer = get_instance().log_signer()
    if signer is None:
        raise ApiError.field(404, "vkey", "this instance has no log key")
    return _text(signer.vkey + "\n")


@bp.get("/log/entries")
@operation(
    "Leaf hashes of a range of entries",
    auth="public",
    query=s.EntriesQuery,
    responses={200: ("The leaf hash of each entry; the leaf bytes for auditors and inspectors", s.LogEntriesSchema)},
    tags=("log",),
)
def log_entries() -> Response:
    """Entries `start` to `end` (at most 1,000; default up to the head): each leaf's RFC 9162 hash, and for a
    logged-in officer of a cross-unit role (who may read every entry) the leaf bytes too (they hold the signed
    statements, which may be personal)."""
    query = _query(s.EntriesQuery)
    ledger = get_ledger()
    head = ledger.refresh()
    start = query["start"]
    end = query["end"] if query["end"] is not None else min(head, start + s.MAX_ENTRIES_PAGE - 1)
    # Beyond the log's size is no error of the query (its schema cannot know the size): not found, like
    # a proof or a checkpoint of a size the log has not reached.
    if start > head:
        raise ApiError.field(404, "start", f"is beyond the log's size ({head})")
    if end > head:
        raise ApiError.field(404, "end", f"is beyond the log's size ({head})")
    full = sees_every_unit(current_user())
    entries = []
    for seq, leaf in get_log().leaves(start, end):
        entry: dict[str, Any] = {"seq": seq, "leaf_hash": leaf_hash(leaf).hex()}
        if full:
            entry["leaf"] = base64.b64encode(leaf).decode()
        entries.append(entry)
    return _json(
        s.LogEntriesSchema, {"size": head, "start": start, "end": end, "leaves_included": full, "entries": entries}
    )


@bp.get("/log/proof")
@operation(
    "Inclusion proof",
    auth="public",
    query=s.ProofQuery,
    responses={200: ("The proof, the leaf hash and the signed checkpoint", s.InclusionProofSchema)},
    tags=("log",),
)
def log_proof() -> Response:
    """RFC 9162 inclusion proof of leaf `index` (entry index+1) in the tree of `size` (default: the latest
    checkpoint). The leaf itself is not included: verify it against `leaf_hash`."""
    query = _query(s.ProofQuery)
    try:
        proof = get_log().receipt(query["index"] + 1, query["size"])
    except NotFoundError as exc:
        about_the_size = exc.code in ("no_checkpoint", "no_checkpoint_of_size")
        raise ApiError.field(404, "size" if about_the_size else "index", exc.reason) from None
    assert proof.extra is not None
    bare = TlogProof(proof.index, proof.proof, proof.checkpoint_note)
    size = int(proof.checkpoint_note.split(b"\n")[1])
    answer = {
        "index": proof.index,
        "size": size,
        "leaf_hash": leaf_hash(proof.extra).hex(),
        "hashes": [base64.b64encode(h).decode() for h in proof.proof],
        "checkpoint": proof.checkpoint_note.decode(),
        "tlog_proof": bare.serialize().decode(),
    }
    return _json(s.InclusionProofSchema, answer)


@bp.get("/log/consistency")
@operation(
    "Consistency proof",
    auth="public",
    query=s.ConsistencyQuery,
    responses={200: ("RFC 9162 consistency proof between two tree sizes", s.ConsistencyProofSchema)},
    tags=("log",),
)
def log_consistency() -> Response:
    """The RFC 9162 consistency proof that the tree of `to` entries extends the tree of `from` entries."""
    query = _query(s.ConsistencyQuery)
    try:
        hashes = get_log().consistency_proof(query["size1"], query["size2"])
    except NotFoundError as exc:  # a size beyond the log's
        raise ApiError.field(404, "to", exc.reason) from None
    return _json(
        s.ConsistencyProofSchema,
        {"size1": query["size1"], "size2": query["size2"], "hashes": [base64.b64encode(h).decode() for h in hashes]},
    )


@bp.get("/openapi.json")
@operation(
    "This document",
    auth="public",
    responses={200: ("The OpenAPI 3.1 document of /api/v1", s.OpenApiSchema)},
    tags=("meta",),
)
def openapi() -> Response:
    """The OpenAPI 3.1 document, generated from the routes and their marshmallow schemas."""
    return jsonify(document(current_app))
