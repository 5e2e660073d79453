"""Who may see an entry: that it exists (a history listing) and what it says (its statement).

One rule for every channel: the receipt page and file, the history pages, the API's
receipts, history and log leaves, the public front page. A channel asks this module and
refuses in its own words; none keeps a rule of its own.

- The cross-unit roles (Sở Nội vụ, the Provincial People's Committee, auditors,
  inspectors, administrators) see every entry and its content: their work spans units.
- Any other officer (a unit's officers and its head, a lead department) sees the content
  of an entry its unit signed or that is about its unit (the subject names the unit).
- That an entry exists, with its subject, type, signer and time, is public within the
  administration (the front page lists it), except an individual's rating
  (``rating/<year>/<UNIT>/<person>``): only its own unit and the cross-unit roles learn
  that the person was rated. A history leaves such an entry out for anyone else; the
  front page, which numbers every entry, shows it without its subject.

The viewer is anything with a `unit` and `roles` (the web's logged-in officer), or None
for a visitor who is not logged in: a visitor sees no entry's content.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from ledger.tlog.log import Leaf

#: Roles that see every unit's entries and their content.
CROSS_UNIT_ROLES = frozenset({"snv", "committee", "auditor", "inspector", "admin"})


class Viewer(Protocol):
    """Who is looking: an officer of `unit` holding `roles`."""

    @property
    def unit(self) -> str: ...

    @property
    def roles(self) -> frozenset[str]: ...


def sees_every_unit(viewer: Viewer | None) -> bool:
    """Whether `viewer` holds a role that spans units."""
    return viewer is not None and bool(viewer.roles & CROSS_UNIT_ROLES)


def subject_unit(subject: str) -> str | None:
    """The unit a subject is about: rating/<year>/<UNIT>[/…], submission/<kind>/<UNIT>/<year>[/…], unit/<UNIT>."""
    parts = subject.split("/")
    if parts[0] == "rating" and len(parts) >= 3:
        return parts[2]
    if parts[0] == "submission" and len(parts) >= 4 and parts[1] != "index-results":
        return parts[2]
    if parts[0] == "unit" and len(parts) == 2:
        return parts[1]
    return None


def is_personal(subject: str) -> bool:
    """An individual's rating (rating/<year>/<UNIT>/<person>): it names a person."""
    parts = subject.split("/")
    return parts[0] == "rating" and len(parts) >= 4


def may_list_subject(viewer: Viewer | None, subject: str) -> bool:
    """Whether `viewer` may learn that entries about `subject` exist (who signed which type, when)."""
    if not is_personal(subject):
        return True
    return sees_every_unit(viewer) or (viewer is not None and subject_unit(subject) == viewer.unit)


def may_read_entry(viewer: Viewer | None, *, signer_unit: str, subject: str) -> bool:
    """Whether `viewer` may read the statement of an entry signed by `signer_unit` about `subject`."""
    if viewer is None:
        return False
    return sees_every_unit(viewer) or viewer.unit in (signer_unit, subject_unit(subject))


def may_read_statement(viewer: Viewer | None, statement: Mapping[str, Any]) -> bool:
    """`may_read_entry` of a decoded statement (its ``unit`` and ``subject``)."""
    return may_read_entry(viewer, signer_unit=str(statement["unit"]), subject=str(statement["subject"]))


def may_read_leaf(viewer: Viewer | None, leaf: bytes) -> bool:
    """`may_read_entry` of a log leaf (a receipt's extra line): its payload is the signed statement."""
    return may_read_statement(viewer, json.loads(Leaf.from_bytes(leaf).payload))


def listed_history(viewer: Viewer | None, rows: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """The history rows `viewer` may see listed (a row's ``subject`` decides)."""
    return (row for row in rows if may_list_subject(viewer, str(row["subject"])))
