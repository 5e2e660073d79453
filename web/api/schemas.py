"""marshmallow 4 schemas of every request and response of /api/v1 (the OpenAPI document is made from them).

Requests are loaded with ``unknown=RAISE`` (the default): an unknown field or query
parameter is refused by name. Text in queries is NFC-normalised before it is validated,
so an NFD spelling finds what its NFC spelling finds. Responses are dumped through their
schema, so a response carries exactly the fields its schema declares; the tests load
each response back with the same schema.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from ledger.domain.registry import RATED_CLASSES, UNIT_CLASSES
from ledger.signing.dsse import PAYLOAD_TYPE

#: Years a query may name.
YEARS = validate.Range(min=2000, max=2100)
#: The largest integer the databases hold (SQLite's INTEGER, PostgreSQL's BIGINT): every entry
#: number and tree size is at most this, and a larger one must be refused before it reaches them.
MAX_INTEGER = 2**63 - 1
#: Entry numbers (1, 2, 3, …) and tree sizes.
SEQUENCES = validate.Range(min=1, max=MAX_INTEGER)
#: Entries one page of /log/entries may hold.
MAX_ENTRIES_PAGE = 1000
SHA256_HEX = validate.Regexp(r"^[0-9a-f]{64}$", error="must be 64 lowercase hex digits (SHA-256)")
#: Standard base64 with its padding (RFC 4648 §4): whole groups of four characters.
BASE64 = validate.Regexp(
    r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$", error="must be standard base64"
)
#: An Ed25519 signature (64 bytes) in standard base64: 86 characters and "==".
SIGNATURE_BASE64 = validate.Regexp(
    r"^[A-Za-z0-9+/]{85}[AQgw]==$", error="must be a 64-byte Ed25519 signature in standard base64"
)
CODE = validate.Regexp(r"^[A-Za-z0-9_.\-]{1,64}$", error="must be a code: letters, digits, '_', '-', '.'")
SUBJECT = validate.Regexp(
    r"^[A-Za-z0-9_.\-:]+(/[A-Za-z0-9_.\-:]+){0,4}$", error="must be a subject such as rating/2023/SNV"
)


# Fields ----------------------------------------------------------------------------------


class IsoDateTime(fields.DateTime):
    """An ISO 8601 instant; the views keep them as ISO text, which it dumps as is (normalised)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | float | None:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return super()._serialize(value, attr, obj, **kwargs)


class IsoDate(fields.Date):
    """An ISO 8601 calendar date; the views keep them as ISO text."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | float | None:
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return super()._serialize(value, attr, obj, **kwargs)


def _text(**kwargs: Any) -> fields.String:
    return fields.String(allow_none=True, **kwargs)


# Requests --------------------------------------------------------------------------------


class QuerySchema(Schema):
    """A query string: NFC text without surrounding blanks, every parameter at most once."""

    @pre_load
    def normalise(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {
            key: unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value
            for key, value in data.items()
        }


class SignatureSchema(Schema):
    """One DSSE signature: the signer's key id and the Ed25519 signature of PAE(payloadType, payload)."""

    keyid = fields.String(
        required=True,
        validate=validate.Regexp(r"^ed25519:[0-9a-f]{64}$"),
        metadata={"description": "ed25519: and the SHA-256 of the public key, in hex"},
    )
    sig = fields.String(
        required=True,
        validate=[validate.Length(equal=88), SIGNATURE_BASE64],
        metadata={"description": "64-byte Ed25519 signature, standard base64"},
    )


class EnvelopeSchema(Schema):
    """A signed DSSE envelope (docs/formats.md): the canonical statement bytes, base64, and one signature."""

    payloadType = fields.String(required=True, validate=validate.Equal(PAYLOAD_TYPE))
    payload = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=1_400_000), BASE64],
        metadata={"description": "RFC 8785 canonical JSON of the statement, standard base64"},
    )
    signatures = fields.List(fields.Nested(SignatureSchema), required=True, validate=validate.Length(equal=1))


class RatingsQuery(QuerySchema):
    """Ratings of one year."""

    year = fields.Integer(required=True, validate=YEARS)


class IndexResultsQuery(QuerySchema):
    """Results of one index in one year, optionally of one unit class."""

    index = fields.String(required=True, validate=CODE)
    year = fields.Integer(required=True, validate=YEARS)
    unit_class = fields.String(data_key="class", load_default=None, validate=validate.OneOf(RATED_CLASSES))


class DeadlinesQuery(QuerySchema):
    """The obligations of one year and their status on a date (default: today, Asia/Ho_Chi_Minh)."""

    year = fields.Integer(required=True, validate=YEARS)
    unit = fields.String(load_default=None, validate=CODE)
    on = fields.Date(load_default=None, metadata={"description": "reference date, ISO 8601 (YYYY-MM-DD)"})


class HistoryQuery(QuerySchema):
    """Every entry about one subject (and, for unit/<code>, every entry that unit signed)."""

    subject = fields.String(required=True, validate=[validate.Length(max=200), SUBJECT])


class EntriesQuery(QuerySchema):
    """A page of the log: entries `start` to `end` (inclusive; at most 1,000)."""

    start = fields.Integer(load_default=1, validate=SEQUENCES)
    end = fields.Integer(
        load_default=None,
        validate=SEQUENCES,
        metadata={"description": f"at least start and at most start + {MAX_ENTRIES_PAGE - 1} (default: the head)"},
    )

    @validates_schema
    def check_range(self, data: dict[str, Any], **kwargs: Any) -> None:
        end = data.get("end")
        if end is None:
            return
        if end < data["start"]:
            raise ValidationError("must not be before start", field_name="end")
        if end - data["start"] + 1 > MAX_ENTRIES_PAGE:
            raise ValidationError(f"a page holds at most {MAX_ENTRIES_PAGE} entries", field_name="end")


class ProofQuery(QuerySchema):
    """Leaf `index` (0-based: entry N is index N-1) against the checkpoint of `size` (default: the latest)."""

    index = fields.Integer(required=True, validate=validate.Range(min=0, max=MAX_INTEGER - 1))
    size = fields.Integer(load_default=None, validate=SEQUENCES)


class ConsistencyQuery(QuerySchema):
    """Two tree sizes, 0 < from ≤ to ≤ the log's size."""

    size1 = fields.Integer(data_key="from", required=True, validate=SEQUENCES)
    size2 = fields.Integer(data_key="to", required=True, validate=SEQUENCES, metadata={"description": "at least from"})

    @validates_schema
    def check_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["size1"] > data["size2"]:
            raise ValidationError("must not be smaller than from", field_name="to")


class CheckpointQuery(QuerySchema):
    """The checkpoint of `size` (default: the latest)."""

    size = fields.Integer(load_default=None, validate=SEQUENCES)


class ReceiptPath(Schema):
    """The entry a receipt is asked for, by its sequence number in the path."""

    seq = fields.Integer(required=True, strict=True, validate=SEQUENCES)


class EmptyQuery(QuerySchema):
    """No parameter."""


# Responses -------------------------------------------------------------------------------


class ErrorSchema(Schema):
    """Every error of the API: its code and kind, a message naming the field, and each field's messages."""

    code = fields.String(
        required=True,
        metadata={
            "description": "the reason, machine-readable and stable: for a refusal by the ledger its own code "
            "(e.g. unknown_key, revoked_key, replay, out_of_cycle, score_above_maximum); otherwise the same "
            "as kind (e.g. malformed_json, login_required, not_found)"
        },
    )
    kind = fields.String(
        required=True,
        metadata={
            "description": "the class of the refusal, which decides its HTTP status: for a refusal by the ledger "
            "one of invalid, bad_signature, not_authorized, not_found, duplicate, replay, busy, rule_violation, "
            "log_integrity; otherwise the same as code"
        },
    )
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)


class ReceiptSchema(Schema):
    """What the ledger answers when it appends an envelope, or when asked for an entry's receipt."""

    seq = fields.Integer(required=True, metadata={"description": "the entry's sequence number (1, 2, 3, …)"})
    subject = fields.String(required=True)
    statement_type = fields.String(required=True)
    event_type = fields.String(required=True)
    recorded_at = IsoDateTime(required=True)
    leaf_hash = fields.String(required=True, validate=SHA256_HEX, metadata={"description": "RFC 9162 leaf hash, hex"})
    notes = fields.List(fields.String(), required=True)
    tlog_proof = fields.String(required=True, metadata={"description": "C2SP tlog-proof text, with the leaf as extra"})


class InputSchema(Schema):
    """One index result a computation used."""

    index = fields.String(required=True)
    score = fields.String(required=True)
    maximum = fields.String(required=True)
    rank = fields.Integer(allow_none=True, load_default=None)
    peers = fields.Integer(allow_none=True, load_default=None)
    results = fields.String(allow_none=True, load_default=None)


class AppealSchema(Schema):
    """An appeal of a rating and, once resolved, its outcome."""

    grounds = fields.String(required=True)
    filed_seq = fields.Integer(required=True)
    filed_at = IsoDateTime(required=True)
    filed_unit = fields.String(required=True)
    filed_officer = fields.String(required=True)
    outcome = _text(required=True)
    level = _text(load_default=None)
    reason = _text(load_default=None)
    decision = _text(load_default=None)
    resolved_seq = fields.Integer(allow_none=True, load_default=None)
    resolved_at = IsoDateTime(allow_none=True, load_default=None)
    resolved_unit = _text(load_default=None)
    resolved_officer = _text(load_default=None)


class RatingSchema(Schema):
    """A rating as of now: a head's (computed, decided, appealed) or an individual's."""

    subject = fields.String(required=True)
    year = fields.Integer(required=True)
    unit = fields.String(required=True)
    unit_name = _text(required=True)
    unit_class = fields.String(required=True, allow_none=True, validate=validate.OneOf(UNIT_CLASSES))
    kind = fields.String(required=True, validate=validate.OneOf(("head", "individual")))
    person = _text(required=True)
    officer = _text(required=True)
    officer_name = _text(required=True)
    name = _text(required=True)
    position = _text(required=True)
    computed_level = _text(required=True)
    decided_level = _text(required=True)
    level = _text(required=True)
    status = fields.String(required=True)
    last_how = fields.String(required=True)
    ruleset = _text(required=True)
    inputs = fields.List(fields.Nested(InputSchema), required=True, allow_none=True)
    missing = fields.List(fields.String(), required=True, allow_none=True)
    computed_seq = fields.Integer(required=True, allow_none=True)
    computed_at = IsoDateTime(required=True, allow_none=True)
    decision = _text(required=True)
    reason = _text(required=True)
    rule = _text(required=True)
    appeals = fields.List(fields.Nested(AppealSchema), required=True)
    appeal_open = fields.Boolean(required=True)
    seq = fields.Integer(required=True)
    updated_at = IsoDateTime(required=True)


class RatingsSchema(Schema):
    """The ratings of a year that the caller may see."""

    year = fields.Integer(required=True)
    ratings = fields.List(fields.Nested(RatingSchema), required=True)


class IndexResultSchema(Schema):
    """One unit's published result in an index, ranked within its class."""

    index = fields.String(required=True)
    year = fields.Integer(required=True)
    unit = fields.String(required=True)
    unit_name = _text(required=True)
    unit_class = fields.String(required=True)
    score = fields.String(required=True, metadata={"description": "a decimal, as text"})
    maximum = _text(required=True)
    rank = fields.Integer(required=True, allow_none=True)
    peers = fields.Integer(required=True)
    band = _text(required=True)
    measured_year = fields.Integer(required=True, allow_none=True)
    decision = _text(required=True)
    published_on = IsoDate(required=True, allow_none=True)
    subject = fields.String(required=True)
    lead = fields.String(required=True)
    version_seq = fields.Integer(required=True)
    corrections = fields.Integer(required=True)


class IndexResultsSchema(Schema):
    index = fields.String(required=True)
    year = fields.Integer(required=True)
    unit_class = fields.String(data_key="class", required=True, allow_none=True)
    results = fields.List(fields.Nested(IndexResultSchema), required=True)


class DeadlineSchema(Schema):
    """One obligation of a unit in a year's cycle and its status on the reference date."""

    year = fields.Integer(required=True)
    obligation = fields.String(required=True)
    unit = fields.String(required=True)
    unit_name = _text(required=True)
    index = _text(required=True)
    due = IsoDate(required=True)
    original_due = IsoDate(required=True)
    adjustment_reason = _text(required=True)
    last_day_on_time = IsoDate(required=True)
    owed = fields.Boolean(required=True)
    subject = _text(required=True)
    seq = fields.Integer(required=True, allow_none=True)
    submitted_at = IsoDateTime(required=True, allow_none=True)
    submitted_on = IsoDate(required=True, allow_none=True)
    days_late = fields.Integer(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(("on_time", "late", "missing", "pending")))


class DeadlinesSchema(Schema):
    year = fields.Integer(required=True)
    on = fields.Date(required=True)
    unit = _text(required=True)
    deadlines = fields.List(fields.Nested(DeadlineSchema), required=True)


class HistoryEntrySchema(Schema):
    """One entry about a subject: who signed what, when (no content)."""

    seq = fields.Integer(required=True)
    subject = fields.String(required=True)
    actor = fields.String(required=True)
    relation = fields.String(required=True, validate=validate.OneOf(("subject", "actor")))
    statement_type = fields.String(required=True)
    event_type = fields.String(required=True)
    signer_unit = fields.String(required=True)
    signer_officer = fields.String(required=True)
    key_id = fields.String(required=True)
    recorded_at = IsoDateTime(required=True)
    leaf_hash = fields.String(required=True, validate=SHA256_HEX)


class HistorySchema(Schema):
    subject = fields.String(required=True)
    entries = fields.List(fields.Nested(HistoryEntrySchema), required=True)


class LogEntrySchema(Schema):
    """One leaf of the log: its hash for everyone; its bytes only for the cross-unit roles (services.visibility)."""

    seq = fields.Integer(required=True)
    leaf_hash = fields.String(required=True, validate=SHA256_HEX)
    leaf = fields.String(
        validate=BASE64,
        metadata={"description": "leaf bytes, base64 (SNV, the committee, auditors, inspectors, administrators)"},
    )


class LogEntriesSchema(Schema):
    size = fields.Integer(required=True, metadata={"description": "the log's size when read"})
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)
    leaves_included = fields.Boolean(required=True)
    entries = fields.List(fields.Nested(LogEntrySchema), required=True)


class InclusionProofSchema(Schema):
    """An RFC 9162 inclusion proof of leaf `index` in the tree of `size`, with the signed checkpoint.

    `tlog_proof` is the C2SP tlog-proof without its extra line (the leaf is content).
    """

    index = fields.Integer(required=True)
    size = fields.Integer(required=True)
    leaf_hash = fields.String(required=True, validate=SHA256_HEX)
    hashes = fields.List(fields.String(validate=BASE64), required=True)
    checkpoint = fields.String(required=True, metadata={"description": "the signed checkpoint note"})
    tlog_proof = fields.String(required=True)


class ConsistencyProofSchema(Schema):
    size1 = fields.Integer(data_key="from", required=True)
    size2 = fields.Integer(data_key="to", required=True)
    hashes = fields.List(fields.String(validate=BASE64), required=True)


class OpenApiSchema(Schema):
    """An OpenAPI 3.1 document."""

    openapi = fields.String(required=True, validate=validate.Regexp(r"^3\.1\.\d+$"))
    info = fields.Dict(required=True)
    paths = fields.Dict(required=True)
    components = fields.Dict(required=True)
    jsonSchemaDialect = fields.String()
    servers = fields.List(fields.Dict())
    tags = fields.List(fields.Dict())
