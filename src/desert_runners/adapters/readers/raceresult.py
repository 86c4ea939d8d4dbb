"""RaceResult decoder (System 5000 / Ubidium), TCP port 3601, ``;``-separated, CRLF.

A passing is ``PassingNo;TranspCode;Date;Time;...``. Protocol 3.2 (what we ask for with
``SETPROTOCOL;3.2``) sends 20 fields::

    PassingNo; TranspCode; Date; Time; EventID; Hits; MaxRSSI; InternalData; IsActive;
    Channel; LoopID; LoopOnly; WakeupCounter; Battery; Temperature; InternalActiveData;
    BoxName; FileNumber; MaxRSSIAntenna; BoxId

Older protocols and file exports carry the first 8 only
(``1;33;0000-00-00;00:00:02.773;6692;12;-68;09ca52``). Pushed passings
(``SETPUSHPASSINGS;1;0``) come with a ``#P;`` prefix; polled ones (``<from>:<count>``)
without, the block ending with an empty line. Every other answer starts with the command
it answers (``GETPROTOCOL;3.2;1.0;3.2``, ``PASSINGS;12``, ``SETTIME;...``): control.

Decisions: exactly 8 or at least 20 fields (anything between is a cut line); the date is
``YYYY-MM-DD`` (``local``) or ``0000-00-00`` when the box has no date (``time_of_day``);
the time ``HH:MM:SS`` with 1-6 decimals (the decoder sends 3); MaxRSSI is decimal dBm;
``device`` is BoxName (BoxId when the name is empty), ``location`` the LoopID,
``antenna`` MaxRSSIAntenna. The transponder code is upper-cased.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Literal

from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem

FORMAT = "raceresult"
EOL = "\r\n"  # what ends every command and answer on the wire
PROTOCOL = "3.2"

# Commands a client sends (without EOL); answers echo the command word first.
GET_PROTOCOL = "GETPROTOCOL"
SET_PROTOCOL = f"SETPROTOCOL;{PROTOCOL}"
GET_PASSINGS_COUNT = "PASSINGS"
PUSH_PASSINGS = "SETPUSHPASSINGS;1;0"  # push new passings live, no stored ones

CONTROL_REASON = "not a passing (control message)"

Kind = Literal["passing", "control", "unknown"]

_PASSING = re.compile(r"(#P;)?[0-9]+;", re.ASCII)
_COMMAND = re.compile(r"[A-Z][A-Z0-9]*([; ].*)?", re.ASCII | re.DOTALL)
_INT = re.compile(r"[0-9]{1,18}", re.ASCII)
_TAG = re.compile(r"[A-Za-z0-9]+", re.ASCII)
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_TIME = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?", re.ASCII)
_RSSI = re.compile(r"-?[0-9]{1,4}(?:\.[0-9]{1,3})?", re.ASCII)

_OLD_FIELDS = 8
_V32_FIELDS = 20
_NO_DATE = "0000-00-00"


def classify(text: str) -> Kind:
    """``passing``, ``control`` (an answer to a command, or the empty end of a block)."""
    body = text.rstrip("\r\n")
    if _PASSING.match(body):
        return "passing"
    if body == "" or _COMMAND.fullmatch(body):
        return "control"
    return "unknown"


def request_passings(start: int, count: int) -> str:
    """The poll for ``count`` passings from number ``start`` (the decoder counts from 1)."""
    if start < 1 or count < 1:
        raise ValueError(f"start and count must be at least 1, got {start}:{count}")
    return f"{start}:{count}"


def parse_line(text: str, line: int = 1) -> DeviceRead | LineProblem:
    """One passing line as received (no CRLF); never raises."""

    def problem(reason: str) -> LineProblem:
        return LineProblem(format=FORMAT, line=line, raw=text, reason=reason)

    kind = classify(text)
    if kind == "control":
        return problem(CONTROL_REASON)
    if kind == "unknown":
        return problem("not a passing: expected 'PassingNo;TranspCode;Date;Time;...'")

    body = text.rstrip("\r\n").removeprefix("#P;")
    fields = body.split(";")
    if len(fields) != _OLD_FIELDS and len(fields) < _V32_FIELDS:
        return problem(
            f"expected {_OLD_FIELDS} or at least {_V32_FIELDS} ';'-separated fields, "
            f"got {len(fields)}"
        )
    number, tag, day, clock = fields[0], fields[1].strip(), fields[2], fields[3]
    if not _INT.fullmatch(number):
        return problem(f"PassingNo: expected a whole number, got {number!r}")
    if not _TAG.fullmatch(tag):
        return problem(f"TranspCode: expected letters and digits, got {tag!r}")

    at = _time_of_day(clock)
    if at is None:
        return problem(f"time: expected HH:MM:SS.mmm, got {clock!r}")
    if day == _NO_DATE:
        when = DeviceTime(time_of_day=at)
    else:
        on = _date(day)
        if on is None:
            return problem(f"date: expected YYYY-MM-DD or {_NO_DATE}, got {day!r}")
        when = DeviceTime(local=datetime.combine(on, at))

    rssi_text = fields[6].strip()
    if rssi_text and not _RSSI.fullmatch(rssi_text):
        return problem(f"MaxRSSI: expected dBm like -68, got {rssi_text!r}")

    device, location, antenna = "", "", None
    if len(fields) >= _V32_FIELDS:
        device = fields[16].strip() or fields[19].strip()
        location = fields[10].strip()
        antenna_text = fields[18].strip()
        if antenna_text:
            if not _INT.fullmatch(antenna_text):
                return problem(f"MaxRSSIAntenna: expected a whole number, got {antenna_text!r}")
            antenna = int(antenna_text)

    return DeviceRead(
        format=FORMAT,
        tag=tag.upper(),
        time=when,
        raw=text,
        device=device,
        sequence=int(number),
        antenna=antenna,
        rssi=float(rssi_text) if rssi_text else None,
        location=location,
    )


def _time_of_day(text: str) -> time | None:
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    hour, minute, second = (int(part) for part in match.group(1, 2, 3))
    if hour > 23 or minute > 59 or second > 59:
        return None
    micro = int((match.group(4) or "0").ljust(6, "0"))
    return time(hour, minute, second, micro)


def _date(text: str) -> date | None:
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.group(1, 2, 3)))
    except ValueError:  # 2024-02-30, month 13, year 0
        return None
