"""Turn the time a timing device sent into an absolute instant.

A device sends one of three shapes (``adapters/readers/model.DeviceTime``): an absolute
UTC instant, a wall-clock date and time, or a time of day alone. Each becomes an instant
in the race's zone, then the device's clock offset is added (seconds, measured when the
reader connects or set by the timing crew: true time = device time + offset).

- UTC: taken as it is.
- A wall clock: read in the race's zone. A device clock that did not follow a
  daylight-saving jump may show a skipped time (02:30 on the night clocks go from 02:00
  to 03:00): it is read with the offset from before the jump, not refused, because the
  read happened. A time shown twice (clocks went back) is the first of the two.
- A time of day: the date comes from the stage, with the rollover rule of
  ``local_time``: the first moment, at or after the earliest a runner could be at the
  timing point, that the device's clock showed that time (the long march crosses
  midnight). JChip's day count says how many midnights passed since the reader's clock
  was set, not since which date: it dates the read only when the caller knows the date
  of day 0 (``day_zero``); a date sent with the line (``date_hint``) always does.

A read more than ``MAX_DAYS_FROM_STAGE`` days from the stage's day is impossible (a
clock never set, a file from another race): a ``TimeProblem``, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

from desert_runners.domain.local_time import FASTEST_KMH, GRACE_BEFORE_START
from desert_runners.domain.race import Stage

MAX_DAYS_FROM_STAGE = 2


class DeviceClock(Protocol):
    """What ``DeviceTime`` carries; exactly one of ``utc``, ``local``, ``time_of_day``."""

    @property
    def utc(self) -> datetime | None: ...
    @property
    def local(self) -> datetime | None: ...
    @property
    def time_of_day(self) -> time | None: ...
    @property
    def day_offset(self) -> int: ...
    @property
    def date_hint(self) -> date | None: ...


@dataclass(frozen=True)
class TimeProblem:
    reason: str


def resolve_device_time(
    sent: DeviceClock,
    stage: Stage,
    zone: tzinfo,
    *,
    km: float = 0.0,
    clock_offset_s: float = 0.0,
    day_zero: date | None = None,
) -> datetime | TimeProblem:
    """The instant, in ``zone``, of a read at ``km`` from the stage's start."""
    try:
        offset = timedelta(seconds=clock_offset_s)
        instant = _instant(sent, stage, zone, km, offset, day_zero)
        if instant is None:
            return TimeProblem("time: the device sent no time")
        # In UTC: adding to a zoned time in Python moves its wall clock, DST or not.
        moment = (instant.astimezone(UTC) + offset).astimezone(zone)
    except OverflowError:  # a clock offset or a date at the end of the calendar
        return TimeProblem(f"time: out of range with a clock offset of {clock_offset_s} s")
    stage_day = stage.start.astimezone(zone).date()
    days = (moment.date() - stage_day).days
    if abs(days) > MAX_DAYS_FROM_STAGE:
        side = "before" if days < 0 else "after"
        return TimeProblem(
            f"date: {moment:%Y-%m-%d %H:%M:%S} is {abs(days)} days {side} stage "
            f"{stage.number} ({stage_day}): the device's clock is off or the read is "
            "from another day"
        )
    return moment


def device_time_text(sent: DeviceClock) -> str:
    """The device's own time, before any date or offset is worked out: what it said."""
    if sent.utc is not None:
        return sent.utc.astimezone(UTC).isoformat()
    if sent.local is not None:
        return sent.local.isoformat(sep=" ")
    if sent.time_of_day is None:
        return ""
    if sent.date_hint is not None:
        return datetime.combine(sent.date_hint, sent.time_of_day).isoformat(sep=" ")
    text = sent.time_of_day.isoformat()
    return f"{text} day {sent.day_offset}" if sent.day_offset else text


def earliest_at(stage: Stage, km: float = 0.0) -> datetime:
    """The earliest a runner could be ``km`` from the stage's start (``local_time``'s
    rule), in UTC so that a daylight-saving change in between counts as real time."""
    start = stage.start.astimezone(UTC)
    if km > 0:
        return start + timedelta(hours=km / FASTEST_KMH)
    return start - GRACE_BEFORE_START


def _instant(
    sent: DeviceClock,
    stage: Stage,
    zone: tzinfo,
    km: float,
    offset: timedelta,
    day_zero: date | None,
) -> datetime | None:
    """The instant the device's clock showed, before its offset is added."""
    if sent.utc is not None:
        return sent.utc
    if sent.local is not None:
        return _wall(sent.local, zone)
    if sent.time_of_day is None:
        return None
    if sent.date_hint is not None:
        return _wall(datetime.combine(sent.date_hint, sent.time_of_day), zone)
    if day_zero is not None:
        day = day_zero + timedelta(days=sent.day_offset)
        return _wall(datetime.combine(day, sent.time_of_day), zone)
    # The rule is about true times; the device's clock is `offset` behind them.
    return _first_showing(sent.time_of_day, earliest_at(stage, km) - offset, zone)


def _wall(clock: datetime, zone: tzinfo) -> datetime:
    # fold=0: a skipped time keeps the offset from before the jump, a repeated one is
    # its first occurrence.
    return clock.replace(tzinfo=zone, fold=0)


def _first_showing(clock: time, earliest: datetime, zone: tzinfo) -> datetime:
    """The first instant at or after ``earliest`` at which a clock in ``zone`` shows
    ``clock``. Compared in UTC: two times in one zone compare by wall clock in Python."""
    bound = earliest.astimezone(UTC)
    day = earliest.astimezone(zone).date()
    while True:  # at most two turns: the day of `earliest`, or the next one
        candidate = datetime.combine(day, clock, tzinfo=zone)
        if candidate.astimezone(UTC) >= bound:
            return candidate
        day += timedelta(days=1)
