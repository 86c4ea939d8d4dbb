"""A live run started again on a store that has part of the race (a run stopped with
Ctrl-C): what is already at camp is not sent again.

Reads resume by themselves (each reader asks its decoder for the passings after the
highest one stored). Typed entries and rulings are recognised in the event log by what
they say (``signature``), as many times as they are there; the race clock starts again
where the stored facts end.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from desert_runners.adapters.storage.event_log import query_events
from desert_runners.bootstrap import Context
from desert_runners.domain.events import Event, EventKind
from desert_runners.domain.station.keys import station_of_source
from desert_runners.services.races import find_race
from desert_runners.simulate.live.plan import DeskItem
from desert_runners.simulate.model.events import (
    EntryVoid,
    MedicalHold,
    Penalty,
    TypedEntry,
    Withdrawal,
)

Signature = tuple[object, ...]
PLAYED = (
    EventKind.READ,
    EventKind.ENTRY,
    EventKind.WITHDRAWAL,
    EventKind.PENALTY,
    EventKind.NEUTRALISATION,
    EventKind.VOID,
)


@dataclass
class Played:
    """What a previous run stored: signatures (a multiset) and when it stopped."""

    done: Counter[Signature] = field(default_factory=Counter)
    until: datetime | None = None  # the race clock when the last fact was stored
    entry_ids: dict[Signature, int] = field(default_factory=dict)  # an entry's camp id

    def take(self, item: DeskItem) -> bool:
        """Whether ``item`` was played already (each stored fact matches one item)."""
        mark = signature(item)
        if self.done[mark] > 0:
            self.done[mark] -= 1
            return True
        return False


def played(context: Context, race_slug: str) -> Played:
    row = find_race(context, race_slug)
    with context.store.read() as connection:
        events = query_events(connection, row.id, row.race.slug, kinds=PLAYED)
    found = Played()
    for event in events:
        found.until = max(found.until or event.received_at, event.received_at)
        mark = _stored(event)
        if mark is not None:
            found.done[mark] += 1
            if mark[0] == "entry":
                found.entry_ids.setdefault(mark, event.id)
    return found


def signature(item: DeskItem) -> Signature:
    if isinstance(item, TypedEntry):
        text = item.typed.strftime("%H:%M" if item.to_the_minute else "%H:%M:%S")
        return ("entry", item.bib, item.stage, item.point, item.direction, text)
    if isinstance(item, Withdrawal):
        return ("withdrawal", item.bib, item.stage, item.reason)
    if isinstance(item, Penalty):
        return ("penalty", item.bib, item.stage, item.reason)
    if isinstance(item, MedicalHold):
        return ("neutralisation", item.bib, item.stage, item.reason)
    assert isinstance(item, EntryVoid)
    return ("void", item.reason)


def _stored(event: Event) -> Signature | None:
    fact = event.fact
    reason = fact.payload.get("reason")
    if fact.kind is EventKind.ENTRY and station_of_source(fact.source) is not None:
        direction = fact.direction.value if fact.direction else None
        where = (fact.bib, fact.stage, fact.checkpoint, direction, fact.device_time)
        return ("entry", *where)
    if fact.kind in (EventKind.WITHDRAWAL, EventKind.PENALTY, EventKind.NEUTRALISATION):
        return (fact.kind.value, fact.bib, fact.stage, reason)
    if fact.kind is EventKind.VOID:
        return ("void", reason)
    return None
