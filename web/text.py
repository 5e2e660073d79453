"""How the product writes times, dates and signers for people (Vietnamese conventions)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from ledger.envelope import Envelope

LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")


def local_time(moment: datetime) -> str:
    """dd/mm/yyyy HH:MM in Hưng Yên's time zone."""
    return moment.astimezone(LOCAL_TIME).strftime("%d/%m/%Y %H:%M")


def local_date(day: date) -> str:
    """dd/mm/yyyy."""
    return day.strftime("%d/%m/%Y")


def signer_label(envelope: Envelope) -> str:
    """unit/officer and the short key id of an envelope's signer."""
    statement = envelope.statement
    return f"{statement.unit}/{statement.officer} ({envelope.key_id[:16]}…)"
