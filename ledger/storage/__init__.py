"""Where the ledger is stored: the recorders and the rest of what the database holds.

- `config`: ``LEDGER_DATABASE_URL`` and its `Backend` (sqlite, postgresql, memory), and the
  library's environment derived from it;
- `persistence`: what the ledger needs of a recorder (each event saved with its log row),
  and the in-memory one; `sqlite`, `postgres`, `popo`: the backends' factories;
- `transcodings`: the envelope stored in its DSSE form;
- `documents`: the content-addressed store of evidence files;
- `errors`: the refusals of storage (settings, documents).
"""
