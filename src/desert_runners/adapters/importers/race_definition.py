"""Load series and race definitions from YAML: validate everything, then build the domain.

Every problem is reported as ``file:line: field.path: message``; nothing is loaded
unless the whole file (and every race file a series names) is valid.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from desert_runners.adapters.importers.race_schema import RaceSpec, SeriesSpec, StageSpec
from desert_runners.adapters.importers.yaml_lines import (
    FieldPath,
    YamlDocument,
    YamlError,
    format_path,
    load_yaml,
)
from desert_runners.domain.errors import UserError
from desert_runners.domain.race import (
    AgeBand,
    Categories,
    Checkpoint,
    Cutoff,
    EntryRules,
    PenaltyRule,
    Race,
    RaceRules,
    Series,
    SeriesEvent,
    Stage,
    TeamRules,
)
from desert_runners.domain.race_checks import check_race

SpecT = TypeVar("SpecT", RaceSpec, SeriesSpec)


class DefinitionError(UserError):
    """One or more problems in definition files, each a line of the message."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class LoadedRace:
    race: Race
    definition: dict[str, Any]  # the validated definition, with course-derived values filled in
    source: str
    digest: str  # sha256 of the canonical definition: tells a real change from a reload


@dataclass(frozen=True)
class LoadedDefinitions:
    series: Series | None
    races: tuple[LoadedRace, ...]


def load_definitions(path: Path) -> LoadedDefinitions:
    """A series file (with the race files it names) or a single race file."""
    document = _read(path)
    if isinstance(document.data, dict) and "races" in document.data:
        return _load_series(path, document)
    if isinstance(document.data, dict) and "stages" in document.data:
        return LoadedDefinitions(None, (_load_race(path, document),))
    raise DefinitionError(
        [
            f"{document.file}:1: expected a race definition (with stages) "
            "or a series definition (with races)"
        ]
    )


def race_from_definition(definition: dict[str, Any]) -> Race:
    """Rebuild a race from the definition stored at load time (already validated)."""
    return build_race(RaceSpec.model_validate(definition))


def _read(path: Path) -> YamlDocument:
    try:
        return load_yaml(path)
    except YamlError as error:
        raise DefinitionError([str(error)]) from None


def _load_series(path: Path, document: YamlDocument) -> LoadedDefinitions:
    spec = _validate(SeriesSpec, document)
    series = Series(
        slug=spec.slug,
        name=spec.name,
        events=tuple(
            SeriesEvent(slug=e.slug, name=e.name, core=e.core, roving=e.roving) for e in spec.events
        ),
    )
    problems: list[str] = []
    races: list[LoadedRace] = []
    for index, relative in enumerate(spec.races):
        race_path = path.parent / relative
        if not race_path.is_file():
            problems.append(
                f"{document.file}:{document.line_of(('races', index))}: races[{index}]: "
                f"no such race file {relative!r}"
            )
            continue
        try:
            loaded = _load_race(race_path, _read(race_path))
        except DefinitionError as error:
            problems.extend(error.problems)
            continue
        problems.extend(_check_race_in_series(loaded, series, race_path.name))
        races.append(loaded)
    if problems:
        raise DefinitionError(problems)
    return LoadedDefinitions(series, tuple(races))


def _check_race_in_series(loaded: LoadedRace, series: Series, file: str) -> list[str]:
    race = loaded.race
    if race.series != series.slug:
        return [f"{file}: series: '{race.series}' is not this series ('{series.slug}')"]
    if series.events and series.event(race.event) is None:
        known = ", ".join(event.slug for event in series.events)
        return [f"{file}: event: '{race.event}' is not an event of the series ({known})"]
    return []


def _load_race(path: Path, document: YamlDocument) -> LoadedRace:
    spec = _validate(RaceSpec, document)
    spec = _apply_courses(spec, path, document)
    race = build_race(spec)
    problems = [
        f"{document.file}:{document.line_of(problem.path)}: "
        f"{format_path(problem.path)}: {problem.message}"
        for problem in check_race(race)
    ]
    if problems:
        raise DefinitionError(problems)
    definition = spec.model_dump(mode="json")
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return LoadedRace(race, definition, str(path), digest)


def _validate(model: type[SpecT], document: YamlDocument) -> SpecT:
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        raise DefinitionError(
            [_describe(document, detail) for detail in error.errors(include_url=False)]
        ) from None


def _describe(document: YamlDocument, detail: ErrorDetails) -> str:
    # Pydantic adds the failing validator's name to the location for unions and
    # model validators; keep only the parts that are fields or list indexes.
    path: FieldPath = tuple(part for part in detail["loc"] if _is_field(part))
    line = document.line_of(path)
    where = f"{format_path(path)}: " if path else ""
    return f"{document.file}:{line}: {where}{_message(detail)}"


def _is_field(part: str | int) -> bool:
    return isinstance(part, int) or not (
        part.startswith(("function-", "constrained-", "lax-", "json-")) or "[" in part
    )


def _message(detail: ErrorDetails) -> str:
    kind = detail["type"]
    got = detail.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field (see docs/race-definition.md)"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"expected a mapping of fields, got {got!r}"
    message = str(detail["msg"])
    if kind.startswith(("string_pattern", "literal", "enum")) or kind in {
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "int_parsing",
        "float_parsing",
        "bool_parsing",
        "date_from_datetime_parsing",
        "date_parsing",
        "too_short",
    }:
        return f"{message[0].lower()}{message[1:]}, got {got!r}"
    return message


def _apply_courses(spec: RaceSpec, path: Path, document: YamlDocument) -> RaceSpec:
    """Fill distance-derived climb, descent and elevation from each stage's GPX course."""
    stages = [
        _apply_course(stage, index, path, document) if stage.course else stage
        for index, stage in enumerate(spec.stages)
    ]
    return spec.model_copy(update={"stages": stages})


def _apply_course(stage: StageSpec, index: int, path: Path, document: YamlDocument) -> StageSpec:
    from desert_runners.adapters.importers.gpx_course import course_profile
    from desert_runners.domain.course import CourseError

    assert stage.course is not None
    field = ("stages", index, "course")
    where = f"{document.file}:{document.line_of(field)}: {format_path(field)}"
    kms = [cp.km for cp in stage.checkpoints]
    if None in kms:
        raise DefinitionError([f"{where}: every checkpoint needs its km to place it on the course"])
    try:
        profile = course_profile(path.parent / stage.course, [km for km in kms if km is not None])
    except CourseError as error:
        raise DefinitionError([f"{where}: {error}"]) from None
    checkpoints = [
        checkpoint.model_copy(
            update={
                "elevation_m": _given_or(checkpoint.elevation_m, leg.elevation_m),
                "climb_m": _given_or(checkpoint.climb_m, leg.climb_m),
                "descent_m": _given_or(checkpoint.descent_m, leg.descent_m),
            }
        )
        for checkpoint, leg in zip(stage.checkpoints, profile.legs, strict=True)
    ]
    return stage.model_copy(update={"checkpoints": checkpoints})


def _given_or(given: float | None, derived: float | None) -> float | None:
    if given is not None:
        return given
    return None if derived is None else round(derived, 1)


def build_race(spec: RaceSpec) -> Race:
    zone = ZoneInfo(spec.time_zone)
    return Race(
        slug=spec.slug,
        name=spec.name,
        series=spec.series,
        event=spec.event,
        time_zone=spec.time_zone,
        starts_on=spec.starts_on,
        ends_on=spec.ends_on,
        location=spec.location,
        country=spec.country or "",
        stages=tuple(_build_stage(stage, zone) for stage in spec.stages),
        categories=Categories(
            genders=tuple(spec.categories.genders),
            age_bands=tuple(
                AgeBand(name=band.name, min_age=band.min, max_age=band.max)
                for band in spec.categories.age_bands
            ),
            by_nationality=spec.categories.by_nationality,
        ),
        teams=TeamRules(
            min_members=spec.teams.min_members,
            max_members=spec.teams.max_members,
            max_gap=spec.teams.max_gap,
            gap_penalty=spec.teams.gap_penalty,
        ),
        penalties=tuple(
            PenaltyRule(
                code=rule.code,
                description=rule.description,
                time=rule.time,
                dq=rule.dq,
                dq_on_repeat=rule.dq_on_repeat,
            )
            for rule in spec.penalties
        ),
        rules=RaceRules(
            missed_cutoff=spec.rules.missed_cutoff,
            missed_cutoff_penalty=spec.rules.missed_cutoff_penalty,
            withdrawn_stage=spec.rules.withdrawn_stage,
            withdrawn_stage_penalty=spec.rules.withdrawn_stage_penalty,
            tie_breaks=tuple(spec.rules.tie_breaks),
        ),
        distances_known=spec.distances_known,
        entry=EntryRules(
            min_age=spec.entry.min_age,
            max_age=spec.entry.max_age,
            required_series_finishes=spec.entry.required_series_finishes,
        ),
    )


def _build_stage(spec: StageSpec, zone: ZoneInfo) -> Stage:
    return Stage(
        number=spec.number,
        name=spec.name or f"Stage {spec.number}",
        start=datetime.combine(spec.date, spec.start_time, tzinfo=zone),
        long_march=spec.long_march,
        course_file=spec.course,
        checkpoints=tuple(
            Checkpoint(
                id=cp.id,
                name=cp.name or cp.id,
                km=cp.km,
                elevation_m=cp.elevation_m,
                climb_m=cp.climb_m,
                descent_m=cp.descent_m,
                in_out=cp.in_out,
                cutoff=None
                if cp.cutoff is None
                else Cutoff(
                    time_of_day=cp.cutoff.time,
                    day_offset=cp.cutoff.day,
                    elapsed=cp.cutoff.elapsed,
                ),
            )
            for cp in spec.checkpoints
        ),
    )
