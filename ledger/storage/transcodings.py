"""How the ledger's events store what they carry: the signed envelope in its DSSE JSON form."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Transcoding

from ledger.signing.envelope import Envelope


class EnvelopeAsDSSE(Transcoding):
    """Stores an envelope in its DSSE JSON form: payload bytes kept exactly, as base64."""

    type = Envelope
    name = "dsse"

    def encode(self, obj: Envelope) -> dict[str, Any]:
        return obj.to_json()

    def decode(self, data: dict[str, Any]) -> Envelope:
        return Envelope.from_storage(data)
