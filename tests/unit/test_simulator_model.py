"""The race simulator's building blocks: the gradient cost, daylight, hazard, measures."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from desert_runners.simulate.model import measures
from desert_runners.simulate.model.daylight import PLACES, Darkness, Place, alpha_3, place_of
from desert_runners.simulate.model.hazard import Hazard
from desert_runners.simulate.model.minetti import cost, cost_ratio, equivalent_km
from desert_runners.simulate.model.rng import stream


@pytest.mark.parametrize(
    ("grade", "joules"),
    [(0.0, 3.6), (0.1, 5.968), (0.2, 9.007), (-0.1, 2.152), (-0.2, 1.800), (0.45, 19.426)],
)
def test_minetti_cost_matches_the_published_polynomial(grade: float, joules: float) -> None:
    """Minetti et al. 2002: C(i) = 155.4i^5 - 30.4i^4 - 43.3i^3 + 46.3i^2 + 19.5i + 3.6."""
    assert cost(grade) == pytest.approx(joules, abs=0.001)


def test_minetti_cost_is_cheapest_downhill_near_minus_twenty_percent() -> None:
    grades = np.linspace(-0.45, 0.45, 91)
    cheapest = grades[np.argmin(cost(grades))]
    assert -0.25 <= cheapest <= -0.15
    assert cost(1.0) == cost(0.45)  # the fit's range: steeper is clipped


def test_the_downhill_floor_keeps_descents_from_being_too_cheap() -> None:
    assert cost_ratio(-0.2) == pytest.approx(0.5, abs=0.01)
    assert cost_ratio(-0.2, downhill_floor=0.8) == pytest.approx(0.8)
    assert cost_ratio(0.1, downhill_floor=0.8) == pytest.approx(5.968 / 3.6, abs=0.001)


def test_equivalent_km_of_flat_climbing_and_descending_sections() -> None:
    flat, up, down = equivalent_km([10.0, 10.0, 10.0], [0, 1000, 0], [0, 0, 1000], 0.7)
    assert flat == pytest.approx(10.0)
    assert up == pytest.approx(10.0 * 5.968 / 3.6, rel=0.001)  # all uphill at 10 %
    assert down == pytest.approx(7.0)  # floored
    braked = equivalent_km(10.0, 0, 2000, 0.7, braking=2.0)
    assert braked == pytest.approx(10.0 * (0.7 + 2.0 * 0.1))
    rolling = equivalent_km(10.0, 300, 300, 0.0)  # half up, half down, at 6 %
    expected = 5 * (cost(0.06) + cost(-0.06)) / 3.6
    assert rolling == pytest.approx(expected)


def test_darkness_in_the_atacama_in_march() -> None:
    zone = ZoneInfo("America/Santiago")
    dark = Darkness(PLACES["CHL"], date(2010, 3, 11), date(2010, 3, 12))

    def at(text: str) -> float:
        return datetime.fromisoformat(text).replace(tzinfo=zone).timestamp()

    moments = np.array([at("2010-03-11 12:00"), at("2010-03-11 23:30"), at("2010-03-12 04:00")])
    assert dark.is_dark(moments).tolist() == [False, True, True]
    # Civil dusk and dawn within minutes of 20:16 and 07:11 local time (NOAA).
    assert dark.is_dark(np.array([at("2010-03-11 20:05"), at("2010-03-11 20:30")])).tolist() == [
        False,
        True,
    ]
    assert dark.is_dark(np.array([at("2010-03-12 07:00"), at("2010-03-12 07:25")])).tolist() == [
        True,
        False,
    ]


def test_no_darkness_in_the_antarctic_summer() -> None:
    dark = Darkness(PLACES["ATA"], date(2010, 11, 28), date(2010, 12, 4))
    day = datetime(2010, 12, 1, tzinfo=ZoneInfo("America/Argentina/Ushuaia")).timestamp()
    assert not dark.is_dark(day + np.arange(0, 86400, 600, dtype=np.float64)).any()


def test_a_place_from_the_race_file_country_or_its_clock() -> None:
    assert alpha_3("CL") == "CHL"
    assert place_of("CL", "America/Santiago", date(2010, 3, 7)) == PLACES["CHL"]
    guessed = place_of("XXX", "Asia/Kolkata", date(2010, 3, 7))
    assert guessed == Place(25.0, 82.5)


def test_hazard_mixes_mountain_and_flat_by_climb_per_km() -> None:
    hazard = Hazard(mountain=(4.0, 8.0), flat=(2.0, 2.0), bands_km=(0.0, 40.0))
    assert hazard.per_km(10, 0.0) == 2.0
    assert hazard.per_km(10, 58.0) == 4.0
    assert hazard.per_km(50, 29.0) == pytest.approx(5.0)
    assert Hazard(scale=0.5).per_km(10, 0) == pytest.approx(Hazard().per_km(10, 0) / 2)


def test_measures_on_a_tiny_split_table() -> None:
    km = np.array([10.0, 20.0])
    elapsed = np.array(
        [
            [3600.0, 9000.0],  # even-ish: 6 min/km then 9 min/km, average 7.5
            [3000.0, np.nan],  # stopped after the first point
            [np.nan, np.nan],  # stopped before it
        ]
    )
    paces = measures.relative_paces(elapsed, km)
    assert paces == pytest.approx([0.8, 1.2])
    assert measures.stop_counts(elapsed, km).tolist() == [1, 0, 1, 0]  # at km 0 and km 10
    assert measures.stop_shares(elapsed, km).sum() == pytest.approx(2 / 3)
    assert measures.median_speed_kmh(elapsed, km) == pytest.approx(8.0)


def test_random_streams_depend_on_the_seed_and_their_labels_only() -> None:
    assert stream(7, "a", "b").random() == stream(7, "a", "b").random()
    assert stream(7, "a").random() != stream(8, "a").random()
    assert stream(7, "a").random() != stream(7, "b").random()
