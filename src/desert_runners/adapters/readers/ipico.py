"""iPico readers: TCP port 10000, CRLF, one read per line of 36 lower-case hex characters.

Positions, worked out from the sample ``aa00058000123b3200012603071348503277`` and
rusty-timer's parser::

    aa 00 058000123b32 00 01 260307 134850 32 77
    |  |  tag          I  Q  YYMMDD HHMMSS cc checksum
    |  reader id

- the date and time fields are decimal digits; ``cc`` is hundredths of a second written
  in hex (``32`` = 50), so 00-63;
- the checksum is the sum of the character codes of positions 2-33 (reader id to
  hundredths), modulo 256, written as two hex digits: any single changed character
  changes the sum by less than 256, so it is always caught;
- in first-seen/last-seen mode the line carries ``FS`` or ``LS`` after the checksum;
  that read is parsed the same way (the suffix stays in ``raw``);
- the date is the reader's: a local time (``DeviceTime.local``), years 2000-2099.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem, ParseResult
from desert_runners.adapters.readers.read_file import ReadFile, read_lines

FORMAT = "ipico"
LENGTH = 36
_HEX = re.compile(r"[0-9a-fA-F]+")
_DIGITS = re.compile(r"[0-9]{12}")
_SUFFIXES = ("FS", "LS")


def checksum(body: str) -> int:
    """The iPico checksum of a line's characters 2-33."""
    return sum(map(ord, body)) & 0xFF


def parse_line(text: str, line: int = 1) -> ParseResult:
    """One line from the reader or a capture of it; never raises."""
    raw = text.rstrip("\r\n\0")
    read = raw.strip()

    def problem(reason: str) -> LineProblem:
        return LineProblem(FORMAT, line, raw, reason)

    if len(read) == LENGTH + 2 and read[LENGTH:] in _SUFFIXES:
        read = read[:LENGTH]
    if len(read) != LENGTH:
        return problem(f"length: expected {LENGTH} hex characters, got {len(read)}")
    if not _HEX.fullmatch(read):
        return problem("characters: expected hex digits only")
    if read[:2] != "aa":
        return problem(f"prefix: expected aa, got {read[:2]}")
    expected = checksum(read[2:34])
    if read[34:36].lower() != f"{expected:02x}":
        return problem(f"checksum: expected {expected:02x}, got {read[34:36]}")
    stamp = read[20:32]
    if not _DIGITS.fullmatch(stamp):
        return problem(f"date and time: expected YYMMDDHHMMSS in digits, got {stamp}")
    hundredths = int(read[32:34], 16)
    if hundredths > 99:
        return problem(f"hundredths: expected 00-63 in hex, got {read[32:34]}")
    year, month, day, hour, minute, second = (int(stamp[i : i + 2]) for i in range(0, 12, 2))
    try:
        moment = datetime(2000 + year, month, day, hour, minute, second, hundredths * 10_000)
    except ValueError:
        return problem(f"date and time: no such moment {stamp}")
    return DeviceRead(
        format=FORMAT,
        tag=read[4:16].upper(),
        time=DeviceTime(local=moment),
        raw=raw,
        device=read[2:4],
    )


def skip_line(text: str) -> bool:
    """Control frames (``ab...``) answer commands; they are not reads."""
    return text.strip(" \t\0").startswith("ab")


def read_file(path: Path) -> ReadFile:
    """A file of captured reader lines."""
    return read_lines(path, parse_line, skip_line)
