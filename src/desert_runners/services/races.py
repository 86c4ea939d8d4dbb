"""Load race definitions into the store and find races in it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import Connection

from desert_runners.adapters.importers.race_definition import LoadedRace, load_definitions
from desert_runners.adapters.storage import race_repo
from desert_runners.adapters.storage.event_log import append
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import EventKind, Fact
from desert_runners.domain.race import Race


@dataclass(frozen=True)
class RaceLoaded:
    slug: str
    name: str
    outcome: Literal["added", "updated", "unchanged"]
    stages: int
    checkpoints: int
    distance_km: float | None


def load_race_file(context: Context, path: Path) -> tuple[str | None, list[RaceLoaded]]:
    """Validate the whole file (and the race files a series names) before storing any of it."""
    loaded = load_definitions(path)
    now = context.clock()
    results: list[RaceLoaded] = []
    with context.store.write() as connection:
        series_slug = None
        if loaded.series is not None:
            series_slug = loaded.series.slug
            definition = {
                "slug": series_slug,
                "name": loaded.series.name,
                "events": [vars(event) for event in loaded.series.events],
            }
            race_repo.save_series(connection, loaded.series, definition, now)
        for item in loaded.races:
            results.append(_store_race(context, connection, item))
    return series_slug, results


def _store_race(context: Context, connection: Connection, item: LoadedRace) -> RaceLoaded:
    race = item.race
    series_id = race_repo.series_id(connection, race.series)
    if series_id is None:
        raise UserError(
            f"{item.source}: series '{race.series}' is not loaded: load its series file first"
        )
    events = race_repo.series_events(connection, race.series)
    if events and race.event not in events:
        raise UserError(
            f"{item.source}: event: '{race.event}' is not an event of the series "
            f"({', '.join(events)})"
        )
    before = race_repo.race_digest(connection, race.slug)
    outcome: Literal["added", "updated", "unchanged"] = (
        "added" if before is None else "unchanged" if before == item.digest else "updated"
    )
    if outcome != "unchanged":
        race_id = race_repo.save_race(connection, series_id, item, context.clock())
        fact = Fact(
            kind=EventKind.DEFINITION,
            source=item.source,
            author=context.author,
            payload={"outcome": outcome, "digest": item.digest, "previous_digest": before},
        )
        append(connection, race_id, race.slug, [fact], context.clock())
    return RaceLoaded(
        slug=race.slug,
        name=race.name,
        outcome=outcome,
        stages=len(race.stages),
        checkpoints=sum(len(stage.checkpoints) for stage in race.stages),
        distance_km=race.distance_km,
    )


def find_race(context: Context, slug: str | None) -> race_repo.RaceRow:
    """The race named, or the only race in the store when none is named."""
    with context.store.read() as connection:
        if slug is None:
            slugs = race_repo.race_slugs(connection)
            if len(slugs) != 1:
                raise UserError(_which_race(slugs))
            slug = slugs[0]
        row = race_repo.get_race(connection, slug)
        if row is None:
            known = ", ".join(race_repo.race_slugs(connection)) or "none loaded yet"
            raise UserError(f"no race '{slug}' (races: {known})")
        return row


def _which_race(slugs: list[str]) -> str:
    if not slugs:
        return "no race is loaded yet: run `desert-runners race load FILE` first"
    return f"say which race with --race (or DR_RACE): {', '.join(slugs)}"


def list_races(context: Context) -> list[Race]:
    with context.store.read() as connection:
        return [row.race for row in race_repo.list_races(connection)]
