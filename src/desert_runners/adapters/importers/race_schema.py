"""The shape of a race-definition and a series-definition file, field by field.

Pydantic checks each field on its own; checks across fields live in
``domain.race_checks``. Every field here is documented in docs/race-definition.md
(a test fails when one is not).
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from desert_runners.domain.local_time import zone_named
from desert_runners.domain.race import (
    FIRST_YEAR,
    LAST_YEAR,
    Consequence,
    TieBreak,
    format_duration,
)

MAX_DURATION_HOURS = 999  # 41 days: longer than any race, and than any hold or penalty
_DURATION = re.compile(r"^(-)?(\d+):([0-5]\d)(?::([0-5]\d))?$")
_TIME_OF_DAY = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
SLUG = r"^[a-z0-9][a-z0-9-]*$"


def parse_duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise PydanticCustomError(
            "duration", "expected a duration as H:MM or H:MM:SS, got {got}", {"got": repr(value)}
        )
    sign, hours, minutes, seconds = match.groups()
    if int(hours) > MAX_DURATION_HOURS:  # a typo; and no instant plus it would exist
        raise PydanticCustomError(
            "duration",
            "expected a duration of at most {most} hours, got {got}",
            {"most": MAX_DURATION_HOURS, "got": repr(value)},
        )
    result = timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0))
    return -result if sign else result


def parse_time_of_day(value: Any) -> time:
    if isinstance(value, time):
        return value
    match = _TIME_OF_DAY.match(value) if isinstance(value, str) else None
    if match is None:
        raise PydanticCustomError(
            "time_of_day",
            "expected a time of day as HH:MM or HH:MM:SS, got {got}",
            {"got": repr(value)},
        )
    hours, minutes, seconds = match.groups()
    return time(int(hours), int(minutes), int(seconds or 0))


def _check_time_zone(value: str) -> str:
    if zone_named(value) is None:
        raise PydanticCustomError(
            "time_zone",
            "{got} is not an IANA time zone (e.g. America/Santiago)",
            {"got": repr(value)},
        )
    return value


def _check_year(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise PydanticCustomError(
            "year",
            "expected a year from {first} to {last}, got {got}",
            {"first": FIRST_YEAR, "last": LAST_YEAR, "got": repr(value.isoformat())},
        )
    return value


def check_country(value: str) -> str:
    """An ISO 3166 code, alpha-2 or alpha-3, as given (upper case)."""
    code = value.strip().upper()
    found = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if len(code) == 3:
        found = pycountry.countries.get(alpha_3=code)
    if found is None:
        raise PydanticCustomError(
            "country",
            "{got} is not an ISO 3166 country code (e.g. CL or CHL)",
            {"got": repr(value)},
        )
    return code


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
]
TimeOfDay = Annotated[
    time,
    BeforeValidator(parse_time_of_day),
    PlainSerializer(lambda value: value.strftime("%H:%M:%S"), return_type=str),
]
Slug = Annotated[str, Field(pattern=SLUG, max_length=80)]
TimeZone = Annotated[str, AfterValidator(_check_time_zone)]
RaceDate = Annotated[date, AfterValidator(_check_year)]
Country = Annotated[str, AfterValidator(check_country)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CutoffSpec(_Strict):
    time: TimeOfDay | None = None
    day: int = Field(0, ge=0, le=3)
    elapsed: Duration | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> CutoffSpec:
        if (self.time is None) == (self.elapsed is None):
            raise PydanticCustomError(
                "cutoff", "give either time (a time of day) or elapsed, not both or neither"
            )
        if self.elapsed is not None and self.day:
            raise PydanticCustomError("cutoff", "day goes with time, not with elapsed")
        return self


class CheckpointSpec(_Strict):
    id: Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_-]+$")]
    name: str = ""
    km: Annotated[float, Field(gt=0, le=400)] | None = None
    elevation_m: Annotated[float, Field(ge=-500, le=9000)] | None = None
    climb_m: Annotated[float, Field(ge=0)] | None = None
    descent_m: Annotated[float, Field(ge=0)] | None = None
    in_out: bool = False
    cutoff: CutoffSpec | None = None


class StageSpec(_Strict):
    number: Annotated[int, Field(ge=1, le=20)]
    name: str = ""
    date: RaceDate
    start_time: TimeOfDay
    long_march: bool = False
    course: str | None = None  # a GPX file, relative to the race file
    checkpoints: Annotated[list[CheckpointSpec], Field(min_length=1)]


class AgeBandSpec(_Strict):
    name: Annotated[str, Field(min_length=1)]
    min: Annotated[int, Field(ge=0, le=120)]
    max: Annotated[int, Field(ge=0, le=120)] | None = None


class CategoriesSpec(_Strict):
    genders: Annotated[list[Literal["M", "F", "X"]], Field(min_length=1)] = ["M", "F"]
    age_bands: list[AgeBandSpec] = []
    by_nationality: bool = True


class TeamsSpec(_Strict):
    min_members: Annotated[int, Field(ge=2)] = 3
    max_members: Annotated[int, Field(ge=2)] | None = None
    max_gap: Duration | None = None
    gap_penalty: Duration | None = None


class PenaltySpec(_Strict):
    code: Slug
    description: Annotated[str, Field(min_length=1)]
    time: Duration | None = None
    dq: bool = False
    dq_on_repeat: Annotated[int, Field(ge=2)] | None = None


class EntrySpec(_Strict):
    min_age: Annotated[int, Field(ge=0, le=120)] = 21
    max_age: Annotated[int, Field(ge=0, le=120)] = 70
    required_series_finishes: Annotated[int, Field(ge=0)] = 0


class RulesSpec(_Strict):
    missed_cutoff: Consequence = Consequence.OUT
    missed_cutoff_penalty: Duration | None = None
    withdrawn_stage: Consequence = Consequence.OUT
    withdrawn_stage_penalty: Duration | None = None
    tie_breaks: list[TieBreak] = []


class RaceSpec(_Strict):
    slug: Slug
    name: Annotated[str, Field(min_length=1)]
    series: Slug
    event: Slug
    time_zone: TimeZone
    location: str = ""
    country: Country | None = None
    starts_on: RaceDate
    ends_on: RaceDate
    entry: EntrySpec = EntrySpec()
    rules: RulesSpec = RulesSpec()
    categories: CategoriesSpec = CategoriesSpec()
    teams: TeamsSpec = TeamsSpec()
    penalties: list[PenaltySpec] = []
    distances_known: bool = True  # False only for imported results without a course
    stages: Annotated[list[StageSpec], Field(min_length=1)]


class SeriesEventSpec(_Strict):
    slug: Slug
    name: Annotated[str, Field(min_length=1)]
    core: bool = True
    roving: bool = False


class SeriesSpec(_Strict):
    slug: Slug
    name: Annotated[str, Field(min_length=1)]
    events: list[SeriesEventSpec] = []
    races: list[str] = []
