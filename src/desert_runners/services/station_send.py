"""What a station sends to the camp, three ways: over the network when there is a link,
a bundle file for a USB stick, or compact messages for a satellite messenger.

Over the network the station keeps, in its own database, the highest sequence number the
camp confirmed at each address, and sends only what comes after it, in batches: a link
that drops half-way resumes where it stopped. The files always hold every fact (or
every fact after ``--since``): sending one twice, or an old one after a new one, is
harmless at camp.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from desert_runners.adapters import camp_link
from desert_runners.adapters.storage import station_repo
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import EventKind, Fact
from desert_runners.domain.station.bundle import Bundle, encode_bundle
from desert_runners.domain.station.compact_facts import compact_messages
from desert_runners.domain.station.wire import fact_to_wire, sequence, with_void_targets
from desert_runners.services.station_desk import Station, open_station, own_events

DEFAULT_BATCH = 200


@dataclass(frozen=True)
class SyncBatch:
    through: int  # the highest sequence number the camp now has
    stored: int
    already: int


@dataclass(frozen=True)
class SyncReport:
    camp: str
    sent: int  # facts sent (with the targets of voids sent again)
    stored: int
    already: int
    batches: int
    through: int
    since: int  # what the camp had before


@dataclass(frozen=True)
class StationStatus:
    station: Station
    facts: int
    last: int
    last_at: datetime | None
    camps: dict[str, tuple[int, datetime]]  # address -> (confirmed through, when)


def own_facts(context: Context, station: Station) -> list[Fact]:
    with context.store.read() as connection:
        return sorted((event.fact for event in own_events(connection, station)), key=sequence)


def _nothing_yet(station: Station) -> UserError:
    return UserError(f"nothing to send yet: no entry was saved at station {station.name}")


def export_bundle(context: Context) -> tuple[str, int]:
    station = open_station(context)
    facts = own_facts(context, station)
    if not facts:
        raise _nothing_yet(station)
    bundle = Bundle(
        station.race.slug, station.name, station.setup.install, context.clock(), tuple(facts)
    )
    return encode_bundle(bundle), len(facts)


@dataclass(frozen=True)
class CompactExport:
    messages: list[str]
    facts: int  # an entry sent again with its void is counted once
    passings: int  # the facts that are entries

    @property
    def size(self) -> int:
        return sum(len(message.encode()) for message in self.messages)


def export_compact(context: Context, since: int = 0, max_bytes: int | None = None) -> CompactExport:
    station = open_station(context)
    facts = own_facts(context, station)
    if not facts:
        raise _nothing_yet(station)
    chosen = [fact for fact in facts if sequence(fact) > since]
    if not chosen:
        raise UserError(
            f"nothing after #{since}: the last entry saved here is #{sequence(facts[-1])}"
        )
    chosen = with_void_targets(chosen, {fact.key: fact for fact in facts})
    race = station.race
    messages = compact_messages(
        race.slug, station.name, station.setup.install, chosen, race.zone, max_bytes
    )
    passings = sum(fact.kind is EventKind.ENTRY for fact in chosen)
    return CompactExport(messages, len(chosen), passings)


def sync_to(
    context: Context,
    url: str,
    batch_size: int = DEFAULT_BATCH,
    after_batch: Callable[[SyncBatch], None] | None = None,
    *,
    everything: bool = False,
) -> SyncReport:
    """With ``everything``, send it all again (a camp restored from a backup lacks what
    it had confirmed); the camp stores only what it does not have."""
    station = open_station(context)
    camp = camp_link.normalised(url)
    with context.store.read() as connection:
        since = 0 if everything else station_repo.acked_through(connection, station.race_id, camp)
    facts = own_facts(context, station)
    by_key = {fact.key: fact for fact in facts}
    pending = [fact for fact in facts if sequence(fact) > since]
    sent = stored = already = batches = 0
    through = since
    for start in range(0, len(pending), batch_size):
        batch = pending[start : start + batch_size]
        outgoing = with_void_targets(batch, by_key)  # a void travels with what it voids
        body = {"race": station.race.slug, "facts": [fact_to_wire(fact) for fact in outgoing]}
        answer = camp_link.send_batch(url, station.setup.token, station.name, body)
        counts = (_count(answer, "stored"), _count(answer, "already"))
        through = sequence(batch[-1])
        with context.store.write() as connection:
            station_repo.add_ack(
                connection, station.race_id, camp, through, counts, context.clock()
            )
        sent, batches = sent + len(outgoing), batches + 1
        stored, already = stored + counts[0], already + counts[1]
        if after_batch is not None:
            after_batch(SyncBatch(through, *counts))
    return SyncReport(camp, sent, stored, already, batches, through, since)


def station_status(context: Context) -> StationStatus:
    station = open_station(context)
    facts = own_facts(context, station)
    with context.store.read() as connection:
        camps = station_repo.destinations(connection, station.race_id)
    last = facts[-1] if facts else None
    return StationStatus(
        station,
        len(facts),
        sequence(last) if last else 0,
        last.occurred_at if last else None,
        camps,
    )


def _count(answer: dict[str, object], name: str) -> int:
    value = answer.get(name)
    if not isinstance(value, int):
        raise UserError(
            f"the camp's answer has no count of facts {name}: is it a Desert Runners camp?"
        )
    return value
