"""What the services refuse: a request the ledger cannot answer as asked.

The field names the service's parameter (``ruleset``, ``index``, …): each entry point
says it in its own words (an option of the CLI, a field of a form).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from ledger.errors import NotFoundError, PayloadError


class NotHeld(NotFoundError):
    """The request names something the ledger does not hold."""

    messages: ClassVar[Mapping[str, str]] = {
        "ruleset_not_held": "the ledger holds no rule set {version!r}",
        "cycle_not_opened": "no assessment cycle was opened for {year}",
        "index_not_held": "the ledger holds no index {index!r} (known: {known})",
        "position_beyond_head": "{position} is after the last entry ({head})",
    }


class Unanswerable(PayloadError):
    """The request leaves out or misnames what the answer depends on."""

    messages: ClassVar[Mapping[str, str]] = {
        "no_usual_ruleset": "no head's rating of {year} names a rule set to follow",
        "not_a_rated_class": "{unit_class!r} is not a rated unit class (one of {classes})",
    }


#: Every refusal of the services (what an entry point words as a mistake in its input).
REFUSALS = (NotHeld, Unanswerable)
