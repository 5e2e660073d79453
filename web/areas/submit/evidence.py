"""Evidence files: the one file a form posts, checked by its name, its size and its content.

Files are judged by their content (`ledger.storage.documents.sniff`), never by the name or
the media type the browser claims. A file that passes every check, on a form whose every
field passed too, is held in the officer's quarantine (`DocumentStore.hold`): it enters the
content-addressed store only when the statement referencing it is signed and appended, and
is removed after the time limit if it never is. A full quarantine is an error on the file's
field, like any other.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from flask import request

from ledger.domain.submissions import MAX_DOCUMENT_BYTES
from ledger.errors import ParLedgerError, PayloadError
from ledger.storage.documents import sniff
from web.areas.submit.common import Errors, the_user
from web.errors import FormError
from web.i18n import reason
from web.state import get_documents


@dataclass(frozen=True)
class Evidence:
    """An evidence file that passed every check, not yet stored."""

    data: bytes
    name: str
    media_type: str

    def hold(self, field: str, errors: Errors) -> dict[str, Any] | None:
        """Hold the file in the officer's quarantine until they sign: its reference, or None (refusal under `field`)."""
        try:
            return get_documents().hold(self.data, self.name, the_user().officer, field=field).to_json()
        except ParLedgerError as exc:
            errors[field] = f"Tệp “{self.name}” chưa được nhận: {reason(exc)}"
            return None

    def placeholder(self) -> dict[str, object]:
        """The document reference the body will carry, its hash not yet known (for the ledger's check)."""
        return {"sha256": "0" * 64, "size": len(self.data), "media_type": self.media_type, "name": self.name}

    def label(self) -> str:
        """The file's name and size, for a review page."""
        return f"{self.name} ({size_label(len(self.data))})"


#: Why `sniff` refused a file, by the refusal's code, in Vietnamese (after “Tệp …”).
_SNIFF_REFUSALS = {
    "unknown_file_type": (
        "không phải tệp PDF, DOCX, XLSX, ODT, PNG hoặc JPEG (xét theo nội dung tệp, không theo đuôi tên)"
    ),
    "zip_bomb": "bung ra lớn bất thường so với kích thước tệp (nghi là “bom zip”)",
    "too_many_archive_entries": "chứa quá nhiều thành phần nén",
    "damaged_archive": "là tệp ZIP/Office bị hỏng",
    "archive_not_a_document": "là tệp nén ZIP nhưng không phải tài liệu DOCX, XLSX hoặc ODT",
}


def attach(body: dict[str, Any], file: Evidence | None, errors: Errors, field: str = "file") -> bool:
    """Put the reference of `file` (if any), held for signing, in the body's ``document``; False if refused."""
    if file is None:
        return True
    document = file.hold(field, errors)
    if document is None:
        return False
    body["document"] = document
    return True


def sniff_refusal(error: PayloadError) -> str:
    """Why `sniff` refused a file, in Vietnamese, to follow the file's name."""
    return _SNIFF_REFUSALS.get(error.code) or reason(error)


#: The longest file name most file systems keep.
MAX_FILE_NAME = 255


def file_name(raw: str, *, field: str) -> str:
    """The file's own name (no folders), NFC; FormError if unusable."""
    name = unicodedata.normalize("NFC", raw.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if not name or name in {".", ".."}:
        raise FormError("file_name_invalid", field=field)
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in name):
        raise FormError("file_name_hidden_characters", field=field)
    if len(name) > MAX_FILE_NAME:
        raise FormError("file_name_too_long", field=field, limit=MAX_FILE_NAME, length=len(name))
    return name


def evidence(field: str, errors: Errors, *, required: bool) -> Evidence | None:
    """The one file posted under `field`, checked by size and content; None if absent or wrong."""
    files = [f for f in request.files.getlist(field) if f.filename]
    if not files:
        if required:
            errors[field] = "Chưa chọn tệp minh chứng"
        return None
    if len(files) > 1:
        errors[field] = "Mỗi hồ sơ kèm đúng một tệp minh chứng; hãy gộp thành một tệp PDF hoặc nộp từng văn bản riêng"
        return None
    upload = files[0]
    try:
        name = file_name(upload.filename or "", field=field)
    except FormError as exc:
        errors[field] = reason(exc)
        return None
    data = upload.read(MAX_DOCUMENT_BYTES + 1)
    if not data:
        errors[field] = f"Tệp “{name}” rỗng (0 byte)"
        return None
    if len(data) > MAX_DOCUMENT_BYTES:
        errors[field] = f"Tệp “{name}” lớn hơn giới hạn {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB"
        return None
    try:
        media_type = sniff(data, field)
    except PayloadError as exc:
        errors[field] = f"Tệp “{name}” {sniff_refusal(exc)}"
        return None
    return Evidence(data, name, media_type)


def size_label(size: int) -> str:
    """A file size for people: 12,3 KB."""
    if size < 1024:
        return f"{size} byte"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB".replace(".", ",")
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
