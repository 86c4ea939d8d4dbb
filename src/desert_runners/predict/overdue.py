"""Who is overdue at their next checkpoint: the safety warning of a race under way (pure).

For each runner on course, the prediction of their arrival at the next timing point is

    last passing + (the field's median time on that segment so far)
                 x (the runner's own pace factor) x ``margin``

- the *segment* is from the runner's last point to the next point the field has reached
  (a point nobody has a passing at yet, a reader that is down, is stepped over: the
  segment then spans it);
- the field's median needs at least ``min_field`` runners who did that segment, else
  there is no prediction and no warning (never a fixed guess);
- the *pace factor* is the median, over the runner's earlier segments of the stage, of
  their time / the field's median on it (1 when they have none), kept within
  ``PACE_LIMITS``: a back-of-the-pack runner is expected later, a fast one earlier;
- ``margin`` (default 1.5) is what is allowed beyond that before the runner is overdue.

A runner is overdue when the race clock is past the prediction; how long, is the race
clock minus the prediction. All times are aware datetimes and only ever subtracted, so a
stage that crosses midnight (the long march) or a change of UTC offset changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from statistics import median

MARGIN = 1.5
MIN_FIELD = 3
PACE_LIMITS = (0.5, 3.0)


@dataclass(frozen=True)
class Passing:
    """A runner at a timing point of the stage under way."""

    bib: int
    step: int  # where the point is in the stage, in course order (start lowest)
    point: str  # its name, to show
    at: datetime  # aware


@dataclass(frozen=True)
class Overdue:
    bib: int
    last_point: str  # where the runner was seen last
    last_at: datetime
    next_point: str
    expected: datetime  # the prediction, margin included
    late: timedelta  # the race clock - expected (above zero)


def overdue(
    passings: Iterable[Passing],
    on_course: Collection[int],
    now: datetime,
    *,
    margin: float = MARGIN,
    min_field: int = MIN_FIELD,
) -> list[Overdue]:
    """The runners in ``on_course`` who are overdue at ``now``, the latest first."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if not margin > 0 or min_field < 1:
        raise ValueError(f"margin must be above 0 and min_field at least 1: {margin}, {min_field}")
    seen: dict[int, dict[int, Passing]] = defaultdict(dict)
    names: dict[int, str] = {}
    for passing in passings:
        if passing.at.tzinfo is None:
            raise ValueError(f"bib {passing.bib} at {passing.point}: a naive time")
        here = seen[passing.bib]
        if passing.step not in here or passing.at < here[passing.step].at:
            here[passing.step] = passing  # a point passed twice: the first time counts
        names.setdefault(passing.step, passing.point)
    steps = sorted(names)
    field = _segment_medians(seen, steps)
    found = []
    for bib in on_course:
        mine = seen.get(bib)
        if not mine:
            continue  # never seen on this stage: nothing to predict from
        last = mine[max(mine)]
        nexts = [step for step in steps if step > last.step]
        if not nexts:
            continue  # past the last point anyone has reached
        typical = field.get((last.step, nexts[0]))
        if typical is None or typical[1] < min_field:
            continue
        allowed = typical[0] * _pace(mine, steps, field, min_field) * margin
        expected = last.at + timedelta(seconds=allowed)
        if now > expected:
            found.append(
                Overdue(bib, last.point, last.at, names[nexts[0]], expected, now - expected)
            )
    return sorted(found, key=lambda late: (-late.late, late.bib))


def _segments(mine: dict[int, Passing], steps: list[int]) -> Iterable[tuple[int, int, float]]:
    """A runner's segments: (from step, to step, seconds), each to the next point the
    field has reached, when the runner has both ends."""
    for here, there in pairwise(steps):
        if here in mine and there in mine:
            seconds = (mine[there].at - mine[here].at).total_seconds()
            if seconds > 0:
                yield here, there, seconds


def _segment_medians(
    seen: dict[int, dict[int, Passing]], steps: list[int]
) -> dict[tuple[int, int], tuple[float, int]]:
    """(from, to) -> (the field's median seconds, how many runners)."""
    times: dict[tuple[int, int], list[float]] = defaultdict(list)
    for mine in seen.values():
        for here, there, seconds in _segments(mine, steps):
            times[here, there].append(seconds)
    return {key: (median(values), len(values)) for key, values in times.items()}


def _pace(
    mine: dict[int, Passing],
    steps: list[int],
    field: dict[tuple[int, int], tuple[float, int]],
    min_field: int,
) -> float:
    ratios = [
        seconds / field[here, there][0]
        for here, there, seconds in _segments(mine, steps)
        if field[here, there][1] >= min_field
    ]
    if not ratios:
        return 1.0
    low, high = PACE_LIMITS
    return min(max(median(ratios), low), high)
