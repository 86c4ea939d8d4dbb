"""Series and races as loaded from their definition files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from desert_runners.adapters.importers.race_definition import LoadedRace, race_from_definition
from desert_runners.adapters.storage.tables import races, series
from desert_runners.domain.race import Race, Series


@dataclass(frozen=True)
class RaceRow:
    id: int
    race: Race
    digest: str
    source: str
    loaded_at: datetime


def save_series(
    connection: Connection, value: Series, definition: dict[str, Any], at: datetime
) -> int:
    existing = connection.execute(select(series.c.id).where(series.c.slug == value.slug)).scalar()
    row = {"name": value.name, "definition": definition, "loaded_at": at}
    if existing is None:
        return int(
            connection.execute(insert(series).values(slug=value.slug, **row)).inserted_primary_key[
                0
            ]
        )
    connection.execute(update(series).where(series.c.id == existing).values(**row))
    return int(existing)


def series_id(connection: Connection, slug: str) -> int | None:
    found = connection.execute(select(series.c.id).where(series.c.slug == slug)).scalar()
    return None if found is None else int(found)


def save_race(connection: Connection, series_id: int, loaded: LoadedRace, at: datetime) -> int:
    """Insert or replace the race's definition; the caller logs the change as an event."""
    race = loaded.race
    row = {
        "series_id": series_id,
        "event": race.event,
        "name": race.name,
        "time_zone": race.time_zone,
        "starts_on": race.starts_on,
        "ends_on": race.ends_on,
        "definition": loaded.definition,
        "digest": loaded.digest,
        "source": loaded.source,
        "loaded_at": at,
    }
    existing = race_id(connection, race.slug)
    if existing is None:
        result = connection.execute(insert(races).values(slug=race.slug, **row))
        return int(result.inserted_primary_key[0])
    connection.execute(update(races).where(races.c.id == existing).values(**row))
    return existing


def series_events(connection: Connection, slug: str) -> list[str]:
    """The event slugs of a stored series (empty: the series names no events)."""
    definition = connection.execute(
        select(series.c.definition).where(series.c.slug == slug)
    ).scalar()
    return [event["slug"] for event in (definition or {}).get("events", [])]


def race_id(connection: Connection, slug: str) -> int | None:
    found = connection.execute(select(races.c.id).where(races.c.slug == slug)).scalar()
    return None if found is None else int(found)


def race_digest(connection: Connection, slug: str) -> str | None:
    return connection.execute(select(races.c.digest).where(races.c.slug == slug)).scalar()


def get_race(connection: Connection, slug: str) -> RaceRow | None:
    row = connection.execute(select(races).where(races.c.slug == slug)).mappings().first()
    if row is None:
        return None
    return RaceRow(
        id=row["id"],
        race=race_from_definition(row["definition"]),
        digest=row["digest"],
        source=row["source"],
        loaded_at=row["loaded_at"],
    )


def race_slugs(connection: Connection) -> list[str]:
    query = select(races.c.slug).order_by(races.c.starts_on, races.c.slug)
    return list(connection.execute(query).scalars())


def list_races(connection: Connection) -> list[RaceRow]:
    found = (get_race(connection, slug) for slug in race_slugs(connection))
    return [row for row in found if row is not None]


def get_series(connection: Connection, slug: str) -> Series | None:
    from desert_runners.domain.race import SeriesEvent

    row = connection.execute(select(series).where(series.c.slug == slug)).mappings().first()
    if row is None:
        return None
    events = tuple(SeriesEvent(**event) for event in row["definition"].get("events", []))
    return Series(slug=row["slug"], name=row["name"], events=events)


def series_slugs(connection: Connection) -> list[str]:
    return list(connection.execute(select(series.c.slug).order_by(series.c.slug)).scalars())


def races_of_series(connection: Connection, slug: str) -> list[RaceRow]:
    found = (get_race(connection, race) for race in race_slugs(connection))
    return [row for row in found if row is not None and row.race.series == slug]
