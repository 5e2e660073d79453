"""DSSE's pre-authentication encoding: the exact bytes a statement's signature covers.

Standard library only, so that an offline verifier can check signatures without the
rest of the ledger.
"""

from __future__ import annotations

PAYLOAD_TYPE = "application/vnd.par-ledger.statement+json"


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: what the signature covers."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)
