"""The refusals of the signed envelope, each kind with the codes it raises (see `ledger.errors`).

`EnvelopeError` is an envelope, its payload or the payload's JSON that the ledger cannot
read as one canonical statement; `EnvelopeSignatureError` a signature that is malformed
or does not verify.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from ledger.errors import PayloadError, SignatureError


class EnvelopeError(PayloadError):
    """The envelope or its payload is not one canonical, well-formed statement."""

    messages: ClassVar[Mapping[str, str]] = {
        # The statement's JSON values (nfc, canonical_json).
        "unsafe_integer": "integers must lie within ±(2^53 − 1); write larger numbers as strings",
        "fraction_not_allowed": 'numbers with a fraction are not allowed; write decimals as strings like "87.50"',
        "nested_beyond": "is nested too deeply (more than {levels} levels)",
        "key_not_a_string": "object keys must be strings",
        "key_twice_once_normalised": "key {key!r} appears twice once normalised",
        "not_a_json_value": "{type_name} is not a JSON value",
        "lone_surrogate": "contains a lone surrogate, which is not Unicode text",
        "not_canonically_encodable": "cannot be encoded as canonical JSON ({detail})",
        # The statement's members (Statement.from_payload).
        "not_a_json_object": "must be a JSON object",
        "unknown_member": "unknown field {name!r}",
        "missing_member": "is required",
        "not_a_non_empty_string": "must be a non-empty string",
        "not_a_nonce": "must be 32 lowercase hex digits (128 random bits)",
        "not_a_date_time": "must be an ISO 8601 date-time",
        "no_utc_offset": "must carry a UTC offset, e.g. +07:00",
        "not_canonical": "is not in canonical form (NFC text, RFC 8785 JSON)",
        # The envelope (Envelope.from_json).
        "wrong_payload_type": "must be {payload_type!r}",
        "empty_payload": "is empty",
        "payload_too_large": "is larger than {limit} bytes",
        "not_one_signature": "exactly one signature is required",
        "not_a_signature_entry": "must be an object with 'keyid' and 'sig'",
        "not_a_key_id": "must be 'ed25519:' and 64 hex digits",
        "not_a_base64_string": "must be a base64 string",
        "not_base64": "is not valid base64",
        "not_canonical_base64": "is not canonical base64 (padding bits must be zero)",
        # Strict JSON (the payload's and the envelope's bytes).
        "json_constant": "{name} is not allowed in JSON",
        "json_fraction": 'the number {text} has a fraction or exponent; write decimals as strings like "87.50"',
        "json_key_twice": "key {key!r} appears twice",
        "not_utf8": "is not valid UTF-8",
        "nested_too_deeply": "is nested too deeply",
        "not_json": "is not valid JSON ({detail})",
    }


class EnvelopeSignatureError(SignatureError):
    """The envelope's signature is malformed or does not verify."""

    messages: ClassVar[Mapping[str, str]] = {
        "signature_length": "an Ed25519 signature has 64 bytes",
        "signature_does_not_verify": "signature by {key_id} does not verify",
    }
