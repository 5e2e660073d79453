"""Ratings: computed and decided, individual ratings, appeals, SNV's compilation, charts.

Who sees what: Sở Nội vụ, the committee, auditors, inspectors and administrators see every
unit's ratings; any other officer sees only the ratings of their own unit (the unit comes
from the session). Who acts: Sở Nội vụ computes heads' ratings (a batch of ``rating.compute``
statements, one per head whose computation is missing or out of date, signed on one page);
the committee decides them (a batch of ``rating.decide`` under one decision number); a unit
head rates the unit's staff (``rating.individual``); the rated unit files an appeal
(``rating.appeal``); the committee (heads) or the unit's head (staff) resolves it
(``rating.resolve-appeal``). The ledger decides again on append; these pages only spare the
officer a refusal.

The blueprint ``ratings`` and what its pages share are in `blueprint`; the routes by
concern: `pages` (the list, one rating, a unit's results, the compilation), `charts`,
`heads` (Sở Nội vụ computes, the committee decides), `staff` (a unit head rates the
unit's staff) and `appeals`.
"""

from __future__ import annotations

from web.areas.ratings import appeals, heads, pages, staff
from web.areas.ratings.blueprint import NAV, bp

__all__ = ["NAV", "appeals", "bp", "heads", "pages", "staff"]
