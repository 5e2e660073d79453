"""Reading HTML forms: one error per field, in Vietnamese, shown next to the field."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

REQUIRED = "Trường này là bắt buộc"


def text(form: Mapping[str, str], name: str) -> str:
    """A form field as NFC text without surrounding blanks (browsers may send NFD)."""
    return unicodedata.normalize("NFC", form.get(name, "")).strip()


def form_errors(form: Mapping[str, str], *, required: Iterable[str]) -> dict[str, str]:
    """{field: message} for each required field left empty."""
    return {name: REQUIRED for name in required if not text(form, name)}
