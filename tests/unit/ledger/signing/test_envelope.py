"""Statements, canonical payload bytes and DSSE envelopes (ledger/signing/envelope.py)."""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from world import World, key_for

from keys import SigningKey
from ledger.application import Ledger
from ledger.errors import PayloadError, SignatureError
from ledger.signing.envelope import (
    PAYLOAD_TYPE,
    Author,
    Envelope,
    Signature,
    Statement,
    canonical_json,
    compose,
    nfc,
    pae,
    seal,
)

KEY = SigningKey.from_seed(bytes(range(32)))
OTHER = SigningKey.from_seed(bytes(32))
NONCE = "0123456789abcdef0123456789abcdef"
HANOI = timezone(timedelta(hours=7))
CLIENT_TIME = datetime(2024, 10, 1, 9, 0, tzinfo=HANOI)
MAX_SAFE = 2**53 - 1
KEY_ID = re.compile(r"ed25519:[0-9a-f]{64}")

VIETNAMESE = [
    "Nguyễn Thị Hường",
    "Quyết định",
    "Sở Nội vụ",
    "Ủy ban nhân dân tỉnh Hưng Yên",
    "Hoàn thành xuất sắc nhiệm vụ",
    "Đài Phát thanh và Truyền hình",
]
# Letters with Vietnamese diacritics, base letters and the combining marks NFD produces.
VIETNAMESE_ALPHABET = "".join(sorted(set("".join(VIETNAMESE) + "ăâđêôơưàảãáạằẳẵắặầẩẫấậ ")))
COMBINING_MARKS = "\u0300\u0301\u0303\u0309\u0323\u0306\u0302\u031b"


def statement(body: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    """A statement with a fixed time and nonce, so equal inputs give equal bytes."""
    result = compose(
        "submission.document",
        unit="323",
        officer="hy.chuyen-vien",
        subject="submission/document/323/2024/bao-cao",
        body=body if body is not None else {"title": "Báo cáo"},
        client_time=CLIENT_TIME,
        nonce=NONCE,
    )
    result.update(changes)
    return result


def payload_bytes(document: dict[str, Any]) -> bytes:
    """JSON bytes as RFC 8785 would write them for plain ASCII-keyed documents, without NFC."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signed(payload: bytes, key: SigningKey = KEY) -> Envelope:
    """An envelope over arbitrary payload bytes, correctly signed."""
    return Envelope(PAYLOAD_TYPE, payload, (Signature(key.key_id, key.sign(pae(PAYLOAD_TYPE, payload))),))


def envelope_json(**changes: Any) -> dict[str, Any]:
    document = seal(statement(), KEY).to_json()
    document.update(changes)
    return document


def replace_byte(data: bytes, index: int, value: int) -> bytes:
    changed = bytearray(data)
    changed[index] = value
    return bytes(changed)


# Strategies -----------------------------------------------------------------------------

vietnamese_text = st.one_of(
    st.sampled_from(VIETNAMESE),
    st.text(alphabet=VIETNAMESE_ALPHABET, min_size=1, max_size=30),
    st.text(alphabet=VIETNAMESE_ALPHABET + COMBINING_MARKS, min_size=1, max_size=30),
    st.text(min_size=1, max_size=30),
)
json_keys = st.text(max_size=10).map(lambda s: unicodedata.normalize("NFC", s))
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-MAX_SAFE, max_value=MAX_SAFE),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(json_keys, children, max_size=4),
    ),
    max_leaves=20,
)
json_bodies = st.dictionaries(json_keys, json_values, max_size=6)


# DSSE pre-authentication encoding -------------------------------------------------------


def test_pae_matches_the_dsse_specification_vector() -> None:
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )


def test_pae_counts_bytes_not_characters() -> None:
    payload = "Hưng Yên".encode()
    assert pae("t", payload) == b"DSSEv1 1 t 10 " + payload


def test_the_signature_covers_the_pae_of_the_payload_type_and_bytes() -> None:
    envelope = seal(statement(), KEY)
    KEY.verifying_key.verify(envelope.signatures[0].sig, pae(PAYLOAD_TYPE, envelope.payload))


# NFC at the edge ------------------------------------------------------------------------


@given(text=vietnamese_text)
def test_nfc_and_nfd_text_give_identical_payload_bytes(text: str) -> None:
    composed = unicodedata.normalize("NFC", text)
    decomposed = unicodedata.normalize("NFD", text)
    as_nfc = canonical_json(statement({"title": composed, composed: decomposed}))
    as_nfd = canonical_json(statement({"title": decomposed, decomposed: composed}))
    assert as_nfc == as_nfd == canonical_json(statement({"title": text, text: text}))
    assert unicodedata.is_normalized("NFC", as_nfc.decode())


@given(text=vietnamese_text)
@settings(max_examples=50)
def test_nfc_and_nfd_statements_seal_to_the_same_envelope(text: str) -> None:
    composed = seal(statement({"name": unicodedata.normalize("NFC", text)}), KEY)
    decomposed = seal(statement({"name": unicodedata.normalize("NFD", text)}), KEY)
    assert composed == decomposed
    decomposed.verify(KEY.verifying_key)
    assert decomposed.statement.body == {"name": unicodedata.normalize("NFC", text)}


def test_nguyen_is_six_code_points_in_the_payload_whatever_was_typed() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn")
    assert len(nfd) == 8
    payload = canonical_json({"name": nfd})
    assert payload == '{"name":"Nguyễn"}'.encode()
    assert len(json.loads(payload)["name"]) == 6


def test_keys_that_collide_once_normalised_are_refused() -> None:
    nfc_key = unicodedata.normalize("NFC", "Hường")
    nfd_key = unicodedata.normalize("NFD", "Hường")
    with pytest.raises(PayloadError, match="appears twice once normalised") as info:
        canonical_json({"body": {nfc_key: 1, nfd_key: 2}})
    assert info.value.field == "payload.body"


# What JSON cannot hold ------------------------------------------------------------------


def test_floats_are_refused_with_the_path_of_the_field() -> None:
    with pytest.raises(PayloadError, match="write decimals as strings") as info:
        canonical_json(statement({"results": [{"unit": "323", "score": 87.5}]}))
    assert info.value.field == "payload.body.results[0].score"


def test_sealing_a_statement_with_a_float_is_refused() -> None:
    with pytest.raises(PayloadError, match="numbers with a fraction") as info:
        seal(statement({"score": 1.5}), KEY)
    assert info.value.field == "payload.body.score"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_are_refused_when_sealing(value: float) -> None:
    with pytest.raises(PayloadError) as info:
        canonical_json({"score": value})
    assert info.value.field == "payload.score"


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_are_refused_in_payload_bytes(constant: bytes) -> None:
    payload = canonical_json(statement({"score": 1})).replace(b'"score":1', b'"score":' + constant)
    with pytest.raises(PayloadError, match="is not allowed in JSON") as info:
        Statement.from_payload(payload)
    assert info.value.field == "payload"


@pytest.mark.parametrize("number", [b"1.5", b"87.0", b"1e3", b"-0.0"])
def test_numbers_with_a_fraction_or_exponent_are_refused_in_payload_bytes(number: bytes) -> None:
    payload = canonical_json(statement({"score": 1})).replace(b'"score":1', b'"score":' + number)
    with pytest.raises(PayloadError, match="has a fraction or exponent") as info:
        Statement.from_payload(payload)
    assert info.value.field == "payload"


def test_duplicate_json_keys_are_refused() -> None:
    payload = canonical_json(statement({"score": 1})).replace(b'"score":1', b'"score":1,"score":9')
    with pytest.raises(PayloadError, match="'score' appears twice") as info:
        Statement.from_payload(payload)
    assert info.value.field == "payload"


@pytest.mark.parametrize("value", [2**53, -(2**53), 2**64, 10**100])
def test_integers_beyond_2_to_the_53_are_refused_with_their_path(value: int) -> None:
    with pytest.raises(PayloadError, match="2\\^53") as info:
        canonical_json(statement({"rows": [{"rank": value}]}))
    assert info.value.field == "payload.body.rows[0].rank"


@pytest.mark.parametrize("value", [MAX_SAFE, -MAX_SAFE, 0])
def test_integers_within_the_safe_range_are_kept(value: int) -> None:
    assert json.loads(canonical_json({"rank": value})) == {"rank": value}


def test_integers_beyond_2_to_the_53_are_refused_in_payload_bytes() -> None:
    payload = canonical_json(statement({"rank": 1})).replace(b'"rank":1', b'"rank":9007199254740993')
    with pytest.raises(PayloadError, match="2\\^53") as info:
        Statement.from_payload(payload)
    assert info.value.field == "payload.body.rank"


def test_a_five_thousand_digit_integer_is_refused_as_invalid_json() -> None:
    payload = canonical_json(statement({"rank": 1})).replace(b'"rank":1', b'"rank":' + b"9" * 5000)
    with pytest.raises(PayloadError) as info:
        Statement.from_payload(payload)
    assert info.value.field == "payload"


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb"])
def test_lone_surrogates_are_refused_when_sealing(text: str) -> None:
    with pytest.raises(PayloadError, match="surrogate") as info:
        canonical_json(statement({"title": text}))
    assert info.value.field == "payload.body.title"


def test_lone_surrogates_are_refused_in_payload_bytes() -> None:
    payload = canonical_json(statement({"title": "x"})).replace(b'"title":"x"', b'"title":"\\ud800"')
    with pytest.raises(PayloadError, match="surrogate") as info:
        Statement.from_payload(payload)
    assert info.value.field == "payload.body.title"


@pytest.mark.parametrize("depth", [70, 500, 900, 5000, 200_000])
def test_deeply_nested_payloads_are_refused_cleanly(depth: int) -> None:
    nested = b"[" * depth + b"]" * depth
    payload = canonical_json(statement({"x": 1})).replace(b'"x":1', b'"x":' + nested)
    with pytest.raises(PayloadError, match="nested too deeply"):
        Statement.from_payload(payload)


def test_modest_nesting_is_accepted() -> None:
    nested: Any = []
    for _ in range(20):
        nested = [nested]
    payload = canonical_json(statement({"x": nested}))
    assert Statement.from_payload(payload).body == {"x": nested}


def test_values_that_are_not_json_are_refused() -> None:
    with pytest.raises(PayloadError, match="bytes is not a JSON value") as info:
        nfc({"body": {"document": b"%PDF"}})
    assert info.value.field == "payload.body.document"


def test_object_keys_must_be_strings() -> None:
    with pytest.raises(PayloadError, match="keys must be strings") as info:
        nfc({"body": {1: "one"}})
    assert info.value.field == "payload.body"


# Statement.from_payload -----------------------------------------------------------------


def test_a_canonical_payload_parses_into_its_statement() -> None:
    parsed = Statement.from_payload(canonical_json(statement({"title": "Báo cáo"})))
    assert parsed.type == "submission.document"
    assert parsed.unit == "323"
    assert parsed.officer == "hy.chuyen-vien"
    assert parsed.subject == "submission/document/323/2024/bao-cao"
    assert parsed.body == {"title": "Báo cáo"}
    assert parsed.client_time == CLIENT_TIME
    assert parsed.nonce == NONCE


def test_payload_bytes_with_whitespace_are_refused() -> None:
    document = json.loads(canonical_json(statement()))
    payload = json.dumps(document, sort_keys=True, ensure_ascii=False).encode()  # ", " and ": "
    with pytest.raises(PayloadError, match="canonical form") as info:
        Statement.from_payload(payload)
    assert info.value.field == "payload"


def test_payload_bytes_with_keys_out_of_order_are_refused() -> None:
    document = json.loads(canonical_json(statement()))
    reordered = dict(reversed(list(document.items())))
    payload = json.dumps(reordered, separators=(",", ":"), ensure_ascii=False).encode()
    with pytest.raises(PayloadError, match="canonical form") as info:
        Statement.from_payload(payload)
    assert info.value.field == "payload"


def test_payload_bytes_with_nfd_text_are_refused() -> None:
    document = json.loads(canonical_json(statement({"title": "Quyết định"})))
    document["body"]["title"] = unicodedata.normalize("NFD", "Quyết định")
    payload = payload_bytes(document)
    assert payload != canonical_json(document)
    with pytest.raises(PayloadError, match="canonical form") as info:
        Statement.from_payload(payload)
    assert info.value.field == "payload"


def test_payload_bytes_with_escaped_non_ascii_are_refused() -> None:
    document = json.loads(canonical_json(statement({"title": "Hưng Yên"})))
    payload = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()  # \u01b0 escapes
    with pytest.raises(PayloadError, match="canonical form") as info:
        Statement.from_payload(payload)
    assert info.value.field == "payload"


def test_payload_bytes_that_are_not_utf8_are_refused() -> None:
    payload = canonical_json(statement({"title": "x"})).replace(b'"x"', b'"\xff"')
    with pytest.raises(PayloadError, match="not valid UTF-8") as info:
        Statement.from_payload(payload)
    assert info.value.field == "payload"


def test_a_payload_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(PayloadError, match="must be a JSON object") as info:
        Statement.from_payload(b"[]")
    assert info.value.field == "payload"


def test_unknown_statement_fields_are_refused() -> None:
    payload = canonical_json(statement(comment="xin chào"))
    with pytest.raises(PayloadError, match="unknown field 'comment'") as info:
        Statement.from_payload(payload)
    assert info.value.field == "payload"


@pytest.mark.parametrize("name", ["type", "unit", "officer", "subject", "body", "client_time", "nonce"])
def test_every_statement_field_is_required(name: str) -> None:
    document = statement()
    del document[name]
    with pytest.raises(PayloadError, match="is required") as info:
        Statement.from_payload(canonical_json(document))
    assert info.value.field == name


@pytest.mark.parametrize("name", ["type", "unit", "officer", "subject"])
@pytest.mark.parametrize("value", ["", 7, None, ["323"]])
def test_statement_strings_must_be_non_empty_strings(name: str, value: Any) -> None:
    with pytest.raises(PayloadError, match="non-empty string") as info:
        Statement.from_payload(canonical_json(statement(**{name: value})))
    assert info.value.field == name


def test_the_body_must_be_an_object() -> None:
    document = statement()
    document["body"] = ["title"]
    with pytest.raises(PayloadError, match="must be a JSON object") as info:
        Statement.from_payload(canonical_json(document))
    assert info.value.field == "body"


@pytest.mark.parametrize(
    "client_time",
    ["2024-10-01T09:00:00", "2024-10-01", "2024-10-01 09:00:00"],
)
def test_client_time_without_a_utc_offset_is_refused(client_time: str) -> None:
    with pytest.raises(PayloadError, match="UTC offset") as info:
        Statement.from_payload(canonical_json(statement(client_time=client_time)))
    assert info.value.field == "client_time"


@pytest.mark.parametrize("client_time", ["01/10/2024 09:00", "yesterday", "2024-13-01T09:00:00+07:00"])
def test_client_time_that_is_not_iso_8601_is_refused(client_time: str) -> None:
    with pytest.raises(PayloadError, match="ISO 8601") as info:
        Statement.from_payload(canonical_json(statement(client_time=client_time)))
    assert info.value.field == "client_time"


def test_client_time_with_an_offset_is_read_as_that_instant() -> None:
    parsed = Statement.from_payload(canonical_json(statement(client_time="2024-10-01T09:00:00+07:00")))
    assert parsed.client_time == datetime(2024, 10, 1, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "nonce",
    [
        "0123456789ABCDEF0123456789ABCDEF",  # upper case
        "0123456789abcdef0123456789abcde",  # 31 digits
        "0123456789abcdef0123456789abcdef0",  # 33 digits
        "0123456789abcdef0123456789abcdeg",  # not hex
        "０123456789abcdef0123456789abcdef",  # full-width digit
    ],
)
def test_a_bad_nonce_is_refused(nonce: str) -> None:
    with pytest.raises(PayloadError, match="32 lowercase hex digits") as info:
        Statement.from_payload(canonical_json(statement(nonce=nonce)))
    assert info.value.field == "nonce"


def test_compose_writes_a_fresh_128_bit_nonce_each_time() -> None:
    first = compose("t", unit="u", officer="o", subject="s", body={})
    second = compose("t", unit="u", officer="o", subject="s", body={})
    assert re.fullmatch(r"[0-9a-f]{32}", first["nonce"])
    assert first["nonce"] != second["nonce"]


def test_compose_writes_client_time_with_its_offset() -> None:
    composed = compose("t", unit="u", officer="o", subject="s", body={}, client_time=CLIENT_TIME)
    assert composed["client_time"] == "2024-10-01T09:00:00+07:00"


def test_seal_refuses_a_statement_missing_a_field() -> None:
    document = statement()
    del document["nonce"]
    with pytest.raises(PayloadError, match="is required") as info:
        seal(document, KEY)
    assert info.value.field == "nonce"


# Sign, verify, tamper -------------------------------------------------------------------


@given(body=json_bodies)
@settings(max_examples=75)
def test_sign_then_verify_round_trips_any_json_body(body: dict[str, Any]) -> None:
    envelope = seal(statement(body), KEY)
    envelope.verify(KEY.verifying_key)
    parsed = Statement.from_payload(envelope.payload)
    assert canonical_json(parsed.body) == canonical_json(body)
    assert parsed.body == nfc(body, "payload.body")
    assert Envelope.from_bytes(envelope.to_bytes()) == envelope


@given(data=st.data())
@settings(max_examples=100)
def test_any_changed_byte_of_the_payload_fails_verification(data: st.DataObject) -> None:
    envelope = seal(statement({"title": "Báo cáo cải cách hành chính"}), KEY)
    index = data.draw(st.integers(min_value=0, max_value=len(envelope.payload) - 1))
    value = data.draw(st.integers(min_value=0, max_value=255).filter(lambda b: b != envelope.payload[index]))
    tampered = Envelope(envelope.payload_type, replace_byte(envelope.payload, index, value), envelope.signatures)
    with pytest.raises(SignatureError, match="does not verify"):
        tampered.verify(KEY.verifying_key)


@given(data=st.data())
@settings(max_examples=100)
def test_any_changed_byte_of_the_signature_fails_verification(data: st.DataObject) -> None:
    envelope = seal(statement(), KEY)
    sig = envelope.signatures[0].sig
    index = data.draw(st.integers(min_value=0, max_value=len(sig) - 1))
    value = data.draw(st.integers(min_value=0, max_value=255).filter(lambda b: b != sig[index]))
    tampered = Envelope(
        envelope.payload_type,
        envelope.payload,
        (Signature(envelope.key_id, replace_byte(sig, index, value)),),
    )
    with pytest.raises(SignatureError, match="does not verify"):
        tampered.verify(KEY.verifying_key)
    # The envelope stays well-formed: the change is a signature failure, not a structural one.
    assert Envelope.from_json(tampered.to_json()) == tampered


def test_the_ledger_checks_the_signature_before_it_parses_a_changed_payload() -> None:
    # Even a change that breaks the JSON is a SignatureError: the bytes are verified first.
    world = World.build(Ledger())
    original = world["hy.chuyen-vien"].sign("unit.rename", "unit/323", {"name": "Tên mới", "decision": "QĐ 1"})
    head = world.ledger.head

    @given(data=st.data())
    @settings(max_examples=50)
    def check(data: st.DataObject) -> None:
        index = data.draw(st.integers(min_value=0, max_value=len(original.payload) - 1))
        value = data.draw(st.integers(min_value=0, max_value=255).filter(lambda b: b != original.payload[index]))
        tampered = Envelope(PAYLOAD_TYPE, replace_byte(original.payload, index, value), original.signatures)
        with pytest.raises(SignatureError, match="does not verify"):
            world.ledger.append(tampered)
        assert world.ledger.head == head

    check()


def test_a_changed_payload_type_fails_verification() -> None:
    envelope = seal(statement(), KEY)
    tampered = Envelope("application/json", envelope.payload, envelope.signatures)
    with pytest.raises(SignatureError):
        tampered.verify(KEY.verifying_key)


def test_verification_with_another_key_fails() -> None:
    with pytest.raises(SignatureError, match="does not verify"):
        seal(statement(), KEY).verify(OTHER.verifying_key)


def test_a_valid_signature_over_a_different_canonicalisation_is_refused() -> None:
    document = json.loads(canonical_json(statement()))
    payload = json.dumps(document, sort_keys=True, ensure_ascii=False).encode()
    envelope = signed(payload)
    envelope.verify(KEY.verifying_key)  # the signature is fine; the bytes are not canonical
    with pytest.raises(PayloadError, match="canonical form") as info:
        _ = envelope.statement
    assert info.value.field == "payload"


def test_any_changed_character_of_the_key_id_is_refused_by_the_ledger() -> None:
    world = World.build(Ledger())
    author = world["hy.chuyen-vien"]
    original = author.sign("unit.rename", "unit/323", {"name": "Thành phố Hưng Yên mới", "decision": "QĐ 1"})
    keyid = original.key_id
    head = world.ledger.head

    @given(
        index=st.integers(min_value=0, max_value=len(keyid) - 1),
        char=st.characters(min_codepoint=0x21, max_codepoint=0x7E),
    )
    @settings(max_examples=100)
    def check(index: int, char: str) -> None:
        if keyid[index] == char:
            return
        changed = keyid[:index] + char + keyid[index + 1 :]
        document = original.to_json()
        document["signatures"][0]["keyid"] = changed
        if not KEY_ID.fullmatch(changed):
            with pytest.raises(PayloadError, match="'ed25519:' and 64 hex digits") as info:
                Envelope.from_json(document)
            assert info.value.field == "signatures[0].keyid"
        else:
            tampered = Envelope.from_json(document)
            with pytest.raises(SignatureError, match="never registered"):
                world.ledger.append(tampered)
        assert world.ledger.head == head

    check()


def test_an_envelope_naming_one_registered_key_but_signed_by_another_is_refused() -> None:
    world = World.build(Ledger())
    envelope = world["hy.chuyen-vien"].sign("unit.rename", "unit/323", {"name": "Tên mới", "decision": "QĐ 1"})
    other = key_for("vl.chu-tich").key_id
    swapped = Envelope(envelope.payload_type, envelope.payload, (Signature(other, envelope.signatures[0].sig),))
    head = world.ledger.head
    with pytest.raises(SignatureError, match="does not verify"):
        world.ledger.append(swapped)
    assert world.ledger.head == head


# Envelope JSON --------------------------------------------------------------------------


def test_envelope_json_round_trips() -> None:
    envelope = seal(statement({"title": "Quyết định số 12/QĐ-UBND"}), KEY)
    assert Envelope.from_json(envelope.to_json()) == envelope
    assert Envelope.from_bytes(envelope.to_bytes()) == envelope
    assert Envelope.from_json(json.loads(envelope.to_bytes())) == envelope


def test_envelope_json_is_the_dsse_form() -> None:
    envelope = seal(statement(), KEY)
    document = envelope.to_json()
    assert set(document) == {"payloadType", "payload", "signatures"}
    assert document["payloadType"] == PAYLOAD_TYPE
    assert base64.b64decode(document["payload"]) == envelope.payload
    assert document["signatures"] == [
        {"keyid": KEY.key_id, "sig": base64.b64encode(envelope.signatures[0].sig).decode()}
    ]


def test_envelope_payload_bytes_are_kept_exactly() -> None:
    envelope = seal(statement({"title": "Hưng Yên"}), KEY)
    assert (
        Envelope.from_bytes(envelope.to_bytes()).payload
        == envelope.payload
        == canonical_json(statement({"title": "Hưng Yên"}))
    )


@pytest.mark.parametrize("count", [0, 2])
def test_an_envelope_needs_exactly_one_signature(count: int) -> None:
    one = envelope_json()["signatures"][0]
    with pytest.raises(PayloadError, match="exactly one signature") as info:
        Envelope.from_json(envelope_json(signatures=[one] * count))
    assert info.value.field == "signatures"


def test_an_envelope_without_signatures_is_refused() -> None:
    document = envelope_json()
    del document["signatures"]
    with pytest.raises(PayloadError, match="exactly one signature") as info:
        Envelope.from_json(document)
    assert info.value.field == "signatures"


@pytest.mark.parametrize("payload_type", ["application/json", "", None, "application/vnd.in-toto+json"])
def test_an_envelope_with_another_payload_type_is_refused(payload_type: Any) -> None:
    with pytest.raises(PayloadError, match=re.escape(f"must be {PAYLOAD_TYPE!r}")) as info:
        Envelope.from_json(envelope_json(payloadType=payload_type))
    assert info.value.field == "payloadType"


@pytest.mark.parametrize("payload", ["not base64!", "eyJ", "eyJhIjoxfQ", "e yJhIjoxfQ==", "eyJhIjoxfQ==="])
def test_an_envelope_with_invalid_base64_payload_is_refused(payload: str) -> None:
    with pytest.raises(PayloadError, match="not valid base64") as info:
        Envelope.from_json(envelope_json(payload=payload))
    assert info.value.field == "payload"


def test_an_envelope_with_an_empty_payload_is_refused() -> None:
    with pytest.raises(PayloadError, match="is empty") as info:
        Envelope.from_json(envelope_json(payload=""))
    assert info.value.field == "payload"


def test_an_envelope_whose_payload_is_not_a_string_is_refused() -> None:
    with pytest.raises(PayloadError, match="base64 string") as info:
        Envelope.from_json(envelope_json(payload=["eyJ9"]))
    assert info.value.field == "payload"


def test_an_envelope_with_invalid_base64_signature_is_refused() -> None:
    document = envelope_json()
    document["signatures"][0]["sig"] = "****"
    with pytest.raises(PayloadError, match="not valid base64") as info:
        Envelope.from_json(document)
    assert info.value.field == "signatures[0].sig"


@pytest.mark.parametrize("size", [0, 63, 65])
def test_a_signature_that_is_not_64_bytes_is_refused(size: int) -> None:
    document = envelope_json()
    document["signatures"][0]["sig"] = base64.b64encode(bytes(size)).decode()
    with pytest.raises(SignatureError, match="64 bytes") as info:
        Envelope.from_json(document)
    assert info.value.field == "signatures[0].sig"


@pytest.mark.parametrize(
    "keyid",
    [
        "ed25519:" + "A" * 64,
        "ed25519:" + "a" * 63,
        "rsa:" + "a" * 64,
        "a" * 64,
        None,
    ],
)
def test_a_malformed_key_id_is_refused(keyid: Any) -> None:
    document = envelope_json()
    document["signatures"][0]["keyid"] = keyid
    with pytest.raises(PayloadError, match="'ed25519:' and 64 hex digits") as info:
        Envelope.from_json(document)
    assert info.value.field == "signatures[0].keyid"


@pytest.mark.parametrize(
    "entry",
    [{"keyid": KEY.key_id}, {"keyid": KEY.key_id, "sig": "", "extra": 1}, "ed25519:x", None],
)
def test_a_signature_entry_must_hold_exactly_keyid_and_sig(entry: Any) -> None:
    with pytest.raises(PayloadError, match="'keyid' and 'sig'") as info:
        Envelope.from_json(envelope_json(signatures=[entry]))
    assert info.value.field == "signatures[0]"


def test_an_envelope_with_an_unknown_field_is_refused() -> None:
    with pytest.raises(PayloadError, match="unknown field 'payload_type'") as info:
        Envelope.from_json(envelope_json(payload_type=PAYLOAD_TYPE))
    assert info.value.field == "envelope"


@pytest.mark.parametrize("document", [[], "envelope", None, 7])
def test_an_envelope_that_is_not_an_object_is_refused(document: Any) -> None:
    with pytest.raises(PayloadError, match="must be a JSON object") as info:
        Envelope.from_json(document)
    assert info.value.field == "envelope"


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"{", "not valid JSON"),
        (b"", "not valid JSON"),
        (b'{"payloadType":"a","payloadType":"b"}', "appears twice"),
        (b'{"payload":NaN}', "not allowed in JSON"),
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_malformed_envelope_bytes_are_refused(data: bytes, match: str) -> None:
    with pytest.raises(PayloadError, match=match) as info:
        Envelope.from_bytes(data)
    assert info.value.field == "envelope"


def test_an_oversized_payload_is_refused() -> None:
    big = base64.b64encode(b" " * ((1 << 20) + 1)).decode()
    with pytest.raises(PayloadError, match="larger than") as info:
        Envelope.from_json(envelope_json(payload=big))
    assert info.value.field == "payload"


# Author ---------------------------------------------------------------------------------


def test_an_author_signs_in_their_own_name() -> None:
    author = Author(KEY, "323", "hy.chuyen-vien")
    envelope = author.sign("unit.rename", "unit/323", {"name": "Tên"}, client_time=CLIENT_TIME, nonce=NONCE)
    envelope.verify(KEY.verifying_key)
    assert envelope.key_id == KEY.key_id
    parsed = envelope.statement
    assert (parsed.unit, parsed.officer, parsed.type, parsed.subject) == (
        "323",
        "hy.chuyen-vien",
        "unit.rename",
        "unit/323",
    )
    assert parsed.nonce == NONCE
    assert parsed.client_time == CLIENT_TIME


def test_signing_is_deterministic_for_equal_statements() -> None:
    assert seal(statement(), KEY) == seal(statement(), KEY)
    assert seal(statement(), KEY) != seal(statement(), OTHER)
