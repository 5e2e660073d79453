"""``parledger``: the command line of PAR Ledger; this module is the root group and its wiring.

Thin by design: each command reads its input, calls the ledger or a service
(`services`), and prints. Errors are one line on stderr (``parledger: error: …``) and exit
status 1; usage errors exit 2. One module per group of commands:

- `cli.ledger`: init, keys, submit, show, documents;
- `cli.log`: the transparency log, receipts, the inspector bundle, verify, the witness;
- `cli.views`: rebuilding and replaying the read models, the report exports;
- `cli.ratings`: the ratings of a year, Sở Nội vụ computing heads' ratings;
- `cli.accounts`: the web logins;
- `cli.demo` and `cli.serve`: the demo data and the web UI.

Every module imports only click and light modules at the top, and the rest inside its
commands: ``parledger verify --bundle`` starts without Flask, eventsourcing or psycopg,
and ``parledger log …`` without Flask.
"""

from __future__ import annotations

import click

from cli import accounts, demo, ledger, log, ratings, serve, views


@click.group()
def main() -> None:
    """PAR Ledger (Sổ cái CCHC): the signed ledger of Hưng Yên's PAR assessment."""


for module in (ledger, log, views, ratings, accounts, demo, serve):
    for command in module.COMMANDS:
        main.add_command(command)
