"""The race as it really happened: when each runner crossed each timing point.

Leg by leg, for the whole field at once (numpy), a runner's time on a leg is

    equivalent km (Minetti, their own climbing) / flat speed
    x fatigue of the day (grows with the equivalent km done since the start)
    x day factor (days raced before, the pack's weight)
    x the dark (the night factor) or the heat of the day (the stage's heat, their tolerance)
    x noise, + the minutes spent at the checkpoint before

A team moves at its slowest member's pace, its members a few seconds apart (now and then
one minutes behind). Along the way runners stop (the hazard per km, more for the frail
and on hot days), arrive past a cutoff and are pulled out, or are held by a medic (the
time is neutralised; some are then withdrawn). What this means for the next stage
follows the race's rules: out, or back on the start line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

from desert_runners.simulate.model.calibrated import (
    HEAT_HAZARD_POWER,
    STAGE_WEATHER_SD,
    PaceParameters,
)
from desert_runners.simulate.model.course import Course, StageCourse
from desert_runners.simulate.model.daylight import Darkness
from desert_runners.simulate.model.hazard import Hazard
from desert_runners.simulate.model.minetti import equivalent_km
from desert_runners.simulate.model.runners import Floats, Ints, Runners

NONE, IN, OUT = 0, 1, 2  # a crossing's direction: a plain mat, or an in/out checkpoint's
START_RATE = 40.0  # runners a second over the start mat: the back of a big pack waits
TEAM_SPREAD_S = 25.0  # team members cross within this of each other
TEAM_STRAGGLE = 0.02  # ... except now and then, when one is minutes behind
OVERNIGHT_REST_MIN = 25.0  # median rest at the long march's overnight checkpoint
MEDICAL_AFTER_HOLD = 0.3  # of runners held by a medic, this many are then withdrawn
MEDICAL_SHARE = 0.35  # of withdrawals, this many are medical


@dataclass(frozen=True)
class Conditions:
    params: PaceParameters
    hazard: Hazard
    day_fatigue: float = 0.0
    pack_weight: float = 0.0
    out_on_withdrawal: bool = True  # the race's rule: a withdrawn stage ends the race
    out_on_cutoff: bool = True
    dns_share: float = 0.0  # entrants who never start
    late_start_share: float = 0.0  # of starters, each stage, minutes late at the start
    hold_rate: float = 0.0  # per runner and checkpoint, a medic holds them


@dataclass(frozen=True)
class Stop:
    runner: int
    stage: int
    point: int  # the last timing point passed (index in ``Course.points``)
    at: float  # when they stopped (UTC timestamp)
    cause: str  # "withdrawal", "medical" or "cutoff"


@dataclass(frozen=True)
class Hold:
    runner: int
    stage: int
    point: int
    start: float
    seconds: float


@dataclass
class Performance:
    runner: Ints  # one row per crossing, in no particular order
    point: Ints
    direction: Ints
    time: Floats  # the true moment, UTC timestamp
    stops: list[Stop] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    started: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))


class _Crossings:
    def __init__(self) -> None:
        self.parts: list[tuple[Ints, Ints, Ints, Floats]] = []

    def add(self, point: int, runners: Ints, times: Floats, direction: int) -> None:
        size = len(runners)
        self.parts.append(
            (
                runners,
                np.full(size, point, dtype=np.int64),
                np.full(size, direction, dtype=np.int64),
                times[runners],
            )
        )

    def columns(self) -> tuple[Ints, Ints, Ints, Floats]:
        if not self.parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, np.zeros(0, dtype=np.float64)
        runner, point, direction, time = (np.concatenate(c) for c in zip(*self.parts, strict=True))
        return runner, point, direction, time


def run_course(
    course: Course, runners: Runners, conditions: Conditions, rng: np.random.Generator
) -> Performance:
    first = min(stage.start for stage in course.stages)
    last = max(stage.start for stage in course.stages)
    darkness = Darkness(
        course.place,
        datetime.fromtimestamp(first, UTC).date(),
        datetime.fromtimestamp(last, UTC).date(),
    )
    racing = rng.random(runners.count) >= conditions.dns_share
    performance = Performance(*_Crossings().columns(), started=racing.copy())
    crossings = _Crossings()
    group = runners.group.copy()
    base = 0
    for day, stage in enumerate(course.stages):
        ctx = _Stage(course, stage, day, runners, conditions, rng, darkness, crossings, base)
        finished, withdrawn, late = ctx.run(racing, group, performance)
        base += len(stage.legs)
        if conditions.out_on_withdrawal:
            racing &= ~withdrawn
        if conditions.out_on_cutoff:
            racing &= ~late
        racing &= finished | withdrawn | late  # nobody is lost
    (performance.runner, performance.point, performance.direction, performance.time) = (
        crossings.columns()
    )
    return performance


class _Stage:
    """One stage of the field's race."""

    def __init__(
        self,
        course: Course,
        stage: StageCourse,
        day: int,
        runners: Runners,
        conditions: Conditions,
        rng: np.random.Generator,
        darkness: Darkness,
        crossings: _Crossings,
        base: int,
    ) -> None:
        self.stage, self.runners, self.conditions, self.rng = stage, runners, conditions, rng
        self.darkness, self.crossings, self.base = darkness, crossings, base
        days = len(course.stages)
        weather = rng.lognormal(0.0, STAGE_WEATHER_SD) if course.heat != 1.0 else 1.0
        self.heat = course.heat * weather
        self.day_factor = (1 + conditions.day_fatigue * day) * (
            1 + conditions.pack_weight * (1 - day / max(days - 1, 1))
        )
        climb = sum(leg.climb_m for leg in stage.legs)
        self.climb_per_km = climb / max(stage.distance_km, 1e-9)

    def run(
        self, racing: NDArray[np.bool_], group: Ints, performance: Performance
    ) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
        runners, params, rng, n = self.runners, self.conditions.params, self.rng, self.runners.count
        alive = racing.copy()
        withdrawn = np.zeros(n, dtype=np.bool_)
        late = np.zeros(n, dtype=np.bool_)
        t = self._start_times(alive)
        own_start = t.copy()
        self.crossings.add(self.base, np.flatnonzero(alive), t, NONE)
        heat = 1 + (self.heat - 1) * runners.heat_tolerance
        done_km = np.zeros(n)
        at_checkpoint = np.zeros(n)  # time spent at the checkpoint being left
        legs = self.stage.legs
        for number, leg in enumerate(legs[1:], start=1):
            point = self.base + number
            effort = equivalent_km(
                leg.distance_km,
                leg.climb_m,
                leg.descent_m,
                params.downhill_floor,
                params.climb_scale * runners.climber,
                params.braking,
            )
            fatigue = 1 + runners.fatigue * ((done_km + effort / 2) / 100) ** params.fatigue_power
            moving = effort / runners.speed * 3600 * fatigue * self.day_factor
            dark = self.darkness.is_dark(t + at_checkpoint + moving / 2)
            moving *= np.where(dark, params.night, heat)
            moving *= rng.lognormal(0.0, params.section_sd, n)
            leg_time = at_checkpoint + moving
            arrive = _together(t + leg_time, group, alive, rng)
            # Stopping on the way: the last point passed is the one before.
            risk = self.conditions.hazard.per_km(legs[number - 1].km, self.climb_per_km)
            risk *= leg.distance_km * self.heat**HEAT_HAZARD_POWER
            stopping = alive & (rng.random(n) < 1 - np.exp(-risk * runners.frailty))
            for runner in np.flatnonzero(stopping):
                cause = "medical" if rng.random() < MEDICAL_SHARE else "withdrawal"
                at = float(t[runner] + rng.uniform(0.2, 0.9) * leg_time[runner])
                performance.stops.append(Stop(int(runner), self.stage.number, point - 1, at, cause))
            alive &= ~stopping
            withdrawn |= stopping
            _dissolve(group, stopping)
            self.crossings.add(point, np.flatnonzero(alive), arrive, IN if leg.in_out else NONE)
            past = np.zeros(n, dtype=np.bool_)
            if leg.deadline is not None:
                past |= arrive > leg.deadline
            if leg.allowed_s is not None:
                past |= arrive - own_start > leg.allowed_s
            past &= alive
            for runner in np.flatnonzero(past):
                at = float(arrive[runner])
                performance.stops.append(Stop(int(runner), self.stage.number, point, at, "cutoff"))
            alive &= ~past
            late |= past
            _dissolve(group, past)
            t = arrive
            if number < len(legs) - 1:
                t, held_out = self._holds(t, point, alive, group, performance)
                alive &= ~held_out
                withdrawn |= held_out
                _dissolve(group, held_out)
            if leg.in_out:
                rest_min = OVERNIGHT_REST_MIN if self.stage.long_march else params.aid_stop_min
                t = _together(t + rng.lognormal(np.log(rest_min * 60), 0.6, n), group, alive, rng)
                self.crossings.add(point, np.flatnonzero(alive), t, OUT)
                at_checkpoint = np.zeros(n)
            else:
                at_checkpoint = rng.lognormal(np.log(params.aid_stop_min * 60), 0.5, n)
            done_km += effort
        return alive, withdrawn, late

    def _start_times(self, alive: NDArray[np.bool_]) -> Floats:
        """The fast at the front cross the start mat first; a few start late."""
        rng, n = self.rng, self.runners.count
        ahead = np.argsort(np.argsort(-self.runners.speed * alive))  # 0 for the fastest
        delay = ahead / START_RATE + rng.uniform(0.0, 2.0, n)
        late = rng.random(n) < self.conditions.late_start_share
        delay += np.where(late, rng.uniform(180.0, 1500.0, n), 0.0)
        return self.stage.start + delay

    def _holds(
        self,
        t: Floats,
        point: int,
        alive: NDArray[np.bool_],
        group: Ints,
        performance: Performance,
    ) -> tuple[Floats, NDArray[np.bool_]]:
        """A medic holds a few runners (alone: a team would wait too) at the checkpoint."""
        rng, n = self.rng, self.runners.count
        alone = np.bincount(group[alive], minlength=n)[group] <= 1
        held = alive & alone & (rng.random(n) < self.conditions.hold_rate)
        seconds = np.round(rng.uniform(15.0, 75.0, n)) * 60
        out = np.zeros(n, dtype=np.bool_)
        for runner in np.flatnonzero(held):
            start, length = float(t[runner]), float(seconds[runner])
            performance.holds.append(Hold(int(runner), self.stage.number, point, start, length))
            if rng.random() < MEDICAL_AFTER_HOLD:
                out[runner] = True
                performance.stops.append(
                    Stop(int(runner), self.stage.number, point, start + length, "medical")
                )
        return t + np.where(held, seconds, 0.0), out


def _together(
    arrive: Floats, group: Ints, alive: NDArray[np.bool_], rng: np.random.Generator
) -> Floats:
    """Teams arrive with their slowest member, a few seconds apart, now and then one late."""
    n = len(arrive)
    members = alive & (np.bincount(group[alive], minlength=n)[group] > 1)
    if not members.any():
        return arrive
    slowest = np.full(n, -np.inf)
    np.maximum.at(slowest, group[members], arrive[members])
    spread = rng.uniform(0.0, TEAM_SPREAD_S, n)
    spread += np.where(rng.random(n) < TEAM_STRAGGLE, rng.uniform(120.0, 300.0, n), 0.0)
    return np.where(members, slowest[group] + spread, arrive)


def _dissolve(group: Ints, leaving: NDArray[np.bool_]) -> None:
    """A team that loses a member is no team any more: the others go on alone."""
    if not leaving.any():
        return
    broken = np.isin(group, group[leaving])
    group[broken] = np.flatnonzero(broken)
