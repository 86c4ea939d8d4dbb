"""The ``desert-runners`` command line: thin commands over the services."""

from desert_runners.cli.app import app, main

__all__ = ["app", "main"]
