from __future__ import annotations

import math
from itertools import pairwise

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from desert_runners.domain.course import (
    CourseError,
    CourseProfile,
    Leg,
    TrackPoint,
    climb_descent,
    profile,
)


def track(*points: tuple[float, float | None]) -> list[TrackPoint]:
    return [TrackPoint(km, elevation) for km, elevation in points]


# Hand-worked profiles


def test_triangle_hill_climbs_and_descends_exactly() -> None:
    hill = track((0, 100), (1, 200), (2, 100))

    assert profile(hill, [1.0, 2.0]) == CourseProfile(
        length_km=2.0,
        legs=(Leg(1.0, 200.0, 100.0, 0.0), Leg(2.0, 100.0, 0.0, 100.0)),
    )
    assert profile(hill, [2.0]).legs == (Leg(2.0, 100.0, 100.0, 100.0),)


def test_noise_below_the_threshold_is_not_climb() -> None:
    flat = track(*((km / 10, 100 + wiggle) for km, wiggle in enumerate([0, 3, -1, 2, 0, 4, 1, -1])))

    assert profile(flat, [0.7]).legs == (Leg(0.7, 99.0, 0.0, 0.0),)


def test_a_noisy_climb_counts_only_the_real_rise() -> None:
    # Summing every change would give 18 m up and 6 m down.
    noisy = track((0, 100), (1, 104), (2, 101), (3, 108), (4, 105), (5, 112))

    assert profile(noisy, [5.0]).legs == (Leg(5.0, 112.0, 12.0, 0.0),)


def test_a_move_of_exactly_the_threshold_is_not_counted() -> None:
    bump = track((0, 100), (1, 105), (2, 100))

    assert profile(bump, [2.0]).legs == (Leg(2.0, 100.0, 0.0, 0.0),)
    assert profile(bump, [2.0], threshold_m=4.9).legs == (Leg(2.0, 100.0, 5.0, 5.0),)


def test_wiggles_around_the_start_count_once_they_span_more_than_the_threshold() -> None:
    # Down 4 m then up 10 m: the climb runs from the bottom, not from the start.
    dip = track((0, 100), (1, 96), (2, 106))

    assert profile(dip, [2.0]).legs == (Leg(2.0, 106.0, 10.0, 0.0),)


def test_elevation_at_a_checkpoint_between_points_is_interpolated() -> None:
    hill = track((0, 100), (2, 200), (4, 100))

    assert profile(hill, [0.5, 3.0, 4.0]).legs == (
        Leg(0.5, 125.0, 25.0, 0.0),
        Leg(3.0, 150.0, 75.0, 50.0),
        Leg(4.0, 100.0, 0.0, 50.0),
    )


def test_climb_ends_at_the_interpolated_checkpoint() -> None:
    # No track point lies between the start and the checkpoint.
    ramp = track((0, 100), (10, 300))

    assert profile(ramp, [5.0]).legs == (Leg(5.0, 200.0, 100.0, 0.0),)


def test_without_any_elevation_there_is_no_elevation_climb_or_descent() -> None:
    result = profile(track((0, None), (1.5, None), (3.25, None)), [2.0, 3.25])

    assert result == CourseProfile(3.25, (Leg(2.0, None, None, None), Leg(3.25, None, None, None)))


def test_points_without_elevation_are_skipped_for_elevation() -> None:
    gappy = track((0, 100), (1, None), (2, 200), (3, None))

    assert profile(gappy, [1.0, 3.0]).legs == (
        Leg(1.0, 150.0, 50.0, 0.0),
        Leg(3.0, 200.0, 50.0, 0.0),  # held at the last known elevation
    )


def test_before_the_first_elevation_the_elevation_is_held() -> None:
    late = track((0, None), (1, 300), (2, 320))

    assert profile(late, [0.5, 2.0]).legs == (
        Leg(0.5, 300.0, 0.0, 0.0),
        Leg(2.0, 320.0, 20.0, 0.0),
    )


def test_a_single_elevation_makes_a_flat_course() -> None:
    assert profile(track((0, None), (1, 250), (2, None)), [2.0]).legs == (
        Leg(2.0, 250.0, 0.0, 0.0),
    )


def test_points_at_the_same_km_are_a_jump_in_elevation() -> None:
    # A zero-length step (a GPS glitch or two joined segments) still climbs.
    step = track((0, 100), (1, 100), (1, 150), (2, 150))

    assert profile(step, [1.0, 2.0]).legs == (
        Leg(1.0, 150.0, 50.0, 0.0),
        Leg(2.0, 150.0, 0.0, 0.0),
    )


def test_values_are_rounded_to_a_tenth_of_a_metre_and_lengths_to_the_metre() -> None:
    result = profile(track((0, 100), (3.00049, 200)), [1.0])

    assert result == CourseProfile(3.0, (Leg(1.0, 133.3, 33.3, 0.0),))


def test_a_checkpoint_a_little_past_the_end_is_at_the_end() -> None:
    # 2 % of 38.2 km is 0.764 km.
    course = track((0, 500), (38.2, 700))

    assert profile(course, [38.9]).legs == (Leg(38.9, 700.0, 200.0, 0.0),)


def test_on_a_short_course_the_tolerance_is_half_a_km() -> None:
    course = track((0, 500), (5, 600))

    assert profile(course, [5.0, 5.5]).legs == (
        Leg(5.0, 600.0, 100.0, 0.0),
        Leg(5.5, 600.0, 0.0, 0.0),
    )
    with pytest.raises(CourseError):
        profile(course, [5.6])


def test_no_checkpoints_gives_the_length_only() -> None:
    assert profile(track((0, 1), (4, 2)), []) == CourseProfile(4.0, ())


def test_threshold_zero_counts_every_change() -> None:
    assert climb_descent([100, 101, 100.5, 103, 103], threshold_m=0) == (3.5, 0.5)
    assert climb_descent([], threshold_m=0) == (0.0, 0.0)
    assert climb_descent([100]) == (0.0, 0.0)


# Errors


@pytest.mark.parametrize(
    ("kms", "message"),
    [
        ([10.0, 41.0], "checkpoint at 41.0 km is beyond the end of the course (38.2 km)"),
        ([38.965], "checkpoint at 38.965 km is beyond the end of the course (38.2 km)"),
        ([12.35, 7.0], "checkpoint at 7.0 km is not after the previous checkpoint (12.35 km)"),
        ([7.0, 7.0], "checkpoint at 7.0 km is not after the previous checkpoint (7.0 km)"),
        ([0.0, 7.0], "checkpoint at 0.0 km is not after the start"),
        ([-1.5], "checkpoint at -1.5 km is not after the start"),
        ([math.nan], "checkpoint at nan km is not after the start"),
    ],
)
def test_bad_checkpoints_are_rejected(kms: list[float], message: str) -> None:
    course = track((0, 500), (20, 650), (38.2, 700))

    with pytest.raises(CourseError) as caught:
        profile(course, kms)
    assert str(caught.value) == message


@pytest.mark.parametrize("points", [[], [TrackPoint(0, 100)]])
def test_a_track_needs_two_points(points: list[TrackPoint]) -> None:
    with pytest.raises(CourseError) as caught:
        profile(points, [1.0])
    assert str(caught.value) == "the track has fewer than 2 points"


def test_track_distances_must_not_go_backwards() -> None:
    with pytest.raises(CourseError) as caught:
        profile(track((0, 1), (2, 1), (1.5, 1)), [1.0])
    assert str(caught.value) == "the track's distances go backwards at point 3"


def test_course_error_is_a_value_error() -> None:
    assert issubclass(CourseError, ValueError)


# Properties

ROUNDING = 0.05 + 1e-9  # each reported value is rounded to 0.1 m


@st.composite
def tracks(draw: st.DrawFn) -> list[TrackPoint]:
    steps = draw(
        st.lists(
            st.one_of(st.just(0.0), st.floats(0.001, 2.0)),  # zero: points at one km
            min_size=1,
            max_size=30,
        )
    )
    assume(sum(steps) > 0.01)
    elevation = st.one_of(
        st.floats(-400, 6000),
        st.floats(2400, 2420),  # mostly GPS noise
    )
    elevations = draw(st.lists(elevation, min_size=len(steps) + 1, max_size=len(steps) + 1))
    points = [TrackPoint(0.0, elevations[0])]
    for step, value in zip(steps, elevations[1:], strict=True):
        points.append(TrackPoint(points[-1].km + step, value))
    return points


@st.composite
def checkpoints(draw: st.DrawFn, length_km: float) -> list[float]:
    inner = draw(st.lists(st.floats(0.001, length_km), max_size=6, unique=True))
    return [*sorted(km for km in inner if km < length_km), length_km]


thresholds = st.sampled_from([0.0, 1.0, 5.0, 12.5])


@given(tracks(), thresholds)
def test_climb_minus_descent_is_the_net_change_within_the_threshold(
    points: list[TrackPoint], threshold_m: float
) -> None:
    # The first move away from the start and the last move to the end can each go
    # uncounted, by up to the threshold.
    (leg,) = profile(points, [points[-1].km], threshold_m=threshold_m).legs
    start = [p.elevation_m for p in points if p.km == 0.0][-1]
    end = points[-1].elevation_m
    assert leg.climb_m is not None
    assert leg.descent_m is not None
    assert start is not None
    assert end is not None
    net = leg.climb_m - leg.descent_m
    assert abs(net - (end - start)) <= 2 * threshold_m + 3 * ROUNDING


@given(st.data(), tracks(), thresholds)
def test_legs_add_up_to_the_whole_course(
    data: st.DataObject, points: list[TrackPoint], threshold_m: float
) -> None:
    length_km = points[-1].km
    kms = data.draw(checkpoints(length_km))
    legs = profile(points, kms, threshold_m=threshold_m).legs
    (whole,) = profile(points, [length_km], threshold_m=threshold_m).legs
    # Each checkpoint restarts the hysteresis: a move on either side of it may count in
    # one sum and not in the other, by up to twice the threshold.
    tolerance = 2 * threshold_m * (len(kms) - 1) + ROUNDING * (len(kms) + 1)
    assert whole.climb_m is not None
    assert whole.descent_m is not None
    assert abs(sum(leg.climb_m or 0 for leg in legs) - whole.climb_m) <= tolerance
    assert abs(sum(leg.descent_m or 0 for leg in legs) - whole.descent_m) <= tolerance
    assert legs[-1].elevation_m == whole.elevation_m


@given(st.data(), tracks(), thresholds)
def test_results_are_never_negative_and_elevations_stay_within_the_track(
    data: st.DataObject, points: list[TrackPoint], threshold_m: float
) -> None:
    kms = data.draw(checkpoints(points[-1].km))
    elevations = [p.elevation_m for p in points if p.elevation_m is not None]
    result = profile(points, kms, threshold_m=threshold_m)
    assert result.length_km >= 0
    assert [leg.to_km for leg in result.legs] == kms
    for leg in result.legs:
        assert leg.climb_m is not None
        assert leg.descent_m is not None
        assert leg.elevation_m is not None
        assert leg.climb_m >= 0
        assert leg.descent_m >= 0
        assert min(elevations) - ROUNDING <= leg.elevation_m <= max(elevations) + ROUNDING


@given(st.lists(st.floats(-400, 6000), max_size=40), thresholds)
def test_climb_and_descent_never_exceed_the_total_variation(
    elevations: list[float], threshold_m: float
) -> None:
    climb, descent = climb_descent(elevations, threshold_m=threshold_m)
    rises = sum(max(b - a, 0) for a, b in pairwise(elevations))
    falls = sum(max(a - b, 0) for a, b in pairwise(elevations))
    assert 0 <= climb <= rises + 1e-6
    assert 0 <= descent <= falls + 1e-6
    if threshold_m == 0:
        assert climb == pytest.approx(rises, abs=1e-6)
        assert descent == pytest.approx(falls, abs=1e-6)
