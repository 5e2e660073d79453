"""The verify benchmark's export: its statements signed, framed as leaves, checkpointed and written as two
bundles; cached under the system temporary directory, keyed by size and by the code that shapes it."""

from __future__ import annotations

import hashlib
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from bench_support import cache_key, cached, checked_payload

from keys import SigningKey
from ledger.signing.dsse import PAYLOAD_TYPE, pae
from ledger.tlog.bundle import write_bundle
from ledger.tlog.log import Leaf, leaf_hash
from ledger.tlog.merkle import MemoryNodes
from ledger.tlog.notes import Checkpoint, sign_note

from . import statements
from .statements import EVENT_TYPES, LOG, OFFICER_COUNT, OFFICERS, ROOT_KEY, UNITS, officer_key

# The cache key: this, the generator's code (statements.py and this module) and the sources below.
GENERATOR = "bench/verify.py export v1"
CACHE_SOURCES = (
    "ledger/tlog/log.py",
    "ledger/tlog/notes.py",
    "ledger/signing/dsse.py",
    "ledger/tlog/bundle.py",
    "ledger/tlog/merkle.py",
)
CACHE_ROOT = Path(tempfile.gettempdir()) / "par-ledger-bench-verify"

SUBJECTS = uuid5(NAMESPACE_URL, "https://hungyen.gov.vn/par-ledger/bench/subjects")
START = datetime(2024, 1, 2, 1, 30, tzinfo=UTC)
LOCAL = timezone(timedelta(hours=7))  # officers sign with their local (Vietnamese) time


@dataclass
class Signed:
    """The export's entries as leaves, with a checkpoint note per size, and what was signed."""

    leaves: list[tuple[int, bytes]] = field(default_factory=list)
    notes: list[tuple[int, bytes]] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)  # payload bytes, per entry
    kinds: dict[str, int] = field(default_factory=dict)
    root: bytes = b""


def sign(entries: int, progress: Callable[[str], None]) -> Signed:
    """The first `entries` statements signed by their authors, framed as `Leaf`, appended to a tree,
    and a checkpoint note signed by the log key after every append, as the ledger does."""
    started = time.perf_counter()
    signers: dict[str, SigningKey] = {"root": ROOT_KEY}
    versions: dict[str, int] = {}
    unit_of = dict(OFFICERS)
    nodes = MemoryNodes()
    signed = Signed()
    for seq, (author, statement_type, subject, body) in zip(
        range(1, entries + 1), statements.statements(), strict=False
    ):
        signer = signers.get(author)
        if signer is None:
            signer = signers[author] = officer_key(author)
        moment = START + timedelta(seconds=seq * 7, microseconds=(seq * 7919) % 1_000_000)
        statement = {
            "type": statement_type,
            "unit": "authority" if author == "root" else unit_of[author],
            "officer": author,
            "subject": subject,
            "body": body,
            "client_time": (moment - timedelta(seconds=2)).astimezone(LOCAL).isoformat(timespec="seconds"),
            "nonce": hashlib.sha256(f"nonce {seq}".encode()).hexdigest()[:32],
        }
        payload = checked_payload(statement, check=seq % 500 == 1, seq=seq)
        versions[subject] = version = versions.get(subject, 0) + 1
        leaf = Leaf(
            seq=seq,
            aggregate_id=uuid5(SUBJECTS, subject),
            version=version,
            event_type=EVENT_TYPES[statement_type],
            recorded_at=moment,
            payload_type=PAYLOAD_TYPE,
            payload=payload,
            key_id=signer.key_id,
            signature=signer.sign(pae(PAYLOAD_TYPE, payload)),
        ).to_bytes()
        nodes.append(leaf_hash(leaf))
        # As the ledger does after every append (ledger.tlog.transparency.sign_checkpoint).
        note = sign_note(Checkpoint(LOG.name, seq, nodes.root()).text(), LOG).serialize()
        signed.leaves.append((seq, leaf))
        signed.notes.append((seq, note))
        signed.sizes.append(len(payload))
        signed.kinds[statement_type] = signed.kinds.get(statement_type, 0) + 1
        if seq % 20_000 == 0:
            progress(f"  generated {seq:,} of {entries:,} entries ({time.perf_counter() - started:.0f} s)")
    signed.root = nodes.root()
    return signed


def generate(entries: int, out: Path, progress: Callable[[str], None]) -> dict[str, Any]:
    """Build the export into ``out`` (two bundles and meta.json); return the meta."""
    started = time.perf_counter()
    signed = sign(entries, progress)
    signing_s = time.perf_counter() - started
    common = {"log_vkey": LOG.vkey, "root_key_id": ROOT_KEY.key_id, "witnesses": [], "documents": []}
    write_bundle(out / "all", entries=signed.leaves, checkpoints=signed.notes, **common)  # type: ignore[arg-type]
    write_bundle(out / "latest", entries=signed.leaves, checkpoints=signed.notes[-1:], **common)  # type: ignore[arg-type]
    ordinary = signed.sizes[1 + len(UNITS) + 2 * OFFICER_COUNT :]
    meta = {
        "generator": GENERATOR,
        "entries": entries,
        "root": signed.root.hex(),
        "payload_bytes": {
            "mean": statistics.fmean(signed.sizes),
            "ordinary_min": min(ordinary, default=0),
            "ordinary_max": max(ordinary, default=0),
            "ordinary_p5": _percentile(ordinary, 5),
            "ordinary_p95": _percentile(ordinary, 95),
        },
        "leaf_bytes_mean": statistics.fmean(len(leaf) for _, leaf in signed.leaves),
        "kinds": signed.kinds,
        "generation_s": round(time.perf_counter() - started, 1),
        "signing_s": round(signing_s, 1),
        "files_bytes": {name: (out / "all" / name).stat().st_size for name in ("entries.jsonl", "checkpoints.jsonl")},
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    return meta


def _percentile(values: list[int], p: int) -> int:
    if not values:
        return 0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, len(ordered) * p // 100)]


@dataclass(frozen=True)
class Export:
    """The two bundles of one generated export and what the generator knows about them."""

    all_checkpoints: Path  # every checkpoint, one per size
    latest_only: Path  # the same entries, only the latest checkpoint
    meta: dict[str, Any]


def export(entries: int, progress: Callable[[str], None]) -> tuple[Export, bool]:
    """The cached export of ``entries`` entries (generated if missing); and whether it was cached."""
    key = cache_key(entries, GENERATOR, (Path(statements.__file__), Path(__file__)), CACHE_SOURCES)
    folder, was_cached = cached(CACHE_ROOT, key, lambda out: generate(entries, out, progress))
    meta = json.loads((folder / "meta.json").read_text())
    return Export(folder / "all", folder / "latest", meta), was_cached
