"""Turn a time as a person or a device gives it into an absolute instant.

Checkpoint volunteers and most timing devices give a time of day only. Its date
comes from the stage with one rollover rule: a time of day belongs to the first
moment that is at or after ``GRACE_BEFORE_START`` before the stage start and that a
runner could reach the checkpoint by, at ``FASTEST_KMH``. So on a long march that
starts at 08:00, ``07:59`` at the start is that morning, ``01:30`` is the next night,
and ``10:00`` at the finish 81 km away is the next morning.
A date (or an absolute time) given with the time is taken as it is.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desert_runners.domain.errors import UserError
from desert_runners.domain.race import Race, Stage

GRACE_BEFORE_START = timedelta(hours=2)
FASTEST_KMH = 15.0  # faster than any desert stage record, with a pack
PLAUSIBLE_MARGIN = timedelta(days=2)  # around the race's days: travel, a late ruling
_TIME_OF_DAY = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:[.,](\d{1,6}))?)?$")


class TimeInputError(UserError):
    pass


def resolve_time(text: str, stage: Stage, km: float = 0.0, *, race: Race | None = None) -> datetime:
    """A time of day (``14:32``, ``14:32:05.3``), a local date and time
    (``2010-03-10 01:30``) or an ISO time with offset (``2010-03-10T04:30Z``).

    With ``race``, a time more than ``PLAUSIBLE_MARGIN`` outside the race's days is
    refused: a mistyped date or year, not a passing."""
    try:
        moment = _resolve(text.strip(), stage, km)
        if race is None or during(moment, race):
            return moment
    except OverflowError:  # year 9999 or 0001: no instant there, and no race either
        if race is None:
            raise TimeInputError(f"time {text!r}: out of range") from None
    assert race is not None
    raise TimeInputError(
        f"time {text!r} is not during {race.slug} ({race.starts_on} to {race.ends_on}, "
        f"give or take {PLAUSIBLE_MARGIN.days} days): check the date"
    )


def during(moment: datetime, race: Race) -> bool:
    """Whether ``moment`` falls on the race's days, give or take ``PLAUSIBLE_MARGIN``."""
    day = moment.astimezone(race.zone).date()
    return race.starts_on - PLAUSIBLE_MARGIN <= day <= race.ends_on + PLAUSIBLE_MARGIN


def _resolve(text: str, stage: Stage, km: float) -> datetime:
    zone = stage.start.tzinfo
    assert zone is not None
    clock = parse_time_of_day(text)
    if clock is not None:
        return time_of_day_on_stage(clock, stage, km)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise TimeInputError(
            f"time {text!r}: expected HH:MM[:SS], YYYY-MM-DD HH:MM[:SS] or an ISO time "
            "with offset (2010-03-10T04:30:00+00:00)"
        ) from None
    if moment.tzinfo is None:
        return local_instant(moment.date(), moment.time(), zone)
    return moment.astimezone(zone)  # the same instant; raises here if it has no local time


def zone_named(name: str) -> ZoneInfo | None:
    """The IANA time zone of that name, or None: not a zone (a typo, a folder of zones
    like ``Europe``, a path)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def parse_time_of_day(text: str) -> time | None:
    match = _TIME_OF_DAY.match(text)
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.groups()
    micros = int((fraction or "0").ljust(6, "0"))
    return time(int(hours), int(minutes), int(seconds or 0), micros)


def time_of_day_on_stage(clock: time, stage: Stage, km: float = 0.0) -> datetime:
    zone = stage.start.tzinfo
    assert zone is not None
    if km > 0:
        earliest = stage.start + timedelta(hours=km / FASTEST_KMH)
    else:
        earliest = stage.start - GRACE_BEFORE_START
    day = earliest.date()
    while True:  # at most two turns: the day of `earliest`, or the next one
        candidate = local_instant(day, clock, zone)
        if candidate >= earliest:
            return candidate
        day += timedelta(days=1)


def local_instant(day: date, clock: time, zone: tzinfo) -> datetime:
    """A wall-clock time in a zone; refuses a time skipped by a daylight-saving jump.
    A time that occurs twice (the clocks went back) is its first occurrence."""
    moment = datetime.combine(day, clock, tzinfo=zone)
    if not exists(moment):
        raise TimeInputError(
            f"{day} {clock:%H:%M} does not exist in {zone} (the clocks jumped forward)"
        )
    return moment


def exists(moment: datetime) -> bool:
    """False for a wall time skipped by a daylight-saving jump."""
    round_trip = moment.astimezone(UTC).astimezone(moment.tzinfo)
    return round_trip.replace(tzinfo=None) == moment.replace(tzinfo=None)
