"""The append benchmark's workload: the registry a fresh ledger needs, then the timed commands, signed up front."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from keys import SigningKey, VerifyingKey
from ledger.application import Ledger
from ledger.signing.envelope import PAYLOAD_TYPE, Author, Envelope, Signature

COMMANDS = ("officer.register", "cycle.adjust-deadline")
CLIENT_TIME = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def key_for(name: str) -> SigningKey:
    """A reproducible key per officer (benchmark only)."""
    return SigningKey.from_seed(hashlib.sha256(f"bench key {name}".encode()).digest())


@dataclass(frozen=True)
class Signed:
    """A pre-signed envelope as it arrives: payload bytes and signature (no parsed state)."""

    payload: bytes
    key_id: str
    sig: bytes

    def envelope(self) -> Envelope:
        """A fresh Envelope object, so no run profits from another's parsed statement."""
        return Envelope(PAYLOAD_TYPE, self.payload, (Signature(self.key_id, self.sig),))


@dataclass
class Workload:
    """The registry statements a fresh ledger needs, then the timed commands."""

    command: str
    setup: list[Signed]
    timed: list[Signed]
    signer: VerifyingKey
    ledger_options: dict[str, Any] = field(default_factory=dict)

    def open_ledger(self, env: dict[str, str]) -> Ledger:
        return Ledger(env=env, **self.ledger_options)


def _signed(author: Author, statement_type: str, subject: str, body: dict[str, Any], n: int) -> Signed:
    client_time = CLIENT_TIME + timedelta(seconds=n)
    nonce = hashlib.sha256(f"bench nonce {n}".encode()).hexdigest()[:32]
    envelope = author.sign(statement_type, subject, body, client_time=client_time, nonce=nonce)
    return Signed(envelope.payload, envelope.key_id, envelope.signatures[0].sig)


def build_workload(command: str, events: int) -> Workload:
    """Sign everything up front: a minimal registry (authority, SNV, its head), then `events` commands."""
    root_key, head_key = key_for("root"), key_for("snv.giam-doc")
    root = Author(root_key, "authority", "root")
    head = Author(head_key, "SNV", "snv.giam-doc")
    n = iter(range(1, 10**9))
    registry: list[tuple[Author, str, str, dict[str, Any]]] = [
        (root, "ledger.initialise", "authority",
         {"name": "UBND tỉnh Hưng Yên", "root_public_key": root_key.verifying_key.base64}),
        (root, "unit.register", "unit/SNV",
         {"name": "Sở Nội vụ", "class": "department", "functions": ["home_affairs"]}),
        (root, "officer.register", "officer/snv.giam-doc",
         {"name": "Giám đốc Sở Nội vụ", "unit": "SNV", "roles": ["officer"]}),
        (root, "key.register", f"key/{head_key.key_id}",
         {"public_key": head_key.verifying_key.base64, "officer": "snv.giam-doc"}),
        (root, "unit.appoint-head", "unit/SNV",
         {"officer": "snv.giam-doc", "decision": "QĐ 15/QĐ-UBND bổ nhiệm Giám đốc"}),
    ]  # fmt: skip
    setup = [_signed(author, kind, subject, body, next(n)) for author, kind, subject, body in registry]
    deadlines = {
        "results_published": "2024-11-01",
        "results_transmitted": "2024-11-05",
        "ratings_published": "2024-11-15",
    }
    timed: list[Signed] = []
    if command == "officer.register":
        # The head of Sở Nội vụ registers new staff of the unit: a new record per command.
        for i in range(1, events + 1):
            body = {"name": f"Chuyên viên Sở Nội vụ số {i:05d}", "unit": "SNV", "roles": ["officer"]}
            timed.append(_signed(head, "officer.register", f"officer/snv.cv-{i:05d}", body, next(n)))
    elif command == "cycle.adjust-deadline":
        # Sở Nội vụ moves one deadline back and forth: one record that keeps growing.
        setup.append(_signed(head, "cycle.open", "cycle/2024", {"deadlines": deadlines}, next(n)))
        for i in range(1, events + 1):
            body = {
                "obligation": "results_published",
                "date": "2024-11-08" if i % 2 else "2024-11-01",
                "reason": f"Điều chỉnh hạn công bố kết quả lần {i} theo đề nghị của các sở",
            }
            timed.append(_signed(head, "cycle.adjust-deadline", "cycle/2024", body, next(n)))
    else:  # pragma: no cover - argparse restricts the choice
        raise ValueError(command)
    return Workload(command, setup, timed, head_key.verifying_key)
