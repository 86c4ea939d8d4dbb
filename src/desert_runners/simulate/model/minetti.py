"""The energy cost of running on a gradient, and a section's equivalent flat distance.

Minetti et al. (2002), "Energy cost of walking and running at extreme uphill and
downhill slopes", J Appl Physiol 93: 1039-1046, fitted the cost of running (J per kg per
metre) on a treadmill from -45 % to +45 % gradient with a fifth-degree polynomial:

    C(i) = 155.4 i^5 - 30.4 i^4 - 43.3 i^3 + 46.3 i^2 + 19.5 i + 3.6

C(0) = 3.6 J/kg/m on the flat; it is cheapest around -20 % (about 1.7). Runners do not
go that much faster downhill (footing, braking, sore quads), so the downhill ratio is
kept above a floor fitted on the real splits (see ``calibrated``).

A section between two timing points has a distance, a climb and a descent but no
profile, so it is taken as rolling: the climb spread over the uphill part and the
descent over the downhill part, both at the same steepness ``(climb + descent) /
distance``, the uphill part's share of the distance being climb / (climb + descent).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FLAT_COST = 3.6  # J/kg/m, C(0)
MAX_GRADE = 0.45  # the fit's range; steeper is taken as 45 %
_COEFFICIENTS = (155.4, -30.4, -43.3, 46.3, 19.5, 3.6)  # highest power first


def cost(grade: ArrayLike) -> NDArray[np.float64]:
    """Minetti's cost of running (J/kg/m) at ``grade`` (a fraction: 0.1 is 10 %)."""
    clipped = np.clip(np.asarray(grade, dtype=np.float64), -MAX_GRADE, MAX_GRADE)
    return np.asarray(np.polyval(_COEFFICIENTS, clipped), dtype=np.float64)


def cost_ratio(grade: ArrayLike, downhill_floor: float = 0.0) -> NDArray[np.float64]:
    """The cost relative to the flat, never below ``downhill_floor``."""
    return np.maximum(cost(grade) / FLAT_COST, downhill_floor)


def equivalent_km(
    distance_km: ArrayLike,
    climb_m: ArrayLike,
    descent_m: ArrayLike,
    downhill_floor: float = 0.0,
    climb_scale: ArrayLike = 1.0,
    braking: float = 0.0,
) -> NDArray[np.float64]:
    """The flat distance that costs as much effort as each section.

    ``climb_scale`` scales the uphill cost above the flat's (fitted: walking steep climbs
    costs real runners a different time than the energy alone says).
    """
    distance = np.asarray(distance_km, dtype=np.float64)
    climb = np.asarray(climb_m, dtype=np.float64)
    descent = np.asarray(descent_m, dtype=np.float64)
    vertical = climb + descent
    grade = vertical / np.maximum(distance * 1000.0, 1e-9)
    up_share = np.divide(climb, vertical, out=np.zeros_like(vertical), where=vertical > 0)
    uphill = 1.0 + np.asarray(climb_scale, dtype=np.float64) * (cost_ratio(grade) - 1.0)
    # Steep descents are slow again: braking on every step (fitted, ``braking`` per unit
    # of gradient past 10 %).
    downhill = cost_ratio(-grade, downhill_floor) + braking * np.maximum(grade - 0.10, 0.0)
    ratio = np.where(vertical > 0, up_share * uphill + (1.0 - up_share) * downhill, 1.0)
    return np.asarray(distance * ratio, dtype=np.float64)
