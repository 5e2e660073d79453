"""Refusals of the read models (see `ledger.errors`).

`ProjectionError`: the ledger holds something the views cannot follow (never expected of
a verified ledger; a bug in a row builder is one too). `ViewRequestError`: a replay or an
export asked in a way the views cannot answer; it is a `ValueError` too, as callers that
parse user input catch. `ReplayFileExistsError`: a replay's new file exists already.
`PositionMoved`: another process moved the views while a batch was prepared (retried).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from ledger.errors import ConflictError, ParLedgerError


class ProjectionError(ParLedgerError):
    """The ledger holds something the views cannot follow."""

    kind = "projection"
    messages: ClassVar[Mapping[str, str]] = {
        "not_in_views": "{subject} is not in {table}, yet the ledger acted on it",
        "unprojected_statement_type": "entry {seq}: unknown statement type {type!r}",
        "no_appeal_to_resolve": "entry {seq}: {subject} has no appeal to resolve",
    }


class NotLoadedError(ProjectionError, KeyError):
    """A row builder read a row the batch did not load (a bug, never quietly nothing)."""

    messages: ClassVar[Mapping[str, str]] = {
        "not_loaded": "{subject} was not loaded from {table} before the batch",
        "missing_column": "a {table} row lacks column {column}",
    }


class ViewRequestError(ParLedgerError, ValueError):
    """A replay or a report asked in a way the views cannot answer."""

    kind = "invalid"
    messages: ClassVar[Mapping[str, str]] = {
        "batch_too_small": "batch must be at least 1",
        "position_and_moment": "replay to a position or as of a moment, not both",
        "position_outside_ledger": "position {position} is outside the ledger (0 to {head})",
        "moment_without_zone": "as_of needs a time zone (e.g. +07:00); the ledger never reads a local clock",
    }


class ExportError(ViewRequestError):
    """A report cannot be written as asked (an unknown format)."""

    messages: ClassVar[Mapping[str, str]] = {
        "unknown_report_format": "unknown report format {format!r} (one of {formats})",
    }


class ReplayFileExistsError(ParLedgerError, FileExistsError):
    """Replays go into a new file, and this one exists."""

    kind = "invalid"
    messages: ClassVar[Mapping[str, str]] = {"replay_file_exists": "{path} exists already; replays go into a new file"}


class PositionMoved(ConflictError):
    """Another process moved the views past a batch's start while it was prepared."""

    messages: ClassVar[Mapping[str, str]] = {
        "views_moved": "the views moved past {start} while this batch was prepared"
    }
