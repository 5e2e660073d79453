"""``parledger serve``: the web UI on the development server (see the README for production)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cli.support import instance, one_line_errors

if TYPE_CHECKING:
    from web.instance import Instance


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the web UI (development server; see the README for production)."""
    serve_instance(instance(), host, port)


def serve_instance(here: Instance, host: str, port: int) -> None:
    """Build the web application of `here` and serve it until interrupted."""
    from web import create_app

    with one_line_errors():
        app = create_app(instance=here)
    click.echo(f"serving on http://{host}:{port}/")
    app.run(host=host, port=port)


COMMANDS = (serve,)
