"""ChronoTrack socket protocol CTP01, TCP port 61611, ``~``-separated, CRLF.

The reader (ChronoTrack's SimpleClient) connects to us and says hello
``SimpleClient~<version>~CTP01``; we answer with our own hello and feature lines
(``server_hello``), ask ``getlocations`` and ``start~<location>``, and answer its
``ping`` with ``ack~ping``. A passing is 8 fields::

    CT01_33~seq~location~tag~time~lap~reader~antenna
    CT01_33~1~start~9478~14:02:15.31~0~0F2A38~1

``CT01_13`` has the same fields. Two tags are not chips: ``guntime`` is the gun (kept as
a read with tag ``guntime``, antenna usually 0, so the caller can take it as the start)
and ``newlocation`` announces a new timing point (control).

Decisions: the time is ``HH:MM:SS.cc`` (``time_of_day``; 1-6 decimals accepted), or,
when the ``time-format`` feature says so, ISO ``YYYY-MM-DDTHH:MM:SS.cc`` (``local``; with
``Z``/``+HH:MM`` it is ``utc``) or Unix seconds (``utc``). ``device`` is the reader id,
``sequence`` the line number the reader gives, ``location`` the timing point's name.
Chip tags are upper-cased; the lap count is checked but not kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem

FORMAT = "chronotrack"
EOL = "\r\n"
PROTOCOL = "CTP01"
GUN_TAG = "guntime"
NEW_LOCATION = "newlocation"
PROTOCOL_IDS = ("CT01_13", "CT01_33")

# What we ask of the reader; "normal" time is the HH:MM:SS.cc the parser expects first.
DEFAULT_FEATURES: Mapping[str, str] = {
    "guntimes": "true",
    "newlocations": "true",
    "connection-id": "false",
    "stream-mode": "push",
    "time-format": "normal",
}

CONTROL_REASON = "not a passing (control message)"

Kind = Literal["passing", "control", "unknown"]

_COMMANDS = frozenset(
    {
        "ack",
        "ping",
        "start",
        "stop",
        "getlocations",
        "geteventinfo",
        "getconnectionid",
        "authorize",
    }
)
_FIELDS = 8
_INT = re.compile(r"[0-9]{1,18}", re.ASCII)
_TAG = re.compile(r"[A-Za-z0-9]+", re.ASCII)
_CLOCK = r"([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?"
_TIME = re.compile(_CLOCK, re.ASCII)
_ISO = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T" + _CLOCK + r"(Z|[+-][0-9]{2}:[0-9]{2})?", re.ASCII
)
_UNIX = re.compile(r"([0-9]{9,11})(?:\.([0-9]{1,6}))?", re.ASCII)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FORBIDDEN = re.compile(r"[~\r\n]")


def classify(text: str) -> Kind:
    """``passing`` (a ``CT01_`` line), ``control`` (hello, acks, pings, features)."""
    parts = text.rstrip("\r\n").split("~")
    if parts[0].startswith("CT01_"):
        is_new_location = len(parts) > 3 and parts[3] == NEW_LOCATION
        return "control" if is_new_location else "passing"
    if parts[0] in _COMMANDS:
        return "control"
    if len(parts) == 3 and parts[2] == PROTOCOL:  # the reader's hello
        return "control"
    if len(parts) == 1 and "=" in parts[0]:  # a feature line, key=value
        return "control"
    return "unknown"


def parse_line(text: str, line: int = 1) -> DeviceRead | LineProblem:
    """One line as received (no CRLF); never raises."""

    def problem(reason: str) -> LineProblem:
        return LineProblem(format=FORMAT, line=line, raw=text, reason=reason)

    kind = classify(text)
    if kind == "control":
        return problem(CONTROL_REASON)
    parts = text.rstrip("\r\n").split("~")
    if kind == "unknown" or parts[0] not in PROTOCOL_IDS:
        return problem(f"protocol id: expected CT01_13 or CT01_33, got {parts[0]!r}")
    if len(parts) != _FIELDS:
        return problem(f"expected {_FIELDS} '~'-separated fields, got {len(parts)}")
    _, seq, location, tag, clock, lap, reader, antenna = parts
    if not _INT.fullmatch(seq):
        return problem(f"seq: expected a whole number, got {seq!r}")
    if not location.strip():
        return problem("location: expected a name, got ''")
    if tag != GUN_TAG and not _TAG.fullmatch(tag):
        return problem(f"tag: expected letters and digits, got {tag!r}")
    when = _device_time(clock)
    if when is None:
        return problem(
            f"time: expected HH:MM:SS.cc, YYYY-MM-DDTHH:MM:SS.cc or Unix seconds, got {clock!r}"
        )
    if not _INT.fullmatch(lap):
        return problem(f"lap: expected a whole number, got {lap!r}")
    if not _INT.fullmatch(antenna):
        return problem(f"antenna: expected a whole number, got {antenna!r}")
    return DeviceRead(
        format=FORMAT,
        tag=tag if tag == GUN_TAG else tag.upper(),
        time=when,
        raw=text,
        device=reader.strip(),
        sequence=int(seq),
        antenna=int(antenna),
        location=location,
    )


# --- what we send (without EOL) ------------------------------------------------------


def ack_ping() -> str:
    """The answer to the reader's ``ping``."""
    return "ack~ping"


def ping() -> str:
    """Our keep-alive; the reader answers ``ack~ping``."""
    return "ping"


def get_locations() -> str:
    """Ask for the reader's timing points; it answers ``ack~getlocations~<loc>~...``."""
    return "getlocations"


def start(location: str) -> str:
    """Ask the reader to stream the passings of one timing point."""
    _check(location)
    return f"start~{location}"


def server_hello(
    name: str, version: str, features: Mapping[str, str] = DEFAULT_FEATURES
) -> list[str]:
    """Our answer to the reader's hello: ``name~version~<n>`` then ``n`` feature lines."""
    for text in (name, version, *features.keys(), *features.values()):
        _check(text)
    if any("=" in key for key in features):
        raise ValueError("a feature name cannot contain '='")
    return [f"{name}~{version}~{len(features)}"] + [f"{k}={v}" for k, v in features.items()]


def _check(text: str) -> None:
    # A '~' or line break would split our message into other fields or lines.
    if not text or _FORBIDDEN.search(text):
        raise ValueError(f"not usable in a CTP01 message: {text!r}")


# --- times -------------------------------------------------------------------------------


def _device_time(text: str) -> DeviceTime | None:
    if match := _TIME.fullmatch(text):
        at = _clock(*match.group(1, 2, 3, 4))
        return None if at is None else DeviceTime(time_of_day=at)
    if match := _ISO.fullmatch(text):
        return _iso(match)
    if match := _UNIX.fullmatch(text):
        seconds, fraction = match.group(1, 2)
        micro = int((fraction or "0").ljust(6, "0"))
        return DeviceTime(utc=_EPOCH + timedelta(seconds=int(seconds), microseconds=micro))
    return None


def _iso(match: re.Match[str]) -> DeviceTime | None:
    at = _clock(*match.group(4, 5, 6, 7))
    if at is None:
        return None
    year, month, day = (int(part) for part in match.group(1, 2, 3))
    try:
        wall = datetime.combine(date(year, month, day), at)
    except ValueError:  # 2024-02-30, month 13, year 0
        return None
    offset = match.group(8)
    if offset is None:
        return DeviceTime(local=wall)
    if offset == "Z":
        return DeviceTime(utc=wall.replace(tzinfo=UTC))
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    if hours > 23 or minutes > 59:
        return None
    shift = timedelta(hours=hours, minutes=minutes) * (1 if offset[0] == "+" else -1)
    try:
        return DeviceTime(utc=(wall - shift).replace(tzinfo=UTC))
    except OverflowError:  # year 1 minus an offset
        return None


def _clock(hour: str, minute: str, second: str, fraction: str | None) -> time | None:
    h, m, s = int(hour), int(minute), int(second)
    if h > 23 or m > 59 or s > 59:
        return None
    return time(h, m, s, int((fraction or "0").ljust(6, "0")))
