"""A device's clock against ours: one question, one answer, and the offset between.

``ClockSample`` keeps the device's answer as sent plus our UTC clock just before the
question and just after the answer; the device read its clock somewhere in between, so
the offset is taken at the middle and is known to half the round trip (plus half the
device's resolution: RFID Ultra answers in whole seconds). The device's wall clock runs
in its zone, which the reader client does not know: ``offset(zone)`` needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from desert_runners.adapters.readers.model import DeviceTime

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class ClockSample:
    device: str  # the name the reader was given
    said: DeviceTime  # the device's clock as it answered
    asked: datetime  # our clock (UTC, zone-aware) when we asked
    answered: datetime  # our clock when the answer arrived
    resolution: timedelta = timedelta(0)  # the device's clock truncates to this

    @property
    def uncertainty(self) -> timedelta:
        return (self.answered - self.asked) / 2 + self.resolution / 2

    def offset(self, zone: tzinfo) -> timedelta:
        """How far the device's clock is ahead of the truth (negative: behind).

        ``zone`` is the zone the device's wall clock is set to. A device that gives no
        date is compared on the time of day alone, so the answer is within 12 hours.
        """
        middle = self.asked + (self.answered - self.asked) / 2
        truth = middle.astimezone(zone).replace(tzinfo=None)
        half = self.resolution / 2  # a truncated clock is, on average, half a tick behind
        said = self.said
        if said.utc is not None:
            return said.utc + half - middle
        wall = said.local
        if wall is None and said.date_hint is not None and said.time_of_day is not None:
            wall = datetime.combine(said.date_hint, said.time_of_day)
        if wall is not None:
            return wall + half - truth
        if said.time_of_day is None:
            raise ValueError(f"{self.device}: the device's answer has no time")
        ahead = datetime.combine(truth.date(), said.time_of_day) + half - truth
        while ahead >= _DAY / 2:  # the nearest day: 23:59:59 against 00:00:01 is -2 s
            ahead -= _DAY
        while ahead < -_DAY / 2:
            ahead += _DAY
        return ahead


ClockListener = Callable[[ClockSample], None]
