"""Cutoff deadlines: an elapsed cutoff is real time, even across a change of clocks."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from desert_runners.domain.race import Cutoff

PARIS = ZoneInfo("Europe/Paris")  # clocks go forward at 02:00 on 28 March 2010


def test_an_elapsed_cutoff_over_the_night_clocks_go_forward_is_real_time() -> None:
    start = datetime(2010, 3, 27, 20, 0, tzinfo=PARIS)  # 19:00 UTC
    deadline = Cutoff(elapsed=timedelta(hours=12)).deadline(start)
    assert deadline.astimezone(UTC) == datetime(2010, 3, 28, 7, 0, tzinfo=UTC)
    assert deadline.strftime("%H:%M %Z") == "09:00 CEST"  # not 08:00: an hour was skipped


def test_a_time_of_day_cutoff_is_that_wall_clock_time_on_its_day() -> None:
    start = datetime(2010, 3, 27, 20, 0, tzinfo=PARIS)
    deadline = Cutoff(time_of_day=time(9, 0), day_offset=1).deadline(start)
    assert deadline.astimezone(UTC) == datetime(2010, 3, 28, 7, 0, tzinfo=UTC)
