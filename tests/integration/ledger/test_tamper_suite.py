"""A tamper suite on real databases: random tamperings of a 10,000-entry ledger, each detected and located.

One ledger of ``ENTRIES`` (10,000) signed entries is built per backend (SQLite and
PostgreSQL), once per module, through ``Ledger.append`` with the log key signing a
checkpoint after every append: the province of ``tests/world.py``, extra officers with
keys, some keys revoked part-way, and a stream of cheap, realistic statements (document
filings that reference one stored PDF, unit renames, officer registrations, role changes).

Each test is one fault kind. It tampers with the database directly — sqlite3 or psycopg,
as an insider with a SQL prompt would, who may also hold an officer's signing key (a
valid one, a revoked one, or one never registered) but not the log key, and who
recomputes the stored leaf hashes and Merkle subtrees after renumbering or rewriting rows —
then detects through the real code path: ``LogServer.leaves()`` and ``LogServer.checkpoints()`` of a
newly opened ``Ledger`` streamed into the offline ``Inspector`` (the first tampering of
each test also goes through the bundle written by ``parledger export`` and read back with
``Bundle.open``, and must give the same faults), or, for the stored leaf hash, which only
the database holds, ``verify_ledger`` (``parledger verify``). Every tampering must be
**detected** (at least one fault) and **located**: a fault at the tampered entry, a range
fault containing it, a log fault naming the tampered checkpoint, or — for truncation —
a fault naming exactly the missing range. The database is restored after each tampering
(the original rows are saved first), so tamperings are independent; each test ends by
checking that every table is byte-for-byte what was built.

To keep ``make tamper`` within minutes: the inspector is one instance per ledger, which
checks each checkpoint note and each valid entry signature once (``Inspector`` caches);
entries before the first one a tampering touches are given to it as built rather than
decoded again from unchanged rows (the first and every ``FULL_READ_EVERY``-th tampering
are also inspected from a full read, which must give the same faults); renumbered rows
get their built leaves with the seq line changed; the SQLite file lives in /dev/shm.
``make tamper`` runs the two backends side by side.

``test_every_kind_on_a_small_ledger`` is ``make test``'s share: every kind, twice, on a
300-entry ledger per backend (the other tests carry the ``tamper`` marker).

Two more tests: an insider who also holds the log key and re-signs every checkpoint after
a changed entry is caught only by the inspector's state (and cannot be located more
closely than the state's size: the price of keeping one checkpoint); and an event that no
longer decodes must not stop ``parledger export`` or ``parledger verify``.

Settings (environment):

``PAR_TAMPER_COUNT``  tamperings per kind and backend (default 12; ``make tamper`` runs 100)
``PAR_TAMPER_ENTRIES`` entries of the ledger (default 10,000; smaller for a quick try)
``PAR_TAMPER_SEED``   the seed to reproduce a run (each test prints the one it used)
``PAR_TAMPER_VERBOSE`` set to print every tampering and the first fault found

Each test prints ``tamper <kind> <backend>: N tampered, N detected, N located``
(shown with ``pytest -s``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
import random
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from backends import LOG_SIGNER, POSTGRES_URL, SQLPrompt, postgres_schema
from click.testing import CliRunner
from eventsourcing.persistence import StoredEvent
from world import PDF, World, key_for

from cli.main import main as parledger
from keys import SigningKey
from ledger.application import Ledger, leaf_of
from ledger.domain.records import subject_id
from ledger.serving import LogServer
from ledger.signing.dsse import PAYLOAD_TYPE, pae
from ledger.signing.envelope import Author, Envelope, Signature, canonical_json
from ledger.storage.config import persistence_env
from ledger.storage.documents import DocumentStore
from ledger.tlog.bundle import Bundle
from ledger.tlog.inspection import Fault, Inspector, Report
from ledger.tlog.log import leaf_hash, subtrees_completed
from ledger.tlog.merkle import MemoryNodes, root_at
from ledger.tlog.transparency import sign_checkpoint
from ledger.verify import verify_ledger

pytestmark = pytest.mark.slow
tamper = pytest.mark.tamper  # the full suite takes minutes: `make tamper`, not `make test`

ENTRIES = int(os.environ.get("PAR_TAMPER_ENTRIES") or 10_000)
COUNT = int(os.environ.get("PAR_TAMPER_COUNT") or 12)
SMALL_ENTRIES = 300  # make test's share: every kind, SMALL_COUNT times, on a small ledger
SMALL_COUNT = 2
VERBOSE = bool(os.environ.get("PAR_TAMPER_VERBOSE"))
BUILD_SEED = 20241001
PRINTABLE = bytes(range(0x20, 0x7F))
FULL_READ_EVERY = 10  # every 10th tampering (and the first) is also inspected from a full read
EVERYWHERE = 1 << 62  # an index beyond every tree


# --------------------------------------------------------------------------------------
# The database, behind the ledger's back
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """Rows of one table that a tampering may touch: saved before, put back after."""

    table: str
    where: str
    params: tuple[Any, ...] = ()


class Tx:
    """One open transaction; ``?`` marks parameters, ``{events}``, ``{log}``… the tables."""

    def __init__(self, database: Database, cursor: Any) -> None:
        self.database = database
        self.cursor = cursor

    def run(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        self.cursor.execute(self.database.sql(sql), params)
        return self.cursor.fetchall() if self.cursor.description else []

    def many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.cursor.executemany(self.database.sql(sql), rows)

    def columns(self, table: str) -> str:
        """What to select to put a row back exactly (SQLite's hidden rowid included)."""
        return "rowid, *" if self.database.sqlite_path and table == "events" else "*"


class Database(SQLPrompt):
    """Direct access to every table of the ledger, as an insider has it."""

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One committed transaction (rolled back on an exception)."""
        with self.cursor() as cursor:
            if self.schema is not None:
                # The insider's own session: no need to wait for the WAL flush of each change.
                cursor.execute("SET synchronous_commit = off")
            yield Tx(self, cursor)

    def save(self, areas: Iterable[Area]) -> list[tuple[Area, list[str], list[tuple[Any, ...]]]]:
        saved = []
        with self.transaction() as tx:
            for area in areas:
                rows = tx.run(f"SELECT {tx.columns(area.table)} FROM {{{area.table}}} WHERE {area.where}", *area.params)
                saved.append((area, [d[0] for d in tx.cursor.description], rows))
        return saved

    def restore(self, saved: list[tuple[Area, list[str], list[tuple[Any, ...]]]]) -> None:
        with self.transaction() as tx:
            for area, _, _ in saved:
                tx.run(f"DELETE FROM {{{area.table}}} WHERE {area.where}", *area.params)
            for area, columns, rows in saved:
                marks = ", ".join("?" * len(columns))
                tx.many(f"INSERT INTO {{{area.table}}} ({', '.join(columns)}) VALUES ({marks})", rows)

    def fingerprint(self) -> dict[str, str]:
        """SHA-256 of every table's rows in key order: equal only if nothing changed."""
        order = {
            "events": "originator_id, originator_version",
            "log": "seq",
            "checkpoints": "size",
            "cosignatures": "size, witness",
        }
        digests = {}
        with self.transaction() as tx:
            for table, key in order.items():
                digest = hashlib.sha256()
                for row in tx.run(f"SELECT {tx.columns(table)} FROM {{{table}}} ORDER BY {key}"):
                    digest.update(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode())
                digests[table] = digest.hexdigest()
        return digests


def holding_subtrees_over(seq: int) -> set[int]:
    """The log rows that keep a Merkle subtree over entry `seq` (its own row first among them).

    Row s keeps the subtrees ending at s (`ledger.tlog.log.completing_seq`), so over `seq` there is
    one per level: the row at the end of the level's subtree that contains `seq`.
    """
    return {(((seq - 1) >> level) + 1) << level for level in range(EVERYWHERE.bit_length())}


def largest_subtree_start(seq: int) -> int:
    """The first entry under the largest subtree that row `seq` keeps (`seq` itself if it keeps none)."""
    return seq - (1 << subtrees_completed(seq)) + 1


# --------------------------------------------------------------------------------------
# The ledger under test
# --------------------------------------------------------------------------------------


@dataclass
class KeyInfo:
    """An officer's key: who holds it, and where it was registered and revoked."""

    author: Author
    registered: int
    revoked: int | None = None

    def valid_at(self, seq: int) -> bool:
        """Positional validity (docs/formats.md §3), for an entry inserted at `seq`."""
        return self.registered < seq and (self.revoked is None or self.revoked >= seq)


def subtrees_of(seq: int, tree: MemoryNodes) -> bytes:
    """What the log row at `seq` keeps of a whole Merkle tree: the subtrees its entry completes."""
    return b"".join(tree.node(level, (seq >> level) - 1) for level in range(1, subtrees_completed(seq) + 1))


@dataclass
class Built:
    """One 10,000-entry ledger on one backend, and everything the tamperings need."""

    backend: str
    url: str
    folder: Path
    database: Database
    tool: Ledger  # decodes events and recomputes leaves, as an insider with our code would
    size: int
    state: bytes  # the latest checkpoint's signed note: what an inspector verified before
    root_key_id: str
    keys: dict[str, KeyInfo]
    template: int  # a submission.document entry, the model of forged filings
    document: dict[str, Any]
    fingerprint: dict[str, str]
    inspector: Inspector
    leaves: list[bytes] = dataclasses.field(default_factory=list)  # as built: entry seq is leaves[seq - 1]
    redrawn: int = 0

    def open(self) -> Ledger:
        """The ledger as a new process opens it."""
        return Ledger(env=persistence_env(self.url), documents=DocumentStore(self.folder / "instance" / "documents"))

    def stored(self, seq: int) -> StoredEvent:
        (row,) = self.tool.ledger_recorder.select_logged(seq, 1)
        assert row.seq == seq
        assert row.stored is not None
        return row.stored

    def event(self, seq: int) -> Any:
        return self.tool.mapper.to_domain_event(self.stored(seq))

    def log_row(self, seq: int) -> tuple[Any, ...]:
        with self.database.transaction() as tx:
            (row,) = tx.run("SELECT seq, originator_id, originator_version, nonce FROM {log} WHERE seq = ?", seq)
        return row

    def reseal(self, first: int, last: int | None = None, leaves: list[tuple[int, bytes]] | None = None) -> None:
        """Recompute the stored leaf hashes of entries first..last and the Merkle subtrees over them.

        What a thorough insider does after changing rows, so that the stored tree and the
        leaf hashes agree with the changed entries: only the signed checkpoints (and the
        entries' own signatures) are beyond their reach. `leaves`, if given, are those
        entries' new leaves (see `renumbered`); by default they are recomputed from the rows.
        """
        if leaves is None:
            leaves = list(LogServer(self.tool).leaves(first, last))
        else:
            # Spot-check the given leaves against the rows: the ends of the run.
            for seq, leaf in (leaves[0], leaves[-1]):
                assert list(LogServer(self.tool).leaves(seq, seq)) == [(seq, leaf)], f"leaf {seq} given wrong"
        with self.database.transaction() as tx:
            tx.many("UPDATE {log} SET leaf_hash = ? WHERE seq = ?", [(leaf_hash(leaf), seq) for seq, leaf in leaves])
            tree = MemoryNodes(bytes(h) for (h,) in tx.run("SELECT leaf_hash FROM {log} ORDER BY seq"))
            end = EVERYWHERE if last is None else last
            rows = [
                (subtrees_of(seq, tree), seq)
                for seq in range(first, tree.size + 1)
                if largest_subtree_start(seq) <= end
            ]
            tx.many("UPDATE {log} SET subtrees = ? WHERE seq = ?", rows)

    def renumbered(self, first: int, last: int, shift: int) -> list[tuple[int, bytes]]:
        """The leaves of entries first..last once each holds the built entry `shift` places before it.

        Renumbering rows changes only the seq line of their leaves (docs/formats.md §4), so
        the built leaves are reused rather than decoding thousands of unchanged events.
        """
        return [(seq, _with_seq(self.leaves[seq - shift - 1], seq - shift, seq)) for seq in range(first, last + 1)]

    def forge_event(self, envelope: Envelope, subject: str, at: datetime, template: int | None = None) -> StoredEvent:
        """A stored event made with the ledger's own mapper: version 1 of `subject`, carrying `envelope`."""
        event = self.event(self.template if template is None else template)
        forged = dataclasses.replace(
            event, originator_id=subject_id(subject), originator_version=1, timestamp=at, envelope=envelope
        )
        return self.tool.mapper.to_stored_event(forged)

    def valid_keys(self, seq: int) -> list[KeyInfo]:
        return [info for info in self.keys.values() if info.valid_at(seq)]


def _build(backend: str, url: str, folder: Path, entries: int = ENTRIES) -> Built:
    """Append `entries` signed statements; return the ledger with what the tamperings need."""
    instance = folder / "instance"
    documents = DocumentStore(instance / "documents")
    started = time.perf_counter()
    ledger = Ledger(env=persistence_env(url), documents=documents, log_signer=LOG_SIGNER)
    try:
        world = World.build(ledger)
        rng = random.Random(BUILD_SEED)
        document = documents.put(PDF, "Báo cáo CCHC.pdf").to_json()
        units = ["SNV", "STTTT", "STC", "323", "325"]
        heads = {"SNV": "snv.giam-doc", "STTTT": "stttt.giam-doc", "STC": "stc.giam-doc", "323": "hy.chu-tich"}
        heads["325"] = "vl.chu-tich"
        names = {code: ledger.get(f"unit/{code}").name for code in units}  # type: ignore[union-attr]
        filers = [name for name in world.authors if name != "root" and world[name].unit in units]
        for number in range(12):
            unit = units[number % len(units)]
            filers.append(world.officer(f"cb{number:02d}.{unit.lower()}", unit).officer)
        keyless: list[str] = []
        roles: dict[str, list[str]] = {}
        revocable = [name for name in filers if name not in heads.values()]
        i = 0
        while ledger.head < entries:
            i += 1
            draw = rng.random()
            if draw < 0.45:
                author = world[rng.choice(filers)]
                subject = f"submission/document/{author.unit}/2024/bao-cao-{i:05d}"
                body = {"title": f"Báo cáo chuyên đề số {i}", "issued_on": "2024-12-15", "document": document}
                world.append(author, "submission.document", subject, body)
            elif draw < 0.65:
                code = rng.choice(units)
                name = f"{names[code]} (tên gọi {i})"
                world.append("root", "unit.rename", f"unit/{code}", {"name": name, "decision": f"QĐ {i}/QĐ-UBND"})
            elif draw < 0.85:
                unit = rng.choice(units)
                officer = f"cv{i:05d}.{unit.lower()}"
                signer = heads[unit] if rng.random() < 0.5 else "root"
                body = {"name": f"Chuyên viên {i}", "unit": unit, "roles": ["officer"]}
                world.append(signer, "officer.register", f"officer/{officer}", body)
                keyless.append(officer)
                roles[officer] = ["officer"]
            elif draw < 0.99 and roles:
                officer = rng.choice(sorted(roles))
                roles[officer] = ["officer", "auditor"] if roles[officer] == ["officer"] else ["officer"]
                world.append("root", "officer.set-roles", f"officer/{officer}", {"roles": roles[officer]})
            elif keyless and (rng.random() < 0.6 or len(revocable) < 4):
                officer = keyless.pop(rng.randrange(len(keyless)))
                roles.pop(officer)
                unit = officer.rsplit(".", 1)[1].upper()
                key = key_for(officer)
                body = {"public_key": key.verifying_key.base64, "officer": officer}
                world.append(rng.choice(["root", heads[unit]]), "key.register", f"key/{key.key_id}", body)
                world.authors[officer] = Author(key, unit, officer)
                filers.append(officer)
                revocable.append(officer)
            elif len(revocable) >= 4:
                officer = revocable.pop(rng.randrange(len(revocable)))
                filers.remove(officer)
                holder = world[officer]
                signer = rng.choice(["root", heads[holder.unit], officer])
                world.append(signer, "key.revoke", f"key/{holder.key.key_id}", {"reason": f"Thiết bị bị mất ({i})"})
        size = ledger.head
        latest = LogServer(ledger).checkpoint()
        assert latest is not None
        assert latest[0] == size == entries
        state = latest[1]
    finally:
        ledger.close()
    built_in = time.perf_counter() - started

    tool = Ledger(env=persistence_env(url), documents=documents)
    by_key = {author.key.key_id: author for name, author in world.authors.items() if name != "root"}
    keys: dict[str, KeyInfo] = {}
    template = 0
    for entry in tool.entries():
        statement = entry.envelope.statement
        if statement.type == "key.register":
            key_id = statement.subject.removeprefix("key/")
            keys[key_id] = KeyInfo(by_key[key_id], entry.seq)
        elif statement.type == "key.revoke":
            keys[statement.subject.removeprefix("key/")].revoked = entry.seq
        elif statement.type == "submission.document" and not template:
            template = entry.seq
    root_key_id = world["root"].key.key_id
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "log.key").write_text(LOG_SIGNER.skey + "\n")
    (instance / "config.json").write_text(json.dumps({"root_key_id": root_key_id}) + "\n")
    built = Built(
        backend=backend,
        url=url,
        folder=folder,
        database=Database(url),
        tool=tool,
        size=size,
        state=state,
        root_key_id=root_key_id,
        keys=keys,
        template=template,
        document=document,
        fingerprint={},
        inspector=Inspector(log_vkey=LOG_SIGNER.vkey, origin=LOG_SIGNER.name, root_key_id=root_key_id),
    )
    built.fingerprint = built.database.fingerprint()
    started = time.perf_counter()
    built.leaves = [leaf for _, leaf in LogServer(tool).leaves()]
    assert len(built.leaves) == size
    report = inspect_stream(built, known=state)
    revoked = sum(1 for info in keys.values() if info.revoked)
    print(
        f"\nbuilt {backend}: {size} entries in {built_in:.0f} s ({built_in / size * 1000:.1f} ms per append), "
        f"{len(keys)} officer keys ({revoked} revoked); first inspection {time.perf_counter() - started:.1f} s"
    )
    assert report.ok, report
    assert report.checkpoint is not None
    assert report.checkpoint.size == size
    assert min(5, entries // 1000) <= revoked < len(keys)
    return built


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=BACKENDS)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The 10,000-entry ledger of one backend, built once per module."""
    yield from _built(request.param, tmp_path_factory, ENTRIES)


@pytest.fixture(scope="module", params=BACKENDS)
def small(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """A SMALL_ENTRIES ledger of one backend, for make test."""
    yield from _built(request.param, tmp_path_factory, SMALL_ENTRIES)


def _built(backend: str, tmp_path_factory: pytest.TempPathFactory, entries: int) -> Iterator[Built]:
    folder = tmp_path_factory.mktemp(f"tamper-{backend}")
    if backend == "sqlite":
        # In memory-backed files where the system has them: every append and tampering
        # commits, and a disk's fsync per commit would dominate the run. Still a real
        # SQLite file, opened by the ledger's own recorder.
        shm = Path("/dev/shm")
        files = Path(tempfile.mkdtemp(prefix="par-tamper-", dir=shm)) if shm.is_dir() else folder
        try:
            result = _build("sqlite", f"sqlite:///{files / 'ledger.sqlite3'}", folder, entries)
            yield result
            result.tool.close()
        finally:
            if files != folder:
                shutil.rmtree(files)
    else:
        for schema in postgres_schema():
            result = _build("postgres", f"{POSTGRES_URL}?schema={schema}", folder, entries)
            yield result
            result.tool.close()


# --------------------------------------------------------------------------------------
# Detection and location
# --------------------------------------------------------------------------------------


def inspect_stream(built: Built, *, known: bytes | None, first: int = 1) -> Report:
    """The inspector over the ledger's leaves and checkpoints, streamed from the database.

    Entries before `first`, whose rows the tampering did not touch, are given as built
    (the same bytes ``LogServer.leaves()`` yields for them) instead of being decoded again:
    the inspector still checks every entry, leaf and checkpoint. ``run_kind`` checks on a
    sample that a full read from the database gives the same faults.
    """
    ledger = built.open()
    built.inspector.known = known
    try:
        before = zip(range(1, first), built.leaves[: first - 1], strict=True)
        log = LogServer(ledger)
        entries = itertools.chain(before, log.leaves(first))
        return built.inspector.inspect(entries, (note for _, note in log.checkpoints()))
    finally:
        built.inspector.known = None
        ledger.close()


def inspect_bundle(built: Built, *, known: bytes | None) -> Report:
    """``parledger export --out DIR`` from the database, then the inspector over the bundle."""
    out = built.folder / f"bundle-{uuid.uuid4().hex[:8]}"
    env = {"LEDGER_INSTANCE": str(built.folder / "instance"), "LEDGER_DATABASE_URL": built.url}
    result = CliRunner().invoke(parledger, ["export", "--out", str(out)], env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    built.inspector.known = known
    try:
        bundle = Bundle.open(out)
        assert bundle.root_key_id == built.root_key_id
        return built.inspector.inspect(bundle.entries(), bundle.checkpoints())
    finally:
        built.inspector.known = None
        shutil.rmtree(out)


@dataclass(frozen=True)
class Expect:
    """Where a tampering must be located."""

    seqs: tuple[int, ...] = ()  # a fault at, or a range fault over, one of these entries
    checkpoint: int | None = None  # a log fault naming the checkpoint of this size
    claimed: int | None = None  # …or the size its changed note now claims
    missing: tuple[int, int] | None = None  # exactly this range of entries is reported missing

    def located(self, faults: list[Fault]) -> bool:
        return any(self._names(fault) for fault in faults)

    def _names(self, fault: Fault) -> bool:
        if fault.seq is not None:
            if self.missing is not None:
                return (fault.first, fault.last) == self.missing and "missing" in fault.reason
            return any(fault.first <= seq <= fault.last for seq in self.seqs)  # type: ignore[operator]
        if self.missing is not None:
            found = re.search(
                r"rollback: the latest checkpoint \((\d+)\) is older than the checkpoint verified "
                r"before \((\d+)\)",
                fault.reason,
            )
            return found is not None and (int(found[1]) + 1, int(found[2])) == self.missing
        if self.checkpoint is None:
            return False
        # A rejected note is named by the size it claims, or, if its size line no longer
        # reads as a number, by where it was given among the notes that verify.
        found = re.match(r"checkpoint of size (\d+) rejected", fault.reason)
        if found is not None:
            return int(found[1]) in (self.checkpoint, self.claimed)
        found = re.match(
            r"checkpoint given (?:after checkpoint (\d+))?(?: and )?(?:before checkpoint (\d+))? rejected", fault.reason
        )
        return (
            found is not None
            and (found[1] is None or int(found[1]) < self.checkpoint)
            and (found[2] is None or self.checkpoint < int(found[2]))
        )


@dataclass
class Tampering:
    """One change to the database: the rows it touches, how to make it, where it must be found."""

    what: str
    areas: list[Area]
    apply: Callable[[], None]
    expect: Expect
    known: bytes | None = None  # the inspector's state, where the kind needs it
    by: str = "inspector"  # or "verify": verify_ledger on the database (parledger verify)
    first: int = 1  # the first entry whose rows the tampering may change (size + 1: none)


Planner = Callable[[Built, random.Random], Tampering]


def run_kind(built: Built, kind: str, plan: Planner, count: int = COUNT) -> None:
    """`count` independent tamperings of one kind; print and check the counts."""
    seed = int(os.environ.get("PAR_TAMPER_SEED") or random.SystemRandom().randrange(1 << 32))
    rng = random.Random(f"{seed}:{kind}:{built.backend}")
    print(f"\ntamper {kind} {built.backend}: PAR_TAMPER_SEED={seed}")
    counts = {"tampered": 0, "detected": 0, "located": 0}
    misses: list[str] = []
    bundled = False
    built.redrawn = 0
    started = time.perf_counter()
    for number in range(count):
        tampering = plan(built, rng)
        saved = built.database.save(tampering.areas)
        try:
            tampering.apply()
            if tampering.by == "verify":
                ledger = built.open()
                try:
                    faults = verify_ledger(ledger, log_vkey=LOG_SIGNER.vkey, inspector=built.inspector)
                finally:
                    ledger.close()
            else:
                faults = inspect_stream(built, known=tampering.known, first=tampering.first).faults
                if not number % FULL_READ_EVERY and tampering.first > 1:
                    full = inspect_stream(built, known=tampering.known).faults
                    assert list(map(str, full)) == list(map(str, faults)), tampering.what
                if not bundled:
                    bundled = True
                    exported = inspect_bundle(built, known=tampering.known).faults
                    assert list(map(str, exported)) == list(map(str, faults)), tampering.what
        finally:
            built.database.restore(saved)
        counts["tampered"] += 1
        counts["detected"] += bool(faults)
        located = tampering.expect.located(faults)
        counts["located"] += located
        if VERBOSE:
            flag = "" if located else "NOT LOCATED: "
            print(f"  {flag}{tampering.what}\n    → {faults[0] if faults else 'no fault'}"[:400])
        if not located:
            shown = "\n    ".join(str(fault)[:300] for fault in faults[:8]) or "(no fault)"
            misses.append(f"{tampering.what}: {len(faults)} fault(s)\n    {shown}")
    elapsed = time.perf_counter() - started
    print(
        f"tamper {kind} {built.backend}: {counts['tampered']} tampered, {counts['detected']} detected, "
        f"{counts['located']} located"
    )
    extra = f", {built.redrawn} no-op byte changes redrawn" if built.redrawn else ""
    print(f"  ({elapsed / count:.1f} s per tampering{extra})")
    assert built.database.fingerprint() == built.fingerprint, "the database was not restored"
    assert not misses, "\n".join(misses)
    assert counts["tampered"] == counts["detected"] == counts["located"] == count


# --------------------------------------------------------------------------------------
# Helpers for forging
# --------------------------------------------------------------------------------------


def _signed(statement: dict[str, Any], key: SigningKey, key_id: str | None = None) -> Envelope:
    payload = canonical_json(statement)
    return Envelope(PAYLOAD_TYPE, payload, (Signature(key_id or key.key_id, key.sign(pae(PAYLOAD_TYPE, payload))),))


def _filing(built: Built, author: Author, rng: random.Random) -> tuple[str, Envelope]:
    """A document filing for the author's unit, as the officer's software would sign it."""
    ref = f"bo-sung-{rng.randrange(16**8):08x}"
    subject = f"submission/document/{author.unit}/2024/{ref}"
    body = {"title": "Báo cáo bổ sung", "issued_on": "2024-12-20", "document": built.document}
    return subject, author.sign("submission.document", subject, body)


def _insert_at(built: Built, seq: int, stored: StoredEvent, nonce: str) -> None:
    """Insert an event and give it position `seq`, moving every later log row up by one."""
    database = built.database
    with database.transaction() as tx:
        tx.run(
            "INSERT INTO {events} (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
            database.oid(stored.originator_id),
            stored.originator_version,
            stored.topic,
            stored.state,
        )
        tx.run("UPDATE {log} SET seq = -(seq + 1) WHERE seq >= ?", seq)
        tx.run("UPDATE {log} SET seq = -seq WHERE seq < 0")
        tx.run(
            "INSERT INTO {log} VALUES (?, ?, ?, ?, ?, ?)",
            seq,
            database.oid(stored.originator_id),
            stored.originator_version,
            nonce,
            b"\0" * 32,
            b"",
        )
    built.reseal(seq, leaves=[*LogServer(built.tool).leaves(seq, seq), *built.renumbered(seq + 1, built.size + 1, 1)])


def _replace_envelope(built: Built, seq: int, envelope: Envelope) -> None:
    """Rewrite the stored event at `seq` to carry `envelope` instead; reseal its leaf."""
    event = dataclasses.replace(built.event(seq), envelope=envelope)
    state = built.tool.mapper.to_stored_event(event).state
    _, originator_id, version, _ = built.log_row(seq)
    with built.database.transaction() as tx:
        tx.run(
            "UPDATE {events} SET state = ? WHERE originator_id = ? AND originator_version = ?",
            state,
            originator_id,
            version,
        )
        tx.run("UPDATE {log} SET nonce = ? WHERE seq = ?", envelope.statement.nonce, seq)
    built.reseal(seq, seq)


def _with_seq(leaf: bytes, old: int, new: int) -> bytes:
    """The leaf with its seq line (the second line, docs/formats.md §4) saying `new` instead of `old`."""
    head = b"par-ledger/leaf/v1\nseq %d\n" % old
    assert leaf.startswith(head)
    return b"par-ledger/leaf/v1\nseq %d\n" % new + leaf[len(head) :]


def _event_area(built: Built, *keys: tuple[Any, int]) -> Area:
    where = " OR ".join(["(originator_id = ? AND originator_version = ?)"] * len(keys))
    return Area("events", where, tuple(value for key in keys for value in key))


def _tail_areas(built: Built, seq: int) -> list[Area]:
    """The log from `seq` on, with the Merkle subtrees its rows keep (what renumbering rewrites)."""
    return [Area("log", "seq >= ?", (seq,))]


def _point_areas(built: Built, *seqs: int) -> list[Area]:
    """The log rows of `seqs` and the rows keeping Merkle subtrees over them, as one area: the
    subtrees over two entries share ancestors, whose rows must be saved once."""
    rows = tuple(sorted(set().union(*map(holding_subtrees_over, seqs))))
    return [Area("log", f"seq IN ({', '.join('?' * len(rows))})", rows)]


# --------------------------------------------------------------------------------------
# The fault kinds
# --------------------------------------------------------------------------------------


def plan_changed_byte(built: Built, rng: random.Random) -> Tampering:
    """One byte changed: of a stored event's state, of its stored leaf hash, or of a checkpoint note."""
    target = rng.choice(["state", "leaf hash", "checkpoint"])
    database = built.database
    if target == "checkpoint":
        size = rng.randint(1, built.size)
        with database.transaction() as tx:
            ((note,),) = tx.run("SELECT note FROM {checkpoints} WHERE size = ?", size)
        note = bytearray(note)
        at = rng.randrange(len(note))
        old = note[at]
        note[at] = rng.choice([b for b in PRINTABLE if b != old])
        size_line = note.split(b"\n")[1]
        claimed = int(size_line) if size_line.isdigit() else None

        def change_note() -> None:
            with database.transaction() as tx:
                tx.run("UPDATE {checkpoints} SET note = ? WHERE size = ?", bytes(note), size)

        return Tampering(
            f"checkpoint {size}: byte {at} {old:#04x}→{note[at]:#04x}",
            [Area("checkpoints", "size = ?", (size,))],
            change_note,
            Expect(seqs=(size,), checkpoint=size, claimed=claimed),
            first=built.size + 1,
        )
    seq = rng.randint(1, built.size)
    _, originator_id, version, _ = built.log_row(seq)
    if target == "leaf hash":
        with database.transaction() as tx:
            ((digest,),) = tx.run("SELECT leaf_hash FROM {log} WHERE seq = ?", seq)
        digest = bytearray(digest)
        at = rng.randrange(len(digest))
        old = digest[at]
        digest[at] = rng.choice([b for b in range(256) if b != old])

        def change_leaf_hash() -> None:
            with database.transaction() as tx:
                tx.run("UPDATE {log} SET leaf_hash = ? WHERE seq = ?", bytes(digest), seq)

        return Tampering(
            f"entry {seq}: leaf hash byte {at}",
            [Area("log", "seq = ?", (seq,))],
            change_leaf_hash,
            Expect(seqs=(seq,)),
            by="verify",
        )
    stored = built.stored(seq)
    before = leaf_of(seq, built.tool.mapper.to_domain_event(stored), stored.topic).to_bytes()
    while True:
        state = bytearray(stored.state)
        at = rng.randrange(len(state))
        old = state[at]
        state[at] = rng.choice([b for b in PRINTABLE if b != old])
        try:
            after = leaf_of(
                seq, built.tool.mapper.to_domain_event(dataclasses.replace(stored, state=bytes(state))), stored.topic
            ).to_bytes()
        except Exception:
            break  # the event no longer decodes: the entry has no leaf
        if after != before:
            break
        # The same event in other bytes (e.g. base64 padding bits, "+00:00" → "-00:00"):
        # nothing the ledger says has changed, so this is no tampering. Draw again.
        built.redrawn += 1

    def change_state() -> None:
        with database.transaction() as tx:
            tx.run(
                "UPDATE {events} SET state = ? WHERE originator_id = ? AND originator_version = ?",
                bytes(state),
                originator_id,
                version,
            )

    return Tampering(
        f"entry {seq}: state byte {at} {chr(old)!r}→{chr(state[at])!r} ({bytes(state[max(0, at - 30) : at + 10])!r})",
        [_event_area(built, (originator_id, version))],
        change_state,
        Expect(seqs=(seq,)),
        first=seq,
    )


def plan_deleted_entry(built: Built, rng: random.Random) -> Tampering:
    """An entry's event row and log row deleted: leaving the gap, or renumbering the rest to close it."""
    seq = rng.randint(1, built.size)
    renumber = rng.random() < 0.5
    _, originator_id, version, _ = built.log_row(seq)

    def delete() -> None:
        with built.database.transaction() as tx:
            tx.run("DELETE FROM {events} WHERE originator_id = ? AND originator_version = ?", originator_id, version)
            tx.run("DELETE FROM {log} WHERE seq = ?", seq)
            if renumber:
                tx.run("UPDATE {log} SET seq = -(seq - 1) WHERE seq > ?", seq)
                tx.run("UPDATE {log} SET seq = -seq WHERE seq < 0")
        if renumber and seq < built.size:
            built.reseal(seq, leaves=built.renumbered(seq, built.size - 1, -1))

    return Tampering(
        f"entry {seq} deleted" + (", later entries renumbered" if renumber else ""),
        [_event_area(built, (originator_id, version)), *_tail_areas(built, seq)],
        delete,
        Expect(seqs=(seq,)),
        first=seq,
    )


def plan_inserted_entry(built: Built, rng: random.Random) -> Tampering:
    """A validly signed filing (by a key valid there) inserted at a random position, later entries renumbered."""
    valid: list[Any] = []
    while not valid:  # the first entries come before any officer's key is registered
        seq = rng.randint(2, built.size + 1)
        valid = list(built.valid_keys(seq))
    signer = rng.choice(valid).author
    subject, envelope = _filing(built, signer, rng)
    stored = built.forge_event(envelope, subject, built.event(seq - 1).timestamp)

    def insert() -> None:
        _insert_at(built, seq, stored, envelope.statement.nonce)

    return Tampering(
        f"a filing by {signer.officer} inserted as entry {seq}",
        [_event_area(built, (built.database.oid(stored.originator_id), 1)), *_tail_areas(built, seq)],
        insert,
        Expect(seqs=(seq,)),
        first=seq,
    )


def plan_swapped_entries(built: Built, rng: random.Random) -> Tampering:
    """Two log rows exchange their positions (sequence numbers); leaf hashes and tree recomputed."""
    first, second = sorted(rng.sample(range(1, built.size + 1), 2))

    def swap() -> None:
        with built.database.transaction() as tx:
            tx.run("UPDATE {log} SET seq = ? WHERE seq = ?", -first, first)
            tx.run("UPDATE {log} SET seq = ? WHERE seq = ?", first, second)
            tx.run("UPDATE {log} SET seq = ? WHERE seq = ?", second, -first)
        built.reseal(first, first)
        built.reseal(second, second)

    return Tampering(
        f"entries {first} and {second} swapped",
        _point_areas(built, first, second),
        swap,
        Expect(seqs=(first, second)),
        first=first,
    )


def plan_truncated_tail(built: Built, rng: random.Random) -> Tampering:
    """The last k entries deleted with their log rows (and subtrees); their checkpoints kept, or dropped too."""
    count = rng.randint(1, 200)
    keep = built.size - count
    drop_checkpoints = rng.random() < 0.5
    with built.database.transaction() as tx:
        keys = tx.run("SELECT originator_id, originator_version FROM {log} WHERE seq > ?", keep)
    areas = [_event_area(built, *keys), *_tail_areas(built, keep + 1)]
    if drop_checkpoints:
        areas.append(Area("checkpoints", "size > ?", (keep,)))

    def truncate() -> None:
        with built.database.transaction() as tx:
            tx.many("DELETE FROM {events} WHERE originator_id = ? AND originator_version = ?", keys)
            tx.run("DELETE FROM {log} WHERE seq > ?", keep)
            if drop_checkpoints:
                tx.run("DELETE FROM {checkpoints} WHERE size > ?", keep)

    return Tampering(
        f"the last {count} entries deleted" + (" with their checkpoints" if drop_checkpoints else ""),
        areas,
        truncate,
        Expect(missing=(keep + 1, built.size)),
        known=built.state,
        first=keep + 1,
    )


def _mutated(payload: bytes, rng: random.Random) -> dict[str, Any]:
    """The statement with one text of its body (or its client time) changed.

    A document's digest is left alone: a reference to a document that does not exist
    stops `parledger export` before the inspector sees the signature this kind is about.
    """
    statement = json.loads(payload)
    texts: list[tuple[dict[str, Any] | list[Any], Any]] = []

    def walk(value: Any) -> None:
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for name, item in items:
            if isinstance(item, str) and name != "sha256":
                texts.append((value, name))
            walk(item)

    walk(statement["body"])
    container, name = rng.choice(texts) if texts else (statement, "client_time")
    container[name] = container[name] + " (sửa)" if name != "client_time" else "2024-01-01T00:00:00+07:00"  # type: ignore[index]
    return statement


def plan_forged_signature(built: Built, rng: random.Random) -> Tampering:
    """A changed payload re-signed with another key, stored with its recomputed leaf hash and tree.

    Either the signer's key id is kept over a forger's signature (the signature fails), or
    the statement is re-signed by another officer whose key is valid there (it verifies:
    only the checkpoints show it).
    """
    seq = rng.randint(1, built.size)
    envelope = built.event(seq).envelope
    statement = _mutated(envelope.payload, rng)
    others = [info for info in built.valid_keys(seq) if info.author.key.key_id != envelope.key_id]
    if others and rng.random() < 0.5:
        signer = rng.choice(others).author.key
        forged = _signed(statement, signer)
        what = f"entry {seq}: payload changed, re-signed by another officer's valid key"
    else:
        forged = _signed(statement, key_for(f"forger {rng.random()}"), key_id=envelope.key_id)
        what = f"entry {seq}: payload changed, re-signed by a forger under {envelope.key_id[:20]}…"
    _, originator_id, version, _ = built.log_row(seq)
    return Tampering(
        what,
        [_event_area(built, (originator_id, version)), *_point_areas(built, seq)],
        lambda: _replace_envelope(built, seq, forged),
        Expect(seqs=(seq,)),
        first=seq,
    )


def plan_unknown_or_revoked_key(built: Built, rng: random.Random) -> Tampering:
    """An entry signed by a key never registered, or by a key after its revocation: inserted or replacing one."""
    revoked = [info for info in built.keys.values() if info.revoked is not None]
    if rng.random() < 0.5:
        info = rng.choice(revoked)
        assert info.revoked is not None
        seq = rng.randint(info.revoked + 1, built.size + 1)
        author = info.author
        what = f"signed by {author.officer}'s key revoked at {info.revoked}"
    else:
        seq = rng.randint(2, built.size + 1)
        impersonated = rng.choice(list(built.keys.values())).author
        author = Author(key_for(f"ke gia mao {rng.random()}"), impersonated.unit, impersonated.officer)
        what = f"signed by an unregistered key, as {author.officer}"
    subject, envelope = _filing(built, author, rng)
    if seq <= built.size and rng.random() < 0.5:
        _, originator_id, version, _ = built.log_row(seq)
        return Tampering(
            f"entry {seq} replaced by a filing {what}",
            [_event_area(built, (originator_id, version)), *_point_areas(built, seq)],
            lambda: _replace_envelope(built, seq, envelope),
            Expect(seqs=(seq,)),
            first=seq,
        )
    stored = built.forge_event(envelope, subject, built.event(seq - 1).timestamp)

    def insert() -> None:
        _insert_at(built, seq, stored, envelope.statement.nonce)

    return Tampering(
        f"a filing {what} inserted as entry {seq}",
        [_event_area(built, (built.database.oid(stored.originator_id), 1)), *_tail_areas(built, seq)],
        insert,
        Expect(seqs=(seq,)),
        first=seq,
    )


def plan_duplicated_envelope(built: Built, rng: random.Random) -> Tampering:
    """An entry's event stored again, the same envelope, as the next version of its record under a new seq."""
    source = rng.randint(1, built.size)
    seq = rng.randint(source + 1, built.size + 1)
    _, originator_id, _, nonce = built.log_row(source)
    stored = built.stored(source)
    with built.database.transaction() as tx:
        ((latest,),) = tx.run("SELECT MAX(originator_version) FROM {events} WHERE originator_id = ?", originator_id)
    copy = dataclasses.replace(stored, originator_version=latest + 1)

    def duplicate() -> None:
        # The log's nonce column is unique: the insider writes another value there.
        _insert_at(built, seq, copy, nonce + "-copy")

    return Tampering(
        f"the envelope of entry {source} stored again as entry {seq}",
        [_event_area(built, (originator_id, latest + 1)), *_tail_areas(built, seq)],
        duplicate,
        Expect(seqs=(seq,)),
        first=seq,
    )


# --------------------------------------------------------------------------------------
# The tests: one per fault kind, on each backend
# --------------------------------------------------------------------------------------


KINDS: dict[str, Planner] = {
    "changed-byte": plan_changed_byte,
    "deleted-entry": plan_deleted_entry,
    "inserted-entry": plan_inserted_entry,
    "swapped-entries": plan_swapped_entries,
    "truncated-tail": plan_truncated_tail,
    "forged-signature": plan_forged_signature,
    "unknown-or-revoked-key": plan_unknown_or_revoked_key,
    "duplicated-envelope": plan_duplicated_envelope,
}


def test_every_kind_on_a_small_ledger(small: Built) -> None:
    """make test's share of the suite: SMALL_COUNT tamperings of every kind on a SMALL_ENTRIES ledger."""
    for kind, plan in KINDS.items():
        run_kind(small, kind, plan, SMALL_COUNT)


@tamper
def test_a_changed_byte_is_detected_and_located(built: Built) -> None:
    run_kind(built, "changed-byte", plan_changed_byte)


@tamper
def test_a_deleted_entry_is_detected_and_located(built: Built) -> None:
    run_kind(built, "deleted-entry", plan_deleted_entry)


@tamper
def test_an_inserted_entry_is_detected_and_located(built: Built) -> None:
    run_kind(built, "inserted-entry", plan_inserted_entry)


@tamper
def test_swapped_entries_are_detected_and_located(built: Built) -> None:
    run_kind(built, "swapped-entries", plan_swapped_entries)


@tamper
def test_a_truncated_tail_is_detected_and_its_range_named(built: Built) -> None:
    run_kind(built, "truncated-tail", plan_truncated_tail)


@tamper
def test_a_forged_signature_is_detected_and_located(built: Built) -> None:
    run_kind(built, "forged-signature", plan_forged_signature)


@tamper
def test_an_unknown_or_revoked_key_is_detected_and_located(built: Built) -> None:
    run_kind(built, "unknown-or-revoked-key", plan_unknown_or_revoked_key)


@tamper
def test_a_duplicated_envelope_is_detected_and_located(built: Built) -> None:
    run_kind(built, "duplicated-envelope", plan_duplicated_envelope)


@tamper
def test_an_event_that_no_longer_decodes_is_exported_and_named(built: Built) -> None:
    """A changed type tag makes the envelope decode as a plain dict: the export goes on, and both checks name it.

    (Regression: ``parledger export`` and ``parledger verify`` stopped with a traceback.)
    """
    seq = built.size // 3
    _, originator_id, version, _ = built.log_row(seq)
    state = built.stored(seq).state
    assert state.count(b'"envelope":{"_type_"') == 1
    area = _event_area(built, (originator_id, version))
    saved = built.database.save([area])
    try:
        with built.database.transaction() as tx:
            tx.run(
                "UPDATE {events} SET state = ? WHERE originator_id = ? AND originator_version = ?",
                state.replace(b'"envelope":{"_type_"', b'"envelope":{"_tyqe_"'),
                originator_id,
                version,
            )
        exported = inspect_bundle(built, known=None).faults
        assert [str(fault) for fault in exported] == [f"entry {seq}: missing: deleted?"]
        ledger = built.open()
        try:
            verified = verify_ledger(ledger, log_vkey=LOG_SIGNER.vkey)
        finally:
            ledger.close()
        assert [fault.seq for fault in verified] == [seq]
        assert "the stored event cannot be decoded" in verified[0].reason
    finally:
        built.database.restore(saved)
    assert built.database.fingerprint() == built.fingerprint


@tamper
def test_history_rewritten_and_re_signed_with_the_log_key_is_caught_by_the_state(built: Built) -> None:
    """An insider with the log key (kept unencrypted on the server) changes an entry and re-signs what follows.

    Every entry and every checkpoint then verify: only the checkpoint the inspector verified
    before (its state) shows that history was rewritten, and the fault prints both notes.
    Without the state this is undetectable by design, which is why inspectors keep one.
    """
    rng = random.Random(built.size)
    seq = rng.randint(2, built.size)
    signer = rng.choice(built.valid_keys(seq)).author
    statement = _mutated(built.event(seq).envelope.payload, rng)
    forged = _signed(statement, signer.key)
    _, originator_id, version, _ = built.log_row(seq)
    areas = [_event_area(built, (originator_id, version)), *_point_areas(built, seq)]
    saved = built.database.save([*areas, Area("checkpoints", "size >= ?", (seq,))])
    try:
        _replace_envelope(built, seq, forged)
        with built.database.transaction() as tx:
            tree = MemoryNodes(bytes(digest) for (digest,) in tx.run("SELECT leaf_hash FROM {log} ORDER BY seq"))
            sizes = range(seq, built.size + 1)
            notes = [(sign_checkpoint(LOG_SIGNER, size, root_at(size, tree)), size) for size in sizes]
            tx.many("UPDATE {checkpoints} SET note = ? WHERE size = ?", notes)
        latest = notes[-1][0]

        assert inspect_stream(built, known=None).ok  # consistent in itself

        faults = inspect_stream(built, known=built.state).faults
    finally:
        built.database.restore(saved)
    assert built.database.fingerprint() == built.fingerprint
    (fault,) = faults
    assert fault.seq is None
    assert fault.reason.startswith(
        f"SECURITY ERROR: log misbehaviour: the latest checkpoint ({built.size}) matches the entries, but they no "
        f"longer contain the checkpoint verified before ({built.size}): history was rewritten and re-signed"
    )
    for note in (built.state, latest):
        assert "\n".join("    " + line for line in note.decode().rstrip("\n").split("\n")) in fault.reason
