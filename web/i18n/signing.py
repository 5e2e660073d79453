"""Vietnamese texts of the refusals raised in `ledger.signing`, by code (see `web.i18n`)."""

from __future__ import annotations

TEXTS: dict[str, str] = {}
