"""The ledger's own order: contiguous sequence numbers and the leaf bytes of each entry.

Database ids may have gaps and are no evidence, so every stored event gets a sequence
number 1, 2, 3, … in a log row written in the same transaction as the event. The row
keeps the entry's leaf hash (RFC 9162: SHA-256(0x00 ‖ leaf)), where the leaf is a
line-based framing of the event as stored, specified in docs/formats.md, and the hashes of
the Merkle subtrees the entry completes. It also holds `EVENT_TYPES`, the one list of
event types a leaf may carry. This module imports only the standard library (and the
stdlib-only `ledger.tlog.merkle`) so that an offline verifier can use it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from ledger.tlog.errors import LeafError
from ledger.tlog.merkle import HASH_SIZE

LEAF_HEADER = "par-ledger/leaf/v1"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_LINE = re.compile(r"[\x21-\x7e]+")  # printable ASCII without spaces

INITIALISED = "par:Authority.Initialised.v1"
KEY_REGISTERED = "par:Key.Registered.v1"
KEY_REVOKED = "par:Key.Revoked.v1"

EVENT_TYPES = frozenset(
    {
        INITIALISED,
        "par:Unit.Registered.v1",
        "par:Unit.Renamed.v1",
        "par:Unit.Merged.v1",
        "par:Unit.Dissolved.v1",
        "par:Unit.HeadAppointed.v1",
        "par:Officer.Registered.v1",
        "par:Officer.RolesChanged.v1",
        KEY_REGISTERED,
        KEY_REVOKED,
        "par:Index.Defined.v1",
        "par:Index.Proposed.v1",
        "par:Index.Approved.v1",
        "par:Cycle.Opened.v1",
        "par:Cycle.DeadlineAdjusted.v1",
        "par:RuleSet.Issued.v1",
        "par:Submission.Filed.v1",
        "par:Submission.Corrected.v1",
        "par:Submission.Transmitted.v1",
        "par:Rating.Computed.v1",
        "par:Rating.Recomputed.v1",
        "par:Rating.Decided.v1",
        "par:Rating.IndividualPublished.v1",
        "par:Rating.AppealFiled.v1",
        "par:Rating.AppealResolved.v1",
    }
)
"""Every event type a leaf may carry (docs/formats.md §4): the domain's records, by topic."""


@dataclass(frozen=True)
class Leaf:
    """One ledger entry as the Merkle log sees it."""

    seq: int
    aggregate_id: UUID
    version: int
    event_type: str
    recorded_at: datetime
    payload_type: str
    payload: bytes
    key_id: str
    signature: bytes

    def to_bytes(self) -> bytes:
        """The leaf's exact bytes: ASCII lines, each a name, a space and a value."""
        for name, value in (
            ("type", self.event_type),
            ("payload-type", self.payload_type),
            ("key", self.key_id),
        ):
            if not _LINE.fullmatch(value):
                raise LeafError("leaf_value_unframable", name=name, value=value)
        lines = (
            LEAF_HEADER,
            f"seq {self.seq}",
            f"aggregate {self.aggregate_id}",
            f"version {self.version}",
            f"type {self.event_type}",
            f"time {format_time(self.recorded_at)}",
            f"payload-type {self.payload_type}",
            f"payload {base64.b64encode(self.payload).decode()}",
            f"signature {self.key_id} {base64.b64encode(self.signature).decode()}",
        )
        return ("\n".join(lines) + "\n").encode("ascii")

    def hash(self) -> bytes:
        """The RFC 9162 leaf hash of these bytes."""
        return leaf_hash(self.to_bytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> Leaf:
        """Parse leaf bytes strictly: the framing must round-trip exactly."""
        try:
            text = data.decode("ascii")
        except UnicodeDecodeError:
            raise LeafError("leaf_not_ascii") from None
        lines = text.split("\n")
        if len(lines) != 10 or lines[-1] != "" or lines[0] != LEAF_HEADER:
            raise LeafError("leaf_line_count", header=LEAF_HEADER)
        names = (
            "seq",
            "aggregate",
            "version",
            "type",
            "time",
            "payload-type",
            "payload",
            "signature",
        )
        values: dict[str, str] = {}
        for name, line in zip(names, lines[1:9], strict=True):
            prefix = name + " "
            if not line.startswith(prefix):
                raise LeafError("leaf_line_expected", name=name, found=line[:40])
            values[name] = line[len(prefix) :]
        try:
            key_id, signature = values["signature"].split(" ")
            leaf = cls(
                seq=int(values["seq"]),
                aggregate_id=UUID(values["aggregate"]),
                version=int(values["version"]),
                event_type=values["type"],
                recorded_at=datetime.strptime(values["time"], _TIME_FORMAT).replace(tzinfo=UTC),
                payload_type=values["payload-type"],
                payload=base64.b64decode(values["payload"], validate=True),
                key_id=key_id,
                signature=base64.b64decode(signature, validate=True),
            )
        except ValueError as exc:
            raise LeafError("leaf_field_unreadable", detail=str(exc)) from None
        if leaf.to_bytes() != data:
            raise LeafError("leaf_not_canonical")
        return leaf


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 ‖ data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def format_time(moment: datetime) -> str:
    """UTC with exactly six fractional digits, so one instant has one spelling.

    Written field by field: strftime's %Y drops leading zeros of years before 1000
    on glibc, which would break the documented YYYY and the round trip.
    """
    m = moment.astimezone(UTC)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}.{m.microsecond:06d}Z"


def completing_seq(level: int, index: int) -> int:
    """The entry whose append completes Merkle subtree (`level`, `index`): the last leaf under it.

    That entry's log row keeps the subtree's hash (at level 0, its leaf hash), so the log
    rows alone hold the whole tree, and an append writes one row.
    """
    return (index + 1) << level


def subtree_in_row(level: int, leaf_hash: bytes, subtrees: bytes) -> bytes | None:
    """The hash of the subtree at `level` that a log row keeps (None if it keeps none there)."""
    if level == 0:
        return leaf_hash
    digest = subtrees[(level - 1) * HASH_SIZE : level * HASH_SIZE]
    return digest if len(digest) == HASH_SIZE else None


def subtrees_completed(seq: int) -> int:
    """How many subtrees above its leaf the entry at `seq` completes: its trailing zero bits."""
    return (seq & -seq).bit_length() - 1


@dataclass(frozen=True)
class LogEntry:
    """The row written beside a stored event: its position and what makes it unique."""

    seq: int
    originator_id: UUID
    originator_version: int
    nonce: str
    leaf_hash: bytes
    #: The hashes of the Merkle subtrees this leaf completes above itself, levels 1, 2, …
    #: concatenated: one per trailing zero bit of `seq` (see `completing_seq`).
    subtrees: bytes = b""
    #: The signed checkpoint note of the tree that ends with this entry (tree size = seq).
    checkpoint: bytes | None = None
