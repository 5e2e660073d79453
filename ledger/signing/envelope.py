"""What an actor signs, and how: statements, canonical payload bytes, DSSE envelopes.

A statement (type, acting unit and officer, subject, body, client time, nonce) is
NFC-normalised, encoded once as RFC 8785 canonical JSON, and signed with Ed25519 over
DSSE's PAE(payloadType, payload). The envelope keeps those exact payload bytes; they
are never re-encoded. Verification reads the bytes, checks the signature, then parses.
The byte format is specified in docs/formats.md.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import rfc8785

from ledger.signing.dsse import PAYLOAD_TYPE, pae
from ledger.signing.errors import EnvelopeError, EnvelopeSignatureError

if TYPE_CHECKING:
    from keys import SigningKey, VerifyingKey

STATEMENT_FIELDS = ("type", "unit", "officer", "subject", "body", "client_time", "nonce")
MAX_PAYLOAD_BYTES = 1 << 20
#: JSON nesting deeper than this is refused (bodies are a few levels deep), so that
#: normalising and encoding never exhaust the interpreter's recursion limit.
MAX_NESTING = 64
#: RFC 8785 (I-JSON) integers: exactly representable as IEEE 754 doubles.
MAX_SAFE_INTEGER = 2**53 - 1
_NONCE = re.compile(r"[0-9a-f]{32}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def nfc(value: Any, path: str = "payload", _depth: int = 0) -> Any:
    """Return `value` with every string (keys too) in NFC; refuse what JSON cannot hold.

    Vietnamese input methods produce NFC or NFD; both must give the same bytes.
    Floats are refused: scores are decimal strings, so no value depends on rounding.
    Integers beyond ±(2^53 − 1), lone surrogates and nesting deeper than MAX_NESTING
    are refused too, each naming the field.
    """
    if isinstance(value, str):
        return _nfc_text(value, path)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise EnvelopeError("unsafe_integer", field=path)
        return value
    if isinstance(value, float):
        raise EnvelopeError("fraction_not_allowed", field=path)
    if isinstance(value, Mapping | list | tuple) and _depth >= MAX_NESTING:
        raise EnvelopeError("nested_beyond", field=path, levels=MAX_NESTING)
    if isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise EnvelopeError("key_not_a_string", field=path)
            name = _nfc_text(key, path)
            if name in result:
                raise EnvelopeError("key_twice_once_normalised", field=path, key=name)
            result[name] = nfc(item, f"{path}.{name}", _depth + 1)
        return result
    if isinstance(value, list | tuple):
        return [nfc(item, f"{path}[{i}]", _depth + 1) for i, item in enumerate(value)]
    raise EnvelopeError("not_a_json_value", field=path, type_name=type(value).__name__)


def _nfc_text(value: str, path: str) -> str:
    if _SURROGATE.search(value):
        raise EnvelopeError("lone_surrogate", field=path)
    return unicodedata.normalize("NFC", value)


def canonical_json(value: Any) -> bytes:
    """NFC-normalise `value` and encode it as RFC 8785 canonical JSON."""
    try:
        return rfc8785.dumps(nfc(value))
    except rfc8785.CanonicalizationError as exc:  # pragma: no cover - nfc refuses these first
        raise EnvelopeError("not_canonically_encodable", field="payload", detail=str(exc)) from exc


def is_canonical(document: Any, payload: bytes) -> bool:
    """Whether `payload` is exactly the canonical encoding of its parsed `document`.

    Fast path: for JSON with safe integers only, NFC strings and ASCII keys, RFC 8785 is
    what `json.dumps` writes with sorted keys, no spaces and no ASCII escaping (the two
    escape the same characters the same way); other documents take rfc8785 itself.
    """
    if _plainly_encodable(document):
        return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() == payload
    return canonical_json(document) == payload


def _plainly_encodable(value: Any, depth: int = 0) -> bool:
    """Safe integers, NFC strings, ASCII keys, shallow nesting: where json.dumps and RFC 8785 agree."""
    if isinstance(value, str):
        return unicodedata.is_normalized("NFC", value) and not _SURROGATE.search(value)
    if isinstance(value, dict | list) and depth >= MAX_NESTING:
        return False
    if isinstance(value, dict):
        return all(key.isascii() and _plainly_encodable(item, depth + 1) for key, item in value.items())
    if isinstance(value, list):
        return all(_plainly_encodable(item, depth + 1) for item in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
    return True


def new_nonce() -> str:
    """128 random bits as 32 lowercase hex digits."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class Statement:
    """A parsed payload: who acts, on what, with which body."""

    type: str
    unit: str
    officer: str
    subject: str
    body: Mapping[str, Any]
    client_time: datetime
    nonce: str

    @classmethod
    def from_payload(cls, payload: bytes) -> Statement:
        """Parse canonical payload bytes strictly; raise PayloadError naming the field."""
        return cls._from_document(_strict_json(payload, "payload"), payload)

    @classmethod
    def from_stored_payload(cls, payload: bytes) -> Statement:
        """Parse a payload the ledger checked on append, without checking it again."""
        document = json.loads(payload)
        return cls(
            type=document["type"],
            unit=document["unit"],
            officer=document["officer"],
            subject=document["subject"],
            body=document["body"],
            client_time=datetime.fromisoformat(document["client_time"]),
            nonce=document["nonce"],
        )

    @classmethod
    def _from_document(cls, document: Any, payload: bytes) -> Statement:
        if not isinstance(document, dict):
            raise EnvelopeError("not_a_json_object", field="payload")
        unknown = sorted(set(document) - set(STATEMENT_FIELDS))
        if unknown:
            raise EnvelopeError("unknown_member", field="payload", name=unknown[0])
        for name in STATEMENT_FIELDS:
            if name not in document:
                raise EnvelopeError("missing_member", field=name)
        for name in ("type", "unit", "officer", "subject", "client_time", "nonce"):
            if not isinstance(document[name], str) or not document[name]:
                raise EnvelopeError("not_a_non_empty_string", field=name)
        if not isinstance(document["body"], dict):
            raise EnvelopeError("not_a_json_object", field="body")
        if not _NONCE.fullmatch(document["nonce"]):
            raise EnvelopeError("not_a_nonce", field="nonce")
        try:
            client_time = datetime.fromisoformat(document["client_time"])
        except ValueError:
            raise EnvelopeError("not_a_date_time", field="client_time") from None
        if client_time.tzinfo is None:
            raise EnvelopeError("no_utc_offset", field="client_time")
        if not is_canonical(document, payload):
            raise EnvelopeError("not_canonical", field="payload")
        return cls(
            type=document["type"],
            unit=document["unit"],
            officer=document["officer"],
            subject=document["subject"],
            body=document["body"],
            client_time=client_time,
            nonce=document["nonce"],
        )


@dataclass(frozen=True)
class Signature:
    """One DSSE signature: the signer's key id (a hint) and 64 signature bytes."""

    keyid: str
    sig: bytes


@dataclass(frozen=True)
class Envelope:
    """A DSSE envelope around one statement, signed by exactly one key."""

    payload_type: str
    payload: bytes
    signatures: tuple[Signature, ...]
    #: Read back from the ledger's own storage, where it was checked when appended: its
    #: statement is parsed without checking the canonical form again. Appending (and so
    #: verification, which replays) always starts from a fresh, unchecked copy.
    stored: bool = field(default=False, compare=False, repr=False)

    @property
    def key_id(self) -> str:
        """The key id the signer names (unauthenticated until `verify` passes)."""
        return self.signatures[0].keyid

    @cached_property
    def statement(self) -> Statement:
        """The parsed payload (parse only after `verify`)."""
        if self.stored:
            return Statement.from_stored_payload(self.payload)
        return Statement.from_payload(self.payload)

    def as_submitted(self) -> Envelope:
        """The same envelope as if just received: nothing about it is taken as checked."""
        return Envelope(self.payload_type, self.payload, self.signatures)

    @classmethod
    def from_storage(cls, document: dict[str, Any]) -> Envelope:
        """The DSSE JSON form as the ledger stored it (written by `to_json`)."""
        signature = document["signatures"][0]
        return cls(
            document["payloadType"],
            base64.b64decode(document["payload"]),
            (Signature(signature["keyid"], base64.b64decode(signature["sig"])),),
            stored=True,
        )

    def verify(self, key: VerifyingKey) -> None:
        """Check the signature over PAE(payloadType, payload); raise SignatureError."""
        from keys import KeysError

        try:
            key.verify(self.signatures[0].sig, pae(self.payload_type, self.payload))
        except KeysError:
            raise EnvelopeSignatureError("signature_does_not_verify", key_id=self.key_id) from None

    def to_json(self) -> dict[str, Any]:
        """The DSSE JSON form: payload and signatures in standard base64."""
        return {
            "payloadType": self.payload_type,
            "payload": base64.b64encode(self.payload).decode(),
            "signatures": [{"keyid": s.keyid, "sig": base64.b64encode(s.sig).decode()} for s in self.signatures],
        }

    def to_bytes(self) -> bytes:
        """The envelope as compact JSON bytes (what a client sends)."""
        return json.dumps(self.to_json(), separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, document: Any) -> Envelope:
        """Read the DSSE JSON form strictly; raise PayloadError naming the field."""
        if not isinstance(document, dict):
            raise EnvelopeError("not_a_json_object", field="envelope")
        unknown = sorted(set(document) - {"payloadType", "payload", "signatures"})
        if unknown:
            raise EnvelopeError("unknown_member", field="envelope", name=unknown[0])
        payload_type = document.get("payloadType")
        if payload_type != PAYLOAD_TYPE:
            raise EnvelopeError("wrong_payload_type", field="payloadType", payload_type=PAYLOAD_TYPE)
        payload = _base64(document.get("payload"), "payload")
        if not payload:
            raise EnvelopeError("empty_payload", field="payload")
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise EnvelopeError("payload_too_large", field="payload", limit=MAX_PAYLOAD_BYTES)
        signatures = document.get("signatures")
        if not isinstance(signatures, list) or len(signatures) != 1:
            raise EnvelopeError("not_one_signature", field="signatures")
        entry = signatures[0]
        if not isinstance(entry, dict) or set(entry) != {"keyid", "sig"}:
            raise EnvelopeError("not_a_signature_entry", field="signatures[0]")
        keyid = entry["keyid"]
        if not isinstance(keyid, str) or not re.fullmatch(r"ed25519:[0-9a-f]{64}", keyid):
            raise EnvelopeError("not_a_key_id", field="signatures[0].keyid")
        sig = _base64(entry["sig"], "signatures[0].sig")
        if len(sig) != 64:
            raise EnvelopeSignatureError("signature_length", field="signatures[0].sig")
        return cls(payload_type, payload, (Signature(keyid, sig),))

    @classmethod
    def from_bytes(cls, data: bytes) -> Envelope:
        """Parse envelope JSON bytes (strict JSON: no duplicate keys, no NaN)."""
        return cls.from_json(_strict_json(data, "envelope"))


def compose(
    statement_type: str,
    *,
    unit: str,
    officer: str,
    subject: str,
    body: Mapping[str, Any],
    client_time: datetime | None = None,
    nonce: str | None = None,
) -> dict[str, Any]:
    """A statement ready to seal, with the client's time and a fresh nonce."""
    moment = client_time or datetime.now().astimezone()
    return {
        "type": statement_type,
        "unit": unit,
        "officer": officer,
        "subject": subject,
        "body": dict(body),
        "client_time": moment.isoformat(timespec="seconds"),
        "nonce": nonce or new_nonce(),
    }


def seal(statement: Mapping[str, Any], key: SigningKey) -> Envelope:
    """Encode `statement` canonically and sign it with `key`."""
    missing = [name for name in STATEMENT_FIELDS if name not in statement]
    if missing:
        raise EnvelopeError("missing_member", field=missing[0])
    payload = canonical_json(statement)
    signature = key.sign(pae(PAYLOAD_TYPE, payload))
    return Envelope(PAYLOAD_TYPE, payload, (Signature(key.key_id, signature),))


@dataclass(frozen=True)
class Author:
    """An officer with their signing key: composes and seals statements in their name."""

    key: SigningKey
    unit: str
    officer: str

    def sign(
        self,
        statement_type: str,
        subject: str,
        body: Mapping[str, Any],
        *,
        client_time: datetime | None = None,
        nonce: str | None = None,
    ) -> Envelope:
        """A sealed envelope of one statement by this author."""
        statement = compose(
            statement_type,
            unit=self.unit,
            officer=self.officer,
            subject=subject,
            body=body,
            client_time=client_time,
            nonce=nonce,
        )
        return seal(statement, self.key)


def _base64(value: Any, field: str) -> bytes:
    if not isinstance(value, str):
        raise EnvelopeError("not_a_base64_string", field=field)
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise EnvelopeError("not_base64", field=field) from None
    if base64.b64encode(decoded).decode() != value:
        raise EnvelopeError("not_canonical_base64", field=field)
    return decoded


def _refuse_constant(name: str) -> None:
    raise EnvelopeError("json_constant", name=name)


def _refuse_float(text: str) -> None:
    raise EnvelopeError("json_fraction", text=text)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise EnvelopeError("json_key_twice", key=key)
        result[key] = value
    return result


def _strict_json(data: bytes, field: str) -> Any:
    """Parse JSON refusing duplicate keys, NaN/Infinity, floats and invalid UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise EnvelopeError("not_utf8", field=field) from None
    try:
        return json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_float=_refuse_float,
            parse_constant=_refuse_constant,
        )
    except EnvelopeError as exc:
        raise type(exc)(exc.code, field=field, **exc.params) from None
    except RecursionError:
        raise EnvelopeError("nested_too_deeply", field=field) from None
    except ValueError as exc:
        raise EnvelopeError("not_json", field=field, detail=str(exc)) from None
