"""Leaf framing of ledger entries (ledger/tlog/log.py), as docs/formats.md §4 specifies it."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.tlog.log import LEAF_HEADER, Leaf, LeafError, format_time, leaf_hash

PAYLOAD_TYPE = "application/vnd.par-ledger.statement+json"
KEY_ID = "ed25519:" + "ab" * 32
AGGREGATE = UUID("e699c9df-cbe7-567c-b8fb-2db5a75e5792")
AT = datetime(2024, 10, 1, 2, 0, tzinfo=UTC)


def leaf(**changes: object) -> Leaf:
    fields: dict[str, object] = {
        "seq": 33,
        "aggregate_id": AGGREGATE,
        "version": 1,
        "event_type": "par:Submission.Filed.v1",
        "recorded_at": AT,
        "payload_type": PAYLOAD_TYPE,
        "payload": b'{"type":"submission.index-results"}',
        "key_id": KEY_ID,
        "signature": bytes(range(64)),
    }
    fields.update(changes)
    return Leaf(**fields)  # type: ignore[arg-type]


LEAF = leaf()
EXPECTED = (
    "par-ledger/leaf/v1\n"
    "seq 33\n"
    "aggregate e699c9df-cbe7-567c-b8fb-2db5a75e5792\n"
    "version 1\n"
    "type par:Submission.Filed.v1\n"
    "time 2024-10-01T02:00:00.000000Z\n"
    f"payload-type {PAYLOAD_TYPE}\n"
    f"payload {base64.b64encode(LEAF.payload).decode()}\n"
    f"signature {KEY_ID} {base64.b64encode(bytes(range(64))).decode()}\n"
).encode()


def lines() -> list[bytes]:
    return EXPECTED.split(b"\n")


# Strategies -----------------------------------------------------------------------------

framable = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=40)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
instants = st.datetimes(
    min_value=datetime(1, 1, 2),  # leaves room for any offset on the way to UTC
    max_value=datetime(9999, 12, 30),
    timezones=offsets,
)
leaves = st.builds(
    Leaf,
    seq=st.integers(min_value=1, max_value=2**63 - 1),
    aggregate_id=st.uuids(),
    version=st.integers(min_value=1, max_value=2**31),
    event_type=framable,
    recorded_at=instants,
    payload_type=framable,
    payload=st.binary(max_size=300),
    key_id=framable,
    signature=st.binary(min_size=64, max_size=64),
)


# The framing ----------------------------------------------------------------------------


def test_a_leaf_is_framed_as_documented() -> None:
    assert LEAF.to_bytes() == EXPECTED
    assert EXPECTED.startswith(LEAF_HEADER.encode() + b"\n")


@given(given_leaf=leaves)
def test_leaf_bytes_round_trip(given_leaf: Leaf) -> None:
    data = given_leaf.to_bytes()
    parsed = Leaf.from_bytes(data)
    assert parsed == given_leaf
    assert parsed.to_bytes() == data
    assert data.isascii()
    assert data.endswith(b"\n")
    assert data.count(b"\n") == 9


def test_one_instant_has_one_spelling_whatever_its_offset() -> None:
    in_hanoi = AT.astimezone(timezone(timedelta(hours=7)))
    assert leaf(recorded_at=in_hanoi).to_bytes() == LEAF.to_bytes()
    assert format_time(in_hanoi) == "2024-10-01T02:00:00.000000Z"


def test_zero_microseconds_are_still_written() -> None:
    assert b"time 2024-10-01T02:00:00.000000Z\n" in LEAF.to_bytes()
    assert format_time(AT.replace(microsecond=5)) == "2024-10-01T02:00:00.000005Z"


@given(instant=instants)
def test_the_time_is_always_yyyy_mm_dd_with_six_fraction_digits(instant: datetime) -> None:
    text = format_time(instant)
    assert len(text) == len("2024-10-01T02:00:00.000000Z")
    assert text.endswith("Z")
    assert datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC) == instant


def test_a_leaf_read_back_is_in_utc() -> None:
    parsed = Leaf.from_bytes(leaf(recorded_at=AT.astimezone(timezone(timedelta(hours=7)))).to_bytes())
    assert parsed.recorded_at.utcoffset() == timedelta(0)
    assert parsed.recorded_at == AT


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("event_type", "par:Submission Filed"),
        ("event_type", ""),
        ("payload_type", "application/json; charset=utf-8"),
        ("key_id", "ed25519:ab cd"),
        ("key_id", "ed25519:ä"),
        ("event_type", "a\nb"),
    ],
)
def test_values_that_cannot_be_framed_are_refused(name: str, value: str) -> None:
    with pytest.raises(LeafError, match="cannot be framed"):
        leaf(**{name: value}).to_bytes()


# Refusing every other framing -----------------------------------------------------------


def test_an_extra_line_is_refused() -> None:
    with pytest.raises(LeafError, match="header and 8 lines"):
        Leaf.from_bytes(EXPECTED + b"note extra\n")


def test_a_missing_final_newline_is_refused() -> None:
    with pytest.raises(LeafError, match="header and 8 lines"):
        Leaf.from_bytes(EXPECTED[:-1])


def test_a_missing_line_is_refused() -> None:
    parts = lines()
    del parts[4]
    with pytest.raises(LeafError, match="header and 8 lines"):
        Leaf.from_bytes(b"\n".join(parts))


def test_reordered_lines_are_refused() -> None:
    parts = lines()
    parts[2], parts[3] = parts[3], parts[2]
    with pytest.raises(LeafError, match="expected the line 'aggregate'"):
        Leaf.from_bytes(b"\n".join(parts))


def test_another_header_is_refused() -> None:
    with pytest.raises(LeafError, match="header"):
        Leaf.from_bytes(EXPECTED.replace(b"leaf/v1", b"leaf/v2", 1))


def test_crlf_line_endings_are_refused() -> None:
    with pytest.raises(LeafError):
        Leaf.from_bytes(EXPECTED.replace(b"\n", b"\r\n"))


def test_non_ascii_leaf_bytes_are_refused() -> None:
    with pytest.raises(LeafError, match="not ASCII"):
        Leaf.from_bytes(EXPECTED.replace(b"par:Submission", "par:Sở".encode()))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"seq 33\n", b"seq 033\n"),
        (b"seq 33\n", b"seq +33\n"),
        (b"seq 33\n", b"seq  33\n"),
        (b"seq 33\n", b"seq 3_3\n"),
        (b"version 1\n", b"version 01\n"),
        (b"aggregate e699c9df", b"aggregate E699C9DF"),
        (b"aggregate e699c9df-cbe7-567c-b8fb-2db5a75e5792", b"aggregate e699c9dfcbe7567cb8fb2db5a75e5792"),
        (b"aggregate e699c9df-cbe7-567c-b8fb-2db5a75e5792", b"aggregate {e699c9df-cbe7-567c-b8fb-2db5a75e5792}"),
        (b"time 2024-10-01T02:00:00.000000Z", b"time 2024-10-01T02:00:00Z"),
        (b"time 2024-10-01T02:00:00.000000Z", b"time 2024-10-01T09:00:00.000000+07:00"),
        (b"time 2024-10-01T02:00:00.000000Z", b"time 2024-10-01T02:00:00.000000z"),
        (b"time 2024-10-01T02:00:00.000000Z", b"time 2024-10-01 02:00:00.000000Z"),
    ],
)
def test_another_spelling_of_the_same_values_is_refused(old: bytes, new: bytes) -> None:
    assert old in EXPECTED
    with pytest.raises(LeafError):
        Leaf.from_bytes(EXPECTED.replace(old, new, 1))


def test_a_payload_in_non_canonical_base64_is_refused() -> None:
    data = leaf(payload=b"hi").to_bytes()
    assert b"payload aGk=\n" in data
    with pytest.raises(LeafError, match="canonical framing"):
        Leaf.from_bytes(data.replace(b"payload aGk=\n", b"payload aGl=\n"))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"payload ", b"payload !"),
        (f"signature {KEY_ID} ".encode(), f"signature {KEY_ID}  ".encode()),
        (f"signature {KEY_ID} ".encode(), b"signature "),
        (b"seq 33", b"seq thirty-three"),
        (b"aggregate e699c9df", b"aggregate z699c9df"),
        (b"time 2024-10-01", b"time 2024-02-30"),
    ],
)
def test_unreadable_values_are_refused(old: bytes, new: bytes) -> None:
    with pytest.raises(LeafError, match="cannot be read"):
        Leaf.from_bytes(EXPECTED.replace(old, new, 1))


@given(data=st.data())
def test_from_bytes_accepts_only_bytes_it_would_write_itself(data: st.DataObject) -> None:
    original = data.draw(leaves).to_bytes()
    index = data.draw(st.integers(min_value=0, max_value=len(original) - 1))
    value = data.draw(st.integers(min_value=0, max_value=255))
    changed = bytearray(original)
    changed[index] = value
    mutated = bytes(changed)
    try:
        parsed = Leaf.from_bytes(mutated)
    except LeafError:
        return
    assert parsed.to_bytes() == mutated


# Leaf hash ------------------------------------------------------------------------------


def test_the_leaf_hash_is_sha256_of_a_zero_byte_and_the_leaf() -> None:
    assert leaf_hash(EXPECTED) == hashlib.sha256(b"\x00" + EXPECTED).digest()
    assert LEAF.hash() == leaf_hash(LEAF.to_bytes())


def test_the_leaf_hash_of_the_empty_leaf_is_rfc_6962s() -> None:
    assert leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"


def test_the_leaf_hash_differs_from_a_plain_sha256() -> None:
    assert leaf_hash(EXPECTED) != hashlib.sha256(EXPECTED).digest()
    assert len(leaf_hash(EXPECTED)) == 32


@given(given_leaf=leaves, seq=st.integers(min_value=1, max_value=2**63 - 1))
def test_the_position_is_part_of_what_is_hashed(given_leaf: Leaf, seq: int) -> None:
    moved = Leaf(
        seq,
        given_leaf.aggregate_id,
        given_leaf.version,
        given_leaf.event_type,
        given_leaf.recorded_at,
        given_leaf.payload_type,
        given_leaf.payload,
        given_leaf.key_id,
        given_leaf.signature,
    )
    assert (moved.hash() == given_leaf.hash()) == (seq == given_leaf.seq)
