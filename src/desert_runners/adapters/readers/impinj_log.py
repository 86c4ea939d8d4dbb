"""Impinj reads as logged to a file by the relay software (CrossMgrImpinj's backup file).

The reader itself speaks binary LLRP with UTC microseconds; what lands in the log is
text the relay wrote::

    Tag ID, Discover Time
    20200201FC000004,2020-02-01 14:11:29.139089

The relay converts the reader's UTC to the computer's clock before writing (it adds
"computer now minus reader now" to each read), so the text time is a local wall-clock
time (``DeviceTime.local``) unless the file says otherwise: a header naming UTC, or a
time ending in ``Z``, ``UTC``, ``GMT`` or an offset (``+00:00``, ``-0300``), makes it
``DeviceTime.utc``.

Times are ``YYYY-MM-DD HH:MM:SS[.ffffff]`` (``/`` in the date and ``T`` or ``_`` before
the time are read too) or the older ctime-like ``Sat Feb 01 14:11:29.139089 [zone]
2020-02-01`` (or ``... 2020`` with the date from the month and day). Further columns
(a count, an antenna) are kept in ``raw`` only.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path

from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem, ParseResult
from desert_runners.adapters.readers.read_file import ReadFile, collect, decode_lines

FORMAT = "impinj"
_TAG = re.compile(r"[0-9A-Fa-f]+")
_UTC_NAMES = frozenset({"Z", "UTC", "GMT"})
_ISO = re.compile(
    r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})[ T_]+"
    r"([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?"
    r" *(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})?"
)
_CTIME = re.compile(
    r"[A-Za-z]{3} +([A-Za-z]{3}) +([0-9]{1,2}) +"
    r"([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))? +"
    r"(?:([A-Za-z]{1,5}) +)?([0-9]{4})(?:-([0-9]{2})-([0-9]{2}))?"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_HEADER_FIRST = frozenset({"tag id", "tagid", "tag", "epc"})


def _micro(fraction: str | None) -> int:
    return int((fraction or "0").ljust(6, "0"))


def _zone(text: str | None) -> tzinfo | None:
    """UTC for Z, UTC or GMT; the offset for +HH:MM; None (local) for anything else."""
    if text is None:
        return None
    if text.upper() in _UTC_NAMES:
        return UTC
    if text[0] in "+-" and text[1:].replace(":", "").isdigit():
        minutes = int(text[1:3]) * 60 + int(text[-2:])
        return timezone((-1 if text[0] == "-" else 1) * timedelta(minutes=minutes))
    return None  # a local zone's name (PST): the computer's own clock


def parse_time(text: str) -> datetime | str:
    """The time (zone-aware when the text names UTC or an offset), or why it is not one."""
    try:
        if match := _ISO.fullmatch(text):
            year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
            moment = datetime(year, month, day, hour, minute, second, _micro(match[7]))
            return moment.replace(tzinfo=_zone(match[8]))
        if match := _CTIME.fullmatch(text):
            month_name, day_text, hour_text, minute_text, second_text = match.groups()[:5]
            if match[9] is not None:  # a full date after the year: trust it over the names
                year, month, day = int(match[8]), int(match[9]), int(match[10])
            elif month_name.lower() in _MONTHS:
                year, month = int(match[8]), _MONTHS.index(month_name.lower()) + 1
                day = int(day_text)
            else:
                return f"month: expected Jan-Dec, got {month_name!r}"
            moment = datetime(
                year,
                month,
                day,
                int(hour_text),
                int(minute_text),
                int(second_text),
                _micro(match[6]),
            )
            return moment.replace(tzinfo=_zone(match[7]))
    except (ValueError, OverflowError):
        return f"time: no such moment {text!r}"
    return f"time: expected YYYY-MM-DD HH:MM:SS.ffffff, got {text!r}"


def parse_line(text: str, line: int = 1, *, utc: bool = False) -> ParseResult:
    """One data line of the log; ``utc`` when the file's header says its times are UTC."""
    raw = text.rstrip("\r\n\0")
    fields = [field.strip() for field in raw.split(",")]

    def problem(reason: str) -> LineProblem:
        return LineProblem(FORMAT, line, raw, reason)

    if len(fields) < 2:
        return problem(f"fields: expected tag id and discover time, got {len(fields)}")
    tag = fields[0].replace(" ", "")
    if not _TAG.fullmatch(tag):
        return problem(f"tag id: expected hex digits, got {fields[0]!r}")
    moment = parse_time(fields[1])
    if isinstance(moment, str):
        return problem(moment)
    try:
        if moment.tzinfo is not None:
            time = DeviceTime(utc=moment.astimezone(UTC))
        elif utc:
            time = DeviceTime(utc=moment.replace(tzinfo=UTC))
        else:
            time = DeviceTime(local=moment)
    except OverflowError:  # an offset that pushes year 1 or 9999 out of range
        return problem(f"time: no such moment {fields[1]!r}")
    return DeviceRead(format=FORMAT, tag=tag.upper(), time=time, raw=raw)


def is_header(text: str) -> bool:
    """The column names line (``Tag ID, Discover Time``)."""
    return text.split(",")[0].strip(" \t\0\ufeff").lower() in _HEADER_FIRST


def read_file(path: Path) -> ReadFile:
    """A log file; a header mentioning UTC makes every time in it UTC."""
    lines, encoding = decode_lines(path)
    utc = any(is_header(text) and "utc" in text.lower() for text in lines)
    return collect(
        lines, lambda text, number: parse_line(text, number, utc=utc), is_header, encoding
    )
