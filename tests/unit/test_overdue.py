"""Overdue at the next checkpoint, from hand-made passings: the field's median on the
segment, the runner's own pace, the margin; no warning without enough of a field; a
stage over midnight; the latest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from desert_runners.predict.overdue import Overdue, Passing, overdue

ZONE = ZoneInfo("America/Argentina/Ushuaia")  # UTC-3, the ship's time
START = datetime(2010, 12, 2, 10, 0, tzinfo=ZONE)
POINTS = ["start", "cp1", "cp2", "finish"]


def _runner(bib: int, *minutes: float, start: datetime = START) -> list[Passing]:
    """A runner's passings: at the start, then after each of ``minutes`` in turn."""
    at, passings = start, [Passing(bib, 0, "start", start)]
    for step, spent in enumerate(minutes, start=1):
        at += timedelta(minutes=spent)
        passings.append(Passing(bib, step, POINTS[step], at))
    return passings


def _field(*runners: list[Passing]) -> list[Passing]:
    return [passing for runner in runners for passing in runner]


# Three runners did start -> cp1 in 60, 70, 80 min (median 70) and cp1 -> cp2 in 100,
# 110, 120 min (median 110).
FAST = _field(_runner(1, 60, 100), _runner(2, 70, 110), _runner(3, 80, 120))


def test_overdue_after_the_fields_median_times_the_margin_at_their_own_pace() -> None:
    # Bib 9 took 70 min to cp1: the field's pace (factor 1). Expected at cp2 by
    # 11:10 + 110 min x 1.5 = 13:55.
    passings = _field(FAST, _runner(9, 70))
    expected = datetime(2010, 12, 2, 13, 55, tzinfo=ZONE)
    assert overdue(passings, [9], expected) == []  # on the dot is not overdue yet
    late = overdue(passings, [9], expected + timedelta(minutes=20))
    assert late == [
        Overdue(
            bib=9,
            last_point="cp1",
            last_at=datetime(2010, 12, 2, 11, 10, tzinfo=ZONE),
            next_point="cp2",
            expected=expected,
            late=timedelta(minutes=20),
        )
    ]


def test_a_slow_runner_is_expected_later_and_a_fast_one_sooner() -> None:
    # Bib 8 took 140 min to cp1, twice the field (factor 2): expected 110 x 2 x 1.5
    # = 330 min after 12:20, at 17:50. Bib 7 took 35 min (factor 0.5): 110 x 0.5 x 1.5
    # = 82.5 min after 10:35, at 11:57:30.
    passings = _field(FAST, _runner(8, 140), _runner(7, 35))
    at_three = datetime(2010, 12, 2, 15, 0, tzinfo=ZONE)
    assert [late.bib for late in overdue(passings, [7, 8], at_three)] == [7]
    later = overdue(passings, [7, 8], datetime(2010, 12, 2, 18, 0, tzinfo=ZONE))
    assert [(late.bib, late.late) for late in later] == [
        (7, timedelta(hours=6, minutes=2, seconds=30)),  # the latest first
        (8, timedelta(minutes=10)),
    ]


def test_the_pace_factor_is_kept_within_limits() -> None:
    # A runner 10x slower than the field to cp1 (a medical hold) is still expected at
    # cp2 within 3x the field's median x 1.5 = 495 min after 21:40, at 05:55 next day.
    passings = _field(FAST, _runner(6, 700))
    not_yet = datetime(2010, 12, 3, 5, 55, tzinfo=ZONE)
    assert overdue(passings, [6], not_yet) == []
    assert [late.bib for late in overdue(passings, [6], not_yet + timedelta(seconds=1))] == [6]


def test_no_warning_without_enough_of_a_field_and_none_for_who_is_not_on_course() -> None:
    two = _field(_runner(1, 60, 100), _runner(2, 70, 110), _runner(9, 70))
    much_later = START + timedelta(days=1)
    assert overdue(two, [9], much_later) == []  # two runners on cp1 -> cp2: no prediction
    assert [late.bib for late in overdue(two, [9], much_later, min_field=2)] == [9]
    passings = _field(FAST, _runner(9, 70))
    assert overdue(passings, [], much_later) == []  # finished, withdrawn: not asked about
    assert overdue(passings, [42], much_later) == []  # never seen on the stage
    assert overdue(passings, [1], much_later) == []  # past the last point anyone reached


def test_a_stage_over_midnight() -> None:
    # The long march started at 20:00: the field reached cp1 after 60-80 min and cp2
    # 100-120 min later, across midnight. Bib 9 reached cp1 at 21:10, so is expected at
    # cp2 by 23:55 (local), overdue at 00:30 by 35 min. The answer is the same whatever
    # the zone of the times given.
    night = START.replace(hour=20)
    runners = [_runner(b, m, n, start=night) for b, m, n in ((1, 60, 100), (2, 70, 110))]
    passings = _field(*runners, _runner(3, 80, 120, start=night), _runner(9, 70, start=night))
    after_midnight = datetime(2010, 12, 3, 0, 30, tzinfo=ZONE)
    late = overdue(passings, [9], after_midnight)
    assert [(o.bib, o.expected, o.late) for o in late] == [
        (9, datetime(2010, 12, 2, 23, 55, tzinfo=ZONE), timedelta(minutes=35))
    ]
    in_utc = [Passing(p.bib, p.step, p.point, p.at.astimezone(UTC)) for p in passings]
    assert overdue(in_utc, [9], after_midnight.astimezone(UTC))[0].late == late[0].late


def test_a_point_nobody_reached_is_stepped_over_and_the_first_passing_counts() -> None:
    # Nobody has a passing at cp1 (its reader is down): start -> cp2 is the segment.
    # The field took 160, 180, 200 min (median 180): bib 9, seen at the start at 10:00,
    # is expected at cp2 by 10:00 + 180 x 1.5 min = 14:30. A second read at the start
    # (10:05) does not move the runner's last passing.
    field = [passing for passing in FAST if passing.point != "cp1"]
    field += [Passing(9, 0, "start", START), Passing(9, 0, "start", START + timedelta(minutes=5))]
    late = overdue(field, [9], datetime(2010, 12, 2, 14, 40, tzinfo=ZONE))
    assert [(o.bib, o.last_point, o.next_point, o.late) for o in late] == [
        (9, "start", "cp2", timedelta(minutes=10))
    ]


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        overdue(FAST, [1], datetime(2010, 12, 2, 12, 0))
    with pytest.raises(ValueError, match="naive"):
        overdue([Passing(1, 0, "start", datetime(2010, 12, 2, 10, 0))], [1], START)
