"""Offline verification throughput: the inspector against bare Ed25519, hashlib and proof floors.

One run prints four figures of merit, each as a ratio to a floor measured in the same run:

1. The offline inspector (``ledger.tlog.inspection.Inspector``, 1 worker) reading a real bundle
   from disk (``write_bundle`` then ``Bundle.open`` → ``entries()`` / ``checkpoints()``),
   in events/s, against a bare ``Ed25519PublicKey.verify`` loop over *the same signatures*
   (goal >= 0.8x). Two variants:
   (a) the export holds every checkpoint (the ledger signs one after every append, so one
       per entry): the floor verifies every entry signature and every checkpoint signature;
   (b) the export holds only the latest checkpoint: the floor verifies the entry signatures.
2. The same with ``workers=2`` (goal >= 1.5x of one worker), with the bare loop split over
   2 threads as the machine's ceiling (Ed25519 verify releases the GIL).
3. The Merkle root of the export by the ledger's code against a bare ``hashlib`` loop
   computing the same root (goal <= 2x its time).
4. ``ledger.tlog.merkle.inclusion_proof`` over a ``MemoryNodes`` store (the NodeReader path the
   ledger uses) at 1,000 and at 1,000,000 leaves (goal: the second <= 3x the first).

The export is synthetic but shaped like a real one, and deterministic: ``ledger.initialise``
with a root key, units, ~50 officers each with ``officer.register`` and ``key.register``,
then ordinary statements (canonical JSON payloads of ~300-600 B, as in demo/loader.py) signed
by the officers over ``PAE(PAYLOAD_TYPE, payload)``, framed as ``Leaf``, appended to a
``MemoryNodes`` tree, and a signed checkpoint note (``NoteSigner``) per tree size. It is
cached under the system temporary directory, keyed by size and by the sources that shape
it, so a second run skips generation.

Method (/work/shared/research/perf-physics.md): this is a noisy 2-vCPU box, so each
section runs its variants interleaved, rotating their order every repeat; figures are
medians of the repeats, and ratios are medians of the per-repeat ratios (min-max given).
Compare ratios, not absolute rates across runs.

    .venv/bin/python bench/verify.py [--entries 100000] [--repeats 5] [--quick] [--profile]

It prints figures and goals and never fails on a goal: it exits non-zero only on errors
(for example an export the inspector does not find OK).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import hashlib
import io
import json
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from context import ROOT, load, machine

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from keys import SigningKey
from ledger.signing.dsse import PAYLOAD_TYPE, pae
from ledger.tlog.bundle import Bundle, write_bundle
from ledger.tlog.inspection import Inspector
from ledger.tlog.log import Leaf, leaf_hash
from ledger.tlog.merkle import MemoryNodes, inclusion_proof, root_at, root_from_leaf_hashes, verify_inclusion
from ledger.tlog.notes import Checkpoint, Note, NoteSigner, NoteVerifier, sign_note
from ledger.tlog.transparency import DEFAULT_ORIGIN

# The cache key: this, the generator section of this file and the sources below.
GENERATOR = "bench/verify.py export v1"
CACHE_SOURCES = (
    "ledger/tlog/log.py",
    "ledger/tlog/notes.py",
    "ledger/signing/dsse.py",
    "ledger/tlog/bundle.py",
    "ledger/tlog/merkle.py",
)
CACHE_ROOT = Path(tempfile.gettempdir()) / "par-ledger-bench-verify"

QUICK_ENTRIES = 20_000
QUICK_REPEATS = 3
PROOF_SIZES = (1_000, 1_000_000)
PROOF_SAMPLES = 10_000  # random indices per tree size, per repeat

GOAL_VERIFY = 0.8  # inspector events/s over bare-loop events/s, 1 worker
GOAL_WORKERS = 1.5  # workers=2 over workers=1
GOAL_MERKLE = 2.0  # ledger root time over bare hashlib time
GOAL_PROOF = 3.0  # proof time at 1M leaves over proof time at 1k leaves


# --------------------------------------------------------------------------------------
# The synthetic export
# --------------------------------------------------------------------------------------


def _seed(name: str) -> bytes:
    return hashlib.sha256(f"bench/verify.py {name}".encode()).digest()


SUBJECTS = uuid5(NAMESPACE_URL, "https://hungyen.gov.vn/par-ledger/bench/subjects")
START = datetime(2024, 1, 2, 1, 30, tzinfo=UTC)
LOCAL = timezone(timedelta(hours=7))  # officers sign with their local (Vietnamese) time
ROOT_KEY = SigningKey.from_seed(_seed("root"))
LOG = NoteSigner(DEFAULT_ORIGIN, _seed("log"))

UNITS = (
    ("UBND-TINH", "Ủy ban nhân dân tỉnh Hưng Yên", "province"),
    ("SNV", "Sở Nội vụ", "department"),
    ("STTTT", "Sở Thông tin và Truyền thông", "department"),
    ("STC", "Sở Tài chính", "department"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", "department"),
    ("STNMT", "Sở Tài nguyên và Môi trường", "department"),
    ("SYT", "Sở Y tế", "department"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "department"),
    ("323", "Thành phố Hưng Yên", "district"),
    ("325", "Huyện Văn Lâm", "district"),
    ("327", "Huyện Yên Mỹ", "district"),
    ("328", "Thị xã Mỹ Hào", "district"),
)
OFFICER_COUNT = 50
OFFICERS = tuple(
    (f"{UNITS[i % len(UNITS)][0].lower()}.can-bo-{i // len(UNITS) + 1}", UNITS[i % len(UNITS)][0])
    for i in range(OFFICER_COUNT)
)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Ngọc", "Hữu")
GIVEN = ("An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hương", "Khánh", "Lan", "Long", "Mai", "Nam")
POSITIONS = (
    "Chuyên viên phòng Tổ chức cán bộ",
    "Phó Trưởng phòng Cải cách hành chính",
    "Chuyên viên phòng Kế hoạch – Tài chính",
    "Trưởng phòng Văn hóa và Thông tin",
    "Công chức Văn phòng HĐND và UBND",
)
LEVELS = ("HTXSNV", "HTTNV", "HTNV", "KHTNV")
INDICES = ("PAR_UNIT", "SIPAS_UNIT", "PAPI_UNIT", "DDCI_UNIT", "DTI_UNIT")
DOCUMENT_TITLES = (
    "Báo cáo kết quả thực hiện cải cách hành chính quý",
    "Kế hoạch kiểm tra công tác cải cách hành chính năm",
    "Quyết định công bố danh mục thủ tục hành chính được chuẩn hóa",
    "Báo cáo tự đánh giá, chấm điểm Chỉ số cải cách hành chính",
)

EVENT_TYPES = {
    "ledger.initialise": "par:Authority.Initialised.v1",
    "unit.register": "par:Unit.Registered.v1",
    "officer.register": "par:Officer.Registered.v1",
    "key.register": "par:Key.Registered.v1",
    "rating.individual": "par:Rating.IndividualPublished.v1",
    "submission.document": "par:Submission.Filed.v1",
    "submission.index-results": "par:Submission.Filed.v1",
    "rating.decide": "par:Rating.Decided.v1",
    "cycle.adjust-deadline": "par:Cycle.DeadlineAdjusted.v1",
}


def officer_key(officer: str) -> SigningKey:
    return SigningKey.from_seed(_seed(f"officer {officer}"))


def _canonical(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: RFC 8785 for this content (strings, ints, ASCII keys).

    ``ledger.signing.envelope.canonical_json`` gives the same bytes (checked on a sample while
    generating) but takes ~110 µs a statement; this takes a few.
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _slug(rng: random.Random, n: int) -> str:
    return f"can-bo-{n:06d}-{rng.randrange(16**6):06x}"


def _statements(count: int) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(officer or "root", statement type, subject, body) for every entry, in ledger order."""
    yield (
        "root",
        "ledger.initialise",
        "authority",
        {
            "name": "UBND tỉnh Hưng Yên — Sổ cái CCHC (dữ liệu đo hiệu năng)",
            "root_public_key": ROOT_KEY.verifying_key.base64,
        },
    )
    for code, name, unit_class in UNITS:
        yield "root", "unit.register", f"unit/{code}", {"name": name, "class": unit_class, "functions": []}
    rng = random.Random(20241127)
    for officer, unit in OFFICERS:
        yield (
            "root",
            "officer.register",
            f"officer/{officer}",
            {
                "name": _person(rng),
                "unit": unit,
                "roles": ["officer", "reporter"],
            },
        )
        key = officer_key(officer)
        yield "root", "key.register", f"key/{key.key_id}", {"public_key": key.verifying_key.base64, "officer": officer}
    n = 0
    while True:
        n += 1
        officer, unit = OFFICERS[rng.randrange(OFFICER_COUNT)]
        year = 2021 + n % 4
        kind = rng.random()
        if kind < 0.40:
            yield (
                officer,
                "rating.individual",
                f"rating/{year}/{unit}/{_slug(rng, n)}",
                {
                    "name": _person(rng),
                    "position": rng.choice(POSITIONS),
                    "level": rng.choice(LEVELS),
                    "rule": f"submission/staff-rule/{unit}/{year}",
                },
            )
        elif kind < 0.65:
            title = f"{rng.choice(DOCUMENT_TITLES)} {year} – số {rng.randrange(1, 999)}"
            yield (
                officer,
                "submission.document",
                f"submission/document/{unit}/{year}/{n:06d}",
                {
                    "title": title,
                    "issued_on": (date(year, 1, 1) + timedelta(days=rng.randrange(360))).isoformat(),
                    "document": {
                        "sha256": hashlib.sha256(f"document {n}".encode()).hexdigest(),
                        "size": rng.randrange(20_000, 2_000_000),
                        "media_type": "application/pdf",
                        "name": f"bao-cao-{unit.lower()}-{n:06d}.pdf",
                    },
                },
            )
        elif kind < 0.80:
            index = rng.choice(INDICES)
            units = rng.sample(UNITS[1:], rng.randrange(3, 7))
            scores = sorted((f"{rng.randrange(6000, 9800) / 100:.2f}" for _ in units), reverse=True)
            yield (
                officer,
                "submission.index-results",
                f"submission/index-results/{index}/{year}/{n:06d}",
                {
                    "measured_year": year,
                    "decision": f"Quyết định số {rng.randrange(1, 3000)}/QĐ-UBND "
                    f"ngày {rng.randrange(1, 28):02d}/11/{year}",
                    "published_on": f"{year}-11-{rng.randrange(1, 28):02d}",
                    "results": [
                        {"unit": u[0], "score": s, "rank": i + 1}
                        for i, (u, s) in enumerate(zip(units, scores, strict=True))
                    ],
                },
            )
        elif kind < 0.90:
            # Decisions on a unit's rating: a record that gets several versions.
            rated = rng.choice(UNITS[1:])[0]
            yield (
                officer,
                "rating.decide",
                f"rating/{year}/{rated}",
                {
                    "level": rng.choice(LEVELS),
                    "decision": f"Quyết định số {rng.randrange(1, 3000)}/QĐ-UBND "
                    f"ngày {rng.randrange(1, 28):02d}/12/{year} về việc công bố kết quả xếp loại "
                    "chất lượng cơ quan, đơn vị",
                },
            )
        else:
            yield (
                officer,
                "cycle.adjust-deadline",
                f"cycle/{year}",
                {
                    "deadlines": {
                        "results_published": f"{year}-11-{rng.randrange(1, 15):02d}",
                        "results_transmitted": f"{year}-11-{rng.randrange(15, 28):02d}",
                        "ratings_published": f"{year}-12-{rng.randrange(1, 28):02d}",
                    },
                    "reason": "Điều chỉnh thời hạn theo Công văn của Bộ Nội vụ về lịch công bố Chỉ số CCHC",
                },
            )


def generate(entries: int, out: Path, progress: Callable[[str], None]) -> dict[str, Any]:
    """Build the export into ``out`` (two bundles and meta.json); return the meta."""
    from ledger.signing.envelope import canonical_json  # the reference encoder, for a sample check

    started = time.perf_counter()
    signers: dict[str, SigningKey] = {"root": ROOT_KEY}
    versions: dict[str, int] = {}
    nodes = MemoryNodes()
    leaves: list[tuple[int, bytes]] = []
    notes: list[tuple[int, bytes]] = []
    sizes: list[int] = []
    kinds: dict[str, int] = {}
    unit_of = dict(OFFICERS)
    for seq, (author, statement_type, subject, body) in zip(range(1, entries + 1), _statements(entries), strict=False):
        signer = signers.get(author)
        if signer is None:
            signer = signers[author] = officer_key(author)
        unit = "authority" if author == "root" else unit_of[author]
        moment = START + timedelta(seconds=seq * 7, microseconds=(seq * 7919) % 1_000_000)
        statement = {
            "type": statement_type,
            "unit": unit,
            "officer": author,
            "subject": subject,
            "body": body,
            "client_time": (moment - timedelta(seconds=2)).astimezone(LOCAL).isoformat(timespec="seconds"),
            "nonce": hashlib.sha256(f"nonce {seq}".encode()).hexdigest()[:32],
        }
        payload = _canonical(statement)
        if seq % 500 == 1 and canonical_json(statement) != payload:
            raise RuntimeError(f"entry {seq}: the payload is not RFC 8785 canonical JSON")
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
        leaves.append((seq, leaf))
        notes.append((seq, note))
        sizes.append(len(payload))
        kinds[statement_type] = kinds.get(statement_type, 0) + 1
        if seq % 20_000 == 0:
            progress(f"  generated {seq:,} of {entries:,} entries ({time.perf_counter() - started:.0f} s)")
    signed = time.perf_counter() - started
    common = {"log_vkey": LOG.vkey, "root_key_id": ROOT_KEY.key_id, "witnesses": [], "documents": []}
    write_bundle(out / "all", entries=leaves, checkpoints=notes, **common)  # type: ignore[arg-type]
    write_bundle(out / "latest", entries=leaves, checkpoints=notes[-1:], **common)  # type: ignore[arg-type]
    ordinary = sizes[1 + len(UNITS) + 2 * OFFICER_COUNT :]
    meta = {
        "generator": GENERATOR,
        "entries": entries,
        "root": nodes.root().hex(),
        "payload_bytes": {
            "mean": statistics.fmean(sizes),
            "ordinary_min": min(ordinary, default=0),
            "ordinary_max": max(ordinary, default=0),
            "ordinary_p5": _percentile(ordinary, 5),
            "ordinary_p95": _percentile(ordinary, 95),
        },
        "leaf_bytes_mean": statistics.fmean(len(leaf) for _, leaf in leaves),
        "kinds": kinds,
        "generation_s": round(time.perf_counter() - started, 1),
        "signing_s": round(signed, 1),
        "files_bytes": {name: (out / "all" / name).stat().st_size for name in ("entries.jsonl", "checkpoints.jsonl")},
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    return meta


def _percentile(values: list[int], p: int) -> int:
    if not values:
        return 0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, len(ordered) * p // 100)]


# --------------------------------------------------------------------------------------
# The export cache
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """The two bundles of one generated export and what the generator knows about them."""

    all_checkpoints: Path  # every checkpoint, one per size
    latest_only: Path  # the same entries, only the latest checkpoint
    meta: dict[str, Any]


def cache_key(entries: int) -> str:
    """Size, generator version, the generator's code (the section above) and the sources it uses."""
    digest = hashlib.sha256(GENERATOR.encode())
    text = Path(__file__).read_text()
    digest.update(text[text.index("# The synthetic export") : text.index("# The export cache")].encode())
    for name in CACHE_SOURCES:
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes())
    return f"{entries}-{digest.hexdigest()[:12]}"


def export(entries: int, progress: Callable[[str], None]) -> tuple[Export, bool]:
    """The cached export of ``entries`` entries (generated if missing); and whether it was cached."""
    final = CACHE_ROOT / cache_key(entries)
    meta_file = final / "meta.json"
    cached = meta_file.is_file()
    if not cached:
        CACHE_ROOT.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=CACHE_ROOT))
        try:
            generate(entries, building, progress)
            with contextlib.suppress(FileNotFoundError):
                shutil.rmtree(final)  # a partial leftover without meta.json
            os.replace(building, final)
            # Exports made by another version of the generator or of the ledger's sources are stale.
            digest = final.name.rsplit("-", 1)[1]
            for stale in CACHE_ROOT.glob("*-*"):
                if stale.is_dir() and not stale.name.startswith(".") and not stale.name.endswith(f"-{digest}"):
                    shutil.rmtree(stale, ignore_errors=True)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
    meta = json.loads(meta_file.read_text())
    return Export(final / "all", final / "latest", meta), cached


# --------------------------------------------------------------------------------------
# Floors prepared outside timing
# --------------------------------------------------------------------------------------


@dataclass
class Floors:
    """What the bare loops and the Merkle section work on, read once from the bundle."""

    leaves: list[bytes]
    entry_checks: list[tuple[Callable[[bytes, bytes], None], bytes, bytes]]
    checkpoint_checks: list[tuple[Callable[[bytes, bytes], None], bytes, bytes]]
    latest_root: bytes


def prepare_floors(exp: Export) -> Floors:
    """Every signature the inspector must check, parsed with the reference parsers (untimed)."""
    keys = {ROOT_KEY.key_id: Ed25519PublicKey.from_public_bytes(ROOT_KEY.verifying_key.raw).verify}
    for officer, _ in OFFICERS:
        key = officer_key(officer)
        keys[key.key_id] = Ed25519PublicKey.from_public_bytes(key.verifying_key.raw).verify
    bundle = Bundle.open(exp.all_checkpoints)
    leaves: list[bytes] = []
    entry_checks = []
    for seq, data in bundle.entries():
        leaf = Leaf.from_bytes(data)
        if leaf.seq != seq:
            raise RuntimeError(f"entry {seq}: its leaf says seq {leaf.seq}")
        leaves.append(data)
        entry_checks.append((keys[leaf.key_id], leaf.signature, pae(leaf.payload_type, leaf.payload)))
    log = Ed25519PublicKey.from_public_bytes(NoteVerifier(bundle.log_vkey).public_key).verify
    checkpoint_checks = []
    last: Checkpoint | None = None
    for data in bundle.checkpoints():
        note = Note.parse(data)
        if len(note.signatures) != 1 or note.signatures[0].name != LOG.name:
            raise RuntimeError("a checkpoint note is not signed by the log key alone")
        checkpoint_checks.append((log, note.signatures[0].signature, note.text.encode()))
        last = Checkpoint.from_text(note.text)
    if last is None or last.size != len(leaves):
        raise RuntimeError("the latest checkpoint does not cover every entry")
    for verify, signature, message in (entry_checks[0], entry_checks[-1], checkpoint_checks[-1]):
        verify(signature, message)  # raises if the floor would verify something else
    return Floors(leaves, entry_checks, checkpoint_checks, last.root)


def bare_loop(checks: list[tuple[Callable[[bytes, bytes], None], bytes, bytes]]) -> None:
    for verify, signature, message in checks:
        verify(signature, message)


def bare_threads(checks: list[tuple[Callable[[bytes, bytes], None], bytes, bytes]], threads: int) -> None:
    step = -(-len(checks) // threads)
    workers = [threading.Thread(target=bare_loop, args=(checks[i : i + step],)) for i in range(0, len(checks), step)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


# --------------------------------------------------------------------------------------
# 1 + 2: the inspector against the bare loops
# --------------------------------------------------------------------------------------


def run_inspector(path: Path, workers: int, entries: int) -> None:
    """What ``parledger verify --bundle`` does, minus printing; raises unless the report is OK."""
    bundle = Bundle.open(path)
    inspector = Inspector(
        log_vkey=bundle.log_vkey,
        origin=NoteVerifier(bundle.log_vkey).name,
        root_key_id=bundle.root_key_id or None,
        witness_vkeys=bundle.witnesses,
        workers=workers,
    )
    report = inspector.inspect(bundle.entries(), bundle.checkpoints())
    if not report.ok or report.entries != entries or report.checkpoint is None or report.checkpoint.size != entries:
        raise RuntimeError(f"the inspector did not find the export OK ({path}):\n{str(report)[:2000]}")


def read_only(path: Path) -> None:
    """Stream the bundle as the inspector gets it, doing nothing else: the reading floor."""
    bundle = Bundle.open(path)
    for _ in bundle.entries():
        pass
    for _ in bundle.checkpoints():
        pass


def timed(fn: Callable[[], object], cpu: list[float] | None = None) -> float:
    """Wall time of ``fn()``; if ``cpu`` is given, append the process's CPU time to it too."""
    gc.collect()
    started, cpu_started = time.perf_counter(), time.process_time()
    fn()
    wall = time.perf_counter() - started
    if cpu is not None:
        cpu.append(time.process_time() - cpu_started)
    return wall


def rotated(items: list[Any], repeat: int) -> list[Any]:
    k = repeat % len(items)
    return items[k:] + items[:k]


def bench_verify(
    exp: Export, floors: Floors, repeats: int, progress: Callable[[str], None]
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    n = len(floors.leaves)
    both = floors.entry_checks + floors.checkpoint_checks
    variants: dict[str, Callable[[], object]] = {
        "inspector a w1": lambda: run_inspector(exp.all_checkpoints, 1, n),
        "inspector a w2": lambda: run_inspector(exp.all_checkpoints, 2, n),
        "inspector b w1": lambda: run_inspector(exp.latest_only, 1, n),
        "inspector b w2": lambda: run_inspector(exp.latest_only, 2, n),
        "bare a t1": lambda: bare_loop(both),
        "bare a t2": lambda: bare_threads(both, 2),
        "bare b t1": lambda: bare_loop(floors.entry_checks),
        "bare b t2": lambda: bare_threads(floors.entry_checks, 2),
        "read a": lambda: read_only(exp.all_checkpoints),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    timed(variants["read a"])  # warm-up: the page cache and the code paths of reading
    for repeat in range(repeats):
        started = time.perf_counter()
        for name in rotated(list(variants), repeat):
            times[name].append(timed(variants[name], cpu[name]))
        a = times["bare a t1"][-1] / times["inspector a w1"][-1]
        b = times["bare b t1"][-1] / times["inspector b w1"][-1]
        progress(
            f"  verify repeat {repeat + 1}/{repeats}: (a) {n / times['inspector a w1'][-1]:,.0f} ev/s = {a:.2f}× bare, "
            f"(b) {n / times['inspector b w1'][-1]:,.0f} ev/s = {b:.2f}× bare; "
            f"w2/w1 {times['inspector a w1'][-1] / times['inspector a w2'][-1]:.2f} / "
            f"{times['inspector b w1'][-1] / times['inspector b w2'][-1]:.2f} "
            f"({time.perf_counter() - started:.0f} s; {load()})"
        )
    return times, cpu


# --------------------------------------------------------------------------------------
# 3: the Merkle root
# --------------------------------------------------------------------------------------


def bare_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 MTH with hashlib and nothing else: leaf hashes, then level by level."""
    sha = hashlib.sha256
    level = [sha(b"\x00" + leaf).digest() for leaf in leaves]
    while len(level) > 1:
        nxt = [sha(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) & 1:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def merkle_variants(leaves: list[bytes]) -> dict[str, Callable[[], bytes]]:
    variants: dict[str, Callable[[], bytes]] = {
        "bare hashlib": lambda: bare_root(leaves),
        "root_from_leaf_hashes": lambda: root_from_leaf_hashes([leaf_hash(leaf) for leaf in leaves]),
        "MemoryNodes append + root": lambda: MemoryNodes(map(leaf_hash, leaves)).root(),
    }
    from ledger.tlog.entries import RebuiltTree  # the tree the inspector rebuilds

    def levels() -> bytes:
        tree = RebuiltTree()
        for leaf in leaves:
            tree.append(leaf_hash(leaf))
        return tree.root(len(leaves))

    variants["inspector RebuiltTree append + root"] = levels
    return variants


def bench_merkle(floors: Floors, repeats: int) -> dict[str, list[float]]:
    variants = merkle_variants(floors.leaves)
    for name, fn in variants.items():
        if fn() != floors.latest_root:
            raise RuntimeError(f"{name} does not give the latest checkpoint's root")
    times: dict[str, list[float]] = {name: [] for name in variants}
    for repeat in range(repeats):
        for name in rotated(list(variants), repeat):
            times[name].append(timed(variants[name]))
    return times


# --------------------------------------------------------------------------------------
# 4: inclusion proofs
# --------------------------------------------------------------------------------------


@dataclass
class ProofResult:
    build_s: dict[int, float]
    medians_ns: dict[str, list[float]]  # per repeat: the median of the per-call times
    means_ns: dict[str, list[float]]
    hashes: dict[str, int]


def bench_proofs(repeats: int, progress: Callable[[str], None]) -> ProofResult:
    largest = max(PROOF_SIZES)
    hashes = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(largest)]
    stores: dict[int, MemoryNodes] = {}
    build: dict[int, float] = {}
    for size in PROOF_SIZES:
        started = time.perf_counter()
        stores[size] = MemoryNodes(hashes[:size])
        build[size] = time.perf_counter() - started
    progress(f"  built MemoryNodes of {', '.join(f'{s:,}' for s in PROOF_SIZES)} leaves ({sum(build.values()):.1f} s)")
    rng = random.Random(9162)
    # (label, store, tree size, indices): the same indices every repeat.
    cases = [
        (f"{size:,} leaves", stores[size], size, [rng.randrange(size) for _ in range(PROOF_SAMPLES)])
        for size in PROOF_SIZES
    ]
    small = min(PROOF_SIZES)
    cases.append(
        (
            f"{small:,} leaves in the {largest:,} store",
            stores[largest],
            small,
            [rng.randrange(small) for _ in range(PROOF_SAMPLES)],
        )
    )
    lengths: dict[str, int] = {}
    for label, store, size, indices in cases:  # every proof verifies (untimed)
        root = root_at(size, store)
        for index in indices[:500]:
            proof = inclusion_proof(index, size, store)
            verify_inclusion(hashes[index], index, size, proof, root)
        lengths[label] = max(len(inclusion_proof(i, size, store)) for i in indices[:500])
    medians: dict[str, list[float]] = {case[0]: [] for case in cases}
    means: dict[str, list[float]] = {case[0]: [] for case in cases}
    clock = time.perf_counter_ns
    for repeat in range(repeats):
        for label, store, size, indices in rotated(cases, repeat):
            gc.collect()
            samples = []
            append = samples.append
            for index in indices:
                started = clock()
                inclusion_proof(index, size, store)
                append(clock() - started)
            medians[label].append(statistics.median(samples))
            means[label].append(statistics.fmean(samples))
    del stores, hashes
    gc.collect()
    return ProofResult(build, medians, means, lengths)


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


def ratios(top: list[float], bottom: list[float]) -> list[float]:
    return [t / b for t, b in zip(top, bottom, strict=True)]


def spread_rate(n: int, times: list[float]) -> str:
    rates = [n / t for t in times]
    return f"{statistics.median(rates):>8,.0f} ({min(rates):,.0f}–{max(rates):,.0f})"


def spread_ratio(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def verdict(value: float, goal: float, *, at_least: bool) -> str:
    ok = value >= goal if at_least else value <= goal
    return f"{'≥' if at_least else '≤'} {goal:.2f}×: {'met' if ok else 'NOT met'}"


def report(
    meta: dict[str, Any],
    n: int,
    verify: dict[str, list[float]],
    verify_cpu: dict[str, list[float]],
    merkle: dict[str, list[float]],
    proofs: ProofResult,
) -> tuple[str, list[tuple[str, str, str]]]:
    out = io.StringIO()
    w = out.write
    goals: list[tuple[str, str, str]] = []
    checkpoints = n
    w("\n1. Offline inspector, 1 worker, against a bare Ed25519 verify loop over the same signatures\n")
    w("   (events/s: median of the repeats, min–max in brackets; ratio: median of per-repeat ratios)\n")
    header = (
        f"   {'variant':<34} {'inspector ev/s':>27}  {'bare loop ev/s':>27}  {'sigs/ev':>7}  {'ratio':>17}  "
        f"{'by CPU time':>17}  goal"
    )
    w(header + "\n   " + "-" * (len(header) - 3) + "\n")
    for key, label, sigs in (
        ("a", f"(a) all {checkpoints:,} checkpoints", 2),
        ("b", "(b) the latest checkpoint only", 1),
    ):
        r = ratios(verify[f"bare {key} t1"], verify[f"inspector {key} w1"])
        by_cpu = ratios(verify_cpu[f"bare {key} t1"], verify_cpu[f"inspector {key} w1"])
        median = statistics.median(r)
        w(
            f"   {label:<34} {spread_rate(n, verify[f'inspector {key} w1']):>27}  "
            f"{spread_rate(n, verify[f'bare {key} t1']):>27}  {sigs:>7}  {spread_ratio(r):>17}  "
            f"{spread_ratio(by_cpu):>17}  {verdict(median, GOAL_VERIFY, at_least=True)}\n"
        )
        goals.append(
            (
                f"1{key}. inspector / bare Ed25519 loop, {label[4:]}",
                f"{median:.2f}×",
                verdict(median, GOAL_VERIFY, at_least=True),
            )
        )
    read = statistics.median(verify["read a"])
    w(
        "   ratio = bare-loop time / inspector time (wall clock); 'by CPU time' = the same with process CPU time,\n"
        "   which other work on the box disturbs less (both run on one thread here).\n"
    )
    checkpoint_us = 1e6 * (statistics.median(verify["bare a t1"]) - statistics.median(verify["bare b t1"])) / n
    w(
        f"   context: reading bundle (a) alone (Bundle.entries + checkpoints, no checks): {n / read:,.0f} ev/s, "
        f"{read * 1e6 / n:.1f} µs/event;\n"
        f"   bare Ed25519 verify: {1e6 * statistics.median(verify['bare b t1']) / n:.1f} µs/signature (entries), "
        f"{checkpoint_us:.1f} µs/signature (checkpoint notes, by difference)\n"
    )
    for key in ("a", "b"):
        per_event = statistics.median(verify[f"inspector {key} w1"]) * 1e6 / n
        bare_us = statistics.median(verify[f"bare {key} t1"]) * 1e6 / n
        w(
            f"   ({key}) per event: inspector {per_event:.1f} µs = bare verify {bare_us:.1f} µs "
            f"+ {per_event - bare_us:.1f} µs of everything else\n"
        )

    w("\n2. Two workers: the inspector with workers=2 against workers=1, and the bare loop on 2 threads (ceiling)\n")
    header = (
        f"   {'variant':<34} {'workers=1 ev/s':>27}  {'workers=2 ev/s':>27}  {'2/1':>17}  "
        f"{'bare 2 thr/1 thr':>17}  {'w2 / bare 2 thr':>17}  goal"
    )
    w(header + "\n   " + "-" * (len(header) - 3) + "\n")
    ceilings: list[float] = []
    for key, label in (("a", f"(a) all {checkpoints:,} checkpoints"), ("b", "(b) the latest checkpoint only")):
        speedup = ratios(verify[f"inspector {key} w1"], verify[f"inspector {key} w2"])
        ceiling = ratios(verify[f"bare {key} t1"], verify[f"bare {key} t2"])
        versus = ratios(verify[f"bare {key} t2"], verify[f"inspector {key} w2"])
        median = statistics.median(speedup)
        w(
            f"   {label:<34} {spread_rate(n, verify[f'inspector {key} w1']):>27}  "
            f"{spread_rate(n, verify[f'inspector {key} w2']):>27}  {spread_ratio(speedup):>17}  "
            f"{spread_ratio(ceiling):>17}  {spread_ratio(versus):>17}  {verdict(median, GOAL_WORKERS, at_least=True)}\n"
        )
        ceilings.append(statistics.median(ceiling))
        goals.append(
            (
                f"2{key}. workers=2 / workers=1, {label[4:]}",
                f"{median:.2f}×",
                verdict(median, GOAL_WORKERS, at_least=True),
            )
        )

    w(
        "   2/1 = workers=1 time / workers=2 time; bare 2 thr/1 thr = the same for the bare loop (the ceiling);\n"
        "   w2 / bare 2 thr = bare 2-thread time / inspector workers=2 time.\n"
    )
    if min(ceilings) < 1.6:
        w(
            f"   WARNING: the bare loop gained only {min(ceilings):.2f}× from a second thread (1.9–2× on an idle "
            "2-core box):\n   other work held a core, so the workers=2 figures say little about the inspector.\n"
        )
    w(
        f"\n3. Merkle root of the export ({n:,} leaves of {meta['leaf_bytes_mean']:.0f} B on average) "
        "against a bare hashlib loop\n"
    )
    header = f"   {'computation':<34} {'ms':>24}  {'time / bare':>17}  goal"
    w(header + "\n   " + "-" * (len(header) - 3) + "\n")
    bare = merkle["bare hashlib"]
    for name, times in merkle.items():
        ms = [t * 1e3 for t in times]
        cell = f"{statistics.median(ms):8.1f} ({min(ms):.1f}–{max(ms):.1f})"
        if name == "bare hashlib":
            w(f"   {name:<34} {cell:>24}  {'1.00':>17}  (the floor)\n")
            continue
        r = ratios(times, bare)
        median = statistics.median(r)
        w(f"   {name:<34} {cell:>24}  {spread_ratio(r):>17}  {verdict(median, GOAL_MERKLE, at_least=False)}\n")
        if name == "root_from_leaf_hashes":
            goals.append(
                (
                    "3. Merkle root (root_from_leaf_hashes) / bare hashlib",
                    f"{median:.2f}×",
                    verdict(median, GOAL_MERKLE, at_least=False),
                )
            )
        else:
            goals.append(
                (
                    f"3. Merkle root ({name}) / bare hashlib",
                    f"{median:.2f}×",
                    verdict(median, GOAL_MERKLE, at_least=False) + " (info)",
                )
            )
    w(
        "   root_from_leaf_hashes: ledger.tlog.log.leaf_hash per leaf, then the batch root;"
        " MemoryNodes: the storage path\n"
    )
    w("   (nodes_to_append per leaf, then root_at); RebuiltTree: the tree the inspector rebuilds while streaming.\n")

    w(f"\n4. inclusion_proof over MemoryNodes ({PROOF_SAMPLES:,} random indices per size and repeat; per call)\n")
    header = f"   {'tree':<34} {'hashes':>6}  {'median µs':>22}  {'mean µs':>8}  {'/ 1,000 leaves':>17}  goal"
    w(header + "\n   " + "-" * (len(header) - 3) + "\n")
    labels = list(proofs.medians_ns)
    base = labels[0]
    for label in labels:
        us = [v / 1e3 for v in proofs.medians_ns[label]]
        cell = f"{statistics.median(us):6.2f} ({min(us):.2f}–{max(us):.2f})"
        mean = statistics.median(proofs.means_ns[label]) / 1e3
        if label == base:
            w(f"   {label:<34} {proofs.hashes[label]:>6}  {cell:>22}  {mean:8.2f}  {'1.00':>17}  (the base)\n")
            continue
        r = ratios(proofs.medians_ns[label], proofs.medians_ns[base])
        median = statistics.median(r)
        goal = verdict(median, GOAL_PROOF, at_least=False) if label == labels[1] else "(info)"
        w(f"   {label:<34} {proofs.hashes[label]:>6}  {cell:>22}  {mean:8.2f}  {spread_ratio(r):>17}  {goal}\n")
        if label == labels[1]:
            goals.append((f"4. inclusion proof at {label} / at {base}", f"{median:.2f}×", goal))
    builds = ", ".join(f"{size:,}: {seconds:.2f} s" for size, seconds in proofs.build_s.items())
    w(f"   building the stores (untimed above): {builds}\n")
    return out.getvalue(), goals


def goals_table(goals: list[tuple[str, str, str]]) -> str:
    width = max(len(g[0]) for g in goals)
    lines = ["\nGoals (medians of per-repeat ratios; a goal is reported, never enforced)"]
    lines += [f"   {name:<{width}}  {value:>6}  {result}" for name, value, result in goals]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------
# Context and main
# --------------------------------------------------------------------------------------


def profile_inspector(exp: Export, n: int, top: int) -> str:
    text = io.StringIO()
    for label, path in (("(a) all checkpoints", exp.all_checkpoints), ("(b) latest checkpoint only", exp.latest_only)):
        profile = cProfile.Profile()
        gc.collect()
        profile.enable()
        run_inspector(path, 1, n)
        profile.disable()
        stats = pstats.Stats(profile, stream=text)
        stats.strip_dirs()
        text.write(f"\n=== cProfile of one inspector run, workers=1, {label}, {n:,} entries ===\n")
        stats.sort_stats("tottime").print_stats(top)
    return text.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=100_000, help="entries in the export (default 100000)")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved repeats per section (default 5)")
    parser.add_argument(
        "--quick", action="store_true", help=f"smoke run: {QUICK_ENTRIES:,} entries, {QUICK_REPEATS} repeats"
    )
    parser.add_argument("--profile", action="store_true", help="also cProfile one inspector run per variant")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    if args.quick:
        args.entries, args.repeats = QUICK_ENTRIES, QUICK_REPEATS
    minimum = 1 + len(UNITS) + 2 * OFFICER_COUNT + 1
    if args.entries < minimum or args.repeats < 1:
        parser.error(f"--entries must be at least {minimum} and --repeats at least 1")

    def progress(line: str) -> None:
        if not args.quiet:
            print(line, flush=True)

    started = time.perf_counter()
    print("PAR Ledger offline verification benchmark: bench/verify.py")
    print(machine(("cryptography",), ("ledger", "keys")))
    print(f"at start: {load()}")
    exp, cached = export(args.entries, progress)
    meta = exp.meta
    n = meta["entries"]
    size = meta["payload_bytes"]
    files = meta["files_bytes"]
    print(
        f"export: {n:,} entries, {n:,} checkpoints (one per size) — "
        f"{'cached' if cached else 'generated'} in {exp.all_checkpoints.parent} "
        f"(generation took {meta['generation_s']} s, of which signing and framing {meta['signing_s']} s)\n"
        f"  1 ledger.initialise, {len(UNITS)} unit.register, {OFFICER_COUNT} officer.register + {OFFICER_COUNT} "
        f"key.register (root-signed), then statements by {OFFICER_COUNT} officers: "
        + ", ".join(f"{k} {v:,}" for k, v in meta["kinds"].items() if v > OFFICER_COUNT)
        + f"\n  payloads {size['mean']:.0f} B on average (ordinary statements: 5–95% {size['ordinary_p5']}–"
        f"{size['ordinary_p95']} B, min {size['ordinary_min']}, max {size['ordinary_max']}); leaves "
        f"{meta['leaf_bytes_mean']:.0f} B; entries.jsonl {files['entries.jsonl'] / 1e6:.0f} MB, "
        f"checkpoints.jsonl {files['checkpoints.jsonl'] / 1e6:.0f} MB"
    )
    print(
        "  (a) = bundle with every checkpoint: the inspector checks 2 signatures per event (the entry's statement and\n"
        "      its checkpoint note); (b) = the same entries with only the latest checkpoint: 1 signature per event.\n"
        "  inspector = Bundle.open + Inspector(...).inspect(bundle.entries(), bundle.checkpoints()), as\n"
        "      `parledger verify --bundle` runs it (without the documents check), reading the files each run.\n"
        "  bare loop = Ed25519PublicKey.verify(signature, message) over pre-parsed (key, signature, message)\n"
        "      triples of exactly those signatures, held in memory; 2 threads = the same list split in halves."
    )
    prepared = time.perf_counter()
    floors = prepare_floors(exp)
    gc.collect()
    gc.freeze()  # the floors' ~n tuples stay out of every later collection
    progress(f"  floors read from the bundle in {time.perf_counter() - prepared:.1f} s; {load()}")
    verify, verify_cpu = bench_verify(exp, floors, args.repeats, progress)
    merkle = bench_merkle(floors, args.repeats)
    progress(f"  Merkle section done; {load()}")
    del floors
    gc.unfreeze()
    gc.collect()
    proofs = bench_proofs(args.repeats, progress)
    text, goals = report(meta, n, verify, verify_cpu, merkle, proofs)
    print(text, end="")
    print(goals_table(goals), end="")
    print(f"\nwall time {time.perf_counter() - started:.0f} s; at the end: {load()}")
    if args.profile:
        print(profile_inspector(exp, n, top=25))
    return 0


if __name__ == "__main__":
    sys.exit(main())
