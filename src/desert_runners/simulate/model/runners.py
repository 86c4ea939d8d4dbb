"""Each runner's own make-up, as arrays over the field: ability, fatigue, heat, frailty.

Flat speed is lognormal around the field's median (``ability_sd`` fitted on real
finishers' spread), slowed for age past the peak and for women by the usual ultra gap;
the rest are lognormal spreads around 1. A team's members share a ``group``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from desert_runners.simulate.model.calibrated import (
    AGE_PEAK,
    AGE_SLOWING,
    FRAILTY_POWER,
    HEAT_TOLERANCE_SD,
    WOMEN_SLOWER,
    PaceParameters,
)

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class Runners:
    speed: Floats  # km/h on the flat, fresh
    climber: Floats  # their climbing cost, relative to the field's
    fatigue: Floats  # pace lost per 100 equivalent km in a day
    heat_tolerance: Floats  # how much of the day's heat slows them (1: the field's)
    frailty: Floats  # how likely they are to stop, relative to the field (mean 1)
    group: Ints  # the team they move with; a runner alone is a group of one

    @property
    def count(self) -> int:
        return len(self.speed)


def draw_runners(
    rng: np.random.Generator,
    count: int,
    params: PaceParameters,
    median_speed: float,
    *,
    widening: float = 1.0,
    women: Sequence[bool] | None = None,
    ages: Sequence[int] | None = None,
    teams: Sequence[str | None] | None = None,
) -> Runners:
    speed = median_speed * rng.lognormal(0.0, params.ability_sd * widening, count)
    if women is not None:
        speed = np.where(np.asarray(women, dtype=np.bool_), speed / (1 + WOMEN_SLOWER), speed)
    if ages is not None:
        past_peak = np.maximum(np.asarray(ages, dtype=np.float64) - AGE_PEAK, 0.0)
        speed = speed / (1 + AGE_SLOWING * past_peak)
    frailty = (np.median(speed) / speed) ** FRAILTY_POWER
    return Runners(
        speed=speed,
        climber=rng.lognormal(0.0, params.climber_sd, count),
        fatigue=params.fatigue * rng.lognormal(0.0, params.fatigue_sd, count),
        heat_tolerance=rng.lognormal(0.0, HEAT_TOLERANCE_SD, count),
        frailty=frailty / frailty.mean(),
        group=_groups(teams, count),
    )


def _groups(teams: Sequence[str | None] | None, count: int) -> Ints:
    group = np.arange(count, dtype=np.int64)
    if teams is None:
        return group
    first: dict[str, int] = {}
    for index, team in enumerate(teams):
        if team is not None:
            group[index] = first.setdefault(team, index)
    return group
