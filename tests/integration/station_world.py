"""A camp and its checkpoint stations for the station tests: real databases, a race from
the fixtures, kits issued at camp and set up on each station's own SQLite file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from desert_runners.adapters.storage import race_repo
from desert_runners.adapters.storage.event_log import query_events
from desert_runners.bootstrap import Context, bootstrap
from desert_runners.domain.events import Direction
from desert_runners.domain.station.commands import parse_typed_time
from desert_runners.domain.station.keys import station_of_source
from desert_runners.services.entrants import import_entrants
from desert_runners.services.races import load_race_file
from desert_runners.services.station_desk import (
    Saved,
    draft_entry,
    draft_withdrawal,
    open_station,
    save_draft,
    void_entry,
)
from desert_runners.services.station_kit import issue_kit, set_up_station

FIXTURES = Path(__file__).parents[1] / "fixtures" / "race"
RACE = "dune-run-2010"
SANTIAGO = ZoneInfo("America/Santiago")


def at(hour: int, minute: int, second: int = 0, day: int = 7) -> datetime:
    return datetime(2010, 3, day, hour, minute, second, tzinfo=SANTIAGO)


def set_clock(context: Context, moment: datetime) -> None:
    context.clock = lambda: moment


def load_camp(context: Context) -> Context:
    load_race_file(context, FIXTURES / "series.yaml")
    report = import_entrants(context, RACE, FIXTURES / "entrants.csv")
    assert report.problems == []
    set_clock(context, at(7, 0))
    return context


def issue(
    camp: Context,
    folder: Path,
    station: str,
    checkpoint: str = "1/CP1",
    direction: Direction | None = None,
) -> Path:
    path = folder / f"{station}-{checkpoint.replace('/', '-')}.kit"
    issue_kit(camp, RACE, checkpoint, station, path, direction)
    return path


def station(folder: Path, kit: Path, name: str, author: str = "Ana") -> Context:
    context = bootstrap(f"sqlite:///{folder / f'{name}.db'}", author=author)
    set_clock(context, at(7, 0))
    set_up_station(context, kit)
    return context


def enter(context: Context, bib: int, moment: datetime, typed: str | None = None) -> Saved:
    """An entry saved as the prompt saves it once the volunteer confirmed any check."""
    set_clock(context, moment)
    found = open_station(context)
    draft = draft_entry(context, found, bib, parse_typed_time(typed) if typed else None, None)
    return save_draft(context, found, draft)


def withdraw(context: Context, bib: int, moment: datetime, reason: str = "") -> Saved:
    set_clock(context, moment)
    found = open_station(context)
    return save_draft(context, found, draft_withdrawal(context, found, bib, None, "dnf", reason))


def void(context: Context, number: int | None, moment: datetime, reason: str = "") -> Saved:
    set_clock(context, moment)
    return void_entry(context, open_station(context), number, reason)


def station_facts(context: Context, race: str = RACE) -> dict[str, tuple[Any, ...]]:
    """Every fact stations sent, by key, with a void's target as its key (event ids are
    each store's own): what two stores must agree on."""
    with context.store.read() as connection:
        row = race_repo.get_race(connection, race)
        assert row is not None
        events = query_events(connection, row.id, race)
    keys = {event.id: event.fact.key for event in events}
    found = {}
    for event in events:
        fact = event.fact
        if station_of_source(fact.source) is None:
            continue
        payload = dict(fact.payload)
        if "target" in payload:
            payload["target"] = keys[payload["target"]]
            assert payload["target"] == payload["target_key"]
        found[fact.key] = (
            fact.kind,
            fact.source,
            fact.author,
            fact.occurred_at,
            fact.device_time,
            fact.bib,
            fact.stage,
            fact.checkpoint,
            fact.direction,
            tuple(sorted(payload.items())),
        )
    return found
