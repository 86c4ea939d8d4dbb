"""The station's desk: what a checkpoint volunteer records, checked before it is saved.

An entry is first a draft with the reasons it may be a mistake (see
``domain.station.entry``); the volunteer confirms or re-types; then it is saved as a fact
with the station's next sequence number, committed to the laptop's disk before the
prompt says so. A mistake saved is undone by a void, itself a fact.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.engine import Connection

from desert_runners.adapters.storage import entrant_repo, race_repo, station_repo
from desert_runners.adapters.storage.event_log import append, query_events
from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Direction, Event, EventKind, Fact
from desert_runners.domain.local_time import time_of_day_on_stage
from desert_runners.domain.race import Race
from desert_runners.domain.station.commands import TypedTime
from desert_runners.domain.station.entry import (
    Due,
    Seen,
    StationView,
    due_here,
    entry_warnings,
    withdrawal_warnings,
)
from desert_runners.domain.station.keys import fact_key, station_source
from desert_runners.domain.station.wire import STATION_KINDS, sequence
from desert_runners.services.recording import TimingPoint, find_timing_point

NOT_A_STATION = (
    "this database is not set up as a station: run `desert-runners station setup KIT` "
    "with the kit made at camp"
)


@dataclass(frozen=True)
class Station:
    race_id: int
    race: Race
    setup: station_repo.Setup
    point: TimingPoint

    @property
    def name(self) -> str:
        return self.setup.station

    @property
    def in_out(self) -> bool:
        return self.point.checkpoint is not None and self.point.checkpoint.in_out

    @property
    def where(self) -> str:
        return f"{self.point.stage.number}/{self.point.id}"

    def owns(self, fact: Fact) -> bool:
        prefix = fact_key(self.name, self.setup.install, 0)[:-1]
        return fact.source == station_source(self.name) and fact.key.startswith(prefix)


@dataclass(frozen=True)
class Draft:
    """An entry or a withdrawal not saved yet, with why it may be a mistake."""

    kind: EventKind
    bib: int
    at: datetime
    typed: str | None
    direction: Direction | None
    warnings: tuple[str, ...]
    status: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Saved:
    seq: int
    fact: Fact
    new: bool


def open_station(context: Context) -> Station:
    with context.store.read() as connection:
        setup = station_repo.current_setup(connection)
        if setup is None:
            raise UserError(NOT_A_STATION)
        row = race_repo.get_race(connection, station_repo.race_slug(connection, setup.race_id))
    assert row is not None
    point = find_timing_point(row.race, f"{setup.stage}/{setup.checkpoint}")
    return Station(row.id, row.race, setup, point)


def station_now(context: Context) -> datetime:
    """The laptop's clock to the second: the precision of a volunteer's key press."""
    return context.clock().replace(microsecond=0)


def own_events(connection: Connection, station: Station) -> list[Event]:
    found = query_events(connection, station.race_id, station.race.slug, kinds=STATION_KINDS)
    return [event for event in found if station.owns(event.fact)]


def view_of(context: Context, station: Station) -> StationView:
    with context.store.read() as connection:
        names = {
            entrant.bib: entrant.name
            for entrant, _ in entrant_repo.list_entrants(connection, station.race_id)
        }
        facts = [event.fact for event in own_events(connection, station)]
    voided = {str(fact.payload.get("target_key")) for fact in facts if fact.kind is EventKind.VOID}
    passed: dict[tuple[int, Direction | None], Seen] = {}
    withdrawn: dict[int, Seen] = {}
    stage = station.point.stage.number
    for fact in facts:
        if fact.key in voided or fact.bib is None or fact.occurred_at is None:
            continue
        seen = Seen(sequence(fact), fact.occurred_at)
        if fact.kind is EventKind.WITHDRAWAL and fact.stage == stage:
            withdrawn.setdefault(fact.bib, seen)
        elif fact.kind is EventKind.ENTRY and (fact.stage, fact.checkpoint) == (
            stage,
            station.point.id,
        ):
            passed.setdefault((fact.bib, fact.direction), seen)
    return StationView(
        race=station.race.slug,
        stage=station.point.stage,
        checkpoint=station.point.id,
        in_out=station.in_out,
        names=names,
        out=station.setup.out_of_race,
        withdrawn_here=withdrawn,
        passed=passed,
    )


def draft_entry(
    context: Context,
    station: Station,
    bib: int,
    typed: TypedTime | None,
    direction: Direction | None,
) -> Draft:
    at, now = _moment(context, station, typed), station_now(context)
    direction = _direction(station, direction)
    warnings = entry_warnings(view_of(context, station), bib, at, now, direction)
    return Draft(
        EventKind.ENTRY, bib, at, typed.text if typed else None, direction, tuple(warnings)
    )


def draft_withdrawal(
    context: Context, station: Station, bib: int, typed: TypedTime | None, status: str, reason: str
) -> Draft:
    at, now = _moment(context, station, typed), station_now(context)
    warnings = withdrawal_warnings(view_of(context, station), bib, at, now)
    text = typed.text if typed else None
    reason = reason or f"withdrew at {station.where}"
    return Draft(EventKind.WITHDRAWAL, bib, at, text, None, tuple(warnings), status, reason)


def save_draft(context: Context, station: Station, draft: Draft) -> Saved:
    payload = {}
    if draft.kind is EventKind.WITHDRAWAL:
        payload = {"status": draft.status, "reason": draft.reason}
    fact = Fact(
        kind=draft.kind,
        source=station_source(station.name),
        author=context.author,
        occurred_at=draft.at.astimezone(station.race.zone),
        device_time=draft.typed,
        bib=draft.bib,
        stage=station.point.stage.number,
        checkpoint=station.point.id,
        direction=draft.direction,
        payload=payload,
    )
    return _save(context, station, fact)


def void_entry(context: Context, station: Station, number: int | None, reason: str) -> Saved:
    """Void entry ``number`` (or, with None, the last one in force) of this station."""
    with context.store.read() as connection:
        events = own_events(connection, station)
    voids = {
        str(e.fact.payload.get("target_key")): e for e in events if e.fact.kind is EventKind.VOID
    }
    voidable = [e for e in events if e.fact.kind is not EventKind.VOID]
    if number is None:
        live = [event for event in voidable if event.fact.key not in voids]
        if not live:
            raise UserError("nothing to undo: no entry is in force here")
        number = sequence(live[-1].fact)
    target = next((e for e in voidable if sequence(e.fact) == number), None)
    if target is None:
        raise UserError(f"#{number} is not an entry of this station")
    if target.fact.key in voids:
        by = sequence(voids[target.fact.key].fact)
        raise UserError(f"#{number} is already voided (#{by})")
    fact = Fact(
        kind=EventKind.VOID,
        source=station_source(station.name),
        author=context.author,
        occurred_at=station_now(context).astimezone(station.race.zone),
        bib=target.fact.bib,
        stage=target.fact.stage,
        checkpoint=target.fact.checkpoint,
        direction=target.fact.direction,
        payload={
            "target": target.id,
            "target_key": target.fact.key,
            "reason": reason,
        },
    )
    return _save(context, station, fact)


def due_list(
    context: Context, station: Station, direction: Direction | None
) -> tuple[Due, dict[int, str]]:
    view = view_of(context, station)
    return due_here(view, _direction(station, direction)), dict(view.names)


def last_saved(context: Context, station: Station, count: int) -> list[tuple[Fact, bool]]:
    """The latest ``count`` facts saved here, each with whether it was voided since."""
    with context.store.read() as connection:
        facts = [event.fact for event in own_events(connection, station)]
    voided = {str(fact.payload.get("target_key")) for fact in facts if fact.kind is EventKind.VOID}
    return [(fact, fact.key in voided) for fact in facts[-count:]]


def _direction(station: Station, given: Direction | None) -> Direction | None:
    """At an in/out checkpoint the kit's direction (or in) unless one is given; else none."""
    if not station.in_out:
        return None
    return given or station.setup.direction or Direction.IN


def _moment(context: Context, station: Station, typed: TypedTime | None) -> datetime:
    if typed is None:
        return station_now(context)
    return time_of_day_on_stage(typed.clock, station.point.stage, station.point.km)


def _save(context: Context, station: Station, fact: Fact) -> Saved:
    """In one transaction: the next number, and the fact under it. SQLite commits with
    synchronous=FULL, so once this returns the entry survives a power cut."""
    with context.store.write() as connection:
        seq = (
            max((sequence(event.fact) for event in own_events(connection, station)), default=0) + 1
        )
        keyed = _with_key(fact, fact_key(station.name, station.setup.install, seq))
        stored = append(connection, station.race_id, station.race.slug, [keyed], context.clock())[0]
    return Saved(seq, keyed, stored.new)


def _with_key(fact: Fact, key: str) -> Fact:
    return replace(fact, idempotency_key=key)
