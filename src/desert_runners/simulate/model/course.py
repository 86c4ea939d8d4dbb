"""The course as the simulator sees it: stages of legs between timing points.

Built from a race definition (``course_from_race``) or, for calibration, from the timing
points of a real single-stage race. Times are seconds since the Unix epoch (UTC floats):
the model works on numpy arrays of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from desert_runners.domain.race import FINISH, START, Race, Stage
from desert_runners.simulate.model.daylight import Place, alpha_3, place_of


@dataclass(frozen=True)
class Leg:
    """A timing point, reached from the previous one of its stage (the start: from nowhere)."""

    point: str  # "start", "CP1", ..., the finish's own id
    km: float  # from the stage start
    distance_km: float  # from the previous point
    climb_m: float
    descent_m: float
    deadline: float | None = None  # a time-of-day cutoff, as a UTC timestamp
    allowed_s: float | None = None  # an elapsed cutoff, seconds from the runner's start
    in_out: bool = False  # a mat at the way in and one at the way out

    @property
    def reference(self) -> str:
        """How the services name it within its stage: ``start``, ``CP2``, ``finish``."""
        return self.point


@dataclass(frozen=True)
class StageCourse:
    number: int
    start: float  # the gun, UTC timestamp
    legs: tuple[Leg, ...]  # legs[0] is the start
    long_march: bool = False

    @property
    def distance_km(self) -> float:
        return self.legs[-1].km


@dataclass(frozen=True)
class Course:
    name: str
    zone: str  # IANA time zone: the local clock of devices and volunteers
    place: Place  # where the sun rises and sets
    stages: tuple[StageCourse, ...]
    heat: float = 1.0  # the race's usual heat, a pace factor in daylight (1: mild)

    @property
    def points(self) -> list[tuple[int, Leg]]:
        """Every timing point in course order, with its stage number."""
        return [(stage.number, leg) for stage in self.stages for leg in stage.legs]


# How hot the race's country usually is in race week, as a daylight pace factor.
# An assumption (no split data from hot races): desert heat slows a runner by a few
# per cent, much more for some (``runners.heat_tolerance``).
_HEAT = {"EGY": 1.06, "SDN": 1.06, "JOR": 1.05, "MAR": 1.05, "NAM": 1.04, "CHN": 1.04}
_HEAT |= {"MNG": 1.03, "CHL": 1.02, "USA": 1.03, "AUS": 1.04, "ATA": 1.0, "ISL": 1.0}


def course_from_race(race: Race) -> Course:
    return Course(
        name=race.name,
        zone=race.time_zone,
        place=place_of(race.country, race.time_zone, race.starts_on),
        stages=tuple(_stage(stage) for stage in race.stages),
        heat=_HEAT.get(alpha_3(race.country), 1.03),
    )


def _stage(stage: Stage) -> StageCourse:
    legs = [Leg(START, 0.0, 0.0, 0.0, 0.0)]
    previous = 0.0
    last = len(stage.checkpoints) - 1
    for index, checkpoint in enumerate(stage.checkpoints):
        km = checkpoint.km if checkpoint.km is not None else previous
        cutoff = checkpoint.cutoff
        deadline = allowed = None
        if cutoff is not None and cutoff.elapsed is not None:
            allowed = cutoff.elapsed.total_seconds()
        elif cutoff is not None:
            deadline = cutoff.deadline(stage.start).timestamp()
        legs.append(
            Leg(
                point=FINISH if index == last else checkpoint.id,
                km=km,
                distance_km=max(km - previous, 0.0),
                climb_m=checkpoint.climb_m or 0.0,
                descent_m=checkpoint.descent_m or 0.0,
                deadline=deadline,
                allowed_s=allowed,
                in_out=checkpoint.in_out,
            )
        )
        previous = km
    return StageCourse(stage.number, stage.start.timestamp(), tuple(legs), stage.long_march)
