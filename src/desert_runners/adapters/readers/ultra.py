"""RFID Timing Systems "Ultra" and "Joey" readers: TCP port 23, one read per line.

A read is 12 comma-separated fields::

    0,11055,1170518701,698,1,-71,0,2,1,0000000000000000,0,29319
    | chip  seconds    ms  port RSSI rewind reader UltraID MTB-start ? LogID

- the first field is 0 (1 is also seen and read the same way);
- seconds since 1980-01-01 00:00 on the box's own wall clock, plus milliseconds: a local
  time (``DeviceTime.local``);
- port 1-4 on internal reader 1 or 2: an Ultra-8 has two readers of four ports, so the
  antenna is ``port + 4 * (reader - 1)`` (1-8); chip 0 on port 0 is the box's start
  trigger, kept as a read of tag "0" on antenna 0;
- rewind is 1 when the read is sent again on request;
- LogID numbers every read the box stores: a gap means reads were missed (see
  ``missing_log_ids`` and ``rewind_missing``).

The commands follow what working clients send (PikaTimer, RFIDServer), not the manual's
"600"/"800": a rewind is ``6`` then two NUL bytes, then the first and last LogID each
ended by CR; the clock is set with ``t HH:MM:SS DD-MM-YYYY`` and no line end.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem, ParseResult
from desert_runners.adapters.readers.read_file import ReadFile, read_lines

FORMAT = "ultra"
EPOCH = datetime(1980, 1, 1)
_FIELDS = 12
# Bounded: int() refuses strings of over 4300 digits, and no field needs 19.
_INTEGER = re.compile(r"-?[0-9]{1,18}")
_CHIP = re.compile(r"[0-9A-Za-z]+")
_NUMBER = re.compile(r"-?[0-9]{1,9}(\.[0-9]{1,9})?")
# Beyond this the date leaves datetime's range; no real clock is that far off.
_MAX_SECONDS = (datetime(9999, 1, 1) - EPOCH).days * 86_400


def parse_line(text: str, line: int = 1) -> ParseResult:
    """One line from the reader or a capture of it; never raises."""
    raw = text.rstrip("\r\n\0")
    fields = [field.strip() for field in raw.strip().split(",")]

    def problem(reason: str) -> LineProblem:
        return LineProblem(FORMAT, line, raw, reason)

    if len(fields) != _FIELDS:
        return problem(f"fields: expected {_FIELDS} comma-separated, got {len(fields)}")
    kind, chip, seconds, millis, port, rssi, rewind, reader, ultra_id = fields[:9]
    log_id = fields[11]
    if kind not in ("0", "1"):
        return problem(f"record type: expected 0 or 1, got {kind!r}")
    if not _CHIP.fullmatch(chip):
        return problem(f"chip: expected letters or digits, got {chip!r}")
    for name, value in (
        ("seconds", seconds),
        ("milliseconds", millis),
        ("port", port),
        ("reader", reader),
        ("LogID", log_id),
    ):
        if not _INTEGER.fullmatch(value):
            return problem(f"{name}: expected a whole number, got {value!r}")
    if not _NUMBER.fullmatch(rssi):
        return problem(f"RSSI: expected a number, got {rssi!r}")
    if not 0 <= int(seconds) <= _MAX_SECONDS:
        return problem(f"seconds: expected seconds since 1980, got {seconds}")
    if not 0 <= int(millis) <= 999:
        return problem(f"milliseconds: expected 0-999, got {millis}")
    if not 0 <= int(port) <= 4:
        return problem(f"port: expected 0-4, got {port}")
    if reader not in ("1", "2"):
        return problem(f"reader: expected 1 or 2, got {reader!r}")
    if rewind not in ("0", "1"):
        return problem(f"rewind: expected 0 or 1, got {rewind!r}")
    if int(log_id) < 0:
        return problem(f"LogID: expected 0 or more, got {log_id}")
    antenna = int(port) + 4 * (int(reader) - 1) if int(port) else 0
    return DeviceRead(
        format=FORMAT,
        tag=chip.upper(),
        time=DeviceTime(local=EPOCH + timedelta(seconds=int(seconds), milliseconds=int(millis))),
        raw=raw,
        device=ultra_id,
        sequence=int(log_id),
        antenna=antenna,
        rssi=float(rssi),
    )


def skip_line(text: str) -> bool:
    """Lines of a capture that are the box talking, not reads: skipped by ``read_file``.

    The connect banner (``...,Connected,...``), voltage (``V=``), status (``S``) and
    settings answers (``U``/``u``) all start with a letter or carry "Connected".
    """
    stripped = text.strip(" \t\0")
    return "Connected" in stripped.split(",")[:2] or stripped[:1] in ("V", "S", "U", "u")


def read_file(path: Path) -> ReadFile:
    """A file of captured reader lines."""
    return read_lines(path, parse_line, skip_line)


def is_rewind(read: DeviceRead) -> bool:
    """Whether the box sent this read again on request (field 7 is 1), not live."""
    fields = read.raw.split(",")
    return len(fields) == _FIELDS and fields[6].strip() == "1"


def missing_log_ids(previous: int | None, current: int) -> range:
    """The LogIDs missed between ``previous`` and this live read (empty when none).

    ``previous`` is the highest LogID received so far from this box (``None`` before the
    first). Rewound reads come back with old LogIDs: they fill gaps, they never open one,
    so a LogID at or below ``previous`` (a rewound read, or a box whose memory was
    cleared) is no gap.
    """
    if previous is None or current <= previous + 1:
        return range(0)
    return range(previous + 1, current)


def rewind(from_id: int, to_id: int) -> str:
    """The command asking the box to send again the reads ``from_id`` to ``to_id``."""
    if from_id < 0 or to_id < from_id:
        raise ValueError(f"rewind: expected 0 <= from_id <= to_id, got {from_id}, {to_id}")
    return f"6\0\0{from_id}\r{to_id}\r"


def rewind_missing(missing: range) -> str:
    """The rewind for a gap, widened to the two reads already held on either side.

    Whether the box's bounds are inclusive is not documented; asking from the last
    read before the gap to the first after it loses nothing either way, and the two
    reads that come back twice are duplicates the event log already tells apart.
    """
    if not missing:
        raise ValueError("rewind_missing: no LogID is missing")
    return rewind(max(missing.start - 1, 0), missing.stop)


def set_clock(moment: datetime) -> str:
    """The command setting the box's clock to ``moment``'s wall-clock time."""
    return f"t {moment:%H:%M:%S} {moment:%d-%m-%Y}"
