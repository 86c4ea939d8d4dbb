"""A device's file, whatever its format, as numbered reads and problems.

The per-format modules parse lines; this reads a whole file for an import, keeping each
read's line number (an import report points at ``file:line``) and the reader's name
when the file gives one. The stream formats (RaceResult, ChronoTrack, JChip, MyLaps) are
read from a capture of the stream: their control lines (greetings, pings, clock
answers) are not reads and are skipped; every other line is a read or a problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from desert_runners.adapters.readers import (
    alien,
    chronotrack,
    impinj_log,
    ipico,
    jchip,
    mylaps,
    raceresult,
    ultra,
    wiclax,
)
from desert_runners.adapters.readers.model import DeviceRead, LineProblem, ParseResult
from desert_runners.adapters.readers.read_file import decode_lines

Results = Iterator[tuple[int, ParseResult]]
Skip = Callable[[str], bool]


@dataclass(frozen=True)
class NumberedRead:
    line: int  # 1-based line of the file (several MyLaps reads may share one)
    read: DeviceRead


@dataclass(frozen=True)
class DeviceFile:
    name: str  # the file's name, for file:line in reports
    format: str
    reads: tuple[NumberedRead, ...]
    problems: tuple[LineProblem, ...]
    lines: int  # physical lines, blank and skipped ones included
    device: str = ""  # the reader's name when the file says it
    encoding: str = "utf-8"


def _lines(lines: Sequence[str], parse: Callable[[str, int], ParseResult], skip: Skip) -> Results:
    for number, text in enumerate(lines, start=1):
        if text.strip(" \t\0") and not skip(text):
            yield number, parse(text, number)


def _never(_text: str) -> bool:
    return False


def _control(classify: Callable[[str], str]) -> Skip:
    return lambda text: classify(text) == "control"


def _impinj(lines: Sequence[str]) -> Results:
    # A header naming UTC makes every time in the file UTC.
    utc = any(impinj_log.is_header(text) and "utc" in text.lower() for text in lines)
    return _lines(
        lines, lambda text, n: impinj_log.parse_line(text, n, utc=utc), impinj_log.is_header
    )


def _mylaps(lines: Sequence[str]) -> Results:
    """One message per line (several passings each), or one bare passing record."""
    for number, text in enumerate(lines, start=1):
        if not text.strip(" \t\0"):
            continue
        if "@" not in text:
            yield number, mylaps.parse_line(text.strip(), number)
        elif mylaps.classify(text) != "control":
            for result in mylaps.parse_message(text, number):
                yield number, result


LINE_READERS: dict[str, Callable[[Sequence[str]], Results]] = {
    "alien": lambda lines: _lines(lines, alien.parse_line, alien.skip_line),
    "chronotrack": lambda lines: _lines(
        lines, chronotrack.parse_line, _control(chronotrack.classify)
    ),
    "impinj": _impinj,
    "ipico": lambda lines: _lines(lines, ipico.parse_line, ipico.skip_line),
    "jchip": lambda lines: _lines(lines, jchip.parse_line, _control(jchip.classify)),
    "mylaps": _mylaps,
    "raceresult": lambda lines: _lines(lines, raceresult.parse_line, _control(raceresult.classify)),
    "ultra": lambda lines: _lines(lines, ultra.parse_line, ultra.skip_line),
    "wiclax": lambda lines: _lines(lines, wiclax.parse_line, wiclax.skip_line),
}


def read_device_lines(
    name: str, lines: Sequence[str], results: Results, kind: str, encoding: str = "utf-8"
) -> DeviceFile:
    reads: list[NumberedRead] = []
    problems: list[LineProblem] = []
    for number, result in results:
        if isinstance(result, DeviceRead):
            reads.append(NumberedRead(number, result))
        else:
            problems.append(result)
    return DeviceFile(
        name, kind, tuple(reads), tuple(problems), len(lines), _device(lines, reads), encoding
    )


def read_known_format(path: Path, kind: str) -> DeviceFile:
    """``path`` read as ``kind``, one of ``LINE_READERS``."""
    lines, encoding = decode_lines(path)
    return read_device_lines(path.name, lines, LINE_READERS[kind](lines), kind, encoding)


def _device(lines: Sequence[str], reads: Sequence[NumberedRead]) -> str:
    """The reader's name: JChip's hello (``N0000<name>``), else the first read's box."""
    for text in lines:
        if text.startswith("N0000") and (name := jchip.reader_name(text)):
            return name
    return next((item.read.device for item in reads if item.read.device), "")
