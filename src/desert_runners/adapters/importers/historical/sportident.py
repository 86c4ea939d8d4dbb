"""Read a SPORTident result export ("result_course"), as 100 Meilen Berlin publishes it.

``;``-separated, CRLF, German headers: ``Platz/Punkte;StartNr;SI-Card;Starter;Nation;
Verein;Geb;Strecke;Kategorie;Startzeit;Zielzeit;Laufzeit;Geschwindigkeit;Rückstand`` and
then for each control ``N.Kontrolle(Name);N.Laufzeit;N.Geschwindigkeit``. What the files
say and how it is read:

- ``Platz/Punkte``: the official place, counted per gender on the solo course (men and
  women each start at 1) and per course for relays; ``DNF`` did not finish; ``DSQ``
  disqualified (status "dq": they may have a time, e.g. after a missed control).
- ``Starter`` is ``Family, Given`` (a relay team's name for relays); ``Geb`` the year of
  birth (empty in 2013-2016); ``Laufzeit`` the official running time, ``fehlt!`` if none.
- ``Kategorie`` gives the gender: ``Senioren M45 (45-49 Jahre)`` and ``Männer (20-29
  Jahre)`` are men, ``Seniorinnen W45 ...`` and ``Frauen ...`` women; ``Staffel ...``,
  ``4er Staffel``, ``10+ Team`` are relay teams (no gender).
- ``Strecke`` is the course: each course is its own race. In 2013 the relays share the
  solo course's ``Strecke`` and are told apart by their ``Staffel`` category: they become
  the course ``<Strecke> Staffel`` (ranked together, as the file ranks them).
- A control's name is ``<SI code>((<name>))``, e.g. ``32((VP1 - Mahnmal Peter Fechter))``
  or ``32((km 6,28 Gedenkstätte Litfin))``; the finish is ``Ziel(<name>)``. Its
  ``Laufzeit`` is the segment time from the previous punched control: ``fehlt!`` marks a
  missed punch, and the next segment then runs from the last punch, so elapsed times are
  the running sum of the segments present (for every finisher the sum is ``Laufzeit``).
- The same header may come again further down with a new block of rows (2013: the relay
  rankings again, each team twice). A bib read before is kept aside as a problem.
- Double-encoded UTF-8 (``RÃŒckstand``) is repaired where it is clear (``model.repair_mojibake``).

Kilometres: a control name may carry its km (``km 6,28 ...``). Otherwise, given
``vp_list.yaml`` (aid stations per course variant, German decimal commas), the course's
controls are compared with each variant in order: the same number of stations, and every
station's name the same after folding case, accents and punctuation, or nearly (typos as
``Königsweeg``, ``Eas Side Gallery``), or one name contained in the other (``Wilhelmsruh``
in ``S-Bahnhof Wilhelmsruh``); a station the list calls ``(kein Name)`` matches any. Only
a variant matching every station, and the only one that does, gives km (``km_kum``).
Nothing is guessed: 2014 ran a start loop no variant in the list describes (VP1-VP4 and
VP17 differ), so its km stay unknown.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import yaml

from desert_runners.adapters.importers.historical.model import (
    MAX_BIB,
    Gender,
    HistoricalFormatError,
    HistoricalRace,
    HistoricalRow,
    RanksBy,
    Status,
    TimingPoint,
    decode,
    fold,
    parse_elapsed,
    problem,
    repair_mojibake,
    whole_number,
    year_in,
)

FORMAT = "sportident"
PLACE = "Platz/Punkte"
REQUIRED = (PLACE, "StartNr", "Starter", "Strecke", "Kategorie", "Laufzeit")
NO_TIME = {"", "fehlt!", "---", "-"}
DID_NOT_FINISH = {"DNF", "AUFG", "AUFG.", "AUFGEGEBEN"}
DISQUALIFIED = {"DSQ", "DQ", "DISQ", "DISQ."}
NO_NAME = {"", "keinname"}

_CONTROL = re.compile(r"(?P<code>\d*)\(\((?P<name>.*)\)\)")
_FINISH = re.compile(r"Ziel\((?P<name>.*)\)")
_VP = re.compile(r"VP\s*\d+\s*-\s*(?P<name>.*)")
_KM = re.compile(r"km\s+(?P<km>\d+(?:,\d+)?)\s*(?P<name>.*)")
_RELAY = re.compile(r"staffel|relay|\bteam\b", re.IGNORECASE)
_WOMEN = re.compile(r"\b(Frauen|Damen|Seniorinnen|Juniorinnen|weiblich)\b|\bW(\d\d|J|U\d)")
_MEN = re.compile(r"\b(Männer|Herren|Senioren|Junioren|männlich)\b|\bM(\d\d|J|U\d)")
_DATE_YEAR = re.compile(r"((?:19|20)\d\d)-\d\d-\d\d")


def is_sportident_header(fields: Sequence[str]) -> bool:
    names = {repair_mojibake(field.strip()) for field in fields}
    return all(name in names for name in REQUIRED)


def is_relay(category: str) -> bool:
    return _RELAY.search(category) is not None


def gender_of(category: str) -> Gender | None:
    women, men = _WOMEN.search(category), _MEN.search(category)
    if women and not men:
        return "F"
    if men and not women:
        return "M"
    return None


def station_name(control: str) -> str:
    """The place a control names, without SI code, ``VPn -`` or ``km x,y``."""
    inner = _inner(control)
    for pattern in (_VP, _KM):
        match = pattern.fullmatch(inner)
        if match:
            inner = match["name"]
    return inner.strip()


def _inner(control: str) -> str:
    for pattern in (_CONTROL, _FINISH):
        match = pattern.fullmatch(control.strip())
        if match:
            return match["name"].strip()
    return control.strip()


def _control_id(control: str) -> str:
    control = control.strip()
    match = _CONTROL.fullmatch(control)
    if match and match["code"]:
        return match["code"]
    if _FINISH.fullmatch(control):
        return "Ziel"
    return _inner(control)


def _km_in_name(control: str) -> float | None:
    match = _KM.fullmatch(_inner(control))
    return float(match["km"].replace(",", ".")) if match else None


def _is_finish(control: str) -> bool:
    return _FINISH.fullmatch(control.strip()) is not None


# --- vp_list.yaml -----------------------------------------------------------------------


@dataclass(frozen=True)
class Station:
    key: str
    name: str
    km: float | None


def _one_line(error: Exception) -> str:
    """A YAML error is several lines (the text around the mistake): one line is shown."""
    if isinstance(error, OSError):
        return error.strerror or str(error)
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return f"line {mark.line + 1}: {problem}" if mark is not None else problem


def read_variants(path: Path) -> dict[str, tuple[Station, ...]]:
    """Each course variant's stations in order, ``km_kum`` read with its decimal comma."""
    try:
        loaded: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise HistoricalFormatError(
            f"{path.name}: cannot read the course list: {_one_line(error)}"
        ) from error
    if not isinstance(loaded, Mapping):
        raise HistoricalFormatError(f"{path.name}: not a list of course variants")
    variants: dict[str, tuple[Station, ...]] = {}
    for variant, stations in loaded.items():
        if not isinstance(stations, Mapping):
            continue
        read = []
        for key, station in stations.items():
            station = station if isinstance(station, Mapping) else {}
            read.append(
                Station(
                    key=str(key).strip(),
                    name=str(station.get("name") or "").strip(),
                    km=_decimal(station.get("km_kum")),
                )
            )
        variants[str(variant)] = tuple(read)
    return variants


def _decimal(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        return None


def _same_place(ours: str, theirs: str) -> bool:
    if fold(theirs) in NO_NAME:
        return True
    a, b = fold(ours), fold(theirs)
    if not a:
        return False
    if a == b or SequenceMatcher(None, a, b).ratio() >= 0.8:
        return True
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= 5 and shorter in longer


def match_variant(controls: Sequence[str], variants: Mapping[str, Sequence[Station]]) -> str | None:
    """The one variant whose stations are the controls, in order (see the module doc)."""
    found = []
    for variant, stations in variants.items():
        if len(stations) != len(controls):
            continue
        if all(
            _is_finish(control) == (station.key.casefold() == "ziel")
            and _same_place(station_name(control), station.name)
            for control, station in zip(controls, stations, strict=True)
        ):
            found.append(variant)
    return found[0] if len(found) == 1 else None


# --- the export ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Read:
    line: int
    course: str
    controls: tuple[str, ...]
    row: HistoricalRow


def _timing_points(
    controls: Sequence[str], variant: Sequence[Station] | None
) -> tuple[TimingPoint, ...]:
    points = []
    used: Counter[str] = Counter()
    for position, control in enumerate(controls):
        ident = _control_id(control)
        used[ident] += 1
        if used[ident] > 1:
            ident = f"{ident}#{used[ident]}"
        km = _km_in_name(control)
        if km is None and variant is not None:
            km = variant[position].km
        points.append(TimingPoint(id=ident, name=_inner(control), km=km))
    return tuple(points)


def _ranks_by(rows: Sequence[HistoricalRow]) -> RanksBy:
    winners = {row.gender for row in rows if row.official_rank == 1}
    return "gender" if {"M", "F"} <= winners else "overall"


def _split_starter(starter: str, relay: bool) -> tuple[str, str]:
    """``Family, Given`` -> (given, family); a relay team's name is no person's name."""
    if relay:
        return "", ""
    family, comma, given = starter.partition(",")
    return (given.strip(), family.strip()) if comma else ("", starter.strip())


def read_sportident(path: Path, controls: Path | None = None) -> list[HistoricalRace]:
    """One race per course (``Strecke``) in the order they first appear."""
    file = path.name
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise HistoricalFormatError(f"{file}: cannot read: {error.strerror}") from error
    text, _ = decode(raw)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    table = [(reader.line_num, row) for row in reader]
    if not table or not is_sportident_header(table[0][1]):
        raise HistoricalFormatError(f"{file}: not a SPORTident result export (no {PLACE} header)")

    read: list[_Read] = []
    loose: list[tuple[str | None, int, str]] = []  # (course if known, line, problem)
    seen: dict[int, tuple[int, list[str]]] = {}
    years: Counter[int] = Counter()
    index: dict[str, int] = {}
    first_control = 0
    race_name = ""
    for line, cells in table:
        cells = [repair_mojibake(cell) for cell in cells]
        if not any(cell.strip() for cell in cells):
            continue
        if cells[0].strip() == PLACE:
            index = {name.strip(): position for position, name in enumerate(cells)}
            controls_at = [i for i, name in enumerate(cells) if name.endswith("Kontrolle(Name)")]
            first_control = controls_at[0] if controls_at else len(cells)
            continue
        if len(cells) < first_control:
            message = f"has {len(cells)} fields, expected at least {first_control}"
            loose.append((None, line, problem(file, line, "row", message)))
            continue

        values = {name: cells[at].strip() for name, at in index.items() if at < len(cells)}

        def cell(name: str, values: dict[str, str] = values) -> str:
            return values.get(name, "")

        strecke, category = cell("Strecke"), cell("Kategorie")
        relay = is_relay(category)
        course = f"{strecke} Staffel" if relay and not is_relay(strecke) else strecke
        race_name = race_name or strecke
        for found in _DATE_YEAR.findall(cell("Zielzeit")):
            years[int(found)] += 1
        bad: list[str] = []

        bib = whole_number(cell("StartNr"))
        if bib is not None and bib > MAX_BIB:
            bad.append(problem(file, line, "StartNr", f"{bib} is above {MAX_BIB}"))
        elif bib is not None:
            if bib in seen:
                first_line, first_cells = seen[bib]
                again = "the same row again" if first_cells == cells else "a different row"
                bad.append(
                    problem(
                        file, line, "StartNr", f"bib {bib} already at line {first_line} ({again})"
                    )
                )
        else:
            bad.append(problem(file, line, "StartNr", f"{cell('StartNr')!r} is not a whole number"))

        official_time: timedelta | None = None
        if cell("Laufzeit") not in NO_TIME:
            try:
                official_time = parse_elapsed(cell("Laufzeit"))
            except ValueError as error:
                bad.append(problem(file, line, "Laufzeit", str(error)))

        place = cell(PLACE)
        rank: int | None = None
        status: Status = "dnf"
        if whole_number(place) is not None:
            rank, status = int(place), "finished"
            if official_time is None and cell("Laufzeit") in NO_TIME:
                bad.append(problem(file, line, "Laufzeit", f"missing for a runner placed {rank}"))
        elif place.upper() in DISQUALIFIED:
            status = "dq"
        elif place == "":
            status = "finished" if official_time is not None else "dnf"
        elif place.upper() not in DID_NOT_FINISH:
            bad.append(problem(file, line, PLACE, f"{place!r} is not a place, DNF or DSQ"))

        birth_year: int | None = None
        if cell("Geb"):
            if re.fullmatch(r"(19|20)\d\d", cell("Geb")):
                birth_year = int(cell("Geb"))
            else:
                bad.append(problem(file, line, "Geb", f"{cell('Geb')!r} is not a year of birth"))

        names: list[str] = []
        elapsed: list[timedelta | None] = []
        total = timedelta(0)
        for number, start in enumerate(range(first_control, len(cells), 3), start=1):
            name = cells[start].strip()
            if not name:
                continue
            segment = cells[start + 1].strip() if start + 1 < len(cells) else ""
            names.append(name)
            if segment in NO_TIME:
                elapsed.append(None)
                continue
            try:
                total += parse_elapsed(segment)
            except ValueError as error:
                bad.append(problem(file, line, f"{number}.Laufzeit", str(error)))
                elapsed.append(None)
                continue
            elapsed.append(total)

        if bad:
            loose.extend((course, line, message) for message in bad)
            continue
        assert bib is not None
        seen[bib] = (line, cells)
        given, family = _split_starter(cell("Starter"), relay)
        read.append(
            _Read(
                line=line,
                course=course,
                controls=tuple(names),
                row=HistoricalRow(
                    line=line,
                    bib=bib,
                    name=cell("Starter"),
                    given_name=given,
                    family_name=family,
                    gender=None if relay else gender_of(category),
                    category=category,
                    nationality=cell("Nation"),
                    team=cell("Verein"),
                    course=course,
                    status=status,
                    official_rank=rank,
                    official_time=official_time,
                    elapsed=tuple(elapsed),
                    birth_year=birth_year,
                ),
            )
        )

    variants = read_variants(controls) if controls is not None else {}
    courses = list(dict.fromkeys([r.course for r in read] + [c for c, _, _ in loose if c]))
    if not courses:
        courses = [race_name]
    year = years.most_common(1)[0][0] if years else year_in(file)
    races = []
    for course in courses:
        mine = [r for r in read if r.course == course]
        usual = Counter(r.controls for r in mine).most_common(1)
        sequence = usual[0][0] if usual else ()
        rows: list[HistoricalRow] = []
        problems = [
            (line, message)
            for known, line, message in loose
            if known == course or (known is None and course == courses[0])
        ]
        for r in mine:
            if r.controls == sequence:
                rows.append(r.row)
                continue
            message = _differs(r.controls, sequence)
            problems.append((r.line, problem(file, r.line, "controls", message)))
        chosen = match_variant(sequence, variants) if variants else None
        races.append(
            HistoricalRace(
                source=file,
                format=FORMAT,
                name=race_name,
                year=year,
                course=course,
                timing_points=_timing_points(sequence, variants.get(chosen) if chosen else None),
                rows=tuple(rows),
                problems=tuple(message for _, message in sorted(problems)),
                ranks_by=_ranks_by(rows),
            )
        )
    return races


def _differs(ours: Sequence[str], usual: Sequence[str]) -> str:
    if len(ours) != len(usual):
        return f"{len(ours)} controls, the course's other rows have {len(usual)}"
    position = next(i for i, (a, b) in enumerate(zip(ours, usual, strict=True)) if a != b)
    return (
        f"control {position + 1} is {ours[position]!r}, "
        f"the course's other rows have {usual[position]!r}"
    )
