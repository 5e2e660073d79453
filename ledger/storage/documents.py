"""Evidence files, stored by content outside the database.

A document is accepted only if its bytes are one of the allowed kinds (judged by
content, never by the name or the client's media type), non-empty and within the size
limit; Office files are also checked for zip bombs. It is written to
``<root>/sha256/ab/cd/<hex>`` through a temporary file, fsynced, then renamed, so a
reader never sees half a file. Events carry only the reference: hash, size, type and
the original (NFC) file name.
"""

from __future__ import annotations

import hashlib
import io
import json
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from keys.files import write_atomically
from ledger.domain.fields import Reader
from ledger.domain.handlers import DocumentChecker
from ledger.domain.submissions import MAX_DOCUMENT_BYTES, DocumentRef
from ledger.storage.errors import DocumentError, MissingDocumentError

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


class DocumentStore(DocumentChecker):
    """A content-addressed folder of evidence files."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        """Where the document with this hash lives."""
        return self.root / "sha256" / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes, name: str, *, field: str = "document") -> DocumentRef:
        """Store `data` (idempotent) and return its reference; PayloadError if refused."""
        if not data:
            raise DocumentError("empty_document", field=field)
        if len(data) > MAX_DOCUMENT_BYTES:
            raise DocumentError("document_too_large", field=field, limit_mib=MAX_DOCUMENT_BYTES // (1024 * 1024))
        media_type = sniff(data, field)
        ref = DocumentRef.read(
            Reader(
                {
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "media_type": media_type,
                    "name": unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name),
                },
                field,
            )
        )
        target = self.path(ref.sha256)
        if not target.exists():
            write_atomically(target, data, mode=0o444)
        return ref

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
        """The referenced document is stored, with this size and this kind of content."""
        path = self.path(ref.sha256)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise MissingDocumentError(
                "document_not_uploaded", field=field, prefix=ref.sha256[:12], name=ref.name
            ) from None
        if size != ref.size:
            raise DocumentError("document_size_mismatch", field=f"{field}.size", size=ref.size, stored=size)
        with path.open("rb") as handle:
            head = handle.read(1 << 16)
        kind = sniff(head if not head.startswith(b"PK") else path.read_bytes(), field)
        if kind != ref.media_type:
            raise DocumentError(
                "document_type_mismatch", field=f"{field}.media_type", stored=kind, stated=ref.media_type
            )


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
