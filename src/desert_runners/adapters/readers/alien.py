"""Alien readers' text taglist (``get TagList``, or its notification in text format).

One tag per line, ``key:value`` pairs separated by commas::

    Tag:0102 0304 0506 0708 0900 0A0B, Disc:2008/10/28 10:49:35, Last:2008/10/28 10:49:35,
    Count:1, Ant:3, Proto:2

- ``Tag`` is the EPC in groups of four hex digits: the tag is the digits without spaces;
- ``Disc`` (first seen) is the read's time, on the reader's wall clock: local; with
  ``TagListMillis = ON`` it carries milliseconds (``10:49:35.123``); ``Last`` (last seen)
  and ``Count`` describe the same sighting and stay in ``raw``;
- ``Ant`` is the antenna, ``Rssi`` (when the custom format adds it) the signal strength;
  other keys are kept in ``raw`` only.

An empty taglist is the line ``(No Tags)``: not a read, skipped by ``read_file``.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem, ParseResult
from desert_runners.adapters.readers.read_file import ReadFile, read_lines

FORMAT = "alien"
_TAG = re.compile(r"[0-9A-Fa-f]+")
_TIME = re.compile(
    r"([0-9]{4})[/-]([0-9]{1,2})[/-]([0-9]{1,2}) +"
    r"([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?"
)
_INTEGER = re.compile(r"-?[0-9]{1,9}")  # bounded: int() refuses over 4300 digits
_NUMBER = re.compile(r"-?[0-9]{1,9}(\.[0-9]{1,9})?")
NO_TAGS = "(No Tags)"


def _time(text: str) -> datetime | str:
    match = _TIME.fullmatch(text)
    if match is None:
        return f"Disc: expected YYYY/MM/DD HH:MM:SS[.mmm], got {text!r}"
    year, month, day, hour, minute, second = (int(group) for group in match.groups()[:6])
    try:
        return datetime(
            year, month, day, hour, minute, second, int((match[7] or "0").ljust(6, "0"))
        )
    except ValueError:
        return f"Disc: no such moment {text!r}"


def parse_line(text: str, line: int = 1) -> ParseResult:
    """One taglist line; never raises."""
    raw = text.rstrip("\r\n\0")

    def problem(reason: str) -> LineProblem:
        return LineProblem(FORMAT, line, raw, reason)

    values: dict[str, str] = {}
    for pair in raw.split(","):
        if not pair.strip(" \t\0"):
            continue  # a trailing comma
        key, colon, value = pair.partition(":")
        if not colon:
            return problem(f"field: expected key:value, got {pair.strip()!r}")
        values.setdefault(key.strip().lower(), value.strip())
    for key in ("tag", "disc"):
        if key not in values:
            return problem(f"{key.capitalize()}: missing")
    tag = values["tag"].replace(" ", "")
    if not _TAG.fullmatch(tag):
        return problem(f"Tag: expected hex digits, got {values['tag']!r}")
    moment = _time(values["disc"])
    if isinstance(moment, str):
        return problem(moment)
    antenna = values.get("ant")
    if antenna is not None and not _INTEGER.fullmatch(antenna):
        return problem(f"Ant: expected a whole number, got {antenna!r}")
    rssi = values.get("rssi")
    if rssi is not None and not _NUMBER.fullmatch(rssi):
        return problem(f"Rssi: expected a number, got {rssi!r}")
    return DeviceRead(
        format=FORMAT,
        tag=tag.upper(),
        time=DeviceTime(local=moment),
        raw=raw,
        antenna=None if antenna is None else int(antenna),
        rssi=None if rssi is None else float(rssi),
    )


def skip_line(text: str) -> bool:
    """The empty taglist's ``(No Tags)``."""
    return text.strip(" \t\0") == NO_TAGS


def read_file(path: Path) -> ReadFile:
    """A file of taglist lines."""
    return read_lines(path, parse_line, skip_line)
