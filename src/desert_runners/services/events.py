"""Read the event log of a race."""

from __future__ import annotations

from collections.abc import Sequence

from desert_runners.adapters.storage.event_log import query_events
from desert_runners.bootstrap import Context
from desert_runners.domain.events import Event, EventKind
from desert_runners.services.races import find_race


def list_events(
    context: Context,
    race_slug: str | None,
    *,
    bib: int | None = None,
    kinds: Sequence[EventKind] = (),
    limit: int | None = None,
) -> tuple[str, str, list[Event]]:
    """The race's slug and time zone, and its events in the order they were stored."""
    row = find_race(context, race_slug)
    with context.store.read() as connection:
        found = query_events(connection, row.id, row.race.slug, bib=bib, kinds=kinds, limit=limit)
    return row.race.slug, row.race.time_zone, found
