"""Submitting: documents with evidence files, governing-decision lists, index results; corrections.

One blueprint (`bp`, under /nop) in modules by concern:

- `common`: the blueprint, its menu, the kinds' names, the cycle years, the ledger's last check;
- `fields`: reading the forms field by field, each error in Vietnamese next to its field;
- `evidence`: the evidence file a form posts, checked by its content before it is stored;
- `table`: reading an uploaded ``.xlsx``/CSV results table, and the workbook to fill in;
- `results`: the rows of a results table, each checked, ranks by the domain's one rule;
- `filing`: the pages that file something new;
- `corrections`: the unit's earlier submissions, correcting one, transmitting results.
"""

from __future__ import annotations

from web.areas.submit import corrections, filing  # noqa: F401  (their routes register on bp)
from web.areas.submit.common import KIND_NAMES, NAV, bp, cycle_years, today
from web.areas.submit.corrections import own_submissions

__all__ = ["KIND_NAMES", "NAV", "bp", "cycle_years", "own_submissions", "today"]
