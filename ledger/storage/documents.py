"""Evidence files, stored by content outside the database.

A document is accepted only if its bytes are one of the allowed kinds (judged by
content, never by the name or the client's media type), non-empty and within the size
limit; Office files are also checked for zip bombs. It is written to
``<root>/sha256/ab/cd/<hex>`` through a temporary file, fsynced, then renamed, so a
reader never sees half a file. Events carry only the reference: hash, size, type and
the original (NFC) file name.

An officer's upload is not stored there until they sign: it waits in a quarantine,
``<root>/quarantine/<officer>/<hex>``, within a quota per officer, and is moved into the
store when the ledger appends a signed statement that references it, or removed once
its time limit has passed (`DocumentStore`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from keys.files import write_atomically
from ledger.domain.fields import SLUG, Reader
from ledger.domain.handlers import DocumentChecker
from ledger.domain.submissions import MAX_DOCUMENT_BYTES, DocumentRef
from ledger.storage.errors import DocumentError, MissingDocumentError, UploadQuotaError

_ZIP_MAX_ENTRIES = 2000
_ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
_ZIP_MAX_RATIO = 100
_OFFICE_MARKERS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_ODT = "application/vnd.oasis.opendocument.text"


def sniff(data: bytes, field: str = "document") -> str:
    """The media type of `data` judged by its content; PayloadError if not allowed."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data, field)
    raise DocumentError("unknown_file_type", field=field)


def _sniff_zip(data: bytes, field: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > _ZIP_MAX_ENTRIES:
                raise DocumentError("too_many_archive_entries", field=field, limit=_ZIP_MAX_ENTRIES)
            uncompressed = sum(entry.file_size for entry in entries)
            if uncompressed > _ZIP_MAX_UNCOMPRESSED or uncompressed > _ZIP_MAX_RATIO * max(len(data), 1):
                raise DocumentError("zip_bomb", field=field)
            names = {entry.filename for entry in entries}
            for marker, media_type in _OFFICE_MARKERS.items():
                if marker in names:
                    return media_type
            if "mimetype" in names and archive.read("mimetype").strip() == _ODT.encode():
                return _ODT
    except zipfile.BadZipFile:
        raise DocumentError("damaged_archive", field=field) from None
    raise DocumentError("archive_not_a_document", field=field)


#: How long an unsigned upload waits in quarantine for a signed statement that references it.
QUARANTINE_HOURS = 24
#: How many unsigned uploads one officer may have waiting at once.
QUARANTINE_MAX_FILES = 10
#: How many bytes one officer's unsigned uploads may take in all (three files of the largest size).
QUARANTINE_MAX_BYTES = 3 * MAX_DOCUMENT_BYTES


class DocumentStore(DocumentChecker):
    """A content-addressed folder of evidence files, with a quarantine for unsigned uploads.

    ``<root>/sha256/…`` holds only documents a signed statement referenced when it was
    appended. An upload waits in ``<root>/quarantine/<officer>/<hex>`` (its modification
    time is its upload time) until the ledger checks a statement that references it: then
    it is verified and moved in (`check`). An upload nobody signs within
    `QUARANTINE_HOURS` is removed at the next upload or check, or by `sweep`.
    """

    def __init__(self, root: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.root = root
        self.quarantine_root = root / "quarantine"
        self.clock = clock

    def path(self, sha256: str) -> Path:
        """Where the document with this hash lives."""
        return self.root / "sha256" / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes, name: str, *, field: str = "document") -> DocumentRef:
        """Store `data` at once (idempotent) and return its reference; PayloadError if refused.

        For a caller that appends the statement referencing it in the same step and may
        write to the store (the demo's loader); officers' uploads go through `hold`.
        """
        ref = _reference(data, name, field)
        target = self.path(ref.sha256)
        if not target.exists():
            write_atomically(target, data, mode=0o444)
        return ref

    def hold(self, data: bytes, name: str, officer: str, *, field: str = "document") -> DocumentRef:
        """Keep `data` in `officer`'s quarantine until a statement referencing it is appended.

        PayloadError if the file is refused, UploadQuotaError if the officer's quarantine is
        full. A file already in the store is not held again; holding the same bytes again
        restarts their time limit and counts once.
        """
        ref = _reference(data, name, field)
        self.sweep()
        if self.path(ref.sha256).exists():
            return ref
        if not SLUG.fullmatch(officer):
            raise ValueError(f"not an officer id: {officer!r}")
        folder = self.quarantine_root / officer
        folder.mkdir(parents=True, exist_ok=True)
        with _locked(folder):  # so that parallel uploads of one officer cannot overrun the quota
            others = {name: size for name, size in _waiting(folder).items() if name != ref.sha256}
            if len(others) + 1 > QUARANTINE_MAX_FILES:
                raise UploadQuotaError(
                    "quarantine_files_full",
                    field=field,
                    count=len(others),
                    limit=QUARANTINE_MAX_FILES,
                    hours=QUARANTINE_HOURS,
                )
            if sum(others.values()) + ref.size > QUARANTINE_MAX_BYTES:
                raise UploadQuotaError(
                    "quarantine_bytes_full",
                    field=field,
                    limit_mib=QUARANTINE_MAX_BYTES // (1024 * 1024),
                    hours=QUARANTINE_HOURS,
                )
            target = folder / ref.sha256
            write_atomically(target, data, mode=0o444)  # rewritten, not touched: it exists whatever a sweep did
            now = self.clock()
            os.utime(target, (now, now))
        return ref

    def held(self, sha256: str) -> list[Path]:
        """Where the document with this hash waits in quarantine (one place per officer who uploaded it)."""
        if not self.quarantine_root.is_dir():
            return []
        return [path for folder in _folders(self.quarantine_root) if (path := folder / sha256).is_file()]

    def sweep(self) -> int:
        """Remove every quarantined upload older than `QUARANTINE_HOURS`; how many were removed."""
        if not self.quarantine_root.is_dir():
            return 0
        deadline = self.clock() - QUARANTINE_HOURS * 3600
        removed = 0
        for folder in _folders(self.quarantine_root):
            for entry in os.scandir(folder):  # left-over temporary files too
                with contextlib.suppress(FileNotFoundError):
                    if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime <= deadline:
                        os.unlink(entry.path)
                        removed += 1
        return removed

    def read(self, sha256: str) -> bytes:
        """The stored bytes, checked against their hash."""
        try:
            data = self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise MissingDocumentError("document_not_stored", sha256=sha256) from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise DocumentError("document_changed", field="document", sha256=sha256)
        return data

    def check(self, ref: DocumentRef, field: str) -> None:
        """The referenced document is stored, with this size and this kind of content.

        The ledger asks while appending a signed statement that references it: a document
        still in quarantine (and not expired) is checked there and, if it matches, moved in.
        """
        self.sweep()
        path = self.path(ref.sha256)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            self._admit(ref, field)
            return
        with path.open("rb") as handle:
            head = handle.read(1 << 16)
        _matches(ref, field, size, sniff(head if not head.startswith(b"PK") else path.read_bytes(), field))

    def _admit(self, ref: DocumentRef, field: str) -> None:
        """Move the quarantined document `ref` names into the store, once its bytes match the reference.

        The verified bytes are written to the store (write-then-rename), then every
        quarantined copy is removed. A copy swept or admitted by another process meanwhile
        is looked for again; MissingDocumentError if there is none anywhere.

        This happens at the check, before the entry is saved, so that no appended entry ever
        references a document left in quarantine to expire (a crash after the save cannot
        cause it). The price: a statement refused after its documents were checked (found
        only at the save: its subject exists) leaves its document in the store unreferenced,
        as a crash before the save would; only a registered officer's valid signature gets there.
        """
        for waiting in self.held(ref.sha256):
            try:
                data = waiting.read_bytes()
            except FileNotFoundError:
                continue
            if hashlib.sha256(data).hexdigest() != ref.sha256:
                raise DocumentError("document_changed", field=field, sha256=ref.sha256)
            _matches(ref, field, len(data), sniff(data, field))
            write_atomically(self.path(ref.sha256), data, mode=0o444)
            for copy in self.held(ref.sha256):
                with contextlib.suppress(FileNotFoundError):
                    copy.unlink()
            return
        if self.path(ref.sha256).exists():  # admitted by another process meanwhile
            self.check(ref, field)
            return
        raise MissingDocumentError("document_not_uploaded", field=field, prefix=ref.sha256[:12], name=ref.name)


def _reference(data: bytes, name: str, field: str) -> DocumentRef:
    """The reference of `data` under `name` (its own name, NFC); PayloadError if the file is refused."""
    if not data:
        raise DocumentError("empty_document", field=field)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError("document_too_large", field=field, limit_mib=MAX_DOCUMENT_BYTES // (1024 * 1024))
    return DocumentRef.read(
        Reader(
            {
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
                "media_type": sniff(data, field),
                "name": unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name),
            },
            field,
        )
    )


def _matches(ref: DocumentRef, field: str, size: int, kind: str) -> None:
    """The document found has the size and the kind of content `ref` states."""
    if size != ref.size:
        raise DocumentError("document_size_mismatch", field=f"{field}.size", size=ref.size, stored=size)
    if kind != ref.media_type:
        raise DocumentError("document_type_mismatch", field=f"{field}.media_type", stored=kind, stated=ref.media_type)


def _folders(quarantine: Path) -> list[Path]:
    """The officers' quarantine folders."""
    return [Path(entry.path) for entry in os.scandir(quarantine) if entry.is_dir(follow_symlinks=False)]


def _waiting(folder: Path) -> dict[str, int]:
    """The uploads waiting in one officer's folder, with their sizes (not the temporary files of a write)."""
    sizes = {}
    for entry in os.scandir(folder):
        if entry.is_file(follow_symlinks=False) and not entry.name.startswith("."):
            with contextlib.suppress(FileNotFoundError):  # swept meanwhile
                sizes[entry.name] = entry.stat().st_size
    return sizes


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on `folder`, across threads and processes (flock on the folder itself)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def documents_of_leaves(leaves: Iterable[tuple[int, bytes]], store: DocumentStore) -> Iterator[tuple[str, bytes]]:
    """(SHA-256, bytes) of every document the leaves' statements reference, once each, for
    (seq, leaf bytes) as `LogServer.leaves` gives them.

    The exporter uses this so that a damaged stored event does not stop the export: it
    has no leaf (the inspector names the gap), and a leaf whose payload is not a
    statement references no document (its signature fails, and the inspector says so).
    """
    from ledger.tlog.log import Leaf, LeafError

    seen: set[str] = set()
    for _, data in leaves:
        try:
            hashes = list(_document_hashes(json.loads(Leaf.from_bytes(data).payload)["body"]))
        except (LeafError, ValueError, KeyError, TypeError, RecursionError):
            continue
        for sha256 in hashes:
            if sha256 not in seen:
                seen.add(sha256)
                yield sha256, store.read(sha256)


def _document_hashes(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if {"sha256", "size", "media_type", "name"} <= set(value):
            yield str(value["sha256"])
        for item in value.values():
            yield from _document_hashes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _document_hashes(item)
