"""``parledger demo``: load the Hưng Yên demo data into an empty ledger, then serve the web UI."""

from __future__ import annotations

import click

from cli.accounts import account_store
from cli.serve import serve_instance
from cli.support import instance, one_line_errors, open_ledger, progress, project


@click.command()
@click.option("--no-serve", is_flag=True, help="Load the demo data and stop.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def demo(no_serve: bool, host: str, port: int) -> None:
    """Load the demo data (if the ledger is empty) and serve the web UI."""
    from demo.loader import DEMO_PASSPHRASE, DEMO_PASSWORD, add_demo_accounts, load_demo_instance

    here = instance()
    with one_line_errors():
        here.ensure_log_key()
    with open_ledger() as ledger:
        if ledger.head == 0:
            click.echo("loading the Hưng Yên demo data …")
            with one_line_errors():
                summary = load_demo_instance(here, ledger, progress=progress("appended"))
            project(ledger)
            click.echo(
                f"loaded {summary.entries} entries; demo key files in {here.keys_path} (passphrase {DEMO_PASSPHRASE!r})"
            )
        else:
            click.echo(f"the ledger already holds {ledger.head} entries; not loading the demo")
        if here.is_demo() and add_demo_accounts(account_store(ledger)):
            click.echo(f"demo web logins: each officer's id, password {DEMO_PASSWORD!r} (see the README)")
    if not no_serve:
        serve_instance(here, host, port)


COMMANDS = (demo,)
