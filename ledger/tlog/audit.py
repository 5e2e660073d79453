"""Verify an inspector bundle on disk: the one report of ``parledger verify --bundle`` and
``python -m ledger.inspect``.

`audit_bundle` opens the bundle (`ledger.tlog.bundle`), runs the inspector over its
entries and checkpoints with the bundle's own log key, root key id and witnesses, checks
every document against its name, and — only when all holds — moves the inspector's state
file on to the checkpoint just verified. `BundleAudit.lines` is the report as both entry
points print it; exit status 1 on any fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ledger.tlog.bundle import Bundle
from ledger.tlog.inspection import Inspector
from ledger.tlog.notes import NoteVerifier
from ledger.tlog.report import DocumentFault, Fault, Report, read_state, write_state

__all__ = ["BundleAudit", "audit_bundle"]


@dataclass(frozen=True)
class BundleAudit:
    """What inspecting a bundle found: the inspector's report and the documents at fault."""

    report: Report
    document_faults: list[DocumentFault]

    @property
    def faults(self) -> list[Fault | DocumentFault]:
        """Every fault, the entries' and the log's first, then the documents'."""
        return [*self.report.faults, *self.document_faults]

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.faults

    @property
    def exit_status(self) -> int:
        """0 when all holds, 1 on any fault."""
        return 0 if self.ok else 1

    def lines(self) -> list[str]:
        """The report, one line per fault and a last line saying what was verified."""
        report = self.report
        faults = self.faults
        if faults:
            return [*(f"FAULT {fault}" for fault in faults), f"{len(faults)} fault(s); {report.entries} entries read"]
        if report.checkpoint is None:
            return [f"OK: the bundle holds {report.entries} entries and no checkpoint"]
        return [
            f"OK: {report.entries} entries verified against checkpoint {report.checkpoint.size} "
            f"of {report.checkpoint.origin}"
        ]


def audit_bundle(path: Path, *, state: Path | None = None, workers: int = 1, quorum: int = 0) -> BundleAudit:
    """Inspect the bundle in `path`; with `state`, require the log to extend it and move it on.

    Raises:
        BundleError: if the bundle is incomplete, one of its files is not a regular file inside
            it or is over its limit, or a line of it cannot be read.
        NoteError: if a verifier key in it cannot be read.
        InspectionError: if the quorum or the number of workers is impossible.
        OSError: if a file cannot be read or the state cannot be written.
    """
    bundle = Bundle.open(path)
    inspector = Inspector(
        log_vkey=bundle.log_vkey,
        origin=NoteVerifier(bundle.log_vkey).name,
        root_key_id=bundle.root_key_id or None,
        witness_vkeys=bundle.witnesses,
        witness_quorum=quorum,
        known=read_state(state) if state is not None else None,
        workers=workers,
    )
    audit = BundleAudit(inspector.inspect(bundle.entries(), bundle.checkpoints()), bundle.check_documents())
    if audit.ok and state is not None and audit.report.checkpoint_note is not None:
        write_state(state, audit.report.checkpoint_note)
    return audit
