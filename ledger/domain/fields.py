"""Reading a statement's body field by field, with errors that name the field.

The ledger validates bodies itself (it knows no marshmallow): each command reads the
fields it expects through a `Reader`, and `Reader.done()` refuses any field left over,
so a typo never passes silently.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.domain.errors import BodyError

CODE = re.compile(r"[A-Z0-9][A-Z0-9_.-]{0,31}")
SLUG = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]{0,8})(\.[0-9]{1,4})?")
#: Unicode categories refused in single-line text: controls (C0, C1, tab, newlines),
#: format characters (zero-width, BOM, bidi marks, overrides and isolates), line and
#: paragraph separators, and lone surrogates.
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


class Reader:
    """Typed access to one JSON object of a body, tracking which fields were read."""

    def __init__(self, document: Any, path: str = "body") -> None:
        if not isinstance(document, Mapping):
            raise BodyError("not_an_object", field=path)
        self._document = document
        self._path = path
        self._read: set[str] = set()

    def field(self, name: str) -> str:
        """The full path of field `name`, for error messages."""
        return f"{self._path}.{name}"

    def has(self, name: str) -> bool:
        """Whether the optional field `name` is present (and not null)."""
        return self._document.get(name) is not None

    def _get(self, name: str, optional: bool) -> Any:
        self._read.add(name)
        value = self._document.get(name)
        if value is None and not optional:
            raise BodyError("required", field=self.field(name))
        return value

    def text(self, name: str, *, max_length: int = 500, optional: bool = False) -> str | None:
        """A single-line text without control or bidi-override characters."""
        value = self._get(name, optional)
        if value is None:
            return None
        if not isinstance(value, str):
            raise BodyError("not_text", field=self.field(name))
        if not value.strip():
            raise BodyError("blank", field=self.field(name))
        if value != value.strip():
            raise BodyError("padded_with_spaces", field=self.field(name))
        if len(value) > max_length:
            raise BodyError("too_long", field=self.field(name), max_length=max_length)
        if not value.isprintable() and any(unicodedata.category(character) in _INVISIBLE for character in value):
            raise BodyError("invisible_characters", field=self.field(name))
        return value

    def required_text(self, name: str, *, max_length: int = 500) -> str:
        """Like `text`, never None."""
        value = self.text(name, max_length=max_length)
        assert value is not None
        return value

    def pattern(self, name: str, pattern: re.Pattern[str], refusal: str, *, optional: bool = False) -> str | None:
        """A string matching `pattern` (codes, ids, hashes); else the BodyError code `refusal`."""
        value = self._get(name, optional)
        if value is None:
            return None
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise BodyError(refusal, field=self.field(name))
        return value

    def code(self, name: str) -> str:
        """A unit or index code: capitals, digits, '_', '.', '-'."""
        value = self.pattern(name, CODE, "not_a_code")
        assert value is not None
        return value

    def slug(self, name: str) -> str:
        """An officer or person reference: lowercase letters, digits, '.', '_', '-'."""
        value = self.pattern(name, SLUG, "not_a_slug")
        assert value is not None
        return value

    def integer(self, name: str, *, minimum: int, maximum: int, optional: bool = False) -> int | None:
        """A whole number in [minimum, maximum]; booleans and strings are refused."""
        value = self._get(name, optional)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise BodyError("not_a_whole_number", field=self.field(name))
        if not minimum <= value <= maximum:
            raise BodyError("out_of_range", field=self.field(name), minimum=minimum, maximum=maximum)
        return value

    def required_integer(self, name: str, *, minimum: int, maximum: int) -> int:
        """Like `integer`, never None."""
        value = self.integer(name, minimum=minimum, maximum=maximum)
        assert value is not None
        return value

    def decimal(self, name: str, *, minimum: Decimal, maximum: Decimal) -> Decimal:
        """A decimal written as a string ("87.5", at most 4 places), within bounds."""
        value = self._get(name, False)
        if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
            raise BodyError("not_a_decimal", field=self.field(name))
        try:
            number = Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern already guards this
            raise BodyError("not_a_decimal", field=self.field(name)) from None
        if not minimum <= number <= maximum:
            raise BodyError("out_of_range", field=self.field(name), minimum=minimum, maximum=maximum)
        return number

    def date(self, name: str, *, optional: bool = False) -> dt.date | None:
        """A calendar date written YYYY-MM-DD."""
        value = self._get(name, optional)
        if value is None:
            return None
        if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise BodyError("not_a_date", field=self.field(name))
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise BodyError("not_on_the_calendar", field=self.field(name), value=value) from None

    def date_in_year(self, name: str, year: int, *, optional: bool = False) -> dt.date | None:
        """A date that falls within the cycle year `year`."""
        value = self.date(name, optional=optional)
        if value is not None and value.year != year:
            raise BodyError("outside_the_cycle_year", field=self.field(name), on=value, year=year)
        return value

    def choice(self, name: str, options: tuple[str, ...], *, optional: bool = False) -> str | None:
        """One of `options`."""
        value = self._get(name, optional)
        if value is None:
            return None
        if value not in options:
            raise BodyError("not_one_of", field=self.field(name), options=", ".join(options))
        return value

    def choice_list(self, name: str, options: tuple[str, ...]) -> tuple[str, ...]:
        """A list of distinct values from `options` (may be empty)."""
        value = self._get(name, False)
        if not isinstance(value, list):
            raise BodyError("not_a_list", field=self.field(name))
        for i, element in enumerate(value):
            if element not in options:
                raise BodyError("not_one_of", field=f"{self.field(name)}[{i}]", options=", ".join(options))
        if len(set(value)) != len(value):
            raise BodyError("listed_twice", field=self.field(name))
        return tuple(value)

    def boolean(self, name: str) -> bool:
        """true or false (not 0/1, not strings)."""
        value = self._get(name, False)
        if not isinstance(value, bool):
            raise BodyError("not_true_or_false", field=self.field(name))
        return value

    def strings(self, name: str, *, item: re.Pattern[str], refusal: str, max_items: int = 20) -> tuple[str, ...]:
        """A list of distinct strings each matching `item` (may be empty); else the BodyError code `refusal`."""
        value = self._get(name, False)
        if not isinstance(value, list) or len(value) > max_items:
            raise BodyError("too_many_items", field=self.field(name), max_items=max_items)
        for i, element in enumerate(value):
            if not isinstance(element, str) or not item.fullmatch(element):
                raise BodyError(refusal, field=f"{self.field(name)}[{i}]")
        if len(set(value)) != len(value):
            raise BodyError("listed_twice", field=self.field(name))
        return tuple(value)

    def object(self, name: str, *, optional: bool = False) -> Reader | None:
        """A nested object, read with its own Reader."""
        value = self._get(name, optional)
        if value is None:
            return None
        return Reader(value, self.field(name))

    def items(self, name: str, *, min_items: int = 1, max_items: int = 2000) -> Iterator[Reader]:
        """A list of objects, each read with its own Reader."""
        value = self._get(name, False)
        if not isinstance(value, list):
            raise BodyError("not_a_list", field=self.field(name))
        if not min_items <= len(value) <= max_items:
            raise BodyError("item_count", field=self.field(name), min_items=min_items, max_items=max_items)
        for i, element in enumerate(value):
            yield Reader(element, f"{self.field(name)}[{i}]")

    def raw(self, name: str) -> Any:
        """The field's JSON value, validated by the caller."""
        return self._get(name, False)

    def done(self) -> None:
        """Refuse any field that was not read."""
        unknown = sorted(set(self._document) - self._read)
        if unknown:
            raise BodyError("unknown_field", field=self._path, name=unknown[0])
