"""Wiclax's generic acquisition protocol: what any device may send to Wiclax, CR-ended.

One passing per line, six ``;``-separated fields, only the first two mandatory::

    01539;22-09-2011 02:41:30.620;0A;559;;0
    | chip or bib; date and time; loop; lap; battery %; rewind

- the chip is kept as sent (leading zeros matter: it is an id, not a number);
- the time is the device's wall clock, ``dd-mm-yyyy hh:mm:ss.ccc`` (thousandths): local;
- the loop (loop, antenna or device id) is the read's ``location``;
- the lap is the device's own sequential number of the passing: ``sequence``;
- the battery level and the rewind flag (1 when sent again on request) stay in ``raw``.

``*`` alone is a heartbeat, not a passing: ``read_file`` skips it.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem, ParseResult
from desert_runners.adapters.readers.read_file import ReadFile, read_lines

FORMAT = "wiclax"
HEARTBEAT = "*"
_FIELDS = 6
_CHIP = re.compile(r"[0-9A-Za-z]+")
_TIME = re.compile(
    r"([0-9]{1,2})[-/]([0-9]{1,2})[-/]([0-9]{4}) +"
    r"([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,3}))?"
)
_LAP = re.compile(r"[0-9]{1,18}")  # bounded: int() refuses over 4300 digits
_BATTERY = re.compile(r"[0-9]{1,9}(\.[0-9]{1,9})?")


def parse_line(text: str, line: int = 1) -> ParseResult:
    """One line from the device or a file of them; never raises."""
    raw = text.rstrip("\r\n\0")
    fields = [field.strip() for field in raw.strip().split(";")]

    def problem(reason: str) -> LineProblem:
        return LineProblem(FORMAT, line, raw, reason)

    if not 2 <= len(fields) <= _FIELDS:
        return problem(f"fields: expected 2 to {_FIELDS} separated by ';', got {len(fields)}")
    chip, stamp, loop, lap, battery, rewind = fields + [""] * (_FIELDS - len(fields))
    if not _CHIP.fullmatch(chip):
        return problem(f"chip: expected letters or digits, got {chip!r}")
    match = _TIME.fullmatch(stamp)
    if match is None:
        return problem(f"time: expected dd-mm-yyyy hh:mm:ss.ccc, got {stamp!r}")
    if lap and not _LAP.fullmatch(lap):
        return problem(f"lap: expected a whole number, got {lap!r}")
    if battery and not _BATTERY.fullmatch(battery):
        return problem(f"battery: expected a percentage, got {battery!r}")
    if rewind not in ("", "0", "1"):
        return problem(f"rewind: expected 0 or 1, got {rewind!r}")
    day, month, year, hour, minute, second = (int(group) for group in match.groups()[:6])
    try:
        moment = datetime(
            year, month, day, hour, minute, second, int((match[7] or "0").ljust(3, "0")) * 1000
        )
    except ValueError:
        return problem(f"time: no such moment {stamp!r}")
    return DeviceRead(
        format=FORMAT,
        tag=chip.upper(),
        time=DeviceTime(local=moment),
        raw=raw,
        sequence=int(lap) if lap else None,
        location=loop,
    )


def skip_line(text: str) -> bool:
    """The heartbeat ``*``."""
    return text.strip(" \t\0") == HEARTBEAT


def read_file(path: Path) -> ReadFile:
    """A file of generic-protocol lines."""
    return read_lines(path, parse_line, skip_line)
