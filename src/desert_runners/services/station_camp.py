"""The camp receives what stations recorded: over the network, from a bundle file on a USB
stick, or from a compact message sent by satellite. All three end here, in one function,
so a fact is stored the same way whichever way it came, and only once.

Receiving is idempotent and commutative: facts are keyed by station, install and
sequence number, a void travels with what it voids, and a batch is stored whole or not
at all. Any order and any repetition of the same bundles gives the same store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.engine import Connection

from desert_runners.adapters.storage import station_repo
from desert_runners.adapters.storage.event_log import append
from desert_runners.adapters.storage.race_repo import RaceRow
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import EventKind, Fact
from desert_runners.domain.station.bundle import decode_bundle, looks_like_bundle
from desert_runners.domain.station.compact import MAGIC, CompactError, decode_message
from desert_runners.domain.station.compact_facts import facts_of_message
from desert_runners.domain.station.wire import sequence
from desert_runners.services.races import find_race


@dataclass(frozen=True)
class Received:
    race: str
    station: str
    stored: tuple[str, ...]  # keys stored now
    already: tuple[str, ...]  # keys the camp had already
    through: int  # the highest sequence number received


@dataclass(frozen=True)
class _Delivery:
    race: RaceRow
    station: str
    facts: list[Fact]


def receive_facts(
    context: Context, race_slug: str, station: str, facts: Sequence[Fact]
) -> Received:
    row = find_race(context, race_slug)
    with context.store.write() as connection:
        return _store(context, connection, _Delivery(row, station, list(facts)))


def receive_text(context: Context, text: str, name: str) -> list[Received]:
    """A bundle file or compact messages (one a line), checked whole before anything is
    stored, then stored in one transaction: all of it or nothing."""
    deliveries = _deliveries(context, text, name)
    with context.store.write() as connection:
        return [_store(context, connection, delivery) for delivery in deliveries]


def _deliveries(context: Context, text: str, name: str) -> list[_Delivery]:
    if looks_like_bundle(text):
        try:
            bundle = decode_bundle(text)
        except UserError as error:
            raise UserError(f"{name}: {error}") from None
        row = _race(context, bundle.race, name)
        return [_Delivery(row, bundle.station, list(bundle.facts))]
    lines = [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines or not lines[0][1].lstrip().startswith(MAGIC + " "):
        raise UserError(
            f"{name}: not a station bundle: expected a file made by `desert-runners station "
            "export` or compact messages (lines starting with DR1)"
        )
    deliveries = []
    for number, line in lines:
        try:
            message = decode_message(line)
        except CompactError as error:
            raise UserError(f"{name}: line {number}: {error}") from None
        row = _race(context, message.race, f"{name}: line {number}")
        facts = facts_of_message(message, row.race.zone)
        deliveries.append(_Delivery(row, message.station, facts))
    return deliveries


def _race(context: Context, slug: str, where: str) -> RaceRow:
    try:
        return find_race(context, slug)
    except UserError as error:  # a bundle of another race, or of an edition not loaded here
        raise UserError(f"{where}: {error}") from None


def _store(context: Context, connection: Connection, delivery: _Delivery) -> Received:
    row, station = delivery.race, delivery.station
    slug = row.race.slug
    if not station_repo.kits(connection, row.id, station):
        raise UserError(
            f"station {station} has no kit for {slug} at this camp: "
            "issue one with `desert-runners station kit`"
        )
    now = context.clock()
    plain = [fact for fact in delivery.facts if fact.kind is not EventKind.VOID]
    voids = [fact for fact in delivery.facts if fact.kind is EventKind.VOID]
    results = append(connection, row.id, slug, plain, now)
    ids = {result.event.fact.key: result.event.id for result in results}
    wanted = [str(void.payload["target_key"]) for void in voids]
    ids |= station_repo.event_ids(connection, row.id, [key for key in wanted if key not in ids])
    resolved = []
    for void, target in zip(voids, wanted, strict=True):
        if target not in ids:
            raise UserError(
                f"{void.key} voids {target}, which the camp has not received: "
                "export the station's whole bundle and receive it"
            )
        # The camp's own id for the target, so the results engine sees the void.
        resolved.append(replace(void, payload={"target": ids[target], **void.payload}))
    results += append(connection, row.id, slug, resolved, now)
    return Received(
        race=slug,
        station=station,
        stored=tuple(result.event.fact.key for result in results if result.new),
        already=tuple(result.event.fact.key for result in results if not result.new),
        through=max((sequence(fact) for fact in delivery.facts), default=0),
    )
