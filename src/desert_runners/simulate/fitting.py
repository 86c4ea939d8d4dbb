"""Fit the model's parameters to the real races (``python bench/realism.py --fit``).

Pace: a coordinate search over ``PaceParameters`` (each tried a step up and down, the
step halved when nothing helps), minimising the squared log differences between the
simulated and the real relative-pace quantiles of both families, plus the finishers'
speed spread counted twice. Common random numbers (one seed) keep it smooth.

Hazard: per family and band, scaled by real / simulated share of stops until they agree
(the runners' frailty makes the simulated shares differ from a plain hazard's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace

import numpy as np

from desert_runners.simulate.calibration import FAMILIES, Comparison, RealRace, compare
from desert_runners.simulate.model.calibrated import PACE, PaceParameters
from desert_runners.simulate.model.hazard import Hazard

SPREAD_WEIGHT = 2.0
LIMITS = {
    "downhill_floor": (0.4, 1.2),
    "climb_scale": (0.5, 3.0),
    "braking": (0.0, 6.0),
    "climber_sd": (0.0, 0.5),
    "section_sd": (0.01, 0.3),
    "fatigue": (0.05, 2.0),
    "fatigue_sd": (0.05, 1.5),
    "fatigue_power": (0.5, 3.0),
    "night": (1.0, 1.5),
    "aid_stop_min": (0.5, 15.0),
    "ability_sd": (0.05, 0.4),
}


def error(comparisons: list[Comparison]) -> float:
    total = 0.0
    for found in comparisons:
        total += float(np.sum(np.log(found.simulated.quantiles / found.real.quantiles) ** 2))
        total += SPREAD_WEIGHT * float(np.log(found.simulated.spread / found.real.spread) ** 2)
    return total


def fit_pace(
    races: list[RealRace],
    start: PaceParameters = PACE,
    *,
    rounds: int = 6,
    count: int = 1500,
    say: Callable[[str], None] = print,
) -> PaceParameters:
    best = start
    best_error = error(compare(races, best, count=count))
    step = 0.25
    for round_ in range(rounds):
        improved = False
        for name in (item.name for item in fields(PaceParameters)):
            low, high = LIMITS[name]
            for factor in (1 + step, 1 / (1 + step)):
                # a parameter at 0 moves by the step from its upper limit
                now = getattr(best, name) or high * step / 4
                value = min(max(now * factor, low), high)
                trial = replace(best, **{name: value})
                found = error(compare(races, trial, count=count))
                if found < best_error:
                    best, best_error, improved = trial, found, True
                    break
        say(f"round {round_ + 1}: error {best_error:.4f}, step {step:.3f}: {best}")
        if not improved:
            step /= 2
    return best


def fit_hazard(
    races: list[RealRace],
    params: PaceParameters,
    start: Hazard | None = None,
    *,
    rounds: int = 4,
    count: int = 4000,
) -> Hazard:
    hazard = start or Hazard()
    for _ in range(rounds):
        by_family = {found.family: found for found in compare(races, params, hazard, count=count)}
        scaled: dict[str, tuple[float, ...]] = {}
        for family in FAMILIES:
            found = by_family[family]
            ratio = found.real.stops / np.maximum(found.simulated.stops, 1e-6)
            before = np.array(getattr(hazard, family))
            scaled[family] = tuple(float(round(v, 6)) for v in before * np.clip(ratio, 0.25, 4))
        hazard = replace(hazard, mountain=scaled["mountain"], flat=scaled["flat"])
    return hazard
