"""The checks a station makes before it saves an entry, and who is still due.

A typo at a checkpoint costs a runner their time, so a doubtful entry is shown to the
volunteer before it is saved: a bib that is not in the race, a runner who already
passed here, a runner who is out of the race or withdrew here, a time in the future, or
a time outside the stage the station is set up for. The volunteer confirms or re-types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from desert_runners.domain.events import Direction
from desert_runners.domain.local_time import GRACE_BEFORE_START
from desert_runners.domain.race import Stage

STAGE_HORIZON = timedelta(hours=48)  # a stage without a finish cutoff: as the results have it
CLOCK_TOLERANCE = timedelta(minutes=1)  # a watch a little ahead of the laptop is no typo


@dataclass(frozen=True)
class Seen:
    """An entry or a withdrawal in force at this station: its number and time."""

    seq: int
    at: datetime


@dataclass(frozen=True)
class StationView:
    """What the station knows when a bib is typed."""

    race: str
    stage: Stage
    checkpoint: str
    in_out: bool  # the checkpoint records in and out times
    names: Mapping[int, str]  # every entrant: bib -> name
    out: Mapping[int, str]  # bib -> why the runner is out of the race (from camp's kit)
    withdrawn_here: Mapping[int, Seen]
    passed: Mapping[tuple[int, Direction | None], Seen]


@dataclass(frozen=True)
class Due:
    due: tuple[int, ...]  # not yet recorded here (in this direction)
    inside: tuple[int, ...]  # at an in/out checkpoint: in, and not out yet


def stage_window(stage: Stage) -> tuple[datetime, datetime]:
    """From a little before the start to the finish cutoff (or 48 hours without one)."""
    cutoff = stage.finish.cutoff
    end = cutoff.deadline(stage.start) if cutoff else stage.start + STAGE_HORIZON
    return stage.start - GRACE_BEFORE_START, end


def entry_warnings(
    view: StationView, bib: int, at: datetime, now: datetime, direction: Direction | None
) -> list[str]:
    """Why saving this entry may be a mistake; empty when nothing is doubtful."""
    warnings = _runner_warnings(view, bib)
    seen = view.passed.get((bib, direction))
    if seen is not None:
        where = f"here ({direction.value})" if direction else "here"
        warnings.append(
            f"bib {bib} already passed {where} at {_clock(view, seen.at)} (#{seen.seq})"
        )
    return warnings + time_warnings(view, at, now)


def withdrawal_warnings(view: StationView, bib: int, at: datetime, now: datetime) -> list[str]:
    return _runner_warnings(view, bib) + time_warnings(view, at, now)


def time_warnings(view: StationView, at: datetime, now: datetime) -> list[str]:
    if at > now + CLOCK_TOLERANCE:
        return [
            f"{_clock(view, at)} is in the future: the station's clock says {_clock(view, now)}"
        ]
    start, end = stage_window(view.stage)
    number = view.stage.number
    if at < start:
        return [
            f"{_day(view, at)} is before stage {number} starts ({_day(view, view.stage.start)}): "
            "is the station set up for the right stage?"
        ]
    if at > end:
        return [
            f"{_day(view, at)} is after stage {number} ended ({_day(view, end)}): "
            "is the station set up for the right stage?"
        ]
    return []


def due_here(view: StationView, direction: Direction | None) -> Due:
    racing = [
        bib for bib in sorted(view.names) if bib not in view.out and bib not in view.withdrawn_here
    ]
    due = tuple(bib for bib in racing if (bib, direction) not in view.passed)
    inside: tuple[int, ...] = ()
    if view.in_out:
        inside = tuple(
            bib
            for bib in racing
            if (bib, Direction.IN) in view.passed and (bib, Direction.OUT) not in view.passed
        )
    return Due(due, inside)


def _runner_warnings(view: StationView, bib: int) -> list[str]:
    if bib not in view.names:
        return [f"bib {bib} is not an entrant of {view.race}"]
    if bib in view.out:
        return [f"bib {bib} is not due here: {view.out[bib]}"]
    withdrew = view.withdrawn_here.get(bib)
    if withdrew is not None:
        return [
            f"bib {bib} is not due here: withdrew here at {_clock(view, withdrew.at)} "
            f"(#{withdrew.seq})"
        ]
    return []


def _clock(view: StationView, at: datetime) -> str:
    return f"{at.astimezone(view.stage.start.tzinfo):%H:%M:%S}"


def _day(view: StationView, at: datetime) -> str:
    return f"{at.astimezone(view.stage.start.tzinfo):%Y-%m-%d %H:%M}"
