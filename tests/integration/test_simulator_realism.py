"""The simulator against real races: the same figures, measured the same way.

Each real race of shared/data (UTMB 2015-2016, the "mountain" family; 100 Meilen Berlin
2013, 2015, 2016, the "flat" one) is simulated on its own course with the calibrated
parameters (src/desert_runners/simulate/model/calibrated.py) and compared, family by
family, with the real one (see bench/realism.py for the table):

- each quantile (5 % to 95 %) of section pace over the runner's average pace within
  10 % of the real one;
- the share of starters stopping in each quarter of the distance within 0.02 of the
  real share, and in all within 0.02;
- the spread of finishers' speeds (log sd) within 10 %.
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.conftest import SHARED_DATA, real_data

from desert_runners.simulate.calibration import REAL_FILES, Comparison, compare, real_races
from desert_runners.simulate.model import measures

PACE_TOLERANCE = 0.10  # relative, each quantile
STOP_TOLERANCE = 0.02  # absolute share of starters, each quarter and in all
SPREAD_TOLERANCE = 0.10  # relative


@pytest.fixture(scope="module")
def comparisons() -> dict[str, Comparison]:
    for spec in REAL_FILES:
        real_data(SHARED_DATA / spec.results)
        real_data(SHARED_DATA / spec.course)
    found = compare(real_races(SHARED_DATA), seed=11, count=3000)
    return {comparison.family: comparison for comparison in found}


@pytest.mark.parametrize("family", ["mountain", "flat"])
def test_relative_pace_quantiles_within_10_percent_of_the_real_races(
    comparisons: dict[str, Comparison], family: str
) -> None:
    found = comparisons[family]
    ratio = found.simulated.quantiles / found.real.quantiles
    off = {
        f"q{round(q * 100):02d}": f"real {real:.3f}, simulated {sim:.3f}"
        for q, real, sim, r in zip(
            measures.QUANTILES, found.real.quantiles, found.simulated.quantiles, ratio, strict=True
        )
        if abs(r - 1) > PACE_TOLERANCE
    }
    assert not off, off


@pytest.mark.parametrize("family", ["mountain", "flat"])
def test_share_stopping_in_each_quarter_within_2_points_of_the_real_races(
    comparisons: dict[str, Comparison], family: str
) -> None:
    found = comparisons[family]
    assert np.abs(found.simulated.stops - found.real.stops).max() <= STOP_TOLERANCE, (
        found.real.stops,
        found.simulated.stops,
    )
    assert abs(found.simulated.stopped - found.real.stopped) <= STOP_TOLERANCE


@pytest.mark.parametrize("family", ["mountain", "flat"])
def test_spread_of_finishers_speeds_within_10_percent_of_the_real_races(
    comparisons: dict[str, Comparison], family: str
) -> None:
    found = comparisons[family]
    assert found.simulated.spread == pytest.approx(found.real.spread, rel=SPREAD_TOLERANCE)


def test_the_real_figures_are_what_the_calibration_says() -> None:
    """Guards the comparison: the real files read as the calibration notes describe."""
    real_data(SHARED_DATA / "utmb" / "utmb_2015.csv")
    races = real_races(SHARED_DATA)
    assert [race.name for race in races] == [
        "UTMB 2015",
        "UTMB 2016",
        "100MeilenBerlin 2013",
        "100MeilenBerlin 2015",
        "100MeilenBerlin 2016",
    ]
    utmb = races[0]
    assert len(utmb.elapsed) == 2561
    assert utmb.km[-1] == pytest.approx(169.4)
    climb = sum(leg.climb_m for leg in utmb.course.stages[0].legs)
    assert climb == pytest.approx(9889)
