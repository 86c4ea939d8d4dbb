"""What a timing device sends, parsed but not yet interpreted.

A parser turns one line (or record) of a device's protocol or file into a ``DeviceRead``
or a ``LineProblem``; it never raises on bad input and never drops a line silently.
Turning the device's time into an absolute instant (the stage's date, the rollover past
midnight, the device's clock offset) is not the parser's job: it keeps the time exactly
as sent, plus what the format itself says about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time


@dataclass(frozen=True)
class DeviceTime:
    """The time as the format gives it; exactly one of the three shapes.

    - ``utc``: an absolute instant (Impinj's microseconds since the Unix epoch);
    - ``local``: a wall-clock date and time in the device's zone (RaceResult with a date,
      Alien, Wiclax, RFID Ultra's seconds since 1980, iPico);
    - ``time_of_day`` (+ ``day_offset`` when the format counts days, as JChip does): no
      date at all (MyLaps, ChronoTrack, RaceResult with date 0000-00-00).
    """

    utc: datetime | None = None  # zone-aware
    local: datetime | None = None  # naive: the device's own wall clock
    time_of_day: time | None = None
    day_offset: int = 0
    date_hint: date | None = None  # a date the line also carries (JChip's date=)


@dataclass(frozen=True)
class DeviceRead:
    format: str  # "raceresult", "chronotrack", "mylaps", "jchip", "ultra", "ipico", ...
    tag: str  # the chip id as sent (upper case hex or digits)
    time: DeviceTime
    raw: str  # the line exactly as received, for the event log
    device: str = ""  # box / reader name or id when the line says it
    sequence: int | None = None  # passing number, LogID, index: for gaps and resume
    antenna: int | None = None
    rssi: float | None = None
    bib: int | None = None  # some formats carry the bib too (MyLaps b=)
    location: str = ""  # ChronoTrack's location, a loop id


@dataclass(frozen=True)
class LineProblem:
    format: str
    line: int  # 1-based line number in the file or stream
    raw: str
    reason: str  # what was expected and what was found

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}: {self.raw!r}"


ParseResult = DeviceRead | LineProblem
