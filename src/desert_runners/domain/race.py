"""A race definition: series, race, stages, checkpoints, categories, teams, penalties, rules.

Pure values, built once by the race-definition loader and never changed. All
clock times are absolute and zone-aware (in the race's own time zone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

START = "start"
FINISH = "finish"


class Consequence(StrEnum):
    """What a missed cutoff or a withdrawn stage means: a per-race rule, not a fact."""

    OUT = "out"  # 4 Deserts: the runner may not continue
    CONTINUE_UNRANKED = "continue_unranked"  # Cape Epic / Haute Route: races on, no overall rank
    PENALTY = "penalty"  # a fixed time penalty, still ranked


class TieBreak(StrEnum):
    STAGE_PLACINGS = "stage_placings"  # lowest sum of stage placings
    LAST_STAGE = "last_stage"  # better placing on the last stage


@dataclass(frozen=True)
class Cutoff:
    """A checkpoint or stage cutoff: a local time of day (possibly days after the stage
    date, for a long march) or an elapsed time from the stage start."""

    time_of_day: time | None = None
    day_offset: int = 0
    elapsed: timedelta | None = None

    def deadline(self, stage_start: datetime) -> datetime:
        if self.elapsed is not None:
            # Elapsed time is real time: added in UTC, so a DST change does not shift it
            # (Python adds to a zoned datetime's wall clock).
            return (stage_start.astimezone(UTC) + self.elapsed).astimezone(stage_start.tzinfo)
        assert self.time_of_day is not None
        tz = stage_start.tzinfo
        day = stage_start.date() + timedelta(days=self.day_offset)
        return datetime.combine(day, self.time_of_day, tzinfo=tz)

    def describe(self) -> str:
        if self.elapsed is not None:
            return f"{format_duration(self.elapsed)} elapsed"
        assert self.time_of_day is not None
        suffix = f" (+{self.day_offset}d)" if self.day_offset else ""
        return f"{self.time_of_day:%H:%M}{suffix}"


@dataclass(frozen=True)
class Checkpoint:
    """A timing point on a stage; the last checkpoint of a stage is its finish (camp)."""

    id: str
    name: str
    km: float | None  # None only in imported results whose distances are not known
    elevation_m: float | None = None
    climb_m: float | None = None  # from the previous point
    descent_m: float | None = None
    in_out: bool = False  # records an in time and an out time
    cutoff: Cutoff | None = None


@dataclass(frozen=True)
class Stage:
    number: int
    name: str
    start: datetime  # the stage's mass start, zone-aware
    checkpoints: tuple[Checkpoint, ...]
    long_march: bool = False
    course_file: str | None = None

    @property
    def distance_km(self) -> float | None:
        return self.checkpoints[-1].km

    @property
    def finish(self) -> Checkpoint:
        return self.checkpoints[-1]

    def checkpoint(self, checkpoint_id: str) -> Checkpoint | None:
        wanted = checkpoint_id.casefold()
        if wanted == FINISH:
            return self.finish
        for checkpoint in self.checkpoints:
            if checkpoint.id.casefold() == wanted:
                return checkpoint
        return None


@dataclass(frozen=True)
class AgeBand:
    name: str
    min_age: int
    max_age: int | None = None  # None: no upper bound

    def contains(self, age: int) -> bool:
        return age >= self.min_age and (self.max_age is None or age <= self.max_age)


@dataclass(frozen=True)
class Categories:
    genders: tuple[str, ...] = ("M", "F")
    age_bands: tuple[AgeBand, ...] = ()
    by_nationality: bool = True

    def age_band(self, age: int) -> AgeBand | None:
        return next((band for band in self.age_bands if band.contains(age)), None)


@dataclass(frozen=True)
class TeamRules:
    min_members: int = 3
    max_members: int | None = None
    max_gap: timedelta | None = None  # members must reach each checkpoint within this gap
    gap_penalty: timedelta | None = None  # to the team, per checkpoint passed too far apart


@dataclass(frozen=True)
class PenaltyRule:
    """An entry of the race's penalty catalogue."""

    code: str
    description: str
    time: timedelta | None = None  # negative: a time credit
    dq: bool = False
    dq_on_repeat: int | None = None  # the n-th occurrence is a DQ (two missed checkpoints)


@dataclass(frozen=True)
class EntryRules:
    min_age: int = 21
    max_age: int = 70
    required_series_finishes: int = 0  # The Last Desert: at least two other 4 Deserts finishes


@dataclass(frozen=True)
class RaceRules:
    missed_cutoff: Consequence = Consequence.OUT
    missed_cutoff_penalty: timedelta | None = None
    withdrawn_stage: Consequence = Consequence.OUT
    withdrawn_stage_penalty: timedelta | None = None
    tie_breaks: tuple[TieBreak, ...] = ()


@dataclass(frozen=True)
class Race:
    slug: str
    name: str
    series: str  # the series slug
    event: str  # the same race across editions, e.g. "atacama-crossing"
    time_zone: str
    starts_on: date
    ends_on: date
    location: str = ""
    country: str = ""
    stages: tuple[Stage, ...] = ()
    categories: Categories = field(default_factory=Categories)
    teams: TeamRules = field(default_factory=TeamRules)
    penalties: tuple[PenaltyRule, ...] = ()
    rules: RaceRules = field(default_factory=RaceRules)
    entry: EntryRules = field(default_factory=EntryRules)
    distances_known: bool = True  # False: imported results without a course (km may be None)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def distance_km(self) -> float | None:
        distances = [stage.distance_km for stage in self.stages]
        return None if None in distances else sum(d for d in distances if d is not None)

    def stage(self, number: int) -> Stage | None:
        return next((stage for stage in self.stages if stage.number == number), None)

    def penalty(self, code: str) -> PenaltyRule | None:
        return next((rule for rule in self.penalties if rule.code == code), None)


@dataclass(frozen=True)
class SeriesEvent:
    """One race of a series, across its editions (e.g. the Gobi March)."""

    slug: str
    name: str
    core: bool = True  # counts for the Club and the Grand Slam
    roving: bool = False  # the year's Roving Race (Grand Slam Plus)


@dataclass(frozen=True)
class Series:
    slug: str
    name: str
    events: tuple[SeriesEvent, ...] = ()

    def event(self, slug: str) -> SeriesEvent | None:
        return next((event for event in self.events if event.slug == slug), None)


# The years a race can be in. Before, nothing was timed to the second; after, a typo
# (9999) that would run off the calendar's end when days are added to it.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def format_duration(value: timedelta) -> str:
    """H:MM:SS, hours unbounded (a long march lasts more than 24 h); '-' for negatives."""
    total = round(value.total_seconds())
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{seconds:02d}"
