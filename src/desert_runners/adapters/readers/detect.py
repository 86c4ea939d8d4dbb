"""Tell a timing device file's format from its content, and read it.

Each known format parses a sample of the file's lines; the format that reads the most of
them as reads is the file's. The formats differ enough (separators, field counts, time
shapes, checksums) that a line of one is never a read of another. A CSV of any other
device has no signature: it is read through a column mapping (``columns.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from desert_runners.adapters.readers import columns
from desert_runners.adapters.readers.files import (
    LINE_READERS,
    DeviceFile,
    read_device_lines,
)
from desert_runners.adapters.readers.model import DeviceRead, ParseResult
from desert_runners.adapters.readers.read_file import decode_lines
from desert_runners.domain.errors import UserError

CSV = columns.FORMAT
FORMATS = (*sorted(LINE_READERS), CSV)
NAMES = {
    "alien": "Alien taglist",
    "chronotrack": "ChronoTrack CTP01",
    "csv": "CSV with --columns",
    "impinj": "Impinj log",
    "ipico": "iPico",
    "jchip": "JChip",
    "mylaps": "MyLaps Exchange",
    "raceresult": "RaceResult decoder",
    "ultra": "RFID Ultra",
    "wiclax": "Wiclax",
}
_SAMPLE = 200  # non-blank lines looked at: enough to outvote a few damaged ones


def detect_format(lines: Sequence[str]) -> str | None:
    """The format that reads most of the first lines as reads; None when none reads any."""
    sample = [text for text in lines if text.strip(" \t\0")][:_SAMPLE]
    best, best_count = None, 0
    for kind, reader in sorted(LINE_READERS.items()):
        count = sum(isinstance(result, DeviceRead) for _, result in reader(sample))
        if count > best_count:
            best, best_count = kind, count
    return best


def detect_file(path: Path) -> str | None:
    """The device format of a file, or None (unreadable files included): a cheap look."""
    try:
        lines, _ = decode_lines(path)
    except UserError:
        return None
    return detect_format(lines)


def read_device_file(
    path: Path, kind: str | None = None, mapping: columns.ColumnMap | None = None
) -> DeviceFile:
    """Every read and problem of the file, in the format given, else the one detected."""
    if mapping is not None and kind not in (None, CSV):
        raise UserError(f"--columns is for CSV files: it cannot go with --format {kind}")
    if kind == CSV and mapping is None:
        raise UserError("--format csv needs --columns (tag=2,time=3, or a YAML file)")
    lines, encoding = decode_lines(path)
    if mapping is not None:
        return read_device_lines(path.name, lines, _csv(lines, mapping), CSV, encoding)
    if kind is None:
        kind = detect_format(lines)
    if kind is None:
        known = ", ".join(NAMES[name] for name in FORMATS if name != CSV)
        raise UserError(
            f"{path.name}: not a timing device file this program knows ({known}): "
            "give --format, or --columns for any other CSV"
        )
    if kind not in LINE_READERS:
        raise UserError(f"--format {kind!r}: expected one of {', '.join(FORMATS)}")
    return read_device_lines(path.name, lines, LINE_READERS[kind](lines), kind, encoding)


def _csv(lines: Sequence[str], mapping: columns.ColumnMap) -> Iterator[tuple[int, ParseResult]]:
    first = next((n for n, text in enumerate(lines) if text.strip(" \t\0")), None)
    if first is None:
        return
    delimiter = mapping.delimiter or columns.guess_delimiter(lines[first])
    header = columns.is_header(lines[first], mapping, delimiter)
    for number, text in enumerate(lines, start=1):
        if not text.strip(" \t\0") or (header and number == first + 1):
            continue
        yield number, columns.parse_line(text, number, mapping, delimiter)
