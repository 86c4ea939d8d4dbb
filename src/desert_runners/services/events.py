"""Read the event log of a race."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from desert_runners.adapters.storage import tag_repo
from desert_runners.adapters.storage.event_log import query_events
from desert_runners.adapters.storage.types import MAX_EVENT_ID, storable_integer
from desert_runners.bootstrap import Context
from desert_runners.domain.events import Event, EventKind
from desert_runners.domain.tags import TagTimeline, tag_timeline
from desert_runners.services.races import find_race


def list_events(
    context: Context,
    race_slug: str | None,
    *,
    bib: int | None = None,
    kinds: Sequence[EventKind] = (),
    limit: int | None = None,
) -> tuple[str, str, list[Event]]:
    """The race's slug and time zone, and its events in the order they were stored.

    A chip read shows the bib its tag had at the read's time (reads are stored with
    their tag only), so ``bib`` finds a runner's reads as well as their entries."""
    row = find_race(context, race_slug)
    if bib is not None and not storable_integer(bib):
        return row.race.slug, row.race.time_zone, []  # no such bib can be stored
    if limit is not None:
        limit = min(limit, MAX_EVENT_ID)  # no more events than ids
    with context.store.read() as connection:
        timeline = tag_timeline(tag_repo.tag_history(connection, row.id))
        tags = timeline.tags_of(bib) if bib is not None else set()
        found = query_events(
            connection,
            row.id,
            row.race.slug,
            bib=bib,
            kinds=kinds,
            # Some reads of these tags may be someone else's: filter, then limit.
            limit=None if tags else limit,
            read_tags=tags,
        )
    found = [_with_read_bib(event, timeline) for event in found]
    if tags:
        found = [event for event in found if event.fact.bib == bib]
        found = found[-limit:] if limit is not None else found
    return row.race.slug, row.race.time_zone, found


def _with_read_bib(event: Event, timeline: TagTimeline) -> Event:
    fact = event.fact
    if fact.kind is not EventKind.READ or fact.bib is not None or not fact.tag:
        return event
    if fact.occurred_at is None:
        return event
    bib = timeline.bib_at(fact.tag, fact.occurred_at)
    return event if bib is None else replace(event, fact=replace(fact, bib=bib))
