"""Calibration on real races: measure them, simulate them, compare (see ``model.calibrated``).

The real races are the files in shared/data, read by the historical importers
(``read_historical``): UTMB 2015 and 2016 (family "mountain") and 100 Meilen Berlin 2013,
2015 and 2016 (family "flat"; relays and the 2014 course, which has no distances, are
left out). Each is simulated on its own course: its timing points' km and climb and
descent, its start time and place, no heat and no cutoffs (their barriers' times are
not in the files, so the real stops include the runners they pulled out, and so does the
fitted hazard).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from desert_runners.adapters.importers.historical import HistoricalRace, read_historical
from desert_runners.simulate.model import measures
from desert_runners.simulate.model.calibrated import PACE, PaceParameters
from desert_runners.simulate.model.course import Course, Leg, StageCourse
from desert_runners.simulate.model.daylight import PLACES
from desert_runners.simulate.model.hazard import Hazard
from desert_runners.simulate.model.minetti import equivalent_km
from desert_runners.simulate.model.performance import OUT, Conditions, run_course
from desert_runners.simulate.model.rng import stream
from desert_runners.simulate.model.runners import draw_runners

Floats = measures.Floats


@dataclass(frozen=True)
class RealFile:
    family: str  # "mountain" or "flat"
    results: str  # under the data folder
    course: str
    start: str  # local date and time of the gun
    zone: str
    country: str  # where (for the hours of darkness)


def _utmb(year: int, day: str) -> RealFile:
    course = "utmb/checkpoints_2015_2016.csv"
    return RealFile("mountain", f"utmb/utmb_{year}.csv", course, day, "Europe/Paris", "FRA")


def _berlin(year: int, day: str) -> RealFile:
    results = f"berlin-100/result_course_{year}.csv"
    course = "berlin-100/vp_list.yaml"
    return RealFile("flat", results, course, day, "Europe/Berlin", "DEU")


# The guns: UTMB on Friday at 18:00; Berlin at 06:00 (finish clock time minus running time).
REAL_FILES = (
    _utmb(2015, "2015-08-28 18:00"),
    _utmb(2016, "2016-08-26 18:00"),
    _berlin(2013, "2013-08-18 06:00"),
    _berlin(2015, "2015-08-15 06:00"),
    _berlin(2016, "2016-08-13 06:00"),
)
FAMILIES = ("mountain", "flat")


@dataclass(frozen=True)
class RealRace:
    family: str
    name: str
    course: Course  # one stage
    km: Floats  # each timing point's km (the start not included)
    elapsed: Floats  # starters x timing points, seconds; NaN where no time


@dataclass(frozen=True)
class Figures:
    """What is compared, for one family of races pooled."""

    quantiles: Floats  # relative pace at measures.QUANTILES
    stops: Floats  # share of starters stopping in each quarter of the distance
    spread: float  # log sd of finishers' average speed
    starters: int

    @property
    def stopped(self) -> float:
        return float(self.stops.sum())


def real_races(data: Path) -> list[RealRace]:
    return [_real(data, spec) for spec in REAL_FILES]


def _real(data: Path, spec: RealFile) -> RealRace:
    found = read_historical(data / spec.results, data / spec.course)
    race = next(r for r in found if "staffel" not in r.course.casefold())  # not the relays
    return RealRace(spec.family, f"{race.name} {race.year}", _course(race, spec), *_table(race))


def _course(race: HistoricalRace, spec: RealFile) -> Course:
    """One stage: the timing points' km, and their climb and descent from the previous."""
    start = datetime.fromisoformat(spec.start).replace(tzinfo=ZoneInfo(spec.zone)).timestamp()
    legs = [Leg("start", 0.0, 0.0, 0.0, 0.0)]
    km = up = down = 0.0
    for point in race.timing_points:
        assert point.km is not None
        # UTMB gives the climb and descent since the start: the section's is the difference.
        climb, descent = point.climb_m or up, point.descent_m or down
        legs.append(
            Leg(point.id, point.km, point.km - km, max(climb - up, 0), max(descent - down, 0))
        )
        km, up, down = point.km, climb, descent
    stage = StageCourse(1, start, tuple(legs))
    return Course(race.name, spec.zone, PLACES[spec.country], (stage,))


def _table(race: HistoricalRace) -> tuple[Floats, Floats]:
    km = np.array([point.km for point in race.timing_points], dtype=np.float64)
    elapsed = np.array(
        [
            [np.nan if e is None else e.total_seconds() for e in row.elapsed]
            for row in race.rows
            if row.status != "finished" or row.elapsed[-1] is not None
        ],
        dtype=np.float64,
    )
    return km, elapsed


def figures(tables: list[tuple[Floats, Floats]]) -> Figures:
    """Pooled over the races of a family: (km, elapsed) each."""
    paces = np.concatenate([measures.relative_paces(e, km) for km, e in tables])
    stops = sum(measures.stop_counts(e, km) for km, e in tables)
    starters = sum(len(e) for _, e in tables)
    speeds = np.concatenate([np.log(km[-1] / e[measures.finished(e), -1]) for km, e in tables])
    return Figures(
        quantiles=np.quantile(paces, measures.QUANTILES),
        stops=np.asarray(stops, dtype=np.float64) / starters,
        spread=float(np.std(speeds)),
        starters=starters,
    )


def simulated_table(
    real: RealRace, params: PaceParameters, hazard: Hazard, seed: int, count: int
) -> Floats:
    """The split table of ``count`` simulated starters on the real race's course, their
    median finisher as fast as the real one's."""
    level = _flat_speed_guess(real, params)
    for _ in range(2):  # the second pass corrects the level
        rng = stream(seed, "calibration", real.name)
        runners = draw_runners(rng, count, params, level)
        done = run_course(real.course, runners, Conditions(params, hazard), rng)
        keep = done.direction != OUT
        table = measures.split_table(
            done.runner[keep], done.point[keep], done.time[keep], 0, len(real.km), count
        )
        if not measures.finished(table).any():
            break
        level *= measures.median_speed_kmh(real.elapsed, real.km) / measures.median_speed_kmh(
            table, real.km
        )
    return table


def _flat_speed_guess(real: RealRace, params: PaceParameters) -> float:
    legs = real.course.stages[0].legs[1:]
    effort = equivalent_km(
        [leg.distance_km for leg in legs],
        [leg.climb_m for leg in legs],
        [leg.descent_m for leg in legs],
        params.downhill_floor,
        params.climb_scale,
        params.braking,
    ).sum()
    return measures.median_speed_kmh(real.elapsed, real.km) * effort / real.km[-1] * 1.3


@dataclass(frozen=True)
class Comparison:
    family: str
    races: tuple[str, ...]
    real: Figures
    simulated: Figures


def compare(
    races: list[RealRace],
    params: PaceParameters = PACE,
    hazard: Hazard | None = None,
    *,
    seed: int = 1,
    count: int = 3000,
) -> list[Comparison]:
    """Each family's real figures beside those of its races simulated."""
    hazard = hazard or Hazard()
    found = []
    for family in FAMILIES:
        mine = [race for race in races if race.family == family]
        simulated = [(race.km, simulated_table(race, params, hazard, seed, count)) for race in mine]
        found.append(
            Comparison(
                family,
                tuple(race.name for race in mine),
                figures([(race.km, race.elapsed) for race in mine]),
                figures(simulated),
            )
        )
    return found
