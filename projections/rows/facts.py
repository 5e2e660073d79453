"""A ledger entry as the views see it: a `Fact`, read from a decoded event or straight from its stored JSON."""

from __future__ import annotations

import json
from binascii import a2b_base64
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from ledger.domain.local_time import LOCAL_TIME


@dataclass(slots=True)
class Fact:
    """One ledger entry as the views see it."""

    seq: int
    at: str  # server time of recording, ISO 8601 in UTC
    event_type: str
    key_id: str
    leaf_hash: str  # hex
    type: str
    unit: str
    officer: str
    subject: str
    body: dict[str, Any]

    @property
    def local_date(self) -> str:
        """The recording date in Hưng Yên (Asia/Ho_Chi_Minh), ISO: what deadlines are about."""
        return _local_date(self.at[:13])  # by the hour: ``YYYY-MM-DDTHH``


@lru_cache(maxsize=1024)
def _local_date(utc_hour: str) -> str:
    """The date in Hưng Yên during the UTC hour ``YYYY-MM-DDTHH``: one for the whole hour, since its
    offset from UTC has been whole hours since 1911 (a rebuild asks for it once per entry)."""
    return datetime.fromisoformat(f"{utc_hour}:00+00:00").astimezone(LOCAL_TIME).date().isoformat()


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


_decode_json = json.JSONDecoder().raw_decode  # (value, end): the stored JSON has no whitespace around it


def fact_of(seq: int, leaf_hash: bytes, event_type: str, event: Any) -> Fact:
    """The fact of a decoded ledger event stored at `seq` (its envelope's payload parsed once)."""
    envelope = event.envelope
    at = _utc_iso(event.timestamp)
    return _fact(seq, leaf_hash, event_type, at, envelope.signatures[0].keyid, envelope.payload)


def fact_of_state(seq: int, leaf_hash: bytes, event_type: str, state: bytes) -> Fact | None:
    """The fact of an event whose stored state is the JSON the ledger's transcoder writes, read
    without building the event object (None if the state is not in that form).

    A rebuild reads every entry once: building each event (an object hook per JSON object,
    the signature decoded, the event class instantiated) only to take its time, key id and
    payload would cost as much again as parsing the JSON. The fields read are those
    `fact_of` takes from the event; tests check the two give equal facts.
    """
    document = _decode_json(state.decode())[0]
    try:
        timestamp, envelope = document["timestamp"], document["envelope"]
        if timestamp["_type_"] != "datetime_iso" or envelope["_type_"] != "dsse":
            return None
        at = timestamp["_data_"]
        if not at.endswith("+00:00"):  # the ledger records UTC, written as ``isoformat()`` writes it
            at = _utc_iso(datetime.fromisoformat(at))
        dsse = envelope["_data_"]
        payload = a2b_base64(dsse["payload"])  # what base64.b64decode does, without its checks of the type
        key_id = dsse["signatures"][0]["keyid"]
    except (KeyError, TypeError, IndexError, ValueError):
        return None
    return _fact(seq, leaf_hash, event_type, at, key_id, payload)


def _fact(seq: int, leaf_hash: bytes, event_type: str, at: str, key_id: str, payload: bytes) -> Fact:
    statement = _decode_json(payload.decode())[0]
    return Fact(
        seq=seq,
        at=at,
        event_type=event_type,
        key_id=key_id,
        leaf_hash=leaf_hash.hex(),
        type=statement["type"],
        unit=statement["unit"],
        officer=statement["officer"],
        subject=statement["subject"],
        body=statement["body"],
    )
