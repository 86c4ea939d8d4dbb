"""``desert-runners init``."""

from __future__ import annotations

import typer
from rich.console import Console

from desert_runners.bootstrap import bootstrap

console = Console(highlight=False)


def init(ctx: typer.Context) -> None:
    """Create the database, or bring its schema up to date. Safe to run again."""
    settings = ctx.find_root().obj
    store = bootstrap(settings["db"], author=settings["author"], migrate=False).store
    before, after = store.migrate()
    state = "created" if before is None else "up to date" if before == after else "upgraded"
    console.print(f"{store.safe_url}: schema {state} (revision {after})", markup=False)
