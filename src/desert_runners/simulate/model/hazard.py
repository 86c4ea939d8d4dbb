"""The hazard of stopping (withdrawing), per km, by the distance done in the day.

Measured on real 100-mile races by bands of distance from the start (``calibrated``):
one set for a mountain course, one for a flat one; a stage in between mixes them by its
climb per km. A desert stage race scales it down (shorter days, sleep between them).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from desert_runners.simulate.model.calibrated import (
    HAZARD_BANDS_KM,
    HAZARD_FLAT,
    HAZARD_MOUNTAIN,
    MOUNTAIN_CLIMB_PER_KM,
)


@dataclass(frozen=True)
class Hazard:
    bands_km: tuple[float, ...] = HAZARD_BANDS_KM  # where each band starts
    mountain: tuple[float, ...] = HAZARD_MOUNTAIN
    flat: tuple[float, ...] = HAZARD_FLAT
    scale: float = 1.0

    def per_km(self, km: float, climb_per_km: float) -> float:
        """At ``km`` from the day's start, on a stage climbing ``climb_per_km`` m per km."""
        band = max(bisect_right(self.bands_km, km) - 1, 0)
        mountain = min(max(climb_per_km / MOUNTAIN_CLIMB_PER_KM, 0.0), 1.0)
        return self.scale * (mountain * self.mountain[band] + (1 - mountain) * self.flat[band])
