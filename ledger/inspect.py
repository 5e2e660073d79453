"""The offline inspector as a program: ``python -m ledger.inspect DIR [--state FILE] [--workers N]``.

Verifies an inspector bundle written by ``parledger export``, with the same report and
exit status as ``parledger verify --bundle`` (both call `ledger.tlog.audit.audit_bundle`):
0 when everything holds, 1 on any fault or on a bundle that cannot be read. It needs
nothing but Python ≥ 3.11 and the ``cryptography`` package: it imports only the standard
library and `ledger.tlog` (which imports `ledger.errors` and `ledger.signing.dsse`, both
standard library only), so a copy of those files is enough to run it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ledger.errors import ParLedgerError
from ledger.tlog.audit import audit_bundle

PROGRAM = "python -m ledger.inspect"


def parser() -> argparse.ArgumentParser:
    """The command line: the bundle's folder and the options of ``parledger verify --bundle``."""
    arguments = argparse.ArgumentParser(prog=PROGRAM, description="Verify a PAR Ledger inspector bundle offline.")
    arguments.add_argument("bundle", type=Path, metavar="DIR", help="the folder written by parledger export")
    arguments.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="the checkpoint verified last time: the log must extend it; moved on when all holds",
    )
    arguments.add_argument("--workers", type=int, default=1, metavar="N", help="threads verifying signatures")
    arguments.add_argument(
        "--quorum", type=int, default=0, metavar="K", help="witness cosignatures the latest checkpoint needs"
    )
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    """Run the inspector; print its report; return the exit status."""
    options = parser().parse_args(argv)
    try:
        audit = audit_bundle(options.bundle, state=options.state, workers=options.workers, quorum=options.quorum)
    except (ParLedgerError, OSError, ValueError) as exc:
        print(f"{PROGRAM}: error: {exc}", file=sys.stderr)
        return 1
    for line in audit.lines():
        print(line)
    return audit.exit_status


if __name__ == "__main__":
    sys.exit(main())
