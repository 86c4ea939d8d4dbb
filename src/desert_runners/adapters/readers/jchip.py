"""JChip, TCP port 53135, space-separated fields, lines end with CR only (not LF).

Also what CrossMgr's Impinj and Alien relays send. The reader connects and names itself
``N0000<name>``; we ask its clock with ``GT``, it answers ``GT0HHMMSShh date=YYYYMMDD``
(``GT``, a day count, the time, then decimals of a second); we say ``S0000`` and the
passings flow::

    DJ413A35 10:11:16.4433 10  0001F      C7 date=20240115

``D``, a letter, the tag; the time of day; a field whose second character counts the
days the reader has been running (-> ``day_offset``); the read's index in hex
(-> ``sequence``); ``C7``; and, from newer relays, ``date=YYYYMMDD`` (-> ``date_hint``).

Decisions: at least the first four fields; the time is ``HH:MM:SS`` with 1-6 decimals
(readers send 2 to 6); the day count is one digit; other trailing fields are ignored; the
tag is upper-cased. A passing does not name the reader: ``reader_name`` reads it from
the ``N0000`` line for the caller to fill ``device``.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Literal

from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem

FORMAT = "jchip"
EOL = "\r"

CONTROL_REASON = "not a passing (control message)"

Kind = Literal["passing", "control", "unknown"]

_TAG = re.compile(r"D[A-Za-z]([A-Za-z0-9]+)", re.ASCII)
_TIME = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?", re.ASCII)
_INDEX = re.compile(r"[0-9A-Fa-f]{1,12}", re.ASCII)
_DATE = re.compile(r"date=([0-9]{4})([0-9]{2})([0-9]{2})", re.ASCII)
_CLOCK = re.compile(r"GT([0-9])([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{1,6})?(?: +(\S+))?", re.ASCII)


def classify(text: str) -> Kind:
    """``passing`` (``D...``), ``control`` (``N0000<name>``, ``GT...``, ``S0000``)."""
    body = text.strip()
    if body.startswith("D"):
        return "passing"
    if body.startswith(("N", "GT", "S")):
        return "control"
    return "unknown"


def parse_line(text: str, line: int = 1) -> DeviceRead | LineProblem:
    """One line as received (no CR); never raises."""

    def problem(reason: str) -> LineProblem:
        return LineProblem(format=FORMAT, line=line, raw=text, reason=reason)

    kind = classify(text)
    if kind == "control":
        return problem(CONTROL_REASON)
    if kind == "unknown":
        return problem("not a passing: expected a line starting with 'D'")
    fields = text.split()
    if len(fields) < 4:
        return problem(f"expected at least 4 space-separated fields, got {len(fields)}")
    tag = _TAG.fullmatch(fields[0])
    if tag is None:
        return problem(f"tag: expected 'D', a letter, then letters and digits, got {fields[0]!r}")
    at = _time_of_day(fields[1])
    if at is None:
        return problem(f"time: expected HH:MM:SS.ffff, got {fields[1]!r}")
    days = fields[2]
    if len(days) < 2 or not ("0" <= days[1] <= "9"):
        return problem(f"day count: expected a digit as the 2nd character, got {days!r}")
    if not _INDEX.fullmatch(fields[3]):
        return problem(f"index: expected hex digits, got {fields[3]!r}")
    hint = None
    for extra in fields[4:]:
        if extra.startswith("date="):
            hint = _date(extra)
            if hint is None:
                return problem(f"date: expected date=YYYYMMDD, got {extra!r}")
    return DeviceRead(
        format=FORMAT,
        tag=tag[1].upper(),
        time=DeviceTime(time_of_day=at, day_offset=int(days[1]), date_hint=hint),
        raw=text,
        sequence=int(fields[3], 16),
    )


def parse_clock(text: str, line: int = 1) -> DeviceTime | LineProblem:
    """The reader's answer to ``GT``: its clock, to work out its offset; never raises."""
    match = _CLOCK.fullmatch(text.strip())
    reason = f"clock: expected GT<day>HHMMSS<decimals> [date=YYYYMMDD], got {text.strip()!r}"
    if match is None:
        return LineProblem(format=FORMAT, line=line, raw=text, reason=reason)
    day, hour, minute, second, fraction, extra = match.groups()
    at = _clock(hour, minute, second, fraction)
    hint = None if extra is None else _date(extra)
    if at is None or (extra is not None and hint is None):
        return LineProblem(format=FORMAT, line=line, raw=text, reason=reason)
    return DeviceTime(time_of_day=at, day_offset=int(day), date_hint=hint)


def reader_name(text: str) -> str | None:
    """The name in the reader's ``N0000<name>`` hello, None for any other line."""
    body = text.strip()
    if not body.startswith("N") or len(body) < 5:
        return None
    return body[5:].strip()


# --- what we send (without EOL) ------------------------------------------------------


def get_time() -> str:
    """Ask the reader's clock; it answers ``GT0HHMMSShh date=YYYYMMDD``."""
    return "GT"


def start_sending() -> str:
    """Tell the reader to send its passings."""
    return "S0000"


# --- times -------------------------------------------------------------------------------


def _time_of_day(text: str) -> time | None:
    match = _TIME.fullmatch(text)
    return None if match is None else _clock(*match.group(1, 2, 3, 4))


def _clock(hour: str, minute: str, second: str, fraction: str | None) -> time | None:
    h, m, s = int(hour), int(minute), int(second)
    if h > 23 or m > 59 or s > 59:
        return None
    return time(h, m, s, int((fraction or "0").ljust(6, "0")))


def _date(text: str) -> date | None:
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:  # date=20240230, month 13, year 0
        return None
