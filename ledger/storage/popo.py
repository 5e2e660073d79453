"""The ledger in memory: selected by the ``memory:`` database URL (tests, replays)."""

from __future__ import annotations

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.popo import POPOFactory

from ledger.storage.persistence import POPOLedgerRecorder


class Factory(POPOFactory):
    """The library's in-memory factory, with the ledger's recorder."""

    def application_recorder(self) -> ApplicationRecorder:
        return POPOLedgerRecorder()
