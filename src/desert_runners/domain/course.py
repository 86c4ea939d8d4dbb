"""A stage's course profile: length, and elevation, climb and descent at each checkpoint.

The track comes from a GPX file (see ``adapters.importers.gpx_course``) as points with
their distance from the start; checkpoints are given by their km from the stage start.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass


class CourseError(ValueError):
    """The track or the checkpoints do not make a usable course; the message says why."""


@dataclass(frozen=True)
class TrackPoint:
    km: float  # distance along the track from its first point
    elevation_m: float | None


@dataclass(frozen=True)
class Leg:
    """The course from the previous checkpoint (or the start) to a checkpoint."""

    to_km: float  # the checkpoint's km, as given
    elevation_m: float | None  # at the checkpoint
    climb_m: float | None
    descent_m: float | None


@dataclass(frozen=True)
class CourseProfile:
    length_km: float
    legs: tuple[Leg, ...]  # one per checkpoint, in order


def profile(
    points: Sequence[TrackPoint], checkpoint_kms: Sequence[float], *, threshold_m: float = 5.0
) -> CourseProfile:
    """The course length and, for each checkpoint, its elevation and the climb and descent
    since the previous checkpoint (or the start, km 0).

    Climb and descent ignore wiggles of ``threshold_m`` or less (see ``climb_descent``).
    Values are rounded to 0.1 m and lengths to the metre: GPS tracks are not more precise,
    and the numbers go straight into race documents.
    """
    if len(points) < 2:
        raise CourseError("the track has fewer than 2 points")
    if threshold_m < 0:
        raise ValueError(f"threshold_m must not be negative (got {threshold_m})")
    for index in range(1, len(points)):
        if not points[index].km >= points[index - 1].km:  # also catches NaN
            raise CourseError(f"the track's distances go backwards at point {index + 1}")
    length_km = points[-1].km
    # The track and the official distances are measured differently (GPS against a
    # surveyor's wheel or a rounded figure), so a finish a little past the end is fine.
    tolerance_km = max(0.02 * length_km, 0.5)

    previous_km = 0.0
    for km in checkpoint_kms:
        if not km > previous_km:  # also catches NaN
            after = (
                "the start"
                if previous_km == 0.0
                else f"the previous checkpoint ({_km(previous_km)} km)"
            )
            raise CourseError(f"checkpoint at {_km(km)} km is not after {after}")
        if km > length_km + tolerance_km:
            raise CourseError(
                f"checkpoint at {_km(km)} km is beyond the end of the course ({length_km:.1f} km)"
            )
        previous_km = km

    # Points without a (usable) elevation still count for distance, not for elevation.
    elevated = [
        (p.km, p.elevation_m)
        for p in points
        if p.elevation_m is not None and math.isfinite(p.elevation_m)
    ]
    kms = [km for km, _ in elevated]
    elevations = [elevation for _, elevation in elevated]

    legs: list[Leg] = []
    from_km = 0.0
    for to_km in checkpoint_kms:
        # Within the tolerance past the end, the checkpoint is at the end of the track.
        at_km = min(to_km, length_km)
        if elevated:
            climb, descent = climb_descent(
                _section(kms, elevations, from_km, at_km), threshold_m=threshold_m
            )
            elevation = _interpolate(kms, elevations, at_km)
            legs.append(Leg(to_km, round(elevation, 1), round(climb, 1), round(descent, 1)))
        else:
            legs.append(Leg(to_km, None, None, None))
        from_km = at_km
    return CourseProfile(round(length_km, 3), tuple(legs))


def climb_descent(elevations: Sequence[float], *, threshold_m: float = 5.0) -> tuple[float, float]:
    """Total climb and descent along a run of elevations, with hysteresis.

    A rise (or fall) counts only once the elevation has moved more than ``threshold_m``
    from the last turning point; it then counts in full, from that turning point to the
    next top (or bottom). Until the first such move, the lowest and highest elevations so
    far are both candidate turning points. GPS elevation jitters by a few metres from point
    to point, and summing every small change would report hundreds of metres of climb on a
    flat course. A last move of ``threshold_m`` or less is not counted.
    """
    climb = descent = 0.0
    if not elevations:
        return climb, descent
    low = high = elevations[0]  # the range so far, while the direction is not yet known
    base = extreme = elevations[0]  # the last turning point, and the top/bottom since
    direction = 0  # +1 climbing, -1 descending, 0 not yet known
    for elevation in elevations[1:]:
        if direction == 0:
            low, high = min(low, elevation), max(high, elevation)
            # The range stayed within the threshold until now, so only one side can pass it.
            if elevation - low > threshold_m:
                base, extreme, direction = low, elevation, 1
            elif high - elevation > threshold_m:
                base, extreme, direction = high, elevation, -1
        elif direction > 0:
            if elevation > extreme:
                extreme = elevation
            elif extreme - elevation > threshold_m:
                climb += extreme - base
                base, extreme, direction = extreme, elevation, -1
        elif elevation < extreme:
            extreme = elevation
        elif elevation - extreme > threshold_m:
            descent += base - extreme
            base, extreme, direction = extreme, elevation, 1
    # The last rise or fall already passed the threshold, so it counts.
    if direction > 0:
        climb += extreme - base
    elif direction < 0:
        descent += base - extreme
    return climb, descent


def _interpolate(kms: Sequence[float], elevations: Sequence[float], km: float) -> float:
    """Elevation at ``km``, linear between the points around it.

    Before the first (after the last) point with an elevation, hold that point's elevation:
    guessing a slope from the nearest points would invent climb.
    """
    index = bisect_right(kms, km)
    if index == 0:
        return elevations[0]
    if index == len(kms):
        return elevations[-1]
    # kms[index - 1] <= km < kms[index], so the two points are never at the same km.
    km_0, km_1 = kms[index - 1], kms[index]
    fraction = (km - km_0) / (km_1 - km_0)
    return elevations[index - 1] + fraction * (elevations[index] - elevations[index - 1])


def _section(
    kms: Sequence[float], elevations: Sequence[float], from_km: float, to_km: float
) -> list[float]:
    """Elevations from ``from_km`` to ``to_km``: both ends interpolated, the points between.

    Points exactly at ``to_km`` belong to this section (several at one km are a jump in
    elevation); the next section starts from the last of them, as ``_interpolate`` does.
    """
    inside = elevations[bisect_right(kms, from_km) : bisect_right(kms, to_km)]
    return [
        _interpolate(kms, elevations, from_km),
        *inside,
        _interpolate(kms, elevations, to_km),
    ]


def _km(km: float) -> str:
    """A checkpoint km as written in the race file: 41.0, 12.35."""
    text = f"{km:.3f}".rstrip("0")
    return text + "0" if text.endswith(".") else text
