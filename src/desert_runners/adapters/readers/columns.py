"""Any CSV of reads, through a column mapping: ``tag=2,time=3`` or a small YAML file.

Columns are numbered from 1, as a spreadsheet shows them. Fields: ``tag`` and ``time``
(needed), ``date``, ``sequence``, ``antenna``, ``rssi``. A YAML file may also say the
``delimiter`` (default: the most frequent of tab, ``;`` and ``,`` in the first line) and
whether the first line is a ``header`` (default: when its time column is not a time)::

    tag: 2
    time: 3
    delimiter: ";"
    header: true

Times: ``HH:MM[:SS[.f]]`` (a time of day; with a ``date`` column, that day's),
``YYYY-MM-DD HH:MM:SS[.f]`` (``/`` and ``T`` work too; the device's wall clock), or ISO
8601 with ``Z`` or an offset (absolute).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from desert_runners.adapters.readers.model import DeviceRead, DeviceTime, LineProblem, ParseResult
from desert_runners.domain.errors import UserError
from desert_runners.domain.local_time import parse_time_of_day

FORMAT = "csv"
FIELDS = ("tag", "time", "date", "sequence", "antenna", "rssi")
_NEEDED = ("tag", "time")
_DELIMITERS = ("\t", ";", ",")
_TAG = re.compile(r"[A-Za-z0-9]{1,64}")
_INTEGER = re.compile(r"-?[0-9]{1,18}")
_NUMBER = re.compile(r"-?[0-9]{1,9}(\.[0-9]{1,9})?")
_DATE = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})")


@dataclass(frozen=True)
class ColumnMap:
    columns: Mapping[str, int]  # field -> column number, from 1
    delimiter: str | None = None  # None: guessed from the first line
    header: bool | None = None  # None: guessed from the first line


def column_map(spec: str) -> ColumnMap:
    """``tag=2,time=3[,...]``, or the path of a YAML file saying the same."""
    if "=" in spec:
        pairs: dict[str, object] = {}
        for part in spec.split(","):
            name, equals, value = part.partition("=")
            if not equals:
                raise UserError(
                    f"--columns {spec!r}: expected FIELD=COLUMN pairs such as tag=2,time=3, "
                    "or a YAML file"
                )
            pairs[name.strip()] = value.strip()
        return _checked(pairs, "--columns")
    path = Path(spec)
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"--columns {spec!r}: no such file (or give tag=2,time=3)") from None
    except yaml.MarkedYAMLError as error:  # one line, pointing at the mistake
        line = f":{error.problem_mark.line + 1}" if error.problem_mark else ""
        raise UserError(f"{path.name}{line}: not YAML: {error.problem}") from None
    except OSError as error:
        raise UserError(f"{path.name}: cannot read: {error.strerror or error}") from None
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise UserError(f"{path.name}: not YAML: {type(error).__name__}") from None
    if not isinstance(loaded, dict):
        raise UserError(f"{path.name}: expected a mapping such as 'tag: 2' and 'time: 3'")
    return _checked(loaded, path.name)


def _checked(given: Mapping[Any, object], where: str) -> ColumnMap:
    options = {"delimiter", "header"}
    unknown = [str(name) for name in given if name not in (*FIELDS, *options)]
    if unknown:
        raise UserError(
            f"{where}: unknown field {unknown[0]!r} (fields: {', '.join(FIELDS)}; "
            "options: delimiter, header)"
        )
    columns: dict[str, int] = {}
    for name in FIELDS:
        if name not in given:
            continue
        value = given[name]
        text = str(value).strip()
        if isinstance(value, bool) or not text.isdigit() or int(text) < 1:
            raise UserError(f"{where}: {name}: expected a column number from 1, got {value!r}")
        columns[name] = int(text)
    missing = [name for name in _NEEDED if name not in columns]
    if missing:
        raise UserError(f"{where}: {' and '.join(missing)}: missing (tag and time are needed)")
    delimiter = given.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise UserError(f"{where}: delimiter: expected one character, got {delimiter!r}")
    header = given.get("header")
    if header is not None and not isinstance(header, bool):
        raise UserError(f"{where}: header: expected true or false, got {header!r}")
    return ColumnMap(columns, delimiter, header)


def guess_delimiter(first: str) -> str:
    counts = {delimiter: first.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def is_header(text: str, mapping: ColumnMap, delimiter: str) -> bool:
    """Whether the first line names the columns: by default, when its time column has no
    digit at all (a damaged time still has some, and is reported, not skipped)."""
    if mapping.header is not None:
        return mapping.header
    cells = _cells(text, delimiter)
    column = mapping.columns["time"]
    cell = cells[column - 1] if len(cells) >= column else ""
    return not any(character.isdigit() for character in cell)


def parse_line(text: str, line: int, mapping: ColumnMap, delimiter: str) -> ParseResult:
    """One data line; never raises."""
    raw = text.rstrip("\r\n\0")
    cells = _cells(raw, delimiter)

    def problem(reason: str) -> LineProblem:
        return LineProblem(FORMAT, line, raw, reason)

    needed = max(mapping.columns.values())
    if len(cells) < needed:
        return problem(f"fields: expected at least {needed}, got {len(cells)}")
    value = {name: cells[column - 1].strip() for name, column in mapping.columns.items()}
    tag = value["tag"]
    if not _TAG.fullmatch(tag):
        return problem(f"tag: expected letters and digits, got {tag!r}")
    day = None
    if "date" in value:
        match = _DATE.fullmatch(value["date"])
        day = _date(match) if match else None
        if day is None:
            return problem(f"date: expected YYYY-MM-DD, got {value['date']!r}")
    when = _time(value["time"], day)
    if when is None:
        return problem(
            "time: expected HH:MM:SS[.f], YYYY-MM-DD HH:MM:SS[.f] or ISO 8601 with an offset, "
            f"got {value['time']!r}"
        )
    for name, pattern in (("sequence", _INTEGER), ("antenna", _INTEGER), ("rssi", _NUMBER)):
        if value.get(name) and not pattern.fullmatch(value[name]):
            return problem(f"{name}: expected a number, got {value[name]!r}")
    return DeviceRead(
        format=FORMAT,
        tag=tag.upper(),
        time=when,
        raw=raw,
        sequence=int(value["sequence"]) if value.get("sequence") else None,
        antenna=int(value["antenna"]) if value.get("antenna") else None,
        rssi=float(value["rssi"]) if value.get("rssi") else None,
    )


def _cells(text: str, delimiter: str) -> Sequence[str]:
    return next(csv.reader([text], delimiter=delimiter), [])


def _date(match: re.Match[str]) -> date | None:
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _time(text: str, day: date | None) -> DeviceTime | None:
    clock = parse_time_of_day(text)
    if clock is not None:
        if day is not None:
            return DeviceTime(local=datetime.combine(day, clock))
        return DeviceTime(time_of_day=clock)
    match = _DATE.match(text)
    if day is not None or match is None:
        return None
    year, month, number = (int(part) for part in match.groups())
    try:  # fromisoformat wants YYYY-MM-DD: 2026/3/9 is rewritten first
        moment = datetime.fromisoformat(f"{year:04d}-{month:02d}-{number:02d}{text[match.end() :]}")
    except ValueError:
        return None
    if moment.tzinfo is None:
        return DeviceTime(local=moment)
    return DeviceTime(utc=moment.astimezone(UTC))
