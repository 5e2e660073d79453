"""Refusals of `ledger.storage`: settings that cannot be used, and the document store's.

A database setting that cannot be used is a `ConfigurationError` (it says what to write
instead); a document that cannot be stored or referenced is a `DocumentError` (its
content) or a `MissingDocumentError` (absent from the store); an upload beyond an
officer's quota of unsigned uploads is an `UploadQuotaError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from ledger.errors import NotFoundError, ParLedgerError, PayloadError, RuleError


class ConfigurationError(ParLedgerError):
    """A setting that cannot be used, with what to write instead."""

    kind = "configuration"
    messages: ClassVar[Mapping[str, str]] = {
        "sqlite_url": "LEDGER_DATABASE_URL {url!r}: write sqlite:///relative/path or sqlite:////absolute/path",
        "postgresql_url": "LEDGER_DATABASE_URL {url!r}: write postgresql://user@host:port/database",
        "unknown_url_parameter": ("LEDGER_DATABASE_URL: unknown parameter {parameter!r} (only 'schema' is understood)"),
        "unknown_scheme": "LEDGER_DATABASE_URL {url!r}: the scheme must be sqlite or postgresql",
        "sqlite_not_durable": "SQLite PRAGMA synchronous is {level}; the ledger needs FULL (2) or EXTRA (3)",
        "not_a_ledger_recorder": (
            "{recorder} is not a ledger recorder; set LEDGER_DATABASE_URL to a sqlite:// or postgresql:// URL"
        ),
    }


class DocumentError(PayloadError):
    """An evidence file the document store refuses, judged by its content."""

    messages: ClassVar[Mapping[str, str]] = {
        "unknown_file_type": "is not a PDF, DOCX, XLSX, ODT, PNG or JPEG file (judged by its content)",
        "too_many_archive_entries": "holds more than {limit} archive entries",
        "zip_bomb": "expands far beyond its size (a zip bomb?)",
        "damaged_archive": "is a damaged ZIP/Office file",
        "archive_not_a_document": "is a ZIP archive but not a DOCX, XLSX or ODT document",
        "empty_document": "is empty (0 bytes)",
        "document_too_large": "is larger than the {limit_mib} MiB limit",
        "document_changed": "stored document {sha256} no longer matches its hash",
        "document_size_mismatch": "size {size} does not match the stored document ({stored} bytes)",
        "document_type_mismatch": "the stored document is {stored}, not {stated}",
    }


class MissingDocumentError(NotFoundError):
    """A document reference the store cannot satisfy."""

    messages: ClassVar[Mapping[str, str]] = {
        "document_not_stored": "document {sha256} is not in the document store",
        "document_not_uploaded": "document {prefix}… ({name}) was not uploaded to the document store",
        "no_document_store": "this ledger has no document store; documents cannot be referenced",
    }


class UploadQuotaError(RuleError):
    """An upload refused because the officer's quarantine of unsigned uploads is full."""

    messages: ClassVar[Mapping[str, str]] = {
        "quarantine_files_full": (
            "you already have {count} unsigned uploads waiting (at most {limit}); sign the statements "
            "that use them, or wait: an unsigned upload is removed {hours} hours after it was sent"
        ),
        "quarantine_bytes_full": (
            "your unsigned uploads would exceed {limit_mib} MiB in all; sign the statements that use them, "
            "or wait: an unsigned upload is removed {hours} hours after it was sent"
        ),
    }
