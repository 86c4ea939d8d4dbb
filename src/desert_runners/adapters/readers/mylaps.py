"""MyLaps Exchange protocol (ASCII, version 2.1), TCP port 3097: we listen, the reader
(MyLaps Timing & Scoring or a BibTag decoder) connects.

A message is ``Source@Command@part@...@$``: fields split by ``@``, the message ends with
``$`` (no line break; a framer splits the stream on ``$``). Passings come several to a
message, numbered::

    10KM@Passing@t=13:11:30.904|c=0000041|d=120606|b=41|...@t=13:12:21.830|c=...@1016@$

and we answer ``<our name>@AckPassing@1016@$`` (the number is the second-to-last field),
or the reader sends them again. ``Ping``/``Pong`` are answered with ``AckPing``/
``AckPong@Version2.1``; a gun is a ``Marker`` with ``mt=Gunshot``, answered ``AckMarker``.
Our name must not contain ``@ $ |``.

A passing record is ``key=value`` fields split by ``|``: c chip, t ``HH:MM:SS.mmm``,
d ``YYMMDD`` (20YY; with it the time is ``local``, without it ``time_of_day``), b bib,
dv device, an antenna, amd amplitude in dBm, ans strongest antenna; the others (ct, l,
re, g, n, h, ...) are not kept. Decisions: ``an`` is an antenna number, except the
8-character 0/1 mask a BibTag sends (``an=00001111``), which gives no single antenna
(``ans`` does, when present); ``rssi`` is ``amd``; ``location`` is the message's Source;
``raw`` of a read is its own record (the message is the unit the caller logs); a record
has no sequence of its own. A gun marker becomes a read with tag ``guntime``; its ``t``
may carry a ``YYYY-MM-DD`` date before the time. Version 1 ``Store`` messages are not
read (and not acknowledged, so the reader moves to version 2).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Literal

from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem

FORMAT = "mylaps"
END = "$"
VERSION = "Version2.1"
GUN_TAG = "guntime"
DEFAULT_SERVER = "DesertRunners"

CONTROL_REASON = "not a passing (control message)"

Kind = Literal["passing", "control", "unknown"]

_READS = frozenset({"Passing", "Marker"})
_CONTROL = frozenset(
    {
        "Ping",
        "Pong",
        "AckPing",
        "AckPong",
        "AckPassing",
        "AckMarker",
        "GetInfo",
        "AckGetInfo",
        "GetLocations",
        "AckGetLocations",
        "AckAuth",
        "AuthOk",
    }
)
_INT = re.compile(r"[0-9]{1,18}", re.ASCII)
_TAG = re.compile(r"[A-Za-z0-9]+", re.ASCII)
_TIME = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?", re.ASCII)
_YYMMDD = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{2})", re.ASCII)
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_MASK = re.compile(r"[01]{8}", re.ASCII)
_DBM = re.compile(r"-?[0-9]{1,4}(?:\.[0-9]{1,6})?", re.ASCII)
_RESERVED = re.compile(r"[@$|\r\n]")


def _split(message: str) -> list[str]:
    """The ``@`` fields, without the closing ``$`` and the empty field before it."""
    body = message.strip().removesuffix(END)
    parts = body.split("@")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return parts


def classify(text: str) -> Kind:
    """For a message or a bare record: ``passing``, ``control`` or ``unknown``."""
    if "@" not in text:
        # A bare record: one with a chip or a time is meant as a passing.
        is_record = any(field.startswith(("t=", "c=")) for field in text.split("|"))
        return "passing" if is_record else "unknown"
    parts = _split(text)
    command = parts[1] if len(parts) > 1 else ""
    if command in _READS:
        return "passing"
    if command in _CONTROL:
        return "control"
    return "unknown"


def parse_line(text: str, line: int = 1, *, location: str = "") -> DeviceRead | LineProblem:
    """One passing record ``t=...|c=...|...`` (no ``@``); never raises."""

    def problem(reason: str) -> LineProblem:
        return LineProblem(format=FORMAT, line=line, raw=text, reason=reason)

    if "@" in text:
        if classify(text) == "control":
            return problem(CONTROL_REASON)
        return problem("expected one passing record 'key=value|...', got a message")
    fields = _fields(text)
    if isinstance(fields, str):
        return problem(fields)
    chip = fields.get("c")
    if chip is None:
        return problem("c: missing (the chip)")
    if not _TAG.fullmatch(chip):
        return problem(f"c: expected letters and digits, got {chip!r}")
    when = _device_time(fields)
    if isinstance(when, str):
        return problem(when)

    bib = fields.get("b", "")
    if bib and not _INT.fullmatch(bib):
        return problem(f"b: expected a whole number, got {bib!r}")
    antenna = _antenna(fields)
    if isinstance(antenna, str):
        return problem(antenna)
    dbm = fields.get("amd", "")
    if dbm and not _DBM.fullmatch(dbm):
        return problem(f"amd: expected dBm like -101.15, got {dbm!r}")
    return DeviceRead(
        format=FORMAT,
        tag=chip.upper(),
        time=when,
        raw=text,
        device=fields.get("dv", ""),
        antenna=antenna,
        rssi=float(dbm) if dbm else None,
        bib=int(bib) if bib else None,
        location=location,
    )


def parse_message(text: str, line: int = 1) -> list[DeviceRead | LineProblem]:
    """Every passing (or gun marker) of one message, in order; never raises.

    A control message gives one problem saying so; callers use ``classify`` first.
    """

    def problem(reason: str) -> list[DeviceRead | LineProblem]:
        return [LineProblem(format=FORMAT, line=line, raw=text, reason=reason)]

    if "@" not in text:
        return problem("expected a message 'Source@Command@...@$', got no '@'")
    parts = _split(text)
    source, command = parts[0], parts[1] if len(parts) > 1 else ""
    if command in _CONTROL:
        return problem(CONTROL_REASON)
    if command not in _READS:
        return problem(f"command: expected Passing or Marker, got {command!r}")
    number = parts[-1] if len(parts) > 2 else ""
    if not _INT.fullmatch(number):
        return problem(f"message number: expected a whole number, got {number!r}")
    records = parts[2:-1]
    if command == "Passing":
        return [parse_line(record, line, location=source) for record in records]
    return [_gun(record, line, source) for record in records]


def ack_for(message: str, server: str = DEFAULT_SERVER) -> str | None:
    """What we answer to a message, or None when it needs none (or cannot be read).

    ``Passing`` -> ``<server>@AckPassing@<n>@$``, ``Marker`` -> ``<server>@AckMarker@<n>@$``,
    ``Ping`` -> ``<server>@AckPing@$``, ``Pong`` -> ``<server>@AckPong@Version2.1@$``.
    A Passing is acknowledged even when some records are problems: it was received, and
    every record is kept (as a read or a problem), so it must not come again.
    """
    if not server or _RESERVED.search(server):
        raise ValueError(f"server name must not be empty or contain @ $ |: {server!r}")
    if "@" not in message:
        return None
    parts = _split(message)
    command = parts[1] if len(parts) > 1 else ""
    if command == "Ping":
        return f"{server}@AckPing@{END}"
    if command == "Pong":
        return f"{server}@AckPong@{VERSION}@{END}"
    if command in _READS and len(parts) >= 3 and _INT.fullmatch(parts[-1]):
        return f"{server}@Ack{command}@{parts[-1]}@{END}"
    return None


# --- records -----------------------------------------------------------------------------


def _fields(record: str) -> dict[str, str] | str:
    """The record's ``key=value`` pairs, or why they cannot be read."""
    fields: dict[str, str] = {}
    for item in record.strip().split("|"):
        key, equals, value = item.partition("=")
        if not equals or not key:
            return f"field: expected key=value, got {item!r}"
        if key in fields:
            return f"{key}: given twice"
        fields[key] = value
    return fields


def _device_time(fields: dict[str, str]) -> DeviceTime | str:
    clock = fields.get("t")
    if clock is None:
        return "t: missing (the time)"
    at = _time_of_day(clock)
    if at is None:
        return f"t: expected HH:MM:SS.mmm, got {clock!r}"
    day = fields.get("d", "")
    if not day:
        return DeviceTime(time_of_day=at)
    match = _YYMMDD.fullmatch(day)
    on = None if match is None else _date(2000 + int(match[1]), int(match[2]), int(match[3]))
    if on is None:
        return f"d: expected YYMMDD, got {day!r}"
    return DeviceTime(local=datetime.combine(on, at))


def _antenna(fields: dict[str, str]) -> int | str | None:
    strongest = fields.get("ans", "")
    if strongest:
        if not _INT.fullmatch(strongest):
            return f"ans: expected a whole number, got {strongest!r}"
        return int(strongest)
    value = fields.get("an", "")
    if not value or _MASK.fullmatch(value):  # a BibTag mask names no single antenna
        return None
    if not _INT.fullmatch(value):
        return f"an: expected an antenna number or an 8-digit 0/1 mask, got {value!r}"
    return int(value)


def _gun(record: str, line: int, source: str) -> DeviceRead | LineProblem:
    def problem(reason: str) -> LineProblem:
        return LineProblem(format=FORMAT, line=line, raw=record, reason=reason)

    fields = _fields(record)
    if isinstance(fields, str):
        return problem(fields)
    kind = fields.get("mt", "")
    if kind != "Gunshot":
        return problem(f"not a passing (marker {kind!r}, not a Gunshot)")
    clock = fields.get("t", "")
    day_text, _, clock_text = clock.rpartition(" ")
    at = _time_of_day(clock_text)
    if at is None:
        return problem(f"t: expected HH:MM:SS.mmm or YYYY-MM-DD HH:MM:SS.mmm, got {clock!r}")
    if not day_text:
        when = DeviceTime(time_of_day=at)
    else:
        match = _ISO_DATE.fullmatch(day_text)
        on = None if match is None else _date(int(match[1]), int(match[2]), int(match[3]))
        if on is None:
            return problem(f"t: expected HH:MM:SS.mmm or YYYY-MM-DD HH:MM:SS.mmm, got {clock!r}")
        when = DeviceTime(local=datetime.combine(on, at))
    return DeviceRead(
        format=FORMAT,
        tag=GUN_TAG,
        time=when,
        raw=record,
        device=fields.get("dv", ""),
        location=source,
    )


def _time_of_day(text: str) -> time | None:
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    hour, minute, second = (int(part) for part in match.group(1, 2, 3))
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second, int((match.group(4) or "0").ljust(6, "0")))


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # 120230, month 13, year 0
        return None
