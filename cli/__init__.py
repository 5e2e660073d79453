"""The ``parledger`` command line: the root group in `cli.main`, one module per group of commands."""
