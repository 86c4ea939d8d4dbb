"""Live mode plays a race through the public ingestion paths only, and ends with the
results instant mode gives for the same seed; stopped mid-race, it leaves a consistent
store, and a run started again completes it without a duplicate.

The small two-stage test race (a long march over midnight, an in/out checkpoint), 20
entrants, at a speed that plays it in seconds, on each backend.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter

import polars as pl
from tests.integration.test_result_sheets import FIXTURES

from desert_runners.adapters.storage.event_log import highest_sequence, query_events
from desert_runners.bootstrap import Context, bootstrap
from desert_runners.domain.events import EventKind
from desert_runners.services.live_simulation import Progress, play_live
from desert_runners.services.races import find_race, load_race_file
from desert_runners.services.results import compute
from desert_runners.services.simulation import load_simulation
from desert_runners.simulate.live.clock import RaceClock
from desert_runners.simulate.live.plan import point_plans
from desert_runners.simulate.live.points import LivePoint
from desert_runners.simulate.model.events import EntryVoid, MedicalHold, Penalty, Withdrawal
from desert_runners.simulate.model.simulation import SimulatedRace, simulate_race

RACE = "dune-run-2010"
ENTRANTS, SEED = 20, 11  # a seed with a swapped bib the office catches
SPEED = 40_000.0
READER = re.compile(r"^raceresult \d+/\w+$")
STATION_KEY = re.compile(r"^station:s\d+-[a-z0-9-]+:[0-9a-z]+:\d+$")
DIRECTOR = "director"


def _simulated(context: Context) -> SimulatedRace:
    load_race_file(context, FIXTURES / "series.yaml")
    return simulate_race(find_race(context, RACE).race, ENTRANTS, SEED)


def _last_moment(simulated: SimulatedRace) -> float:
    desk = [item.at for item in [*simulated.entries, *simulated.rulings]]
    return max([float(simulated.timing.time.max()), *desk])


def _events(context: Context) -> list[tuple[EventKind, str, str]]:
    row = find_race(context, RACE)
    with context.store.read() as connection:
        return [
            (e.fact.kind, e.fact.source, e.fact.key)
            for e in query_events(connection, row.id, row.race.slug)
        ]


def _gc(context: Context) -> pl.DataFrame:
    computed = compute(context, RACE)
    last = max(stage.number for stage in computed.race.stages)
    return computed.overall(last).select("bib", "status", "time", "rank")


def _stages(context: Context) -> dict[int, pl.DataFrame]:
    return {n: frame.drop("start") for n, frame in compute(context, RACE).stages.items()}


def test_live_goes_only_through_the_public_paths_and_equals_instant(
    context: Context, database_url: str, tmp_path: object
) -> None:
    simulated = _simulated(context)
    report = asyncio.run(play_live(context, simulated, speed=SPEED))
    assert report.finished
    assert not report.errors
    # It ends once everything is stored and played: the race clock stops soon after the
    # last thing (a few checks of the store, each half a wall second: hours of race time
    # at this speed, more on a busy machine). A sync started at every tick once kept it
    # running on for 10 wall seconds and more (a week of race time), or for ever.
    assert report.race_end is not None
    overrun_wall_s = (report.race_end.timestamp() - _last_moment(simulated)) / SPEED
    assert overrun_wall_s < 5, overrun_wall_s
    assert report.reads_stored == report.reads_total == len(simulated.timing.time)
    events = _events(context)
    kinds = Counter(kind for kind, _, _ in events)
    assert kinds[EventKind.READ] == report.reads_total  # each read stored once
    for kind, source, key in events:
        if kind is EventKind.READ:  # from a reader, keyed as the capture service keys
            assert READER.match(source), source
            assert key.startswith("read:"), key
        elif kind is EventKind.CLOCK:  # the crew's offset, set by the reader service
            assert READER.match(source), source
        elif kind is EventKind.ENTRY:  # typed at a station, synced over HTTP
            assert STATION_KEY.match(key), key
            assert source.startswith("station:"), source
        elif kind is EventKind.VOID:  # a caught typo: voided at its station
            assert STATION_KEY.match(key), key
        elif kind in (EventKind.WITHDRAWAL, EventKind.PENALTY, EventKind.NEUTRALISATION):
            assert source == DIRECTOR, source
        else:
            assert kind in (EventKind.DEFINITION, EventKind.ENTRANT), (kind, source)
    assert kinds[EventKind.ENTRY] == report.entries_saved > 0
    assert kinds[EventKind.VOID] == report.entries_voided == 1  # the seed's caught typo
    rulings = kinds[EventKind.WITHDRAWAL] + kinds[EventKind.PENALTY]
    assert rulings + kinds[EventKind.NEUTRALISATION] == report.rulings

    instant = bootstrap(f"sqlite:///{tmp_path}/instant.db", author="test-director")
    load_race_file(instant, FIXTURES / "series.yaml")
    load_simulation(instant, simulate_race(find_race(instant, RACE).race, ENTRANTS, SEED))
    assert _gc(context).equals(_gc(instant))  # same order, same times to the microsecond
    live_stages, instant_stages = _stages(context), _stages(instant)
    assert live_stages.keys() == instant_stages.keys()
    for number, frame in live_stages.items():
        assert frame.equals(instant_stages[number]), number


def test_stopped_mid_race_then_started_again_stores_each_fact_once(context: Context) -> None:
    simulated = _simulated(context)
    stop = asyncio.Event()

    def halfway(progress: Progress) -> None:
        if progress.reads_stored > progress.reads_total // 2:
            stop.set()

    first = asyncio.run(
        play_live(context, simulated, speed=SPEED / 4, stop=stop, on_progress=halfway)
    )
    assert not first.finished
    assert 0 < first.reads_stored < first.reads_total
    stored = _events(context)
    reads = [key for kind, _, key in stored if kind is EventKind.READ]
    assert len(reads) == len(set(reads)) == first.reads_stored  # consistent: nothing half
    entries = sum(kind is EventKind.ENTRY for kind, _, _ in stored)
    assert entries == first.entries_saved  # what the stations saved reached camp

    second = asyncio.run(play_live(context, simulated, speed=SPEED))
    assert second.resumed
    assert second.finished
    assert not second.errors
    assert second.skipped_items >= entries
    events = _events(context)
    reads = [key for kind, _, key in events if kind is EventKind.READ]
    assert len(reads) == len(set(reads)) == len(simulated.timing.time)
    kinds = Counter(kind for kind, _, _ in events)
    written = first.entries_saved + second.entries_saved
    voids = [r for r in simulated.rulings if isinstance(r, EntryVoid)]
    assert kinds[EventKind.ENTRY] == written == len(simulated.entries) + len(voids)
    assert kinds[EventKind.VOID] == len(voids)
    expected = {
        EventKind.WITHDRAWAL: Withdrawal,
        EventKind.PENALTY: Penalty,
        EventKind.NEUTRALISATION: MedicalHold,
    }
    for kind, ruling in expected.items():
        assert kinds[kind] == sum(isinstance(r, ruling) for r in simulated.rulings), kind


def test_a_timing_point_counts_what_its_reader_stored_once_the_reader_has_ended(
    context: Context,
) -> None:
    """A stop lets the batch the reader is storing complete, and only then counts: a
    count taken before the reader ended once said 659 reads while the store held 660."""
    simulated = _simulated(context)
    plan = max(point_plans(simulated), key=lambda plan: len(plan.reads))
    row = find_race(context, RACE)
    clock = RaceClock(plan.release[-1] + 1, 1.0)  # every read of the point is due

    def in_store() -> int:
        with context.store.read() as connection:
            return highest_sequence(connection, row.id, plan.name) or 0

    async def stop_while_reads_flow() -> LivePoint:
        point = LivePoint(context, row.id, RACE, plan, clock)
        point.release(plan.release[len(plan.reads) // 2])
        await point.start(row.race.zone)
        deadline = time.monotonic() + 30
        while await asyncio.to_thread(in_store) == 0:  # the reader is storing
            assert time.monotonic() < deadline, "the reader stored nothing in 30 s"
            await asyncio.sleep(0.01)
        point.release(clock.timestamp())  # the rest, on their way as it stops
        await point.stop()
        return point

    point = asyncio.run(stop_while_reads_flow())
    assert 0 < point.stored == in_store() <= len(plan.reads)
