"""How the product writes times, dates and signers for people (Vietnamese conventions)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from ledger.domain.local_time import LOCAL_TIME

if TYPE_CHECKING:
    from ledger.signing.envelope import Envelope


def local_time(moment: datetime | str | None) -> str:
    """dd/mm/yyyy HH:MM in Hưng Yên's time zone, from a datetime or an ISO string the views store.

    Nothing gives an empty string; text that is not an ISO time is shown as it is.
    """
    if not isinstance(moment, str):
        return moment.astimezone(LOCAL_TIME).strftime("%d/%m/%Y %H:%M") if moment else ""
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return moment
    return parsed.astimezone(LOCAL_TIME).strftime("%d/%m/%Y %H:%M")


def local_date(day: date | str | None) -> str:
    """dd/mm/yyyy, from a date or an ISO string (the same conventions as `local_time`)."""
    if not isinstance(day, str):
        return day.strftime("%d/%m/%Y") if day else ""
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        return day
    return parsed.strftime("%d/%m/%Y")


def signer_label(envelope: Envelope) -> str:
    """unit/officer and the short key id of an envelope's signer."""
    statement = envelope.statement
    return f"{statement.unit}/{statement.officer} ({envelope.key_id[:16]}…)"
