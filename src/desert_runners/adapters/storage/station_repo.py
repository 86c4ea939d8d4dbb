"""Checkpoint stations in the store: kits issued at camp; a laptop's set-up and acks.

All three tables are append-only: a new kit, a new set-up or a new acknowledgement is
a new row, and the latest (or the highest) is the one that counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, RowMapping

from desert_runners.adapters.storage.tables import (
    events,
    races,
    series,
    station_acks,
    station_kits,
    station_setups,
)
from desert_runners.domain.events import Direction


@dataclass(frozen=True)
class Kit:
    """A kit issued at camp: the station, where it records, and its token's hash."""

    race_id: int
    station: str
    kit: str
    stage: int
    checkpoint: str
    direction: Direction | None
    token_hash: str
    issued_at: datetime
    author: str


@dataclass(frozen=True)
class Setup:
    """A kit set up on a station's laptop; the latest one is in use."""

    race_id: int
    station: str
    install: str
    kit: str
    stage: int
    checkpoint: str
    direction: Direction | None
    token: str
    out_of_race: dict[int, str]
    set_up_at: datetime
    author: str


def add_kit(connection: Connection, kit: Kit) -> None:
    values = vars(kit) | {"direction": kit.direction.value if kit.direction else None}
    connection.execute(insert(station_kits).values(**values))


def kits(connection: Connection, race_id: int, station: str | None = None) -> list[Kit]:
    query = select(station_kits).where(station_kits.c.race_id == race_id)
    if station is not None:
        query = query.where(station_kits.c.station == station)
    rows = connection.execute(query.order_by(station_kits.c.id)).mappings()
    return [_kit(row) for row in rows]


def kit_for_token(connection: Connection, token_hash: str) -> Kit | None:
    query = select(station_kits).where(station_kits.c.token_hash == token_hash)
    row = connection.execute(query).mappings().first()
    return None if row is None else _kit(row)


def add_setup(connection: Connection, setup: Setup) -> None:
    values = vars(setup) | {
        "direction": setup.direction.value if setup.direction else None,
        "out_of_race": sorted([bib, why] for bib, why in setup.out_of_race.items()),
    }
    connection.execute(insert(station_setups).values(**values))


def current_setup(connection: Connection) -> Setup | None:
    query = select(station_setups).order_by(station_setups.c.id.desc()).limit(1)
    row = connection.execute(query).mappings().first()
    return None if row is None else _setup(row)


def add_ack(
    connection: Connection,
    race_id: int,
    destination: str,
    through_seq: int,
    counts: tuple[int, int],
    at: datetime,
) -> None:
    stored, already = counts
    values = {"race_id": race_id, "destination": destination, "through_seq": through_seq}
    values |= {"stored": stored, "already": already, "acked_at": at}
    connection.execute(insert(station_acks).values(**values))


def acked_through(connection: Connection, race_id: int, destination: str) -> int:
    query = select(func.max(station_acks.c.through_seq)).where(
        station_acks.c.race_id == race_id, station_acks.c.destination == destination
    )
    return int(connection.execute(query).scalar() or 0)


def destinations(connection: Connection, race_id: int) -> dict[str, tuple[int, datetime]]:
    """Each destination the camp was reached at: the highest sequence it has, and when."""
    query = select(station_acks).where(station_acks.c.race_id == race_id)
    found: dict[str, tuple[int, datetime]] = {}
    for row in connection.execute(query.order_by(station_acks.c.id)).mappings():
        through = max(row["through_seq"], found.get(row["destination"], (0, None))[0])
        found[row["destination"]] = (through, row["acked_at"])
    return found


def event_ids(connection: Connection, race_id: int, keys: list[str]) -> dict[str, int]:
    """The ids of the race's events stored under ``keys`` (those that are)."""
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        query = select(events.c.idempotency_key, events.c.id).where(
            events.c.race_id == race_id, events.c.idempotency_key.in_(keys[start : start + 500])
        )
        found.update({key: int(event_id) for key, event_id in connection.execute(query)})
    return found


def series_definition(connection: Connection, slug: str) -> dict[str, Any]:
    query = select(series.c.definition).where(series.c.slug == slug)
    return dict(connection.execute(query).scalar() or {})


def race_document(connection: Connection, slug: str) -> dict[str, Any]:
    """The race's definition as stored, with its digest: what a kit carries."""
    query = select(races.c.definition, races.c.digest).where(races.c.slug == slug)
    definition, digest = connection.execute(query).one()
    return {"slug": slug, "definition": definition, "digest": digest}


def race_slug(connection: Connection, race_id: int) -> str:
    return str(connection.execute(select(races.c.slug).where(races.c.id == race_id)).scalar_one())


def _kit(row: RowMapping) -> Kit:
    return Kit(
        race_id=row["race_id"],
        station=row["station"],
        kit=row["kit"],
        stage=row["stage"],
        checkpoint=row["checkpoint"],
        direction=Direction(row["direction"]) if row["direction"] else None,
        token_hash=row["token_hash"],
        issued_at=row["issued_at"],
        author=row["author"],
    )


def _setup(row: RowMapping) -> Setup:
    return Setup(
        race_id=row["race_id"],
        station=row["station"],
        install=row["install"],
        kit=row["kit"],
        stage=row["stage"],
        checkpoint=row["checkpoint"],
        direction=Direction(row["direction"]) if row["direction"] else None,
        token=row["token"],
        out_of_race={int(bib): str(why) for bib, why in row["out_of_race"]},
        set_up_at=row["set_up_at"],
        author=row["author"],
    )
