"""The volunteers' typed entries: the crossings the readers did not see, as people write.

A volunteer at the mat writes down most runners the reader missed (``COVER``; nearly
all while it was off, and at the finish), with their watch's time: a few seconds off,
now and then only to the minute. Now and then two digits of the bib are swapped (142
for 124); the race office catches half of those at the evening check: the wrong entry
is voided and the right one recorded (``EntryVoid``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np

from desert_runners.domain.race import FINISH
from desert_runners.simulate.model.course import Course
from desert_runners.simulate.model.events import EntryVoid, TypedEntry
from desert_runners.simulate.model.performance import IN, OUT, Performance
from desert_runners.simulate.model.timing import Timing, local_offsets

COVER = 0.6  # of single missed reads, the volunteer writes down this many
COVER_WHILE_OFF = 0.9  # while the reader is off, they write nearly everyone
COVER_AT_FINISH = 0.97  # at camp the timing crew sees every arrival
WATCH_SD_S = 4.0
TO_THE_MINUTE = 0.25
SWAPPED_DIGITS = 0.03
CAUGHT = 0.5
WRITING_DELAY_S = 20.0
CHECK_DELAY_S = 3 * 3600.0  # the office checks the sheets hours later


def typed_entries(
    course: Course,
    performance: Performance,
    timing: Timing,
    bibs: list[int],
    rng: np.random.Generator,
) -> tuple[list[TypedEntry], list[EntryVoid]]:
    cover = np.where(timing.unread_off, COVER_WHILE_OFF, COVER)
    finishes = np.array([leg.point == FINISH for _, leg in course.points])
    cover = np.where(finishes[performance.point[timing.unread]], COVER_AT_FINISH, cover)
    written = timing.unread[rng.random(len(timing.unread)) < cover]
    written = written[np.argsort(performance.time[written], kind="stable")]
    if len(written) == 0:
        return [], []
    true_times = performance.time[written]
    typed = true_times + rng.normal(0.0, WATCH_SD_S, len(written))
    local = typed + local_offsets(typed, course.zone)
    minute = rng.random(len(written)) < TO_THE_MINUTE
    local = np.where(minute, local // 60 * 60, np.round(local))
    swap = rng.random(len(written)) < SWAPPED_DIGITS
    eligible = [i for i, row in enumerate(written) if _swapped(bibs[performance.runner[row]])]
    if eligible and not swap[eligible].any():
        swap[int(rng.choice(eligible))] = True  # every race has one, to be dealt with
    points = course.points
    entries: list[TypedEntry] = []
    voids: list[EntryVoid] = []
    for number, row in enumerate(written):
        stage, leg = points[performance.point[row]]
        direction = {IN: "in", OUT: "out"}.get(int(performance.direction[row]))
        right = bibs[performance.runner[row]]
        wrong = _swapped(right) if swap[number] else None
        at = float(true_times[number]) + WRITING_DELAY_S
        entry = TypedEntry(
            at=at,
            stage=stage,
            point=leg.point,
            direction=direction,
            bib=wrong or right,
            true_bib=right,
            typed=datetime.fromtimestamp(float(local[number]), UTC).replace(tzinfo=None),
            to_the_minute=bool(minute[number]),
            source=f"{stage}/{leg.point} volunteer sheet",
            key=f"sim-{stage}-{leg.point}-{direction or 'x'}-{number + 1}",
        )
        entries.append(entry)
        if wrong is not None and rng.random() < CAUGHT:
            fixed = replace(entry, bib=right, at=at + CHECK_DELAY_S, key=entry.key + "-fix")
            reason = f"bib typed {wrong} for {right} on the sheet (checked against the chip log)"
            voids.append(EntryVoid(at + CHECK_DELAY_S, entry.key, reason, fixed))
    return entries, voids


def _swapped(bib: int) -> int | None:
    """The bib with its last two different neighbouring digits swapped: 124 -> 142."""
    digits = list(str(bib))
    for index in range(len(digits) - 1, 0, -1):
        if digits[index] != digits[index - 1] and not (index == 1 and digits[index] == "0"):
            digits[index], digits[index - 1] = digits[index - 1], digits[index]
            return int("".join(digits))
    return None


def local_text(entry: TypedEntry, stage_start: datetime) -> str:
    """As the volunteer wrote it: a time of day, with the date once the stage has run
    for 20 hours (a time of day lands within a day of the earliest possible moment)."""
    long = entry.typed - stage_start.replace(tzinfo=None) > timedelta(hours=20)
    form = "%H:%M" if entry.to_the_minute else "%H:%M:%S"
    return entry.typed.strftime(f"%Y-%m-%d {form}" if long else form)
