"""The quarantine of unsigned uploads: an upload enters the content-addressed store only when
a signed statement that references it is appended, within a quota per officer and a time limit.

Every test runs on SQLite and on PostgreSQL (the `database_url` fixture behind `ledger`). The
store reads the time from a clock the test moves forward, as 24 hours passing would.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

import pytest
from backends import SQLPrompt
from world import PDF, World

from demo.pdf import demo_pdf
from ledger.application import Ledger
from ledger.domain.submissions import MAX_DOCUMENT_BYTES, DocumentRef
from ledger.errors import NotFoundError, PayloadError, RuleError
from ledger.storage.documents import (
    QUARANTINE_HOURS,
    QUARANTINE_MAX_BYTES,
    QUARANTINE_MAX_FILES,
    DocumentStore,
)

OFFICER = "hy.chuyen-vien"
NAME = "Báo cáo CCHC 2024.pdf"


class Clock:
    """The time the store reads: starts at a fixed moment and moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_733_000_000.0

    def __call__(self) -> float:
        return self.now

    def pass_hours(self, hours: float) -> None:
        self.now += hours * 3600


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def documents(tmp_path: Path, clock: Clock) -> DocumentStore:
    """The ledger's document store (overrides the shared fixture: this one has the test's clock)."""
    return DocumentStore(tmp_path / "documents", clock=clock)


def rows(database_url: str) -> tuple[int, int]:
    """(stored events, log rows), read with plain SQL."""
    prompt = SQLPrompt(database_url)
    ((events,),) = prompt.run("SELECT COUNT(*) FROM {events}")
    ((log,),) = prompt.run("SELECT COUNT(*) FROM {log}")
    return events, log


def stored(documents: DocumentStore) -> list[Path]:
    """Every file in the content-addressed store."""
    return [path for path in (documents.root / "sha256").rglob("*") if path.is_file()]


def quarantined(documents: DocumentStore) -> list[Path]:
    """Every file in the quarantine."""
    return [path for path in documents.quarantine_root.rglob("*") if path.is_file()]


def file_report(world: World, ref: DocumentRef, slug: str) -> Any:
    body = {"title": "Báo cáo kết quả CCHC năm 2024", "issued_on": "2024-12-15", "document": ref.to_json()}
    return world.append(OFFICER, "submission.document", f"submission/document/323/2024/{slug}", body)


def pdf_of_size(size: int, tag: str) -> bytes:
    """A file the store takes for a PDF, of exactly `size` bytes."""
    head = f"%PDF-1.4 {tag}\n".encode()
    return head + b"0" * (size - len(head))


def test_an_upload_nobody_signs_leaves_nothing_in_the_content_addressed_store(
    ledger: Ledger, documents: DocumentStore
) -> None:
    World.build(ledger)
    head = ledger.head

    ref = documents.hold(PDF, NAME, OFFICER)

    assert stored(documents) == []
    assert quarantined(documents) == [documents.quarantine_root / OFFICER / ref.sha256]
    assert ledger.head == head


def test_signing_a_statement_that_references_a_held_upload_moves_it_into_the_store(
    ledger: Ledger, documents: DocumentStore
) -> None:
    world = World.build(ledger)
    ref = documents.hold(PDF, NAME, OFFICER)

    receipt = file_report(world, ref, "bao-cao")

    assert receipt.seq == ledger.head
    assert stored(documents) == [documents.path(ref.sha256)]
    assert documents.read(ref.sha256) == PDF
    assert quarantined(documents) == []
    assert documents.path(ref.sha256).stat().st_mode & 0o777 == 0o444


def test_a_refused_statement_leaves_its_upload_in_quarantine_and_out_of_the_store(
    ledger: Ledger, documents: DocumentStore, database_url: str
) -> None:
    world = World.build(ledger)
    ref = documents.hold(PDF, NAME, OFFICER)
    counts = rows(database_url)
    wrong_size = dataclasses.replace(ref, size=ref.size + 1)

    with pytest.raises(PayloadError) as refused:
        file_report(world, wrong_size, "sai-kich-thuoc")

    assert refused.value.code == "document_size_mismatch"
    assert rows(database_url) == counts
    assert stored(documents) == []
    assert quarantined(documents) == [documents.quarantine_root / OFFICER / ref.sha256]


def test_the_quota_refuses_the_upload_after_the_last_file_allowed_and_not_another_officers(
    documents: DocumentStore,
) -> None:
    for n in range(QUARANTINE_MAX_FILES):
        documents.hold(demo_pdf(f"Bao cao so {n}"), f"Báo cáo {n}.pdf", OFFICER)
    documents.hold(demo_pdf("Bao cao so 0"), "Báo cáo 0.pdf", OFFICER)  # the same bytes again count once

    with pytest.raises(RuleError) as refused:
        documents.hold(demo_pdf("Mot bao cao qua han muc"), "Báo cáo thừa.pdf", OFFICER, field="file")

    assert refused.value.code == "quarantine_files_full"
    assert refused.value.field == "file"
    assert refused.value.params == {"count": QUARANTINE_MAX_FILES, "limit": QUARANTINE_MAX_FILES, "hours": 24}
    assert len(quarantined(documents)) == QUARANTINE_MAX_FILES
    other = documents.hold(demo_pdf("Mot bao cao qua han muc"), "Báo cáo thừa.pdf", "vl.chu-tich")
    assert (documents.quarantine_root / "vl.chu-tich" / other.sha256).is_file()


def test_parallel_uploads_of_one_officer_cannot_overrun_the_quota(documents: DocumentStore) -> None:
    files = [demo_pdf(f"Bao cao song song {n}") for n in range(2 * QUARANTINE_MAX_FILES)]
    start = threading.Barrier(len(files))
    refusals: list[str] = []

    def upload(data: bytes) -> None:
        start.wait()
        try:
            documents.hold(data, NAME, OFFICER)
        except RuleError as exc:
            refusals.append(exc.code)

    threads = [threading.Thread(target=upload, args=(data,)) for data in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert refusals == ["quarantine_files_full"] * QUARANTINE_MAX_FILES
    assert len(quarantined(documents)) == QUARANTINE_MAX_FILES


def test_the_quota_of_bytes_refuses_an_upload_that_would_exceed_it_and_not_another_officers(
    documents: DocumentStore,
) -> None:
    full = QUARANTINE_MAX_BYTES // MAX_DOCUMENT_BYTES
    for n in range(full):
        documents.hold(pdf_of_size(MAX_DOCUMENT_BYTES, str(n)), f"Lớn {n}.pdf", OFFICER)

    with pytest.raises(RuleError) as refused:
        documents.hold(PDF, NAME, OFFICER, field="file")

    assert refused.value.code == "quarantine_bytes_full"
    assert refused.value.field == "file"
    assert refused.value.params == {"limit_mib": QUARANTINE_MAX_BYTES // (1024 * 1024), "hours": 24}
    assert len(quarantined(documents)) == full
    documents.hold(PDF, NAME, "vl.chu-tich")


def test_an_expired_upload_is_removed_and_a_statement_referencing_it_is_refused_as_not_uploaded(
    ledger: Ledger, documents: DocumentStore, clock: Clock, database_url: str
) -> None:
    world = World.build(ledger)
    ref = documents.hold(PDF, NAME, OFFICER)
    clock.pass_hours(QUARANTINE_HOURS - 0.1)
    kept = documents.hold(demo_pdf("Bao cao sau"), "Báo cáo sau.pdf", OFFICER)
    assert len(quarantined(documents)) == 2

    clock.pass_hours(0.2)
    counts = rows(database_url)
    with pytest.raises(NotFoundError) as refused:
        file_report(world, ref, "qua-han")

    assert refused.value.code == "document_not_uploaded"
    assert refused.value.field == "body.document"
    assert rows(database_url) == counts
    assert quarantined(documents) == [documents.quarantine_root / OFFICER / kept.sha256]
    assert stored(documents) == []


def test_an_expired_upload_is_swept_by_the_next_upload_and_by_sweep(documents: DocumentStore, clock: Clock) -> None:
    documents.hold(PDF, NAME, OFFICER)
    clock.pass_hours(QUARANTINE_HOURS)
    later = documents.hold(demo_pdf("Bao cao moi"), "Báo cáo mới.pdf", "vl.chu-tich")
    assert quarantined(documents) == [documents.quarantine_root / "vl.chu-tich" / later.sha256]

    clock.pass_hours(QUARANTINE_HOURS)
    assert documents.sweep() == 1
    assert quarantined(documents) == []
    assert documents.sweep() == 0


def test_uploading_bytes_already_in_the_store_holds_nothing(ledger: Ledger, documents: DocumentStore) -> None:
    world = World.build(ledger)
    file_report(world, documents.hold(PDF, NAME, OFFICER), "bao-cao")

    again = documents.hold(PDF, "Cùng tệp.pdf", "vl.chu-tich")

    assert quarantined(documents) == []
    assert file_report(world, again, "lan-hai").seq == ledger.head
