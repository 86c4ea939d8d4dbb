"""A device's time to an instant: the three shapes, the long march over midnight, the
clock offset, daylight-saving changes and impossible dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from desert_runners.adapters.readers.model import DeviceTime
from desert_runners.domain.device_time import (
    TimeProblem,
    device_time_text,
    earliest_at,
    resolve_device_time,
)
from desert_runners.domain.race import Checkpoint, Stage

SANTIAGO = ZoneInfo("America/Santiago")
PARIS = ZoneInfo("Europe/Paris")

# The Atacama long march: stage 5, 08:00 on 11 March 2010 (UTC-3), CP5 at 48.7 km.
LONG_MARCH = Stage(
    number=5,
    name="The Long March",
    start=datetime(2010, 3, 11, 8, 0, tzinfo=SANTIAGO),
    checkpoints=(Checkpoint("CP5", "Vilama", 48.7), Checkpoint("finish", "Camp 5", 73.8)),
    long_march=True,
)
# A night stage in Paris across the spring-forward night (31 March 2024, 02:00 -> 03:00).
NIGHT = Stage(
    number=1,
    name="Night",
    start=datetime(2024, 3, 30, 22, 0, tzinfo=PARIS),
    checkpoints=(Checkpoint("finish", "Finish", 75.0),),
)


def resolve(sent: DeviceTime, stage: Stage = LONG_MARCH, **options: object) -> object:
    zone = stage.start.tzinfo
    assert zone is not None
    return resolve_device_time(sent, stage, zone, **options)  # type: ignore[arg-type]


def of_day(text: str) -> DeviceTime:
    return DeviceTime(time_of_day=time.fromisoformat(text))


@pytest.mark.parametrize(
    ("clock", "km", "expected"),
    [
        ("07:59", 0.0, datetime(2010, 3, 11, 7, 59, tzinfo=SANTIAGO)),  # at the start
        ("23:48:05", 48.7, datetime(2010, 3, 11, 23, 48, 5, tzinfo=SANTIAGO)),
        ("00:35:41.8", 48.7, datetime(2010, 3, 12, 0, 35, 41, 800000, tzinfo=SANTIAGO)),
        ("05:55:20.31", 73.8, datetime(2010, 3, 12, 5, 55, 20, 310000, tzinfo=SANTIAGO)),
        ("13:00", 73.8, datetime(2010, 3, 11, 13, 0, tzinfo=SANTIAGO)),  # the rule's limit
    ],
)
def test_a_time_of_day_takes_the_stage_date_and_rolls_over_midnight(
    clock: str, km: float, expected: datetime
) -> None:
    assert resolve(of_day(clock), km=km) == expected


def test_the_clock_offset_is_added_and_may_cross_midnight() -> None:
    assert resolve(of_day("23:59:59"), km=48.7, clock_offset_s=2.0) == datetime(
        2010, 3, 12, 0, 0, 1, tzinfo=SANTIAGO
    )
    assert resolve(of_day("00:00:01"), km=48.7, clock_offset_s=-2.0) == datetime(
        2010, 3, 11, 23, 59, 59, tzinfo=SANTIAGO
    )


def test_the_rollover_rule_applies_to_the_true_time_not_the_device_clock() -> None:
    # The earliest at CP5 is 11:14:48; a clock a minute behind shows 11:14 at 11:15.
    assert earliest_at(LONG_MARCH, 48.7) == datetime(2010, 3, 11, 14, 14, 48, tzinfo=UTC)
    assert resolve(of_day("11:14:00"), km=48.7, clock_offset_s=60) == datetime(
        2010, 3, 11, 11, 15, tzinfo=SANTIAGO
    )


def test_utc_and_wall_clock_times() -> None:
    utc = DeviceTime(utc=datetime(2010, 3, 12, 3, 48, 5, tzinfo=UTC))
    assert resolve(utc) == datetime(2010, 3, 12, 0, 48, 5, tzinfo=SANTIAGO)
    assert resolve(utc, clock_offset_s=-5) == datetime(2010, 3, 12, 0, 48, tzinfo=SANTIAGO)
    wall = DeviceTime(local=datetime(2010, 3, 12, 0, 35, 41))
    moment = resolve(wall)
    assert moment == datetime(2010, 3, 12, 3, 35, 41, tzinfo=UTC)
    assert isinstance(moment, datetime)
    assert moment.tzinfo == SANTIAGO


def test_a_date_sent_with_a_time_of_day_dates_it_and_so_does_a_known_day_zero() -> None:
    hinted = DeviceTime(time_of_day=time(13, 0), date_hint=date(2010, 3, 12))
    assert resolve(hinted, km=73.8) == datetime(2010, 3, 12, 13, 0, tzinfo=SANTIAGO)
    counted = DeviceTime(time_of_day=time(13, 0), day_offset=1)
    assert resolve(counted, km=73.8) == datetime(2010, 3, 11, 13, 0, tzinfo=SANTIAGO)
    assert resolve(counted, km=73.8, day_zero=date(2010, 3, 11)) == datetime(
        2010, 3, 12, 13, 0, tzinfo=SANTIAGO
    )


def test_a_wall_time_skipped_by_the_spring_forward_jump_keeps_the_old_offset() -> None:
    # 02:30 does not exist on 31 March 2024 in Paris: a device clock that did not
    # follow the jump showed it an hour after 01:30 CET, at 01:30 UTC.
    skipped = DeviceTime(local=datetime(2024, 3, 31, 2, 30))
    assert resolve(skipped, NIGHT) == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)


def test_a_wall_time_shown_twice_in_autumn_is_the_first() -> None:
    autumn = Stage(1, "Autumn", datetime(2024, 10, 26, 22, 0, tzinfo=PARIS), NIGHT.checkpoints)
    repeated = DeviceTime(local=datetime(2024, 10, 27, 2, 30))
    moment = resolve(repeated, autumn)
    assert isinstance(moment, datetime)
    # Compared in UTC: Python never finds a time in a fold equal to another zone's.
    assert moment.astimezone(UTC) == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)  # CEST


def test_elapsed_time_and_offsets_count_real_time_across_a_daylight_saving_change() -> None:
    # 75 km at 15 km/h: 5 real hours after 22:00 CET is 04:00 CEST, not 03:00.
    assert earliest_at(NIGHT, 75.0) == datetime(2024, 3, 31, 2, 0, tzinfo=UTC)
    assert resolve(of_day("03:30"), NIGHT, km=75.0) == datetime(2024, 4, 1, 3, 30, tzinfo=PARIS)
    assert resolve(of_day("04:10"), NIGHT, km=75.0) == datetime(2024, 3, 31, 4, 10, tzinfo=PARIS)
    before_jump = DeviceTime(local=datetime(2024, 3, 31, 1, 59, 59))
    assert resolve(before_jump, NIGHT, clock_offset_s=2) == datetime(
        2024, 3, 31, 3, 0, 1, tzinfo=PARIS
    )


@pytest.mark.parametrize(
    ("sent", "reason"),
    [
        (
            DeviceTime(local=datetime(2026, 3, 10, 23, 59, 20)),
            "date: 2026-03-10 23:59:20 is 5843 days after stage 5 (2010-03-11): the device's "
            "clock is off or the read is from another day",
        ),
        (
            DeviceTime(local=datetime(2010, 3, 14, 0, 0)),
            "date: 2010-03-14 00:00:00 is 3 days after stage 5 (2010-03-11): the device's "
            "clock is off or the read is from another day",
        ),
        (
            DeviceTime(utc=datetime(2000, 1, 1, tzinfo=UTC)),
            "date: 1999-12-31 21:00:00 is 3723 days before stage 5 (2010-03-11): the device's "
            "clock is off or the read is from another day",
        ),
        (DeviceTime(), "time: the device sent no time"),
    ],
)
def test_impossible_times_are_problems_not_crashes(sent: DeviceTime, reason: str) -> None:
    assert resolve(sent) == TimeProblem(reason)


def test_two_days_from_the_stage_is_still_possible() -> None:
    assert resolve(DeviceTime(local=datetime(2010, 3, 13, 23, 59))) == datetime(
        2010, 3, 13, 23, 59, tzinfo=SANTIAGO
    )
    assert resolve(DeviceTime(local=datetime(2010, 3, 9, 0, 0))) == datetime(
        2010, 3, 9, 0, 0, tzinfo=SANTIAGO
    )


def test_an_offset_off_the_calendar_is_a_problem() -> None:
    end = DeviceTime(utc=datetime(9999, 12, 31, 23, 0, tzinfo=UTC))
    assert resolve(end, clock_offset_s=86400) == TimeProblem(
        "time: out of range with a clock offset of 86400 s"
    )


@pytest.mark.parametrize(
    ("sent", "text"),
    [
        (DeviceTime(utc=datetime(2010, 3, 12, 3, 48, 5, tzinfo=UTC)), "2010-03-12T03:48:05+00:00"),
        (DeviceTime(local=datetime(2010, 3, 12, 0, 35, 41, 800000)), "2010-03-12 00:35:41.800000"),
        (DeviceTime(time_of_day=time(5, 55, 20, 310000)), "05:55:20.310000"),
        (DeviceTime(time_of_day=time(0, 0, 1), day_offset=1), "00:00:01 day 1"),
        (
            DeviceTime(time_of_day=time(0, 0, 1), day_offset=1, date_hint=date(2024, 3, 15)),
            "2024-03-15 00:00:01",
        ),
        (DeviceTime(), ""),
    ],
)
def test_the_device_time_is_kept_as_the_device_said_it(sent: DeviceTime, text: str) -> None:
    assert device_time_text(sent) == text
