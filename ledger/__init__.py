"""The ledger: signed statements appended forever, and everything needed to check them.

Four subpackages, each one concern, and the modules that join them:

- `ledger.domain`: the rules, pure and without I/O — fields, records, the registry of units,
  officers and keys, indices and cycles, submissions, ratings and rule sets, and one handler
  per statement type (`ledger.domain.handlers`);
- `ledger.signing`: what an officer signs — the statement, DSSE's PAE, the envelope;
- `ledger.tlog`: the transparency log — leaf framing, the Merkle tree and its proofs, signed
  notes, checkpoints, witnesses, the inspector bundle and the offline inspector
  (``python -m ledger.inspect``);
- `ledger.storage`: where it is kept — the recorders (SQLite, PostgreSQL, in memory), the
  database URL's backend, the document store;
- `ledger.application`: the `Ledger`, the append pipeline (verify, decide, append or refuse);
  `ledger.serving` serves its log to others; `ledger.verify` re-checks a stored ledger;
- `ledger.errors`: the root of every refusal, `ParLedgerError`, with its stable codes.

Dependency direction (checked by import-linter, `make lint`): `keys` ← `ledger` ←
`projections` ← `services` ← `web` ← `demo` ← `cli`. Inside the ledger, `domain` knows no
storage and no framework; `tlog` imports only the standard library, `cryptography`, itself,
`ledger.errors` and `ledger.signing.dsse` (both standard library only), so an inspector runs
it from a copy of those files with nothing else installed.
"""
