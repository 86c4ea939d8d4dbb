"""Import historical results (another timing system's export) as a race of our own.

The file's format is recognised from its content. Each course in the file becomes a
one-stage race in the series ``historical`` (created when missing), its timing points
the checkpoints; every runner's elapsed times become entries at those checkpoints, so
our engine computes the results from them like any other race's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pycountry
from pydantic import ValidationError
from sqlalchemy.engine import Connection

from desert_runners.adapters.importers.historical.detect import read_historical
from desert_runners.adapters.importers.historical.model import HistoricalRace, HistoricalRow
from desert_runners.adapters.importers.race_definition import (
    DefinitionError,
    LoadedRace,
    build_race,
)
from desert_runners.adapters.importers.race_schema import SLUG, RaceSpec
from desert_runners.adapters.storage import entrant_repo, race_repo
from desert_runners.adapters.storage.event_log import append
from desert_runners.bootstrap import Context
from desert_runners.domain.entrant import Entrant
from desert_runners.domain.errors import UserError
from desert_runners.domain.events import Direction, EventKind, Fact
from desert_runners.domain.local_time import local_instant, zone_named
from desert_runners.domain.race import FIRST_YEAR, LAST_YEAR, Series
from desert_runners.domain.race_checks import check_race

HISTORICAL_SERIES = Series(slug="historical", name="Historical results")
# Where each known format's races are run, for their local times.
DEFAULT_ZONES = {"utmb": "Europe/Paris", "sportident": "Europe/Berlin"}


@dataclass
class Imported:
    race: str
    name: str
    course: str
    added: bool  # False: the race existed (a re-import adds only what is new)
    entrants: int = 0
    entries: int = 0  # new entries stored
    problems: list[str] = field(default_factory=list)
    start: datetime | None = None
    start_assumed: bool = False


def import_historical(
    context: Context,
    path: Path,
    *,
    race_slug: str | None = None,
    course_file: Path | None = None,
    start: str | None = None,
    time_zone: str | None = None,
) -> list[Imported]:
    """Every course of the file, all checked before any is stored, in one transaction:
    a mistake stores nothing."""
    if race_slug is not None and not re.fullmatch(SLUG, race_slug):
        raise UserError(
            f"--race {race_slug!r}: expected a slug of lower-case letters, digits and -, "
            "e.g. utmb-2015"
        )
    courses = read_historical(path, course_file)
    for course in courses:
        _check_readable(course)
    ready = []
    for course in courses:
        slug = _slug(course, race_slug, several=len(courses) > 1)
        zone = _zone(time_zone, course.format)
        began, assumed = _start(course, start, zone)
        ready.append((course, slug, began, assumed, _loaded(path, course, slug, began)))
    with context.store.write() as connection:
        return [_store(context, connection, path, *item) for item in ready]


def _check_readable(course: HistoricalRace) -> None:
    """A course without one good row would be an empty race: refuse it, with why."""
    if not any(row.bib is not None for row in course.rows):
        raise UserError(
            "\n".join(
                [
                    f"{course.source}: no row of {course.course} could be read: nothing imported",
                    *course.problems,
                ]
            )
        )


def _zone(given: str | None, file_format: str) -> ZoneInfo:
    name = DEFAULT_ZONES.get(file_format, "UTC") if given is None else given
    zone = zone_named(name)
    if zone is None:
        raise UserError(
            f"--time-zone {name!r}: expected an IANA time zone such as Europe/Paris "
            "or America/Santiago"
        )
    return zone


def _slug(course: HistoricalRace, given: str | None, several: bool) -> str:
    base = given or _slugify(course.name)
    if course.year is not None and str(course.year) not in base:
        base = f"{base}-{course.year}"
    extra = course.course.replace(course.name, "").strip(" -")
    if several and extra:
        base = f"{base}-{_slugify(extra)}"
    return base[:80]


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "race"


def _start(course: HistoricalRace, given: str | None, zone: ZoneInfo) -> tuple[datetime, bool]:
    """The given start, else 1 January of the race's year: elapsed times, and so the
    results, do not depend on it."""
    if given is not None:
        try:
            moment = datetime.fromisoformat(given)
        except ValueError:
            raise UserError(f"--start {given!r}: expected YYYY-MM-DD HH:MM") from None
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:  # also keeps clear of the calendar's end
            raise UserError(f"--start {given!r}: expected a year from {FIRST_YEAR} to {LAST_YEAR}")
        if moment.tzinfo is None:
            moment = local_instant(moment.date(), moment.time(), zone)
        return moment.astimezone(zone), False
    year = course.year or 2000
    return local_instant(date(year, 1, 1), time(0, 0), zone), True


def _points(course: HistoricalRace) -> list[tuple[int, str | None]]:
    """For each timing point of the file: the index of its checkpoint and its direction.
    Two points at the same km (UTMB's Courm1 and Courm2, in and out of Courmayeur) are
    one checkpoint with an in and an out time."""
    mapping: list[tuple[int, str | None]] = []
    points = course.timing_points
    for index, point in enumerate(points):
        before = points[index - 1] if index else None
        if before is not None and point.km is not None and point.km == before.km:
            mapping[-1] = (mapping[-1][0], "in")
            mapping.append((mapping[-1][0], "out"))
        else:
            mapping.append((mapping[-1][0] + 1 if mapping else 0, None))
    return mapping


def _definition(course: HistoricalRace, slug: str, start: datetime) -> dict[str, Any]:
    mapping = _points(course)
    firsts = [index for index, (_, direction) in enumerate(mapping) if direction != "out"]
    ids = _checkpoint_ids([course.timing_points[index].id for index in firsts])
    checkpoints = []
    for position, index in enumerate(firsts):
        point = course.timing_points[index]
        checkpoints.append(
            {
                "id": ids[position],
                "name": point.name,
                "km": point.km,
                "climb_m": point.climb_m,
                "descent_m": point.descent_m,
                "elevation_m": point.elevation_m,
                "in_out": mapping[index][1] == "in",
            }
        )
    longest = max(
        (row.elapsed[-1] for row in course.rows if row.elapsed and row.elapsed[-1]),
        default=timedelta(days=2),
    )
    return {
        "slug": slug,
        "name": course.course if course.course != course.name else course.name,
        "series": HISTORICAL_SERIES.slug,
        "event": _slugify(course.name)[:80],
        "time_zone": str(start.tzinfo),
        "location": f"imported from {course.source} ({course.format})",
        "starts_on": start.date().isoformat(),
        "ends_on": (start + longest).date().isoformat(),
        "entry": {"min_age": 0, "max_age": 120},
        "categories": {"genders": ["M", "F", "X"]},
        "distances_known": all(point.km is not None for point in course.timing_points),
        "stages": [
            {
                "number": 1,
                "name": course.course,
                "date": start.date().isoformat(),
                "start_time": start.strftime("%H:%M:%S"),
                "checkpoints": checkpoints,
            }
        ],
    }


def _checkpoint_ids(names: list[str]) -> list[str]:
    """Checkpoint ids from the file's names: letters, digits, - and _; unique; not the
    reserved start/finish except for the last."""
    ids: list[str] = []
    for index, name in enumerate(names):
        base = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:16] or f"P{index + 1}"
        if base.casefold() in {"start", "finish"} and index != len(names) - 1:
            base = f"P-{base}"
        candidate, n = base, 2
        while candidate.casefold() in {i.casefold() for i in ids}:
            candidate, n = f"{base[:14]}-{n}", n + 1
        ids.append(candidate)
    return ids


def _loaded(path: Path, course: HistoricalRace, slug: str, start: datetime) -> LoadedRace:
    """The course as a race definition, checked like a race file."""
    try:
        spec = RaceSpec.model_validate(_definition(course, slug, start))
    except ValidationError as error:  # e.g. a name the file leaves empty
        raise DefinitionError(
            [
                f"{course.source}: {'.'.join(map(str, item['loc']))}: {item['msg']}"
                for item in error.errors()
            ]
        ) from None
    race = build_race(spec)
    problems = [f"{'.'.join(map(str, p.path))}: {p.message}" for p in check_race(race)]
    if problems:
        raise DefinitionError([f"{course.source}: {problem}" for problem in problems])
    return LoadedRace(race, spec.model_dump(mode="json"), str(path), "import")


def _store(
    context: Context,
    connection: Connection,
    path: Path,
    course: HistoricalRace,
    slug: str,
    start: datetime,
    assumed: bool,
    loaded: LoadedRace,
) -> Imported:
    race = loaded.race
    report = Imported(
        race=slug,
        name=race.name,
        course=course.course,
        added=False,
        problems=list(course.problems),
        start=start,
        start_assumed=assumed,
    )
    checkpoint_ids = [checkpoint.id for checkpoint in race.stages[0].checkpoints]
    targets = [(checkpoint_ids[index], direction) for index, direction in _points(course)]
    now = context.clock()
    series_id = race_repo.series_id(connection, HISTORICAL_SERIES.slug)
    if series_id is None:
        series_id = race_repo.save_series(
            connection,
            HISTORICAL_SERIES,
            {"slug": HISTORICAL_SERIES.slug, "name": HISTORICAL_SERIES.name, "events": []},
            now,
        )
    found = race_repo.get_race(connection, slug)
    if found is not None and found.race.series != HISTORICAL_SERIES.slug:
        # Its entrants and entries would mix with the file's (the transaction rolls back).
        raise UserError(
            f"--race {slug}: a race of the series {found.race.series} has that slug; "
            "historical results go to a race of their own: give another --race"
        )
    if found is None:
        race_id = race_repo.save_race(connection, series_id, loaded, now)
        report.added = True
    else:
        race_id = found.id
    facts: list[Fact] = []
    for row in course.rows:
        if row.bib is None:
            report.problems.append(f"{course.source}:{row.line}: bib: missing, row not imported")
            continue
        entrant_repo.save_entrant(connection, race_id, series_id, _entrant(row, slug), now)
        report.entrants += 1
        facts.extend(_entries(row, targets, start, path.name, context.author))
    stored = append(connection, race_id, slug, facts, now)
    report.entries = sum(item.new for item in stored)
    return report


def _entrant(row: HistoricalRow, slug: str) -> Entrant:
    assert row.bib is not None
    return Entrant(
        bib=row.bib,
        given_name=row.given_name,
        family_name=row.family_name or row.name,
        gender=row.gender or "X",
        nationality=_nationality(row.nationality),
        team=row.team or None,
        person=f"{slug}/{row.bib}",  # one person per row; the series matching links people
    )


def _nationality(code: str) -> str:
    """ISO alpha-3 where the file has alpha-2 (UTMB writes FR); IOC codes (GER) as given."""
    code = code.strip().upper()
    if len(code) == 2:
        found = pycountry.countries.get(alpha_2=code)
        return found.alpha_3 if found else code
    return code[:3]


def _entries(
    row: HistoricalRow,
    targets: list[tuple[str, str | None]],
    start: datetime,
    file: str,
    author: str,
) -> list[Fact]:
    facts = [
        Fact(
            kind=EventKind.ENTRY,
            source=f"import:{file}",
            author=author,
            occurred_at=start + elapsed,
            device_time=str(elapsed),
            bib=row.bib,
            stage=1,
            checkpoint=checkpoint,
            direction=Direction(direction) if direction else None,
            idempotency_key=f"import:{file}:{row.line}:{checkpoint}:{direction or ''}",
        )
        for (checkpoint, direction), elapsed in zip(targets, row.elapsed, strict=True)
        if elapsed is not None
    ]
    if row.status == "dq":
        facts.append(
            Fact(
                kind=EventKind.WITHDRAWAL,
                source=f"import:{file}",
                author=author,
                occurred_at=start,
                bib=row.bib,
                stage=1,
                payload={"status": "dq", "reason": "disqualified, as the file says"},
                idempotency_key=f"import:{file}:{row.line}:dq",
            )
        )
    return facts
