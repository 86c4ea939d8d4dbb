"""Checks on a whole race definition that a field-by-field schema cannot make.

Each problem carries the path of the field it is about, in the shape of the race
definition file (``stages[3].checkpoints[2].km``), so the loader can point at its line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from desert_runners.domain.local_time import exists
from desert_runners.domain.race import FINISH, START, Consequence, Race, Stage, format_duration

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str


def check_race(race: Race) -> list[Problem]:
    return [
        *_check_dates(race),
        *_check_stages(race),
        *_check_age_bands(race),
        *_check_penalties(race),
        *_check_rules(race),
        *_check_teams(race),
    ]


def _check_dates(race: Race) -> Iterator[Problem]:
    if race.ends_on < race.starts_on:
        yield Problem(("ends_on",), f"{race.ends_on} is before the race starts ({race.starts_on})")
    if race.entry.max_age < race.entry.min_age:
        yield Problem(
            ("entry", "max_age"),
            f"{race.entry.max_age} is below the minimum age ({race.entry.min_age})",
        )


def _check_stages(race: Race) -> Iterator[Problem]:
    previous: Stage | None = None
    for index, stage in enumerate(race.stages):
        path: Path = ("stages", index)
        if stage.number != index + 1:
            yield Problem(
                (*path, "number"), f"{stage.number} is out of sequence (expected {index + 1})"
            )
        stage_day = stage.start.date()
        dates_make_sense = race.starts_on <= race.ends_on  # else reported once, not per stage
        if dates_make_sense and not race.starts_on <= stage_day <= race.ends_on:
            yield Problem(
                (*path, "date"),
                f"{stage_day} is outside the race dates ({race.starts_on} to {race.ends_on})",
            )
        if not exists(stage.start):
            yield Problem(
                (*path, "start_time"),
                f"{stage.start:%H:%M} does not exist on {stage_day} in {race.time_zone} "
                "(the clocks jump forward)",
            )
        if previous is not None and stage.start <= previous.start:
            yield Problem(
                (*path, "start_time"),
                f"stage {stage.number} starts before stage {previous.number} "
                f"({stage.start:%Y-%m-%d %H:%M} is not after {previous.start:%Y-%m-%d %H:%M})",
            )
        yield from _check_checkpoints(stage, path, race.distances_known)
        previous = stage


def _check_checkpoints(stage: Stage, path: Path, distances_known: bool) -> Iterator[Problem]:
    seen: set[str] = set()
    previous_km = 0.0
    previous_deadline = stage.start
    last = len(stage.checkpoints) - 1
    for index, checkpoint in enumerate(stage.checkpoints):
        cp_path: Path = (*path, "checkpoints", index)
        key = checkpoint.id.casefold()
        if key == START or (key == FINISH and index != last):
            yield Problem((*cp_path, "id"), f"'{checkpoint.id}' is reserved for the stage's {key}")
        elif key in seen:
            yield Problem((*cp_path, "id"), f"'{checkpoint.id}' is used twice in this stage")
        else:
            seen.add(key)
        if checkpoint.km is None:
            if distances_known:
                yield Problem((*cp_path, "km"), "is required")
        elif checkpoint.km <= previous_km:
            what = "the start (0.0)" if index == 0 else f"the previous checkpoint ({previous_km})"
            yield Problem((*cp_path, "km"), f"{checkpoint.km} is not beyond {what}")
        else:
            previous_km = checkpoint.km
        if checkpoint.cutoff is not None:
            deadline = checkpoint.cutoff.deadline(stage.start)
            if deadline <= previous_deadline:
                earlier = (
                    "the stage start" if previous_deadline == stage.start else "an earlier cutoff"
                )
                yield Problem(
                    (*cp_path, "cutoff"),
                    f"{checkpoint.cutoff.describe()} ({deadline:%Y-%m-%d %H:%M}) "
                    f"is not after {earlier} ({previous_deadline:%Y-%m-%d %H:%M})",
                )
            else:
                previous_deadline = deadline


def _check_age_bands(race: Race) -> Iterator[Problem]:
    bands = race.categories.age_bands
    names: set[str] = set()
    for index, band in enumerate(bands):
        path: Path = ("categories", "age_bands", index)
        if band.name in names:
            yield Problem((*path, "name"), f"'{band.name}' is used twice")
        names.add(band.name)
        if band.max_age is not None and band.max_age < band.min_age:
            yield Problem(
                (*path, "max"), f"{band.max_age} is below the band's min ({band.min_age})"
            )
        if index > 0:
            before = bands[index - 1]
            if before.max_age is None or band.min_age <= before.max_age:
                yield Problem(
                    (*path, "min"),
                    f"{band.min_age} overlaps the previous band '{before.name}'",
                )


def _check_penalties(race: Race) -> Iterator[Problem]:
    codes: set[str] = set()
    for index, rule in enumerate(race.penalties):
        path: Path = ("penalties", index)
        if rule.code in codes:
            yield Problem((*path, "code"), f"'{rule.code}' is used twice")
        codes.add(rule.code)
        if rule.dq == (rule.time is not None):
            yield Problem(path, "give either a time or dq: true (exactly one of them)")


def _check_rules(race: Race) -> Iterator[Problem]:
    rules = race.rules
    for name, consequence, penalty in (
        ("missed_cutoff", rules.missed_cutoff, rules.missed_cutoff_penalty),
        ("withdrawn_stage", rules.withdrawn_stage, rules.withdrawn_stage_penalty),
    ):
        if consequence is Consequence.PENALTY and penalty is None:
            yield Problem(("rules", f"{name}_penalty"), f"is required when {name} is 'penalty'")
        if penalty is not None and penalty.total_seconds() <= 0:
            yield Problem(
                ("rules", f"{name}_penalty"), f"{format_duration(penalty)} is not above zero"
            )
        if consequence is not Consequence.PENALTY and penalty is not None:
            yield Problem(
                ("rules", f"{name}_penalty"),
                f"is only used when {name} is 'penalty' (it is '{consequence.value}')",
            )
    if len(set(rules.tie_breaks)) != len(rules.tie_breaks):
        yield Problem(("rules", "tie_breaks"), "lists the same tie-break twice")


def _check_teams(race: Race) -> Iterator[Problem]:
    teams = race.teams
    for name, value in (("max_gap", teams.max_gap), ("gap_penalty", teams.gap_penalty)):
        if value is not None and value.total_seconds() <= 0:
            yield Problem(("teams", name), f"{format_duration(value)} is not above zero")
    if teams.max_members is not None and teams.max_members < teams.min_members:
        yield Problem(
            ("teams", "max_members"),
            f"{teams.max_members} is below min_members ({teams.min_members})",
        )
    if teams.gap_penalty is not None and teams.max_gap is None:
        yield Problem(("teams", "gap_penalty"), "needs max_gap, the gap it punishes")
