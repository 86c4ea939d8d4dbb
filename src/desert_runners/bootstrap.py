"""The composition root: the one place that builds a store and a clock from settings."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from desert_runners.adapters.storage.store import Store

DEFAULT_DATABASE_URL = "sqlite:///desert-runners.db"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    """What every service needs: where facts are stored, the time, and who is acting."""

    store: Store
    clock: Callable[[], datetime] = utc_now
    author: str = "unknown"


def database_url(given: str | None = None) -> str:
    return given or os.environ.get("DR_DATABASE_URL") or DEFAULT_DATABASE_URL


def default_author() -> str:
    try:
        return os.environ.get("DR_AUTHOR") or getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "unknown"


def bootstrap(
    url: str | None = None,
    *,
    author: str | None = None,
    migrate: bool = True,
    clock: Callable[[], datetime] | None = None,
) -> Context:
    """``clock``: the services' time (default the system's UTC clock); a replayed or
    simulated race gives its own, so "now" is the race's time everywhere."""
    store = Store(database_url(url))
    if migrate:
        store.ensure_schema()
    return Context(store=store, clock=clock or utc_now, author=author or default_author())
