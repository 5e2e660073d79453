"""The domain's rules, pure and without I/O: what a statement may say, who may sign it, and what it changes.

`fields` reads a statement's body field by field; `records` is the base of every aggregate;
`registry` (authority, units, officers, keys), `indices` (indices, cycles, deadlines,
lateness), `submissions`, `ratings` and `rules` (rule sets as data) hold the records;
`handlers` holds one handler per statement type, by area; `errors` the domain's refusals and
their codes; `local_time` the province's clock.
"""
