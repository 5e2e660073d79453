"""Read models of the ledger: units, ratings, index results, deadlines, history, compilations.

Each is a deterministic function of the ledger's entries alone, stored in the ledger's
own database with one tracking position, kept current by `catch_up`, rebuilt from zero
by `rebuild`, and replayed to any position or date by `replay` in a throwaway store.

    views = open_views(ledger)
    catch_up(ledger, views)            # after every append: read your own writes
    views.ratings(2024)                # plain JSON-able dicts
    with replay(ledger, as_of=date(2023, 11, 10)) as then:
        then.compilation(2023)
"""

from projections.errors import ProjectionError
from projections.runner import catch_up, open_views, position_as_of, rebuild, replay
from projections.views import Views

__all__ = ["ProjectionError", "Views", "catch_up", "open_views", "position_as_of", "rebuild", "replay"]
