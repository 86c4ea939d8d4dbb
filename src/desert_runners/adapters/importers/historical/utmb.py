"""Read the UTMB elapsed-time tables (TRAP data set, raw_utmb/utmb_YYYY.csv).

Columns: a nameless row index, ``bib,name,team,category,rank,nationality,time,timediff``,
then one column per timing point holding the elapsed time from the start (``H:MM:SS``,
past 24 h). A runner who dropped has empty cells from where they stopped; a finisher may
miss a split in the middle (a timing mat that did not read them).

What the files say and how it is read:
- ``time`` present: a finisher, ``rank`` their official overall rank. ``time`` blank
  (the files write one space): did not finish; their ``rank`` is only the row number
  running on after the last finisher, not a rank, so it is not kept.
- ``category`` is an age band and a sex: ``SE H`` (senior homme), ``V1 F`` (vétéran 1
  femme), ``ES H`` (espoir); H gives "M", F gives "F".
- ``name`` is ``FAMILY Given``: the family name in capitals first.
- Blank cells (``" "``) for team and nationality read as empty.
- 2015 is UTF-8 with CRLF; 2016 has CR line ends and is UTF-8 read as cp1252 and saved
  as Mac Roman (see ``model.decode``), so 11 of its names keep a U+FFFD where a letter
  was lost in that round trip.

The checkpoints file (``checkpoints_2015_2016.csv``: ``Ckpt,InnerDist,CumDist,Altitude,
CumulPlus,CumulMinus,...,Time_barrier,...``) gives each timing point its km, altitude,
cumulative climb and descent, and whether it has a time barrier. The column names of the
results are abbreviated differently each year (``Delev``/``Delevret``, ``StGer``/``St
Gervais`` for ``St.Gervais``); a column matches the checkpoint whose folded name is the
same or starts with it. ``Courm2`` (leaving Courmayeur) has no row of its own: a column
whose name differs from a checkpoint's only by a trailing number is the same place, so it
gets ``Courm1``'s values. A column matching no checkpoint keeps km etc. unknown.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path

from desert_runners.adapters.importers.historical.model import (
    MAX_BIB,
    Gender,
    HistoricalFormatError,
    HistoricalRace,
    HistoricalRow,
    TimingPoint,
    decode,
    fold,
    parse_elapsed,
    problem,
    repair_mojibake,
    whole_number,
    year_in,
)

FORMAT = "utmb"
RACE_NAME = "UTMB"
FIELDS = ("bib", "name", "team", "category", "rank", "nationality", "time", "timediff")
REQUIRED = ("bib", "name", "category", "rank", "time")


def is_utmb_header(fields: Sequence[str]) -> bool:
    names = [field.strip().casefold() for field in fields]
    return all(name in names for name in REQUIRED) and "timediff" in names


def _read_table(path: Path) -> list[tuple[int, list[str]]]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise HistoricalFormatError(f"{path.name}: cannot read: {error.strerror}") from error
    text, _ = decode(raw)
    reader = csv.reader(io.StringIO(text, newline=""))
    return [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]


def _split_name(name: str) -> tuple[str, str]:
    """``FAMILY NAME Given Names`` -> (given, family); all capitals: the last word is given."""
    words = name.split()
    family = 0
    while family < len(words) and words[family] == words[family].upper():
        family += 1
    if family == len(words) and family > 1:
        family -= 1
    return " ".join(words[family:]), " ".join(words[:family])


def _gender(category: str) -> Gender | None:
    letter = category.split()[-1].upper() if category.split() else ""
    if letter in {"H", "M"}:
        return "M"
    if letter in {"F", "W", "D"}:
        return "F"
    return None


def read_checkpoints(path: Path) -> list[dict[str, str]]:
    """The rows of the checkpoints file, by column name (CR line ends are fine)."""
    table = _read_table(path)
    if not table:
        raise HistoricalFormatError(f"{path.name}: empty checkpoints file")
    header = [cell.strip() for cell in table[0][1]]
    if "Ckpt" not in header:
        raise HistoricalFormatError(f"{path.name}: no Ckpt column in the checkpoints file")
    return [dict(zip(header, (cell.strip() for cell in row), strict=False)) for _, row in table[1:]]


def _match_checkpoint(
    column: str, checkpoints: Sequence[Mapping[str, str]]
) -> tuple[Mapping[str, str], bool] | None:
    """The checkpoint a results column names (same folded name, a prefix, or the same place
    with another number), and whether it is that checkpoint itself (not only its place)."""
    key = fold(column)
    names = [fold(checkpoint.get("Ckpt", "")) for checkpoint in checkpoints]
    stem = re.sub(r"\d+$", "", key)
    rules: tuple[Callable[[str], bool], ...] = (
        lambda name: name == key,
        lambda name: len(key) >= 4 and name.startswith(key),
        lambda name: stem != "" and re.sub(r"\d+$", "", name) == stem,
    )
    for number, rule in enumerate(rules):
        found = [point for point, name in zip(checkpoints, names, strict=True) if rule(name)]
        if len(found) == 1:
            return found[0], number < 2
        if len(found) > 1:
            return None
    return None


def _number(value: str | None) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return None


def timing_points(columns: Sequence[str], checkpoints: Path | None) -> tuple[TimingPoint, ...]:
    rows = read_checkpoints(checkpoints) if checkpoints is not None else []
    points = []
    for column in columns:
        match = _match_checkpoint(column, rows) if rows else None
        if match is None:
            points.append(TimingPoint(id=column, name=column))
            continue
        found, itself = match
        points.append(
            TimingPoint(
                id=column,
                name=found["Ckpt"] if itself else column,
                km=_number(found.get("CumDist")),
                climb_m=_number(found.get("CumulPlus")),
                descent_m=_number(found.get("CumulMinus")),
                elevation_m=_number(found.get("Altitude")),
                cutoff=found.get("Time_barrier", "0").strip() not in {"", "0"},
            )
        )
    return tuple(points)


def read_utmb(path: Path, checkpoints: Path | None = None) -> list[HistoricalRace]:
    """One race (UTMB has one course per file): every starter, or the problem with them."""
    table = _read_table(path)
    if not table:
        raise HistoricalFormatError(f"{path.name}: empty file")
    header = [repair_mojibake(cell.strip()) for cell in table[0][1]]
    if not is_utmb_header(header):
        raise HistoricalFormatError(
            f"{path.name}: not a UTMB table (no bib, name, rank, time columns)"
        )
    index = {name.casefold(): position for position, name in enumerate(header)}
    first_point = index["timediff"] + 1
    columns = header[first_point:]
    points = timing_points(columns, checkpoints)
    file = path.name

    rows: list[HistoricalRow] = []
    problems: list[str] = []
    seen: dict[int, int] = {}
    for line, cells in table[1:]:
        row_problems: list[str] = []
        if len(cells) != len(header):
            problems.append(
                problem(file, line, "row", f"has {len(cells)} fields, the header has {len(header)}")
            )
            continue

        values = {
            name: repair_mojibake(cells[position].strip()) for name, position in index.items()
        }

        def cell(name: str, values: dict[str, str] = values) -> str:
            return values.get(name, "")

        bib = whole_number(cell("bib"))
        if bib is None:
            row_problems.append(
                problem(file, line, "bib", f"{cell('bib')!r} is not a whole number")
            )
        elif bib > MAX_BIB:
            row_problems.append(problem(file, line, "bib", f"{bib} is above {MAX_BIB}"))
        else:
            if bib in seen:
                row_problems.append(
                    problem(file, line, "bib", f"bib {bib} already at line {seen[bib]}")
                )
        official_time: timedelta | None = None
        if cell("time"):
            try:
                official_time = parse_elapsed(cell("time"))
            except ValueError as error:
                row_problems.append(problem(file, line, "time", str(error)))
        rank: int | None = None
        if official_time is not None:
            rank = whole_number(cell("rank"))
            if rank is None:
                message = f"{cell('rank')!r} is not a rank" if cell("rank") else "missing"
                row_problems.append(problem(file, line, "rank", f"{message} for a finisher"))
        elapsed: list[timedelta | None] = []
        for column, raw in zip(columns, cells[first_point:], strict=True):
            if not raw.strip():
                elapsed.append(None)
                continue
            try:
                elapsed.append(parse_elapsed(raw))
            except ValueError as error:
                row_problems.append(problem(file, line, column, str(error)))
        if row_problems:
            problems.extend(row_problems)
            continue
        assert bib is not None
        seen[bib] = line
        given, family = _split_name(cell("name"))
        rows.append(
            HistoricalRow(
                line=line,
                bib=bib,
                name=cell("name"),
                given_name=given,
                family_name=family,
                gender=_gender(cell("category")),
                category=cell("category"),
                nationality=cell("nationality"),
                team=cell("team"),
                course=RACE_NAME,
                status="finished" if official_time is not None else "dnf",
                official_rank=rank,
                official_time=official_time,
                elapsed=tuple(elapsed),
                birth_year=None,
            )
        )
    return [
        HistoricalRace(
            source=file,
            format=FORMAT,
            name=RACE_NAME,
            year=year_in(path.name),
            course=RACE_NAME,
            timing_points=points,
            rows=tuple(rows),
            problems=tuple(problems),
            ranks_by="overall",
        )
    ]
