"""Play a simulated race live, in accelerated time, through the paths real hardware and
stations use: ``play_live``.

The race clock (``RaceClock``) is every service's "now": race time = the first thing's
time + wall time x ``speed``, jumping over idle gaps (a night between stages) to shortly
before the next thing happens. As it passes each moment:

- chip reads: each timing point's simulated RaceResult decoder takes the reads due,
  and the real reader client stores them (``simulate.live.points``);
- typed entries: saved at a checkpoint station's laptop (its own SQLite database) and
  sent to the camp server over HTTP every ``SYNC_EVERY_S`` of race time
  (``simulate.live.stations``);
- rulings: through the rulings services, at their race time (``simulate.live.office``).

Entrants go in first through the entrants import, as in instant mode. Nothing else
writes to the store. Stopping (``stop`` set) ends cleanly: what the stations saved is
synced, the readers finish the store under way. A run started again on the same store
resumes: nothing stored is sent twice (``simulate.live.resume``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from desert_runners.bootstrap import Context
from desert_runners.domain.errors import UserError
from desert_runners.services.entrants import import_entrants, list_entrants
from desert_runners.services.races import find_race
from desert_runners.services.rulings import void as void_fact
from desert_runners.simulate.devices.base import HOST
from desert_runners.simulate.live.camp import CampServer
from desert_runners.simulate.live.clock import RaceClock
from desert_runners.simulate.live.office import DIRECTOR, rule
from desert_runners.simulate.live.plan import DeskItem, desk, first_moment, point_plans
from desert_runners.simulate.live.points import LivePoint
from desert_runners.simulate.live.resume import Played, played, signature
from desert_runners.simulate.live.stations import Stations
from desert_runners.simulate.model.events import EntryVoid, TypedEntry
from desert_runners.simulate.model.simulation import SimulatedRace
from desert_runners.simulate.output import write_simulation

log = logging.getLogger(__name__)

DEFAULT_SPEED = 300.0
TICK_S = 0.05  # wall seconds between two looks at the race clock
IDLE_GAP_S = 15 * 60.0  # race time with nothing to do that is jumped over ...
LEAD_S = 60.0  # ... to this long before the next thing
WARM_UP_S = 10 * 60.0  # a decoder is switched on this long before its first read
SYNC_EVERY_S = 15 * 60.0  # race time between two syncs of the stations
CHECK_EVERY_S = 0.5  # wall seconds between two looks at what the store holds
TEMP_PREFIX = "desert-runners-live-"  # the run's folder: its stations' databases


@dataclass
class Progress:
    """What the run did so far, for the terminal."""

    race: str
    now: datetime  # the race clock
    camp_url: str
    reads_released: int = 0
    reads_stored: int = 0
    reads_total: int = 0
    entries: int = 0
    rulings: int = 0
    readers_on: int = 0
    skipped_s: float = 0.0


@dataclass
class LiveReport:
    race: str
    seed: int
    speed: float
    camp_url: str
    entrants: int = 0
    resumed: bool = False
    finished: bool = False  # everything played (False: stopped before the end)
    reads_total: int = 0
    reads_released: int = 0
    reads_stored: int = 0
    readers: int = 0
    stations: int = 0
    entries_saved: int = 0
    entries_voided: int = 0
    synced_facts: int = 0
    syncs: int = 0
    rulings: int = 0
    skipped_items: int = 0  # already stored by an earlier run
    errors: list[str] = field(default_factory=list)
    race_start: datetime | None = None
    race_end: datetime | None = None
    skipped_hours: float = 0.0
    wall_seconds: float = 0.0


async def play_live(
    context: Context,
    simulated: SimulatedRace,
    *,
    speed: float = DEFAULT_SPEED,
    stop: asyncio.Event | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    port: int = 0,
    on_started: Callable[[str, Context], None] | None = None,
) -> LiveReport:
    """Play ``simulated`` into ``context``'s store until everything is stored or ``stop``.

    ``on_started`` is told the camp server's URL and the race-clocked context (for a
    leaderboard to compute results as of the race clock) once the server listens.
    """
    if not (math.isfinite(speed) and speed > 0):
        raise UserError(f"--speed {speed}: expected a number above 0")
    began = time.monotonic()
    stop = stop or asyncio.Event()
    race = simulated.race
    previous = _entrants_in(context, simulated)
    history = played(context, race.slug) if previous else Played()
    start = first_moment(simulated) - LEAD_S
    if history.until is not None:
        start = max(start, history.until.timestamp())
    clock = RaceClock(start, speed)
    camp = replace(context, clock=clock.now, author=DIRECTOR)
    report = LiveReport(race.slug, simulated.seed, speed, "", resumed=bool(previous))
    try:  # the port first: a run refused for it writes nothing
        server = CampServer(camp, port)
    except OSError as error:
        why = error.strerror or str(error)
        raise UserError(
            f"the camp server cannot listen on {HOST}:{port}: {why.lower()} "
            "(--port: give another one, or none for any free one)"
        ) from None
    with contextlib.ExitStack() as cleanup:  # every path: server, stations, folder
        cleanup.callback(server.stop)
        folder = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix=TEMP_PREFIX)))
        report.entrants = _import_entrants(camp, simulated, folder)
        report.camp_url = server.start()
        if on_started is not None:
            on_started(report.camp_url, camp)
        stations = Stations(camp, race, folder, clock)
        cleanup.callback(stations.close)
        run = _Run(camp, simulated, clock, stations, history, report)
        try:
            await run.play(stop, on_progress)
        finally:
            await run.close()
    report.race_start = datetime.fromtimestamp(start, race.zone)
    report.race_end = clock.now().astimezone(race.zone)
    report.skipped_hours = round(clock.skipped / 3600, 1)
    report.wall_seconds = round(time.monotonic() - began, 1)
    return report


def _entrants_in(context: Context, simulated: SimulatedRace) -> bool:
    """Whether the race has this simulation's entrants already (a run started again);
    a race with other entrants is refused, as instant mode does."""
    slug = simulated.race.slug
    _, already = list_entrants(context, slug)
    if not already:
        return False
    ours = {(e.bib, e.person.given_name, e.person.family_name) for e in simulated.entrants}
    theirs = {(e.bib, e.given_name, e.family_name) for e in already}
    if theirs <= ours:
        return True
    raise UserError(
        f"{slug} already has {len(already)} entrants that are not this simulation's: "
        "simulate into a race that has none, or give the same --seed and --entrants to "
        "go on with a run that was stopped"
    )


def _import_entrants(context: Context, simulated: SimulatedRace, folder: Path) -> int:
    written = write_simulation(simulated, folder / "files", truth=False)
    found = import_entrants(context, simulated.race.slug, written.entrants)
    if found.problems:
        raise UserError("the simulated entrants were refused:\n" + "\n".join(found.problems))
    return found.added + found.updated + found.unchanged


class _Run:
    def __init__(
        self,
        camp: Context,
        simulated: SimulatedRace,
        clock: RaceClock,
        stations: Stations,
        history: Played,
        report: LiveReport,
    ) -> None:
        self.camp = camp
        self.simulated = simulated
        self.clock = clock
        self.stations = stations
        self.history = history
        self.report = report
        race_id = find_race(camp, simulated.race.slug).id
        self.points = [
            LivePoint(camp, race_id, simulated.race.slug, plan, clock)
            for plan in point_plans(simulated)
        ]
        self.zone = simulated.race.zone
        self.desk = desk(simulated)
        self.by_key = {entry.key: entry for entry in simulated.entries}
        self.next_item = 0
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk")
        self.pending: list[Future[None]] = []  # the desk items played (not the syncs)
        self.syncing: Future[None] | None = None  # one sync at a time, never queued up
        self.last_sync = clock.timestamp()
        report.reads_total = sum(point.total for point in self.points)
        report.readers = len(self.points)

    async def play(
        self, stop: asyncio.Event, on_progress: Callable[[Progress], None] | None
    ) -> None:
        last_check = 0.0
        while not stop.is_set():
            now = self.clock.timestamp()
            for point in self.points:
                self.report.reads_released += point.release(now)
                if point.decoder is None and _first(point) - WARM_UP_S <= now:
                    await point.start(self.zone)
            self._desk_until(now)
            if now - self.last_sync >= SYNC_EVERY_S and self._sync_done():
                self.last_sync = now
                self.syncing = self.worker.submit(self._sync)
            if time.monotonic() - last_check >= CHECK_EVERY_S:
                last_check = time.monotonic()
                await self._check_points()
                if on_progress is not None:
                    on_progress(self.progress())
                if self._all_done():
                    self.report.finished = True
                    return
            self._skip_idle(now)
            await _sleep(stop, TICK_S)

    def progress(self) -> Progress:
        return Progress(
            race=self.simulated.race.slug,
            now=self.clock.now().astimezone(self.zone),
            camp_url=self.report.camp_url,
            reads_released=self.report.reads_released,
            reads_stored=self.report.reads_stored,
            reads_total=self.report.reads_total,
            entries=self.stations.counts.saved,
            rulings=self.report.rulings,
            readers_on=sum(point.running for point in self.points),
            skipped_s=self.clock.skipped,
        )

    def _desk_until(self, now: float) -> None:
        while self.next_item < len(self.desk) and self.desk[self.next_item].at <= now:
            item = self.desk[self.next_item]
            self.next_item += 1
            self._submit(lambda item=item: self._play_item(item))  # type: ignore[misc]

    def _play_item(self, item: DeskItem) -> None:
        if isinstance(item, EntryVoid):
            self._void(item)
        elif self.history.take(item):
            self.report.skipped_items += 1
        elif isinstance(item, TypedEntry):
            self.stations.enter(item)
        else:
            rule(self.camp, self.simulated.race, item)
            self.report.rulings += 1

    def _void(self, item: EntryVoid) -> None:
        if not self.history.take(item):
            if item.key in self.stations.saved_as:
                self.stations.void_and_retype(item)
                return
            wrong = self.by_key.get(item.key)
            target = self.history.entry_ids.get(signature(wrong)) if wrong else None
            if target is not None:  # stored by an earlier run: the office voids it
                void_fact(self.camp, self.simulated.race.slug, target, reason=item.reason)
        else:
            self.report.skipped_items += 1
        if self.history.take(item.corrected):
            self.report.skipped_items += 1
        else:
            self.stations.enter(item.corrected)

    def _sync(self) -> None:
        self.stations.sync(self.report.camp_url)

    def _sync_done(self) -> bool:
        """Whether the last sync is over (its error, if any, reported)."""
        if self.syncing is None:
            return True
        if self.syncing.done():
            self._report_error(self.syncing)
            self.syncing = None
            return True
        return False

    def _submit(self, job: Callable[[], None]) -> None:
        still: list[Future[None]] = []
        for future in self.pending:  # the done ones leave, their errors reported
            if future.done():
                self._report_error(future)
            else:
                still.append(future)
        self.pending = [*still, self.worker.submit(job)]

    def _report_error(self, future: Future[None]) -> None:
        """``future`` is done: its error, if any, goes into the report."""
        error = future.exception()
        if error is not None:
            self.report.errors.append(f"{type(error).__name__}: {error}")
            log.warning("live desk: %s", error, exc_info=error)

    async def _check_points(self) -> None:
        stored = 0
        for point in self.points:
            if point.running:
                await asyncio.to_thread(point.check_stored)
                if point.complete and point.released >= point.total:
                    await point.stop()
            stored += point.stored if point.decoder is not None else 0
        self.report.reads_stored = stored

    def _all_done(self) -> bool:
        """Everything stored by the readers and every desk item played. A sync under way
        is not waited for here (``close`` syncs last): waiting for it could be waiting
        for ever at a speed where one is started at every tick."""
        points = all(point.finished for point in self.points)
        desk_done = self.next_item >= len(self.desk) and all(f.done() for f in self.pending)
        return points and desk_done

    def _skip_idle(self, now: float) -> None:
        upcoming = [_next_read(point) for point in self.points if point.released < point.total]
        if self.next_item < len(self.desk):
            upcoming.append(self.desk[self.next_item].at)
        if upcoming and min(upcoming) - now > IDLE_GAP_S:
            self.clock.skip_to(min(upcoming) - LEAD_S)

    async def close(self) -> None:
        """Stop cleanly: the desk's work finishes, the stations send what they saved,
        the readers finish the store under way, the decoders stop."""
        await asyncio.to_thread(self._drain)
        for point in self.points:
            if point.decoder is not None and not point.finished:
                await point.stop()  # counts what its reader stored, the last batch too
        self.report.reads_stored = sum(point.stored for point in self.points)
        counts = self.stations.counts
        self.report.stations = counts.stations
        self.report.entries_saved = counts.saved
        self.report.entries_voided = counts.voided
        self.report.synced_facts = counts.sent
        self.report.syncs = counts.syncs

    def _drain(self) -> None:
        for future in [*self.pending, *([self.syncing] if self.syncing else [])]:
            with contextlib.suppress(Exception):
                future.result()  # waits; the error is reported just below
            self._report_error(future)
        final = self.worker.submit(self._sync)
        try:
            final.result()
        except Exception as error:  # reported; the run still ends cleanly
            self.report.errors.append(f"final sync: {type(error).__name__}: {error}")
        self.worker.shutdown(wait=True)


def _first(point: LivePoint) -> float:
    return point.plan.release[0]


def _next_read(point: LivePoint) -> float:
    return point.plan.release[point.released]


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
