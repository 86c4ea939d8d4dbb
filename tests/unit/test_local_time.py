"""Times as people and devices give them, turned into instants: the rollover rule across
midnight, each time zone of the 2010 season, and daylight-saving traps."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desert_runners.domain.local_time import TimeInputError, local_instant, resolve_time
from desert_runners.domain.race import Checkpoint, Stage

SEASON_ZONES = ["America/Santiago", "Asia/Shanghai", "Africa/Cairo", "America/Argentina/Ushuaia"]


def long_march(zone: str, day: tuple[int, int, int] = (2010, 3, 11)) -> Stage:
    start = datetime(*day, 8, 0, tzinfo=ZoneInfo(zone))
    checkpoints = (Checkpoint("CP5", "CP5", 48.7), Checkpoint("finish", "Camp", 81.5))
    return Stage(5, "Long march", start, checkpoints, long_march=True)


@pytest.mark.parametrize("zone", SEASON_ZONES)
def test_a_long_march_crosses_midnight_in_every_zone(zone: str) -> None:
    stage = long_march(zone)
    local = ZoneInfo(zone)
    assert resolve_time("07:59", stage) == datetime(2010, 3, 11, 7, 59, tzinfo=local)
    assert resolve_time("23:48:05", stage, 48.7) == datetime(2010, 3, 11, 23, 48, 5, tzinfo=local)
    assert resolve_time("00:35", stage, 48.7) == datetime(2010, 3, 12, 0, 35, tzinfo=local)
    # 81.5 km from the start, 10:00 cannot be two hours after it: it is the next morning.
    assert resolve_time("10:00", stage, 81.5) == datetime(2010, 3, 12, 10, 0, tzinfo=local)
    elapsed = resolve_time("05:55:20", stage, 81.5) - stage.start
    assert elapsed == timedelta(hours=21, minutes=55, seconds=20)


def test_times_of_day_before_the_grace_belong_to_the_next_day() -> None:
    stage = long_march("Africa/Cairo")
    assert resolve_time("05:59", stage) == datetime(2010, 3, 12, 5, 59, tzinfo=stage.start.tzinfo)
    assert resolve_time("06:00", stage) == datetime(2010, 3, 11, 6, 0, tzinfo=stage.start.tzinfo)


def test_fractions_of_a_second_are_kept() -> None:
    stage = long_march("Asia/Shanghai")
    assert resolve_time("14:02:15.31", stage).microsecond == 310_000
    assert resolve_time("14:02:15,5", stage).microsecond == 500_000


def test_a_date_or_an_offset_is_taken_as_given() -> None:
    stage = long_march("America/Santiago")
    assert resolve_time("2010-03-13 10:00", stage) == datetime(
        2010, 3, 13, 10, 0, tzinfo=ZoneInfo("America/Santiago")
    )
    assert resolve_time("2010-03-12T04:30:00Z", stage) == datetime(2010, 3, 12, 4, 30, tzinfo=UTC)
    assert resolve_time(" 2010-03-12T01:30:00-03:00 ", stage) == datetime(
        2010, 3, 12, 4, 30, tzinfo=UTC
    )


@pytest.mark.parametrize("text", ["9.32", "24:00", "12:60", "noon", "", "2010-13-01 10:00"])
def test_unreadable_times_are_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(TimeInputError) as raised:
        resolve_time(text, long_march("Africa/Cairo"))
    assert str(raised.value) == (
        f"time {text!r}: expected HH:MM[:SS], YYYY-MM-DD HH:MM[:SS] or an ISO time with offset "
        "(2010-03-10T04:30:00+00:00)"
    )


def test_a_wall_time_skipped_by_daylight_saving_is_refused() -> None:
    # Cairo moved its clocks from 00:00 to 01:00 on 2010-04-30.
    stage = long_march("Africa/Cairo", (2010, 4, 29))
    with pytest.raises(TimeInputError) as raised:
        resolve_time("00:30", stage, 48.7)
    assert (
        str(raised.value) == "2010-04-30 00:30 does not exist in Africa/Cairo (the clocks "
        "jumped forward)"
    )


def test_a_wall_time_that_happens_twice_is_its_first_occurrence() -> None:
    # Chile moved its clocks back from 00:00 to 23:00 on the night of 2010-04-03/04.
    zone = ZoneInfo("America/Santiago")
    first = local_instant(datetime(2010, 4, 3).date(), time(23, 30), zone)
    assert first.astimezone(UTC) == datetime(2010, 4, 4, 2, 30, tzinfo=UTC)


@given(
    st.sampled_from(SEASON_ZONES),
    st.times(),
    st.floats(min_value=0, max_value=100, allow_nan=False),
)
def test_a_time_of_day_lands_within_a_day_after_the_earliest_plausible_moment(
    zone: str, clock: time, km: float
) -> None:
    stage = long_march(zone, (2010, 6, 28))  # no daylight-saving change near these dates
    text = clock.strftime("%H:%M:%S.%f")
    moment = resolve_time(text, stage, km)
    earliest = (
        stage.start - timedelta(hours=2) if km == 0 else stage.start + timedelta(hours=km / 15)
    )
    assert earliest <= moment < earliest + timedelta(days=1)
    assert moment.astimezone(stage.start.tzinfo).time() == clock


@pytest.mark.parametrize("text", ["9999-12-31T23:59", "9999-12-31 23:59", "0001-01-01T00:00+05:00"])
def test_a_time_at_the_end_of_the_calendar_is_a_clear_mistake(text: str) -> None:
    with pytest.raises(TimeInputError, match=re.escape(f"time '{text}': out of range")):
        resolve_time(text, long_march("America/Santiago"))
