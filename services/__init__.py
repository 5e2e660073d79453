"""The service layer: the tasks both entry points perform, one function each.

The web's pages and the ``parledger`` commands parse their input, call a service here,
and present what it returns; neither carries its own copy of a task (Percival and
Gregory, *Architecture Patterns with Python*, "Service Layer"). A service takes the
ledger and its read models as arguments, returns plain values, and refuses with a
`ParLedgerError` (`services.errors`); it imports `ledger` and `projections`, never `web`
or `cli`.

- `services.ratings`: which heads' ratings need computing, their inputs, and the batch of
  ``rating.compute`` statements to sign;
- `services.exports`: the compilation and the rankings as .xlsx or .csv;
- `services.replays`: the ratings and deadlines as they stood after an entry or on a day;
- `services.visibility`: who may see an entry listed and read its statement (every channel's rule).
"""
