"""The province's clock: every date a rule or a person reads is a date in Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

#: Hưng Yên's time zone (UTC+7, no daylight saving); the ledger records UTC.
LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")


def local_date(moment: datetime) -> date:
    """The calendar date in Hưng Yên at `moment` (an aware datetime)."""
    return moment.astimezone(LOCAL_TIME).date()
